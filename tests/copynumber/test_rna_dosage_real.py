"""RNA dosage on REAL diploid B-ALL samples (RNAseqCNV diploid standard, ../shared/data).

Leave-one-out: each of the 36 samples is scored against a reference and a calibration
that do not contain it; none of them carries a large copy-number change, so every
whole-chromosome call is false (target: none). Spike-ins into held-out real samples only
check that calibrated calling still sees realistic trisomies / monosomies; thresholds
are not set from them. Figures: benchmarks/bench_rna_dosage_loo.py.
"""

from __future__ import annotations

import hashlib

import pytest

from allstrat.copynumber import rna_dosage as rd
from allstrat.copynumber import rna_dosage_eval as ev
from allstrat.io.rnaseqcnv import COUNTS_FILE, read_diploid_standard

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def standard(shared_data):
    folder = shared_data / "rnaseqcnv"
    if not (folder / COUNTS_FILE).is_file():
        pytest.skip("RNAseqCNV diploid standard not in ../shared/data")
    return read_diploid_standard(folder)


@pytest.fixture(scope="module")
def folds(standard):
    return ev.loo_folds(standard)


def test_bundled_reference_was_built_from_this_file(standard, shared_data):
    ref = rd.load_reference()
    digest = hashlib.sha256((shared_data / "rnaseqcnv" / COUNTS_FILE).read_bytes()).hexdigest()
    assert ref.meta["input_sha256"] == digest
    assert int(ref.meta["samples"]) == len(standard.samples) == 36
    assert set(standard.sex) == {"male", "female"}


@pytest.mark.slow
def test_leave_one_out_makes_no_whole_chromosome_call(standard, folds):
    loo = ev.leave_one_out(standard, rd.RnaDosageSettings(), folds)
    assert len(loo) == 36
    assert loo["n_whole_calls"].sum() == 0, loo[loo["n_whole_calls"] > 0]
    assert (loo["karyotype_class"] == "diploid").all()
    assert (loo["modal"] == 46).all()


@pytest.mark.slow
def test_calibrated_calling_detects_realistic_aneuploidy(standard, folds):
    s = rd.RnaDosageSettings()
    chroms = ["chr4", "chr6", "chr10", "chr14", "chr17"]
    # tetrasomy (e.g. +21,+21 of high hyperdiploidy) and monosomy at full blast fraction
    tetra = ev.spike_in(
        standard, s, chroms=chroms, copies=4, purity=1.0, slope=0.5, folds=folds[:6], seed=1
    )
    mono = ev.spike_in(
        standard, s, chroms=chroms, copies=1, purity=0.9, slope=0.5, folds=folds[:6], seed=2
    )
    tri = ev.spike_in(
        standard, s, chroms=chroms, copies=3, purity=1.0, slope=0.6, folds=folds[:6], seed=3
    )
    assert tetra["detected"].mean() >= 0.9
    assert mono["detected"].mean() >= 0.9
    assert tri["detected"].mean() >= 0.7
    for t in (tetra, mono, tri):
        assert t["other_false_calls"].sum() == 0
        # a change is never called in the wrong direction
        assert not t["state"].isin(["loss" if t["copies"].iloc[0] > 2 else "gain"]).any()


@pytest.mark.slow
def test_high_hyperdiploid_genome_is_never_given_a_wrong_class(standard, folds):
    genome = {"chr4": 3, "chr6": 3, "chr10": 3, "chr14": 3, "chr17": 3, "chr18": 3, "chr21": 4}
    res = ev.karyotype_spike(
        standard,
        rd.RnaDosageSettings(),
        genome=genome,
        purity=0.9,
        slope=0.6,
        folds=folds[:8],
        expected_class="high_hyperdiploid",
    )
    assert (res["outcome"] != "wrong").all(), res
    assert (res["outcome"] == "correct").mean() >= 0.5
