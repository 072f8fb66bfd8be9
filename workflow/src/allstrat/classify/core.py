"""Model building and per-sample classification (arrays and DataFrames in, tables out).

The model is a scikit-learn :class:`~sklearn.pipeline.Pipeline`
``[("features", ExpressionFeatures), ("classifier", SubtypeClassifier)]`` fitted on raw
counts (samples x canonical gene symbols). :func:`classify_counts` aligns a new cohort to
the model's genes (genes the lab's annotation lacks become NaN = not measured, with a
warning; never zero), computes probabilities, applies the call rules of
:mod:`allstrat.classify.decide` and builds one explanation per sample.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from allstrat.classify.decide import CallSettings, Fusion, decide_calls
from allstrat.contracts import CLASSIFY_COLUMNS
from allstrat.errors import ModelError

if TYPE_CHECKING:  # scikit-learn is imported by build_model only (training)
    from sklearn.pipeline import Pipeline

    from allstrat.classify.estimators import ExpressionFeatures, SubtypeClassifier

logger = logging.getLogger(__name__)

__all__ = ["ClassificationResult", "align_counts", "build_model", "classify_counts", "descending"]


PANELS = ("bcp", "tall")


def build_model(
    gene_locations: pd.DataFrame | None,
    *,
    C: float = 1.0,
    random_state: int = 0,
    panel: str = "bcp",
) -> Pipeline:
    """Return an unfitted subtype model pipeline.

    Parameters
    ----------
    gene_locations
        Table indexed by symbol with ``chrom`` / ``start`` (GRCh38) for region features
        (B-ALL panel only: the T-ALL subgroups are not dosage-defined).
    C
        Inverse regularisation strength of the logistic regression.
    random_state
        Seed.
    panel
        ``bcp`` (B-ALL subtypes + T lineage) or ``tall`` (T-ALL subgroups,
        :class:`allstrat.tall.estimators.TallExpressionFeatures`).

    Returns
    -------
    sklearn.pipeline.Pipeline
        ``features`` -> ``classifier``.
    """
    from sklearn.pipeline import Pipeline

    from allstrat.classify.estimators import ExpressionFeatures, SubtypeClassifier

    if panel not in PANELS:
        raise ValueError(f"panel must be one of {PANELS}, not {panel!r}")
    if panel == "tall":
        from allstrat.tall.estimators import TallExpressionFeatures

        features: ExpressionFeatures = TallExpressionFeatures(gene_locations=None)
    else:
        loc = None if gene_locations is None else gene_locations[["chrom", "start"]].copy()
        features = ExpressionFeatures(gene_locations=loc)
    return Pipeline(
        [
            ("features", features),
            ("classifier", SubtypeClassifier(C=C, random_state=random_state)),
        ]
    )


def align_counts(counts: pd.DataFrame, genes: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Reindex samples x genes counts onto the model's genes.

    Genes the input lacks become NaN (not measured) -- never 0 -- and are returned so the
    caller can warn; genes the model does not use are dropped.

    Returns
    -------
    tuple
        The aligned float DataFrame and the list of model genes absent from the input.
    """
    genes = list(genes)
    missing = [g for g in genes if g not in counts.columns]
    # reindex copies already: no second copy when the counts are float (a chunk's are)
    aligned = counts.reindex(columns=genes).astype(float, copy=False)
    return aligned, missing


@dataclass
class ClassificationResult:
    """Output of :func:`classify_counts`.

    Attributes
    ----------
    calls : pandas.DataFrame
        Contract columns (``CLASSIFY_COLUMNS``) plus one ``prob:<class>`` per class.
    probabilities : pandas.DataFrame
        Samples x classes.
    features : pandas.DataFrame
        Samples x model features (what the classifier saw).
    normalised : pandas.DataFrame
        Samples x model genes, reference-normalised log2 CPM (NaN = not measured).
    explanations : dict
        Per sample: probabilities, top contributing features with values against the
        reference, decision record, missing genes.
    """

    calls: pd.DataFrame
    probabilities: pd.DataFrame
    features: pd.DataFrame
    normalised: pd.DataFrame
    explanations: dict[str, dict[str, Any]]


