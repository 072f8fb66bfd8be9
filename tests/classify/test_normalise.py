"""Reference-based normalisation: hand-checkable values and invariances."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from allstrat.normalise import (
    ReferenceNormaliser,
    log_cpm,
    region_offsets,
    signature_rank_scores,
)


def test_log_cpm_hand_checked():
    out = log_cpm(np.array([[1.0, 3.0], [0.0, 0.0]]))
    assert out[0, 0] == pytest.approx(np.log2(250_000 + 1))
    assert out[0, 1] == pytest.approx(np.log2(750_000 + 1))
    assert np.isnan(out[1]).all()  # empty library: unknown, not zero


def test_log_cpm_nan_is_not_measured():
    out = log_cpm(np.array([[1.0, np.nan, 3.0]]))
    assert np.isnan(out[0, 1])
    assert out[0, 0] == pytest.approx(np.log2(250_000 + 1))


def test_log_cpm_of_one_sample_vector_equals_its_matrix_row():
    """The RNA dosage estimate passes one sample's vector: same semantics, NaN included."""
    x = np.array([[5.0, np.nan, 0.0, 20.0], [0.0, 0.0, np.nan, 0.0]])
    for row in range(2):
        np.testing.assert_array_equal(log_cpm(x[row]), log_cpm(x)[row])
    assert np.isnan(log_cpm(np.zeros(3))).all()


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, (3, 6), elements=st.integers(0, 10_000).map(float)),
    st.floats(0.01, 100),
)
def test_log_cpm_invariant_to_library_scaling(x, k):
    x[:, 0] += 1  # no empty library
    np.testing.assert_allclose(log_cpm(x), log_cpm(x * k), rtol=1e-9, atol=1e-9)


def test_reference_offset_removes_composition_shift():
    rng = np.random.default_rng(0)
    ref = rng.poisson(rng.uniform(200, 2000, 50), size=(10, 50)).astype(float)
    norm = ReferenceNormaliser(anchor_min_log_cpm=0).fit(ref)
    s = ref[:1].copy()
    s_shift = s.copy()
    s_shift[0, 0] *= 50  # one gene eats the library: every other log-CPM drops
    y, y_shift = norm.transform(s), norm.transform(s_shift)
    # the median offset restores the other genes to within noise
    np.testing.assert_allclose(y[0, 1:], y_shift[0, 1:], atol=0.15)


def test_missing_genes_stay_nan_and_do_not_shift_others():
    rng = np.random.default_rng(1)
    ref = rng.poisson(500, size=(8, 40)).astype(float)
    norm = ReferenceNormaliser(anchor_min_log_cpm=0).fit(ref)
    s = ref[:1].copy()
    s_missing = s.copy()
    s_missing[0, :5] = np.nan
    y, y_m = norm.transform(s), norm.transform(s_missing)
    assert np.isnan(y_m[0, :5]).all()
    np.testing.assert_allclose(y[0, 5:], y_m[0, 5:], atol=0.1)


def test_rank_scores_hand_checked():
    values = np.array([[1.0, 2.0, 3.0, 4.0]])
    up, down = [np.array([3])], [np.array([0])]
    out = signature_rank_scores(values, up, down, universe=np.arange(4), min_genes=1)
    assert out[0, 0] == pytest.approx(1.0 - 0.25)
    out2 = signature_rank_scores(
        values, up, [np.array([], dtype=int)], universe=np.arange(4), min_genes=1
    )
    assert out2[0, 0] == pytest.approx(0.5)  # no down set: mean rank minus 0.5
    out3 = signature_rank_scores(values, up, down, universe=np.arange(4), min_genes=2)
    assert np.isnan(out3[0, 0])


