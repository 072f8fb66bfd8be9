"""ETP-ALL status: from the immunophenotype when the clinical table gives it, else from the
T-ALL model's expression ETP-like evidence; every result names its source.

Immunophenotype criteria (Coustan-Smith et al., Lancet Oncol 2009; WHO 2017 wording in
../shared/MARKERS.md, ETP row): CD1a and CD8 negative, CD5 weak (positive on fewer than 75%
of blasts) and at least one stem-cell / myeloid marker (CD117, CD34, HLA-DR, CD13, CD33,
CD11b, CD65) on at least 25% of blasts. The clinical columns give the percentage of blasts
positive for each marker (``<marker>_pct``, 0-100). The cut-off that makes CD1a / CD8
"negative" (default < 5% of blasts) is not in the project's sources: UNVERIFIED, a setting.

Status ``yes`` / ``no`` / ``not_assessable``; a criterion that cannot be decided because a
marker was not measured leaves the status ``not_assessable`` unless another measured
criterion already excludes ETP-ALL (missing data never produce a ``no`` on their own).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from allstrat.config import FROM_SCHEMA, schema_defaults
from allstrat.contracts import ETP_MARKER_COLUMNS

__all__ = ["EtpSettings", "etp_from_expression", "etp_from_immunophenotype", "etp_status"]

STEM_MYELOID = ("cd117_pct", "cd34_pct", "hla_dr_pct", "cd13_pct", "cd33_pct", "cd11b_pct",
                "cd65_pct")  # fmt: skip
YES, NO, NA = "yes", "no", "not_assessable"


@dataclass(frozen=True)
@schema_defaults("classify.etp")
class EtpSettings:
    """Cut-offs (config section ``tall.etp``).

    Attributes
    ----------
    negative_max_pct
        CD1a / CD8 count as negative below this % of blasts (UNVERIFIED; default 5).
    cd5_weak_max_pct
        CD5 is weak when positive on fewer than this % of blasts (Coustan-Smith 2009: 75).
    stem_myeloid_min_pct
        A stem / myeloid marker counts when positive on at least this % (Coustan-Smith: 25).
    expression_yes_probability, expression_no_probability
        Without immunophenotype: ETP-like model probability at or above which the status is
        ``yes``, at or below which ``no`` (in between: ``not_assessable``). UNVERIFIED.
    """

    negative_max_pct: float = FROM_SCHEMA
    cd5_weak_max_pct: float = FROM_SCHEMA
    stem_myeloid_min_pct: float = FROM_SCHEMA
    expression_yes_probability: float = FROM_SCHEMA
    expression_no_probability: float = FROM_SCHEMA
    criteria_source: str = field(default="Coustan-Smith et al., Lancet Oncol 2009")


def _val(row: Mapping[str, Any], col: str) -> float | None:
    v = row.get(col)
    if v is None or v == "":
        return None
    v = float(v)
    return None if math.isnan(v) else v


def etp_from_immunophenotype(row: Mapping[str, Any], s: EtpSettings) -> dict[str, Any] | None:
    """ETP status from marker percentages, or ``None`` when no marker is given at all.

    Returns
    -------
    dict or None
        ``status``, ``source`` (``immunophenotype``), ``criteria`` (each criterion: met /
        not met / unknown with the values used) and ``missing`` markers.
    """
    vals = {c: _val(row, c) for c in ETP_MARKER_COLUMNS}
    if all(v is None for v in vals.values()):
        return None

    def crit(ok: bool | None) -> str:
        return "unknown" if ok is None else "met" if ok else "not_met"

    cd1a, cd8, cd5 = vals["cd1a_pct"], vals["cd8_pct"], vals["cd5_pct"]
    c1 = None if cd1a is None else cd1a < s.negative_max_pct
    c2 = None if cd8 is None else cd8 < s.negative_max_pct
    c3 = None if cd5 is None else cd5 < s.cd5_weak_max_pct
    stem = {c: vals[c] for c in STEM_MYELOID}
    positive = [c for c, v in stem.items() if v is not None and v >= s.stem_myeloid_min_pct]
    if positive:
        c4: bool | None = True
    elif all(v is not None for v in stem.values()):
        c4 = False
    else:
        c4 = None
    checks = [c1, c2, c3, c4]
    status = NO if False in checks else YES if all(c is True for c in checks) else NA
    return {
        "status": status,
        "source": "immunophenotype",
        "criteria": {
            f"CD1a < {s.negative_max_pct:g}% of blasts": crit(c1),
            f"CD8 < {s.negative_max_pct:g}% of blasts": crit(c2),
            f"CD5 weak (< {s.cd5_weak_max_pct:g}% of blasts)": crit(c3),
            f">= 1 stem/myeloid marker on >= {s.stem_myeloid_min_pct:g}% of blasts": crit(c4),
        },
        "stem_myeloid_positive": [c.removesuffix("_pct") for c in positive],
        "values_pct": {c.removesuffix("_pct"): v for c, v in vals.items() if v is not None},
        "missing": [c.removesuffix("_pct") for c, v in vals.items() if v is None],
        "reference": s.criteria_source,
    }


def etp_from_expression(
    p_etp_like: float | None, etp_score: float | None, s: EtpSettings
) -> dict[str, Any]:
    """ETP status from the T-ALL model's ETP-like probability (``expression`` source)."""
    if p_etp_like is None:
        return {"status": NA, "source": "", "reason": "no T-ALL model result"}
    if p_etp_like >= s.expression_yes_probability:
        status = YES
    elif p_etp_like <= s.expression_no_probability:
        status = NO
    else:
        status = NA
    return {
        "status": status,
        "source": "expression",
        "etp_like_probability": round(float(p_etp_like), 4),
        "etp_score": None if etp_score is None else round(float(etp_score), 4),
        "yes_at_or_above": s.expression_yes_probability,
        "no_at_or_below": s.expression_no_probability,
        "note": "ETP-like expression profile; ETP-ALL is defined by immunophenotype",
    }


def etp_status(
    immuno: dict[str, Any] | None, expression: dict[str, Any]
) -> tuple[str, str, list[str], dict[str, Any]]:
    """Combine: the immunophenotype decides when it is assessable, else expression.

    Returns
    -------
    tuple
        (status, source, flags, evidence) -- source ``immunophenotype``, ``expression`` or
        ``""``; flag ``etp_immunophenotype_expression_discordant`` when both are definite
        and disagree.
    """
    flags: list[str] = []
    evidence = {"immunophenotype": immuno, "expression": expression}
    definite = (YES, NO)
    if immuno is not None and immuno["status"] in definite:
        if expression["status"] in definite and expression["status"] != immuno["status"]:
            flags.append("etp_immunophenotype_expression_discordant")
        return immuno["status"], "immunophenotype", flags, evidence
    if expression["status"] in definite:
        return expression["status"], "expression", flags, evidence
    return NA, "", flags, evidence
