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

import logging

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from allstrat.refnorm import (
    log_cpm,
    quiet_nan,
    reference_log_cpm,
    reference_offsets,
    region_offsets,
    signature_rank_scores,
)

logger = logging.getLogger(__name__)

__all__ = [
    "ReferenceNormaliser",
    "log_cpm",
    "quiet_nan",
    "region_offsets",
    "signature_rank_scores",
]


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
        return reference_offsets(lc, self.anchors_, self.ref_mean_)

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
        y = reference_log_cpm(x, self.anchors_, self.ref_mean_)
        if self.output == "z":
            return (y - self.ref_mean_) / np.maximum(self.ref_sd_, self.min_sd)
        return y
