"""Karyotype from dosage + allele evidence (allstrat.copynumber.karyotype), rule by rule."""

from __future__ import annotations

import pandas as pd

from allstrat.copynumber.karyotype import (
    KaryotypeSettings,
    combine_karyotype,
    dosage_table_from_states,
    masked_not_excluded,
    resolve_baseline_ambiguity,
)
from allstrat.copynumber.resources import AUTOSOMES

ALL = [*AUTOSOMES, "chrX"]
RETAINED = ["chr8", "chr10", "chr14", "chr18", "chr21", "chrX"]


def _allelic(classes: dict[str, str], *, ratio: dict[str, str] | None = None,
             f_source: str = "estimated", copies: int | None = None) -> dict:  # fmt: skip
    chroms = {}
    for c in ALL:
        cls = classes.get(c, "heterozygous")
        r = {"class": cls, "allelic_ratio": (ratio or {}).get(c, {"heterozygous": "1:1",
             "LOH": "0:1", "imbalanced": "1:2"}.get(cls, ""))}  # fmt: skip
        if copies is not None and cls == "LOH":
            r["best_state"] = {"copies": copies, "minor": 0}
        chroms[c] = r
    return {"status": "assessed", "chromosomes": chroms, "blast_fraction_source": f_source,
            "loh_copies": {"copies": copies if f_source == "sheet" else None}}  # fmt: skip


def _dosage(gains=(), losses=(), shifts: dict | None = None) -> pd.DataFrame:
    st = {c: 3 if c in gains else 1 if c in losses else 2 for c in ALL}
    return dosage_table_from_states(st, shifts)


NEAR_HAPLOID_LOH = {c: "LOH" for c in AUTOSOMES if c not in RETAINED}


def test_no_allele_data_keeps_dosage_class_and_flags_masked_not_excluded() -> None:
    """Rule 1: a hyperdiploid count gaining only typical retained disomies is flagged."""
    d = _dosage(gains=RETAINED)
    k = combine_karyotype(None, d, dosage_modal=52, dosage_class="high_hyperdiploid")
    assert (k.karyotype_class, k.modal_number) == ("high_hyperdiploid", 52)
    assert "masked_hypodiploidy_not_excluded" in k.flags
    assert k.masked_warning == "not_assessable"
    typical = ["chr4", "chr6", "chr10", "chr14", "chr17", "chr18", "chr21", "chrX"]
    k2 = combine_karyotype(None, _dosage(gains=typical), dosage_modal=54,
                           dosage_class="high_hyperdiploid")  # fmt: skip
    assert "masked_hypodiploidy_not_excluded" not in k2.flags
    assert masked_not_excluded(["chr21", "chr14"])
    assert not masked_not_excluded([])


def test_somatic_only_allele_summary_is_not_evidence() -> None:
    summary = {"status": "not_assessable", "reason": "3 heterozygous", "chromosomes": {}}
    k = combine_karyotype(summary, None, dosage_modal=None, dosage_class="not_assessable")
    assert k.karyotype_class == "not_assessable"
    assert "allele_data_not_assessable" in k.flags


def test_near_haploid_read_as_hyperdiploid_by_rna_dosage_is_reclassified() -> None:
    """Issue #11: retained disomies read as gains (55 chr); alleles show 16 LOH autosomes.

    Without a known blast fraction one- and two-copy LOH look alike, and RNA dosage gaining
    exactly the heterozygous chromosomes reads the same for a haploid baseline with
    retained disomies as for a doubled genome: masked is not_assessable, not yes.
    """
    d = _dosage(gains=RETAINED)
    k = combine_karyotype(_allelic(NEAR_HAPLOID_LOH), d, dosage_modal=52,
                          dosage_class="high_hyperdiploid")  # fmt: skip
    assert k.karyotype_class == "near_haploid"
    assert k.modal_number == 46 - len(NEAR_HAPLOID_LOH)
    assert k.masked_warning == "not_assessable"
    assert "karyotype_from_allelic_loh" in k.flags
    assert "doubling_not_resolved" in k.flags
    assert "masked_hypodiploidy_allelic" not in k.flags
    # LOH chromosomes among the dosage gains (LOH above the rest) are doubling evidence
    k2 = combine_karyotype(_allelic(NEAR_HAPLOID_LOH), _dosage(gains=[*RETAINED, "chr1"]),
                           dosage_modal=53, dosage_class="high_hyperdiploid")  # fmt: skip
    assert k2.masked_warning == "yes"
    assert "masked_hypodiploidy_allelic" in k2.flags


