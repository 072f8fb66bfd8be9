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

    def to_plain(self) -> dict[str, Any]:
        """The fields except ``trace`` as JSON values (see :meth:`from_plain`)."""
        return {
            "sample_id": self.sample_id,
            "protocol": self.protocol,
            "ruleset_version": self.ruleset_version,
            "risk_group": self.risk_group,
            "decided_by_rule": self.decided_by_rule,
            "minimum_group": self.minimum_group,
            "possible_groups": list(self.possible_groups),
            "missing_inputs": list(self.missing_inputs),
            "annotations": list(self.annotations),
        }

    @classmethod
    def from_plain(cls, plain: Mapping[str, Any], *, trace: dict[str, Any]) -> RiskResult:
        """The result :meth:`to_plain` gave (after a JSON round trip), with ``trace``."""
        return cls(
            sample_id=plain["sample_id"],
            protocol=plain["protocol"],
            ruleset_version=plain["ruleset_version"],
            risk_group=plain["risk_group"],
            decided_by_rule=plain["decided_by_rule"],
            minimum_group=plain["minimum_group"],
            possible_groups=tuple(plain["possible_groups"]),
            missing_inputs=tuple(plain["missing_inputs"]),
            annotations=tuple(plain["annotations"]),
            trace=trace,
        )


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


def evaluate_protocol(
    rs: RuleSet,
    sample_id: str,
    base_facts: Mapping[str, Fact],
    *,
    mrd_rows: Sequence[Mapping[str, Any]] = (),
    max_completions: int = 512,
) -> RiskResult:
    """Assign one sample's risk group under one protocol.

    Steps: the protocol's facts (base facts + its MRD time points,
    :func:`_protocol_facts`); derived facts in order (:func:`_derive`); rules in order, the
    first true one deciding (:func:`_scan_rules`); case analysis over the missing inputs
    when several groups stay possible (:func:`_tighten`); the group, or ``indeterminate``
    with the lowest possible group (:func:`_decide`); annotations, which see the group
    (:func:`_annotate`); and the trace.

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
    facts = _protocol_facts(rs, sample_id, base_facts, mrd_rows)
    resolve = _Resolver(facts)
    derived_trace = _derive(rs, resolve)
    scan = _scan_rules(rs, resolve, sample_id)
    distinct, case_analysis, decided_rules = _tighten(
        rs, facts, scan, sample_id=sample_id, max_completions=max_completions
    )
    d = _decide(rs, scan, distinct, case_analysis, decided_rules)
    annotations, ann_trace = _annotate(rs, resolve, d.group)
    trace = {
        "protocol": rs.protocol,
        "title": rs.title,
        "ruleset_version": rs.version,
        "ruleset_file": rs.path,
        "ruleset_sha256": rs.sha256,
        "common_annotations_version": rs.common_version,
        "risk_group": d.group,
        "minimum_group": d.minimum,
        "possible_groups": list(d.possible),
        "group_order": list(rs.groups),
        "decided_by_rule": d.decided_by,
        "missing_inputs": list(d.missing),
        "case_analysis": case_analysis,
        "overridden_settings": dict(rs.overridden),
        "facts": _fact_trace(rs, facts),
        "derived": derived_trace,
        "rules": scan.trace,
        "annotations": ann_trace,
    }
    return RiskResult(
        sample_id=sample_id,
        protocol=rs.protocol,
        ruleset_version=rs.version,
        risk_group=d.group,
        decided_by_rule=d.decided_by,
        minimum_group=d.minimum,
        possible_groups=d.possible,
        missing_inputs=d.missing,
        annotations=tuple(annotations),
        trace=trace,
    )


def _protocol_facts(
    rs: RuleSet,
    sample_id: str,
    base_facts: Mapping[str, Fact],
    mrd_rows: Sequence[Mapping[str, Any]],
) -> dict[str, Fact]:
    """The base facts plus the MRD facts of the protocol's time points."""
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
    return facts


def _derive(rs: RuleSet, resolve: _Resolver) -> list[dict[str, Any]]:
    """Evaluate the derived facts in order (each may use those above it); their trace."""
    out = []
    for i, d in enumerate(rs.derived):
        value, missing = _eval(d.node, resolve, rs, f"derived/{i} ({d.name})")
        resolve.derived[d.name] = (value, missing)
        out.append(
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
    return out


@dataclass
class _Scan:
    """What the ordered pass over the rules found."""

    decided: str = ""
    possible: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    unsourced: list[str] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)
    trace: list[dict[str, Any]] = field(default_factory=list)


