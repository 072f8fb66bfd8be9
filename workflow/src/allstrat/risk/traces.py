"""Layout of the risk stage's traces file (``results/risk/chunk_NNNN.traces.json``).

Format ``allstrat-risk-traces/2`` (field ``format``) keeps what is the same for every
sample once per chunk and, per sample, only what varies:

* ``rulesets.<protocol>.trace_template``: the protocol's header (title, version, file,
  checksum, group order, overridden settings), the fact names its conditions refer to
  (``referenced``) and, for every derived fact, rule and annotation, its static
  attributes (id / name, ``when``, group, description or text, sources, the settings it
  uses as configured) and ``uses``: the names its condition reads, each with where its
  value comes from (``null`` = a fact, a number = that derived fact, ``"group"`` = the
  decided group);
* ``samples.<id>``: completeness, inputs, lab results, discordances, pharmacogenetics as
  before, ``facts`` (the protocol-independent facts the protocols refer to, with value,
  source and note) and per protocol the outcome (group, minimum, possible groups,
  deciding rule, missing inputs, case analysis), its own facts (MRD time points), one
  letter per evaluated derived fact / rule / annotation (``t`` true, ``f`` false, ``u``
  unknown; rules after the deciding one were not reached) and the missing inputs of
  those that have some (``missing``: ``{"rules/3": [...]}``).

:func:`expand_sample` rebuilds a sample's entry exactly as format 1 (no ``format`` field:
every sample held its full per-protocol traces) wrote it, keys in sorted order as the
file gives them, so everything that reads the traces (the per-sample reports and their
provenance checksums) sees the same objects. Static strings and lists of the expanded
entries are shared between samples (read them, do not modify them).
:func:`allstrat.io.risk_traces.read_risk_traces` reads either format and returns format-1
entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["TRACES_FORMAT", "expand_protocol", "expand_sample", "expand_traces", "templates"]

#: value of the traces file's ``format`` field (format 1 had none)
TRACES_FORMAT = "allstrat-risk-traces/2"

_DERIVED_VALUE = {"t": "true", "f": "false", "u": "unknown"}
_RULE_OUTCOME = {"t": "fired", "f": "not fired", "u": "unknown"}
_RULE_WHY = {"t": "condition true", "f": "condition false"}
_UNKNOWN_WHY = "condition unknown: depends on missing input(s) "
#: JSON value of a derived fact (or an annotation's condition) with that letter
_FACT_VALUE: dict[str, Any] = {"t": True, "f": False, "u": "unknown"}
_NO_MISSING: dict[str, list[str]] = {}


def _uses_facts(
    uses: list[list[Any]], facts: Mapping[str, Any], derived: str, group: Any
) -> dict[str, Any]:
    """``{name: value}`` of the names a condition reads (sorted, as the file gives them)."""
    out = {}
    for name, src in uses:
        if src is None:
            out[name] = facts[name]["value"]
        elif src == "group":
            out[name] = group
        else:
            out[name] = _FACT_VALUE[derived[src]]
    return out


def expand_protocol(
    compact: Mapping[str, Any],
    template: Mapping[str, Any],
    sample_facts: Mapping[str, Any],
    *,
    discordances: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One protocol's full trace (format 1) from its compact entry and the template.

    ``sample_facts``: the sample's protocol-independent fact traces; ``discordances``:
    the sample's lab/pipeline discordances (those on facts of this protocol are listed).
    """
    head = template["header"]
    own = compact["facts"]
    referenced = template["referenced"]
    names = sorted({*own, *(n for n in referenced if n in sample_facts)})
    facts = {n: own[n] if n in own else sample_facts[n] for n in names}
    missing = compact.get("missing", _NO_MISSING)
    dcodes, rcodes, acodes = compact["derived"], compact["rules"], compact["annotations"]
    group = compact["risk_group"]
    group_value = "unknown" if group == "indeterminate" else group
    derived = []
    for i, (d, code) in enumerate(zip(template["derived"], dcodes, strict=True)):
        derived.append({
            "description": d["description"],
            "facts": _uses_facts(d["uses"], facts, dcodes, group_value),
            "missing": missing.get(f"derived/{i}", []),
            "name": d["name"],
            "settings": d["settings"],
            "sources": d["sources"],
            "value": _DERIVED_VALUE[code],
            "when": d["when"],
        })  # fmt: skip
    rules = []
    decided = template["rules"][len(rcodes) - 1]["id"]
    for i, r in enumerate(template["rules"]):
        if i >= len(rcodes):
            rules.append({
                "description": r["description"], "group": r["group"], "id": r["id"],
                "outcome": "not reached", "sources": r["sources"], "when": r["when"],
                "why": f"rule {decided} decided earlier",
            })  # fmt: skip
            continue
        code = rcodes[i]
        miss = missing.get(f"rules/{i}", [])
        rules.append({
            "description": r["description"],
            "facts": _uses_facts(r["uses"], facts, dcodes, group_value),
            "group": r["group"],
            "id": r["id"],
            "missing": miss,
            "outcome": _RULE_OUTCOME[code],
            "settings": r["settings"],
            "sources": r["sources"],
            "when": r["when"],
            "why": _RULE_WHY.get(code) or _UNKNOWN_WHY + ", ".join(miss),
        })  # fmt: skip
    annotations = [
        {
            "facts": _uses_facts(a["uses"], facts, dcodes, group_value),
            "id": a["id"],
            "missing": missing.get(f"annotations/{i}", []),
            "name": a["name"],
            "outcome": _DERIVED_VALUE[code],
            "settings": a["settings"],
            "sources": a["sources"],
            "text": a["text"],
            "when": a["when"],
        }
        for i, (a, code) in enumerate(zip(template["annotations"], acodes, strict=True))
    ]
    out = {
        **head,
        "annotations": annotations,
        "case_analysis": compact["case_analysis"],
        "decided_by_rule": compact["decided_by_rule"],
        "derived": derived,
        "facts": facts,
        "minimum_group": compact["minimum_group"],
        "missing_inputs": compact["missing_inputs"],
        "possible_groups": compact["possible_groups"],
        "risk_group": group,
        "rules": rules,
    }
    if "mrd_not_used" in compact:
        out["mrd_not_used"] = compact["mrd_not_used"]
    if discordances:
        out["discordances"] = [d for d in discordances if d["fact"] in facts]
    return dict(sorted(out.items()))


def expand_sample(entry: Mapping[str, Any], templates: Mapping[str, Any]) -> dict[str, Any]:
    """A sample's format-1 entry from its format-2 entry and the protocol templates."""
    sample_facts = entry["facts"]
    discordances = entry["discordances"]
    protocols = {
        p: expand_protocol(c, templates[p], sample_facts, discordances=discordances)
        for p, c in sorted(entry["protocols"].items())
    }
    out = {k: v for k, v in entry.items() if k != "facts"}
    out["protocols"] = protocols
    return dict(sorted(out.items()))


def templates(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The protocol templates of a format-2 document (or of its chunk-level part)."""
    return {p: rs["trace_template"] for p, rs in doc.get("rulesets", {}).items()}


def expand_traces(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A whole traces document in format 1 (returned as is if it is in format 1)."""
    if doc.get("format") != TRACES_FORMAT:
        return dict(doc)
    templates_ = templates(doc)
    out = {k: v for k, v in doc.items() if k not in ("format", "samples")}
    out["rulesets"] = {
        p: {k: v for k, v in rs.items() if k != "trace_template"}
        for p, rs in doc["rulesets"].items()
    }
    out["samples"] = {s: expand_sample(e, templates_) for s, e in doc["samples"].items()}
    return out
