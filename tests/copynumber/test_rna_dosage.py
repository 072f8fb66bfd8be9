"""RNA-derived chromosome dosage against a fitted reference (hand-built counts)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from allstrat.copynumber import CopyNumberSettings
from allstrat.copynumber.caller import call_from_expression
from allstrat.copynumber.rna_dosage import chromosome_shifts, fit_reference, load_reference

CHROMS = [f"chr{i}" for i in range(1, 23)] + ["chrX"]
PER_CHROM = 60


def _universe(rng):
    symbols = [f"G{c}_{k}" for c in CHROMS for k in range(PER_CHROM)]
    chroms = [c for c in CHROMS for _ in range(PER_CHROM)]
    base = rng.uniform(20, 400, size=len(symbols))
    return symbols, chroms, base


def _sample(rng, base, chroms, copies: dict[str, float], depth=2e7):
    mult = np.array([copies.get(c, 2) / 2 for c in chroms])
    mu = base * mult
    return rng.poisson(mu / mu.sum() * depth)


def test_hyperdiploid_sample_against_reference():
    rng = np.random.default_rng(0)
    symbols, chroms, base = _universe(rng)
    ref_counts = np.vstack([_sample(rng, base, chroms, {}) for _ in range(20)])
    ref = fit_reference(ref_counts, symbols, chroms, min_mean_log_cpm=1.0)
    gains = {"chr4": 3, "chr6": 3, "chr10": 3, "chr14": 3, "chr17": 3, "chr18": 3, "chr21": 4}
    r = call_from_expression(_sample(rng, base, chroms, gains), symbols, ref, sample_id="R1")
    assert r.row["cn_source"] == "RNA"
    assert r.row["modal_chromosome_number"] == "54"
    assert r.row["karyotype_class"] == "high_hyperdiploid"
    assert r.row["favourable_trisomies"] == "+4;+10;+17"
    assert "rna_derived_low_confidence" in r.row["cn_qc_flags"]
    for col in ("ikzf1_status", "erg_status", "par1_status"):
        assert r.row[col] == "not_assessable"
    assert r.row["ikzf1plus"] == "not_assessable"
    assert r.row["masked_hypodiploidy_warning"] == "not_assessable"


def test_result_does_not_depend_on_other_samples():
    """The shift uses the fitted reference and the sample's own median only."""
    rng = np.random.default_rng(1)
    symbols, chroms, base = _universe(rng)
    ref = fit_reference(
        np.vstack([_sample(rng, base, chroms, {}) for _ in range(10)]),
        symbols,
        chroms,
        min_mean_log_cpm=1.0,
    )
    x = _sample(rng, base, chroms, {"chr8": 3})
    a = chromosome_shifts(x, symbols, ref)
    b = chromosome_shifts(x.copy(), symbols, ref)
    pd.testing.assert_frame_equal(a, b)
    assert a.loc["chr8", "shift"] == pytest.approx(np.log2(1.5), abs=0.1)


def test_unmeasured_genes_are_left_out_not_counted_as_zero():
    """NaN (not measured) genes leave the library size and the medians; zeros would drag a
    chromosome down and make it look lost.
    """
    rng = np.random.default_rng(3)
    symbols, chroms, base = _universe(rng)
    ref = fit_reference(
        np.vstack([_sample(rng, base, chroms, {}) for _ in range(10)]),
        symbols,
        chroms,
        min_mean_log_cpm=1.0,
    )
    x = _sample(rng, base, chroms, {}).astype(float)
    on7 = np.flatnonzero(np.array(chroms) == "chr7")
    unmeasured = x.copy()
    unmeasured[on7[:35]] = np.nan
    a = chromosome_shifts(x, symbols, ref)
    b = chromosome_shifts(unmeasured, symbols, ref)
    assert b.loc["chr7", "n_genes"] == a.loc["chr7", "n_genes"] - 35
    assert b.loc["chr7", "shift"] == pytest.approx(a.loc["chr7", "shift"], abs=0.05)
    zeroed = np.nan_to_num(unmeasured, nan=0.0)
    assert chromosome_shifts(zeroed, symbols, ref).loc["chr7", "shift"] < -0.3


def test_diploid_sample_is_diploid_and_too_few_genes_not_assessed():
    rng = np.random.default_rng(2)
    symbols, chroms, base = _universe(rng)
    ref = fit_reference(
        np.vstack([_sample(rng, base, chroms, {}) for _ in range(10)]),
        symbols,
        chroms,
        min_mean_log_cpm=1.0,
    )
    r = call_from_expression(_sample(rng, base, chroms, {}), symbols, ref, sample_id="R2")
    assert r.row["modal_chromosome_number"] == "46"
    s = CopyNumberSettings.from_config({"rna": {"min_genes": PER_CHROM + 1}})
    r2 = call_from_expression(
        _sample(rng, base, chroms, {}), symbols, ref, sample_id="R2", settings=s
    )
    assert r2.row["modal_chromosome_number"] == ""
    assert r2.row["karyotype_class"] == "not_assessable"


def test_bundled_reference_is_readable():
    ref = load_reference()
    if ref is None:
        pytest.skip("RNA dosage reference not installed")
    assert {"symbol", "chrom", "mean"} <= set(ref.columns)
    assert ref["chrom"].isin(CHROMS).all()
    assert len(ref) > 1000
