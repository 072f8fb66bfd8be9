"""scikit-learn API conformance of the released estimator classes."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from allstrat.classify.estimators import ExpressionFeatures, SubtypeClassifier
from allstrat.normalise import ReferenceNormaliser


@parametrize_with_checks(
    [
        ReferenceNormaliser(anchor_min_log_cpm=0.0),
        ExpressionFeatures(),
        SubtypeClassifier(random_state=0),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_feature_names_cover_literature_and_regions(tiny_model):
    names = list(tiny_model.named_steps["features"].get_feature_names_out())
    assert "expr:CLEC12A" in names
    assert "sig:DUX4" in names
    assert "lineage:B" in names
    assert "chrom:chr21" in names
    assert "region:chr21:iamp21_amplicon" in names
    assert "expr:DUX4" not in names  # DUX4 reads are unreliable in gene counts


def test_missing_gene_is_neutral_not_unexpressed(tiny_model, tiny_cohort):
    counts, _ = tiny_cohort
    feats = tiny_model.named_steps["features"]
    names = list(feats.get_feature_names_out())
    x = counts.iloc[:1].astype(float)
    x_missing = x.copy()
    x_missing["CLEC12A"] = np.nan
    x_zero = x.copy()
    x_zero["CLEC12A"] = 0.0
    j = names.index("expr:CLEC12A")
    assert feats.transform(x_missing)[0, j] == 0.0  # reference mean: neutral evidence
    assert feats.transform(x_zero)[0, j] < -1.0  # a measured zero is strong evidence
    assert feats.missing_panel_genes(x_missing.to_numpy())[0] == ["CLEC12A"]


def test_ood_score_large_for_foreign_profile(tiny_model, tiny_cohort):
    counts, _ = tiny_cohort
    feats = tiny_model.named_steps["features"]
    clf = tiny_model.named_steps["classifier"]
    inside = clf.ood_score(feats.transform(counts.iloc[:5]))
    rng = np.random.default_rng(5)
    foreign = counts.iloc[:5].copy()
    foreign.loc[:, :] = rng.permutation(foreign.to_numpy().ravel()).reshape(foreign.shape)
    outside = clf.ood_score(feats.transform(foreign))
    assert np.median(inside) < 1.5
    assert outside.min() > 1.5


def test_contributions_sum_to_decision_function(tiny_model, tiny_cohort):
    counts, _ = tiny_cohort
    f = tiny_model.named_steps["features"].transform(counts.iloc[:3])
    clf = tiny_model.named_steps["classifier"]
    total = clf.contributions(f).sum(axis=2) + clf.lr_.intercept_
    np.testing.assert_allclose(total, clf.decision_function(f), rtol=1e-8, atol=1e-8)


def test_negative_counts_rejected(tiny_model, tiny_cohort):
    counts, _ = tiny_cohort
    bad = counts.iloc[:1].astype(float).copy()
    bad.iloc[0, 0] = -1
    with pytest.raises(ValueError, match="Negative"):
        tiny_model.named_steps["features"].transform(bad)
