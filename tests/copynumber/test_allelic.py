"""Allelic state per chromosome (allstrat.copynumber.allelic) on hand-specified genomes.

The fixtures of tests/data/variants are written by make_fixtures.py from explicit
per-chromosome (copies, minor) states, so the expected class of every chromosome is known.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from allstrat.copynumber import allelic
from allstrat.copynumber.resources import AUTOSOMES, load_chromosomes
from allstrat.io.variants import read_vcf

HERE = Path(__file__).resolve().parents[1] / "data" / "variants"
RETAINED = {"chr8", "chr10", "chr14", "chr18", "chr21", "chrX"}
LOW_HYPO_LOST = {"chr3", "chr4", "chr7", "chr12", "chr13", "chr15", "chr16", "chr17", "chr20",
                 "chr22"}  # fmt: skip
TRISOMIES = {"chr4", "chr6", "chr10", "chr14", "chr17", "chr18", "chrX"}


def _sites(name: str) -> pd.DataFrame:
    return read_vcf(HERE / name, samples=["S"])["S"].sites


@pytest.fixture(scope="module")
def summaries() -> dict[str, dict]:
    """Each fixture summarised once (with its true blast fraction where the test says)."""
    arms = load_chromosomes()
    return {
        "diploid": allelic.summarise_sites(_sites("gatk_diploid.vcf.gz"), arms=arms),
        "near_haploid": allelic.summarise_sites(_sites("bcftools_near_haploid.vcf")),
        "doubled": allelic.summarise_sites(
            _sites("deepvariant_doubled.g.vcf.gz"), blast_fraction=0.85
        ),
        "hyper": allelic.summarise_sites(
            _sites("strelka2_hyperdiploid.vcf.gz"), blast_fraction=0.9
        ),
        "low_hypo": allelic.summarise_sites(_sites("strelka2_low_hypodiploid.bcf")),
    }


def _classes(summary: dict) -> dict[str, str]:
    return {c: r["class"] for c, r in summary["chromosomes"].items()}


def test_mixture_formula_matches_hand_values() -> None:
    """m(c, b, f) = (f b + 1 - f) / (f c + 2 (1 - f)) (module docstring)."""
    assert allelic.expected_minor_fraction(1, 0, 1.0) == 0.0
    assert allelic.expected_minor_fraction(1, 0, 0.5) == pytest.approx(1 / 3)
    assert allelic.expected_minor_fraction(2, 0, 0.8) == pytest.approx(0.1)
    assert allelic.expected_minor_fraction(3, 1, 1.0) == pytest.approx(1 / 3)
    assert allelic.expected_minor_fraction(4, 1, 1.0) == pytest.approx(0.25)
    assert allelic.expected_minor_fraction(4, 2, 0.3) == pytest.approx(0.5)
    assert allelic.expected_minor_fraction(2, 1, 0.0) == pytest.approx(0.5)


def test_diploid_genome_is_heterozygous_everywhere(summaries: dict) -> None:
    s = summaries["diploid"]
    assert s["status"] == "assessed"
    assert set(_classes(s).values()) == {"heterozygous"}
    arms = {k: v["class"] for k, v in s["arms"].items()}
    assert "1p" in arms
    assert "21p" not in arms
    assert set(arms.values()) <= {"heterozygous", "not_assessable"}


def test_near_haploid_loh_except_retained_disomies(summaries: dict) -> None:
    cls = _classes(summaries["near_haploid"])
    assert {c for c, v in cls.items() if v == "LOH"} == set(AUTOSOMES) - RETAINED
    assert {c for c, v in cls.items() if v == "heterozygous"} == RETAINED


def test_doubled_near_haploid_same_pattern_and_two_copy_fits(summaries: dict) -> None:
    """Doubled: LOH chromosomes 0:2, retained 2:2; at the known f the fit sees two copies."""
    s = summaries["doubled"]
    cls = _classes(s)
    assert {c for c, v in cls.items() if v == "LOH"} == set(AUTOSOMES) - RETAINED
    fitted = [r["best_state"]["copies"] for c, r in s["chromosomes"].items()
              if r["class"] == "LOH" and "best_state" in r]  # fmt: skip
    assert fitted
    assert np.mean(np.array(fitted) == 2) > 0.5


def test_hyperdiploid_trisomies_imbalanced_tetrasomy_balanced(summaries: dict) -> None:
    """Gains keep heterozygosity: trisomies 1:2, tetrasomy 21 2:2 (balanced)."""
    s = summaries["hyper"]
    cls = _classes(s)
    assert {c for c, v in cls.items() if v == "imbalanced"} == TRISOMIES
    assert cls["chr21"] == "heterozygous"
    assert "LOH" not in cls.values()
    assert s["chromosomes"]["chr4"]["allelic_ratio"] == "1:2"
    assert 0.28 < s["chromosomes"]["chr4"]["median_mirrored_baf"] < 0.4


def test_low_hypodiploid_monosomies_are_loh(summaries: dict) -> None:
    cls = _classes(summaries["low_hypo"])
    assert {c for c, v in cls.items() if v == "LOH"} == LOW_HYPO_LOST
    assert summaries["low_hypo"]["blast_fraction_source"] == "estimated"


def test_dosage_copies_restrict_candidate_states() -> None:
    """With copies=3 for the trisomies, no LOH explanation is even considered."""
    sites = _sites("strelka2_hyperdiploid.vcf.gz")
    s = allelic.summarise_sites(sites, copies=dict.fromkeys(TRISOMIES, 3))
    for c in TRISOMIES:
        assert s["chromosomes"][c]["best_state"]["copies"] == 3


def test_somatic_only_vcf_is_not_assessable_never_loh() -> None:
    sites = read_vcf(HERE / "mutect2_somatic_only.vcf", samples=["T"], columns={"T": "PT9_T"})[
        "T"
    ].sites
    s = allelic.summarise_sites(sites)
    assert s["status"] == "not_assessable"
    assert s["chromosomes"] == {}
    assert "somatic" in s["reason"]
    assert s["filter"]["somatic"] == 8


def test_filters_drop_indels_multiallelics_low_depth_and_hotspots() -> None:
    base = {"ref": "A", "alt": "G", "n_alt": 1, "is_snv": True, "genotype": "het", "gq": 50.0,
            "filter_pass": True, "somatic": False, "protein": ""}  # fmt: skip
    rows = [
        {**base, "chrom": "chr1", "pos": 1, "ref_count": 10, "alt_count": 10, "depth": 20},
        {**base, "chrom": "chr1", "pos": 2, "ref_count": 10, "alt_count": 10, "depth": 20,
         "is_snv": False},
        {**base, "chrom": "chr1", "pos": 3, "ref_count": 10, "alt_count": 10, "depth": 20,
         "n_alt": 2},
        {**base, "chrom": "chr1", "pos": 4, "ref_count": 3, "alt_count": 3, "depth": 6},
        {**base, "chrom": "chr9", "pos": 37_015_168, "ref_count": 10, "alt_count": 10,
         "depth": 20},
        {**base, "chrom": "chr1", "pos": 5, "ref_count": 10, "alt_count": 10, "depth": 20,
         "filter_pass": False},
    ]  # fmt: skip
    kept, why = allelic.filter_sites(
        pd.DataFrame(rows), allelic.AllelicSettings(), exclude=[("chr9", 37_015_168)]
    )
    assert list(kept["pos"]) == [1]
    assert why == {"records": 6, "not_biallelic_snv": 2, "filtered": 1, "somatic": 0,
                   "hotspot_position": 1, "low_depth": 1, "few_alt_reads": 0,
                   "kept": 1}  # fmt: skip
    assert kept["minor"].iloc[0] == 0.5


def test_dna_segment_baf_uses_the_same_states() -> None:
    """CNVkit segment BAF: LOH at (1-f)/(2-f), trisomy at 1/(2+f), disomy 0.5."""
    f = 0.8
    seg = pd.DataFrame(
        {
            "chrom": ["chr1", "chr2", "chr3", "chr3"],
            "start": [1, 1, 1, 100_000_001],
            "end": [200_000_000, 200_000_000, 100_000_000, 190_000_000],
            "cn_state": [1, 3, 2, 2],
            "baf": [0.2 / 1.2, 1 / 2.8, 0.49, 0.1],
        }
    )
    s = allelic.summarise_segment_baf(seg, purity=f)
    got = {c: (r["class"], r["allelic_ratio"]) for c, r in s["chromosomes"].items()}
    assert got["chr1"] == ("LOH", "0:1")
    assert got["chr2"] == ("imbalanced", "1:2")
    assert got["chr3"][0] == "heterozygous"  # longer het segment wins over the CN-LOH part
    assert allelic.summarise_segment_baf(seg.drop(columns="baf"), purity=f)["status"] == (
        "not_assessable"
    )
