"""Add allele evidence (RNA VCF / DNA BAF), hotspot and driver-gene status to a result.

Called once per sample by the copy-number stage after the dosage call
(:mod:`allstrat.copynumber.caller`). It fills the columns ``allelic_evidence``,
``loh_chromosomes`` and ``hotspot_mutations`` and, for samples whose karyotype comes
from RNA dosage (or no dosage at all), replaces the karyotype class / count / masked
warning by :func:`allstrat.copynumber.karyotype.combine_karyotype`.
:func:`add_driver_mutations` fills ``driver_mutations`` / ``oncogenetic_class`` from the
same variant calls (:mod:`allstrat.tall.mutations`). DNA segment calls
keep their class (absolute copy number + BAF already decide it, see
:mod:`allstrat.copynumber.ploidy`); their segment BAF is summarised by the same
allelic module and a VCF, when also given, is recorded and compared. DNA data without
a karyotype (MLPA measures no ploidy) are treated like the no-dosage case: allele
evidence alone can still show a genome-wide-LOH (hypodiploid) karyotype.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from allstrat.classify.hotspots import (
    HotspotSettings,
    call_hotspots,
    hotspot_positions,
    not_assessed,
)
from allstrat.copynumber import allelic
from allstrat.copynumber.karyotype import (
    KaryotypeSettings,
    combine_karyotype,
    dosage_table_from_states,
    masked_not_excluded,
    resolve_baseline_ambiguity,
)
from allstrat.copynumber.ploidy import PloidyCutoffs
from allstrat.tall import mutations as drivers

if TYPE_CHECKING:
    from allstrat.copynumber.caller import SampleResult

logger = logging.getLogger(__name__)

__all__ = ["add_allele_evidence", "add_driver_mutations", "hotspot_summary"]


def add_driver_mutations(
    res: SampleResult,
    variants: Any | None,
    *,
    regions: dict[str, tuple[str, int, int]],
    genome_build: str,
    settings: drivers.DriverMutationSettings,
) -> None:
    """NOTCH1/FBXW7/KRAS/NRAS/PTEN status into ``res`` (row columns + evidence).

    ``variants`` is the sample's ``VariantCalls`` (``sites``, ``depth_intervals``,
    ``annotation``) or None; ``regions`` the genes' spans on ``genome_build``.
    """
    if variants is None:
        out = drivers.not_assessed("no variants file in the sample sheet", settings)
    else:
        out = drivers.call_driver_mutations(
            variants.sites,
            variants.depth_intervals,
            regions=regions,
            build=genome_build,
            annotated=bool(variants.annotation),
            settings=settings,
        )
        out["consequence_annotation"] = variants.annotation or "none"
    res.evidence["driver_mutations"] = out
    res.row["driver_mutations"] = drivers.driver_summary(out)
    res.row["oncogenetic_class"] = out["oncogenetic_classifier"]["class"]


def hotspot_summary(hot: dict[str, dict]) -> str:
    """``PAX5 P80R=detected;IKZF1 N159Y=not_detected(DP=45);...`` for the stage table."""
    parts = []
    for name, h in hot.items():
        st = h["status"]
        if st == "not_detected":
            st += f"(DP={h.get('depth')})"
        elif st == "detected":
            st += f"(VAF={h.get('vaf')})"
        parts.append(f"{name}={st}")
    return ";".join(parts)


def _dosage(res: SampleResult) -> pd.DataFrame | None:
    """Per-chromosome dosage of a result: RNA dosage evidence or DNA whole states."""
    ev = res.evidence
    if ev.get("cn_source") == "RNA":
        rd = ev.get("rna_dosage", {})
        if "regions" in rd:  # calibrated dosage API (state gain/loss/neutral + shift)
            reg = pd.DataFrame(rd["regions"]).T
            reg = reg[reg.get("arm", "whole") == "whole"] if "arm" in reg else reg
            out = reg.rename(columns={"shift_log2": "shift"})
            if "chrom" in out:
                out = out.set_index("chrom")
            return out[["state", "shift"]].astype({"shift": float})
        ch = rd.get("chromosomes", {})
        return dosage_table_from_states(
            {c: v.get("state") for c, v in ch.items()},
            {c: v.get("shift_log2") for c, v in ch.items()},
        )
    chroms = ev.get("ploidy", {}).get("chromosomes")
    if chroms:
        return dosage_table_from_states({c: v.get("whole_state") for c, v in chroms.items()})
    return None


def add_allele_evidence(
    res: SampleResult,
    variants: Any | None,
    *,
    genome_build: str,
    blast_fraction: float | None,
    allelic_settings: allelic.AllelicSettings,
    karyotype_settings: KaryotypeSettings,
    hotspot_settings: HotspotSettings,
    cutoffs: PloidyCutoffs,
    chromosomes: pd.DataFrame | None = None,
    check_build: Callable[[pd.DataFrame, str], dict] | None = None,
) -> None:
    """Update ``res`` in place (row columns, flags, evidence) with allele evidence.

    ``variants`` is the sample's ``allstrat.io.variants.VariantCalls`` (``sites``,
    ``coverage``, ``summary()``) or None; core code does not import ``io``.
    ``check_build(sites, stated_build)`` (e.g.
    :func:`allstrat.copynumber.build_check.check_build` bound to the gene spans and
    settings) turns on the gene-level build check of the variants file.
    """
    row, ev = res.row, res.evidence
    flags = [f for f in row.get("cn_qc_flags", "").split(";") if f]
    if variants is None:
        ev["allelic"] = {"status": "not_given", "reason": "no variants file in the sample sheet"}
        hot = not_assessed("no variants file in the sample sheet")
        row["allelic_evidence"] = "not_given"
        summary = None
    else:
        exclude = [(c, p) for c, ps in hotspot_positions(genome_build).items() for p in ps]
        summary = allelic.summarise_sites(
            variants.sites,
            settings=allelic_settings,
            blast_fraction=blast_fraction,
            arms=chromosomes,
            exclude=exclude,
        )
        summary["input"] = variants.summary()
        ev["allelic"] = summary
        row["allelic_evidence"] = summary["status"]
        hot = call_hotspots(
            variants.sites, variants.coverage, build=genome_build, settings=hotspot_settings
        )
        if check_build is not None:
            hot = _check_build(res, variants, check_build(variants.sites, genome_build), hot)
            if ev["allelic"]["build_check"]["status"] == "mismatch_suspected":
                flags.append("genome_build_mismatch_suspected")
    ev["hotspots"] = {"settings": hotspot_settings.as_dict(), "calls": hot}
    row["hotspot_mutations"] = hotspot_summary(hot)
    if ev.get("cn_source") == "DNA" and row["karyotype_class"] != "not_assessable":
        _dna(res, summary, flags, karyotype_settings)
    else:
        kc = combine_karyotype(
            summary,
            _dosage(res),
            dosage_modal=int(row["modal_chromosome_number"])
            if row["modal_chromosome_number"]
            else None,
            dosage_class=row["karyotype_class"],
            cutoffs=cutoffs,
            settings=karyotype_settings,
        )
        kc = resolve_baseline_ambiguity(
            kc, ev.get("rna_dosage", {}).get("modal", {}), cutoffs=cutoffs,
            settings=karyotype_settings,
        )  # fmt: skip
        row["karyotype_class"] = kc.karyotype_class
        row["modal_chromosome_number"] = "" if kc.modal_number is None else str(kc.modal_number)
        row["masked_hypodiploidy_warning"] = kc.masked_warning
        flags.extend(kc.flags)
        ev["karyotype"] = {**kc.evidence, "karyotype_class": kc.karyotype_class,
                           "modal_number": kc.modal_number, "flags": kc.flags}  # fmt: skip
        ev.setdefault("ploidy", {}).update(
            {"modal_chromosome_number": kc.modal_number, "karyotype_class": kc.karyotype_class}
        )
    loh = _loh_list(ev)
    row["loh_chromosomes"] = ";".join(c[3:] for c in loh)
    row["cn_qc_flags"] = ";".join(dict.fromkeys(flags))


def _check_build(res: SampleResult, variants: Any, chk: dict, hot: dict[str, dict]) -> dict:
    """Record the build check; a suspected mismatch voids the hotspots (positions)."""
    chk["file"] = variants.path
    res.evidence["allelic"]["build_check"] = chk
    if chk["status"] != "mismatch_suspected":
        return hot
    logger.warning("sample %s, %s: %s", res.row["sample_id"], variants.path, chk["message"])
    return not_assessed(f"{chk['message']}: hotspot positions cannot be trusted")


def _missing(state: Any) -> bool:
    return state is None or bool(pd.isna(state))


def _loh_list(ev: dict) -> list[str]:
    kar = ev.get("karyotype", {}).get("allelic_classes")
    if kar:
        return [c for c, v in kar.items() if v == "LOH"]
    dna = ev.get("allelic_dna", {}).get("chromosomes", {})
    if dna:
        return [c for c, v in dna.items() if v.get("class") == "LOH"]
    a = ev.get("allelic", {}).get("chromosomes", {})
    return [c for c, v in a.items() if v.get("class") == "LOH"]


def _dna(res: SampleResult, summary: dict | None, flags: list[str], ks: KaryotypeSettings) -> None:
    """DNA results keep their class; compare an RNA VCF's genome-wide LOH with it.

    A hyperdiploid segment class with neither segment BAF nor VCF allele data whose gained
    chromosomes are all typical retained disomies gets ``masked_hypodiploidy_not_excluded``
    (rule 1 of :mod:`allstrat.copynumber.karyotype`): a median-centred segment baseline
    reads a doubled near-haploid genome's retained disomies as gains too.
    """
    row, ev = res.row, res.evidence
    if summary is None or summary.get("status") != "assessed":
        no_baf = (ev.get("allelic_dna") or {}).get("status") != "assessed"
        hyper = row["karyotype_class"] in ("high_hyperdiploid", "low_hyperdiploid")
        if not (no_baf and hyper):  # the gains only matter then (no dosage table per sample)
            return
        # the chromosomes _dosage(res) labels "gain" (whole state > 2), without its table
        chroms = ev.get("ploidy", {}).get("chromosomes") or {}
        whole = {c: v.get("whole_state") for c, v in chroms.items()}
        gained = [c for c, st in whole.items() if not _missing(st) and int(st) > 2]
        if masked_not_excluded(gained, ks):
            flags.append("masked_hypodiploidy_not_excluded")
            ev["masked_hypodiploidy_not_excluded"] = {
                "gained": gained,
                "retained_disomies": list(ks.retained_disomies),
            }
        return
    loh = [c for c, v in summary["chromosomes"].items() if v.get("class") == "LOH"]
    ev["allelic_vs_dna"] = {"vcf_loh_chromosomes": loh}
    if len(loh) >= 4 and row["karyotype_class"] in ("high_hyperdiploid", "low_hyperdiploid"):
        flags.append("vcf_genome_wide_loh_vs_dna_hyperdiploid")