def classify_counts(
    counts: pd.DataFrame,
    model: Any,
    *,
    model_id: str,
    model_sha256: str,
    fusions: Mapping[str, Sequence[Fusion] | None] | None = None,
    blast_fraction: Mapping[str, float | None] | None = None,
    settings: CallSettings | None = None,
    top_n: int = 10,
) -> ClassificationResult:
    """Classify samples (each on its own: the batch never changes a sample's result).

    Parameters
    ----------
    counts
        Samples x canonical gene symbols, raw counts; NaN = gene not measured.
    model
        Fitted pipeline (``features`` + ``classifier``), e.g. ``load_model(...).estimator``.
    model_id, model_sha256
        Recorded in every row.
    fusions
        Per sample fusion calls; a sample absent or mapped to ``None`` had no fusion data.
    blast_fraction
        Per sample blast fraction (``None`` = unknown).
    settings
        Call thresholds.
    top_n
        Number of top contributing features in each explanation.

    Returns
    -------
    ClassificationResult
        Calls, probabilities, features, normalised expression, explanations.
    """
    t0 = time.perf_counter()
    feats: ExpressionFeatures = model.named_steps["features"]
    clf: SubtypeClassifier = model.named_steps["classifier"]
    genes = [str(g) for g in model.feature_names_in_]
    aligned, missing = align_counts(counts, genes)
    if missing:
        logger.warning(
            "%d of the model's %d genes are absent from the input (treated as not measured, "
            "not as zero), e.g. %s",
            len(missing),
            len(genes),
            ", ".join(missing[:8]),
        )
    sample_ids = [str(s) for s in aligned.index]
    x = aligned.to_numpy(dtype=float)
    f, y, ref_mean, ref_sd = _features_and_reference(feats, aligned)
    fnames = [str(n) for n in feats.get_feature_names_out()]
    fdf = pd.DataFrame(f, index=sample_ids, columns=fnames)
    proba = pd.DataFrame(clf.predict_proba(f), index=sample_ids, columns=list(clf.classes_))
    ood = pd.Series(clf.ood_score(f), index=sample_ids)
    miss_panel = feats.missing_panel_genes(x)
    n_panel = max(1, len(feats.panel_))
    miss_frac = pd.Series([len(m) / n_panel for m in miss_panel], index=sample_ids)

    def col(name: str, default: float) -> pd.Series:
        return fdf[name] if name in fdf.columns else pd.Series(default, index=sample_ids)

    lineage = pd.DataFrame({"B": col("lineage:B", 0.0), "T": col("lineage:T", 0.0)})
    marrow = col("marrow:normal", -1.0)
    s = settings or CallSettings()
    if not hasattr(feats, "feature_quantiles_"):
        raise ModelError("the model lacks reference feature quantiles (older format): retrain it")
    limit = feats.reference_quantile("marrow:normal", s.marrow_quantile)
    if limit is None:
        raise ModelError(f"marrow_quantile {s.marrow_quantile} is not a stored reference level")
    table, records = decide_calls(
        proba,
        lineage_scores=lineage,
        ood_score=ood,
        marrow_score=marrow,
        marrow_limit=limit,
        missing_fraction=miss_frac,
        fusions=fusions or {},
        blast_fraction=blast_fraction,
        settings=s,
    )
    table = table.assign(model_id=model_id, model_sha256=model_sha256)
    from allstrat.tall.stage import first_stage_defaults

    table = first_stage_defaults(table)[list(CLASSIFY_COLUMNS)]
    for c in proba.columns:
        table[f"prob:{c}"] = proba[c].to_numpy()
    normalised = pd.DataFrame(y, index=sample_ids, columns=genes)
    contrib = clf.contributions(f)  # samples x classes x features
    contrib = contrib - contrib.mean(axis=1, keepdims=True)  # softmax-invariant
    gene_col = {g: i for i, g in enumerate(genes)}
    classes = list(clf.classes_)
    explanations: dict[str, dict[str, Any]] = {}
    # the call columns as lists and the probabilities as one array: a pandas row per sample
    # cost more than the explanation itself (profiled)
    cols = {c: table[c].tolist() for c in ("subtype", "confidence_tier", "decided_by", "qc_flags")}
    pvals = proba.to_numpy()
    for i, sid in enumerate(sample_ids):
        rec = records[sid]
        target = rec["top_class"]
        k = classes.index(target)
        top = _top_features(
            contrib[i, k], top_n, fnames=fnames, gene_col=gene_col, sample=(x[i], y[i], f[i]),
            reference=(ref_mean, ref_sd, feats.feature_fill_),
        )  # fmt: skip
        explanations[sid] = {
            "sample_id": sid,
            "subtype": cols["subtype"][i],
            "confidence_tier": cols["confidence_tier"][i],
            "decided_by": cols["decided_by"][i],
            "qc_flags": [q for q in cols["qc_flags"][i].split(";") if q],
            "explained_class": target,
            "top_probabilities": {
                classes[j]: round(float(pvals[i, j]), 4) for j in descending(pvals[i])[:5]
            },
            "top_features": top,
            "missing_panel_genes": miss_panel[i],
            "decision": rec,
            "model_id": model_id,
        }
    logger.info("classified %d samples in %.2f s", len(sample_ids), time.perf_counter() - t0)
    return ClassificationResult(
        calls=table,
        probabilities=proba,
        features=fdf,
        normalised=normalised,
        explanations=explanations,
    )


