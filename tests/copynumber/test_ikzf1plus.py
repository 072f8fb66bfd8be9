"""IKZF1plus truth table: every combination of the six inputs over four states.

The oracle is written differently from the implementation: a value is ``positive`` /
``negative`` only when every completion of the not-assessable inputs (each replaced by
any known state) gives that same answer under the plain two-valued rule of Stanulla
et al. 2018; otherwise it is ``not_assessable``.
"""

from __future__ import annotations

import itertools

import pytest

from allstrat.copynumber import call_ikzf1plus

STATES = ("normal", "deleted", "homozygous_deleted", "not_assessable")
KNOWN = ("normal", "deleted", "homozygous_deleted")
GENES = ("IKZF1", "ERG", "CDKN2A", "CDKN2B", "PAX5", "PAR1")


def two_valued(s: dict[str, str]) -> bool:
    dele = {"deleted", "homozygous_deleted"}
    return (
        s["IKZF1"] in dele
        and s["ERG"] not in dele
        and (
            s["CDKN2A"] == "homozygous_deleted"
            or s["CDKN2B"] == "homozygous_deleted"
            or s["PAX5"] in dele
            or s["PAR1"] in dele
        )
    )


def oracle(s: dict[str, str]) -> str:
    unknown = [g for g in GENES if s[g] == "not_assessable"]
    outcomes = {
        two_valued(s | dict(zip(unknown, fill, strict=True)))
        for fill in itertools.product(KNOWN, repeat=len(unknown))
    }
    if outcomes == {True}:
        return "positive"
    if outcomes == {False}:
        return "negative"
    return "not_assessable"


ALL = [dict(zip(GENES, combo, strict=True)) for combo in itertools.product(STATES, repeat=6)]


def test_truth_table_every_combination():
    assert len(ALL) == 4096
    counts = {"positive": 0, "negative": 0, "not_assessable": 0}
    for s in ALL:
        got, reason = call_ikzf1plus(s)
        assert got == oracle(s), (s, got, reason)
        assert reason
        counts[got] += 1
    # every outcome occurs (the table is not degenerate)
    assert min(counts.values()) > 100


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        # the defining case
        (
            {
                "IKZF1": "deleted",
                "ERG": "normal",
                "CDKN2A": "homozygous_deleted",
                "CDKN2B": "normal",
                "PAX5": "normal",
                "PAR1": "normal",
            },
            "positive",
        ),
        # mono-allelic CDKN2A does not count
        (
            {
                "IKZF1": "deleted",
                "ERG": "normal",
                "CDKN2A": "deleted",
                "CDKN2B": "deleted",
                "PAX5": "normal",
                "PAR1": "normal",
            },
            "negative",
        ),
        # ERG-deleted exclusion beats every co-lesion
        (
            {
                "IKZF1": "homozygous_deleted",
                "ERG": "deleted",
                "CDKN2A": "homozygous_deleted",
                "CDKN2B": "homozygous_deleted",
                "PAX5": "deleted",
                "PAR1": "deleted",
            },
            "negative",
        ),
        # a co-lesion with ERG unknown is NOT positive
        (
            {
                "IKZF1": "deleted",
                "ERG": "not_assessable",
                "CDKN2A": "normal",
                "CDKN2B": "normal",
                "PAX5": "deleted",
                "PAR1": "normal",
            },
            "not_assessable",
        ),
        # IKZF1 intact: negative whatever is unknown
        (
            {
                "IKZF1": "normal",
                "ERG": "not_assessable",
                "CDKN2A": "not_assessable",
                "CDKN2B": "not_assessable",
                "PAX5": "not_assessable",
                "PAR1": "not_assessable",
            },
            "negative",
        ),
        # IKZF1 unknown with a co-lesion: cannot be decided
        (
            {
                "IKZF1": "not_assessable",
                "ERG": "normal",
                "CDKN2A": "homozygous_deleted",
                "CDKN2B": "normal",
                "PAX5": "normal",
                "PAR1": "normal",
            },
            "not_assessable",
        ),
        # IKZF1 unknown but every co-lesion gene known intact: no completion is positive
        (
            {
                "IKZF1": "not_assessable",
                "ERG": "normal",
                "CDKN2A": "normal",
                "CDKN2B": "normal",
                "PAX5": "normal",
                "PAR1": "normal",
            },
            "negative",
        ),
        # PAR1 (P2RY8::CRLF2) alone with ERG known intact
        (
            {
                "IKZF1": "deleted",
                "ERG": "normal",
                "CDKN2A": "not_assessable",
                "CDKN2B": "not_assessable",
                "PAX5": "not_assessable",
                "PAR1": "deleted",
            },
            "positive",
        ),
        # no co-lesion seen, one co-lesion gene unknown
        (
            {
                "IKZF1": "deleted",
                "ERG": "normal",
                "CDKN2A": "normal",
                "CDKN2B": "normal",
                "PAX5": "normal",
                "PAR1": "not_assessable",
            },
            "not_assessable",
        ),
    ],
)
def test_hand_cases(status, expected):
    assert call_ikzf1plus(status)[0] == expected


def test_missing_keys_are_not_assessable():
    assert call_ikzf1plus({})[0] == "not_assessable"
    assert call_ikzf1plus({"IKZF1": "deleted", "ERG": "normal"})[0] == "not_assessable"


def test_pax5_focal_only_setting():
    s = {
        "IKZF1": "deleted",
        "ERG": "normal",
        "CDKN2A": "normal",
        "CDKN2B": "normal",
        "PAX5": "deleted",
        "PAR1": "normal",
    }
    assert call_ikzf1plus(s, pax5_states=("homozygous_deleted",))[0] == "negative"
    assert call_ikzf1plus(s)[0] == "positive"
