"""TPMT / NUDT15 diplotypes -> phenotypes -> mercaptopurine starting dose (CPIC, DOMAIN §7)."""

from __future__ import annotations

import pytest

from allstrat.errors import InputError
from allstrat.risk.pgx import assess_thiopurine, phenotype


@pytest.mark.parametrize(
    ("gene", "diplotype", "expected"),
    [
        ("TPMT", "*1/*1", "NM"),
        ("TPMT", "*1/*3A", "IM"),
        ("TPMT", "*3A/*3C", "PM"),
        ("TPMT", "*3A/*8", "possible IM"),  # no function + uncertain
        ("TPMT", "*1/*8", "indeterminate"),  # normal + uncertain
        ("TPMT", "*1/*99", "indeterminate"),  # allele not in the table -> uncertain
        ("NUDT15", "*1/*3", "IM"),
        ("NUDT15", "*3/*3", "PM"),
        ("NUDT15", "*1/*9", "IM"),  # *9 reclassified to no function (Feb 2019)
        ("NUDT15", "*1/*4", "indeterminate"),  # *4 uncertain function
        ("NUDT15", " *2 / *3 ", "PM"),
        ("NUDT15", "", "not_tested"),
    ],
)
def test_phenotypes(gene, diplotype, expected):
    assert phenotype(gene, diplotype).phenotype == expected


def test_unlisted_allele_is_reported():
    p = phenotype("TPMT", "*1/*99")
    assert any("not in the allele-function table" in n for n in p.notes)
    assert any("39 vs 62" in n for n in phenotype("NUDT15", "*1/*4").notes)


@pytest.mark.parametrize(
    ("tpmt", "nudt15", "code"),
    [
        ("*1/*1", "*1/*1", "normal"),
        ("*1/*3A", "*1/*1", "reduce_to_30_80pct"),
        ("*1/*1", "*1/*3", "reduce_to_30_80pct"),
        ("*1/*3A", "*1/*3", "reduce_to_20_50pct"),
        ("*3A/*8", "*1/*3", "reduce_to_20_50pct"),  # possible IM counts as IM
        ("*3A/*3A", "*1/*1", "reduce_to_10pct_3x_weekly"),
        ("*1/*1", "*3/*3", "reduce_to_10pct_3x_weekly"),
        ("*3A/*3A", "", "reduce_to_10pct_3x_weekly"),  # PM settles it whatever NUDT15 is
        ("*1/*1", "", "indeterminate"),  # NUDT15 untested could be IM/PM
        ("*1/*8", "*1/*1", "indeterminate"),  # TPMT indeterminate
        ("", "", "not_assessed"),
    ],
)
def test_dose_recommendation(tpmt, nudt15, code):
    out = assess_thiopurine(tpmt, nudt15)
    assert out["recommendation"] == code
    if code == "indeterminate":
        assert out["follow_up"]


def test_indeterminate_follow_up_actions():
    out = assess_thiopurine("*1/*8", "*1/*4")
    assert "measure erythrocyte TPMT activity" in " ".join(out["follow_up"])
    assert "monitor closely" in " ".join(out["follow_up"])


def test_malformed_diplotype_is_an_input_error():
    with pytest.raises(InputError, match=r"sample 'P7'.*tpmt_diplotype.*'\*1/\*3A'"):
        assess_thiopurine("*1*3A", "", sample="P7")
