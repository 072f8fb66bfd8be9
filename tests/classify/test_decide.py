"""The ordered call rules: thresholds, margins, fusion evidence, Ph group, E/R-like, flags."""

from __future__ import annotations

import pandas as pd
import pytest

from allstrat.classify.decide import (
    CallSettings,
    Fusion,
    decide_calls,
    defining_subtype,
    kinase_class,
)
from allstrat.contracts import MULTIPLE, PH_GROUP, T_ALL, UNCLASSIFIED

CLASSES = ["DUX4", "ETV6::RUNX1", PH_GROUP, "KMT2A"]


def run(
    probs,
    *,
    fusions=None,
    b=0.4,
    t=-0.3,
    ood=0.5,
    marrow=-0.3,
    missing=0.0,
    blast=None,
    settings=None,
):
    p = pd.DataFrame([probs], index=["S1"], columns=CLASSES)
    table, rec = decide_calls(
        p,
        lineage_scores=pd.DataFrame({"B": [b], "T": [t]}, index=["S1"]),
        ood_score=pd.Series([ood], index=["S1"]),
        marrow_score=pd.Series([marrow], index=["S1"]),
        marrow_limit=0.25,
        missing_fraction=pd.Series([missing], index=["S1"]),
        fusions={"S1": fusions},
        blast_fraction={"S1": blast},
        settings=settings,
    )
    return table.iloc[0], rec["S1"]


def test_confident_expression_call():
    row, rec = run([0.95, 0.03, 0.01, 0.01])
    assert row["subtype"] == "DUX4"
    assert row["confidence_tier"] == "high"
    assert row["dux4"] == "yes"
    assert row["decided_by"] == "expression"
    assert rec["rule"] == "expression_threshold"


def test_unclassified_and_multiple():
    row, _ = run([0.4, 0.3, 0.2, 0.1])
    assert row["subtype"] == MULTIPLE
    assert row["confidence_tier"] == "none"
    assert row["candidates"] == "DUX4;ETV6::RUNX1;Ph group"
    assert row["dux4"] == "not_assessable"  # a candidate, not excluded
    row, _ = run([0.45, 0.19, 0.18, 0.18])
    assert row["subtype"] == UNCLASSIFIED


def test_margin_and_per_class_threshold():
    row, _ = run([0.55, 0.4, 0.05, 0.0])
    assert row["subtype"] == MULTIPLE  # lead 0.15 < margin 0.2
    s = CallSettings(thresholds={"DUX4": 0.9})
    row, _ = run([0.8, 0.1, 0.05, 0.05], settings=s)
    assert row["subtype"] == UNCLASSIFIED


def test_ph_group_without_fusion_data_is_not_called_ph_like():
    row, rec = run([0.02, 0.02, 0.95, 0.01], fusions=None)
    assert row["subtype"] == PH_GROUP
    assert row["ph_group"] == "yes"
    assert row["ph_like"] == "not_assessable"
    assert "fusion_not_assessed" in row["qc_flags"]
    assert rec["rule"] == "ph_profile_fusion_not_assessed"


def test_ph_group_with_fusions():
    row, _ = run([0.02, 0.02, 0.95, 0.01], fusions=[Fusion("BCR", "ABL1")])
    assert row["subtype"] == "BCR::ABL1"
    assert row["decided_by"] == "expression+fusion"
    assert row["ph_like"] == "no"
    row, _ = run([0.02, 0.02, 0.95, 0.01], fusions=[Fusion("EBF1", "PDGFRB")])
    assert (row["subtype"], row["ph_like"], row["ph_like_kinase_class"]) == (
        "Ph-like",
        "yes",
        "ABL-class",
    )
    row, _ = run([0.02, 0.02, 0.95, 0.01], fusions=[])
    assert (row["subtype"], row["ph_like_kinase_class"]) == ("Ph-like", "unknown")
    assert row["decided_by"] == "rule:ph_profile_without_bcr_abl1"
    assert row["confidence_tier"] == "low"
    assert "bcr_abl1_not_detected" in row["qc_flags"]


def test_er_profile_without_fusion_is_like():
    row, _ = run([0.02, 0.95, 0.02, 0.01], fusions=[])
    assert row["subtype"] == "ETV6::RUNX1-like"
    assert row["confidence_tier"] == "low"  # absence of evidence is never confident
    assert "defining_fusion_not_found" in row["qc_flags"]
    row, _ = run([0.02, 0.95, 0.02, 0.01], fusions=[Fusion("ETV6", "RUNX1")])
    assert (row["subtype"], row["decided_by"]) == ("ETV6::RUNX1", "expression+fusion")
    row, rec = run([0.02, 0.95, 0.02, 0.01], fusions=None)
    assert row["subtype"] == "ETV6::RUNX1 group"  # not confirmed without fusion data
    assert row["decided_by"] == "rule:er_profile_fusion_not_assessed"
    assert "fusion_not_assessed" in row["qc_flags"]
    assert row["confidence_tier"] == "high"  # the group itself is a confident call
    assert rec["rule"] == "er_profile_fusion_not_assessed"