def _scan_rules(rs: RuleSet, resolve: _Resolver, sample_id: str) -> _Scan:
    """Rules in order: the first true one decides; unknown ones before it stay possible.

    An unsourced rule (group ``indeterminate``) that is not false leaves every group
    possible; rules after the deciding one are traced as not reached.
    """
    scan = _Scan()
    for i, r in enumerate(rs.rules):
        if scan.decided:
            scan.trace.append(
                {
                    "id": r.id,
                    "when": r.when,
                    "group": r.group,
                    "outcome": "not reached",
                    "why": f"rule {scan.decided} decided earlier",
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
            "outcome": _RULE_OUTCOME[_outcome(value)],
            "facts": _used(r.node, resolve),
            "settings": _settings_used(r.node, rs),
            "missing": sorted(missing),
            "description": r.description,
            "sources": list(r.sources),
        }
        groups_here = list(rs.groups) if r.group == UNSOURCED else [r.group]
        if value is True:
            entry["why"] = "condition true"
            scan.decided = r.id
            scan.possible.extend(groups_here)
        elif value is UNKNOWN:
            entry["why"] = "condition unknown: depends on missing input(s) " + ", ".join(
                sorted(missing)
            )
            scan.possible.extend(groups_here)
            scan.unresolved.append(r.id)
            scan.missing |= missing
        else:
            entry["why"] = "condition false"
        if r.group == UNSOURCED and value is not False:
            scan.unsourced.append(r.id)
            if value is True:
                scan.missing.add(f"unsourced:{r.id}")
        scan.trace.append(entry)
    if not scan.decided:  # pragma: no cover - the loader enforces a catch-all last rule
        raise ConfigError(f"{rs.path}: no rule decided for {sample_id}")
    return scan


_RULE_OUTCOME = {"true": "fired", "false": "not fired", "unknown": "unknown"}


def _tighten(
    rs: RuleSet,
    facts: Mapping[str, Fact],
    scan: _Scan,
    *,
    sample_id: str,
    max_completions: int,
) -> tuple[list[str], dict[str, Any] | None, list[str]]:
    """Possible groups after case analysis, the analysis record and the deciding rules.

    Only done when several groups stay possible and no unsourced rule is involved
    (:func:`allstrat.risk.completion.complete_groups`).
    """
    distinct = list(dict.fromkeys(scan.possible))
    if len(distinct) <= 1 or scan.unsourced:
        return distinct, None, [scan.decided]
    done = complete_groups(rs, facts, scan.missing, max_completions=max_completions)
    if done is None:
        return distinct, None, [scan.decided]
    if not done[0] <= set(distinct):  # pragma: no cover - would be a bug in the case analysis
        logger.warning("case analysis of %s/%s left the rule-level set", rs.protocol, sample_id)
        return distinct, None, [scan.decided]
    groups_c, rules_c, n_c = done
    case_analysis = {
        "inputs": sorted(scan.missing),
        "completions": n_c,
        "reachable_groups": sorted(groups_c, key=lambda g: (g != NOT_APPLICABLE, g)),
        "deciding_rules": sorted(rules_c),
    }
    distinct = [g for g in distinct if g in groups_c]
    return distinct, case_analysis, sorted(rules_c) if len(distinct) == 1 else [scan.decided]


@dataclass(frozen=True)
class _Decision:
    group: str
    decided_by: str
    minimum: str
    possible: tuple[str, ...]
    missing: tuple[str, ...]


def _decide(
    rs: RuleSet,
    scan: _Scan,
    distinct: list[str],
    case_analysis: dict[str, Any] | None,
    decided_rules: list[str],
) -> _Decision:
    """One possible group is the result; several give ``indeterminate`` + the lowest one."""
    possible = tuple(sorted(distinct, key=lambda g: -1 if g == NOT_APPLICABLE else rs.rank(g)))
    if len(distinct) == 1:
        group = distinct[0]
        minimum = group if group != NOT_APPLICABLE else ""
        return _Decision(group, "|".join(decided_rules), minimum, possible, ())
    if case_analysis is not None:
        reach = set(case_analysis["deciding_rules"])
        decided_by = ";".join(r.id for r in rs.rules if r.id in reach)
    else:
        decided_by = ";".join([*scan.unresolved, scan.decided])
    ranked = [g for g in distinct if g != NOT_APPLICABLE]
    minimum = min(ranked, key=rs.rank) if ranked else ""
    return _Decision(INDETERMINATE, decided_by, minimum, possible, tuple(sorted(scan.missing)))


def _annotate(
    rs: RuleSet, resolve: _Resolver, group: str
) -> tuple[list[str], list[dict[str, Any]]]:
    """Annotation names (``possible:`` prefix when unknown) and their trace.

    Annotations see the decided group as fact ``group`` (unknown when indeterminate).
    """
    gval = group if group != INDETERMINATE else UNKNOWN
    resolve.derived["group"] = (gval, frozenset({"risk group"}) if gval is UNKNOWN else frozenset())
    trace = []
    annotations: list[str] = []
    for i, a in enumerate(rs.annotations):
        value, missing = _eval(a.node, resolve, rs, f"annotations/{i} ({a.id})")
        if value is True:
            annotations.append(a.name)
        elif value is UNKNOWN:
            annotations.append(f"possible:{a.name}")
        trace.append(
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
    return annotations, trace


#: per rule set (by id; the rule set is kept so its id stays its own): facts its conditions name
_REFERENCED: dict[int, tuple[RuleSet, frozenset[str]]] = {}


def _referenced(rs: RuleSet) -> frozenset[str]:
    hit = _REFERENCED.get(id(rs))
    if hit is None or hit[0] is not rs:
        referenced: set[str] = set()
        for node in [
            *(d.node for d in rs.derived),
            *(r.node for r in rs.rules),
            *(a.node for a in rs.annotations),
        ]:
            referenced |= set(names_in(node))
        hit = _REFERENCED[id(rs)] = (rs, frozenset(referenced))
    return hit[1]


def _fact_trace(rs: RuleSet, facts: Mapping[str, Fact]) -> dict[str, dict[str, Any]]:
    """Value, source (and note) of every fact a condition of the rule set refers to."""
    referenced = _referenced(rs)
    return {
        n: {"value": jsonable(f.value), "source": f.source, **({"note": f.note} if f.note else {})}
        for n, f in sorted(facts.items())
        if n in referenced
    }
