"""Nested-CV training on the tiny cohort: metrics shape, label mapping, errors."""

from __future__ import annotations

import pandas as pd
import pytest

from allstrat.contracts import PH_GROUP
from allstrat.errors import InputError
from allstrat.train import model_labels, train_model


def test_label_mapping_merges_ph():
    y = model_labels(pd.Series(["BCR::ABL1", "Ph-like", "DUX4"], index=["a", "b", "c"]))
    assert list(y) == [PH_GROUP, PH_GROUP, "DUX4"]


def test_unknown_label_names_sample():
    with pytest.raises(InputError, match="sample 'b'"):
        model_labels(pd.Series(["DUX4", "Ph_like"], index=["a", "b"]))


@pytest.mark.slow
def test_nested_cv_metrics(tiny_cohort, tiny_genes):
    counts, labels = tiny_cohort
    labels = labels.replace({PH_GROUP: "Ph-like"})
    res = train_model(
        counts, labels, gene_locations=tiny_genes, outer_folds=3, inner_folds=2, c_grid=(0.1, 1.0)
    )
    m = res.metrics
    assert set(m["per_class"]) == set(res.n_per_class) == {"DUX4", "ETV6::RUNX1", PH_GROUP, "KMT2A"}
    assert m["macro_f1"] > 0.8
    cm = m["confusion_matrix"]["rows_true_columns_predicted"]
    assert sum(map(sum, cm)) == len(counts)
    assert len(m["outer_fold_chosen_C"]) == 3
    assert 0 <= m["calibration"]["expected_calibration_error"] <= 1
    assert list(res.model.classes_) == sorted(res.n_per_class)
    assert len(res.cohort_sha256) == 64


def test_too_few_per_class(tiny_cohort, tiny_genes):
    counts, labels = tiny_cohort
    labels = labels.copy()
    labels.iloc[0] = "KMT2A"
    labels.iloc[1:15] = "KMT2A"
    sub = counts.iloc[:17]
    lab = labels.iloc[:17].copy()
    lab.iloc[15:] = "DUX4"
    with pytest.raises(InputError, match="fewer samples than outer folds"):
        train_model(sub, lab, gene_locations=tiny_genes, outer_folds=5)
