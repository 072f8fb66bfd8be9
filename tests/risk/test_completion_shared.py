"""The case analysis (allstrat.risk.completion) gives what a plain enumeration gives.

complete_groups evaluates conditions that read no completed name once, not per
completion, and shares results between samples that agree on everything the completions
read. The reference here re-runs every derived fact and rule for every completion (the
algorithm as first written); both must agree for every sample and protocol of the test
chunk, with the shared results cleared and kept.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

import allstrat.risk.completion as completion
import allstrat.risk.engine as engine
from allstrat.risk import assign_risk, load_rulesets
from allstrat.risk.expr import UNKNOWN, ExprError, compiled

from .test_memo import _chunk


def _reference(rs, facts, leaves, *, max_completions=512) -> Any:
    names = sorted({leaf.split(":", 1)[0] for leaf in leaves})
    comparands = completion._comparands(rs)
    options, total = [], 1
    for n in names:
        cand = completion._candidates(n, facts.get(n), comparands.get(n, set()))
        if not cand:
            return None
        options.append(cand)
        total *= len(cand)
        if total > max_completions:
            return None
    groups, rules = set(), set()
    derived = [(d.name, compiled(d.node)) for d in rs.derived if d.name not in names]
    shadowed = [compiled(d.node) for d in rs.derived if d.name in names]
    conditions = [(r.group, r.id, compiled(r.node)) for r in rs.rules]
    base = completion._Values(
        (n, (UNKNOWN, frozenset({n})) if f.value is UNKNOWN else (f.value, frozenset()))
        for n, f in facts.items()
    )
    for combo in itertools.product(*options):
        values = completion._Values(base)
        values.update((n, (v, frozenset())) for n, v in zip(names, combo, strict=True))
        resolve = values.__getitem__
        try:
            for name, fn in derived:
                values[name] = fn(resolve, rs.settings)
            for fn in shadowed:
                fn(resolve, rs.settings)
            for group, rule_id, fn in conditions:
                value, _ = fn(resolve, rs.settings)
                if value is UNKNOWN or value is True:
                    groups.add(group)
                    rules.add(rule_id)
                if value is True:
                    break
        except ExprError:
            return None
    return groups, rules, total


@pytest.mark.parametrize("shared", [False, True])
def test_case_analysis_equals_plain_enumeration(monkeypatch, shared):
    calls = []

    def checked(rs, facts, leaves, **kwargs):
        if not shared:
            completion._SHARED.clear()
        got = completion.complete_groups(rs, facts, leaves, **kwargs)
        assert got == _reference(rs, facts, leaves, **kwargs), (rs.protocol, sorted(leaves))
        calls.append(got)
        return got

    monkeypatch.setattr(engine, "complete_groups", checked)
    completion._SHARED.clear()
    assign_risk(load_rulesets(None), **_chunk())
    assert len(calls) > 20
    assert sum(c is not None for c in calls) > 10
    if shared:
        assert len(completion._SHARED) < len(calls)  # some samples shared a result
