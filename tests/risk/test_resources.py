"""Provenance of the risk resources: MANIFEST rows with matching checksums."""

from __future__ import annotations

import hashlib

import pandas as pd


def test_manifest_lists_risk_resources_with_current_sha256(root):
    man = pd.read_csv(root / "resources" / "MANIFEST.tsv", sep="\t", dtype=str).set_index("path")
    res = root / "resources"
    files = [
        *sorted((res / "risk").glob("*.yaml")),
        res / "risk" / "common" / "annotations.yaml",
        *sorted((res / "pharmacogenetics").glob("*.tsv")),
    ]
    assert len(files) == 9
    for f in files:
        key = str(f.relative_to(res))
        assert key in man.index, f"{key} missing from resources/MANIFEST.tsv"
        digest = hashlib.sha256(f.read_bytes()).hexdigest()
        assert man.loc[key, "sha256"] == digest, f"{key}: update its sha256 in MANIFEST.tsv"
