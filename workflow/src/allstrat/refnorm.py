"""Reference normalisation as plain numpy functions (no scikit-learn import).

The maths of :mod:`allstrat.normalise` (see its docstring): log-CPM, the per-sample offset
against a fitted reference, within-sample rank signature scores and region offsets.
:class:`allstrat.normalise.ReferenceNormaliser` (the pickled estimator) calls these
functions, and so does the scikit-learn-free predictor of
:mod:`allstrat.classify.compiled`: one implementation for training and prediction, and a
single-sample ``allstrat classify`` or a copy-number job never pays the ~1 s import of
scikit-learn.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

import numpy as np

__all__ = [
    "log_cpm",
    "quiet_nan",
    "reference_log_cpm",
    "reference_offsets",
    "region_offsets",
    "signature_rank_scores",
]


@contextlib.contextmanager
def quiet_nan() -> Iterator[None]:
    """Silence numpy's all-NaN-slice warnings (all-NaN results are handled explicitly)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def log_cpm(counts: np.ndarray) -> np.ndarray:
    """Per-sample log2(CPM + 1) of a samples x genes count array (or one sample's vector).

    The one log-CPM of allstrat (classifier features and the RNA dosage estimate alike).

    Parameters
    ----------
    counts
        Non-negative counts, samples in rows (a 1-D array is one sample). NaN marks a gene
        the sample did not measure; it is excluded from the library size and stays NaN.

    Returns
    -------
    numpy.ndarray
        log2(1e6 * counts / library_size + 1), same shape as ``counts``; a sample with
        library size 0 is all NaN (nothing was measured, so nothing is known).

    Examples
    --------
    >>> log_cpm(np.array([[1.0, 3.0]])).round(3)
    array([[17.932, 19.517]])
    >>> log_cpm(np.array([1.0, np.nan, 3.0])).round(3)
    array([17.932,    nan, 19.517])
    """
    x = np.asarray(counts, dtype=float)
    lib = np.nansum(x, axis=-1, keepdims=True)
    ok = lib > 0
    # in place, the same operations in the same order: one array instead of five
    # (a 2,500-sample chunk's log-CPM took ~10x longer allocating its temporaries)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(x, np.where(ok, lib, 1.0))
        out *= 1e6
        out += 1.0
        np.log2(out, out=out)
    if not ok.all():
        out[~ok[..., 0]] = np.nan
    return out


def signature_rank_scores(
    values: np.ndarray,
    up: list[np.ndarray],
    down: list[np.ndarray],
    *,
    universe: np.ndarray,
    min_genes: int = 3,
) -> np.ndarray:
    """Singscore-like within-sample rank scores.

    Each sample's genes in ``universe`` (that are not NaN) are ranked; ranks are scaled to
    (0, 1]. A signature's score is the mean scaled rank of its ``up`` genes minus the mean
    scaled rank of its ``down`` genes (minus 0.5 when it has no down set). Scores depend on
    the sample alone (Foroutan et al. 2018, singscore, for the idea).

    Parameters
    ----------
    values
        Samples x genes expression (any monotone scale; NaN = not measured).
    up, down
        Per signature, column indices of its up / down genes (``down`` may be empty).
    universe
        Column indices ranked against each other.
    min_genes
        A signature with fewer measured up genes in a sample scores NaN there.

    Returns
    -------
    numpy.ndarray
        Samples x signatures scores in [-1, 1], NaN when too few genes were measured.
    """
    v = np.asarray(values, dtype=float)
    n = v.shape[0]
    out = np.full((n, len(up)), np.nan)
    pos = np.full(v.shape[1], -1)
    pos[universe] = np.arange(len(universe))
    need = np.unique(np.concatenate([pos[g][pos[g] >= 0] for g in (*up, *down)] or [[]]))
    need = need.astype(int)
    # one C-ordered samples x universe copy, sorted in place once the values it is asked
    # for are taken (v[:, universe] then np.sort held two Fortran-ordered copies)
    srt = np.take(v, universe, axis=1)
    n_present = (~np.isnan(srt)).sum(axis=1)
    vals = srt[:, need]
    srt.sort(axis=1)  # NaN sort last
    ranks = np.full(vals.shape, np.nan)
    for i in range(n):
        row = srt[i, : n_present[i]]
        if len(row) == 0:
            continue
        lo = np.searchsorted(row, vals[i], side="left")
        hi = np.searchsorted(row, vals[i], side="right")
        ranks[i] = (lo + hi + 1) / 2 / len(row)  # average rank among present genes, scaled
    ranks[np.isnan(vals)] = np.nan
    pos = np.full(v.shape[1], -1)
    pos[universe[need]] = np.arange(len(need))
    for k, (u, d) in enumerate(zip(up, down, strict=True)):
        ru = ranks[:, pos[u][pos[u] >= 0]]
        rd = ranks[:, pos[d][pos[d] >= 0]] if len(d) else np.empty((n, 0))
        n_up = (~np.isnan(ru)).sum(axis=1)
        n_dn = (~np.isnan(rd)).sum(axis=1)
        with quiet_nan():
            mu = _row_nanmean(ru) if ru.shape[1] else np.full(n, np.nan)
            md = np.where(n_dn > 0, _row_nanmean(rd) if rd.shape[1] else 0.5, 0.5)
        out[:, k] = np.where(n_up >= min_genes, mu - md, np.nan)
    return out


