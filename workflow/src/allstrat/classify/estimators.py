"""Released estimator classes of the subtype models.

**Stable module: never move or rename these classes.** A pickled model stores their import
path (``allstrat.classify.estimators.<Class>``); renaming breaks every saved model.

* :class:`ExpressionFeatures` -- counts -> transferable features, fitted on a reference:
  reference z-scores of a curated literature marker panel, within-sample rank signature
  scores (singscore-like), lineage and normal-marrow scores, and per-chromosome / chr21
  region expression shifts relative to the fitted reference (dosage subtypes).
* :class:`SubtypeClassifier` -- features -> calibrated class probabilities (standardised
  multinomial logistic regression) plus an out-of-distribution score from a PCA model of the
  training features.

Both work per sample: nothing is estimated from the batch being classified.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.utils.extmath import softmax
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from allstrat.classify import compiled
from allstrat.classify import signatures as sig
from allstrat.classify.compiled import QUANTILE_LEVELS, rowwise_scores
from allstrat.normalise import ReferenceNormaliser
from allstrat.refnorm import quiet_nan

logger = logging.getLogger(__name__)

# chr21 bins for iAMP21 (GRCh38 Mb): the common amplicon 36.07-37.64 Mb (MARKERS.md, Rand
# 2011) inside the 5.1 Mb RUNX1 region, plus the proximal and distal remainder.
CHR21_BINS: tuple[tuple[str, int, int], ...] = (
    ("chr21:proximal", 0, 31_500_000),
    ("chr21:runx1_region", 31_500_000, 36_070_000),
    ("chr21:iamp21_amplicon", 36_070_000, 37_640_000),
    ("chr21:distal", 37_640_000, 10**9),
)
CHROMOSOMES: tuple[str, ...] = (*(f"chr{i}" for i in range(1, 23)), "chrX")


class ExpressionFeatures(TransformerMixin, BaseEstimator):
    """Reference-fitted, per-sample expression features (counts in, features out).

    Parameters
    ----------
    gene_locations
        Table indexed by gene symbol with ``chrom`` and ``start`` (GRCh38); enables the
        chromosome / chr21 region features. ``None`` = no region features.
    use_signatures
        Use the literature signatures of :mod:`allstrat.classify.signatures` (marker panel
        z-scores + rank scores). When none of their genes are among the fitted columns
        (e.g. anonymous arrays), every column is used as a panel gene instead.
    min_signature_genes
        Fewest measured up-genes for a rank score (else it is imputed, see below).
    region_min_log_cpm
        Genes with reference mean log-CPM at least this enter region features.
    min_region_genes
        Fewest measured expressed genes for a region feature.
    anchor_min_log_cpm, min_sd
        Passed to :class:`allstrat.normalise.ReferenceNormaliser`.

    Notes
    -----
    Missing genes (NaN columns: not in the lab's annotation) are never treated as
    unexpressed. Panel z-scores of a missing gene are set to 0 (= the reference mean,
    neutral evidence) and rank / region scores use the genes that are present; a feature
    that cannot be computed at all takes its reference mean. :meth:`missing_panel_genes`
    reports what was missing so callers can warn and flag it.
    """

    def __init__(
        self,
        *,
        gene_locations: pd.DataFrame | None = None,
        use_signatures: bool = True,
        min_signature_genes: int = 3,
        region_min_log_cpm: float = 3.0,
        min_region_genes: int = 10,
        anchor_min_log_cpm: float = 4.0,
        min_sd: float = 0.25,
    ) -> None:
        self.gene_locations = gene_locations
        self.use_signatures = use_signatures
        self.min_signature_genes = min_signature_genes
        self.region_min_log_cpm = region_min_log_cpm
        self.min_region_genes = min_region_genes
        self.anchor_min_log_cpm = anchor_min_log_cpm
        self.min_sd = min_sd

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.positive_only = True
        return tags

    # -- fitting ------------------------------------------------------------------------
    def fit(self, X, y=None):
        """Fit the reference normaliser and resolve panel, signatures and regions.

        Parameters
        ----------
        X
            Reference counts, samples x genes; a DataFrame with gene symbols as columns
            for the literature features.
        y
            Ignored.

        Returns
        -------
        ExpressionFeatures
            ``self``.
        """
        x = validate_data(self, X, reset=True, ensure_all_finite="allow-nan", dtype=float)
        genes = (
            [str(g) for g in self.feature_names_in_]
            if hasattr(self, "feature_names_in_")
            else [f"x{i}" for i in range(x.shape[1])]
        )
        self.genes_ = np.asarray(genes, dtype=object)
        col = {g: i for i, g in enumerate(genes)}
        self.normaliser_ = ReferenceNormaliser(
            anchor_min_log_cpm=self.anchor_min_log_cpm, min_sd=self.min_sd
        ).fit(x)
        mean = self.normaliser_.ref_mean_

        def idx(gs: tuple[str, ...]) -> np.ndarray:
            return np.array([col[g] for g in gs if g in col], dtype=int)

        names: list[str] = []
        panel = idx(self._panel_gene_list()) if self.use_signatures else np.array([], dtype=int)
        if len(panel) == 0:
            panel = np.arange(x.shape[1])
        self.panel_ = panel
        names += [f"expr:{genes[i]}" for i in panel]

        self.sig_names_: list[str] = []
        self.sig_up_: list[np.ndarray] = []
        self.sig_down_: list[np.ndarray] = []
        if self.use_signatures:
            for name, up, down in self._signature_sets():
                u = idx(up)
                if len(u) >= min(self.min_signature_genes, len(up)) and len(u) > 0:
                    self.sig_names_.append(name)
                    self.sig_up_.append(u)
                    self.sig_down_.append(idx(down))
        names += self.sig_names_
        self.universe_ = np.flatnonzero(mean >= 1.0)
        if len(self.universe_) == 0:
            self.universe_ = np.arange(x.shape[1])

        self.region_names_: list[str] = []
        self.regions_: list[np.ndarray] = []
        if self.gene_locations is not None:
            loc = self.gene_locations
            expressed = mean >= self.region_min_log_cpm
            chrom = np.array([loc["chrom"].get(g, "") for g in genes], dtype=object)
            start = np.array([loc["start"].get(g, -1) for g in genes], dtype=float)
            for c in CHROMOSOMES:
                self.region_names_.append(f"chrom:{c}")
                self.regions_.append(np.flatnonzero(expressed & (chrom == c)))
            for name, lo, hi in CHR21_BINS:
                self.region_names_.append(f"region:{name}")
                self.regions_.append(
                    np.flatnonzero(expressed & (chrom == "chr21") & (start >= lo) & (start < hi))
                )
        names += self.region_names_
        self.feature_names_out_ = np.asarray(names, dtype=object)
        f = self._raw_features(x)
        with quiet_nan():
            fm = np.nanmean(f, axis=0)
        self.feature_fill_ = np.where(np.isnan(fm), 0.0, fm)
        # reference distribution of every feature (for flags relative to the reference,
        # e.g. "more normal-marrow signal than 99% of the training cohort")
        filled = np.where(np.isnan(f), self.feature_fill_, f)
        self.quantile_levels_ = np.asarray(QUANTILE_LEVELS)
        self.feature_quantiles_ = np.quantile(filled, self.quantile_levels_, axis=0)
        return self

    # -- the literature panel (overridden by panel-specific subclasses) -------------------
    def _panel_gene_list(self) -> tuple[str, ...]:
        """Genes whose reference z-scores are features (B-ALL panel + lineage + marrow)."""
        return sig.panel_genes()

    def _signature_sets(self) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
        """``(feature name, up genes, down genes)`` of every rank-signature feature."""
        sets = [(f"sig:{k}", v, sig.DOWN.get(k, ())) for k, v in sig.UP.items()]
        sets += [
            ("lineage:B", sig.B_LINEAGE, ()),
            ("lineage:T", sig.T_LINEAGE, ()),
            ("marrow:normal", sig.NORMAL_MARROW, ()),
        ]
        return sets

    def reference_quantile(self, feature: str, level: float) -> float | None:
        """Training-cohort quantile of a feature (``None`` if not a feature / level)."""
        check_is_fitted(self, "feature_quantiles_")
        return compiled.reference_quantile(self, feature, level)

    # -- transforming -------------------------------------------------------------------
    def _raw_features(self, x: np.ndarray) -> np.ndarray:
        return compiled.raw_features(self, x)

    def transform(self, X) -> np.ndarray:
        """Compute the features of each sample against the fitted reference.

        Parameters
        ----------
        X
            Counts, samples x the fitted genes (NaN = gene not measured in that sample).

        Returns
        -------
        numpy.ndarray
            Samples x ``get_feature_names_out()``; no NaN (see Notes of the class).
        """
        check_is_fitted(self, "feature_names_out_")
        x = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=float)
        return compiled.filled_features(self, x)

    def transform_with_reference(self, X) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`transform` and the reference log-CPM it was computed from (one pass)."""
        check_is_fitted(self, "feature_names_out_")
        x = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=float)
        y = self.normaliser_.transform(x)
        return compiled.filled_features(self, x, y), y

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Feature names: ``expr:<gene>``, ``sig:<class>``, ``lineage:*``, ``chrom:*`` ..."""
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()

    def missing_panel_genes(self, X) -> list[list[str]]:
        """Per sample, the panel genes that are NaN (not measured) in ``X``."""
        check_is_fitted(self, "feature_names_out_")
        return compiled.missing_panel_genes(self, X)

    def reference_values(self, X) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Offset-corrected log-CPM of ``X`` plus the reference mean / sd (for explanations)."""
        check_is_fitted(self, "feature_names_out_")
        y = self.normaliser_.transform(np.asarray(X, dtype=float))
        return y, self.normaliser_.ref_mean_, self.normaliser_.ref_sd_


