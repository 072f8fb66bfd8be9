"""The fitted subtype model as plain arrays: prediction without importing scikit-learn.

A model's ``model.joblib`` (a scikit-learn :class:`~sklearn.pipeline.Pipeline` of
:class:`~allstrat.classify.estimators.ExpressionFeatures` and
:class:`~allstrat.classify.estimators.SubtypeClassifier`) stays the one source of truth.
:func:`export_params` reads the arrays that prediction needs from the fitted pipeline;
:func:`allstrat.models.save_model` writes them next to the pickle as ``model.params.npz``
(numpy arrays only, loaded with ``allow_pickle=False``; its sha256 and that of the pickle it
came from are recorded), and ``workflow/scripts/export_model_params.py`` writes them for an
existing model. :class:`CompiledModel` predicts from them with the pipeline's interface
(``named_steps["features"]`` / ``["classifier"]``, ``feature_names_in_``, ``classes_``),
so :func:`allstrat.classify.core.classify_counts` takes either.

Why: importing scikit-learn costs about 1 s, more than classifying one sample. The feature
maths is shared with the estimator (:func:`raw_features`, :mod:`allstrat.refnorm`); the
classifier's three scikit-learn steps (standard scaling, multinomial logistic regression,
PCA) are a few array operations, written here in the same order as scikit-learn's so that
the results are bit-identical (``tests/classify/test_compiled.py`` checks features,
probabilities, OOD scores and contributions with ``np.array_equal`` on both shipped models,
and that the shipped ``model.params.npz`` equals a fresh export of its pickle).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from allstrat.refnorm import reference_log_cpm, region_offsets, signature_rank_scores

__all__ = [
    "PARAMS_FILE",
    "QUANTILE_LEVELS",
    "CompiledClassifier",
    "CompiledFeatures",
    "CompiledModel",
    "export_params",
    "load_params",
    "missing_panel_genes",
    "raw_features",
    "reference_quantile",
    "rowwise_scores",
    "save_params",
]

#: Training-cohort quantiles stored for every feature (``feature_quantiles_``).
QUANTILE_LEVELS: tuple[float, ...] = (0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999)
#: File name of the exported parameters inside a model folder.
PARAMS_FILE = "model.params.npz"
FORMAT_VERSION = 1


# -- the feature maths, shared by ExpressionFeatures and CompiledFeatures -----------------
def raw_features(fe: Any, x: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    """Samples x features of counts ``x`` (NaN where a feature cannot be computed).

    ``fe`` is a fitted :class:`~allstrat.classify.estimators.ExpressionFeatures` or a
    :class:`CompiledFeatures` (the same attributes); ``y``: ``fe``'s reference log-CPM of
    ``x`` when the caller has it already (else computed here).
    """
    norm = fe.normaliser_
    y = norm.transform(x) if y is None else y
    p = fe.panel_  # z-scores of the panel genes only (the others are not features)
    z = (y[:, p] - norm.ref_mean_[p]) / np.maximum(norm.ref_sd_[p], fe.min_sd)
    parts = [np.where(np.isnan(z), 0.0, z)]
    if fe.sig_names_:
        parts.append(
            signature_rank_scores(
                y,
                fe.sig_up_,
                fe.sig_down_,
                universe=fe.universe_,
                min_genes=min(fe.min_signature_genes, *(len(u) for u in fe.sig_up_)),
            )
        )
    if fe.region_names_:
        parts.append(
            region_offsets(y, fe.regions_, min_genes=fe.min_region_genes, ref_mean=norm.ref_mean_)
        )
    return np.hstack(parts)


def filled_features(fe: Any, x: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    """:func:`raw_features` with features that cannot be computed set to their reference mean."""
    if np.nanmin(x, initial=0.0) < 0:
        raise ValueError("Negative values in data passed to ExpressionFeatures (counts).")
    f = raw_features(fe, x, y)
    return np.where(np.isnan(f), fe.feature_fill_, f)


def missing_panel_genes(fe: Any, x: Any) -> list[list[str]]:
    """Per sample, the panel genes that are NaN (not measured) in ``x``."""
    miss = np.isnan(np.asarray(x, dtype=float)[:, fe.panel_])
    return [list(fe.genes_[fe.panel_][m]) for m in miss]


def reference_quantile(fe: Any, feature: str, level: float) -> float | None:
    """Training-cohort quantile of a feature (``None`` if not a feature / stored level)."""
    names = list(fe.feature_names_out_)
    hit = np.flatnonzero(np.isclose(fe.quantile_levels_, level))
    if feature not in names or len(hit) == 0:
        return None
    return float(fe.feature_quantiles_[hit[0], names.index(feature)])


def rowwise_scores(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``x @ w.T`` computed one sample (row of ``x``) at a time.

    A matrix product hands the whole batch to BLAS, whose blocking (and so the rounding of
    each sum) depends on the batch size: a sample's scores could differ in the last bits
    between a chunk of 2,500 and a run of one. Row by row, each score is the same sum in
    the same order whatever the batch, which the per-sample memo of the workflow
    (``allstrat.memo``) relies on for outputs byte-identical to a full run. Costs ~10 µs
    per sample for the shipped model (21 classes x 276 features).
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    out = np.empty((x.shape[0], w.shape[0]))
    for i in range(x.shape[0]):
        out[i] = (x[i] * w).sum(axis=1)
    return out


# -- export ---------------------------------------------------------------------------
def _ragged(prefix: str, parts: list[np.ndarray]) -> dict[str, np.ndarray]:
    lengths = np.array([len(p) for p in parts], dtype=np.int64)
    flat = np.concatenate(parts).astype(np.int64) if parts else np.array([], dtype=np.int64)
    return {prefix: flat, f"{prefix}_len": lengths}


def _unragged(params: dict[str, np.ndarray], prefix: str) -> list[np.ndarray]:
    cuts = np.cumsum(params[f"{prefix}_len"])[:-1]
    if len(params[f"{prefix}_len"]) == 0:
        return []
    return [np.asarray(a, dtype=int) for a in np.split(params[prefix], cuts)]


def _strings(values: Any) -> np.ndarray:
    return np.asarray([str(v) for v in values], dtype=str)


def export_params(model: Any, *, source_sha256: str) -> dict[str, np.ndarray] | None:
    """The arrays :class:`CompiledModel` needs, read from a fitted subtype pipeline.

    Returns ``None`` for estimators this module cannot reproduce exactly (not a
    ``features`` + ``classifier`` pipeline of allstrat's estimators, a binary classifier, a
    whitened PCA or a z-scoring normaliser): those models predict through scikit-learn.
    """
    steps = getattr(model, "named_steps", None)
    if not steps or set(steps) != {"features", "classifier"}:
        return None
    fe, clf = steps["features"], steps["classifier"]
    need = ("normaliser_", "feature_quantiles_", "panel_", "sig_up_", "regions_")
    if not all(hasattr(fe, a) for a in need) or not hasattr(clf, "lr_"):
        return None
    norm, lr, pca = fe.normaliser_, clf.lr_, clf.pca_
    if len(clf.classes_) <= 2 or pca.whiten or norm.output != "log":
        return None
    return {
        "format_version": np.array(FORMAT_VERSION),
        "source_sha256": np.array(source_sha256),
        "genes": _strings(model.feature_names_in_),
        "anchors": np.asarray(norm.anchors_, dtype=np.int64),
        "ref_mean": norm.ref_mean_,
        "ref_sd": norm.ref_sd_,
        "min_sd": np.array(float(fe.min_sd)),
        "panel": np.asarray(fe.panel_, dtype=np.int64),
        "sig_names": _strings(fe.sig_names_),
        **_ragged("sig_up", fe.sig_up_),
        **_ragged("sig_down", fe.sig_down_),
        "universe": np.asarray(fe.universe_, dtype=np.int64),
        "min_signature_genes": np.array(int(fe.min_signature_genes)),
        "region_names": _strings(fe.region_names_),
        **_ragged("regions", fe.regions_),
        "min_region_genes": np.array(int(fe.min_region_genes)),
        "feature_names": _strings(fe.feature_names_out_),
        "feature_fill": fe.feature_fill_,
        "quantile_levels": fe.quantile_levels_,
        "feature_quantiles": fe.feature_quantiles_,
        "classes": _strings(clf.classes_),
        "scaler_mean": clf.scaler_.mean_,
        "scaler_scale": clf.scaler_.scale_,
        "lr_coef": lr.coef_,
        "lr_intercept": lr.intercept_,
        "coef": clf.coef_,
        "pca_components": pca.components_,
        "pca_mean": pca.mean_,
        "pca_explained_variance": pca.explained_variance_,
        "ood_scale": clf.ood_scale_,
    }


def save_params(path: str | Path, params: dict[str, np.ndarray]) -> None:
    """Write exported parameters (compressed ``.npz``: a third of the size, ~5 ms to load)."""
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **params)  # type: ignore[arg-type]


def load_params(path: str | Path) -> dict[str, np.ndarray]:
    """Read exported parameters (numpy arrays only: nothing is unpickled)."""
    with np.load(path, allow_pickle=False) as z:
        params = {k: z[k] for k in z.files}
    if int(params.get("format_version", -1)) != FORMAT_VERSION:
        raise ValueError(f"{path}: unknown parameter format (expected {FORMAT_VERSION})")
    return params


# -- prediction -------------------------------------------------------------------------
class _Normaliser:
    """The fitted reference of :class:`~allstrat.normalise.ReferenceNormaliser` (log output)."""

    def __init__(self, p: dict[str, np.ndarray]) -> None:
        self.anchors_ = p["anchors"]
        self.ref_mean_ = p["ref_mean"]
        self.ref_sd_ = p["ref_sd"]

    def transform(self, x: np.ndarray) -> np.ndarray:
        return reference_log_cpm(x, self.anchors_, self.ref_mean_)


class CompiledFeatures:
    """Prediction-time :class:`~allstrat.classify.estimators.ExpressionFeatures`."""

    def __init__(self, p: dict[str, np.ndarray]) -> None:
        self.normaliser_ = _Normaliser(p)
        self.genes_ = np.asarray(p["genes"].tolist(), dtype=object)
        self.min_sd = float(p["min_sd"])
        self.panel_ = np.asarray(p["panel"], dtype=int)
        self.sig_names_ = [str(s) for s in p["sig_names"]]
        self.sig_up_ = _unragged(p, "sig_up")
        self.sig_down_ = _unragged(p, "sig_down")
        self.universe_ = np.asarray(p["universe"], dtype=int)
        self.min_signature_genes = int(p["min_signature_genes"])
        self.region_names_ = [str(s) for s in p["region_names"]]
        self.regions_ = _unragged(p, "regions")
        self.min_region_genes = int(p["min_region_genes"])
        self.feature_names_out_ = np.asarray(p["feature_names"].tolist(), dtype=object)
        self.feature_fill_ = p["feature_fill"]
        self.quantile_levels_ = p["quantile_levels"]
        self.feature_quantiles_ = p["feature_quantiles"]

    def _check(self, X: Any) -> np.ndarray:
        x = np.asarray(X, dtype=np.float64)  # what scikit-learn's validate_data does
        if x.ndim != 2 or x.shape[1] != len(self.genes_):
            raise ValueError(f"expected samples x {len(self.genes_)} genes, got {x.shape}")
        if hasattr(X, "columns") and [str(c) for c in X.columns] != list(self.genes_):
            raise ValueError("the columns are not the model's genes in the model's order")
        return x

    def transform(self, X: Any) -> np.ndarray:
        """Features of samples x model-genes counts (as ``ExpressionFeatures.transform``)."""
        return filled_features(self, self._check(X))

    def transform_with_reference(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`transform` and the reference log-CPM it was computed from (one pass)."""
        x = self._check(X)
        y = self.normaliser_.transform(x)
        return filled_features(self, x, y), y

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Feature names: ``expr:<gene>``, ``sig:<class>``, ``lineage:*``, ``chrom:*`` ..."""
        return self.feature_names_out_.copy()

    def missing_panel_genes(self, X: Any) -> list[list[str]]:
        """Per sample, the panel genes that are NaN (not measured) in ``X``."""
        return missing_panel_genes(self, X)

    def reference_quantile(self, feature: str, level: float) -> float | None:
        """Training-cohort quantile of a feature (``None`` if not a feature / level)."""
        return reference_quantile(self, feature, level)

    def reference_values(self, X: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Offset-corrected log-CPM of ``X`` plus the reference mean / sd."""
        y = self.normaliser_.transform(np.asarray(X, dtype=float))
        return y, self.normaliser_.ref_mean_, self.normaliser_.ref_sd_


