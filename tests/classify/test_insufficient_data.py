"""Insufficient-data gate end to end with the shipped model (``allstrat classify``).

A count file with 9 of the model's 11,788 genes is an explicit no-call (exit 0,
``unclassified``, flag ``insufficient_data`` naming the measured share, no candidates);
a realistic partial panel (a lab annotation lacking 12 % of the genes) is classified.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from allstrat.cli import main
from allstrat.cli.classify import classify_settings, register
from allstrat.models import load_model


@pytest.fixture(scope="module")
def shipped():
    return load_model(None)


@pytest.fixture(scope="module")
def sim_counts():
    from allstrat.simulate.cohort import simulate_cohort

    return simulate_cohort(4, 11).counts  # genes x samples


def _classify(tmp_path, matrix: pd.DataFrame, *extra: str):
    p = tmp_path / "counts.tsv"
    matrix.index.name = "gene_symbol"
    matrix.to_csv(p, sep="\t")
    out, ex = tmp_path / "calls.tsv", tmp_path / "ex.json"
    rc = main(["classify", "--counts", str(p), "--out", str(out), "--explain", str(ex), *extra])
    calls = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)
    return rc, calls.set_index("sample_id"), json.loads(ex.read_text())["samples"]


def test_nine_of_11788_genes_is_an_explicit_no_call(tmp_path, shipped, sim_counts):
    feats = shipped.estimator.named_steps["features"]
    assert len(shipped.estimator.feature_names_in_) == 11788
    panel = [str(g) for g in feats.genes_[feats.panel_]]
    nine = sim_counts.loc[[g for g in panel if g in sim_counts.index][:9]]
    rc, calls, ex = _classify(tmp_path, nine)
    assert rc == 0
    for sid, row in calls.iterrows():
        assert row["subtype"] == "unclassified"
        assert row["candidates"] == ""
        assert row["confidence_tier"] == "none"
        assert row["decided_by"] == "rule:insufficient_data"
        flag = f"insufficient_data:measured_panel_fraction={9 / len(panel):.4f}<0.5"
        assert flag in row["qc_flags"].split(";")
        assert ex[sid]["decision"]["candidates"] == []


def test_realistic_partial_panel_is_classified(tmp_path, shipped, sim_counts):
    rng = np.random.default_rng(1)
    keep = rng.random(len(sim_counts)) >= 0.12  # an annotation lacking 12 % of genes
    rc, calls, _ = _classify(tmp_path, sim_counts.loc[keep])
    assert rc == 0
    (tmp_path / "full").mkdir()
    rc_full, full, _ = _classify(tmp_path / "full", sim_counts)
    assert rc_full == 0
    assert not calls["qc_flags"].str.contains("insufficient_data").any()
    assert (calls["decided_by"] != "rule:insufficient_data").all()
    assert (calls["subtype"] == full["subtype"]).mean() >= 0.75


def test_gate_is_a_config_setting():
    """The workflow passes config classify.min_measured_panel_fraction via --config-section."""
    import argparse

    ap = argparse.ArgumentParser()
    register(ap.add_subparsers())
    section = json.dumps({"min_measured_panel_fraction": 0.8})
    args = ap.parse_args(["classify", "--counts", "x", "--out", "y", "--config-section", section])
    assert classify_settings(args).calls.min_measured_panel_fraction == 0.8
    # an option given on the command line overrides the section
    args = ap.parse_args(
        ["classify", "--counts", "x", "--out", "y", "--config-section", section,
         "--min-measured-panel-fraction", "0.3"]
    )  # fmt: skip
    assert classify_settings(args).calls.min_measured_panel_fraction == 0.3
