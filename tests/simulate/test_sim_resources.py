"""The simulator's committed resources: checksums, provenance, rebuild from the source."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pandas as pd
import pytest

OWN = (
    "markers/subtype_markers.tsv",
    "markers/tall_markers.tsv",
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


@pytest.mark.shared_data
def test_simulated_counts_resemble_the_real_matrix(shared_data, realistic_cohort, genes):
    """Shape of the data vs 10 real B-ALL samples: gene levels, spread, detection."""
    import numpy as np
    from scipy.stats import spearmanr

    from allstrat.harmonise import harmonise_counts

    real = pd.read_csv(shared_data / "allcatchr_test_counts.tsv", sep="\t", index_col=0)
    real, _ = harmonise_counts(real, genes)
    sim = realistic_cohort.counts
    common = sim.index.intersection(real.index)
    lr = np.log2(real.loc[common] / real.sum() * 1e6 + 1)
    ls = np.log2(sim.loc[common] / sim.sum() * 1e6 + 1)
    assert spearmanr(lr.median(axis=1), ls.median(axis=1))[0] > 0.95
    sd_real = lr[lr.median(axis=1) > 5].std(axis=1).median()
    sd_sim = ls[ls.median(axis=1) > 5].std(axis=1).median()
    assert 0.7 * sd_real < sd_sim < 1.3 * sd_real
    det_real = (real > 0).sum().median()
    det_sim = (sim > 0).sum().median()
    assert abs(det_sim - det_real) / det_real < 0.1