class CompiledClassifier:
    """Prediction-time :class:`~allstrat.classify.estimators.SubtypeClassifier`.

    Each method repeats scikit-learn's operations in scikit-learn's order
    (``StandardScaler.transform``, ``LogisticRegression.decision_function`` + ``softmax``,
    ``PCA.transform`` / ``inverse_transform``), so results are bit-identical.
    """

    def __init__(self, p: dict[str, np.ndarray]) -> None:
        self.classes_ = np.asarray(p["classes"].tolist(), dtype=object)
        self.mean_, self.scale_ = p["scaler_mean"], p["scaler_scale"]
        self.lr_coef_, self.lr_intercept_ = p["lr_coef"], p["lr_intercept"]
        self.coef_ = p["coef"]
        self.components_, self.pca_mean_ = p["pca_components"], p["pca_mean"]
        self.explained_variance_ = p["pca_explained_variance"]
        self.ood_scale_ = p["ood_scale"]

    def _check(self, X: Any) -> np.ndarray:
        x = np.asarray(X)
        if x.dtype != np.float64:
            x = x.astype(np.float64)
        if x.ndim != 2 or x.shape[1] != self.mean_.shape[0]:
            raise ValueError(f"expected samples x {self.mean_.shape[0]} features, got {x.shape}")
        if not np.isfinite(x).all():
            raise ValueError("Input X contains NaN or infinity.")
        return x

    def _scale(self, x: np.ndarray) -> np.ndarray:
        xs = np.array(x, copy=True)
        xs -= self.mean_
        xs /= self.scale_
        return xs

    def decision_function(self, X: Any) -> np.ndarray:
        """Linear class scores on the standardised features (batch-invariant bits)."""
        return rowwise_scores(self._scale(self._check(X)), self.lr_coef_) + self.lr_intercept_

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (softmax of the class scores; columns follow ``classes_``)."""
        d = self.decision_function(X)
        d -= np.reshape(np.max(d, axis=1), (-1, 1))
        np.exp(d, out=d)
        d /= np.reshape(np.sum(d, axis=1), (-1, 1))
        return d

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def _ood_parts(self, xs: np.ndarray) -> np.ndarray:
        pcs = rowwise_scores(xs - self.pca_mean_, self.components_)
        var = np.maximum(self.explained_variance_, 1e-12)
        maha = np.sqrt(((pcs**2) / var).sum(axis=1) / pcs.shape[1])
        resid = xs - (rowwise_scores(pcs, self.components_.T) + self.pca_mean_)
        rms = np.sqrt((resid**2).mean(axis=1))
        return np.column_stack([maha, rms])

    def ood_score(self, X: Any) -> np.ndarray:
        """Out-of-distribution score (see ``SubtypeClassifier.ood_score``)."""
        return (self._ood_parts(self._scale(self._check(X))) / self.ood_scale_).max(axis=1)

    def contributions(self, X: Any) -> np.ndarray:
        """Per-sample, per-class, per-feature ``coef * standardised value``."""
        xs = self._scale(self._check(X))
        return xs[:, None, :] * self.coef_[None, :, :]


class CompiledModel:
    """Exported parameters with the pipeline interface prediction uses."""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.source_sha256 = str(params["source_sha256"])
        features = CompiledFeatures(params)
        classifier = CompiledClassifier(params)
        self.named_steps: dict[str, Any] = {"features": features, "classifier": classifier}
        self.feature_names_in_ = features.genes_
        self.classes_ = classifier.classes_

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of counts (samples x ``feature_names_in_``)."""
        f = self.named_steps["features"].transform(X)
        return self.named_steps["classifier"].predict_proba(f)
