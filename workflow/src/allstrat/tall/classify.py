"""Second stage: T-ALL subgroup calls for samples the B-ALL model calls T lineage.

The ``allstrat-tall`` model (a :class:`~sklearn.pipeline.Pipeline` of
:class:`allstrat.tall.estimators.TallExpressionFeatures` and
:class:`allstrat.classify.estimators.SubtypeClassifier`, fitted on raw counts of a T-ALL
reference) gives subgroup probabilities per sample; nothing is estimated from the batch
being classified. Ordered rules, one function each, every sample recording which decided:

1. :func:`expression_call` -- the top subgroup is called when its probability reaches its
   threshold and leads the runner-up by the margin (the thresholds of
   :class:`allstrat.classify.decide.CallSettings`; per-class overrides use the subgroup
   labels); otherwise ``multiple candidates`` or ``unclassified``.
2. :func:`fusion_evidence` -- a fusion a caller reports that activates a subgroup driver
   (:func:`defining_tall_subgroup`: STIL::TAL1, KMT2A-r / MLLT10-r / SET::NUP214 -> HOXA,
   SPI1 fusions, a TCR-free 3' driver partner) decides the subgroup; ``expression+fusion``
   when the expression call or a candidate agrees, else ``fusion`` with flag
   ``fusion_expression_discordant``.
3. :func:`confidence_tier` -- high / medium / low from the probability; ``medium`` for a
   fusion-only call; ``low`` when out of distribution or the first stage flagged low tumour
   content or missing panel genes; ``none`` without a call.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from allstrat.classify.core import align_counts
from allstrat.classify.decide import CallSettings, Fusion, _fusions_ok
from allstrat.contracts import MULTIPLE, UNCLASSIFIED

logger = logging.getLogger(__name__)

__all__ = [
    "TallCall",
    "classify_tall",
    "confidence_tier",
    "defining_tall_subgroup",
    "expression_call",
    "fusion_evidence",
]

# 3' partners whose activation by a fusion defines a subgroup (the driver transcription
# factors of S1 / DOMAIN.md §1.3, plus SPI1 (Seki 2017) and BCL11B (ICC 2022, S3)).
DRIVER_3P: dict[str, str] = {
    "TAL1": "TAL1",
    "TAL2": "TAL2",
    "LMO1": "LMO1/LMO2",
    "LMO2": "LMO1/LMO2",
    "LYL1": "LYL1",
    "TLX1": "TLX1",
    "TLX3": "TLX3",
    "NKX2-1": "NKX2-1/NKX2-5",
    "NKX2-5": "NKX2-1/NKX2-5",
    "SPI1": "SPI1",
    "MYB": "MYB",
    "BCL11B": "BCL11B-activated",
    "MLLT10": "HOXA",
}
# tier caps carried over from the first stage's QC flags
CAPPING_FLAGS = frozenset({"low_tumour_content", "missing_panel_genes", "out_of_distribution"})


def defining_tall_subgroup(f: Fusion) -> tuple[str, str] | None:
    """Subgroup a fusion activates and the lesion name, or ``None``.

    Examples
    --------
    >>> defining_tall_subgroup(Fusion("STIL", "TAL1"))
    ('TAL1', 'STIL::TAL1')
    >>> defining_tall_subgroup(Fusion("PICALM", "MLLT10"))
    ('HOXA', 'MLLT10-r')
    >>> defining_tall_subgroup(Fusion("KMT2A", "MLLT1")), defining_tall_subgroup(Fusion("A", "B"))
    (('HOXA', 'KMT2A-r'), None)
    """
    g5, g3 = f.gene5, f.gene3
    if g5 == g3:
        return None
    if "KMT2A" in (g5, g3):
        return "HOXA", "KMT2A-r"
    if (g5, g3) == ("SET", "NUP214"):
        return "HOXA", "SET::NUP214"
    if g3 == "MLLT10":
        return "HOXA", "MLLT10-r"
    if (g5, g3) == ("BCL11B", "TLX3"):
        return "TLX3", "BCL11B::TLX3"
    if g3 in DRIVER_3P:
        return DRIVER_3P[g3], f.name
    return None


@dataclass
class TallCall:
    """One sample's second-stage result (see the module docstring)."""

    subgroup: str
    tier: str
    top_probability: float
    candidates: list[str]
    decided_by: str
    rule: str
    flags: list[str]
    record: dict[str, Any]


def expression_call(p: pd.Series, s: CallSettings) -> tuple[str, str, float, float, list[str]]:
    """Rule 1: (call, top class, top p, runner-up p, candidates) from the probabilities."""
    order = np.argsort(-p.to_numpy(), kind="stable")
    top, top_p = str(p.index[order[0]]), float(p.iloc[order[0]])
    second_p = float(p.iloc[order[1]]) if len(order) > 1 else 0.0
    cands = sorted(
        (str(c) for c in p.index if p[c] >= s.candidate_probability), key=lambda c: -p[c]
    )
    if top_p >= s.threshold(top) and top_p - second_p >= s.margin:
        call = top
    elif len(cands) >= 2:
        call = MULTIPLE
    else:
        call = UNCLASSIFIED
    return call, top, top_p, second_p, cands