class SubtypeClassifier(ClassifierMixin, BaseEstimator):
    """Standardised multinomial logistic regression with an out-of-distribution score.

    Parameters
    ----------
    C
        Inverse L2 regularisation strength (chosen by inner cross-validation in training).
    class_weight
        Passed to :class:`~sklearn.linear_model.LogisticRegression` (default balanced).
    max_iter
        Solver iterations.
    n_ood_components
        PCA components of the training features for the OOD score.
    ood_quantile
        Training quantile that defines OOD score 1.0 (default 0.99).
    random_state
        Seed (solver and PCA).

    Attributes
    ----------
    classes_ : numpy.ndarray
        Class labels (``predict_proba`` column order).
    coef_ : numpy.ndarray
        Coefficients on the standardised features (classes x features).
    """

    def __init__(
        self,
        *,
        C: float = 1.0,
        class_weight: str | None = "balanced",
        max_iter: int = 3000,
        n_ood_components: int = 10,
        ood_quantile: float = 0.99,
        random_state: int | None = None,
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.n_ood_components = n_ood_components
        self.ood_quantile = ood_quantile
        self.random_state = random_state

    def fit(self, X, y):
        """Fit scaler, logistic regression and the OOD model.

        Parameters
        ----------
        X
            Samples x features.
        y
            Class labels.

        Returns
        -------
        SubtypeClassifier
            ``self``.
        """
        x, y = validate_data(self, X, y, reset=True)
        check_classification_targets(y)
        # small dense problems: multi-threaded BLAS only adds contention (measured ~20x
        # slower with 2 OpenBLAS threads on a shared 2-core machine)
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(x, y)

    def _fit(self, x: np.ndarray, y: np.ndarray):
        self.scaler_ = StandardScaler().fit(x)
        xs = self.scaler_.transform(x)
        self.lr_ = LogisticRegression(
            C=self.C,
            class_weight=self.class_weight,
            max_iter=self.max_iter,
            random_state=self.random_state,
        ).fit(xs, y)
        self.classes_ = self.lr_.classes_
        self.n_iter_ = self.lr_.n_iter_
        coef = self.lr_.coef_
        if coef.shape[0] == 1:  # binary: express as two symmetric rows
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        self.coef_ = coef
        k = max(1, min(self.n_ood_components, x.shape[0] - 1, x.shape[1]))
        self.pca_ = PCA(n_components=k, random_state=self.random_state).fit(xs)
        d = self._ood_parts(xs)
        q = np.quantile(d, self.ood_quantile, axis=0)
        self.ood_scale_ = np.where(q > 0, q, 1.0)
        return self

    def _ood_parts(self, xs: np.ndarray) -> np.ndarray:
        pca = self.pca_
        pcs = rowwise_scores(xs - pca.mean_, pca.components_)  # = pca.transform (no whitening)
        var = np.maximum(pca.explained_variance_, 1e-12)
        maha = np.sqrt(((pcs**2) / var).sum(axis=1) / pcs.shape[1])
        resid = xs - (rowwise_scores(pcs, pca.components_.T) + pca.mean_)  # inverse_transform
        rms = np.sqrt((resid**2).mean(axis=1))
        return np.column_stack([maha, rms])

    def ood_score(self, X) -> np.ndarray:
        """Out-of-distribution score (1.0 = the training ``ood_quantile``; larger = further).

        The larger of the Mahalanobis distance within the training PCA subspace and the
        residual off it, each relative to its training quantile.
        """
        check_is_fitted(self, "lr_")
        x = validate_data(self, X, reset=False)
        return (self._ood_parts(self.scaler_.transform(x)) / self.ood_scale_).max(axis=1)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (columns follow ``classes_``).

        The softmax of :meth:`decision_function` (a binary model: the logistic
        regression's own sigmoid), so that a sample's probabilities are the same bits in
        any batch.
        """
        check_is_fitted(self, "lr_")
        x = validate_data(self, X, reset=False)
        if self.lr_.coef_.shape[0] == 1:
            return self.lr_.predict_proba(self.scaler_.transform(x))
        return softmax(self.decision_function(x), copy=False)

    def decision_function(self, X) -> np.ndarray:
        """Linear class scores on the standardised features (batch-invariant bits)."""
        check_is_fitted(self, "lr_")
        x = validate_data(self, X, reset=False)
        xs = self.scaler_.transform(x)
        scores = rowwise_scores(xs, self.lr_.coef_) + self.lr_.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, X) -> np.ndarray:
        """Most probable class (the unclassified rule is applied later, from config)."""
        check_is_fitted(self, "lr_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def contributions(self, X) -> np.ndarray:
        """Per-sample, per-class, per-feature contributions ``coef * standardised value``.

        Returns
        -------
        numpy.ndarray
            Shape (samples, classes, features); row sums plus the intercept are the class
            scores.
        """
        check_is_fitted(self, "lr_")
        x = validate_data(self, X, reset=False)
        xs = self.scaler_.transform(x)
        return xs[:, None, :] * self.coef_[None, :, :]
