"""The shipped default model: card honesty, loading, and real public data flowing through."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from allstrat.classify.core import classify_counts
from allstrat.models import DEFAULT_MODEL, load_model
from allstrat.paths import models_dir


@pytest.fixture(scope="module")
def shipped():
    if not (models_dir() / DEFAULT_MODEL / "model.json").is_file():
        pytest.skip("shipped model not present")
    return load_model()


def test_card_is_honest_about_training_data(shipped):
    card = shipped.card
    assert "simulated" in card["limitations"].lower()
    assert "allstrat simulate" in card["training_cohort"]["description"]
    assert card["training_command"].startswith("allstrat train")
    assert card["training_cohort"]["label_mapping"] == {
        "BCR::ABL1": "Ph group",
        "Ph-like": "Ph group",
    }
    assert "expr:DUX4" not in card["model_features"]


def _real(shared_data) -> pd.DataFrame:
    from allstrat.io.cohort import read_count_files

    counts, _ = read_count_files([str(shared_data / "allcatchr_test_counts.tsv")], "matrix")
    return counts


@pytest.mark.shared_data
def test_real_b_all_flows_through(shipped, shared_data):
    """10 real B-ALL samples: no T-ALL calls, no wholesale OOD flags, every row filled."""
    counts = _real(shared_data)
    res = classify_counts(
        counts, shipped.estimator, model_id=shipped.model_id, model_sha256=shipped.sha256
    )
    calls = res.calls
    assert len(calls) == 10
    assert not (calls["lineage"] == "T").any()
    assert not (calls["subtype"] == "T-ALL").any()
    ood = calls["qc_flags"].str.contains("out_of_distribution")
    assert ood.mean() <= 0.5
    assert (calls["subtype"] != "").all()


@pytest.mark.shared_data
def test_real_data_same_calls_from_ensembl_ids(shipped, shared_data, genes):
    """The same real counts keyed by Ensembl IDs (with versions) give the same calls."""
    from allstrat.harmonise import harmonise_counts

    counts = _real(shared_data)
    ens = genes.table["ensembl_ids"].str.split("|").str[0]
    raw = counts.T
    raw = raw[raw.index.map(lambda g: bool(ens.get(g)))]
    raw.index = [f"{ens[g]}.7" for g in raw.index]
    harm, rep = harmonise_counts(raw, genes)
    assert rep.id_type == "ensembl"
    kw = {"model_id": shipped.model_id, "model_sha256": shipped.sha256}
    a = classify_counts(counts, shipped.estimator, **kw).calls
    b = classify_counts(harm.T.astype(float), shipped.estimator, **kw).calls
    assert (a["subtype"].to_numpy() == b["subtype"].to_numpy()).mean() >= 0.9


@pytest.mark.shared_data
def test_real_data_robust_to_missing_panel_genes(shipped, shared_data):
    """Dropping 10% of the panel genes (a lab's annotation lacks them) rarely changes calls."""
    counts = _real(shared_data)
    feats = shipped.estimator.named_steps["features"]
    panel = list(feats.genes_[feats.panel_])
    rng = np.random.default_rng(0)
    drop = list(rng.choice(panel, size=len(panel) // 10, replace=False))
    kw = {"model_id": shipped.model_id, "model_sha256": shipped.sha256}
    a = classify_counts(counts, shipped.estimator, **kw).calls
    b = classify_counts(counts.drop(columns=drop), shipped.estimator, **kw).calls
    assert (a["subtype"].to_numpy() == b["subtype"].to_numpy()).mean() >= 0.8
