"""The simulator's committed resources: checksums, provenance, rebuild from the source."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pandas as pd
import pytest

OWN = (
    "markers/subtype_markers.tsv",
    "markers/baseline_expression.tsv.gz",
    "genes/lesion_exons_grch38.tsv",
)


def test_manifest_checksums_match(root):
    man = pd.read_csv(root / "resources" / "MANIFEST.tsv", sep="\t", dtype=str).set_index("path")
    for rel in OWN:
        digest = hashlib.sha256((root / "resources" / rel).read_bytes()).hexdigest()
        assert man.loc[rel, "sha256"] == digest, rel


def test_lesion_exons_are_ordered_and_sourced(genes):
    from allstrat.simulate.genome import load_lesion_exons

    ex = load_lesion_exons()
    assert set(ex["status"]) <= {"verified", "derived"}
    ik = ex[ex["gene"] == "IKZF1"].sort_values("exon")
    assert ik["exon"].tolist() == list(range(1, 9))
    assert (ik["start"].to_numpy()[1:] > ik["end"].to_numpy()[:-1]).all()
    g = genes.table.loc["IKZF1"]
    assert ik["start"].min() >= g["start"] - 10
    assert ik["end"].max() <= g["end"] + 10
    assert ex.loc[ex["status"] == "derived", "source"].str.contains("UNVERIFIED").all()


@pytest.mark.slow
@pytest.mark.shared_data
def test_baseline_rebuilds_byte_identically(shared_data, root, tmp_path):
    out = tmp_path / "baseline.tsv.gz"
    script = root / "workflow" / "scripts" / "build_baseline_expression.py"
    src = shared_data / "allcatchr_test_counts.tsv"
    subprocess.run(
        [sys.executable, str(script), str(src), str(out)], check=True, capture_output=True
    )
    assert (
        out.read_bytes()
        == (root / "resources" / "markers" / "baseline_expression.tsv.gz").read_bytes()
    )
