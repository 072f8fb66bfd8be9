"""Expression part of the simulator: realism checks and determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from allstrat.contracts import B_SUBTYPES, T_ALL
from allstrat.simulate import simulate_cohort
from allstrat.simulate.design import label_weights
from allstrat.simulate.expression import load_markers


def _logcpm(counts: pd.DataFrame) -> pd.DataFrame:
    return np.log2(counts / counts.sum(axis=0) * 1e6 + 1)


def test_same_seed_same_counts_and_truth():
    a = simulate_cohort(6, seed=3)
    b = simulate_cohort(6, seed=3)
    pd.testing.assert_frame_equal(a.counts, b.counts)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    c = simulate_cohort(6, seed=4)
    assert not a.counts.equals(c.counts)


def test_sample_does_not_depend_on_cohort_size():
    small = simulate_cohort(5, seed=8)
    big = simulate_cohort(12, seed=8)
    pd.testing.assert_frame_equal(small.counts, big.counts.iloc[:, :5])
    pd.testing.assert_frame_equal(
        small.truth.drop(columns="batch"), big.truth.iloc[:5].drop(columns="batch")
    )


def test_library_sizes_and_detection_are_realistic(realistic_cohort):
    lib = realistic_cohort.counts.sum(axis=0)
    assert lib.min() > 7e6
    assert lib.max() < 1.3e8
    assert 20e6 < lib.median() < 45e6
    # real bulk B-ALL: ~12-90 M reads; most samples in that range
    assert ((lib > 12e6) & (lib < 90e6)).mean() > 0.9
    detected = (realistic_cohort.counts > 0).sum(axis=0)
    assert 12_000 < detected.median() < 18_000  # real data: ~14-17 thousand genes


def test_dispersion_trend_like_bulk_rnaseq(uniform_cohort):
    t = uniform_cohort.truth
    # within one homogeneous group the biological CV of high-expression genes is 0.2-0.6
    grp = uniform_cohort.counts.loc[:, (t["subtype"] == "ETV6::RUNX1").to_numpy()]
    cpm = grp / grp.sum(axis=0) * 1e6
    mean = cpm.mean(axis=1)
    cv = cpm.std(axis=1) / mean
    high = cv[mean > 200]
    low = cv[(mean > 1) & (mean < 5)]
    assert 0.15 < high.median() < 0.7
    assert low.median() > high.median()


def test_marker_genes_move_in_the_right_direction(uniform_cohort):
    markers = load_markers()
    lc = _logcpm(uniform_cohort.counts)
    subtype = uniform_cohort.truth["subtype"].to_numpy()
    wrong = []
    n = 0
    for _, m in markers[markers["log2fc_mean"].abs() >= 1.5].iterrows():
        inside = subtype == m["subtype"]
        if inside.sum() < 5:
            continue
        diff = lc.loc[m["gene"], inside].mean() - lc.loc[m["gene"], ~inside].mean()
        n += 1
        if np.sign(diff) != (1 if m["direction"] == "up" else -1):
            wrong.append((m["subtype"], m["gene"], round(float(diff), 2)))
    assert n > 150
    # markers shared between subtypes can be cancelled out; almost all must agree
    assert len(wrong) / n < 0.05, wrong


def test_dux4_reads_stay_near_zero_even_in_dux4_r(uniform_cohort):
    counts = uniform_cohort.counts
    cpm = counts.loc["DUX4"] / counts.sum(axis=0) * 1e6
    assert cpm.max() < 1.0
    dux = (uniform_cohort.truth["subtype"] == "DUX4").to_numpy()
    clec = _logcpm(counts).loc["CLEC12A"]
    assert clec[dux].mean() > clec[~dux].mean() + 1.0


def test_hyperdiploid_dosage_raises_gained_chromosomes(uniform_cohort):
    from allstrat.io.gene_table import load_gene_table

    genes = load_gene_table().table
    lc = _logcpm(uniform_cohort.counts)
    expressed = lc.mean(axis=1) > 3
    chrom = genes.loc[lc.index, "chrom"]
    t = uniform_cohort.truth
    heh = (t["subtype"] == "Hyperdiploid").to_numpy()
    diploid = (t["karyotype_class"] == "diploid").to_numpy()
    chr21 = (chrom == "chr21").to_numpy() & expressed.to_numpy()
    chr1 = (chrom == "chr1").to_numpy() & expressed.to_numpy()
    shift21 = lc[chr21].loc[:, heh].mean(axis=1) - lc[chr21].loc[:, diploid].mean(axis=1)
    shift1 = lc[chr1].loc[:, heh].mean(axis=1) - lc[chr1].loc[:, diploid].mean(axis=1)
    # +21 in ~all HeH (often tetrasomy), x1.45 per copy diluted by blasts: ~0.4-0.7 log2
    assert 0.25 < shift21.median() < 1.0
    assert abs(shift1.median()) < 0.15


def test_t_all_lineage_programme(uniform_cohort):
    lc = _logcpm(uniform_cohort.counts)
    t_all = (uniform_cohort.truth["subtype"] == T_ALL).to_numpy()
    assert lc.loc["CD3E", t_all].mean() > lc.loc["CD3E", ~t_all].mean() + 2
    assert lc.loc["CD19", t_all].mean() < lc.loc["CD19", ~t_all].mean() - 1.5


def test_sex_specific_genes(realistic_cohort):
    lc = _logcpm(realistic_cohort.counts)
    female = (realistic_cohort.truth["sex"] == "F").to_numpy()
    assert lc.loc["XIST", female].min() > lc.loc["XIST", ~female].max()
    assert lc.loc["RPS4Y1", female].max() < 1.0


def test_uniform_balance_covers_every_class(uniform_cohort):
    seen = set(uniform_cohort.truth["subtype"])
    assert seen == {*B_SUBTYPES, T_ALL}


def test_class_weights_oversample_and_validate():
    w = label_weights("realistic", {"NUTM1": 10})
    base = label_weights("realistic")
    assert w["NUTM1"] > 5 * base["NUTM1"]
    with pytest.raises(ValueError, match="unknown subtype"):
        label_weights("realistic", {"Ph like": 2})
    with pytest.raises(ValueError, match="subtype_balance"):
        label_weights("balanced")


def test_marker_table_uses_canonical_genes_and_labels(genes):
    m = load_markers()
    assert set(m.columns) == {"subtype", "gene", "direction", "log2fc_mean", "source", "evidence"}
    assert set(m["subtype"]) <= {*B_SUBTYPES, T_ALL}
    assert m["gene"].isin(genes.table.index).all()
    sign = np.where(m["direction"] == "up", 1, -1)
    assert (np.sign(m["log2fc_mean"]) == sign).all()
    assert set(m["evidence"]) <= {"✔", "?", "(p)", "†"}
    assert not m.duplicated(["subtype", "gene"]).any()
    assert "DUX4" not in set(m["gene"])  # DUX4 reads vanish from gene counts
