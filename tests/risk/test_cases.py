"""The hand-built case table: every case gets its expected group and deciding rule."""

from __future__ import annotations

import pytest

from allstrat.risk import assign_risk, load_rulesets
from allstrat.risk.traces import expand_traces

from ._cases import case_tables, load_cases

BASELINE, CASES = load_cases()


def test_case_table_is_substantial():
    protocols = {c["protocol"] for c in CASES}
    assert len(CASES) >= 40
    assert protocols == {
        "nci_rome",
        "cog",
        "aieop_bfm_2009",
        "aieop_bfm_2017",
        "dcog_all10",
        "dcog_all11",
    }
    assert len({c["id"] for c in CASES}) == len(CASES)
    assert all(c.get("source") for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case):
    proto = case["protocol"]
    rs = load_rulesets([proto], overrides={proto: case.get("settings", {})})
    tables = case_tables(case, BASELINE)
    results, traces = assign_risk(rs, **tables, samples=["P1"], **case.get("options", {}))
    assert len(results) == 1
    r = results[0]
    exp = case["expect"]
    traces = expand_traces(traces)  # the full per-rule traces, as the reports read them
    trace = traces["samples"]["P1"]["protocols"][proto]
    msg = f"{case['id']}: got {r.risk_group} by {r.decided_by_rule}; possible {r.possible_groups}"
    assert r.risk_group == exp["group"], msg
    if "rule" in exp:
        assert r.decided_by_rule == exp["rule"], msg
    if r.risk_group != "indeterminate":
        assert r.missing_inputs == ()
        fired = [e["id"] for e in trace["rules"] if e["outcome"] == "fired"]
        if trace["case_analysis"] is None:
            assert fired == [r.decided_by_rule]
        else:  # settled by case analysis over inputs that turned out not to matter
            assert set(r.decided_by_rule.split("|")) <= {e["id"] for e in trace["rules"]}
    else:
        assert r.minimum_group == exp["minimum"], msg
        assert r.missing_inputs, "an indeterminate result must list its missing inputs"
        assert len(r.possible_groups) > 1
    if "possible" in exp:
        assert set(r.possible_groups) == set(exp["possible"]), msg
    for m in exp.get("missing_include", []):
        assert m in r.missing_inputs, f"{case['id']}: {m} not in {r.missing_inputs}"
    for a in exp.get("annotations_include", []):
        assert a in r.annotations, f"{case['id']}: {a} not in {r.annotations}"
    for a in exp.get("annotations_exclude", []):
        assert a not in r.annotations, f"{case['id']}: {a} unexpectedly in {r.annotations}"
    # diagnostic genetics: every fact names its source; discordances are listed, never hidden
    for fact, source in exp.get("sources", {}).items():
        assert trace["facts"][fact]["source"] == source, (case["id"], trace["facts"][fact])
    sample = traces["samples"]["P1"]
    flagged = sorted(d["fact"] for d in sample["discordances"])
    assert flagged == sorted(exp.get("discordances", [])), (case["id"], flagged)
    assert sorted(d["fact"] for d in trace.get("discordances", [])) == sorted(
        f for f in exp.get("discordances", []) if f in trace["facts"]
    )
    for fact, text in exp.get("notes", {}).items():
        assert text in trace["facts"][fact].get("note", ""), (case["id"], trace["facts"][fact])