def test_undoubled_near_haploid_single_copy_loh_is_not_masked() -> None:
    """Issue #11 fix: one-copy LOH at the sheet's f -> undoubled, even if dosage reads gains."""
    a = _allelic(NEAR_HAPLOID_LOH, f_source="sheet", copies=1)
    k = combine_karyotype(a, _dosage(gains=RETAINED), dosage_modal=52,
                          dosage_class="high_hyperdiploid")  # fmt: skip
    assert (k.karyotype_class, k.masked_warning) == ("near_haploid", "no")
    assert {"loh_single_copy_undoubled", "dosage_gains_are_retained_disomies"} <= set(k.flags)
    assert "masked_hypodiploidy_allelic" not in k.flags
    assert k.evidence["loh_copies"] == 1


def test_low_hypodiploid_with_consistent_losses() -> None:
    lost = ["chr3", "chr4", "chr7", "chr12", "chr13", "chr15", "chr16", "chr17", "chr20"]
    k = combine_karyotype(_allelic(dict.fromkeys(lost, "LOH")), _dosage(losses=lost),
                          dosage_modal=37, dosage_class="low_hypodiploid")  # fmt: skip
    assert (k.karyotype_class, k.modal_number, k.masked_warning) == ("low_hypodiploid", 37, "no")


def test_doubled_hypodiploid_from_two_copy_loh_at_known_blast_fraction() -> None:
    """Two-copy LOH counts as doubling only when f came from the sheet."""
    a = _allelic(NEAR_HAPLOID_LOH, f_source="sheet", copies=2)
    k = combine_karyotype(a, None, dosage_modal=None, dosage_class="not_assessable")
    assert k.masked_warning == "yes"
    assert "doubling_not_resolved" not in k.flags
    assert "masked_hypodiploidy_allelic" in k.flags
    b = _allelic(NEAR_HAPLOID_LOH, f_source="estimated", copies=2)
    k2 = combine_karyotype(b, None, dosage_modal=None, dosage_class="not_assessable")
    assert k2.masked_warning == "not_assessable"
    assert k2.karyotype_class == "near_haploid"


def test_true_hyperdiploid_keeps_its_call_and_is_confirmed() -> None:
    gains = ["chr4", "chr6", "chr10", "chr14", "chr17", "chr18", "chr21", "chrX"]
    a = _allelic({c: "imbalanced" for c in gains if c != "chr21"})
    k = combine_karyotype(a, _dosage(gains=gains), dosage_modal=54,
                          dosage_class="high_hyperdiploid")  # fmt: skip
    assert (k.karyotype_class, k.modal_number, k.masked_warning) == ("high_hyperdiploid", 54, "no")
    assert "hyperdiploidy_heterozygous_gains" in k.flags