ER_CLASSES = ["DUX4", "ETV6::RUNX1", "ETV6::RUNX1-like", "KMT2A", "ZNF384", PH_GROUP]


def run_er(probs, fusions, **kw):
    p = pd.DataFrame([probs], index=["S1"], columns=ER_CLASSES)
    table, rec = decide_calls(
        p,
        lineage_scores=pd.DataFrame({"B": [0.4], "T": [-0.3]}, index=["S1"]),
        ood_score=pd.Series([0.5], index=["S1"]),
        marrow_score=pd.Series([-0.3], index=["S1"]),
        marrow_limit=0.25,
        missing_fraction=pd.Series([kw.get("missing", 0.0)], index=["S1"]),
        fusions={"S1": fusions},
        settings=kw.get("settings"),
    )
    return table.iloc[0], rec["S1"]


def test_er_and_er_like_split_is_the_er_group():
    """ETV6::RUNX1 and -like share one programme: split probability is the group."""
    probs = [0.02, 0.48, 0.44, 0.02, 0.02, 0.02]  # neither alone reaches 0.5
    row, rec = run_er(probs, None)
    assert row["subtype"] == "ETV6::RUNX1 group"
    assert row["candidates"] == "ETV6::RUNX1;ETV6::RUNX1-like"
    assert row["confidence_tier"] == "high"  # 0.92 for the group
    assert rec["group_probability"] == pytest.approx(0.92)
    assert "fusion_not_assessed" in row["qc_flags"]
    row, _ = run_er(probs, [Fusion("ETV6", "RUNX1")])
    assert (row["subtype"], row["decided_by"]) == ("ETV6::RUNX1", "expression+fusion")
    row, _ = run_er(probs, [])
    assert (row["subtype"], row["confidence_tier"]) == ("ETV6::RUNX1-like", "low")
    assert row["decided_by"] == "rule:er_profile_without_fusion"
    # a confident -like expression call still needs fusion data to exclude the fusion
    row, _ = run_er([0.02, 0.05, 0.87, 0.02, 0.02, 0.02], None)
    assert row["subtype"] == "ETV6::RUNX1 group"
    row, _ = run_er([0.02, 0.05, 0.87, 0.02, 0.02, 0.02], [])
    assert (row["subtype"], row["decided_by"]) == ("ETV6::RUNX1-like", "expression")
    # another class close behind: no group call
    row, _ = run_er([0.02, 0.30, 0.25, 0.02, 0.02, 0.39], None)
    assert row["subtype"] == MULTIPLE


@pytest.mark.parametrize(
    ("cls", "group", "like", "fusion"),
    [
        ("KMT2A", "KMT2A group", "KMT2A-like", Fusion("KMT2A", "AFF1")),
        ("ZNF384", "ZNF384 group", "ZNF384-like", Fusion("EP300", "ZNF384")),
    ],
)
def test_kmt2a_and_znf384_need_the_fusion(cls, group, like, fusion):
    probs = [0.02] * len(ER_CLASSES)
    probs[ER_CLASSES.index(cls)] = 0.9
    row, _ = run_er(probs, None)
    assert (row["subtype"], row["decided_by"]) == (
        group,
        f"rule:{cls.lower()}_profile_fusion_not_assessed",
    )
    assert "fusion_not_assessed" in row["qc_flags"]
    row, _ = run_er(probs, [])
    assert (row["subtype"], row["confidence_tier"]) == (like, "low")
    assert "defining_fusion_not_found" in row["qc_flags"]
    row, _ = run_er(probs, [fusion])
    assert (row["subtype"], row["decided_by"]) == (cls, "expression+fusion")


def test_insufficient_data_gate():
    """Almost no panel gene measured: unclassified, flagged, no candidate list."""
    probs = [0.02, 0.48, 0.44, 0.02, 0.02, 0.02]
    row, rec = run_er(probs, [Fusion("ETV6", "RUNX1")], missing=1 - 9 / 227)
    assert row["subtype"] == UNCLASSIFIED
    assert row["candidates"] == ""
    assert row["confidence_tier"] == "none"
    assert row["decided_by"] == "rule:insufficient_data"
    assert row["qc_flags"].startswith("insufficient_data:measured_panel_fraction=0.0396<")
    assert (row["ph_group"], row["dux4"]) == ("not_assessable", "not_assessable")
    assert rec["candidates"] == []
    # just above the gate the sample is classified normally (and flagged as incomplete)
    s = CallSettings(min_measured_panel_fraction=0.25)
    row, _ = run_er(probs, [Fusion("ETV6", "RUNX1")], missing=0.7, settings=s)
    assert row["subtype"] == "ETV6::RUNX1"
    assert "missing_panel_genes" in row["qc_flags"]


def test_fusion_decides_against_expression_with_flag():
    row, rec = run([0.95, 0.03, 0.01, 0.01], fusions=[Fusion("TCF3", "PBX1")])
    assert row["subtype"] == "TCF3::PBX1"
    assert row["decided_by"] == "fusion"
    assert "fusion_expression_discordant" in row["qc_flags"]
    assert rec["defining_fusions"] == ["TCF3::PBX1 -> TCF3::PBX1"]


