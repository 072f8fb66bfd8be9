"""Compiled conditions (expr.compiled, what evaluate runs) agree with walking the tree.

The reference below is the tree-walking interpreter the condition language had before it
was compiled into closures: for every condition of the bundled rule sets and many random
fact values (unknown, booleans, numbers, strings, MRD intervals, wrong types), both give
the same value and missing inputs, or the same error.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from allstrat.risk import load_rulesets
from allstrat.risk.expr import (
    _EMPTY,
    UNKNOWN,
    ExprError,
    Mrd,
    _as_truth,
    _compare,
    _type_name,
    evaluate,
    names_in,
    parse,
    walk,
)


def _walk(node, facts, settings) -> tuple[Any, frozenset[str]]:  # noqa: C901
    k = node.kind
    if k == "lit":
        return node.value, _EMPTY
    if k == "fact":
        return facts(node.value)
    if k == "setting":
        if node.value not in settings:
            raise ExprError(f"unknown setting ${node.value} at position {node.pos + 1}")
        return settings[node.value], _EMPTY
    if k == "not":
        v, miss = _walk(node.args[0], facts, settings)
        v = _as_truth(v, node.args[0])
        return (UNKNOWN, miss) if v is UNKNOWN else (not v, _EMPTY)
    if k in ("and", "or"):
        decisive = k == "or"  # the value that settles the result
        missing: set[str] = set()
        any_unknown = False
        for a in node.args:
            v, miss = _walk(a, facts, settings)
            v = _as_truth(v, a)
            if v is UNKNOWN:
                any_unknown = True
                missing |= miss
            elif v is decisive:
                return decisive, _EMPTY
        if any_unknown:
            return UNKNOWN, frozenset(missing)
        return (not decisive), _EMPTY
    if k == "cmp":
        a, ma = _walk(node.args[0], facts, settings)
        b, mb = _walk(node.args[1], facts, settings)
        if a is UNKNOWN or b is UNKNOWN:
            return UNKNOWN, ma | mb
        r = _compare(node.value, a, b, node)
        if r is UNKNOWN:
            # known but imprecise (an MRD interval straddling the threshold)
            return r, frozenset(f"{n}:imprecise" for n in names_in(node)) or frozenset(
                {"imprecise value"}
            )
        return r, _EMPTY
    if k == "in":
        a, ma = _walk(node.args[0], facts, settings)
        if a is UNKNOWN:
            return UNKNOWN, ma
        items = [it.value for it in node.args[1].args]
        hit = any(type(a) is type(it) and a == it for it in items) or (
            isinstance(a, float | int)
            and any(isinstance(it, float) and a == it for it in items)
            and not isinstance(a, bool)
        )
        return (not hit) if node.value else hit, _EMPTY
    if k == "call":
        v, miss = _walk(node.args[0], facts, settings)
        if v is UNKNOWN:
            return UNKNOWN, miss
        if not isinstance(v, Mrd):
            raise ExprError(
                f"{node.value}() needs an MRD value at position {node.pos + 1}, "
                f"got a {_type_name(v)}"
            )
        pos = v.is_positive
        if pos is UNKNOWN:
            return UNKNOWN, frozenset(f"{n}:conflicting" for n in names_in(node.args[0]))
        return (pos if node.value == "positive" else (not pos)), _EMPTY
    if k == "list":
        raise ExprError(f"a list can only follow 'in' (position {node.pos + 1})")
    raise ExprError(f"unknown node kind {k!r}")  # pragma: no cover


def _outcome(fn, node, facts, settings):
    try:
        return fn(node, facts, settings)
    except ExprError as exc:
        return ("error", str(exc))


def _conditions():
    out = []
    for rs in load_rulesets(None):
        nodes = [d.node for d in rs.derived] + [r.node for r in rs.rules]
        out += [(rs, n) for n in [*nodes, *(a.node for a in rs.annotations)]]
    return out


def _values(rng: random.Random, literals: list[Any]) -> Any:
    pool = [UNKNOWN, True, False, 0.0, 1.0, 5.5, 10.0, 50.0, 1e-4, 3, "B", "T", "x"]
    pool += literals
    lo = rng.choice([0.0, 1e-5, 1e-4, 1e-3, 0.01])
    hi = rng.choice([lo, lo * 10, 0.05])
    pool += [Mrd(lo, hi, text="m", detected=rng.choice([True, False, UNKNOWN]))]
    return rng.choice(pool)


def test_compiled_conditions_agree_with_the_tree_walk():
    rng = random.Random(7)
    conditions = _conditions()
    assert len(conditions) > 100
    checked = 0
    for rs, node in conditions:
        literals = [n.value for n in walk(node) if n.kind == "lit"]
        names = names_in(node)
        for _ in range(40):
            facts = {n: _values(rng, literals) for n in names}

            def resolve(name, facts=facts):
                v = facts[name]
                return v, frozenset({name}) if v is UNKNOWN else frozenset()

            ref = _outcome(_walk, node, resolve, rs.settings)
            assert _outcome(evaluate, node, resolve, rs.settings) == ref, (rs.protocol, node)
            checked += ref[0] != "error"
    assert checked > 1000  # most draws evaluate (not only type errors)


@pytest.mark.parametrize(
    "text",
    ["a and [1]", "$missing > 1", "positive(a)", "not a", "a or b or c", "a in [1.0, 'x']"],
)
def test_compiled_errors_and_edge_cases(text):
    for a in (UNKNOWN, True, 1, 1.0, "x", Mrd(0.0, 0.1, text="m", detected=UNKNOWN)):
        for b in (UNKNOWN, True, False):
            facts = {"a": a, "b": b, "c": False}

            def resolve(name, facts=facts):
                v = facts[name]
                return v, frozenset({name}) if v is UNKNOWN else frozenset()

            node = parse(text)
            assert _outcome(evaluate, node, resolve, {}) == _outcome(_walk, node, resolve, {})
