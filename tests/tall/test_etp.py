"""ETP-ALL status: Coustan-Smith 2009 criteria on hand-built immunophenotypes, the
expression fallback, and how the two combine (each flagged with its source).
"""

from __future__ import annotations

import pytest

from allstrat.tall.etp import (
    EtpSettings,
    etp_from_expression,
    etp_from_immunophenotype,
    etp_status,
)

S = EtpSettings()
ETP = {"cd1a_pct": 0, "cd8_pct": 1, "cd5_pct": 40, "cd34_pct": 60, "cd117_pct": 10}


def test_classic_etp_all():
    r = etp_from_immunophenotype(ETP, S)
    assert r["status"] == "yes"
    assert r["source"] == "immunophenotype"
    assert r["stem_myeloid_positive"] == ["cd34"]
    assert set(r["criteria"].values()) == {"met"}


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"cd1a_pct": 30}, "no"),  # cortical CD1a+
        ({"cd8_pct": 50}, "no"),
        ({"cd5_pct": 90}, "no"),  # CD5 not weak
        ({"cd5_pct": 75}, "no"),  # boundary: weak means < 75 %
        ({"cd34_pct": 24.9}, "not_assessable"),  # other stem/myeloid markers unknown
        ({"cd1a_pct": None}, "not_assessable"),
        ({"cd1a_pct": None, "cd5_pct": 99}, "no"),  # a measured criterion excludes ETP
    ],
)
def test_criteria(change, status):
    assert etp_from_immunophenotype({**ETP, **change}, S)["status"] == status


def test_all_stem_markers_negative_is_not_etp():
    row = dict.fromkeys(
        ["cd117_pct", "cd34_pct", "hla_dr_pct", "cd13_pct", "cd33_pct", "cd11b_pct", "cd65_pct"],
        5.0,
    )
    row.update(cd1a_pct=0, cd8_pct=0, cd5_pct=10)
    assert etp_from_immunophenotype(row, S)["status"] == "no"


def test_no_markers_given_means_no_immunophenotype():
    assert etp_from_immunophenotype({"cd1a_pct": None}, S) is None
    assert etp_from_immunophenotype({}, S) is None


def test_expression_fallback_and_precedence():
    e_yes = etp_from_expression(0.8, 0.3, S)
    e_mid = etp_from_expression(0.3, 0.0, S)
    assert e_yes["status"] == "yes"
    assert e_mid["status"] == "not_assessable"
    assert etp_from_expression(0.05, -0.2, S)["status"] == "no"
    assert etp_status(None, e_yes)[:2] == ("yes", "expression")
    assert etp_status(None, e_mid)[:2] == ("not_assessable", "")
    immuno_no = etp_from_immunophenotype({**ETP, "cd1a_pct": 50}, S)
    status, source, flags, _ = etp_status(immuno_no, e_yes)
    assert (status, source) == ("no", "immunophenotype")
    assert flags == ["etp_immunophenotype_expression_discordant"]
    undecided = etp_from_immunophenotype({"cd1a_pct": 0}, S)
    assert etp_status(undecided, e_yes)[:2] == ("yes", "expression")
