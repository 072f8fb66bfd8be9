"""Reconcile the expression subtype call with the karyotype and hotspot evidence.

The classify stage calls subtypes from expression (+ fusions) before the copy-number stage
has looked at chromosome dosage, allele fractions and hotspot mutations. This module
(run by ``allstrat reconcile`` after both stages; risk, reports and ``calls.tsv`` read its
output) checks the call against that evidence and rewrites ``confidence_tier``,
``decided_by`` and ``qc_flags`` where they disagree. The subtype label itself is never
replaced: the expression profile is what it is, and a disagreement is a finding for a
person to review. Every sample records a ``consistency`` verdict and the rule that fired.

Verdicts: ``consistent`` (the evidence supports the call), ``partial`` (same direction,
different class), ``unresolved`` (the evidence cannot separate the call from its known
mimic), ``discordant`` (the evidence contradicts the call), ``not_assessable`` (no
evidence), ``not_applicable`` (the call is not a karyotype- or mutation-defined class).

**Karyotype rules** (first that fires; the karyotype class, counts, masked-hypodiploidy
warning and allele summaries come from :mod:`allstrat.copynumber.karyotype`,
:mod:`allstrat.copynumber.ploidy` and :mod:`allstrat.copynumber.allelic`):

K1. *Hyperdiploid* with a hyperdiploid class whose gains keep heterozygosity (RNA VCF:
    copy-number flag ``hyperdiploidy_heterozygous_gains``; DNA: segment BAF assessed and
    no masked warning) -> ``consistent`` whatever else is seen, without a tier cap (a
    count of 47-50 is flagged ``hyperdiploid_call_below_51_chromosomes``). No rule below
    may take a true hyperdiploid with allele data off its call (gains keep both parental alleles,
    trisomies at BAF ~1/3 and 2/3; DOMAIN.md §5 "Masked hypodiploidy": the discriminator
    is genome-wide LOH [S44, S25]).
K2. *Hyperdiploid* with a masked-hypodiploidy warning (genome-wide LOH with a
    hyperdiploid count) or a hypodiploid / diploid karyotype class -> ``discordant``.
K3. *Hyperdiploid* with a high-hyperdiploid class but no allele data, whose gained
    chromosomes all belong to the typical retained-disomy set of near-haploid /
    low-hypodiploid genomes (21, X/Y, 14, 18, 8, 10; Holmfeldt 2013 [S14], Safavi &
    Paulsson 2017 [S43]; the set is config ``copynumber.karyotype.retained_disomies``)
    -> ``unresolved``, flag ``masked_hypodiploidy_not_excluded``: ~half of < 40-chromosome
    cases double to 50-78 chromosomes and are misread as hyperdiploid (DOMAIN.md §5,
    S44); dosage alone cannot tell the two apart (RNAseqCNV [S5]).
K4. *Hyperdiploid* with a low-hyperdiploid class (47-50) -> ``partial`` (high
    hyperdiploidy is 51-67 chromosomes, DOMAIN.md §5 [S1, S8]); with gained chromosomes
    LOH but no genome-wide LOH -> ``partial``.
K5. *Near haploid* / *Low hypodiploid* with the same class -> ``consistent``; with the
    other hypodiploid class or high hypodiploid (the cut-offs differ between studies,
    DOMAIN.md §5 [S14, S43, S44]) -> ``partial``.
K6. *Near haploid* / *Low hypodiploid* with a hyperdiploid or diploid class from dosage
    only (no allele data) -> ``unresolved``, flag
    ``karyotype_unresolved_without_allele_data`` (a doubled hypodiploid reads
    hyperdiploid, a haploid baseline reads flat); with allele data or DNA segments
    showing heterozygous gains / a diploid genome -> ``discordant``.
K7. *iAMP21* with the copy-number ``iamp21 = yes`` (>= 5 RUNX1 copies / >= 3 extra on one
    chr21, DOMAIN.md §5 [S13, S45]) -> ``consistent``; ``no`` but chr21 / RUNX1 gained
    (DNA RUNX1 copy number >= ``iamp21_gain_min_cn``, or RNA dosage gain of chr21 / 21q)
    -> ``partial``; chr21 not gained -> ``discordant``. RNA dosage alone cannot count
    RUNX1 copies (``iamp21 = not_assessable``): a chr21 gain is ``partial`` support,
    no gain ``unresolved``.
K8. Any other B-lineage call decided by expression alone, with a near-haploid or
    low-hypodiploid class established by allele data or DNA segments -> ``discordant``
    (flag ``karyotype_suggests_hypodiploidy``): low hypodiploidy / near haploidy define
    their subtype and drive risk (DOMAIN.md §5, S14); the expression profile of a
    hypodiploid case is not reliably distinct. Fusion-decided calls are left alone.

**Hotspot rules** (status from :mod:`allstrat.classify.hotspots`, computed by the
copy-number stage from the sample's VCF; DOMAIN.md §8):

M1. A mutation-defined call (PAX5 P80R, IKZF1 N159Y) whose hotspot is ``detected``:
    ``mutation_not_assessed`` is cleared, ``decided_by`` becomes ``expression+mutation``
    and the ``medium`` cap that the classify stage puts on these calls (the mutation is
    never seen in gene counts) is lifted (the tier the probability and QC flags give).
M2. ... whose site is covered without the variant (``not_detected``): flag
    ``defining_mutation_not_found`` replaces ``mutation_not_assessed``; ``decided_by``
    ``rule:mutation_not_found``; tier capped at ``mutation_not_found_tier`` (``low``:
    the label then rests on expression alone against direct evidence, as for "-like"
    labels whose fusion is not reported).
M3. ... whose site is not assessable (no VCF, site absent, too shallow, no coordinates
    on the build): ``mutation_not_assessed`` stays, with the reason.
M4. A ZEB2/CEBP call with ZEB2 p.H1038R detected: support recorded (``decided_by``
    gains ``+mutation``); the fusion flags stay (the mutation is a signature, not the
    defining lesion, S5). A defining hotspot detected in a sample called something else:
    flag ``defining_mutation_detected_other_call``, no tier change.

Tier consequences (config ``consistency``; UNVERIFIED modelling choices):
``discordant`` caps at ``discordant_tier`` (``low``: with the default risk setting
``min_confidence_tier: medium`` the risk stage then does not use the label and relies on
the copy-number facts), ``unresolved`` and ``partial`` cap at ``unresolved_tier``
(``medium``). A discordant call's ``decided_by`` is ``rule:subtype_karyotype_discordant``
(K8: ``rule:hypodiploid_karyotype_other_subtype``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from allstrat.config import FROM_SCHEMA, schema_defaults

__all__ = [
    "ConsistencySettings",
    "Verdict",
    "check_hotspots",
    "check_karyotype",
    "karyotype_evidence",
    "reconcile_call",
    "reconcile_table",
]

TIERS = ("none", "low", "medium", "high")
HYPERDIPLOID = "Hyperdiploid"
HYPODIPLOID_CALLS = {"Near haploid": "near_haploid", "Low hypodiploid": "low_hypodiploid"}
HYPO_CLASSES = ("near_haploid", "low_hypodiploid", "high_hypodiploid")
HYPER_CLASSES = ("high_hyperdiploid", "low_hyperdiploid")
MUTATION_CALLS = {"PAX5 P80R": "PAX5 P80R", "IKZF1 N159Y": "IKZF1 N159Y"}
SIGNATURE_HOTSPOTS = {"ZEB2/CEBP": "ZEB2 H1038R"}
NOT_CALLS = ("unclassified", "multiple candidates", "T-ALL")


@dataclass(frozen=True)
@schema_defaults("consistency")
class ConsistencySettings:
    """Tier consequences and the one numeric threshold (config ``consistency``)."""

    discordant_tier: str = FROM_SCHEMA
    unresolved_tier: str = FROM_SCHEMA
    mutation_not_found_tier: str = FROM_SCHEMA
    iamp21_gain_min_cn: float = FROM_SCHEMA
    hypodiploid_karyotype_checks_other_calls: bool = FROM_SCHEMA

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready copy."""
        return asdict(self)


