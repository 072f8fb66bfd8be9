"""Tighten an indeterminate result by case analysis over the missing inputs.

The rule-level result of :mod:`allstrat.risk.engine` keeps every group of an *unknown* rule
possible. That is safe but loose: with the day-8 MRD missing, ``pb8 < 0.01%`` (LOW) and
``pb8 >= 0.01%`` (AVERAGE) are both unknown, so the catch-all (VERY_HIGH) also looks
reachable although no value of pb8 leads there. Here every missing input is replaced, in
turn, by one representative of each region its comparisons distinguish (each threshold,
just below and just above it; each compared string and "something else"; true/false;
for MRD also detected / not detected), and the rules are re-run. The possible groups are
those some completion reaches — a subset of the rule-level set, still a superset of the
truth, and still monotone: removing an input only adds completions.

Only when the number of completions stays small (``max_completions``) is the analysis
done; otherwise the rule-level set stands.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from allstrat.risk.expr import UNKNOWN, ExprError, Mrd, compiled, names_in, walk
from allstrat.risk.facts import BASE_FACTS, Fact
from allstrat.risk.ruleset import RuleSet

__all__ = ["complete_groups"]

_OTHER = "__other__"


_CACHE: dict[tuple[str, str, str], dict[str, set[Any]]] = {}


def _comparands(rs: RuleSet) -> dict[str, set[Any]]:
    """Fact name -> the constants (numbers, strings) it is compared with anywhere."""
    key = (rs.path, rs.sha256, rs.version)
    if key in _CACHE:
        return _CACHE[key]
    out: dict[str, set[Any]] = {}
    nodes = [d.node for d in rs.derived] + [r.node for r in rs.rules]
    for node in nodes:
        for n in walk(node):
            if n.kind == "cmp":
                a, b = n.args
                for fact, other in ((a, b), (b, a)):
                    if fact.kind != "fact":
                        continue
                    if other.kind == "lit":
                        out.setdefault(fact.value, set()).add(other.value)
                    elif other.kind == "setting":
                        out.setdefault(fact.value, set()).add(rs.settings[other.value])
            elif n.kind == "in" and n.args[0].kind == "fact":
                out.setdefault(n.args[0].value, set()).update(it.value for it in n.args[1].args)
    _CACHE[key] = out
    return out


def _number_reps(thresholds: list[float]) -> list[float]:
    reps = {0.0}
    for t in thresholds:
        d = max(abs(t), 1.0) * 1e-9
        reps.update({t - d, t, t + d})
    return sorted(v for v in reps if v >= 0)


def _mrd_reps(thresholds: list[float], current: Any) -> list[Mrd]:
    points = {0.0}
    if thresholds:
        points.add(min(thresholds) / 2)
    for t in thresholds:
        points.update({t * (1 - 1e-9), t, t * (1 + 1e-9)})
    points = {p for p in points if 0 <= p <= 1}
    if isinstance(current, Mrd):  # known but imprecise: stay inside its interval

        def inside(p: float) -> bool:
            above = p > current.lo or (p == current.lo and not current.lo_open)
            below = p < current.hi or (p == current.hi and not current.hi_open)
            return above and below

        points = {p for p in points if inside(p)} or {current.lo}
        det = current.is_positive
        detected = [True, False] if det is UNKNOWN else [det]
    else:
        detected = [True, False]
    reps = []
    for p in sorted(points):
        for d in detected:
            if d and p == 0:
                continue
            reps.append(Mrd(p, p, text=f"{p:g}", detected=d))
    return reps


def _candidates(name: str, fact: Fact | None, comparands: set[Any]) -> list[Any] | None:
    numbers = sorted(
        float(c) for c in comparands if isinstance(c, int | float) and not isinstance(c, bool)
    )
    strings = sorted(c for c in comparands if isinstance(c, str))
    if name.startswith("mrd_") and not name.endswith("_not_done"):
        return _mrd_reps(numbers, None if fact is None else fact.value)
    kind = BASE_FACTS.get(name, ("bool", ""))[0]
    if kind == "bool":
        return [True, False]
    if kind == "number":
        return _number_reps(numbers)
    if kind == "string":
        return [*strings, _OTHER]
    return None


def complete_groups(
    rs: RuleSet,
    facts: Mapping[str, Fact],
    leaves: set[str],
    *,
    max_completions: int = 512,
) -> tuple[set[str], set[str], int] | None:
    """Groups (and deciding rules) reachable when the missing inputs are filled in.

    Parameters
    ----------
    rs
        The rule set.
    facts
        The sample's facts (base + MRD).
    leaves
        Missing-input names from the unresolved rules (``name``, ``name:imprecise``,
        ``name:conflicting``).
    max_completions
        Give up (return ``None``) above this many combinations.

    Returns
    -------
    (groups, rules, n) or None
        Reachable groups, the rules that decided them, and the number of completions.
    """
    names = sorted({leaf.split(":", 1)[0] for leaf in leaves})
    comparands = _comparands(rs)
    options = []
    total = 1
    for n in names:
        cand = _candidates(n, facts.get(n), comparands.get(n, set()))
        if not cand:
            return None
        options.append(cand)
        total *= len(cand)
        if total > max_completions:
            return None
    base = _Values(
        (n, (UNKNOWN, frozenset({n})) if f.value is UNKNOWN else (f.value, _KNOWN))
        for n, f in facts.items()
    )
    try:
        done = _run_completions(rs, base, names, options)
    except ExprError:
        return None  # e.g. a representative of the wrong type: keep the rule-level set
    return done[0], done[1], total


def _depends(rs: RuleSet, names: list[str]) -> tuple[set[str], bool]:
    """Names whose value can differ between completions of ``names``, and whether the
    split into fixed and varying conditions is safe (no derived fact defined twice).
    """
    varying = set(names)
    seen: set[str] = set()
    for d in rs.derived:
        if d.name in seen:
            return varying, False
        seen.add(d.name)
        if d.name not in names and not varying.isdisjoint(names_in(d.node)):
            varying.add(d.name)
    return varying, True


def _run_completions(
    rs: RuleSet, base: _Values, names: list[str], options: list[list[Any]]
) -> tuple[set[str], set[str]]:
    """Groups and deciding rules over every completion (raises :class:`ExprError`).

    A derived fact or rule whose condition reads none of the completed names (directly
    or through derived facts) has the same value in every completion: derived facts of
    that kind are evaluated once, before the completions, and so are such rules (an error
    is raised only when a completion reaches the rule). Every condition is evaluated in
    the order, and with the values, of a run of the whole rule set per completion.

    What the completions give depends only on the completed names and their candidate
    values, the values the varying conditions read besides them and the values of the
    fixed rules: samples that agree on those (common: most facts are categorical) share
    one result (:data:`_SHARED`).
    """
    derived, conditions, fixed, reads = _prepare(rs, base, names)
    key: tuple[Any, ...] = (
        id(rs),
        tuple(names),
        tuple(tuple(o) for o in options),
        tuple((n, base[n]) for n in sorted(reads.difference(names))),
        tuple(fixed.items()),
    )
    try:
        hit = _SHARED.get(key)
    except TypeError:  # a value that cannot be hashed: no sharing
        hit, key = None, ()
    if hit is not None and hit[0] is rs:
        return set(hit[1]), set(hit[2])
    groups: set[str] = set()
    rules: set[str] = set()
    settings = rs.settings
    for combo in itertools.product(*options):
        values = _Values(base)
        values.update((n, (v, _KNOWN)) for n, v in zip(names, combo, strict=True))
        resolve = values.__getitem__
        for name, fn, used in derived:
            value = fn(resolve, settings)
            if used:
                values[name] = value
        for i, (group, rule_id, fn, constant) in enumerate(conditions):
            if not constant:
                value, _ = fn(resolve, settings)
            else:
                value = fixed[i]
                if type(value) is _Failed:
                    raise value.error
            if value is UNKNOWN:  # not covered by the completion: keep it possible
                groups.add(group)
                rules.add(rule_id)
                continue
            if value is True:
                groups.add(group)
                rules.add(rule_id)
                break
    if key:
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.clear()
        _SHARED[key] = (rs, frozenset(groups), frozenset(rules))
    return groups, rules


def _prepare(
    rs: RuleSet, base: _Values, names: list[str]
) -> tuple[list[Any], list[Any], dict[int, Any], set[str]]:
    """Split the conditions into those evaluated per completion and fixed ones.

    Fixed derived facts are evaluated into ``base``; returns the varying derived facts
    (name, evaluator, whether its value is used), the rules (group, id, evaluator,
    fixed?), the fixed rules' values (:class:`_Failed` when evaluating raised) and the
    names the varying conditions read.
    """
    settings = rs.settings
    varying, split = _depends(rs, names)
    # derived facts in order, then those that are themselves completed (evaluated, unused)
    ordered = [d for d in rs.derived if d.name not in names]
    ordered += [d for d in rs.derived if d.name in names]
    derived = []
    reads: set[str] = set()
    for d in ordered:
        fn = compiled(d.node)
        used = d.name not in names
        if split and varying.isdisjoint(names_in(d.node)):
            value = fn(base.__getitem__, settings)  # the same in every completion
            if used:
                base[d.name] = value
        else:
            derived.append((d.name, fn, used))
            reads.update(names_in(d.node))
    conditions = []
    fixed: dict[int, Any] = {}  # rule index -> its value (rules reading no varying name)
    for i, r in enumerate(rs.rules):
        fn = compiled(r.node)
        constant = split and varying.isdisjoint(names_in(r.node))
        if constant:
            try:
                fixed[i] = fn(base.__getitem__, settings)[0]
            except ExprError as exc:
                fixed[i] = _Failed(exc)
        else:
            reads.update(names_in(r.node))
        conditions.append((r.group, r.id, fn, constant))
    return derived, conditions, fixed, reads


class _Failed:
    """A fixed rule whose evaluation raised (re-raised when a completion reaches it)."""

    def __init__(self, error: ExprError) -> None:
        self.error = error


#: results of the completions by what they depend on (:func:`_run_completions`)
_SHARED: dict[tuple[Any, ...], tuple[RuleSet, frozenset[str], frozenset[str]]] = {}
_SHARED_MAX = 100_000


_KNOWN: frozenset[str] = frozenset()


class _Values(dict[str, tuple[Any, frozenset[str]]]):
    """One completion's facts: ``(value, missing)`` by name; a name not there is unknown."""

    def __missing__(self, name: str) -> tuple[Any, frozenset[str]]:
        return UNKNOWN, frozenset({name})
