"""Per-sample copy-number calling: one row of ``contracts.COPYNUMBER_COLUMNS`` + evidence.

The settings are the ``copynumber:`` section of the config; their defaults and sources
live in ``workflow/schemas/config.schema.yaml`` only (:func:`allstrat.config.schema_defaults`).
Library code never reads the workflow config itself: the CLI builds the settings with
``allstrat.config.load_section("copynumber", section)``.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from allstrat.classify.hotspots import HotspotSettings
from allstrat.config import FROM_SCHEMA, schema_defaults
from allstrat.contracts import COPYNUMBER_COLUMNS, LESION_GENES, LESION_STATES
from allstrat.copynumber import allelic, lesions, mlpa, ploidy, rna_dosage
from allstrat.copynumber.allelic import AllelicSettings
from allstrat.copynumber.build_check import BuildCheckSettings
from allstrat.copynumber.ikzf1plus import call_ikzf1plus
from allstrat.copynumber.karyotype import KaryotypeSettings
from allstrat.copynumber.lesions import CnThresholds, LesionCall
from allstrat.copynumber.mlpa import MlpaThresholds
from allstrat.copynumber.ploidy import FAVOURABLE_TRISOMIES, PloidyCutoffs
from allstrat.copynumber.rna_dosage import RnaDosageSettings
from allstrat.copynumber.segments import (
    SegmentArrays,
    normalise_segment_arrays,
    validate_segment_arrays,
)
from allstrat.copynumber.ukall import ukall_cna_profile
from allstrat.errors import InputError
from allstrat.tall.mutations import DriverMutationSettings

logger = logging.getLogger(__name__)

#: Lesions called gene by gene (from segments or probes): the lesion genes of the output
#: contract (:data:`allstrat.contracts.LESION_GENES`, the one list) except the PAR1
#: region, which has its own rule. IKZF1 comes first; on segments it also gets its type.
GENE_LESIONS: tuple[str, ...] = tuple(g for g in LESION_GENES if g != "PAR1")


@dataclass(frozen=True)
@schema_defaults("copynumber.segments")
class SegmentSettings:
    """Diploid-baseline search (see :func:`segments.find_diploid_baseline`)."""

    bandwidth: float = FROM_SCHEMA
    min_peak_height: float = FROM_SCHEMA
    max_state: int = FROM_SCHEMA
    baf_weight: float = FROM_SCHEMA
    tie_tolerance: float = FROM_SCHEMA
    default_purity: float = FROM_SCHEMA


@dataclass(frozen=True)
@schema_defaults("copynumber.masked_hypodiploidy")
class MaskedSettings:
    """Masked-hypodiploidy test from BAF (UNVERIFIED thresholds)."""

    loh_baf_margin: float = FROM_SCHEMA
    min_loh_fraction: float = FROM_SCHEMA


@dataclass(frozen=True)
@schema_defaults("copynumber.arms")
class ArmSettings:
    """Arm / whole-chromosome state rules."""

    min_arm_coverage: float = FROM_SCHEMA
    whole_chrom_min_fraction: float = FROM_SCHEMA


@dataclass(frozen=True)
@schema_defaults("copynumber.iamp21")
class Iamp21Settings:
    """iAMP21 from segments (min_cn per S13/S45; pattern rule UNVERIFIED)."""

    min_cn: float = FROM_SCHEMA
    min_states_on_21q: int = FROM_SCHEMA


@dataclass(frozen=True)
@schema_defaults("copynumber.ikzf1plus")
class Ikzf1plusSettings:
    """IKZF1plus options (PAX5 focal-vs-any loss is UNVERIFIED)."""

    pax5_states: tuple[str, ...] = FROM_SCHEMA


@dataclass(frozen=True)
@schema_defaults("copynumber")
class CopyNumberSettings:
    """Every threshold of the copy-number stage."""

    segments: SegmentSettings = FROM_SCHEMA
    thresholds: CnThresholds = FROM_SCHEMA
    mlpa: MlpaThresholds = FROM_SCHEMA
    ploidy: PloidyCutoffs = FROM_SCHEMA
    arms: ArmSettings = FROM_SCHEMA
    masked_hypodiploidy: MaskedSettings = FROM_SCHEMA
    iamp21: Iamp21Settings = FROM_SCHEMA
    ikzf1plus: Ikzf1plusSettings = FROM_SCHEMA
    rna: RnaDosageSettings = FROM_SCHEMA
    allelic: AllelicSettings = FROM_SCHEMA
    karyotype: KaryotypeSettings = FROM_SCHEMA
    hotspots: HotspotSettings = FROM_SCHEMA
    driver_mutations: DriverMutationSettings = FROM_SCHEMA
    build_check: BuildCheckSettings = FROM_SCHEMA

    def as_dict(self) -> dict:
        """JSON-ready copy (recorded in every evidence file)."""
        return dataclasses.asdict(self)


@dataclass
class SampleResult:
    """The output row and its evidence."""

    row: dict
    evidence: dict


def _empty_row(sample_id: str, source: str) -> dict:
    row = dict.fromkeys(COPYNUMBER_COLUMNS, "")
    row["sample_id"] = sample_id
    row["cn_source"] = source
    for g in LESION_GENES:
        row[f"{g.lower()}_status"] = "not_assessable"
    row.update(
        ikzf1plus="not_assessable",
        dux4_erg="not_assessable",
        karyotype_class="not_assessable",
        masked_hypodiploidy_warning="not_assessable",
        iamp21="not_assessable",
        ukall_cna_profile="not_assessable",
        allelic_evidence="not_given",
        oncogenetic_class="not_assessable",
    )
    return row


def combine_dux4_erg(dux4: str | None, erg_status: str) -> tuple[str, list[str]]:
    """``dux4_erg`` from the expression DUX4 call and the ERG deletion status.

    Parameters
    ----------
    dux4
        Classify-stage ``dux4`` column (``yes``/``no``), ``None`` when no classify table.
    erg_status
        ERG lesion state.

    Returns
    -------
    (value, flags)
        ``DUX4-r/ERG-deleted``, ``DUX4-r/ERG-intact``, ``DUX4-r/ERG-not_assessable``,
        ``no`` or ``not_assessable`` (no DUX4 call available).
    """
    flags: list[str] = []
    deleted = erg_status in ("deleted", "homozygous_deleted")
    if dux4 == "yes":
        if deleted:
            return "DUX4-r/ERG-deleted", flags
        if erg_status == "not_assessable":
            return "DUX4-r/ERG-not_assessable", flags
        return "DUX4-r/ERG-intact", flags
    if deleted:
        flags.append("erg_deleted_without_dux4_expression_call")
    if dux4 == "no":
        return "no", flags
    return "not_assessable", flags


def _finish(
    row: dict,
    calls: dict[str, LesionCall],
    ev: dict,
    flags: list[str],
    *,
    ikzf1_type: str,
    dux4: str | None,
    settings: CopyNumberSettings,
) -> SampleResult:
    status = {g: calls[g].status if g in calls else "not_assessable" for g in LESION_GENES}
    for g in LESION_GENES:
        assert status[g] in LESION_STATES, status[g]
        row[f"{g.lower()}_status"] = status[g]
        if g in calls:
            flags.extend(calls[g].flags)
    row["ikzf1_deletion_type"] = ikzf1_type
    plus, reason = call_ikzf1plus(status, pax5_states=settings.ikzf1plus.pax5_states)
    row["ikzf1plus"] = plus
    row["dux4_erg"], f2 = combine_dux4_erg(dux4, status["ERG"])
    flags.extend(f2)
    profile, deleted = ukall_cna_profile(status)
    row["ukall_cna_profile"] = profile
    row["cn_qc_flags"] = ";".join(dict.fromkeys(flags))
    ev["calls"] = {
        g: {"status": calls[g].status, "flags": calls[g].flags, **calls[g].evidence} for g in calls
    }
    ev["ikzf1_deletion_type"] = ikzf1_type
    ev["ikzf1plus"] = {"result": plus, "reason": reason, "rule": "Stanulla et al. JCO 2018"}
    ev["dux4_erg"] = {"dux4_expression_call": dux4, "erg_status": status["ERG"]}
    ev["ukall_cna_profile"] = {"result": profile, "deleted": deleted}
    return SampleResult(row, ev)


def _asdict(settings: object) -> dict:
    """``dataclasses.asdict`` of a (frozen) settings object, computed once per object."""
    key = id(settings)
    hit = _ASDICT.get(key)
    if hit is None or hit[0] is not settings:
        if len(_ASDICT) >= 64:
            _ASDICT.clear()
        hit = _ASDICT[key] = (settings, dataclasses.asdict(settings))  # type: ignore[call-overload]
    return copy.deepcopy(hit[1]) if _has_containers(hit[1]) else dict(hit[1])


_ASDICT: dict[int, tuple[object, dict]] = {}


def _has_containers(d: dict) -> bool:
    return any(isinstance(v, (dict, list)) for v in d.values())


def _state_evidence(rec: dict) -> dict:
    """One chromosome's state record as evidence (NaN mean_cn -> None)."""
    return {
        k: (None if v is None or v != v else (int(v) if k.endswith("state") else float(v)))
        for k, v in rec.items()
    }


