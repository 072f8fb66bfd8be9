"""From probabilities + fusion evidence to one call per sample, by explicit ordered rules.

The expression model gives class probabilities. :func:`decide_calls` turns them into the
contract columns (``allstrat.contracts.CLASSIFY_COLUMNS``) in this order; every sample
records the rule that decided it (``decided_by``) and its caveats (``qc_flags``):

0. **Insufficient data** (rule ``insufficient_data``): fewer than
   ``min_measured_panel_fraction`` of the model's panel genes measured -> ``unclassified``
   with flag ``insufficient_data:measured_panel_fraction=<f><<limit>``, tier ``none`` and
   no candidate list, whatever the probabilities say.
1. **Lineage** from within-sample B / T lineage rank scores: T -> ``T-ALL`` (the B-ALL
   panel does not apply); uncertain -> flag ``lineage_uncertain``.
2. **Expression call**: the top class is called when its probability reaches its class
   threshold and leads the runner-up by ``margin``; otherwise, when ETV6::RUNX1 and
   ETV6::RUNX1-like together do (sum >= the ETV6::RUNX1 threshold, ``margin`` ahead of
   every other class) the ETV6::RUNX1 group; otherwise ``multiple candidates`` when two
   or more classes reach ``candidate_probability``, else ``unclassified``.
3. **Subtype-defining fusion** (rule ``fusion:<subtype>``, after MD-ALL's ordered rules,
   DOMAIN.md §1.2): a fusion that defines a subtype decides it. ``decided_by`` is
   ``expression+fusion`` when the expression call (or a candidate) agrees, ``fusion``
   otherwise, with flag ``fusion_expression_discordant``.
4. **Ph group** (BCR::ABL1 and Ph-like share one expression programme): with fusion data
   and no BCR::ABL1 fusion -> ``Ph-like`` (kinase class from a kinase fusion, else
   ``unknown``); with no fusion data -> ``Ph group`` (BCR::ABL1 not excluded),
   ``ph_like = not_assessable``.
5. **ETV6::RUNX1, KMT2A and ZNF384 groups** (each shares its programme with a "-like"
   form, MD-ALL rule 5): with no fusion data the profile is reported as ``ETV6::RUNX1
   group`` / ``KMT2A group`` / ``ZNF384 group`` (rule
   ``<er|kmt2a|znf384>_profile_fusion_not_assessed``, flag ``fusion_not_assessed``;
   the fusion is neither confirmed nor excluded and the risk facts treat it as not
   established). With fusion data but no defining fusion ->
   ``ETV6::RUNX1-like`` / ``KMT2A-like`` / ``ZNF384-like`` (rule
   ``<..>_profile_without_fusion``, flag ``defining_fusion_not_found``, tier ``low``: RNA
   callers miss the cryptic t(12;21) at times, so the label rests on absence of
   evidence), except a confident ETV6::RUNX1-like expression call, which the missing
   fusion confirms. A Ph-group profile called Ph-like only because no BCR::ABL1 fusion
   was reported (no kinase fusion either) gets flag ``bcr_abl1_not_detected`` and tier
   ``low`` for the same reason.
6. Other fusion-defined subtypes called from expression alone get ``fusion_not_assessed``
   (no data) or ``defining_fusion_not_found`` (data, no fusion); mutation-defined subtypes
   get ``mutation_not_assessed`` and at most a ``medium`` tier (the record keeps
   ``tier_without_mutation_cap``: ``allstrat reconcile`` lifts the cap when the VCF shows
   the hotspot, :mod:`allstrat.classify.consistency`). A fusion partner missing
   from the gene table is flagged ``fusion_gene_not_in_gene_table:<fusion>``.
7. **Confidence tier**: high (p >= ``high``), medium (>= ``medium``), low otherwise (p is
   the group probability for the ETV6::RUNX1 group); capped at low for
   ``out_of_distribution``, ``low_tumour_content``, ``lineage_uncertain`` and
   ``missing_panel_genes``; ``none`` when nothing was called.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from allstrat.config import FROM_SCHEMA, schema_defaults
from allstrat.contracts import FUSION_GROUPS, MULTIPLE, PH_GROUP, T_ALL, UNCLASSIFIED

logger = logging.getLogger(__name__)

__all__ = [
    "CallSettings",
    "Fusion",
    "decide_calls",
    "defining_subtype",
    "kinase_class",
]

IG_LOCI = frozenset({"IGH", "IGK", "IGL"})
ABL_CLASS = frozenset({"ABL1", "ABL2", "CSF1R", "PDGFRB", "PDGFRA"})  # DOMAIN.md §3 [S35]
JAK_STAT = frozenset({"JAK2", "EPOR"})  # DOMAIN.md §3 (IL7R, SH2B3 UNVERIFIED: left out)
FUSION_DEFINED = frozenset(
    {
        "ETV6::RUNX1",
        "TCF3::PBX1",
        "TCF3::HLF",
        "KMT2A",
        "ZNF384",
        "MEF2D",
        "NUTM1",
        "BCR::ABL1",
        "BCL2/MYC",
        "CDX2/UBTF",
        "ZEB2/CEBP",
    }
)
MUTATION_DEFINED = frozenset({"PAX5 P80R", "IKZF1 N159Y"})
GROUP_TIER = frozenset({"ETV6::RUNX1 group", "ETV6::RUNX1-like", "ETV6::RUNX1"})


@dataclass(frozen=True)
class Fusion:
    """One fusion call (5' gene, 3' gene as canonical symbols, merged confidence).

    ``callers`` names the fusion callers that reported it (agreement already raised
    ``confidence``, see :mod:`allstrat.io.fusions.merge`); ``in_gene_table`` is False
    when a partner name is not in the gene table (kept, flagged).
    """

    gene5: str
    gene3: str
    confidence: str = "high"
    callers: tuple[str, ...] = ()
    in_gene_table: bool = True

    @property
    def name(self) -> str:
        """``GENE5::GENE3``."""
        return f"{self.gene5}::{self.gene3}"


def defining_subtype(f: Fusion) -> str | None:
    """Return the subtype a fusion defines (DOMAIN.md §1.2 / MD-ALL rule 2), or ``None``.

    Examples
    --------
    >>> defining_subtype(Fusion("ETV6", "RUNX1"))
    'ETV6::RUNX1'
    >>> defining_subtype(Fusion("AFF1", "KMT2A")), defining_subtype(Fusion("P2RY8", "CRLF2"))
    ('KMT2A', None)
    """
    g5, g3 = f.gene5, f.gene3
    pair = (g5, g3)
    fixed = {
        ("ETV6", "RUNX1"): "ETV6::RUNX1",
        ("TCF3", "PBX1"): "TCF3::PBX1",
        ("TCF3", "HLF"): "TCF3::HLF",
        ("BCR", "ABL1"): "BCR::ABL1",
        ("UBTF", "ATXN7L3"): "CDX2/UBTF",
    }
    if pair in fixed:
        return fixed[pair]
    if "KMT2A" in pair and g5 != g3:
        return "KMT2A"
    if "ZNF384" in pair:
        return "ZNF384"
    if g5 == "MEF2D":
        return "MEF2D"
    if g3 == "NUTM1":
        return "NUTM1"
    if g3 == "DUX4" or g5 == "DUX4":
        return "DUX4"
    if g3.startswith("CEBP") and (g5 in IG_LOCI or g5 == "ZEB2"):
        return "ZEB2/CEBP"
    if g5 in IG_LOCI and g3 in {"MYC", "BCL2", "CASC11"}:
        return "BCL2/MYC"
    if g5 == "PAX5" and kinase_class(f) is None:
        return "PAX5alt"
    return None


def kinase_class(f: Fusion) -> str | None:
    """Ph-like kinase class of a fusion: ``ABL-class``, ``JAK-STAT``, ``CRLF2-r`` or None.

    BCR::ABL1 is not a Ph-like lesion and returns ``None``.
    """
    if f.gene3 == "CRLF2" and (f.gene5 == "P2RY8" or f.gene5 in IG_LOCI):
        return "CRLF2-r"
    if f.gene3 in ABL_CLASS and not (f.gene5 == "BCR" and f.gene3 == "ABL1"):
        return "ABL-class"
    if f.gene3 in JAK_STAT:
        return "JAK-STAT"
    return None


@dataclass
@schema_defaults("classify", keys={"thresholds": "class_thresholds"})
class CallSettings:
    """Thresholds of the call rules (config section ``classify``).

    Attributes
    ----------
    min_probability
        Default class threshold to make a call (0.5: the call is more likely than all
        alternatives together).
    thresholds
        Per-class overrides of ``min_probability``.
    margin
        Lead of the top class over the runner-up needed for a call.
    candidate_probability
        Classes at or above this probability are listed as candidates.
    high, medium
        Probability bounds of the confidence tiers.
    max_ood_score
        OOD score (1.0 = 99th percentile of training) above which ``out_of_distribution``
        is flagged.
    lineage_margin
        B minus T lineage rank score needed for lineage ``B``; lineage ``T`` needs T minus B
        at least this *and* the model's T-ALL probability at least its call threshold
        (normal T cells in a low-blast B-ALL sample raise T genes; they do not make the
        classifier see a T-ALL profile).
    marrow_quantile
        ``low_tumour_content`` is flagged when the normal-marrow rank score (mean
        within-sample rank of haemoglobin / granulocyte genes minus 0.5) exceeds this
        quantile of the training cohort (UNVERIFIED heuristic; the limit used is recorded).
    min_blast_fraction
        Sample-sheet blast fraction below which ``low_tumour_content`` is flagged.
    max_missing_panel_fraction
        Fraction of panel genes not measured above which ``missing_panel_genes`` is flagged.
    min_fusion_confidence
        Fusions below this caller confidence (low < medium < high) are ignored.
    min_measured_panel_fraction
        Insufficient-data gate: a sample with fewer than this fraction of the model's
        panel genes measured is ``unclassified`` (flag ``insufficient_data``, no candidate
        list), whatever the probabilities say. 0.5: with half the panel missing, 22-30 %
        of calls (simulated and real ALLCatchR test samples) already differ from the
        all-genes call, and below that the answer is mostly noise
        (``benchmarks/bench_missing_genes.py``).
    """

    min_probability: float = FROM_SCHEMA
    thresholds: dict[str, float] = FROM_SCHEMA
    margin: float = FROM_SCHEMA
    candidate_probability: float = FROM_SCHEMA
    high: float = FROM_SCHEMA
    medium: float = FROM_SCHEMA
    max_ood_score: float = FROM_SCHEMA
    lineage_margin: float = FROM_SCHEMA
    marrow_quantile: float = FROM_SCHEMA
    min_blast_fraction: float = FROM_SCHEMA
    max_missing_panel_fraction: float = FROM_SCHEMA
    min_fusion_confidence: str = FROM_SCHEMA
    min_measured_panel_fraction: float = FROM_SCHEMA

    def threshold(self, label: str) -> float:
        """Call threshold of a class."""
        return float(self.thresholds.get(label, self.min_probability))


_CONF_RANK = {"low": 0, "medium": 1, "high": 2}


def _fusions_ok(fusions: Sequence[Fusion], settings: CallSettings) -> list[Fusion]:
    floor = _CONF_RANK.get(settings.min_fusion_confidence, 1)
    return [f for f in fusions if _CONF_RANK.get(f.confidence, 0) >= floor]


def _agrees(subtype: str, expr_call: str, candidates: list[str]) -> bool:
    """Whether the expression call (or a candidate) agrees with a fusion-defined subtype."""
    keys = {subtype, {"BCR::ABL1": PH_GROUP}.get(subtype, subtype)}
    if subtype in FUSION_GROUPS:
        keys.add(FUSION_GROUPS[subtype][0])
    if subtype == "ETV6::RUNX1":
        keys.add("ETV6::RUNX1-like")
    return expr_call in keys or bool(keys & set(candidates))


def _group_call(p: dict[str, float], expr_call: str, s: CallSettings) -> tuple[str, float]:
    """The ETV6::RUNX1 group from the two classes that share its programme.

    When neither ETV6::RUNX1 nor ETV6::RUNX1-like alone makes the call but together they
    do (sum at or above the ETV6::RUNX1 threshold and leading every other class by
    ``margin``), the expression call is the group. Returns the (possibly new) expression
    call and the probability the tier is read from.
    """
    er, erl = "ETV6::RUNX1", "ETV6::RUNX1-like"
    if er not in p or erl not in p:
        return expr_call, max(p.values())
    p_grp = p[er] + p[erl]
    if expr_call in (er, erl):
        return expr_call, p[expr_call]
    rest = [v for c, v in p.items() if c != er and c != erl]
    other = max(rest) if rest else 0.0
    if (
        expr_call in (MULTIPLE, UNCLASSIFIED)
        and p_grp >= s.threshold(er)
        and (p_grp - other >= s.margin)
    ):
        return FUSION_GROUPS[er][0], p_grp
    return expr_call, max(p.values())


def _fusion_group_rule(expr_call: str, assessed: bool) -> tuple[str, str, list[str]] | None:
    """ETV6::RUNX1 / KMT2A / ZNF384 profile without its defining fusion.

    No fusion data: the group label (rule ``<class>_profile_fusion_not_assessed``, flag
    ``fusion_not_assessed``); fusion data without the fusion: the "-like" label (rule
    ``<class>_profile_without_fusion``, flag ``defining_fusion_not_found``), except an
    expression call that already is ETV6::RUNX1-like, which the missing fusion confirms.
    Returns (subtype, rule, flags) or None when the expression call is none of these.
    """
    key = {"ETV6::RUNX1 group": "ETV6::RUNX1"}.get(expr_call, expr_call)
    if key not in FUSION_GROUPS:
        return None
    group, like = FUSION_GROUPS[key]
    tag = {"ETV6::RUNX1": "er", "ETV6::RUNX1-like": "er", "KMT2A": "kmt2a"}.get(key, "znf384")
    if not assessed:
        return group, f"{tag}_profile_fusion_not_assessed", ["fusion_not_assessed"]
    if expr_call == like:
        return like, "expression_threshold", []
    return like, f"{tag}_profile_without_fusion", ["defining_fusion_not_found"]


def _insufficient_row(sid: str, measured: float, top_p: float, s: CallSettings) -> dict:
    """Call-table row of a sample below the insufficient-data gate (no candidate list)."""
    return {
        "sample_id": str(sid),
        "subtype": UNCLASSIFIED,
        "confidence_tier": "none",
        "top_probability": top_p,
        "candidates": "",
        "lineage": "uncertain",
        "ph_group": "not_assessable",
        "ph_like": "not_assessable",
        "ph_like_kinase_class": "",
        "dux4": "not_assessable",
        "decided_by": "rule:insufficient_data",
        "qc_flags": f"insufficient_data:measured_panel_fraction={measured:.4f}"
        f"<{s.min_measured_panel_fraction:g}",
    }


def decide_calls(
    proba: pd.DataFrame,
    *,
    lineage_scores: pd.DataFrame,
    ood_score: pd.Series,
    marrow_score: pd.Series,
    marrow_limit: float,
    missing_fraction: pd.Series,
    fusions: Mapping[str, Sequence[Fusion] | None],
    blast_fraction: Mapping[str, float | None] | None = None,
    settings: CallSettings | None = None,
) -> tuple[pd.DataFrame, dict[str, dict]]:
    """Apply the ordered call rules (module docstring) to every sample.

    One function per rule, applied in this order by ``_decide_sample``: ``_lineage_rule``,
    ``_qc_flags``, ``_expression_call``, ``_subtype_rules`` (fusion, Ph-group, "-like" and
    lineage rules), ``_confidence_tier`` and ``_ph_and_dux4``.

    Parameters
    ----------
    proba
        Samples x model classes probabilities (index = sample_id).
    lineage_scores
        Columns ``B`` and ``T``: within-sample lineage rank scores.
    ood_score, marrow_score, missing_fraction
        Per-sample OOD score, normal-marrow rank score, fraction of panel genes missing.
    marrow_limit
        Marrow score above which ``low_tumour_content`` is flagged (the training quantile
        ``settings.marrow_quantile``, resolved by the caller).
    fusions
        Per sample the fusion calls, or ``None`` when no fusion data were given (not
        assessed -- never treated as "no fusion").
    blast_fraction
        Per sample blast fraction from the sample sheet (``None`` = unknown).
    settings
        Thresholds; defaults as documented in :class:`CallSettings`.

    Returns
    -------
    tuple
        The call table (contract columns without model id / sha256) and, per sample, the
        decision record (rule, fusions considered, candidates) for the explanation.
    """
    s = settings or CallSettings()
    rows, records = [], {}
    # per-sample values as plain floats, looked up by sample id (a pandas lookup per value
    # and a Series per sample cost more than the rules; profiled)
    by_id = {
        name: dict(zip(v.index, v.to_numpy(dtype=np.float64).tolist(), strict=True))
        for name, v in (
            ("B", lineage_scores["B"]),
            ("T", lineage_scores["T"]),
            ("ood", ood_score),
            ("marrow", marrow_score),
            ("missing", missing_fraction),
        )
    }
    classes = list(proba.columns)
    values = proba.to_numpy(dtype=np.float64)
    for i, sid in enumerate(proba.index):
        sample = _SampleInputs(
            lineage_b=by_id["B"][sid],
            lineage_t=by_id["T"][sid],
            ood=by_id["ood"][sid],
            marrow=by_id["marrow"][sid],
            marrow_limit=float(marrow_limit),
            missing=by_id["missing"][sid],
            blast=None if blast_fraction is None else blast_fraction.get(sid),
            fusions=fusions.get(str(sid)),
        )
        p = dict(zip(classes, values[i].tolist(), strict=True))
        row, record = _decide_sample(str(sid), p, values[i], sample, s)
        rows.append(row)
        records[str(sid)] = record
    return pd.DataFrame(rows), records


@dataclass(frozen=True)
class _SampleInputs:
    """One sample's scores and evidence besides its probabilities."""

    lineage_b: float
    lineage_t: float
    ood: float
    marrow: float
    marrow_limit: float
    missing: float
    blast: float | None
    fusions: Sequence[Fusion] | None