def test_mutation_defined_class_capped_at_medium():
    classes = ["PAX5 P80R", "DUX4"]
    p = pd.DataFrame([[0.99, 0.01]], index=["S1"], columns=classes)
    table, _ = decide_calls(
        p,
        lineage_scores=pd.DataFrame({"B": [0.4], "T": [-0.3]}, index=["S1"]),
        ood_score=pd.Series([0.5], index=["S1"]),
        marrow_score=pd.Series([0.0], index=["S1"]),
        marrow_limit=0.25,
        missing_fraction=pd.Series([0.0], index=["S1"]),
        fusions={},
    )
    assert table.loc[0, "subtype"] == "PAX5 P80R"
    assert table.loc[0, "confidence_tier"] == "medium"
    assert "mutation_not_assessed" in table.loc[0, "qc_flags"]


def test_low_confidence_fusions_ignored():
    row, _ = run([0.95, 0.03, 0.01, 0.01], fusions=[Fusion("TCF3", "PBX1", "low")])
    assert row["subtype"] == "DUX4"


def test_flags_cap_the_tier():
    assert run([0.95, 0.03, 0.01, 0.01], ood=5.0)[0]["confidence_tier"] == "low"
    row, _ = run([0.95, 0.03, 0.01, 0.01], marrow=0.4)
    assert "low_tumour_content" in row["qc_flags"]
    assert row["dux4"] == "yes"
    row, _ = run([0.02, 0.95, 0.02, 0.01], marrow=0.4, fusions=None)
    assert row["dux4"] == "not_assessable"  # a weak sample never gets a default "no"
    row, _ = run([0.95, 0.03, 0.01, 0.01], blast=0.1)
    assert "low_tumour_content" in row["qc_flags"]
    row, _ = run([0.95, 0.03, 0.01, 0.01], missing=0.5)
    assert "missing_panel_genes" in row["qc_flags"]
    assert row["confidence_tier"] == "low"


def test_lineage():
    # T genes high but no T-ALL class in this model: T from the rank scores alone
    row, _ = run([0.95, 0.03, 0.01, 0.01], b=-0.3, t=0.4)
    assert (row["subtype"], row["lineage"]) == (T_ALL, "T")
    row, _ = run([0.95, 0.03, 0.01, 0.01], b=0.1, t=0.05)
    assert row["lineage"] == "uncertain"
    assert row["confidence_tier"] == "low"


def test_t_lineage_needs_t_all_profile():
    classes = ["DUX4", T_ALL]
    p = pd.DataFrame(
        [[0.7, 0.3], [0.05, 0.95], [0.05, 0.95]], index=["a", "b", "c"], columns=classes
    )
    idx = ["a", "b", "c"]
    table, _ = decide_calls(
        p,
        lineage_scores=pd.DataFrame({"B": [0.0, -0.2, 0.4], "T": [0.3, 0.4, -0.2]}, index=idx),
        ood_score=pd.Series(0.5, index=idx),
        marrow_score=pd.Series(0.0, index=idx),
        marrow_limit=0.25,
        missing_fraction=pd.Series(0.0, index=idx),
        fusions={},
    )
    # a: T genes up (normal T cells?) but the profile is not T-ALL -> uncertain, not T
    assert list(table["lineage"]) == ["uncertain", "T", "B"]
    assert list(table["subtype"]) == ["DUX4", T_ALL, UNCLASSIFIED]
    assert table.loc[0, "confidence_tier"] == "low"
    assert "lineage_conflict" in table.loc[2, "qc_flags"]


@pytest.mark.parametrize(
    ("g5", "g3", "subtype"),
    [
        ("ETV6", "RUNX1", "ETV6::RUNX1"),
        ("KMT2A", "AFF1", "KMT2A"),
        ("AFF1", "KMT2A", "KMT2A"),
        ("EP300", "ZNF384", "ZNF384"),
        ("MEF2D", "BCL9", "MEF2D"),
        ("CUX1", "NUTM1", "NUTM1"),
        ("IGH", "DUX4", "DUX4"),
        ("IGH", "CEBPE", "ZEB2/CEBP"),
        ("IGH", "MYC", "BCL2/MYC"),
        ("PAX5", "ETV6", "PAX5alt"),
        ("PAX5", "JAK2", None),
        ("P2RY8", "CRLF2", None),
        ("KMT2A", "KMT2A", None),
    ],
)
def test_defining_subtype_table(g5, g3, subtype):
    assert defining_subtype(Fusion(g5, g3)) == subtype


@pytest.mark.parametrize(
    ("g5", "g3", "cls"),
    [
        ("P2RY8", "CRLF2", "CRLF2-r"),
        ("IGH", "CRLF2", "CRLF2-r"),
        ("EBF1", "PDGFRB", "ABL-class"),
        ("NUP214", "ABL1", "ABL-class"),
        ("BCR", "ABL1", None),
        ("PAX5", "JAK2", "JAK-STAT"),
        ("IGH", "EPOR", "JAK-STAT"),
        ("ETV6", "RUNX1", None),
    ],
)
def test_kinase_class_table(g5, g3, cls):
    assert kinase_class(Fusion(g5, g3)) == cls