def _iamp21(
    norm: SegmentArrays,
    genes: pd.DataFrame,
    states: ploidy.StateRecords,
    s: CopyNumberSettings,
    genome_build: str,
) -> tuple[str, dict]:
    """iAMP21 from segments at the build's RUNX1 locus (not assessable without one)."""
    span = lesions.gene_span(genes, "RUNX1")
    if span is None:  # no trusted RUNX1 locus in this build: never a guess
        return "not_assessable", {"reason": f"no RUNX1 coordinates for {genome_build}"}
    return ploidy.call_iamp21(
        norm,
        span,
        states,
        min_cn=s.iamp21.min_cn,
        min_states_on_21q=s.iamp21.min_states_on_21q,
    )


def call_from_segments(
    segments: pd.DataFrame,
    *,
    sample_id: str,
    genes: pd.DataFrame,
    chromosomes: pd.DataFrame,
    exons: pd.DataFrame | None,
    blast_fraction: float | None = None,
    genome_build: str = "GRCh38",
    dux4: str | None = None,
    settings: CopyNumberSettings | None = None,
    source: str | None = None,
) -> SampleResult:
    """Call every lesion, ploidy and iAMP21 for one sample from its segments.

    Parameters
    ----------
    segments
        Segments of this sample (reader contract).
    sample_id
        The sample.
    genes
        Gene table (``GeneTable.table``: symbol index, chrom, start, end).
    chromosomes
        Chromosome table (:func:`resources.load_chromosomes`).
    exons
        Lesion exon table or None.
    blast_fraction
        Blast fraction 0–1, or None/NaN when unknown.
    genome_build
        Build stated by the sample sheet.
    dux4
        Classify-stage DUX4 call or None.
    settings
        Thresholds.
    source
        Input file name for messages.

    Returns
    -------
    SampleResult
    """
    s = settings or CopyNumberSettings()
    seg = validate_segment_arrays(
        segments,
        chromosomes=chromosomes,
        sample_id=sample_id,
        genome_build=genome_build,
        source=source,
    )
    purity = None if blast_fraction is None or math.isnan(blast_fraction) else blast_fraction
    if purity is not None and purity <= 0:
        raise InputError("blast_fraction must be > 0 to call copy number", sample=sample_id)
    norm, base = normalise_segment_arrays(seg, purity=purity, **_asdict(s.segments))
    th = s.thresholds
    row = _empty_row(sample_id, "DNA")
    flags: list[str] = []
    if base.purity_source == "assumed":
        flags.append("purity_unknown_assumed")
    if base.ambiguous:
        flags.append("diploid_baseline_ambiguous")
    calls: dict[str, LesionCall] = {}
    ikzf1, ikzf1_type = lesions.call_ikzf1(norm, genes, exons, thresholds=th)
    calls["IKZF1"] = ikzf1
    for g in GENE_LESIONS:
        if g != "IKZF1":
            calls[g] = lesions.call_gene(norm, g, genes, thresholds=th)
    calls["PAR1"] = lesions.call_par1(norm, genes, thresholds=th)
    states = ploidy.chromosome_state_records(
        norm,
        chromosomes,
        min_arm_coverage=s.arms.min_arm_coverage,
        whole_chrom_min_fraction=s.arms.whole_chrom_min_fraction,
    )
    sex, convention = ploidy.infer_sex(states, norm)
    n, pflags, deltas = ploidy.modal_number(states, sex=sex, convention=convention)
    flags.extend(pflags)
    kclass, kflags = s.ploidy.classify(n)
    flags.extend(kflags)
    row["modal_chromosome_number"] = "" if n is None else str(n)
    row["karyotype_class"] = kclass
    row["favourable_trisomies"] = ";".join(
        f"+{c[3:]}" for c in FAVOURABLE_TRISOMIES if deltas.get(c, 0) > 0
    )
    loh = ploidy.loh_fraction(
        norm, purity=base.purity, loh_margin=s.masked_hypodiploidy.loh_baf_margin
    )
    masked_ev: dict = {}
    if loh is not None:  # else stays not_assessable (_empty_row)
        masked = loh >= s.masked_hypodiploidy.min_loh_fraction
        row["masked_hypodiploidy_warning"] = "yes" if masked else "no"
        if masked and n is not None and n >= s.ploidy.low_hyperdiploid_min:
            # genome-wide LOH is not the biology of high hyperdiploidy: the count is that of
            # a doubled hypodiploid (or a near-haploid read at the wrong level, which log2
            # and BAF cannot tell apart); classify by the un-doubled count (DOMAIN.md §5)
            halved = round(n / 2)
            kclass, kflags = s.ploidy.classify(halved)
            row["karyotype_class"] = kclass
            flags.append("karyotype_from_halved_count_masked_hypodiploidy")
            masked_ev = {"count_as_measured": n, "undoubled_count": halved, "class": kclass}
    iamp, iev = _iamp21(norm, genes, states, s, genome_build)
    row["iamp21"] = iamp
    ev: dict = {
        "cn_source": "DNA",
        "input": {"format": "segments", "file": source, "n_segments": len(seg)},
        "baseline": base.as_dict(),
        "ploidy": {
            "modal_chromosome_number": n,
            "karyotype_class": row["karyotype_class"],
            "sex": sex,
            "male_sex_chromosome_convention": convention,
            "whole_chromosome_changes": deltas,
            "chromosomes": {c: _state_evidence(rec) for c, rec in states.items()},
            "cutoffs": _asdict(s.ploidy),
        },
        "masked_hypodiploidy": {
            "loh_fraction": None if loh is None else round(loh, 4),
            "reclassified": masked_ev,
            **_asdict(s.masked_hypodiploidy),
        },
        "iamp21": iev,
        "thresholds": _asdict(th),
        "allelic_dna": allelic.summarise_segment_baf(norm, purity=base.purity, settings=s.allelic),
    }
    return _finish(row, calls, ev, flags, ikzf1_type=ikzf1_type, dux4=dux4, settings=s)


