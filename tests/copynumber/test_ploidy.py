"""Modal number, karyotype classes, favourable trisomies, masked hypodiploidy, iAMP21."""

from __future__ import annotations

import pytest
from cn_builders import build_segments, gene_span

from allstrat.copynumber import call_from_segments
from allstrat.copynumber.ploidy import PloidyCutoffs

AUTOSOMES = [f"chr{i}" for i in range(1, 23)]


def _row(genes, chromosomes, **kw):
    purity = kw.pop("purity", 1.0)
    df = build_segments(purity=purity, **kw)
    return call_from_segments(
        df, sample_id="S1", genes=genes, chromosomes=chromosomes, exons=None, blast_fraction=purity
    )


@pytest.mark.parametrize(
    ("n", "cls"),
    [
        (23, "near_haploid"),
        (24, "near_haploid"),
        (31, "near_haploid"),
        (32, "low_hypodiploid"),
        (39, "low_hypodiploid"),
        (40, "high_hypodiploid"),
        (43, "high_hypodiploid"),
        (44, "diploid"),
        (46, "diploid"),
        (47, "low_hyperdiploid"),
        (50, "low_hyperdiploid"),
        (51, "high_hyperdiploid"),
        (67, "high_hyperdiploid"),
        (70, "high_hyperdiploid"),
    ],
)
def test_karyotype_cutoffs(n, cls):
    assert PloidyCutoffs().classify(n)[0] == cls


def test_cutoffs_configurable():
    md_all = PloidyCutoffs(low_hypodiploid_min=31)
    assert md_all.classify(31)[0] == "low_hypodiploid"
    assert PloidyCutoffs().classify(31)[0] == "near_haploid"
    assert PloidyCutoffs().classify(None)[0] == "not_assessable"


@pytest.mark.parametrize("purity", [1.0, 0.5])
def test_high_hyperdiploid_with_favourable_trisomies(gene_rows, chromosomes, purity):
    whole = {
        "chr4": 3,
        "chr6": 3,
        "chr10": 3,
        "chr14": 3,
        "chr17": 3,
        "chr18": 3,
        "chr21": 4,
        "chrX": 3,
    }
    r = _row(gene_rows, chromosomes, whole=whole, purity=purity)
    assert r.row["modal_chromosome_number"] == "55"
    assert r.row["karyotype_class"] == "high_hyperdiploid"
    assert r.row["favourable_trisomies"] == "+4;+10;+17"
    assert r.row["iamp21"] == "no"  # tetrasomy 21 is not iAMP21


def test_male_sex_chromosomes_counted(gene_rows, chromosomes):
    r = _row(gene_rows, chromosomes, sex="male", whole={"chr4": 3})
    assert r.row["modal_chromosome_number"] == "47"
    assert r.evidence["ploidy"]["sex"] == "male"


def test_arm_level_change_does_not_count_as_chromosome(gene_rows, chromosomes):
    # loss of 9p (a common ALL event) leaves the modal number at 46
    cen = int(chromosomes.loc["chr9", "centromere_start"])
    r = _row(gene_rows, chromosomes, events=[("chr9", 1, cen - 1, 1)])
    assert r.row["modal_chromosome_number"] == "46"
    assert r.evidence["ploidy"]["chromosomes"]["chr9"]["p_state"] == 1
    assert r.evidence["ploidy"]["chromosomes"]["chr9"]["whole_state"] is None


def test_low_hypodiploid_with_known_purity(gene_rows, chromosomes):
    lost = ["chr3", "chr4", "chr7", "chr13", "chr15", "chr16", "chr17", "chr20"]
    r = _row(gene_rows, chromosomes, whole=dict.fromkeys(lost, 1), purity=0.9)
    assert r.row["modal_chromosome_number"] == "38"
    assert r.row["karyotype_class"] == "low_hypodiploid"


def test_masked_hypodiploidy_warning_from_genome_wide_loh(gene_rows, chromosomes):
    # doubled near-haploid: disomic-LOH everywhere, a few tetrasomies (the once-disomic)
    whole = {"chr21": 4, "chr14": 4, "chr18": 4, "chr10": 4}
    loh = set(AUTOSOMES) - set(whole)
    r = _row(gene_rows, chromosomes, whole=whole, baf=True, loh=loh)
    assert r.row["masked_hypodiploidy_warning"] == "yes"
    assert r.evidence["masked_hypodiploidy"]["loh_fraction"] > 0.5
    # 54 as measured, but genome-wide LOH is not high hyperdiploidy: classified by 27
    assert r.row["modal_chromosome_number"] == "54"
    assert r.row["karyotype_class"] == "near_haploid"
    assert "karyotype_from_halved_count_masked_hypodiploidy" in r.row["cn_qc_flags"]


def test_no_masked_warning_for_heterozygous_hyperdiploid(gene_rows, chromosomes):
    r = _row(gene_rows, chromosomes, whole={"chr4": 3, "chr10": 3, "chr21": 4}, baf=True)
    assert r.row["masked_hypodiploidy_warning"] == "no"


def test_masked_not_assessable_without_baf(gene_rows, chromosomes):
    assert _row(gene_rows, chromosomes).row["masked_hypodiploidy_warning"] == "not_assessable"


def test_iamp21_pattern(gene_rows, chromosomes):
    _c, s, e = gene_span(gene_rows, "RUNX1")
    events = [
        ("chr21", 15_000_000, 25_000_000, 3),
        ("chr21", 25_000_001, 33_000_000, 1),
        ("chr21", s - 2_000_000, e + 3_000_000, 6),
        ("chr21", 40_000_000, 46_709_983, 1),
    ]
    r = _row(gene_rows, chromosomes, events=events, purity=0.9)
    assert r.row["iamp21"] == "yes"
    assert r.evidence["iamp21"]["runx1_max_cn"] >= 5


def test_runx1_gain_alone_is_not_iamp21(gene_rows, chromosomes):
    _c, s, e = gene_span(gene_rows, "RUNX1")
    r = _row(gene_rows, chromosomes, events=[("chr21", s - 1_000_000, e + 1_000_000, 3)])
    assert r.row["iamp21"] == "no"
