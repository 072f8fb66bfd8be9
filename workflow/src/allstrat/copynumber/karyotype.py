"""Karyotype class from dosage and allele evidence together (pure functions).

Expression (or depth) dosage alone is blind to uniform doubling and, against a
median-centred baseline, reads a near-haploid genome's retained disomies as gains
(DOMAIN.md §5: "expression-relative methods are blind to uniform doubling, so masked
hypodiploidy shows up only via widespread LOH"). Allele fractions separate the classes:

* **near haploid / low hypodiploid**: most (near haploid, 24–31) or many (low
  hypodiploid, 32–39) chromosomes are LOH, the retained disomies stay heterozygous
  (typical near-haploid retained disomies: 21, X/Y, 14, 18, 8, 10; Holmfeldt et al.
  2013 [S14], Safavi & Paulsson 2017 [S43]); dosage shows the LOH chromosomes below the
  heterozygous ones.
* **masked (doubled) hypodiploidy**: the same genome-wide LOH with an apparently
  hyperdiploid or near-triploid count (~half of < 40-chromosome cases double; S44, S25).
  The class is that of the un-doubled count; ``masked_hypodiploidy_warning = yes``.
* **true high hyperdiploidy**: gains keep heterozygosity (trisomies imbalanced near
  1/3–2/3, tetrasomies 2:2 balanced or 1:3); LOH is confined to a few chromosomes.

Rules (evaluated in order; every threshold in :class:`KaryotypeSettings`, config
``copynumber.karyotype``, UNVERIFIED modelling choices):

1. No allele evidence (no VCF, or too few heterozygous germline sites — e.g. a
   somatic-only VCF): the dosage class stands. A hyperdiploid dosage class whose gained
   chromosomes all belong to the typical retained-disomy set gets flag
   ``masked_hypodiploidy_not_excluded``.
2. Ambiguous chromosomes: at unknown blast fraction an LOH monosomy and a trisomy can
   show the same allele ratio (1/3 at f = 0.5 vs f = 1). The dosage shift of the
   chromosome relative to the allele-balanced chromosomes decides (higher → imbalanced
   gain, lower → LOH).
3. At least ``min_loh_autosomes`` whole autosomes LOH: hypodiploid origin. Un-doubled
   count = 46 − LOH autosomes (sex chromosomes not counted from alleles: flag); class
   from :class:`~allstrat.copynumber.ploidy.PloidyCutoffs`. Masked warning (``_masked``):
   ``yes`` when most LOH chromosomes fit two copies (c = 2, b = 0) at the sheet's blast
   fraction; ``no`` when most fit one copy (undoubled, even if RNA dosage centred on the
   monosomies read the retained disomies as gains: flag
   ``dosage_gains_are_retained_disomies``); when one vs two copies is not resolved
   (f = 1, f estimated, LOH by loss of het sites) an apparently hyperdiploid dosage whose
   gains are all heterozygous chromosomes reads the same either way: ``not_assessable``
   (``doubling_not_resolved``); LOH chromosomes among the gains are doubling evidence.
   Allele states expected at or above ``near_half`` or without contrast to the sample's
   balanced level never count as LOH (:mod:`allstrat.copynumber.allelic` step 6).
4. Otherwise, with a hyperdiploid dosage class: gained chromosomes that keep
   heterozygosity confirm it (``hyperdiploidy_heterozygous_gains``); gained chromosomes
   that are LOH are listed (``gained_chromosomes_loh``). The count and class are never
   lowered by allele data here (a true hyperdiploid keeps its call).
5. RNA dosage that could not choose its two-copy level (``rna_baseline_ambiguous``: a
   hyperdiploid reading with gains, or a near-haploid reading in which the "gained"
   chromosomes are the retained disomies) is resolved by alleles
   (:func:`resolve_baseline_ambiguity`): with no genome-wide LOH (rule 3 did not fire, so
   the baseline chromosomes are not monosomic) and the gained chromosomes keeping
   heterozygosity, the hyperdiploid reading's count and class are taken
   (``rna_baseline_resolved_by_alleles``). Genome-wide LOH already gave the hypodiploid
   reading through rule 3.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from allstrat.config import FROM_SCHEMA, schema_defaults
from allstrat.copynumber.ploidy import PloidyCutoffs
from allstrat.copynumber.resources import AUTOSOMES

logger = logging.getLogger(__name__)

__all__ = [
    "RETAINED_DISOMIES",
    "KaryotypeCall",
    "KaryotypeSettings",
    "combine_karyotype",
    "dosage_table_from_states",
    "masked_not_excluded",
    "resolve_baseline_ambiguity",
]

#: Chromosomes typically retained as disomies in near-haploid ALL (DOMAIN.md §5 brief;
#: Holmfeldt 2013 [S14], Safavi & Paulsson 2017 [S43]).
RETAINED_DISOMIES: tuple[str, ...] = ("chr21", "chrX", "chrY", "chr14", "chr18", "chr8", "chr10")
HYPERDIPLOID_CLASSES = ("high_hyperdiploid", "low_hyperdiploid")


@dataclass(frozen=True)
@schema_defaults("copynumber.karyotype")
class KaryotypeSettings:
    """Combination thresholds (UNVERIFIED; config ``copynumber.karyotype``)."""

    min_assessed_autosomes: int = FROM_SCHEMA
    min_loh_autosomes: int = FROM_SCHEMA
    min_heterozygous_gain_fraction: float = FROM_SCHEMA
    dosage_margin: float = FROM_SCHEMA
    retained_disomies: tuple[str, ...] = FROM_SCHEMA


@dataclass
class KaryotypeCall:
    """Allele-informed karyotype: class, count, masked warning, flags, evidence."""

    karyotype_class: str
    modal_number: int | None
    masked_warning: str
    flags: list[str]
    evidence: dict


def dosage_table_from_states(
    states: Mapping[str, int | None], shifts: Mapping[str, float | None] | None = None
) -> pd.DataFrame:
    """Dosage table (index chrom; ``state`` gain/loss/neutral/not_assessed, ``shift``).

    Adapter for integer copy-number states (DNA segments, RNA dosage ``state``).
    """
    rows = []
    for c, st in states.items():
        if st is None or pd.isna(st):
            lab = "not_assessed"
        else:
            lab = "gain" if int(st) > 2 else "loss" if int(st) < 2 else "neutral"
        sh = None if shifts is None else shifts.get(c)
        rows.append({"chrom": c, "state": lab, "shift": np.nan if sh is None else float(sh)})
    return pd.DataFrame(rows, columns=["chrom", "state", "shift"]).set_index("chrom")


def masked_not_excluded(gained: list[str], settings: KaryotypeSettings | None = None) -> bool:
    """True when every gained chromosome is a typical near-haploid retained disomy."""
    s = settings or KaryotypeSettings()
    return bool(gained) and set(gained) <= set(s.retained_disomies)


_RANK = {"loss": -1.0, "neutral": 0.0, "gain": 1.0}


def _dosage_level(dosage: pd.DataFrame | None) -> pd.Series | None:
    """Per-chromosome dosage level: the shift when given, else the ordinal state."""
    if dosage is None or dosage.empty:
        return None
    if "shift" in dosage and not dosage["shift"].isna().all():
        return dosage["shift"].astype(float)
    return dosage["state"].map(_RANK).astype(float)


def _resolve(allelic: Mapping[str, dict], dosage: pd.DataFrame | None, margin: float) -> dict:
    """Per-chromosome allelic class after rule 2 (dosage resolves LOH vs gain)."""
    out = {c: dict(r) for c, r in allelic.items()}
    level = _dosage_level(dosage)
    if level is None:
        return out
    bal = [c for c, r in out.items() if r.get("class") == "heterozygous" and c in level.index]
    ref = level.reindex(bal).dropna()
    if ref.empty:
        return out
    base = float(ref.median())
    for c, r in out.items():
        if c not in level.index or pd.isna(level[c]):
            continue
        ratio = r.get("allelic_ratio", "")
        delta = float(level[c]) - base
        if r.get("class") == "LOH" and ratio == "0:1" and delta > margin:
            r.update({"class": "imbalanced", "allelic_ratio": "1:2", "resolved_by": "dosage"})
        elif r.get("class") == "imbalanced" and ratio == "1:2" and delta < -margin:
            r.update({"class": "LOH", "allelic_ratio": "0:1", "resolved_by": "dosage"})
        r["dosage_vs_heterozygous"] = round(delta, 4)
    return out


def combine_karyotype(
    allelic: Mapping | None,
    dosage: pd.DataFrame | None,
    *,
    dosage_modal: int | None,
    dosage_class: str,
    cutoffs: PloidyCutoffs | None = None,
    settings: KaryotypeSettings | None = None,
) -> KaryotypeCall:
    """Combine an allelic summary (:func:`allelic.summarise_sites`) with dosage.

    Parameters
    ----------
    allelic
        Output of :func:`allstrat.copynumber.allelic.summarise_sites`, or None (no VCF).
    dosage
        Per-chromosome dosage table (index chrom; ``state``, optional ``shift``).
    dosage_modal, dosage_class
        Count and class from dosage alone.
    cutoffs, settings
        Class cut-offs and combination thresholds.

    Returns
    -------
    KaryotypeCall
    """
    s = settings or KaryotypeSettings()
    cut = cutoffs or PloidyCutoffs()
    gained = [] if dosage is None else [c for c in dosage.index if dosage.at[c, "state"] == "gain"]
    ev: dict = {"dosage_class": dosage_class, "dosage_modal_number": dosage_modal,
                "dosage_gains": gained, "settings": asdict(s)}  # fmt: skip
    flags: list[str] = []
    if allelic is None or allelic.get("status") != "assessed":
        ev["rule"] = "no allele evidence: dosage class stands"
        if allelic is not None:
            flags.append("allele_data_not_assessable")
            ev["allelic_reason"] = allelic.get("reason", "")
        if dosage_class in HYPERDIPLOID_CLASSES and masked_not_excluded(gained, s):
            flags.append("masked_hypodiploidy_not_excluded")
        return KaryotypeCall(dosage_class, dosage_modal, "not_assessable", flags, ev)
    chroms = _resolve(allelic["chromosomes"], dosage, s.dosage_margin)
    cls = {c: r.get("class", "not_assessable") for c, r in chroms.items()}
    auto = [c for c in AUTOSOMES if cls.get(c, "not_assessable") != "not_assessable"]
    loh = [c for c in auto if cls[c] == "LOH"]
    ev.update(
        {
            "allelic_classes": cls,
            "resolved_by_dosage": [c for c, r in chroms.items() if r.get("resolved_by")],
            "loh_autosomes": loh,
            "assessed_autosomes": len(auto),
        }
    )
    if len(auto) < s.min_assessed_autosomes:
        ev["rule"] = f"allele data cover {len(auto)} autosomes (< {s.min_assessed_autosomes})"
        flags.append("allele_data_incomplete")
        return KaryotypeCall(dosage_class, dosage_modal, "not_assessable", flags, ev)
    if len(loh) >= s.min_loh_autosomes:
        return _hypodiploid(
            chroms,
            loh,
            dosage,
            dosage_modal,
            dosage_class,
            cut,
            flags,
            ev,
            allelic_f_source=str(allelic.get("blast_fraction_source", "")),
            loh_copies=(allelic.get("loh_copies") or {}).get("copies"),
        )
    masked = "no"
    if dosage_class in HYPERDIPLOID_CLASSES:
        g = [c for c in gained if cls.get(c, "not_assessable") != "not_assessable"]
        het = [c for c in g if cls[c] in ("heterozygous", "imbalanced")]
        ev["gained_heterozygous"] = het
        if not g:
            ev["rule"] = "gained chromosomes not assessable by alleles: dosage class stands"
        elif len(het) >= s.min_heterozygous_gain_fraction * len(g):
            flags.append("hyperdiploidy_heterozygous_gains")
            ev["rule"] = "gains keep heterozygosity: true hyperdiploidy"
        else:
            flags.append("gained_chromosomes_loh")
            ev["rule"] = "gained chromosomes LOH without genome-wide LOH"
    else:
        ev["rule"] = "no genome-wide LOH: dosage class stands"
    imb = [c for c in auto if cls[c] == "imbalanced" and c not in gained]
    if imb:
        flags.append("allelic_imbalance_without_dosage_gain")
        ev["imbalanced_without_gain"] = imb
    return KaryotypeCall(dosage_class, dosage_modal, masked, flags, ev)


def _hypodiploid(  # noqa: PLR0917 -- one call site, all context of rule 3
    chroms: Mapping[str, dict],
    loh: list[str],
    dosage: pd.DataFrame | None,
    dosage_modal: int | None,
    dosage_class: str,
    cut: PloidyCutoffs,
    flags: list[str],
    ev: dict,
    allelic_f_source: str,
    loh_copies: int | None = None,
) -> KaryotypeCall:
    """Rule 3: genome-wide LOH -> hypodiploid class from the un-doubled count."""
    n = 46 - len(loh)
    klass, kflags = cut.classify(n)
    flags.extend(
        [*kflags, "karyotype_from_allelic_loh", "sex_chromosomes_not_counted_from_alleles"]
    )
    known_f = allelic_f_source == "sheet"
    call = (dosage_modal, dosage_class, known_f)
    masked = _masked(loh, loh_copies, dosage, call, cut, flags, ev)
    doubled = masked == "yes"
    sh = _dosage_level(dosage)
    if sh is not None:
        het = [c for c, r in chroms.items() if r.get("class") == "heterozygous"]
        lo = sh.reindex(loh).dropna()
        hi = sh.reindex(het).dropna()
        if len(lo) and len(hi):
            d = float(lo.median() - hi.median())
            ev["dosage_loh_minus_heterozygous"] = round(d, 4)
            if d >= 0:
                flags.append("loh_without_dosage_difference")
    ev["rule"] = f"{len(loh)} autosomes LOH: un-doubled count {n} -> {klass}" + (
        " (dosage count looks doubled: masked hypodiploidy)" if doubled else ""
    )
    ev["undoubled_count"] = n
    return KaryotypeCall(klass, n, masked, flags, ev)


def _masked(  # noqa: PLR0917 -- one call site, all context of rule 3
    loh: list[str],
    loh_copies: int | None,
    dosage: pd.DataFrame | None,
    dosage_call: tuple[int | None, str, bool],
    cut: PloidyCutoffs,
    flags: list[str],
    ev: dict,
) -> str:
    """Masked (doubled) hypodiploidy warning of a genome-wide-LOH sample.

    Returns yes / no / not_assessable. One vs two copies of the LOH chromosomes differ
    in allele ratio only at a known blast fraction < 1 (``loh_copies`` of the allelic
    summary, set only then). Two copies is doubling (``yes``); one copy is an undoubled
    genome (``no``) even when RNA dosage, centred on the monosomies, read the retained
    disomies as gains (``dosage_call`` = dosage count, dosage class, f from the sheet).
    Without that, an apparently hyperdiploid dosage whose gains are all heterozygous
    chromosomes reads the same as a haploid baseline with retained disomies:
    ``not_assessable``; LOH chromosomes among the gains are doubling evidence: ``yes``.
    """
    dosage_modal, dosage_class, known_f = dosage_call
    ev["loh_copies"] = loh_copies
    apparent_hyper = (dosage_modal is not None and dosage_modal >= cut.low_hyperdiploid_min) or (
        dosage_class in HYPERDIPLOID_CLASSES
    )
    if loh_copies == 2:
        flags.append("masked_hypodiploidy_allelic")
        return "yes"
    if loh_copies == 1:
        flags.append("loh_single_copy_undoubled")
        if apparent_hyper:
            flags.append("dosage_gains_are_retained_disomies")
        return "no"
    if not apparent_hyper:
        return "not_assessable" if dosage_modal is None and not known_f else "no"
    flags.append("doubling_not_resolved")
    gained = [] if dosage is None else [c for c in dosage.index if dosage.at[c, "state"] == "gain"]
    if gained and not set(gained) & set(loh):
        return "not_assessable"  # a haploid baseline with retained disomies reads the same
    flags.append("masked_hypodiploidy_allelic")
    return "yes"


def resolve_baseline_ambiguity(
    call: KaryotypeCall,
    modal: Mapping,
    *,
    cutoffs: PloidyCutoffs | None = None,
    settings: KaryotypeSettings | None = None,
) -> KaryotypeCall:
    """Rule 5: take the hyperdiploid reading of an ambiguous RNA baseline when alleles agree.

    ``modal`` is the RNA dosage ``modal`` record (``flags``, ``point_estimate``,
    ``changes``). Returns ``call`` unchanged unless the dosage baseline was ambiguous,
    the allele data cover enough autosomes without genome-wide LOH, and at least
    ``min_heterozygous_gain_fraction`` of the gained chromosomes keep heterozygosity.
    """
    s = settings or KaryotypeSettings()
    ev = call.evidence
    n = modal.get("point_estimate")
    if (
        call.karyotype_class != "not_assessable"
        or "rna_baseline_ambiguous" not in modal.get("flags", [])
        or n is None
        or ev.get("assessed_autosomes", 0) < s.min_assessed_autosomes
        or len(ev.get("loh_autosomes", [])) >= s.min_loh_autosomes
    ):
        return call
    cls = ev.get("allelic_classes", {})
    gained = [c for c, k in modal.get("changes", {}).items() if k > 0 and c in AUTOSOMES]
    het = [c for c in gained if cls.get(c) in ("heterozygous", "imbalanced")]
    if not gained or len(het) < s.min_heterozygous_gain_fraction * len(gained):
        return call
    klass, kflags = (cutoffs or PloidyCutoffs()).classify(int(n))
    ev.update(
        {
            "rule": f"RNA baseline ambiguous; no genome-wide LOH and {len(het)} of "
            f"{len(gained)} gained autosomes heterozygous: hyperdiploid reading ({n})",
            "gained_heterozygous": het,
        }
    )
    flags = [*call.flags, *kflags, "rna_baseline_resolved_by_alleles"]
    return KaryotypeCall(klass, int(n), "no", flags, ev)