def test_ambiguous_trisomy_vs_loh_monosomy_resolved_by_dosage() -> None:
    """Rule 2: f unknown, trisomies fitted as 0:1 LOH; higher dosage makes them 1:2 gains."""
    gains = ["chr4", "chr6", "chr10", "chr14", "chr17", "chr18", "chrX"]
    a = _allelic(dict.fromkeys(gains, "LOH"))
    k = combine_karyotype(a, _dosage(gains=gains), dosage_modal=53,
                          dosage_class="high_hyperdiploid")  # fmt: skip
    assert k.karyotype_class == "high_hyperdiploid"
    assert set(k.evidence["resolved_by_dosage"]) == set(gains)
    # and the opposite: 1:2 imbalance on chromosomes that read lower -> LOH monosomies
    b = _allelic(dict.fromkeys(NEAR_HAPLOID_LOH, "imbalanced"))
    shifts = {c: (-0.5 if c in NEAR_HAPLOID_LOH else 0.0) for c in ALL}
    k2 = combine_karyotype(b, _dosage(shifts=shifts), dosage_modal=46, dosage_class="diploid")
    assert k2.karyotype_class == "near_haploid"


def test_few_loh_chromosomes_do_not_make_a_hypodiploid() -> None:
    a = _allelic({"chr9": "LOH", "chr13": "LOH", "chr5": "imbalanced"})
    k = combine_karyotype(a, _dosage(), dosage_modal=46, dosage_class="diploid",
                          settings=KaryotypeSettings(min_loh_autosomes=4))  # fmt: skip
    assert (k.karyotype_class, k.masked_warning) == ("diploid", "no")
    assert k.evidence["imbalanced_without_gain"] == ["chr5"]


def test_too_few_assessed_autosomes_keep_dosage() -> None:
    a = _allelic(dict.fromkeys(AUTOSOMES[:10], "not_assessable"))
    k = combine_karyotype(a, _dosage(), dosage_modal=46, dosage_class="diploid")
    assert "allele_data_incomplete" in k.flags
    assert k.karyotype_class == "diploid"


GAINS = ["chr4", "chr6", "chr10", "chr14", "chr17", "chr18", "chr21"]
AMBIGUOUS = {"flags": ["rna_baseline_ambiguous"], "point_estimate": 54,
             "changes": dict.fromkeys(GAINS, 1)}  # fmt: skip


def test_ambiguous_rna_baseline_resolved_by_heterozygous_gains() -> None:
    """Rule 5: no genome-wide LOH + gains heterozygous -> the hyperdiploid reading."""
    summary = _allelic(dict.fromkeys(GAINS, "imbalanced"))
    k = combine_karyotype(summary, None, dosage_modal=None, dosage_class="not_assessable")
    assert k.karyotype_class == "not_assessable"
    r = resolve_baseline_ambiguity(k, AMBIGUOUS)
    assert (r.karyotype_class, r.modal_number, r.masked_warning) == ("high_hyperdiploid", 54, "no")
    assert "rna_baseline_resolved_by_alleles" in r.flags


def test_ambiguous_baseline_not_resolved_without_allele_support() -> None:
    """Gains LOH, genome-wide LOH, no ambiguity or no allele data: nothing changes."""
    loh_gains = _allelic(dict.fromkeys(GAINS, "LOH") | {"chr1": "heterozygous"})
    k = combine_karyotype(loh_gains, None, dosage_modal=None, dosage_class="not_assessable")
    assert resolve_baseline_ambiguity(k, AMBIGUOUS).karyotype_class != "high_hyperdiploid"
    near = combine_karyotype(_allelic(NEAR_HAPLOID_LOH), None, dosage_modal=None,
                             dosage_class="not_assessable")  # fmt: skip
    assert resolve_baseline_ambiguity(near, AMBIGUOUS).karyotype_class == "near_haploid"
    het = combine_karyotype(_allelic(dict.fromkeys(GAINS, "imbalanced")), None,
                            dosage_modal=None, dosage_class="not_assessable")  # fmt: skip
    clear = {**AMBIGUOUS, "flags": []}
    assert resolve_baseline_ambiguity(het, clear).karyotype_class == "not_assessable"
    none = combine_karyotype(None, None, dosage_modal=None, dosage_class="not_assessable")
    assert resolve_baseline_ambiguity(none, AMBIGUOUS).karyotype_class == "not_assessable"
