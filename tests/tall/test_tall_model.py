"""The shipped T-ALL subgroup model: honest card, held-out accuracy on an independent
simulated cohort, per-sample (batch-independent) results, unclassified when unsure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allstrat.classify.decide import Fusion
from allstrat.contracts import MULTIPLE, TALL_SUBGROUPS, UNCLASSIFIED
from allstrat.tall.classify import classify_tall


def _counts(cohort) -> pd.DataFrame:
    return cohort.counts.T.astype(float)


def test_card_is_honest(tall_model):
    card = tall_model.card
    assert card["panel"] == "tall"
    assert "simulated" in card["limitations"].lower()
    assert "allstrat simulate" in card["training_cohort"]["description"]
    assert "--panel tall" in card["training_command"]
    assert sorted(card["classes"]) == sorted(TALL_SUBGROUPS)
    assert "etp:score" in card["model_features"]


def test_independent_cohort_accuracy(tall_model, tall_cohort):
    counts = _counts(tall_cohort)
    calls, proba, feats = classify_tall(counts, tall_model.estimator, fusions=None)
    truth = tall_cohort.truth.set_index("sample_id")["tall_subgroup"]
    sub = pd.Series({s: c.subgroup for s, c in calls.items()})
    called = ~sub.isin([UNCLASSIFIED, MULTIPLE])
    assert called.mean() > 0.7
    assert (sub[called] == truth[sub.index][called]).mean() > 0.85
    high = pd.Series({s: c.tier == "high" for s, c in calls.items()})
    assert (sub[high] == truth[sub.index][high]).mean() > 0.97
    assert np.allclose(proba.sum(axis=1), 1.0)
    # the ETP score separates ETP-like from the cortical subgroups
    etp = feats["etp:score"]
    assert etp[truth == "ETP-like"].median() > etp[truth.isin(["TLX1", "TLX3"])].median()


def test_result_does_not_depend_on_the_batch(tall_model, tall_cohort):
    counts = _counts(tall_cohort).iloc[:20]
    together, p_all, _ = classify_tall(counts, tall_model.estimator)
    alone, p_one, _ = classify_tall(counts.iloc[[7]], tall_model.estimator)
    sid = counts.index[7]
    assert alone[sid].subgroup == together[sid].subgroup
    assert np.allclose(p_one.loc[sid], p_all.loc[sid])


def test_fusion_decides_against_expression(tall_model, tall_cohort):
    truth = tall_cohort.truth.set_index("sample_id")["tall_subgroup"]
    sid = truth.index[truth == "TLX3"][0]
    counts = _counts(tall_cohort).loc[[sid]]
    calls, _, _ = classify_tall(
        counts, tall_model.estimator, fusions={sid: [Fusion("PICALM", "MLLT10")]}
    )
    c = calls[sid]
    assert c.subgroup == "HOXA"
    assert c.decided_by == "fusion"
    assert "fusion_expression_discordant" in c.flags
    assert c.tier == "medium"
    assert c.record["defining_fusions"] == ["PICALM::MLLT10 -> HOXA (MLLT10-r)"]


def test_missing_genes_are_not_zero(tall_model, tall_cohort):
    """Dropping a driver gene column (not measured) never yields that gene's absence call."""
    truth = tall_cohort.truth.set_index("sample_id")["tall_subgroup"]
    counts = _counts(tall_cohort).drop(columns=["TLX3"])
    calls, _, _ = classify_tall(counts.loc[truth.index[:40]], tall_model.estimator)
    assert len(calls) == 40