@dataclass
class Verdict:
    """Outcome of one check: verdict, rule id, flags to add / remove, tier cap, detail."""

    verdict: str
    rule: str
    add_flags: list[str] = field(default_factory=list)
    remove_flags: list[str] = field(default_factory=list)
    cap: str | None = None
    detail: str = ""
    decided_by: str | None = None
    lift_mutation_cap: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready record (empty fields dropped)."""
        out: dict[str, Any] = {"verdict": self.verdict, "rule": self.rule, "detail": self.detail}
        if self.add_flags:
            out["flags"] = list(self.add_flags)
        if self.cap:
            out["tier_cap"] = self.cap
        return out


def _split(value: Any) -> list[str]:
    return [v for v in str(value or "").split(";") if v]


def karyotype_evidence(cn_row: Mapping[str, Any] | None, evidence: Mapping | None) -> dict:
    """What the copy-number stage knows about the karyotype of one sample.

    Returns ``class``, ``modal``, ``masked``, ``source`` (``dna_segments``, ``rna_dosage``,
    ``alleles`` or ``none``), ``alleles`` (``vcf``, ``dna_baf`` or ``none``), ``flags``
    (copy-number QC flags), ``iamp21``, ``chr21_gain`` (True / False / None) and
    ``hetero_gains`` (gains shown heterozygous).
    """
    ev = dict(evidence or {})
    if cn_row is None:
        return {
            "class": "not_assessable",
            "source": "none",
            "alleles": "none",
            "flags": [],
            "masked": "not_assessable",
            "modal": None,
            "iamp21": "not_assessable",
            "chr21_gain": None,
            "hetero_gains": False,
        }
    flags = _split(cn_row.get("cn_qc_flags"))
    klass = str(cn_row.get("karyotype_class") or "not_assessable")
    src = str(cn_row.get("cn_source") or "none")
    vcf = cn_row.get("allelic_evidence") == "assessed" and "allele_data_incomplete" not in flags
    dna_baf = (ev.get("allelic_dna") or {}).get("status") == "assessed"
    alleles = "vcf" if vcf else "dna_baf" if dna_baf else "none"
    if klass == "not_assessable":
        source = "none"
    elif src == "DNA":
        source = "dna_segments"
    elif "karyotype_from_allelic_loh" in flags or src != "RNA":
        source = "alleles"
    else:
        source = "rna_dosage"
    masked = str(cn_row.get("masked_hypodiploidy_warning") or "not_assessable")
    hetero = "hyperdiploidy_heterozygous_gains" in flags or (
        alleles == "dna_baf" and source == "dna_segments" and masked == "no"
    )
    modal = str(cn_row.get("modal_chromosome_number") or "")
    return {
        "class": klass,
        "modal": int(modal) if modal.isdigit() else None,
        "masked": masked,
        "source": source,
        "alleles": alleles,
        "flags": flags,
        "iamp21": str(cn_row.get("iamp21") or "not_assessable"),
        "chr21_gain": _chr21_gain(src, ev),
        "hetero_gains": hetero,
    }


def _chr21_gain(cn_source: str, ev: Mapping) -> bool | float | None:
    """RNA: chr21 / 21q dosage state is a gain; DNA: the RUNX1 copy number (float)."""
    if cn_source == "RNA":
        regions = (ev.get("rna_dosage") or {}).get("regions") or {}
        states = [(regions.get(r) or {}).get("state") for r in ("chr21", "chr21q")]
        if not any(states):
            return None
        return "gain" in states
    cn = (ev.get("iamp21") or {}).get("runx1_max_cn")
    return float(cn) if isinstance(cn, int | float) else None


def check_karyotype(call: str, k: Mapping[str, Any], s: ConsistencySettings) -> Verdict:
    """Karyotype rules K1-K8 (module docstring) for one call and its evidence."""
    if call == HYPERDIPLOID:
        return _hyperdiploid(k, s)
    if call in HYPODIPLOID_CALLS:
        return _hypodiploid(call, k, s)
    if call == "iAMP21":
        return _iamp21(k, s)
    return Verdict("not_applicable", "not_a_karyotype_class")


def _where(k: Mapping[str, Any]) -> str:
    src = {
        "dna_segments": "DNA segments",
        "rna_dosage": "RNA dosage",
        "alleles": "genome-wide LOH",
    }.get(k["source"], k["source"])
    al = {"vcf": " + RNA VCF allele fractions", "dna_baf": " + segment BAF"}.get(k["alleles"], "")
    n = f", {k['modal']} chromosomes" if k.get("modal") else ""
    return f"{k['class']}{n} ({src}{al})"


def _hyperdiploid(k: Mapping[str, Any], s: ConsistencySettings) -> Verdict:
    """K1-K4."""
    where, klass = _where(k), k["class"]
    if k["source"] == "none":
        return Verdict("not_assessable", "karyotype_not_assessable", detail="no karyotype evidence")
    if k["hetero_gains"] and klass in HYPER_CLASSES:
        low = ["hyperdiploid_call_below_51_chromosomes"] if klass == "low_hyperdiploid" else []
        return Verdict(
            "consistent",
            "hyperdiploid_heterozygous_gains",
            low,
            detail=f"{where}: gained chromosomes keep both parental alleles",
        )
    disc = ["subtype_karyotype_discordant"]
    rule_by = "rule:subtype_karyotype_discordant"
    if k["masked"] == "yes":
        return Verdict(
            "discordant",
            "hyperdiploid_call_masked_hypodiploidy",
            disc,
            cap=s.discordant_tier,
            decided_by=rule_by,
            detail=f"{where}: genome-wide LOH, a doubled hypodiploid",
        )
    if klass in (*HYPO_CLASSES, "diploid"):
        return Verdict(
            "discordant",
            f"hyperdiploid_call_{klass}_karyotype",
            disc,
            cap=s.discordant_tier,
            decided_by=rule_by,
            detail=where,
        )
    if klass == "low_hyperdiploid":
        return Verdict(
            "partial",
            "hyperdiploid_call_low_hyperdiploid_count",
            ["hyperdiploid_call_below_51_chromosomes"],
            cap=s.unresolved_tier,
            detail=f"{where}: high hyperdiploidy is 51-67 chromosomes",
        )
    if "gained_chromosomes_loh" in k["flags"]:
        return Verdict(
            "partial",
            "hyperdiploid_gains_loh",
            ["hyperdiploid_gains_loh"],
            cap=s.unresolved_tier,
            detail=f"{where}: gained chromosomes show LOH",
        )
    if k["alleles"] == "none" and "masked_hypodiploidy_not_excluded" in k["flags"]:
        return Verdict(
            "unresolved",
            "hyperdiploid_gains_are_retained_disomy_set",
            ["masked_hypodiploidy_not_excluded"],
            cap=s.unresolved_tier,
            detail=f"{where}: every gained chromosome is a typical retained "
            "disomy of a doubled near-haploid / low-hypodiploid genome; no "
            "allele data to tell them apart",
        )
    return Verdict("consistent", "hyperdiploid_karyotype_agrees", detail=where)


def _hypodiploid(call: str, k: Mapping[str, Any], s: ConsistencySettings) -> Verdict:
    """K5-K6."""
    where, klass, want = _where(k), k["class"], HYPODIPLOID_CALLS[call]
    if k["source"] == "none":
        return Verdict("not_assessable", "karyotype_not_assessable", detail="no karyotype evidence")
    if klass == want:
        return Verdict("consistent", f"{want}_karyotype_agrees", detail=where)
    if klass in HYPO_CLASSES:
        return Verdict(
            "partial",
            "hypodiploid_class_differs",
            ["hypodiploid_class_differs"],
            cap=s.unresolved_tier,
            detail=where,
        )
    if k["alleles"] == "none" and k["source"] == "rna_dosage":
        return Verdict(
            "unresolved",
            "hypodiploid_call_dosage_only",
            ["karyotype_unresolved_without_allele_data"],
            cap=s.unresolved_tier,
            detail=f"{where}: dosage alone reads a doubled hypodiploid as "
            "hyperdiploid and a haploid baseline as flat",
        )
    return Verdict(
        "discordant",
        f"{want}_call_{klass}_karyotype",
        ["subtype_karyotype_discordant"],
        cap=s.discordant_tier,
        decided_by="rule:subtype_karyotype_discordant",
        detail=where,
    )


def _iamp21(k: Mapping[str, Any], s: ConsistencySettings) -> Verdict:
    """K7."""
    raw = k.get("chr21_gain")
    gain: bool | None
    if isinstance(raw, float):
        gain_txt, gain = f"RUNX1 copy number {raw:g}", raw >= s.iamp21_gain_min_cn
    else:
        gain = raw if isinstance(raw, bool) else None
        gain_txt = {True: "chr21 dosage gain", False: "no chr21 dosage gain", None: ""}[gain]
    if k["iamp21"] == "yes":
        return Verdict("consistent", "iamp21_copy_number_agrees", detail="iAMP21 criteria met")
    if gain is None:
        return Verdict("not_assessable", "chr21_not_assessable", detail="no chr21 evidence")
    if gain:
        return Verdict(
            "partial",
            "iamp21_call_chr21_gain",
            ["iamp21_criteria_not_met"],
            cap=s.unresolved_tier if k["iamp21"] == "no" else None,
            detail=f"{gain_txt}; iAMP21 criteria: {k['iamp21']}",
        )
    if k["iamp21"] == "no":
        return Verdict(
            "discordant",
            "iamp21_call_without_chr21_gain",
            ["subtype_karyotype_discordant"],
            cap=s.discordant_tier,
            decided_by="rule:subtype_karyotype_discordant",
            detail=gain_txt,
        )
    return Verdict(
        "unresolved",
        "iamp21_call_without_chr21_dosage_gain",
        ["iamp21_without_chr21_gain"],
        cap=s.unresolved_tier,
        detail=gain_txt,
    )


def _other_call(
    call: str, decided_by: str, k: Mapping[str, Any], s: ConsistencySettings
) -> Verdict:
    """K8: a hypodiploid genome under another expression-only call."""
    trusted = k["source"] == "dna_segments" or k["alleles"] != "none"
    if (
        s.hypodiploid_karyotype_checks_other_calls
        and call not in NOT_CALLS
        and decided_by == "expression"
        and k["class"] in ("near_haploid", "low_hypodiploid")
        and trusted
    ):
        return Verdict(
            "discordant",
            "hypodiploid_karyotype_other_subtype",
            ["karyotype_suggests_hypodiploidy"],
            cap=s.discordant_tier,
            decided_by="rule:hypodiploid_karyotype_other_subtype",
            detail=f"{_where(k)} under an expression-only {call} call",
        )
    return Verdict("not_applicable", "not_a_karyotype_class")


def check_hotspots(call: str, hotspots: Mapping[str, Mapping], s: ConsistencySettings) -> Verdict:
    """Hotspot rules M1-M4 (module docstring)."""
    name = MUTATION_CALLS.get(call) or SIGNATURE_HOTSPOTS.get(call)
    if name is None:
        found = [n for n, h in hotspots.items() if h.get("status") == "detected"]
        if found and call not in NOT_CALLS:
            return Verdict(
                "unexpected",
                "defining_mutation_in_other_call",
                ["defining_mutation_detected_other_call"],
                detail=f"{', '.join(found)} detected under a {call} call",
            )
        return Verdict("not_applicable", "no_defining_hotspot")
    h = dict(hotspots.get(name) or {"status": "not_assessable", "reason": "not computed"})
    st = h.get("status", "not_assessable")
    how = h.get("matched_by", "")
    if st == "detected":
        det = f"{name} detected (VAF {h.get('vaf')}, {h.get('alt_reads')} ALT reads, {how})"
        return Verdict(
            "consistent",
            f"mutation_detected:{name}",
            remove_flags=["mutation_not_assessed"],
            detail=det,
            decided_by="+mutation",
            lift_mutation_cap=call in MUTATION_CALLS,
        )
    if st == "not_detected" and call in MUTATION_CALLS:
        return Verdict(
            "discordant",
            f"mutation_not_found:{name}",
            ["defining_mutation_not_found"],
            ["mutation_not_assessed"],
            cap=s.mutation_not_found_tier,
            decided_by="rule:mutation_not_found",
            detail=f"{name} site covered (depth {h.get('depth')}) without the variant",
        )
    if st == "not_detected":
        return Verdict(
            "not_found",
            f"mutation_not_found:{name}",
            detail=f"{name} site covered (depth {h.get('depth')}) without the variant",
        )
    return Verdict(
        "not_assessable",
        f"mutation_not_assessable:{name}",
        detail=f"{name}: {h.get('reason', 'not assessable')}",
    )


def _cap(tier: str, cap: str | None) -> str:
    if cap is None or tier == "none":
        return tier
    return min(tier, cap, key=TIERS.index)


def reconcile_call(
    row: Mapping[str, Any],
    cn_row: Mapping[str, Any] | None,
    *,
    evidence: Mapping | None = None,
    decision: Mapping | None = None,
    settings: ConsistencySettings | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Reconcile one classify row with its copy-number row and evidence.

    Parameters
    ----------
    row
        The sample's classify-table row (``subtype``, ``confidence_tier``,
        ``decided_by``, ``qc_flags``, ...).
    cn_row
        Its copy-number row, or None (no copy-number stage).
    evidence
        Its copy-number evidence (``hotspots``, ``allelic_dna``, ``iamp21``,
        ``rna_dosage``).
    decision
        The classify decision record (``tier_without_mutation_cap``).
    settings
        Tier consequences.

    Returns
    -------
    tuple
        The updated row (a copy) and the consistency record for the explanation.
    """
    s = settings or ConsistencySettings()
    out = dict(row)
    call, tier = str(row["subtype"]), str(row["confidence_tier"])
    hot = ((evidence or {}).get("hotspots") or {}).get("calls") or {}
    hv = check_hotspots(call, hot, s)
    flags = _split(row.get("qc_flags"))
    decided = str(row.get("decided_by", ""))
    if hv.lift_mutation_cap and tier == "medium" and decision:
        tier = str(decision.get("tier_without_mutation_cap", tier))
    k = karyotype_evidence(cn_row, evidence)
    kv = check_karyotype(call, k, s)
    for i, v in enumerate((hv, kv)):
        if i == 1 and v.verdict == "not_applicable":
            # K8 after the hotspot rules: a call its mutation confirms is not expression-only
            kv = v = _other_call(call, decided, k, s)
        flags = [f for f in flags if f not in v.remove_flags] + v.add_flags
        tier = _cap(tier, v.cap)
        if v.decided_by == "+mutation":
            decided = decided if decided.startswith("rule:") else f"{decided}+mutation"
        elif v.decided_by:
            decided = v.decided_by
    out.update(
        {"confidence_tier": tier, "decided_by": decided, "qc_flags": ";".join(dict.fromkeys(flags))}
    )
    record = {
        "karyotype": {
            **kv.as_dict(),
            "evidence": {x: k[x] for x in ("class", "modal", "masked", "source", "alleles")},
        },
        "hotspot": hv.as_dict(),
        "before": {
            "confidence_tier": row["confidence_tier"],
            "decided_by": row.get("decided_by", ""),
            "qc_flags": row.get("qc_flags", ""),
        },
        "changed": out["confidence_tier"] != row["confidence_tier"]
        or out["decided_by"] != row.get("decided_by", "")
        or out["qc_flags"] != row.get("qc_flags", ""),
        "settings": s.as_dict(),
    }
    return out, record


def reconcile_table(
    rows: list[dict[str, Any]],
    cn_rows: Mapping[str, Mapping[str, Any]],
    *,
    evidence: Mapping[str, Any],
    explain: Mapping[str, Any],
    settings: ConsistencySettings,
) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    """Reconcile every classify row; returns new rows, explanations (with a ``consistency``
    record; their tier / decided_by / flags copies follow the table) and the change count.
    """
    out, samples, changed = [], {}, 0
    for row in rows:
        sid = row["sample_id"]
        exp = dict(explain.get(sid) or {})
        new, record = reconcile_call(
            row,
            cn_rows.get(sid),
            evidence=evidence.get(sid),
            decision=exp.get("decision"),
            settings=settings,
        )
        changed += bool(record["changed"])
        out.append(new)
        exp.update({k: new[k] for k in ("confidence_tier", "decided_by", "qc_flags") if k in exp})
        samples[sid] = {**exp, "consistency": record}
    return out, samples, changed
