"""Combine the diagnostic laboratory's genetics with the pipeline's calls.

Precedence (documented in resources/risk/README.md, "Diagnostic genetics"):

1. **A failed test is missing data**: it is ignored (the note says so), never a negative.
2. **Lab results about one fact must agree**: two non-failed lab rows that imply different
   values (FISH positive, RT-PCR negative) make the fact *unknown*, "lab results conflict;
   review needed", whatever the pipeline says.
3. **A lab result decides when the pipeline cannot** (no call, low confidence, conflicting
   stage tables, masked-hypodiploidy warning): the fact takes the lab value, source
   ``lab:<method>``.
4. **Concordant lab and pipeline**: the lab value, source ``lab:<method>+<stage>``.
5. **Discordant lab and pipeline** (both known, different): always flagged -- a
   ``discordances`` entry in the trace and the per-sample report, a warning in the run
   log. Resolution by the setting ``lab_discordance``: ``review`` (default) makes the fact
   *unknown*, so every group either reading allows stays possible (conflicting data
   never lower a risk group); ``lab_decides`` uses the lab value (the diagnostic standard)
   while still flagging the discordance.

Which lab findings speak to which fact: :data:`FINDING_FACTS` (direct) and
:func:`_implied` (DNA index, modal number and ploidy sub-classes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from allstrat.contracts import PH_GROUP
from allstrat.risk.expr import UNKNOWN
from allstrat.risk.facts import Fact

__all__ = [
    "DISCORDANCE_POLICIES",
    "FINDING_FACTS",
    "LabFact",
    "lab_facts",
    "lab_summary",
    "merge_lab",
]

DISCORDANCE_POLICIES = ("review", "lab_decides")

#: finding -> the risk fact it states directly
FINDING_FACTS = {
    "BCR::ABL1": "bcr_abl1",
    "KMT2A-r": "kmt2a",
    "ETV6::RUNX1": "etv6_runx1",
    "TCF3::PBX1": "tcf3_pbx1",
    "TCF3::HLF": "tcf3_hlf",
    "iAMP21": "iamp21",
    "high_hyperdiploidy": "high_hyperdiploid",
    "hypodiploidy": "hypodiploid",
    "low_hypodiploidy": "low_hypodiploid",
    "near_haploidy": "near_haploid",
    "trisomy_4": "trisomy_4",
    "trisomy_10": "trisomy_10",
    "trisomy_17": "trisomy_17",
    "IKZF1_deletion": "ikzf1_deleted",
}
#: High hyperdiploidy: DNA index > 1.16 [DOMAIN §1.2, S1]; an index below 51/46 means
#: fewer than 51 chromosomes (derived). Hypodiploidy (< 44 chromosomes, S1): an index below
#: 44/46 (derived). An index between says nothing about the class it does not reach.
DI_HYPERDIPLOID_ABOVE = 1.16
DI_NOT_HYPERDIPLOID_BELOW = 51 / 46
DI_HYPODIPLOID_BELOW = 44 / 46
#: Modal numbers: < 44 hypodiploid [S1]; 51-67 high hyperdiploid [S8]; 44-47 cannot be a
#: doubled hypodiploid (a doubled near-haploid clone has >= 48 chromosomes [S44], derived),
#: so 44-47 also excludes hypodiploidy; >= 48 leaves hypodiploidy to an explicit finding.
MODAL_HYPODIPLOID_BELOW = 44
MODAL_HYPERDIPLOID = (51, 67)
MODAL_NOT_MASKED_MAX = 47


@dataclass(frozen=True)
class LabFact:
    """What the lab says about one risk fact (value may be UNKNOWN for a lab conflict)."""

    value: Any
    source: str  # "lab:FISH+RT-PCR"
    note: str
    evidence: tuple[dict[str, Any], ...]  # the rows behind it (for the trace)


def _implied(finding: str, result: str, value: float) -> dict[str, Any]:
    """Facts one non-failed lab row states (fact -> value)."""
    out: dict[str, Any] = {}
    if finding in FINDING_FACTS:
        positive = result == "positive"
        out[FINDING_FACTS[finding]] = positive
        if finding in ("low_hypodiploidy", "near_haploidy") and positive:
            out["hypodiploid"] = True
        if finding == "hypodiploidy" and not positive:
            out["low_hypodiploid"] = out["near_haploid"] = False
        return out
    if finding == "DNA_index":
        if value > DI_HYPERDIPLOID_ABOVE:
            out["high_hyperdiploid"] = True
        elif value < DI_NOT_HYPERDIPLOID_BELOW:
            out["high_hyperdiploid"] = False
        if value < DI_HYPODIPLOID_BELOW:
            out["hypodiploid"] = True
        return out
    # modal_number
    n = int(value)
    out["modal_chromosome_number"] = float(n)
    lo, hi = MODAL_HYPERDIPLOID
    out["high_hyperdiploid"] = True if lo <= n <= hi else (False if n < lo else UNKNOWN)
    if n < MODAL_HYPODIPLOID_BELOW:
        out["hypodiploid"] = True
    elif n <= MODAL_NOT_MASKED_MAX:
        out["hypodiploid"] = out["low_hypodiploid"] = out["near_haploid"] = False
    return {k: v for k, v in out.items() if v is not UNKNOWN}


#: A karyotype and a copy-number-derived count may differ by one chromosome (a low-level or
#: subclonal gain the segments miss): that is agreement, and the lab count is used.
MODAL_TOLERANCE = 1


def _within_tolerance(name: str, a: Any, b: Any) -> bool:
    return name == "modal_chromosome_number" and abs(float(a) - float(b)) <= MODAL_TOLERANCE


def _show(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    return f"{v:g}" if isinstance(v, float) else str(v)


def lab_facts(rows: Sequence[Mapping[str, Any]]) -> dict[str, LabFact]:
    """Turn one sample's lab rows into per-fact lab evidence (rules 1-2 of the module doc).

    Parameters
    ----------
    rows
        The sample's rows of :func:`allstrat.io.lab_genetics.read_lab_genetics`.

    Returns
    -------
    dict
        fact name -> :class:`LabFact`; facts no usable row speaks to are absent. A fact
        whose only rows failed is present with value UNKNOWN and a "failed" note.
    """
    stated: dict[str, list[tuple[Any, dict[str, Any]]]] = {}
    failed: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        ev: dict[str, Any] = {
            "finding": str(r["finding"]),
            "result": str(r["result"]),
            "method": str(r["method"]),
            **({"value": float(r["value"])} if r.get("result") == "measured" else {}),
            **({"date": str(r["date"])} if r.get("date") else {}),
        }
        if ev["result"] == "failed":
            fact = FINDING_FACTS.get(ev["finding"], "")
            if ev["finding"] == "modal_number":
                fact = "modal_chromosome_number"
            if fact:  # a failed DNA index informs no single fact; it is listed in the report
                failed.setdefault(fact, []).append(ev)
            continue
        for fact, v in _implied(ev["finding"], ev["result"], ev.get("value", 0.0)).items():
            stated.setdefault(fact, []).append((v, ev))
    out: dict[str, LabFact] = {}
    for fact, evs in failed.items():
        if fact not in stated:
            methods = "+".join(dict.fromkeys(e["method"] for e in evs))
            out[fact] = LabFact(
                UNKNOWN,
                f"lab:{methods}",
                f"lab test failed ({methods}): missing data, not a negative",
                tuple(evs),
            )
    for fact, items in stated.items():
        methods = "+".join(dict.fromkeys(e["method"] for _, e in items))
        evidence = tuple(e for _, e in items) + tuple(failed.get(fact, ()))
        values = list(dict.fromkeys(v for v, _ in items))
        if len(values) == 1:
            out[fact] = LabFact(values[0], f"lab:{methods}", "", evidence)
            continue
        detail = ", ".join(f"{e['method']} {e['finding']} says {_show(v)}" for v, e in items)
        out[fact] = LabFact(
            UNKNOWN, f"lab:{methods}", f"lab results conflict ({detail}); review needed", evidence
        )
    return out


def merge_lab(
    facts: Mapping[str, Fact], lab: Mapping[str, LabFact], policy: str = "review"
) -> tuple[dict[str, Fact], list[dict[str, Any]]]:
    """Apply the precedence of the module docstring to one sample's facts.

    Parameters
    ----------
    facts
        The pipeline's facts (:func:`allstrat.risk.facts.build_facts`).
    lab
        :func:`lab_facts` of the sample.
    policy
        ``"review"`` (discordance -> unknown) or ``"lab_decides"``.

    Returns
    -------
    facts, discordances
        The merged facts and one record per lab/pipeline discordance (``fact``, ``lab``,
        ``lab_source``, ``pipeline``, ``pipeline_source``, ``resolution``).
    """
    if policy not in DISCORDANCE_POLICIES:
        raise ValueError(f"lab_discordance: one of {DISCORDANCE_POLICIES}, not {policy!r}")
    out = dict(facts)
    discordances: list[dict[str, Any]] = []
    for name, lf in lab.items():
        pipe = facts.get(name)
        if pipe is None:
            continue
        if lf.value is UNKNOWN:
            if lf.note.startswith("lab test failed"):
                out[name] = Fact(
                    pipe.value, pipe.source, "; ".join(x for x in (pipe.note, lf.note) if x)
                )
            else:  # lab rows conflict: never resolved by the pipeline either
                out[name] = Fact(UNKNOWN, f"{lf.source}+{pipe.source}", lf.note)
            continue
        if pipe.value is UNKNOWN:
            why = f"pipeline could not assess it ({pipe.note})" if pipe.note else ""
            out[name] = Fact(lf.value, lf.source, f"lab result decides; {why}".strip("; "))
            continue
        if pipe.value == lf.value or _within_tolerance(name, pipe.value, lf.value):
            note = "lab and pipeline agree"
            if pipe.value != lf.value:
                note += f" within {MODAL_TOLERANCE} chromosome (pipeline {_show(pipe.value)})"
            out[name] = Fact(lf.value, f"{lf.source}+{pipe.source}", note)
            continue
        resolution = "unknown (review)" if policy == "review" else "lab result used"
        note = (
            f"DISCORDANT: lab ({lf.source[4:]}) says {_show(lf.value)}, pipeline "
            f"({pipe.source}) says {_show(pipe.value)}; {resolution}; review needed"
        )
        value = UNKNOWN if policy == "review" else lf.value
        out[name] = Fact(value, f"{lf.source}+{pipe.source}", note)
        discordances.append(
            {
                "fact": name,
                "lab": _show(lf.value),
                "lab_source": lf.source,
                "pipeline": _show(pipe.value),
                "pipeline_source": pipe.source,
                "resolution": resolution,
            }
        )
    _resolve_ph_group(out)
    return out, discordances


def _resolve_ph_group(facts: dict[str, Fact]) -> None:
    """A Ph-type expression profile is BCR::ABL1 or Ph-like: a known BCR::ABL1 decides."""
    sub, bcr = facts.get("subtype"), facts.get("bcr_abl1")
    if sub is None or bcr is None or sub.value != PH_GROUP or bcr.value is UNKNOWN:
        return
    if facts["ph_like"].value is not UNKNOWN:
        return
    src = f"classify+{bcr.source}"
    if bcr.value:
        note = "Ph-type profile with BCR::ABL1: not Ph-like"
        facts["ph_like"] = Fact(False, src, note)
        facts["abl_class"] = Fact(False, src, note)
        facts["jak_stat"] = Fact(False, src, note)
    else:
        facts["ph_like"] = Fact(True, src, "Ph-type profile with BCR::ABL1 excluded: Ph-like")
        # the kinase class stays unknown (not in the lab table)


def lab_summary(
    rows: Sequence[Mapping[str, Any]], lab: Mapping[str, LabFact], facts: Mapping[str, Fact]
) -> list[dict[str, Any]]:
    """The sample's lab rows for the report, each with the facts it informed."""
    out = []
    for r in rows:
        ev: dict[str, Any] = {
            "finding": str(r["finding"]),
            "result": str(r["result"]),
            "method": str(r["method"]),
            "value": None if r.get("result") != "measured" else float(r["value"]),
            "date": str(r.get("date") or ""),
        }
        used = [
            f
            for f, lf in lab.items()
            if f in facts
            and any(
                e["finding"] == ev["finding"] and e["method"] == ev["method"] for e in lf.evidence
            )
        ]
        ev["facts"] = sorted(used)
        ev["status"] = "failed: missing data" if ev["result"] == "failed" else "used"
        out.append(ev)
    return out