def test_region_offsets_median():
    delta = np.array([[0.5, 0.6, 0.7, -1.0, np.nan]])
    out = region_offsets(delta, [np.array([0, 1, 2]), np.array([3, 4])], min_genes=1)
    assert out[0, 0] == pytest.approx(0.6)
    assert out[0, 1] == pytest.approx(-1.0)
    assert np.isnan(region_offsets(delta, [np.array([3, 4])], min_genes=2)[0, 0])


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        np.float64,
        (3, 12),
        elements=st.one_of(st.sampled_from([0.0, 1.0, 2.0, np.nan]), st.floats(-5, 5)),
    )
)
def test_rank_scores_match_rankdata_reference(values):
    """Fast searchsorted ranks equal scipy average ranks among the measured genes."""
    from scipy.stats import rankdata

    up, down = [np.array([0, 1, 2]), np.array([5])], [np.array([3, 4]), np.array([], dtype=int)]
    got = signature_rank_scores(values, up, down, universe=np.arange(12), min_genes=1)
    for i, row in enumerate(values):
        ok = ~np.isnan(row)
        r = np.full(12, np.nan)
        r[ok] = rankdata(row[ok]) / ok.sum()
        for k, (u, d) in enumerate(zip(up, down, strict=True)):
            ru, rd = r[u][~np.isnan(r[u])], r[d][~np.isnan(r[d])]
            want = np.nan if len(ru) == 0 else ru.mean() - (rd.mean() if len(rd) else 0.5)
            np.testing.assert_allclose(got[i, k], want)


def test_signature_scores_do_not_depend_on_the_batch():
    """A sample scored alone gets the bits it gets in a chunk (the per-sample memo reuses
    chunk results for single recomputed samples): numpy's row mean of a column selection
    adds pairwise for one row but column after column for several.
    """
    rng = np.random.default_rng(3)
    values = rng.normal(5, 2, size=(40, 300))
    values[rng.random(values.shape) < 0.05] = np.nan
    up = [rng.choice(300, k, replace=False) for k in (8, 13, 40)]
    down = [rng.choice(300, 9, replace=False), np.array([], dtype=int), np.arange(20)]
    kw = {"universe": np.arange(300), "min_genes": 3}
    batch = signature_rank_scores(values, up, down, **kw)
    for i in range(len(values)):
        alone = signature_rank_scores(values[i : i + 1], up, down, **kw)[0]
        assert np.array_equal(alone, batch[i], equal_nan=True), i
    assert np.array_equal(signature_rank_scores(values[:2], up, down, **kw), batch[:2])


def _log_cpm_reference(counts):
    """log_cpm as first written (five temporaries): the in-place version must equal it."""
    x = np.asarray(counts, dtype=float)
    lib = np.nansum(x, axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        cpm = np.where(lib > 0, x / np.where(lib > 0, lib, 1.0) * 1e6, np.nan)
    return np.log2(cpm + 1.0)


def test_log_cpm_equals_its_first_formulation_bit_for_bit():
    rng = np.random.default_rng(5)
    x = rng.negative_binomial(2, 0.01, size=(30, 500)).astype(float)
    x[rng.random(x.shape) < 0.1] = np.nan
    x[3] = 0.0  # empty library
    x[4] = np.nan  # nothing measured
    assert np.array_equal(log_cpm(x), _log_cpm_reference(x), equal_nan=True)
    for row in (x[0], x[3], x[4]):
        assert np.array_equal(log_cpm(row), _log_cpm_reference(row), equal_nan=True)


@pytest.mark.parametrize("width", [50, 700])  # numpy's nanmedian: masked below 600, else a loop
def test_row_nanmedian_equals_numpy_nanmedian(width):
    from allstrat.refnorm import _row_nanmedian

    rng = np.random.default_rng(width)
    a = rng.normal(size=(12, width))
    a[2, ::3] = np.nan
    a[5, 7] = np.nan
    a[8] = np.nan  # all missing: NaN
    a[9, 1:] = a[9, 0]  # ties
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        expected = np.nanmedian(a, axis=1)
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        got = _row_nanmedian(a)
    assert np.array_equal(got, expected, equal_nan=True)
    assert np.array_equal(_row_nanmedian(a[[0, 1, 3]]), np.median(a[[0, 1, 3]], axis=1))


def test_region_offsets_with_ref_mean_equal_those_of_the_difference():
    """ref_mean subtracted region by region gives exactly the offsets of y - ref_mean."""
    rng = np.random.default_rng(3)
    y = rng.normal(5, 2, size=(40, 30))
    y[rng.random(y.shape) < 0.2] = np.nan
    ref = rng.normal(5, 1, size=30)
    regions = [np.arange(0, 12), np.arange(12, 13), np.array([], dtype=int), np.arange(13, 30)]
    want = region_offsets(y - ref, regions, min_genes=3)
    got = region_offsets(y, regions, min_genes=3, ref_mean=ref)
    assert np.array_equal(got, want, equal_nan=True)
    assert not np.isnan(want).all()