def _decide_sample(
    sid: str, p: dict[str, float], values: np.ndarray, x: _SampleInputs, s: CallSettings
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One sample through the rules, in order: lineage, QC flags, expression call, the
    fusion and lineage rules, the confidence tier, then the Ph / DUX4 columns.

    ``p``: class -> probability (model class order); ``values``: the same as an array.
    """
    classes = list(p)
    order = np.argsort(-values, kind="stable")
    top, top_p = classes[order[0]], p[classes[order[0]]]
    second_p = p[classes[order[1]]] if len(order) > 1 else 0.0
    candidates = [c for c in classes if p[c] >= s.candidate_probability]
    candidates.sort(key=lambda c: -p[c])
    measured = 1.0 - x.missing
    if measured < s.min_measured_panel_fraction:
        return _insufficient_row(sid, measured, top_p, s), {
            "rule": "insufficient_data",
            "measured_panel_fraction": round(measured, 6),
            "min_measured_panel_fraction": s.min_measured_panel_fraction,
            "fusion_data": "given" if x.fusions is not None else "not_given",
            "top_class": top,
            "top_probability": round(top_p, 6),
            "candidates": [],
        }
    lineage = _lineage_rule(p, x, s)
    flags = _qc_flags(lineage, x, s)
    expr_call = _expression_call(top, top_p, second_p, candidates, s)
    expr_call, tier_p = _group_call(p, expr_call, s)
    assessed = x.fusions is not None
    fl = _fusions_ok(x.fusions or [], s)
    defining = [(f, st) for f in fl if (st := defining_subtype(f)) is not None]
    kinases = [(f, k) for f in fl if (k := kinase_class(f)) is not None]
    subtype, decided, rule, kin = _subtype_rules(
        lineage, expr_call, candidates, defining, kinases, assessed=assessed, flags=flags
    )
    if subtype in MUTATION_DEFINED:
        flags.append("mutation_not_assessed")
    unknown = [f.name for f in fl if not f.in_gene_table]
    if unknown:
        flags.append("fusion_gene_not_in_gene_table:" + ",".join(unknown))
    if kinases and subtype not in ("Ph-like", PH_GROUP):
        flags.append("kinase_fusion_without_ph_profile:" + kinases[0][0].name)
    called = subtype not in (UNCLASSIFIED, MULTIPLE)
    tier = _confidence_tier(
        subtype, decided=decided, rule=rule, kin=kin, top_p=tier_p, flags=flags, s=s
    )
    row = {
        "sample_id": sid,
        "subtype": subtype,
        "confidence_tier": tier,
        "top_probability": top_p,
        "candidates": ";".join(candidates),
        "lineage": lineage,
        **_ph_and_dux4(p, subtype, lineage, candidates, flags, called=called, s=s),
        "ph_like_kinase_class": kin if subtype == "Ph-like" else "",
        "decided_by": decided,
        "qc_flags": ";".join(flags),
    }
    row = {k: row[k] for k in _ROW_ORDER}
    record = {
        "rule": rule,
        "expression_call": expr_call,
        "top_class": top,
        "top_probability": round(top_p, 6),
        "runner_up_probability": round(second_p, 6),
        "threshold": s.threshold(top),
        "group_probability": round(tier_p, 6) if subtype in GROUP_TIER else None,
        "margin": s.margin,
        "candidates": candidates,
        "fusion_data": "given" if assessed else "not_given",
        "fusions_considered": [f.name for f in fl],
        "fusion_evidence": {
            f.name: {"confidence": f.confidence, "callers": list(f.callers)} for f in fl
        },
        "defining_fusions": [f"{f.name} -> {st}" for f, st in defining],
        "kinase_fusions": [f"{f.name} -> {k}" for f, k in kinases],
        "lineage_scores": {"B": round(x.lineage_b, 6), "T": round(x.lineage_t, 6)},
        "ood_score": round(x.ood, 6),
        "marrow_score": round(x.marrow, 6),
        "marrow_limit": round(x.marrow_limit, 6),
        "blast_fraction": x.blast,
    }
    if subtype in MUTATION_DEFINED:
        # the tier before the "mutation never seen in counts" cap, so that a detected
        # hotspot (allstrat.classify.consistency) can lift exactly this cap and no other
        record["tier_without_mutation_cap"] = _confidence_tier(
            subtype,
            decided=decided,
            rule=rule,
            kin=kin,
            top_p=tier_p,
            flags=flags,
            s=s,
            mutation_cap=False,
        )
    return row, record


_ROW_ORDER = (
    "sample_id", "subtype", "confidence_tier", "top_probability", "candidates", "lineage",
    "ph_group", "ph_like", "ph_like_kinase_class", "dux4", "decided_by", "qc_flags",
)  # fmt: skip


def _lineage_rule(p: dict[str, float], x: _SampleInputs, s: CallSettings) -> str:
    """Rule 1, lineage: B or T when one rank score leads by ``lineage_margin`` (T also
    needs the T-ALL probability threshold), else ``uncertain``.
    """
    b, t = x.lineage_b, x.lineage_t
    p_t = p.get(T_ALL, 1.0)
    if b - t >= s.lineage_margin:
        return "B"
    if t - b >= s.lineage_margin and p_t >= s.threshold(T_ALL):
        return "T"
    return "uncertain"


def _qc_flags(lineage: str, x: _SampleInputs, s: CallSettings) -> list[str]:
    """Rule 2, QC flags: lineage uncertain, out of distribution, low tumour content (marrow
    score or sheet blast fraction), missing panel genes.
    """
    flags: list[str] = []
    if lineage == "uncertain":
        flags.append("lineage_uncertain")
    if x.ood > s.max_ood_score:
        flags.append("out_of_distribution")
    if x.marrow > x.marrow_limit or (x.blast is not None and x.blast < s.min_blast_fraction):
        flags.append("low_tumour_content")
    if x.missing > s.max_missing_panel_fraction:
        flags.append("missing_panel_genes")
    return flags


def _expression_call(
    top: str, top_p: float, second_p: float, candidates: list[str], s: CallSettings
) -> str:
    """Rule 3, expression call: the top class when over its threshold and ``margin`` ahead
    of the runner-up; ``multiple`` with two or more candidates; else unclassified.
    """
    if top_p >= s.threshold(top) and top_p - second_p >= s.margin:
        return top
    if len(candidates) >= 2:
        return MULTIPLE
    return UNCLASSIFIED


def _subtype_rules(
    lineage: str,
    expr_call: str,
    candidates: list[str],
    defining: list[tuple[Fusion, str]],
    kinases: list[tuple[Fusion, str]],
    *,
    assessed: bool,
    flags: list[str],
) -> tuple[str, str, str, str]:
    """Rule 4, subtype: T lineage; T profile without T lineage; a defining fusion; the Ph
    group with / without BCR::ABL1 or kinase fusion; the ETV6::RUNX1 / KMT2A / ZNF384 groups
    and "-like" labels (``_fusion_group_rule``); other fusion-defined profiles without their
    fusion. Returns (subtype, decided_by, rule,
    kinase class) and appends flags.
    """
    if lineage == "T":
        return T_ALL, "expression", "lineage_T", ""
    if expr_call == T_ALL:
        flags.append("lineage_conflict")
        return (
            UNCLASSIFIED,
            "rule:t_all_profile_without_t_lineage",
            ("t_all_profile_without_t_lineage"),
            "",
        )
    if defining:
        st = defining[0][1]
        if _agrees(st, expr_call, candidates):
            decided = "expression+fusion"
        else:
            decided = "fusion"
            flags.append("fusion_expression_discordant")
        if len({d for _, d in defining}) > 1:
            flags.append("several_defining_fusions")
        return st, decided, f"fusion:{st}", ""
    if expr_call == PH_GROUP:
        if not assessed:
            flags.append("fusion_not_assessed")
            rule = "ph_profile_fusion_not_assessed"
            return PH_GROUP, f"rule:{rule}", rule, ""
        rule = "ph_profile_without_bcr_abl1"
        if kinases:
            return "Ph-like", "expression+fusion", rule, kinases[0][1]
        # absence of evidence: a caller can miss BCR::ABL1 (TKI-relevant)
        flags.append("bcr_abl1_not_detected")
        return "Ph-like", f"rule:{rule}", rule, "unknown"
    if (grp := _fusion_group_rule(expr_call, assessed)) is not None:
        # ETV6::RUNX1 / KMT2A / ZNF384 share their programme with a "-like" form: the label
        # needs fusion data; a "-like" label resting on a fusion NOT being reported
        # (callers miss the cryptic t(12;21) at times) is never confident
        subtype, rule, extra = grp
        flags.extend(extra)
        decided = "expression" if rule == "expression_threshold" else f"rule:{rule}"
        return subtype, decided, rule, ""
    if expr_call in FUSION_DEFINED:
        flags.append("defining_fusion_not_found" if assessed else "fusion_not_assessed")
    return expr_call, "expression", "expression_threshold", ""


def _confidence_tier(
    subtype: str,
    *,
    decided: str,
    rule: str,
    kin: str,
    top_p: float,
    flags: list[str],
    s: CallSettings,
    mutation_cap: bool = True,
) -> str:
    """Rule 5, confidence tier: none when not called; medium for fusion-only calls; else
    by ``high`` / ``medium`` probability; capped at medium for mutation-defined subtypes,
    at low for "-like" labels resting on a missing fusion and for QC-flagged samples.
    """
    called = subtype not in (UNCLASSIFIED, MULTIPLE)
    if not called:
        return "none"
    if decided == "fusion":
        tier = "medium"
    else:
        tier = "high" if top_p >= s.high else "medium" if top_p >= s.medium else "low"
    if mutation_cap and subtype in MUTATION_DEFINED and tier == "high":
        tier = "medium"  # the defining mutation is never seen in gene counts
    if rule.endswith("_without_fusion") or (
        rule == "ph_profile_without_bcr_abl1" and kin in ("", "unknown")
    ):
        tier = "low"  # the label rests on a fusion NOT being reported
    capped = {"out_of_distribution", "low_tumour_content", "lineage_uncertain"}
    if capped & set(flags) or "missing_panel_genes" in flags:
        tier = "low"
    return tier


def _ph_and_dux4(
    p: dict[str, float],
    subtype: str,
    lineage: str,
    candidates: list[str],
    flags: list[str],
    *,
    called: bool,
    s: CallSettings,
) -> dict[str, str]:
    """Rule 6, the ``ph_group`` / ``ph_like`` / ``dux4`` columns (``not_assessable`` where a
    call was not made or QC flags make a negative unreliable).
    """
    ph_group_prob = p.get(PH_GROUP, 0.0)
    ph_group = (
        "yes"
        if subtype in ("BCR::ABL1", "Ph-like", PH_GROUP)
        or (lineage != "T" and ph_group_prob >= s.threshold(PH_GROUP))
        else "no"
    )
    if subtype == "Ph-like":
        ph_like = "yes"
    elif subtype == PH_GROUP or (not called and PH_GROUP in candidates):
        ph_like = "not_assessable"
    else:
        ph_like = "no"
    if subtype == "DUX4" or (not called and "DUX4" in candidates):
        dux4 = "yes" if called else "not_assessable"
    elif called and not ({"out_of_distribution", "low_tumour_content"} & set(flags)):
        dux4 = "no"
    else:
        dux4 = "not_assessable"
    return {"ph_group": ph_group, "ph_like": ph_like, "dux4": dux4}