def call_from_mlpa(
    probes: pd.DataFrame,
    *,
    sample_id: str,
    genes: pd.DataFrame,
    blast_fraction: float | None = None,
    genome_build: str = "GRCh38",
    dux4: str | None = None,
    settings: CopyNumberSettings | None = None,
    source: str | None = None,
) -> SampleResult:
    """Call lesions for one sample from MLPA probe ratios (no ploidy from MLPA).

    Parameters are as for :func:`call_from_segments`; ``probes`` follows the MLPA reader
    contract. Probe positions, when given, must lie in their gene on GRCh38.
    """
    s = settings or CopyNumberSettings()
    if genome_build != "GRCh38":
        raise InputError(
            f"MLPA probe positions are {genome_build}; only GRCh38 is supported — lift over",
            path=source,
            sample=sample_id,
        )
    mlpa.check_probe_positions(
        probes, genes, sample_id=sample_id, margin_bp=s.mlpa.position_margin_bp, source=source
    )
    f = None if blast_fraction is None or math.isnan(blast_fraction) else blast_fraction
    cut = s.mlpa.resolve(f)
    called = mlpa.call_probes(probes, cut)
    row = _empty_row(sample_id, "DNA")
    flags: list[str] = []
    if cut["mode"] == "fixed" and s.mlpa.mode == "purity_adjusted":
        flags.append("blast_fraction_unknown_fixed_mlpa_thresholds")
    calls: dict[str, LesionCall] = {}
    for g in GENE_LESIONS:
        calls[g] = mlpa.gene_call(called, g, cut, s.mlpa)
    calls["PAR1"] = mlpa.par1_call(called, cut, s.mlpa)
    ikzf1_type = ""
    if calls["IKZF1"].status in ("deleted", "homozygous_deleted"):
        ex = mlpa.ikzf1_exon_states(called)
        calls["IKZF1"].evidence["exons"] = {str(k): v for k, v in sorted(ex.items())}
        deleted = {k for k, v in ex.items() if v in ("deleted", "homozygous_deleted")}
        assessed = {k for k, v in ex.items() if v != "not_assessable"}
        ikzf1_type = lesions.ikzf1_deletion_type(deleted, assessed) if ex else ""
    # iAMP21 from chr21 / RUNX1 probes when the kit has them (P327-style: ratio ≥ amp)
    runx1 = called[called["gene"] == "RUNX1"]
    if len(runx1):
        amp = int((runx1["ratio"] >= cut["amp_at_or_above"]).sum())
        row["iamp21"] = "yes" if amp >= 2 else "no"
        iev = {"runx1_probes": len(runx1), "at_or_above": cut["amp_at_or_above"], "n_amp": amp}
    else:
        iev = {"reason": "no RUNX1 probes in this MLPA kit"}
    ev = {
        "cn_source": "DNA",
        "input": {"format": "mlpa", "file": source, "n_probes": len(called)},
        "mlpa_thresholds": cut,
        "iamp21": iev,
        "ploidy": {"reason": "MLPA does not measure ploidy"},
    }
    return _finish(row, calls, ev, flags, ikzf1_type=ikzf1_type, dux4=dux4, settings=s)


