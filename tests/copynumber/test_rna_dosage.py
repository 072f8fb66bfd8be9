"""RNA-derived chromosome dosage against a calibrated reference (hand-built counts).

Thresholds are not tuned here (real calibration: test_rna_dosage_real.py); these tests
check the mechanics: reference fit, leave-one-out calibration, z-scores, states, the
conservative modal number, the noise widening and the caller row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from allstrat.config import load_section
from allstrat.copynumber import CopyNumberSettings
from allstrat.copynumber.caller import call_from_expression
from allstrat.copynumber.ploidy import PloidyCutoffs
from allstrat.copynumber.rna_dosage import (
    ACROCENTRIC,
    RnaDosageSettings,
    RnaReference,
    calibrate,
    estimate_dosage,
    fit_reference,
    load_reference,
    modal_from_states,
    weighted_median,
)

CHROMS = [f"chr{i}" for i in range(1, 23)] + ["chrX"]
PER_CHROM = 60
SLOPE1 = RnaDosageSettings(dosage_slope=1.0)


def _universe(rng):
    rows = []
    for c in CHROMS:
        for k in range(PER_CHROM):
            arm = "q" if c in ACROCENTRIC or k >= PER_CHROM // 2 else "p"
            rows.append({"symbol": f"G{c}_{k}", "chrom": c, "arm": arm})
    genes = pd.DataFrame(rows)
    base = rng.uniform(50, 400, size=len(genes))
    return genes, base


def _sample(rng, genes, base, copies: dict[str, float], depth=2e7, noise=0.15):
    mult = genes["chrom"].map(lambda c: copies.get(c, 2) / 2).to_numpy()
    mu = base * mult * np.exp(rng.normal(0, noise, size=len(base)))
    return rng.poisson(mu / mu.sum() * depth)


@pytest.fixture(scope="module")
def world():
    rng = np.random.default_rng(7)
    genes, base = _universe(rng)
    ref_counts = np.vstack([_sample(rng, genes, base, {}) for _ in range(16)])
    fit = {"min_count": 5, "min_mean_log_cpm": 1.0, "n_components": 2}
    table, info = calibrate(ref_counts, genes, **fit)
    ref = RnaReference(
        fit_reference(ref_counts, genes, **fit), table, {"loo_gene_mad": str(info["gene_mad"])}
    )
    return rng, genes, base, ref, info


def test_weighted_median():
    assert weighted_median(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 5.0])) == 3.0
    assert weighted_median(np.array([1.0, np.nan, 3.0]), np.ones(3)) in (1.0, 3.0)
    assert np.isnan(weighted_median(np.array([]), np.array([])))


def test_calibration_has_every_region_and_a_spread(world):
    _, _, _, ref, info = world
    cal = ref.calibration
    assert set(CHROMS) <= set(cal.index)
    assert "chr21p" not in cal.index
    assert "chr21q" in cal.index
    assert "chr1p" in cal.index
    assert (cal["loo_sd"] > 0).all()
    assert cal["loo_mean"].abs().max() < 3 * cal["loo_sd"].max()
    assert info["loo_shifts"].shape[0] == 16
    assert {"pc1", "pc2"} <= set(ref.genes.columns)


def test_hyperdiploid_sample_against_reference(world):
    rng, genes, base, ref, _ = world
    gains = {"chr4": 3, "chr6": 3, "chr10": 3, "chr14": 3, "chr17": 3, "chr18": 3, "chr21": 4}
    x = _sample(rng, genes, base, gains)
    settings = CopyNumberSettings(rna=SLOPE1)
    r = call_from_expression(
        x, genes["symbol"], ref, sample_id="R1", blast_fraction=1.0, settings=settings
    )
    assert r.row["cn_source"] == "RNA"
    assert r.row["modal_chromosome_number"] == "54"
    assert r.row["karyotype_class"] == "high_hyperdiploid"
    assert r.row["favourable_trisomies"] == "+4;+10;+17"
    assert "rna_derived_low_confidence" in r.row["cn_qc_flags"]
    for col in ("ikzf1_status", "erg_status", "par1_status"):
        assert r.row[col] == "not_assessable"
    assert r.row["ikzf1plus"] == "not_assessable"
    assert r.row["masked_hypodiploidy_warning"] == "not_assessable"
    regions = r.evidence["rna_dosage"]["regions"]
    assert regions["chr21"]["copies"] == 4
    assert regions["chr21"]["state"] == "gain"
    assert regions["chr4p"]["state"] == "gain"
    assert regions["chr4q"]["state"] == "gain"
    assert regions["chr1"]["state"] == "neutral"
    assert abs(regions["chr1"]["z"]) < 3.5
    # the baseline was re-centred on the chromosomes that look neutral
    assert "chr4" not in r.evidence["rna_dosage"]["recentred_on"]


def test_loss_and_purity_adjusted_minimum_effect(world):
    rng, genes, base, ref, _ = world
    x = _sample(rng, genes, base, {"chr7": 1})
    est = estimate_dosage(x, genes["symbol"], ref, settings=SLOPE1, blast_fraction=0.9)
    assert est.regions.loc["chr7", "state"] == "loss"
    assert est.modal["modal_chromosome_number"] == 45
    # a shift that is significant but far below what one copy would do is not a call
    strict = RnaDosageSettings(dosage_slope=1.0, min_effect_fraction=1.0)
    weak = _sample(rng, genes, base, {"chr7": 1.6})
    est2 = estimate_dosage(weak, genes["symbol"], ref, settings=strict, blast_fraction=1.0)
    assert est2.regions.loc["chr7", "state"] in ("indeterminate", "neutral")
    assert est2.regions.loc["chr7", "z"] < -4


def test_diploid_sample_is_diploid_and_too_few_genes_not_assessed(world):
    rng, genes, base, ref, _ = world
    r = call_from_expression(_sample(rng, genes, base, {}), genes["symbol"], ref, sample_id="R2")
    assert r.row["modal_chromosome_number"] == "46"
    assert r.row["karyotype_class"] == "diploid"
    assert "purity_unknown_assumed" in r.row["cn_qc_flags"]
    s = load_section("copynumber", {"rna": {"min_genes": PER_CHROM + 1}})
    r2 = call_from_expression(
        _sample(rng, genes, base, {}), genes["symbol"], ref, sample_id="R2", settings=s
    )
    assert r2.row["modal_chromosome_number"] == ""
    assert r2.row["karyotype_class"] == "not_assessable"


def test_noisy_sample_widens_the_spread_instead_of_calling(world):
    rng, genes, base, ref, _ = world
    noisy = _sample(rng, genes, base, {}, noise=0.6)
    est = estimate_dosage(noisy, genes["symbol"], ref)
    assert est.noise_ratio > 1.5
    assert not est.whole()["state"].isin(["gain", "loss"]).any()
    r = call_from_expression(noisy, genes["symbol"], ref, sample_id="N")
    assert "rna_noisier_than_reference" in r.row["cn_qc_flags"]


def test_result_does_not_depend_on_other_samples_or_gene_order(world):
    rng, genes, base, ref, _ = world
    x = _sample(rng, genes, base, {"chr8": 3})
    a = estimate_dosage(x, genes["symbol"], ref, settings=SLOPE1).regions
    perm = rng.permutation(len(x))
    b = estimate_dosage(x[perm], genes["symbol"].to_numpy()[perm], ref, settings=SLOPE1).regions
    pd.testing.assert_frame_equal(a, b)
    assert a.loc["chr8", "shift"] == pytest.approx(np.log2(1.5), abs=0.12)


def _whole(states: dict[str, tuple[str, float]]) -> pd.DataFrame:
    rows = dict.fromkeys(CHROMS[:22], ("neutral", 0.0, 2))
    for c, (st, shift) in states.items():
        rows[c] = (st, shift, 3 if st == "gain" else (1 if st == "loss" else pd.NA))
    t = pd.DataFrame.from_dict(rows, orient="index", columns=["state", "shift", "copies"])
    t["loo_mean"] = 0.0
    return t


def test_modal_is_not_assessable_when_indeterminate_chromosomes_span_two_classes():
    cut = PloidyCutoffs()
    gains = dict.fromkeys(("chr4", "chr6", "chr10", "chr14"), ("gain", 0.3))
    m = modal_from_states(_whole(gains), cut)
    assert m["modal_chromosome_number"] == 50
    assert m["karyotype_class"] == "low_hyperdiploid"
    gains["chr17"] = ("indeterminate", 0.2)
    m = modal_from_states(_whole(gains), cut)
    assert m["modal_chromosome_number"] is None
    assert m["karyotype_class"] == "not_assessable"
    assert m["range"] == [50, 51]
    assert "rna_karyotype_indeterminate" in m["flags"]
    # an indeterminate chromosome inside one class keeps the class
    m = modal_from_states(_whole({"chr2": ("indeterminate", -0.2)}), cut)
    assert m["karyotype_class"] == "diploid"
    assert m["range"] == [45, 46]


def test_bundled_reference_is_real_and_calibrated():
    ref = load_reference()
    assert ref is not None, "the RNA dosage reference must be bundled"
    assert {"symbol", "ensembl_id", "chrom", "arm", "median", "sd", "weight"} <= set(
        ref.genes.columns
    )
    assert ref.genes["chrom"].isin(CHROMS).all()
    assert len(ref) > 5000
    assert ref.meta["source"].startswith("honzee/RNAseqCNV@12af689b")
    assert int(ref.meta["samples"]) == 36
    cal = ref.calibration
    assert set(CHROMS) <= set(cal.index)
    assert cal.loc[list(CHROMS[:22]), "loo_sd"].between(0.01, 0.3).all()


def test_manifest_rows_match_the_bundled_files():
    import hashlib

    from allstrat.paths import resources_dir

    root = resources_dir()
    man = pd.read_csv(root / "MANIFEST.tsv", sep="\t", dtype=str).set_index("path")
    for rel in (
        "copynumber/rna_dosage_reference.tsv.gz",
        "copynumber/rna_dosage_calibration.tsv",
        "copynumber/RNASEQCNV_LICENSE",
    ):
        assert man.loc[rel, "sha256"] == hashlib.sha256((root / rel).read_bytes()).hexdigest()
        assert "MIT" in man.loc[rel, "licence"]
    assert "MIT License" in (root / "copynumber/RNASEQCNV_LICENSE").read_text()


def test_unmeasured_genes_are_left_out_not_counted_as_zero(world):
    """NaN (not measured) genes leave the medians; zeros would make a chromosome look lost."""
    rng, genes, base, ref, _ = world
    x = _sample(rng, genes, base, {}).astype(float)
    on7 = np.flatnonzero(genes["chrom"].to_numpy() == "chr7")
    unmeasured = x.copy()
    unmeasured[on7[:30]] = np.nan
    a = estimate_dosage(x, genes["symbol"], ref).regions
    b = estimate_dosage(unmeasured, genes["symbol"], ref).regions
    assert b.loc["chr7", "n_genes"] < a.loc["chr7", "n_genes"]
    assert b.loc["chr7", "shift"] == pytest.approx(a.loc["chr7", "shift"], abs=0.1)
    assert b.loc["chr7", "state"] != "loss"
    zeroed = x.copy()
    zeroed[on7[:45]] = 0.0  # most of chr7 "unmeasured" written as 0: looks like a loss
    assert estimate_dosage(zeroed, genes["symbol"], ref).regions.loc["chr7", "shift"] < -1


def test_two_equal_levels_make_the_class_not_assessable(world):
    """Ten autosomes lost and twelve kept: which level is two copies is ambiguous."""
    rng, genes, base, ref, _ = world
    lost = {f"chr{i}": 1 for i in (2, 3, 4, 7, 9, 12, 13, 15, 16, 17)}
    est = estimate_dosage(
        _sample(rng, genes, base, lost), genes["symbol"], ref, settings=SLOPE1, blast_fraction=1.0
    )
    assert est.modal["karyotype_class"] == "not_assessable"
    assert "rna_baseline_ambiguous" in est.modal["flags"]
    assert len(est.modal["baseline_second_group"]) >= 9


def test_gains_carry_the_haploid_baseline_reading(world):
    rng, genes, base, ref, _ = world
    gains = dict.fromkeys(("chr4", "chr6", "chr10", "chr14", "chr17", "chr18", "chr21"), 3)
    est = estimate_dosage(
        _sample(rng, genes, base, gains), genes["symbol"], ref, settings=SLOPE1, blast_fraction=1.0
    )
    alt = est.modal["haploid_baseline_reading"]
    assert sorted(alt["retained_disomies"]) == sorted(gains)
    assert alt["autosome_count"] == 29
    assert alt["karyotype_class_without_sex_chromosomes"] == "near_haploid"
    assert est.modal["karyotype_class"] == "high_hyperdiploid"
