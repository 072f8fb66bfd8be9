"""Evaluate protocol rule sets over a sample's facts, with full decision traces.

Semantics (the contract the property tests check):

* Rules are evaluated in order with three-valued logic. The first rule whose condition
  is **true** decides. Rules before it whose condition is **unknown** might have fired
  had the missing inputs been known, so their groups stay *possible*.
* If every possible outcome is the same group, that group is the result. Otherwise the
  result is ``indeterminate`` with ``possible_groups``, ``minimum_group`` (the lowest-risk
  group the available data do not rule out, in the rule set's declared order) and
  ``missing_inputs`` (the unknown facts the unresolved rules depend on).
* Because Kleene logic is monotone in information, removing an input can only turn
  true/false into unknown: a definite group either stays the same or becomes
  ``indeterminate`` with the original group among the possible ones — never a lower
  group. The catch-all last rule guarantees exactly one outcome per sample and protocol.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from allstrat.errors import ConfigError
from allstrat.risk.completion import complete_groups
from allstrat.risk.expr import UNKNOWN, ExprError, Mrd, Node, evaluate, names_in, settings_in
from allstrat.risk.facts import Fact, mrd_facts
from allstrat.risk.ruleset import NOT_APPLICABLE, UNSOURCED, RuleSet

__all__ = ["INDETERMINATE", "RiskResult", "evaluate_protocol", "jsonable"]

logger = logging.getLogger(__name__)

INDETERMINATE = "indeterminate"


@dataclass(frozen=True)
class RiskResult:
    """One sample's outcome under one protocol."""

    sample_id: str
    protocol: str
    ruleset_version: str
    risk_group: str
    decided_by_rule: str
    minimum_group: str
    possible_groups: tuple[str, ...]
    missing_inputs: tuple[str, ...]
    annotations: tuple[str, ...]
    trace: dict[str, Any] = field(repr=False, compare=False)

    @property
    def definite(self) -> bool:
        """Whether a single group (or not_applicable) was assigned."""
        return self.risk_group != INDETERMINATE


def jsonable(v: Any) -> Any:
    """A JSON-friendly rendering of a fact value."""
    if v is UNKNOWN:
        return "unknown"
    if isinstance(v, Mrd):
        return str(v)
    return v


class _Resolver:
    def __init__(self, facts: Mapping[str, Fact]) -> None:
        self.facts = facts
        self.derived: dict[str, tuple[Any, frozenset[str]]] = {}

    def __call__(self, name: str) -> tuple[Any, frozenset[str]]:
        if name in self.derived:
            return self.derived[name]
        f = self.facts.get(name)
        if f is None:  # the loader checks names; a missing one is a programming error
            raise ConfigError(f"fact {name!r} is not available")
        if f.value is UNKNOWN:
            return UNKNOWN, frozenset({name})
        return f.value, frozenset()


def _used(node: Node, resolve: _Resolver) -> dict[str, Any]:
    return {n: jsonable(resolve(n)[0]) for n in names_in(node)}


def _settings_used(node: Node, rs: RuleSet) -> dict[str, Any]:
    return {f"${n}": rs.settings[n] for n in settings_in(node)}


def _eval(node: Node, resolve: _Resolver, rs: RuleSet, where: str) -> tuple[Any, frozenset[str]]:
    try:
        value, missing = evaluate(node, resolve, rs.settings)
    except ExprError as exc:
        raise ConfigError(f"{rs.path}: at {where}: {exc}") from None
    if value is not UNKNOWN and not isinstance(value, bool):
        raise ConfigError(f"{rs.path}: at {where}: condition did not give true/false ({value!r})")
    return value, missing


def _outcome(v: Any) -> str:
    return "unknown" if v is UNKNOWN else ("true" if v else "false")