GENE_CALL_SYNONYMS = {
    "normal": "normal",
    "wt": "normal",
    "neutral": "normal",
    "del": "deleted",
    "deletion": "deleted",
    "deleted": "deleted",
    "loss": "deleted",
    "het_del": "deleted",
    "hemizygous": "deleted",
    "monoallelic": "deleted",
    "homdel": "homozygous_deleted",
    "hom_del": "homozygous_deleted",
    "homozygous_deletion": "homozygous_deleted",
    "homozygous_deleted": "homozygous_deleted",
    "biallelic": "homozygous_deleted",
    "gain": "gained",
    "gained": "gained",
    "dup": "gained",
    "amp": "amplified",
    "amplification": "amplified",
    "amplified": "amplified",
    "not_assessable": "not_assessable",
    "na": "not_assessable",
}


def call_from_gene_calls(
    calls_df: pd.DataFrame,
    *,
    sample_id: str,
    dux4: str | None = None,
    settings: CopyNumberSettings | None = None,
    source: str | None = None,
) -> SampleResult:
    """Lesion states from gene-level calls (``sample_id, gene, call, copy_number``).

    ``call`` is read through :data:`GENE_CALL_SYNONYMS`; an empty call with a numeric
    ``copy_number`` is mapped by the copy-number thresholds. Genes absent from the file
    are not assessable. PAR1 is taken from a ``PAR1`` / ``P2RY8-CRLF2`` row or from
    CSF2RA/IL3RA/CRLF2 rows.
    """
    s = settings or CopyNumberSettings()
    row = _empty_row(sample_id, "DNA")
    per_gene: dict[str, str] = {}
    raw: dict[str, dict] = {}
    for r in calls_df.itertuples(index=False):
        gene = (
            str(r.gene)
            .strip()
            .upper()
            .replace("P2RY8::CRLF2", "PAR1")
            .replace("P2RY8-CRLF2", "PAR1")
        )
        text = str(r.call).strip().lower()
        cn = pd.to_numeric(getattr(r, "copy_number", None), errors="coerce")
        if text in GENE_CALL_SYNONYMS:
            st = GENE_CALL_SYNONYMS[text]
        elif text in ("", "nan") and not pd.isna(cn):
            st = s.thresholds.state(float(cn))
        else:
            raise InputError(
                f"gene {gene}: unknown call {r.call!r}; expected one of "
                f"{sorted(set(GENE_CALL_SYNONYMS))} or a copy_number",
                path=source,
                sample=sample_id,
            )
        per_gene[gene] = st
        raw[gene] = {"call": str(r.call), "copy_number": None if pd.isna(cn) else float(cn)}
    calls: dict[str, LesionCall] = {}
    for g in LESION_GENES:
        if g == "PAR1" and "PAR1" not in per_gene:
            st, fl = lesions.par1_from_states(per_gene)
            calls[g] = LesionCall(g, st, {"source": "gene_calls", "genes": raw}, fl)
        elif g in per_gene:
            calls[g] = LesionCall(g, per_gene[g], {"source": "gene_calls", **raw[g]})
    ev = {
        "cn_source": "DNA",
        "input": {"format": "gene_calls", "file": source, "n_rows": len(calls_df)},
        "ploidy": {"reason": "gene-level calls carry no ploidy"},
    }
    flags = []
    ikzf1_type = ""
    if per_gene.get("IKZF1") in ("deleted", "homozygous_deleted"):
        flags.append("ikzf1_type_needs_exon_level_data")
    return _finish(row, calls, ev, flags, ikzf1_type=ikzf1_type, dux4=dux4, settings=s)


