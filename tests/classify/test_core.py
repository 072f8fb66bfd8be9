"""classify_counts: batch independence, permutation, probabilities, explanations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allstrat.classify.core import classify_counts
from allstrat.contracts import CLASSIFY_COLUMNS

from .conftest import CLASSES, make_counts


@pytest.fixture(scope="module")
def new_samples(tiny_genes) -> pd.DataFrame:
    labels = [CLASSES[i % len(CLASSES)] for i in range(50)]
    return make_counts(tiny_genes, labels, seed=7)


def _run(model, counts, **kw):
    return classify_counts(counts, model, model_id="tiny/0.0.1", model_sha256="0" * 64, **kw)


def test_batch_independence_alone_3_50(tiny_model, new_samples):
    """The same sample gets identical probabilities and calls alone, in 3 and in 50."""
    big = _run(tiny_model, new_samples)
    three = _run(tiny_model, new_samples.iloc[[4, 0, 17]])
    for sid in ("S000", "S004", "S017"):
        alone = _run(tiny_model, new_samples.loc[[sid]])
        for other in (three, big):
            # equal up to BLAS summation order (~1e-17); nothing batch-derived enters
            np.testing.assert_allclose(
                alone.probabilities.loc[sid].to_numpy(),
                other.probabilities.loc[sid].to_numpy(),
                rtol=0,
                atol=1e-12,
            )
            pd.testing.assert_series_equal(
                alone.calls.set_index("sample_id").loc[sid],
                other.calls.set_index("sample_id").loc[sid],
            )
            assert alone.explanations[sid] == other.explanations[sid]


@settings(max_examples=10, deadline=None)
@given(st.permutations(list(range(12))))
def test_permuting_samples_permutes_outputs(tiny_model, new_samples, perm):
    base = _run(tiny_model, new_samples.iloc[:12])
    shuffled = _run(tiny_model, new_samples.iloc[:12].iloc[perm])
    pd.testing.assert_frame_equal(
        base.calls.set_index("sample_id").loc[shuffled.calls["sample_id"]],
        shuffled.calls.set_index("sample_id"),
    )


def test_probabilities_sum_to_one_and_columns(tiny_model, new_samples):
    res = _run(tiny_model, new_samples.iloc[:10])
    np.testing.assert_allclose(res.probabilities.sum(axis=1), 1.0)
    assert list(res.calls.columns[: len(CLASSIFY_COLUMNS)]) == list(CLASSIFY_COLUMNS)
    assert [c for c in res.calls.columns if c.startswith("prob:")] == [
        f"prob:{c}" for c in tiny_model.classes_
    ]


def test_accuracy_on_easy_synthetic(tiny_model, new_samples):
    res = _run(tiny_model, new_samples)
    truth = [CLASSES[i % len(CLASSES)] for i in range(50)]
    # no fusion data: fusion-defined profiles are reported as their group
    groups = {"ETV6::RUNX1 group": "ETV6::RUNX1", "KMT2A group": "KMT2A"}
    called = res.calls["subtype"].replace(groups).to_numpy()
    assert (called == np.asarray(truth)).mean() >= 0.9


def test_explanation_names_genes_against_reference(tiny_model, new_samples):
    res = _run(tiny_model, new_samples.iloc[:1])
    ex = res.explanations["S000"]
    assert ex["explained_class"] == "DUX4"
    genes = [t for t in ex["top_features"] if t["kind"] == "gene"]
    assert genes
    top = genes[0]
    assert {"gene", "log2_cpm", "reference_mean", "reference_sd", "z", "contribution"} <= set(top)
    from allstrat.classify import signatures as sig

    assert top["contribution"] > 0
    if top["gene"] in sig.UP["DUX4"]:
        assert top["z"] > 0  # an up gene of the DUX4 programme above the reference
    if top["gene"] in sig.DOWN["DUX4"]:
        assert top["z"] < 0


def test_missing_genes_warned_and_flagged(tiny_model, new_samples, caplog):
    from allstrat.classify import signatures as sig

    drop = [g for g in sig.UP["DUX4"] if g in new_samples.columns]
    partial = new_samples.iloc[:1].drop(columns=drop)
    with caplog.at_level("WARNING"):
        res = _run(tiny_model, partial)
    assert "absent from the input" in caplog.text
    assert set(drop) <= set(res.explanations["S000"]["missing_panel_genes"])
    assert res.calls.loc[0, "subtype"] != ""  # still a call or an explicit outcome


@pytest.mark.parametrize("seed", range(20))
def test_descending_orders_as_series_sort_values(seed):
    """The explanation's top probabilities keep Series.sort_values' order, ties included."""
    from allstrat.classify.core import descending

    rng = np.random.default_rng(seed)
    v = rng.choice([0.0, 0.1, 0.25, 0.5, np.nan, 1e-300], size=int(rng.integers(1, 25)))
    want = pd.Series(v).sort_values(ascending=False).index.to_numpy()
    assert descending(v).tolist() == want.tolist()
