"""Reference-based expression normalisation (fit on a reference cohort, transform new samples).

Why reference-based: a sample's normalised values must not depend on which other samples
are in the same run. Everything here is computed per sample against parameters fitted once
on a reference/training cohort (per-gene reference means and spreads, anchor genes). Batch
statistics (batch medians, batch z-scores, batch PCA) are never used.

Steps for one sample with raw counts ``c_g`` over the genes it measured:

1. log-CPM: ``l_g = log2(1e6 * c_g / N + 1)`` with ``N`` the sample's total over measured
   genes (invariant to scaling all counts by a constant).
2. Reference offset (a per-sample size factor on the log scale, like DESeq2's
   median-of-ratios but against the fitted reference): ``o = median_g(l_g - m_g)`` over
   the *anchor* genes (reference mean log-CPM >= ``anchor_min_log_cpm``) the sample has.
   ``y_g = l_g - o``. This removes library-composition differences (a lab's annotation
   with fewer genes, a few very highly expressed genes) without looking at other samples.
3. Optional z-scores against the reference: ``z_g = (y_g - m_g) / max(s_g, min_sd)``.

Genes a sample's file did not measure are NaN throughout (never zero-filled as if
unexpressed); downstream features decide how to treat them and record it.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

logger = logging.getLogger(__name__)

__all__ = [
    "ReferenceNormaliser",
    "log_cpm",
    "quiet_nan",
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
    with np.errstate(divide="ignore", invalid="ignore"):
        cpm = np.where(lib > 0, x / np.where(lib > 0, lib, 1.0) * 1e6, np.nan)
    return np.log2(cpm + 1.0)


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
    sub = v[:, universe]
    n_present = (~np.isnan(sub)).sum(axis=1)
    srt = np.sort(sub, axis=1)  # NaN sort last
    pos = np.full(v.shape[1], -1)
    pos[universe] = np.arange(len(universe))
    need = np.unique(np.concatenate([pos[g][pos[g] >= 0] for g in (*up, *down)] or [[]]))
    need = need.astype(int)
    vals = sub[:, need]
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
            mu = np.nanmean(ru, axis=1) if ru.shape[1] else np.full(n, np.nan)
            md = np.where(n_dn > 0, np.nanmean(rd, axis=1) if rd.shape[1] else 0.5, 0.5)
        out[:, k] = np.where(n_up >= min_genes, mu - md, np.nan)
    return out


def region_offsets(
    delta: np.ndarray, regions: list[np.ndarray], *, min_genes: int = 10
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
        sub = d[:, idx]
        enough = (~np.isnan(sub)).sum(axis=1) >= min_genes
        if enough.any():
            with quiet_nan():
                med = np.nanmedian(np.where(enough[:, None], sub, 0.0), axis=1)
            out[enough, k] = med[enough]
    return out


class ReferenceNormaliser(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Reference-fitted log-CPM normaliser (see the module docstring for the maths).

    Parameters
    ----------
    anchor_min_log_cpm
        Genes with reference mean log2(CPM+1) at least this are anchors for the per-sample
        offset (default 4, i.e. about 15 CPM: well measured in 12-90 M read libraries).
    min_sd
        Floor on the reference standard deviation used for z-scores (default 0.25 log2
        units), so nearly constant genes cannot produce huge z-scores.
    output
        ``"log"`` (offset-corrected log-CPM) or ``"z"`` (z-scores against the reference).

    Attributes
    ----------
    ref_mean_, ref_sd_ : numpy.ndarray
        Per-gene reference mean / standard deviation of the offset-corrected log-CPM.
    anchors_ : numpy.ndarray
        Column indices of the anchor genes.

    Examples
    --------
    >>> ref = np.array([[10.0, 20, 30, 40], [12, 18, 33, 37]])
    >>> norm = ReferenceNormaliser(anchor_min_log_cpm=0).fit(ref)
    >>> norm.transform(ref * 7).shape
    (2, 4)
    """

    def __init__(
        self, *, anchor_min_log_cpm: float = 4.0, min_sd: float = 0.25, output: str = "log"
    ) -> None:
        self.anchor_min_log_cpm = anchor_min_log_cpm
        self.min_sd = min_sd
        self.output = output

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.positive_only = True
        return tags

    def _check(self, X, *, reset: bool) -> np.ndarray:
        x = validate_data(self, X, reset=reset, ensure_all_finite="allow-nan", dtype=float)
        if np.nanmin(x, initial=0.0) < 0:
            raise ValueError("Negative values in data passed to ReferenceNormaliser (counts).")
        return x

    def fit(self, X, y=None):
        """Fit per-gene reference means / spreads and pick anchor genes.

        Parameters
        ----------
        X
            Reference counts, samples x genes (NaN = not measured).
        y
            Ignored.

        Returns
        -------
        ReferenceNormaliser
            ``self``.
        """
        if self.output not in ("log", "z"):
            raise ValueError(f"output must be 'log' or 'z', got {self.output!r}")
        x = self._check(X, reset=True)
        lc = log_cpm(x)
        with quiet_nan():
            m0 = np.nanmean(lc, axis=0)
        m0 = np.where(np.isnan(m0), 0.0, m0)
        anchors = np.flatnonzero(m0 >= self.anchor_min_log_cpm)
        if len(anchors) == 0:
            anchors = np.arange(x.shape[1])
        self.anchors_ = anchors
        self.ref_mean_ = m0
        y_ = lc - self._offsets(lc)[:, None]
        with quiet_nan():
            m = np.nanmean(y_, axis=0)
            s = np.nanstd(y_, axis=0)
        self.ref_mean_ = np.where(np.isnan(m), 0.0, m)
        self.ref_sd_ = np.where(np.isnan(s), 0.0, s)
        return self

    def _offsets(self, lc: np.ndarray) -> np.ndarray:
        d = lc[:, self.anchors_] - self.ref_mean_[self.anchors_]
        ok = ~np.isnan(d).all(axis=1)
        out = np.zeros(lc.shape[0])
        if ok.any():
            with quiet_nan():
                out[ok] = np.nanmedian(d[ok], axis=1)
        return out

    def transform(self, X) -> np.ndarray:
        """Normalise new samples against the fitted reference (each sample on its own).

        Parameters
        ----------
        X
            Counts, samples x the fitted genes (NaN = not measured).

        Returns
        -------
        numpy.ndarray
            Offset-corrected log-CPM (``output="log"``) or reference z-scores.
        """
        check_is_fitted(self, "ref_mean_")
        x = self._check(X, reset=False)
        lc = log_cpm(x)
        y = lc - self._offsets(lc)[:, None]
        if self.output == "z":
            return (y - self.ref_mean_) / np.maximum(self.ref_sd_, self.min_sd)
        return y