def _row_nanmean(a: np.ndarray) -> np.ndarray:
    """Per-row mean of the non-NaN entries, adding the columns from left to right.

    ``np.nanmean(a, axis=1)`` of a column selection (``ranks[:, idx]`` is Fortran-ordered)
    adds the columns one after another for several rows but pairwise for a single row, so
    a signature score differed in its last bits between a sample scored alone and in a
    chunk. Adding the columns in order gives every row the several-rows result, whatever
    the batch (the per-sample memo of :mod:`allstrat.memo` relies on it).
    """
    z = np.where(np.isnan(a), 0.0, a)
    total = z[:, 0].copy()
    for j in range(1, z.shape[1]):
        total += z[:, j]
    return total / (~np.isnan(a)).sum(axis=1)


def region_offsets(
    delta: np.ndarray,
    regions: list[np.ndarray],
    *,
    min_genes: int = 10,
    ref_mean: np.ndarray | None = None,
) -> np.ndarray:
    """Median expression shift of each genomic region relative to the reference.

    Parameters
    ----------
    delta
        Samples x genes ``y - reference mean`` (log2 scale; NaN = not measured).
    regions
        Column indices of the (expressed) genes in each region (chromosome, chr21 bin).
    min_genes
        Fewer measured genes than this gives NaN for the region.
    ref_mean
        When given, ``delta`` is the expression itself and ``delta - ref_mean`` is taken
        region by region (the same values, without a samples x genes copy).

    Returns
    -------
    numpy.ndarray
        Samples x regions median log2 shift (about +0.58 for a gained copy in a pure
        diploid sample, -1 for a lost one).
    """
    d = np.asarray(delta, dtype=float)
    out = np.full((d.shape[0], len(regions)), np.nan)
    for k, idx in enumerate(regions):
        if len(idx) == 0:
            continue
        sub = d[:, idx] if ref_mean is None else d[:, idx] - ref_mean[idx]
        enough = (~np.isnan(sub)).sum(axis=1) >= min_genes
        if enough.any():
            with quiet_nan():
                med = _row_nanmedian(np.where(enough[:, None], sub, 0.0))
            out[enough, k] = med[enough]
    return out


def reference_offsets(lc: np.ndarray, anchors: np.ndarray, ref_mean: np.ndarray) -> np.ndarray:
    """Per-sample offset ``median(l_g - m_g)`` over the anchor genes the sample measured.

    A sample measuring no anchor gene gets offset 0.
    """
    # a C-ordered copy of ours (lc[:, anchors] would be Fortran-ordered, which np.median
    # copies twice more): subtracted and partitioned in place, the same values
    d = np.take(lc, anchors, axis=1)
    d -= ref_mean[anchors]
    ok = ~np.isnan(d).all(axis=1)
    out = np.zeros(lc.shape[0])
    if ok.any():
        with quiet_nan():
            out[ok] = _row_nanmedian(d if ok.all() else d[ok], overwrite=True)
    return out


def _row_nanmedian(a: np.ndarray, *, overwrite: bool = False) -> np.ndarray:
    """``np.nanmedian(a, axis=1)``, with ``np.median`` for the rows without NaN.

    The same values (the middle element, or the mean of the middle two, of each row), but
    numpy's nanmedian of a wide array is a Python-level loop over rows
    (``apply_along_axis``), ~5x slower than one vectorised median on a chunk.
    ``overwrite``: ``a`` may be reordered within rows (no copy of it; the same medians).
    """
    has_nan = np.isnan(a).any(axis=1)
    if not has_nan.any():
        return np.median(a, axis=1, overwrite_input=overwrite)
    out = np.empty(a.shape[0])
    # the row selections are copies: partition them in place (the same medians, one
    # samples x genes copy less each)
    out[~has_nan] = np.median(a[~has_nan], axis=1, overwrite_input=True)
    out[has_nan] = np.nanmedian(a[has_nan], axis=1, overwrite_input=True)
    return out


def reference_log_cpm(x: np.ndarray, anchors: np.ndarray, ref_mean: np.ndarray) -> np.ndarray:
    """Offset-corrected log-CPM ``y_g = l_g - o`` of samples x genes counts ``x``."""
    lc = log_cpm(x)
    lc -= reference_offsets(lc, anchors, ref_mean)[:, None]  # in place: lc is ours
    return lc