def call_without_copy_number(
    sample_id: str, *, dux4: str | None = None, settings: CopyNumberSettings | None = None
) -> SampleResult:
    """Row for a sample with neither DNA copy number nor usable expression."""
    s = settings or CopyNumberSettings()
    row = _empty_row(sample_id, "none")
    ev = {"cn_source": "none", "reason": "no copy-number data and no RNA dosage estimate"}
    return _finish(row, {}, ev, ["no_copy_number_data"], ikzf1_type="", dux4=dux4, settings=s)


def call_from_expression(
    counts: np.ndarray,
    symbols: list[str] | pd.Index,
    reference: rna_dosage.RnaReference,
    *,
    sample_id: str,
    blast_fraction: float | None = None,
    dux4: str | None = None,
    settings: CopyNumberSettings | None = None,
    source: str | None = None,
) -> SampleResult:
    """RNA-derived chromosome dosage for one sample (``cn_source = "RNA"``).

    Parameters
    ----------
    counts
        Raw counts of the sample (aligned with ``symbols``).
    symbols
        Canonical gene symbols.
    reference
        Calibrated diploid reference (:func:`rna_dosage.load_reference`).
    blast_fraction
        Blast fraction 0–1 or None (then ``copynumber.rna.default_blast_fraction``).
    sample_id, dux4, settings, source
        As for :func:`call_from_segments`.

    Returns
    -------
    SampleResult
        Modal number, karyotype class and favourable trisomies only (each chromosome
        judged against the spread of real diploid samples, :mod:`rna_dosage`); every
        lesion and IKZF1plus ``not_assessable``; flagged ``rna_derived_low_confidence``.
    """
    s = settings or CopyNumberSettings()
    bf = None if blast_fraction is None or math.isnan(blast_fraction) else blast_fraction
    est = rna_dosage.estimate_dosage(
        counts, symbols, reference, settings=s.rna, blast_fraction=bf, cutoffs=s.ploidy
    )
    whole = est.whole()
    modal = est.modal
    n = modal["modal_chromosome_number"]
    kclass = modal["karyotype_class"]
    flags = ["rna_derived_low_confidence", "chrX_not_counted_from_rna", *modal["flags"]]
    if est.blast_fraction_source == "assumed":
        flags.append("purity_unknown_assumed")
    if est.noise_ratio > 1.0:
        flags.append("rna_noisier_than_reference")
    row = _empty_row(sample_id, "RNA")
    row["modal_chromosome_number"] = "" if n is None else str(n)
    row["karyotype_class"] = kclass
    row["favourable_trisomies"] = ";".join(
        f"+{c[3:]}"
        for c in FAVOURABLE_TRISOMIES
        if c in whole.index and whole.loc[c, "state"] == "gain"
    )
    ev = {
        "cn_source": "RNA",
        "input": {"format": "expression", "file": source},
        "rna_dosage": {
            **est.evidence(),
            # whole-chromosome view (shift and integer copies) read by the report figures
            "chromosomes": {
                c: {
                    "shift_log2": None if pd.isna(r["shift"]) else round(float(r["shift"]), 4),
                    "n_genes": int(r["n_genes"]),
                    "state": None if pd.isna(r["copies"]) else int(r["copies"]),
                }
                for c, r in whole.iterrows()
            },
            "settings": dataclasses.asdict(s.rna),
            "reference_genes": len(reference),
            "reference": reference.meta,
            "method": "weighted-median log2 shift vs a real diploid reference, z against the "
            "leave-one-out spread of real diploid samples (allstrat.copynumber.rna_dosage)",
        },
        "ploidy": {"modal_chromosome_number": n, "karyotype_class": kclass, **modal},
    }
    return _finish(row, {}, ev, flags, ikzf1_type="", dux4=dux4, settings=s)
