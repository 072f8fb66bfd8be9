"""UKALL CNA profile (Moorman 2014) from the P335 genes."""

from __future__ import annotations

import pytest

from allstrat.copynumber.ukall import P335_GENES, ukall_cna_profile

NORMAL = dict.fromkeys(P335_GENES, "normal")


@pytest.mark.parametrize(
    ("deleted", "expected"),
    [
        ((), "good"),
        (("ETV6",), "good"),
        (("PAX5",), "good"),
        (("BTG1",), "good"),
        (("ETV6", "BTG1"), "good"),
        (("ETV6", "PAX5"), "good"),
        (("ETV6", "CDKN2A"), "good"),
        (("ETV6", "CDKN2A", "CDKN2B"), "good"),  # CDKN2A/B is one region
        (("IKZF1",), "poor"),
        (("RB1",), "poor"),
        (("PAR1",), "poor"),
        (("CDKN2A",), "poor"),
        (("PAX5", "BTG1"), "poor"),
        (("ETV6", "PAX5", "BTG1"), "poor"),
    ],
)
def test_profiles(deleted, expected):
    s = NORMAL | dict.fromkeys(deleted, "deleted")
    assert ukall_cna_profile(s)[0] == expected


def test_unknown_gene_makes_it_not_assessable_unless_already_poor():
    assert ukall_cna_profile(NORMAL | {"RB1": "not_assessable"})[0] == "not_assessable"
    assert ukall_cna_profile(NORMAL | {"RB1": "not_assessable", "IKZF1": "deleted"})[0] == "poor"
    assert ukall_cna_profile({})[0] == "not_assessable"