def fusion_evidence(
    call: str, candidates: list[str], fusions: Sequence[Fusion] | None, s: CallSettings
) -> tuple[str, str, str, list[str], list[str]]:
    """Rule 2: (subgroup, decided_by, rule, flags, defining lesions) with fusion evidence."""
    if fusions is None:
        return call, "expression", "expression_threshold", ["fusion_not_assessed"], []
    defining = [(f, d) for f in _fusions_ok(fusions, s) if (d := defining_tall_subgroup(f))]
    lesions = [f"{f.name} -> {d[0]} ({d[1]})" for f, d in defining]
    if not defining:
        return call, "expression", "expression_threshold", [], lesions
    sub = defining[0][1][0]
    flags = ["several_defining_fusions"] if len({d[0] for _, d in defining}) > 1 else []
    if call == sub or sub in candidates:
        return sub, "expression+fusion", f"fusion:{sub}", flags, lesions
    return sub, "fusion", f"fusion:{sub}", [*flags, "fusion_expression_discordant"], lesions


def confidence_tier(subgroup: str, decided_by: str, top_p: float, flags: list[str], s) -> str:
    """Rule 3: the confidence tier (see the module docstring)."""
    if subgroup in (UNCLASSIFIED, MULTIPLE):
        return "none"
    if decided_by == "fusion":
        tier = "medium"
    else:
        tier = "high" if top_p >= s.high else "medium" if top_p >= s.medium else "low"
    return "low" if CAPPING_FLAGS & set(flags) else tier


def classify_tall(
    counts: pd.DataFrame,
    model: Any,
    *,
    fusions: Mapping[str, Sequence[Fusion] | None] | None = None,
    first_stage_flags: Mapping[str, list[str]] | None = None,
    settings: CallSettings | None = None,
) -> tuple[dict[str, TallCall], pd.DataFrame, pd.DataFrame]:
    """Apply the T-ALL model and the rules to T-lineage samples.

    Parameters
    ----------
    counts
        Samples (T lineage only) x canonical genes raw counts; NaN = not measured.
    model
        Fitted ``allstrat-tall`` pipeline.
    fusions
        Per sample fusion calls, ``None`` = no fusion data (not assessed).
    first_stage_flags
        Per sample the B-ALL stage's QC flags (tier caps carry over).
    settings
        Thresholds (``CallSettings``; class thresholds keyed by subgroup label).

    Returns
    -------
    tuple
        Per-sample :class:`TallCall`, the probabilities (samples x subgroups) and the
        features (samples x model features: subgroup signatures, ``etp:score``).
    """
    s = settings or CallSettings()
    feats = model.named_steps["features"]
    clf = model.named_steps["classifier"]
    aligned, missing = align_counts(counts, [str(g) for g in model.feature_names_in_])
    if missing:
        logger.warning("%d T-ALL model genes absent from the input (not measured)", len(missing))
    f = feats.transform(aligned)
    ids = [str(i) for i in aligned.index]
    proba = pd.DataFrame(clf.predict_proba(f), index=ids, columns=[str(c) for c in clf.classes_])
    fdf = pd.DataFrame(f, index=ids, columns=[str(n) for n in feats.get_feature_names_out()])
    ood = clf.ood_score(f)
    out: dict[str, TallCall] = {}
    for i, sid in enumerate(ids):
        call, top, top_p, second_p, cands = expression_call(proba.loc[sid], s)
        fl = None if fusions is None else fusions.get(sid)
        sub, decided, rule, flags, lesions = fusion_evidence(call, cands, fl, s)
        if ood[i] > s.max_ood_score:
            flags.append("out_of_distribution")
        inherited = [q for q in (first_stage_flags or {}).get(sid, []) if q in CAPPING_FLAGS]
        flags.extend(q for q in inherited if q not in flags)
        out[sid] = TallCall(
            subgroup=sub,
            tier=confidence_tier(sub, decided, top_p, flags, s),
            top_probability=top_p,
            candidates=cands,
            decided_by=decided,
            rule=rule,
            flags=flags,
            record={
                "rule": rule,
                "expression_call": call,
                "top_class": top,
                "top_probability": round(top_p, 6),
                "runner_up_probability": round(second_p, 6),
                "threshold": s.threshold(top),
                "margin": s.margin,
                "candidates": cands,
                "fusion_data": "not_given" if fl is None else "given",
                "defining_fusions": lesions,
                "ood_score": round(float(ood[i]), 6),
            },
        )
    return out, proba, fdf
