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

import dataclasses
import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from allstrat.errors import ConfigError
from allstrat.risk.completion import complete_groups
from allstrat.risk.expr import UNKNOWN, ExprError, Mrd, Node, evaluate, names_in, settings_in
from allstrat.risk.facts import Fact, mrd_facts
from allstrat.risk.ruleset import NOT_APPLICABLE, UNSOURCED, RuleSet
from allstrat.risk.traces import expand_protocol

__all__ = [
    "INDETERMINATE",
    "RiskResult",
    "evaluate_compact",
    "evaluate_protocol",
    "fact_traces",
    "jsonable",
    "protocol_template",
    "referenced_facts",
]

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


def _settings_used(node: Node, rs: RuleSet) -> dict[str, Any]:
    return {f"${n}": rs.settings[n] for n in sorted(settings_in(node))}


def _eval(node: Node, resolve: _Resolver, rs: RuleSet, where: str) -> tuple[Any, frozenset[str]]:
    try:
        value, missing = evaluate(node, resolve, rs.settings)
    except ExprError as exc:
        raise ConfigError(f"{rs.path}: at {where}: {exc}") from None
    if value is not UNKNOWN and not isinstance(value, bool):
        raise ConfigError(f"{rs.path}: at {where}: condition did not give true/false ({value!r})")
    return value, missing


def _code(v: Any) -> str:
    """The trace letter of a condition's value: ``t`` true, ``f`` false, ``u`` unknown."""
    return "u" if v is UNKNOWN else ("t" if v else "f")


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
    res = evaluate_compact(
        rs, sample_id, base_facts, mrd_rows=mrd_rows, max_completions=max_completions
    )
    sample_facts = fact_traces(base_facts, _referenced(rs))
    full = expand_protocol(res.trace, protocol_template(rs), sample_facts)
    return dataclasses.replace(res, trace=full)


def evaluate_compact(
    rs: RuleSet,
    sample_id: str,
    base_facts: Mapping[str, Fact],
    *,
    mrd_rows: Sequence[Mapping[str, Any]] = (),
    max_completions: int = 512,
) -> RiskResult:
    """:func:`evaluate_protocol` with the trace in the compact layout.

    Only what varies between samples (:mod:`allstrat.io.risk_traces`, format 2): the
    outcome, the protocol's own facts (those not in ``base_facts``, e.g. its MRD time
    points), one letter per evaluated derived fact / rule / annotation and their missing
    inputs; :func:`allstrat.io.risk_traces.expand_protocol` with
    :func:`protocol_template` and :func:`fact_traces` of ``base_facts`` gives the full trace.
    """
    facts = _protocol_facts(rs, sample_id, base_facts, mrd_rows)
    resolve = _Resolver(facts)
    missing: dict[str, list[str]] = {}
    derived_codes = _derive(rs, resolve, missing)
    scan = _scan_rules(rs, resolve, sample_id, missing)
    distinct, case_analysis, decided_rules = _tighten(
        rs, facts, scan, sample_id=sample_id, max_completions=max_completions
    )
    d = _decide(rs, scan, distinct, case_analysis, decided_rules)
    annotations, ann_codes = _annotate(rs, resolve, d.group, missing)
    referenced = _referenced(rs)
    trace = {
        "risk_group": d.group,
        "minimum_group": d.minimum,
        "possible_groups": list(d.possible),
        "decided_by_rule": d.decided_by,
        "missing_inputs": list(d.missing),
        "case_analysis": case_analysis,
        "facts": {
            n: _fact_json(f)
            for n, f in facts.items()
            if n in referenced and base_facts.get(n) is not f
        },
        "derived": derived_codes,
        "rules": scan.codes,
        "annotations": ann_codes,
    }
    if missing:
        trace["missing"] = missing
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


def _derive(rs: RuleSet, resolve: _Resolver, missing: dict[str, list[str]]) -> str:
    """Evaluate the derived facts in order (each may use those above it): their letters.

    Non-empty missing-input lists go to ``missing`` under ``derived/<i>``.
    """
    codes = []
    for i, d in enumerate(rs.derived):
        value, miss = _eval(d.node, resolve, rs, f"derived/{i} ({d.name})")
        resolve.derived[d.name] = (value, miss)
        codes.append(_code(value))
        if miss:
            missing[f"derived/{i}"] = sorted(miss)
    return "".join(codes)


@dataclass
class _Scan:
    """What the ordered pass over the rules found."""

    decided: str = ""
    possible: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    unsourced: list[str] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)
    codes: str = ""


