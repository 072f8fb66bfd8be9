"""Hand-built cases for the T-ALL call rules and fusion evidence."""

from __future__ import annotations

import pandas as pd
import pytest

from allstrat.classify.decide import CallSettings, Fusion
from allstrat.contracts import MULTIPLE, UNCLASSIFIED
from allstrat.tall.classify import (
    confidence_tier,
    defining_tall_subgroup,
    expression_call,
    fusion_evidence,
)


@pytest.mark.parametrize(
    ("g5", "g3", "expected"),
    [
        ("STIL", "TAL1", ("TAL1", "STIL::TAL1")),
        ("KMT2A", "MLLT1", ("HOXA", "KMT2A-r")),
        ("MLLT3", "KMT2A", ("HOXA", "KMT2A-r")),
        ("PICALM", "MLLT10", ("HOXA", "MLLT10-r")),
        ("DDX3X", "MLLT10", ("HOXA", "MLLT10-r")),
        ("SET", "NUP214", ("HOXA", "SET::NUP214")),
        ("STMN1", "SPI1", ("SPI1", "STMN1::SPI1")),
        ("BCL11B", "TLX3", ("TLX3", "BCL11B::TLX3")),
        ("NUP214", "ABL1", None),
        ("KANSL1", "ARL17A", None),
        ("TAL1", "TAL1", None),
    ],
)
def test_defining_fusions(g5, g3, expected):
    assert defining_tall_subgroup(Fusion(g5, g3)) == expected


def _p(**kw) -> pd.Series:
    return pd.Series(kw, dtype=float)


def test_expression_call_threshold_margin_candidates():
    s = CallSettings()
    assert expression_call(_p(TAL1=0.8, TLX3=0.1, HOXA=0.1), s)[0] == "TAL1"
    assert expression_call(_p(TAL1=0.5, TLX3=0.4, HOXA=0.1), s)[0] == MULTIPLE
    unsure = _p(TAL1=0.45, TLX3=0.15, HOXA=0.15, SPI1=0.15, MYB=0.1)
    assert expression_call(unsure, s)[0] == UNCLASSIFIED
    strict = CallSettings(thresholds={"TAL1": 0.9})
    assert expression_call(_p(TAL1=0.8, TLX3=0.1, HOXA=0.1), strict)[0] == UNCLASSIFIED


def test_fusion_evidence_agreement_and_not_assessed():
    s = CallSettings()
    sub, decided, rule, flags, _ = fusion_evidence("HOXA", ["HOXA"], [Fusion("SET", "NUP214")], s)
    assert (sub, decided, rule, flags) == ("HOXA", "expression+fusion", "fusion:HOXA", [])
    assert fusion_evidence("TAL1", ["TAL1"], None, s)[3] == ["fusion_not_assessed"]
    low = [Fusion("STIL", "TAL1", "low")]
    assert fusion_evidence(UNCLASSIFIED, [], low, s)[0] == UNCLASSIFIED  # below confidence


def test_tiers():
    s = CallSettings()
    assert confidence_tier("TAL1", "expression", 0.95, [], s) == "high"
    assert confidence_tier("TAL1", "expression", 0.75, [], s) == "medium"
    assert confidence_tier("TAL1", "expression", 0.95, ["low_tumour_content"], s) == "low"
    assert confidence_tier("HOXA", "fusion", 0.1, [], s) == "medium"
    assert confidence_tier(UNCLASSIFIED, "expression", 0.4, [], s) == "none"