def _top_features(
    contrib: np.ndarray,
    top_n: int,
    *,
    fnames: list[str],
    gene_col: dict[str, int],
    sample: tuple[np.ndarray, np.ndarray, np.ndarray],
    reference: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> list[dict[str, Any]]:
    """The ``top_n`` features contributing most to one sample's explained class, with
    their evidence. ``contrib``: the sample's contributions to that class; ``sample``: its
    counts, normalised values and features; ``reference``: mean, SD and feature fill.
    """
    x, y, f = sample
    ref_mean, ref_sd, fill = reference
    top = []
    for j in np.argsort(-contrib)[:top_n]:
        item: dict[str, Any] = {
            "feature": fnames[j],
            "contribution": round(float(contrib[j]), 4),
        }
        if fnames[j].startswith("expr:"):
            gi = gene_col[fnames[j][5:]]
            ref = (ref_mean[gi], ref_sd[gi])
            item.update(_gene_evidence(fnames[j][5:], x[gi], y[gi], f[j], ref))
        else:
            item.update(_feature_evidence(fnames[j], f[j], fill[j]))
        top.append(item)
    return top


def descending(v: np.ndarray) -> np.ndarray:
    """Positions of ``v`` from the largest value down, as ``Series.sort_values(ascending=
    False)`` orders them (its algorithm: quicksort of the reversed values, reversed; NaN
    last), so ties come out in the same order as before.
    """
    mask = np.isnan(v)
    idx = np.arange(len(v))
    non_nan, non_nan_idx = v[~mask][::-1], idx[~mask][::-1]
    order = non_nan_idx[non_nan.argsort(kind="quicksort")][::-1]
    return np.concatenate([order, np.flatnonzero(mask)])


def _features_and_reference(
    feats: Any, aligned: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Features, reference log-CPM (the normalised output), reference mean and SD of the
    aligned counts: from one log-CPM pass when the feature step offers it.
    """
    if hasattr(feats, "transform_with_reference"):
        f, y = feats.transform_with_reference(aligned)
        return f, y, feats.normaliser_.ref_mean_, feats.normaliser_.ref_sd_
    # a feature step without it (older estimator class)
    y, ref_mean, ref_sd = feats.reference_values(aligned.to_numpy(dtype=float))
    return feats.transform(aligned), y, ref_mean, ref_sd


def _gene_evidence(
    gene: str, raw: float, value: float, z: float, ref: tuple[float, float]
) -> dict[str, Any]:
    """Explanation entry of an ``expr:<gene>`` feature: measured?, log2-CPM against the
    reference mean and SD, z-score.
    """
    return {
        "kind": "gene",
        "gene": gene,
        "measured": bool(not np.isnan(raw)),
        "log2_cpm": None if np.isnan(value) else round(float(value), 3),
        "reference_mean": round(float(ref[0]), 3),
        "reference_sd": round(float(ref[1]), 3),
        "z": round(float(z), 3),
    }


def _feature_evidence(name: str, value: float, fill: float) -> dict[str, Any]:
    """Explanation entry of a signature / chromosome / region feature."""
    kind = name.split(":", 1)[0]
    return {
        "kind": {"sig": "signature", "chrom": "chromosome", "region": "region"}.get(kind, kind),
        "value": round(float(value), 4),
        "reference_mean": round(float(fill), 4),
    }