def _scan_rules(
    rs: RuleSet, resolve: _Resolver, sample_id: str, missing: dict[str, list[str]]
) -> _Scan:
    """Rules in order: the first true one decides; unknown ones before it stay possible.

    An unsourced rule (group ``indeterminate``) that is not false leaves every group
    possible; rules after the deciding one are not evaluated (not reached). The scan's
    ``codes`` hold one letter per evaluated rule; non-empty missing-input lists go to
    ``missing`` under ``rules/<i>``.
    """
    scan = _Scan()
    codes = []
    for i, r in enumerate(rs.rules):
        value, miss = _eval(r.node, resolve, rs, f"rules/{i} ({r.id})")
        codes.append(_code(value))
        if miss:
            missing[f"rules/{i}"] = sorted(miss)
        groups_here = list(rs.groups) if r.group == UNSOURCED else [r.group]
        if value is True:
            scan.decided = r.id
            scan.possible.extend(groups_here)
        elif value is UNKNOWN:
            scan.possible.extend(groups_here)
            scan.unresolved.append(r.id)
            scan.missing |= miss
        if r.group == UNSOURCED and value is not False:
            scan.unsourced.append(r.id)
            if value is True:
                scan.missing.add(f"unsourced:{r.id}")
        if scan.decided:
            break
    scan.codes = "".join(codes)
    if not scan.decided:  # pragma: no cover - the loader enforces a catch-all last rule
        raise ConfigError(f"{rs.path}: no rule decided for {sample_id}")
    return scan


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
    rs: RuleSet, resolve: _Resolver, group: str, missing: dict[str, list[str]]
) -> tuple[list[str], str]:
    """Annotation names (``possible:`` prefix when unknown) and their letters.

    Annotations see the decided group as fact ``group`` (unknown when indeterminate);
    non-empty missing-input lists go to ``missing`` under ``annotations/<i>``.
    """
    gval = group if group != INDETERMINATE else UNKNOWN
    resolve.derived["group"] = (gval, frozenset({"risk group"}) if gval is UNKNOWN else frozenset())
    codes = []
    annotations: list[str] = []
    for i, a in enumerate(rs.annotations):
        value, miss = _eval(a.node, resolve, rs, f"annotations/{i} ({a.id})")
        if value is True:
            annotations.append(a.name)
        elif value is UNKNOWN:
            annotations.append(f"possible:{a.name}")
        codes.append(_code(value))
        if miss:
            missing[f"annotations/{i}"] = sorted(miss)
    return annotations, "".join(codes)


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


def _fact_json(f: Fact) -> dict[str, Any]:
    """A fact's trace: value (as JSON), source and note (when there is one)."""
    if f.note:
        return {"note": f.note, "source": f.source, "value": jsonable(f.value)}
    return {"source": f.source, "value": jsonable(f.value)}


def fact_traces(facts: Mapping[str, Fact], names: Collection[str]) -> dict[str, dict[str, Any]]:
    """Trace (:func:`_fact_json`) of every fact in ``facts`` named in ``names``."""
    return {n: _fact_json(f) for n, f in sorted(facts.items()) if n in names}


def referenced_facts(rulesets: Iterable[RuleSet]) -> frozenset[str]:
    """Names the conditions of any of ``rulesets`` refer to."""
    out: set[str] = set()
    for rs in rulesets:
        out |= _referenced(rs)
    return frozenset(out)


#: per rule set (by id; kept so its id stays its own): its trace template
_TEMPLATES: dict[int, tuple[RuleSet, dict[str, Any]]] = {}


def protocol_template(rs: RuleSet) -> dict[str, Any]:
    """What the trace of every sample shares under ``rs`` (:mod:`allstrat.io.risk_traces`).

    Header, referenced fact names and, per derived fact / rule / annotation, its static
    attributes, the settings it uses and where each name it reads gets its value:
    ``None`` a fact, ``i`` the derived fact ``i`` defined last before it (derived facts
    see those above them), ``"group"`` the decided group (annotations only).
    """
    hit = _TEMPLATES.get(id(rs))
    if hit is not None and hit[0] is rs:
        return hit[1]
    defined: dict[str, Any] = {}

    def entry(node: Node, **static: Any) -> dict[str, Any]:
        uses = [[n, defined.get(n)] for n in sorted(names_in(node))]
        return {**static, "settings": _settings_used(node, rs), "uses": uses}

    derived = []
    for i, d in enumerate(rs.derived):
        derived.append(entry(d.node, description=d.description, name=d.name,
                             sources=list(d.sources), when=d.when))  # fmt: skip
        defined[d.name] = i
    rules = []
    for r in rs.rules:
        rules.append(entry(r.node, description=r.description, group=r.group, id=r.id,
                           sources=list(r.sources), when=r.when))  # fmt: skip
    defined["group"] = "group"
    annotations = [
        entry(a.node, id=a.id, name=a.name, sources=list(a.sources), text=a.text, when=a.when)
        for a in rs.annotations
    ]
    template = {
        "header": {
            "common_annotations_version": rs.common_version,
            "group_order": list(rs.groups),
            "overridden_settings": dict(sorted(rs.overridden.items())),
            "protocol": rs.protocol,
            "ruleset_file": rs.path,
            "ruleset_sha256": rs.sha256,
            "ruleset_version": rs.version,
            "title": rs.title,
        },
        "referenced": sorted(_referenced(rs)),
        "derived": derived,
        "rules": rules,
        "annotations": annotations,
    }
    _TEMPLATES[id(rs)] = (rs, template)
    return template
