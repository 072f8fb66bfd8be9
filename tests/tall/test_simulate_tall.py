"""Simulated T-ALL subgroups: labels, driver expression, alternative drivers, fusions."""

from __future__ import annotations

import numpy as np

from allstrat.contracts import T_ALL, TALL_SUBGROUPS
from allstrat.simulate import simulate_cohort
from allstrat.simulate.design import TALL_FUSIONS, label_weights, tall_weights


def _cpm(cohort):
    c = cohort.counts.astype(float)
    return c / c.sum(axis=0) * 1e6


def test_tall_balance_gives_only_t_all_with_every_subgroup(tall_cohort):
    t = tall_cohort.truth
    assert (t["subtype"] == T_ALL).all()
    assert set(t["tall_subgroup"]) == set(TALL_SUBGROUPS)
    assert set(t["etp_all"]) == {"yes", "no"}
    assert label_weights("tall") == {T_ALL: 1.0}
    assert abs(sum(tall_weights("realistic").values()) - 1) < 1e-9


def test_b_lineage_cases_have_no_tall_fields():
    t = simulate_cohort(40, seed=3, with_expression=False).truth
    b = t[t["lineage"] == "B"]
    assert (b["tall_subgroup"] == "").all()
    assert (b["etp_all"] == "").all()
    tt = t[t["lineage"] == "T"]
    assert tt["tall_subgroup"].isin(TALL_SUBGROUPS).all()


def test_driver_gene_is_up_in_its_subgroup(tall_cohort):
    cpm = _cpm(tall_cohort)
    sg = tall_cohort.truth.set_index("sample_id")["tall_subgroup"]
    for group, gene in [("TLX3", "TLX3"), ("TLX1", "TLX1"), ("TAL1", "TAL1"), ("SPI1", "SPI1")]:
        inside = np.log2(cpm.loc[gene, sg.index[sg == group]] + 1).median()
        outside = np.log2(cpm.loc[gene, sg.index[sg != group]] + 1).median()
        assert inside - outside > 2.0, (group, inside, outside)


def test_lmo_cases_move_one_alternative_driver(tall_cohort):
    """LMO1 *or* LMO2 is the driver of a case (alt_group), never always both."""
    cpm = np.log2(_cpm(tall_cohort) + 1)
    sg = tall_cohort.truth.set_index("sample_id")["tall_subgroup"]
    lmo = sg.index[sg == "LMO1/LMO2"]
    rest = sg.index[~sg.isin(["LMO1/LMO2", "LYL1", "ETP-like"])]
    hi1 = cpm.loc["LMO1", lmo] > cpm.loc["LMO1", rest].quantile(0.95)
    hi2 = cpm.loc["LMO2", lmo] > cpm.loc["LMO2", rest].quantile(0.95)
    assert (hi1 | hi2).mean() > 0.8
    assert hi1.any()
    assert hi2.any()
    assert (hi1 & hi2).mean() < 0.3


def test_fusions_belong_to_their_subgroup(tall_cohort):
    t = tall_cohort.truth
    allowed = {f"{a}::{b}" for opts in TALL_FUSIONS.values() for a, b, _ in opts}
    with_fusion = t[t["fusion"] != ""]
    assert len(with_fusion) > 10
    for _, row in with_fusion.iterrows():
        assert row["fusion"] in allowed
        names = {f"{a}::{b}" for a, b, _ in TALL_FUSIONS[row["tall_subgroup"]]}
        assert row["fusion"] in names


def test_same_seed_same_subgroups():
    a = simulate_cohort(30, seed=11, subtype_balance="tall", with_expression=False).truth
    b = simulate_cohort(30, seed=11, subtype_balance="tall", with_expression=False).truth
    assert a["tall_subgroup"].tolist() == b["tall_subgroup"].tolist()