def evaluate_protocol(  # noqa: C901 - split into one function per rule pending (#15 item 7)
    rs: RuleSet,
    sample_id: str,
    base_facts: Mapping[str, Fact],
    *,
    mrd_rows: Sequence[Mapping[str, Any]] = (),
    max_completions: int = 512,
) -> RiskResult:
    """Assign one sample's risk group under one protocol.

    Parameters
    ----------
    rs
        The compiled rule set.
    sample_id
        The sample.
    base_facts
        Protocol-independent facts (:func:`allstrat.risk.facts.build_facts`).
    mrd_rows
        The sample's rows of the long MRD table.
    max_completions
        Bound of the case analysis that tightens an indeterminate result
        (:mod:`allstrat.risk.completion`); above it the rule-level set stands.

    Returns
    -------
    RiskResult
        The group (or ``indeterminate``), the deciding rule, and the full trace.
    """
    facts: dict[str, Fact] = dict(base_facts)
    if rs.timepoints:
        facts.update(
            mrd_facts(
                mrd_rows,
                rs.timepoints,
                sample_id,
                default_sensitivity=float(rs.settings["mrd_default_sensitivity"]),
                positive_nq_max=float(rs.settings["mrd_positive_nq_max"]),
            )
        )
    resolve = _Resolver(facts)

    derived_trace = []
    for i, d in enumerate(rs.derived):
        value, missing = _eval(d.node, resolve, rs, f"derived/{i} ({d.name})")
        resolve.derived[d.name] = (value, missing)
        derived_trace.append(
            {
                "name": d.name,
                "when": d.when,
                "value": _outcome(value),
                "facts": _used(d.node, resolve),
                "settings": _settings_used(d.node, rs),
                "missing": sorted(missing),
                "description": d.description,
                "sources": list(d.sources),
            }
        )

    rule_trace: list[dict[str, Any]] = []
    possible: list[str] = []
    unresolved: list[str] = []
    missing_all: set[str] = set()
    decided: str | None = None
    unsourced: list[str] = []
    for i, r in enumerate(rs.rules):
        if decided is not None:
            rule_trace.append(
                {
                    "id": r.id,
                    "when": r.when,
                    "group": r.group,
                    "outcome": "not reached",
                    "why": f"rule {decided} decided earlier",
                    "description": r.description,
                    "sources": list(r.sources),
                }
            )
            continue
        value, missing = _eval(r.node, resolve, rs, f"rules/{i} ({r.id})")
        entry = {
            "id": r.id,
            "when": r.when,
            "group": r.group,
            "outcome": {"true": "fired", "false": "not fired", "unknown": "unknown"}[
                _outcome(value)
            ],
            "facts": _used(r.node, resolve),
            "settings": _settings_used(r.node, rs),
            "missing": sorted(missing),
            "description": r.description,
            "sources": list(r.sources),
        }
        # an unsourced rule (group "indeterminate") leaves every group possible
        groups_here = list(rs.groups) if r.group == UNSOURCED else [r.group]
        if value is True:
            entry["why"] = "condition true"
            decided = r.id
            possible.extend(groups_here)
        elif value is UNKNOWN:
            entry["why"] = "condition unknown: depends on missing input(s) " + ", ".join(
                sorted(missing)
            )
            possible.extend(groups_here)
            unresolved.append(r.id)
            missing_all |= missing
        if r.group == UNSOURCED and value is not False:
            unsourced.append(r.id)
            if value is True:
                missing_all.add(f"unsourced:{r.id}")
        else:
            entry["why"] = "condition false"
        rule_trace.append(entry)
    if decided is None:  # pragma: no cover - the loader enforces a catch-all last rule
        raise ConfigError(f"{rs.path}: no rule decided for {sample_id}")

    distinct = list(dict.fromkeys(possible))
    case_analysis: dict[str, Any] | None = None
    decided_rules = [decided]
    if len(distinct) > 1 and not unsourced:
        done = complete_groups(rs, facts, missing_all, max_completions=max_completions)
        if done is not None and done[0] <= set(distinct):
            groups_c, rules_c, n_c = done
            case_analysis = {
                "inputs": sorted(missing_all),
                "completions": n_c,
                "reachable_groups": sorted(groups_c, key=lambda g: (g != NOT_APPLICABLE, g)),
                "deciding_rules": sorted(rules_c),
            }
            distinct = [g for g in distinct if g in groups_c]
            if len(distinct) == 1:
                decided_rules = sorted(rules_c)
        elif done is not None:  # pragma: no cover - would be a bug in the case analysis
            logger.warning("case analysis of %s/%s left the rule-level set", rs.protocol, sample_id)
    if len(distinct) == 1:
        group = distinct[0]
        decided_by = "|".join(decided_rules)
        missing_out: tuple[str, ...] = ()
        minimum = group if group != NOT_APPLICABLE else ""
    else:
        group = INDETERMINATE
        order = [r.id for r in rs.rules]
        if case_analysis is not None:
            reach = set(case_analysis["deciding_rules"])
            decided_by = ";".join(r for r in order if r in reach)
        else:
            decided_by = ";".join([*unresolved, decided])
        missing_out = tuple(sorted(missing_all))
        ranked = [g for g in distinct if g != NOT_APPLICABLE]
        minimum = min(ranked, key=rs.rank) if ranked else ""
    possible_sorted = tuple(
        sorted(distinct, key=lambda g: -1 if g == NOT_APPLICABLE else rs.rank(g))
    )

    # annotations see the decided group as fact `group` (unknown when indeterminate)
    gval = group if group != INDETERMINATE else UNKNOWN
    resolve.derived["group"] = (gval, frozenset({"risk group"}) if gval is UNKNOWN else frozenset())
    ann_trace = []
    annotations: list[str] = []
    for i, a in enumerate(rs.annotations):
        value, missing = _eval(a.node, resolve, rs, f"annotations/{i} ({a.id})")
        if value is True:
            annotations.append(a.name)
        elif value is UNKNOWN:
            annotations.append(f"possible:{a.name}")
        ann_trace.append(
            {
                "id": a.id,
                "name": a.name,
                "when": a.when,
                "outcome": _outcome(value),
                "facts": _used(a.node, resolve),
                "settings": _settings_used(a.node, rs),
                "missing": sorted(missing),
                "text": a.text,
                "sources": list(a.sources),
            }
        )

    referenced: set[str] = set()
    for node in [*(d.node for d in rs.derived), *(r.node for r in rs.rules)]:
        referenced |= set(names_in(node))
    for a in rs.annotations:
        referenced |= set(names_in(a.node))
    fact_trace = {
        n: {"value": jsonable(f.value), "source": f.source, **({"note": f.note} if f.note else {})}
        for n, f in sorted(facts.items())
        if n in referenced
    }
    trace = {
        "protocol": rs.protocol,
        "title": rs.title,
        "ruleset_version": rs.version,
        "ruleset_file": rs.path,
        "ruleset_sha256": rs.sha256,
        "common_annotations_version": rs.common_version,
        "risk_group": group,
        "minimum_group": minimum,
        "possible_groups": list(possible_sorted),
        "group_order": list(rs.groups),
        "decided_by_rule": decided_by,
        "missing_inputs": list(missing_out),
        "case_analysis": case_analysis,
        "overridden_settings": dict(rs.overridden),
        "facts": fact_trace,
        "derived": derived_trace,
        "rules": rule_trace,
        "annotations": ann_trace,
    }
    return RiskResult(
        sample_id=sample_id,
        protocol=rs.protocol,
        ruleset_version=rs.version,
        risk_group=group,
        decided_by_rule=decided_by,
        minimum_group=minimum,
        possible_groups=possible_sorted,
        missing_inputs=missing_out,
        annotations=tuple(annotations),
        trace=trace,
    )
