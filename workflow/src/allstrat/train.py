"""Training with stratified nested cross-validation (the ``allstrat train`` core).

Outer folds give held-out predictions for every sample (the reported metrics); inside each
outer training split a stratified inner cross-validation chooses the regularisation
strength ``C``. The final model is the inner-CV choice refitted on all samples. Feature
reference parameters (normaliser means, anchor genes) are refitted inside every split, so
no information from a held-out sample leaks into its prediction.

Label handling: BCR::ABL1 and Ph-like are merged into the model class ``Ph group``
(``allstrat.contracts.PH_GROUP``) because expression cannot separate them (DOMAIN.md §1.2,
MARKERS.md caveat 2); fusion evidence separates them after prediction.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
    log_loss,
)
from sklearn.model_selection import StratifiedKFold

from allstrat.classify.core import build_model
from allstrat.classify.decide import CallSettings
from allstrat.classify.signatures import panel_genes
from allstrat.config import TrainSettings
from allstrat.contracts import B_SUBTYPES, MULTIPLE, PH_GROUP, T_ALL, TALL_SUBGROUPS, UNCLASSIFIED
from allstrat.errors import InputError
from allstrat.normalise import log_cpm, quiet_nan

logger = logging.getLogger(__name__)

__all__ = [
    "LABEL_MAPPING",
    "TrainingRequest",
    "TrainingResult",
    "calibration_table",
    "model_labels",
    "select_training_samples",
    "train_model",
    "train_new_version",
    "training_settings",
]

LABEL_MAPPING: dict[str, str] = {"BCR::ABL1": PH_GROUP, "Ph-like": PH_GROUP}


def model_labels(labels: pd.Series, panel: str = "bcp") -> pd.Series:
    """Map cohort labels to model classes (validated against the contract labels).

    ``panel`` ``bcp``: B-ALL subtypes and T-ALL; ``tall``: the T-ALL subgroups.

    Raises
    ------
    InputError
        A label that is not a contract subtype label (naming the sample).
    """
    allowed = set(TALL_SUBGROUPS) if panel == "tall" else {*B_SUBTYPES, T_ALL}
    for sid, lab in labels.items():
        if lab not in allowed:
            raise InputError(
                f"label {lab!r} is not a subtype label; expected one of {sorted(allowed)}",
                sample=str(sid),
            )
    if panel == "tall":
        return labels.copy()
    return labels.map(lambda v: LABEL_MAPPING.get(v, v))


def calibration_table(proba: np.ndarray, y_true: np.ndarray, classes: Sequence[str]) -> dict:
    """Reliability of the top-class probability in 10 bins, plus ECE and Brier score."""
    classes = list(classes)
    top = proba.max(axis=1)
    pred = np.asarray(classes)[proba.argmax(axis=1)]
    correct = pred == y_true
    bins = np.linspace(0, 1, 11)
    rows, ece = [], 0.0
    for lo, hi in itertools.pairwise(bins):
        m = (top > lo) & (top <= hi)
        if m.sum():
            acc, conf = float(correct[m].mean()), float(top[m].mean())
            ece += m.mean() * abs(acc - conf)
            rows.append(
                {
                    "bin": f"({lo:.1f},{hi:.1f}]",
                    "n": int(m.sum()),
                    "mean_probability": conf,
                    "observed_accuracy": acc,
                }
            )
    onehot = (np.asarray(classes)[None, :] == y_true[:, None]).astype(float)
    brier = float(((proba - onehot) ** 2).sum(axis=1).mean())
    return {
        "top_class_reliability": rows,
        "expected_calibration_error": float(ece),
        "brier_score": brier,
    }


def _call_metrics(
    proba: np.ndarray, y_true: np.ndarray, classes: list[str], s: CallSettings
) -> dict:
    """How the unclassified / multiple-candidates rule behaves on held-out predictions."""
    calls = []
    for p in proba:
        order = np.argsort(-p)
        top, tp = classes[order[0]], p[order[0]]
        sp = p[order[1]] if len(p) > 1 else 0.0
        if tp >= s.threshold(top) and tp - sp >= s.margin:
            calls.append(top)
        elif (p >= s.candidate_probability).sum() >= 2:
            calls.append(MULTIPLE)
        else:
            calls.append(UNCLASSIFIED)
    calls_a = np.asarray(calls, dtype=object)
    called = ~np.isin(calls_a, [UNCLASSIFIED, MULTIPLE])
    high = called & (proba.max(axis=1) >= s.high)
    return {
        "fraction_called": float(called.mean()),
        "fraction_unclassified": float((calls_a == UNCLASSIFIED).mean()),
        "fraction_multiple_candidates": float((calls_a == MULTIPLE).mean()),
        "accuracy_of_called": float((calls_a[called] == y_true[called]).mean())
        if called.any()
        else None,
        "wrong_among_high_confidence": int((calls_a[high] != y_true[high]).sum()),
        "n_high_confidence": int(high.sum()),
        "settings": {
            "min_probability": s.min_probability,
            "margin": s.margin,
            "candidate_probability": s.candidate_probability,
            "high": s.high,
        },
    }


def _choose_c(  # noqa: PLR0917 - private step of training, called once
    x: pd.DataFrame,
    y: np.ndarray,
    gene_locations: pd.DataFrame | None,
    c_grid: Sequence[float],
    folds: int,
    seed: int,
    panel: str = "bcp",
) -> float:
    """Inner CV: the ``C`` with the lowest mean log loss (features fitted once per split).

    Log loss is a proper scoring rule, so the choice favours calibrated probabilities
    (macro F1 picked the strongest regularisation and gave flat, under-confident
    probabilities). Equivalent to ``GridSearchCV`` over the whole pipeline, but the
    reference-fitted features of each inner split are computed once and shared.
    """
    labels = np.unique(y)
    losses = np.zeros(len(c_grid))
    for tr, va in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
        base = build_model(gene_locations, random_state=seed, panel=panel)
        feats = base.named_steps["features"].fit(x.iloc[tr])
        f_tr, f_va = feats.transform(x.iloc[tr]), feats.transform(x.iloc[va])
        for j, c in enumerate(c_grid):
            clf = clone(base.named_steps["classifier"]).set_params(C=c).fit(f_tr, y[tr])
            p = np.zeros((len(va), len(labels)))
            p[:, np.searchsorted(labels, clf.classes_)] = clf.predict_proba(f_va)
            losses[j] += log_loss(y[va], np.clip(p, 1e-12, 1), labels=labels)
    return float(list(c_grid)[int(np.argmin(losses))])


@dataclass
class TrainingResult:
    """Fitted model plus everything the model card and metrics.json need."""

    model: Any
    metrics: dict[str, Any]
    cv: dict[str, Any]
    n_per_class: dict[str, int]
    cohort_sha256: str
    genes: list[str] = field(default_factory=list)


def _select_genes(
    counts: pd.DataFrame, *, min_mean_log_cpm: float, panel: str = "bcp"
) -> list[str]:
    """Model genes: expressed in the training cohort, plus every literature panel gene."""
    lc = log_cpm(counts.to_numpy(dtype=float))
    with quiet_nan():
        mean = np.nanmean(lc, axis=0)
    if panel == "tall":
        from allstrat.tall.markers import tall_panel_genes

        literature = set(tall_panel_genes())
    else:
        literature = set(panel_genes())
    keep = set(counts.columns[mean >= min_mean_log_cpm]) | (literature & set(counts.columns))
    return [g for g in counts.columns if g in keep]


def train_model(
    counts: pd.DataFrame,
    labels: pd.Series,
    *,
    gene_locations: pd.DataFrame | None,
    outer_folds: int = 5,
    inner_folds: int = 3,
    c_grid: Sequence[float] = (0.01, 0.03, 0.1, 0.3, 1.0),
    random_state: int = 0,
    min_mean_log_cpm: float = 1.0,
    settings: CallSettings | None = None,
    panel: str = "bcp",
) -> TrainingResult:
    """Train a subtype model with stratified nested cross-validation.

    Parameters
    ----------
    counts
        Samples x canonical gene symbols raw counts (NaN = not measured).
    labels
        Subtype label per sample (contract labels; BCR::ABL1 / Ph-like -> Ph group).
    gene_locations
        Gene table (``chrom``, ``start``) for chromosome features.
    outer_folds, inner_folds
        Folds of the outer (held-out metrics) and inner (choice of ``C``) loops.
    c_grid
        Candidate ``C`` values.
    random_state
        Seed of fold splits and estimators.
    min_mean_log_cpm
        Genes with a lower training mean log2(CPM+1) are dropped (panel genes are kept).
    settings
        Call settings used to report how the unclassified rule behaves held-out.
    panel
        ``bcp`` (B-ALL subtypes + T-ALL) or ``tall`` (T-ALL subgroups, second stage).

    Returns
    -------
    TrainingResult
        Final model, held-out metrics, CV description, class counts, cohort checksum.
    """
    t0 = time.perf_counter()
    if not counts.index.equals(labels.index):
        labels = labels.reindex(counts.index)
        missing = labels.index[labels.isna()]
        if len(missing):
            raise InputError("sample without a label in the labels table", sample=str(missing[0]))
    y = model_labels(labels.astype(str), panel)
    n_per_class = {str(k): int(v) for k, v in y.value_counts().sort_index().items()}
    small = {k: v for k, v in n_per_class.items() if v < outer_folds}
    if small:
        raise InputError(
            f"classes with fewer samples than outer folds ({outer_folds}): {small}; add samples "
            "or lower train.cv_folds"
        )
    genes = _select_genes(counts, min_mean_log_cpm=min_mean_log_cpm, panel=panel)
    x = counts[genes].astype(float)
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(x.to_numpy(dtype=np.float64)).tobytes())
    digest.update("\n".join(map(str, x.index)).encode())
    digest.update("\n".join(genes).encode())
    digest.update("\n".join(labels.astype(str)).encode())
    cohort_sha = digest.hexdigest()
    logger.info("training on %d samples x %d genes, %d classes", *x.shape, len(n_per_class))
    yv = y.to_numpy()
    classes = sorted(n_per_class)
    oof = np.zeros((len(yv), len(classes)))
    chosen = []
    outer = StratifiedKFold(outer_folds, shuffle=True, random_state=random_state)
    for k, (tr, te) in enumerate(outer.split(x, yv)):
        c_best = _choose_c(
            x.iloc[tr], yv[tr], gene_locations, c_grid, inner_folds, random_state + 1 + k, panel
        )
        model = build_model(gene_locations, C=c_best, random_state=random_state, panel=panel)
        model.fit(x.iloc[tr], yv[tr])
        p = model.predict_proba(x.iloc[te])
        idx = [classes.index(c) for c in model.classes_]
        oof[np.ix_(te, idx)] = p
        chosen.append(c_best)
        logger.info(
            "outer fold %d/%d: C=%s, held-out macro F1 %.3f",
            k + 1,
            outer_folds,
            c_best,
            f1_score(yv[te], model.classes_[p.argmax(1)], average="macro"),
        )
    c_final = _choose_c(x, yv, gene_locations, c_grid, inner_folds, random_state, panel)
    model = build_model(gene_locations, C=c_final, random_state=random_state, panel=panel)
    model.fit(x, yv)
    pred = np.asarray(classes)[oof.argmax(axis=1)]
    report = classification_report(yv, pred, labels=classes, output_dict=True, zero_division=0)
    metrics: dict[str, Any] = {
        "held_out": "outer folds of stratified nested cross-validation",
        "macro_f1": float(f1_score(yv, pred, average="macro")),
        "accuracy": float(accuracy_score(yv, pred)),
        "log_loss": float(log_loss(yv, np.clip(oof, 1e-12, 1), labels=classes)),
        "per_class": {c: {k: float(v) for k, v in report[c].items()} for c in classes},
        "confusion_matrix": {
            "labels": classes,
            "rows_true_columns_predicted": confusion_matrix(yv, pred, labels=classes).tolist(),
        },
        "calibration": calibration_table(oof, yv, classes),
        "call_rule_held_out": _call_metrics(oof, yv, classes, settings or CallSettings()),
        "outer_fold_chosen_C": chosen,
        "training_seconds": round(time.perf_counter() - t0, 1),
    }
    cv = {
        "scheme": "stratified nested k-fold (outer: held-out metrics; inner: C by log loss)",
        "outer_folds": outer_folds,
        "inner_folds": inner_folds,
        "param_grid": {"C": list(c_grid)},
        "chosen_params": {"C": c_final},
        "scores": {
            "macro_f1": metrics["macro_f1"],
            "accuracy": metrics["accuracy"],
            "log_loss": metrics["log_loss"],
            "expected_calibration_error": metrics["calibration"]["expected_calibration_error"],
        },
    }
    logger.info(
        "trained in %.1f s: held-out macro F1 %.3f", time.perf_counter() - t0, metrics["macro_f1"]
    )
    return TrainingResult(
        model=model,
        metrics=metrics,
        cv=cv,
        n_per_class=n_per_class,
        cohort_sha256=cohort_sha,
        genes=genes,
    )


def select_training_samples(
    counts: pd.DataFrame,
    labels: pd.Series,
    *,
    panel: str = "bcp",
    labels_path: str = "",
    label_column: str = "subtype",
) -> tuple[pd.DataFrame, pd.Series]:
    """The samples a model of ``panel`` is trained on, with their labels.

    Every sample of ``counts`` needs a row in the labels table. Left out (and logged):
    samples labelled ``unclassified`` (B-other: no defining lesion, so no class programme)
    and, for the T-ALL panel, samples without a subgroup label (B lineage).
    """
    unknown = [s for s in counts.index if s not in labels.index]
    if unknown:
        raise InputError("sample has no label", path=labels_path or None, sample=unknown[0])
    labels = labels.loc[counts.index]
    skipped = labels.index[labels == UNCLASSIFIED]
    if len(skipped):
        logger.info(
            "%d samples labelled %r (B-other) left out of training", len(skipped), UNCLASSIFIED
        )
        labels = labels.drop(skipped)
    if panel == "tall":
        other = labels.index[labels == ""]
        if len(other):
            logger.info("%d samples without a T-ALL subgroup left out of training", len(other))
            labels = labels.drop(other)
        if labels.empty:
            raise InputError(f"no sample has a {label_column!r} label", path=labels_path or None)
    return counts.loc[labels.index], labels


@dataclass(frozen=True)
class TrainingRequest:
    """What ``allstrat train`` is asked to do.

    ``settings``: config section ``train`` / ``train_tall`` (models folder, name, folds,
    ``C`` grid, seed); ``version`` ``None`` = the next free patch version. The cohort
    fields are what the person training states for the model card.
    """

    labels: str
    settings: TrainSettings = field(default_factory=TrainSettings)
    sheet: str | None = None
    counts: str | None = None
    panel: str = "bcp"
    label_column: str = "subtype"
    version: str | None = None
    cohort_id: str = ""
    cohort_description: str = ""
    limitations: str = ""
    simulated_from: str = ""
    command: str = ""


def training_settings(
    panel: str, section_text: str | None, overrides: Mapping[str, Any]
) -> tuple[TrainSettings, str | None]:
    """Config section ``train`` (``train_tall`` for the T-ALL panel) with ``overrides``.

    ``section_text`` is what ``--config-section`` names. Also returns the version asked
    for: ``None`` when neither the overrides nor the section name one (the next patch
    version is then used, not the schema's example value).
    """
    from allstrat.config import load_section, merge_overrides, read_section_text

    name = "train_tall" if panel == "tall" else "train"
    section = read_section_text(section_text, name)
    asked = overrides.get("version") or section.get("version")
    cfg: TrainSettings = load_section(name, merge_overrides(section, overrides))
    return cfg, cfg.version if asked else None


def train_new_version(req: TrainingRequest) -> Path:
    """Read the labelled cohort, train, evaluate and save a new model version.

    Returns the new ``<out_dir>/<name>/<version>`` folder (never an existing one).
    """
    from allstrat.io.gene_table import load_gene_table
    from allstrat.io.training import read_labels, read_training_counts
    from allstrat.model_card import build_card
    from allstrat.models import next_version, save_model

    cfg = req.settings
    out_base = Path(cfg.out_dir) / cfg.name
    version = req.version or next_version(out_base)
    target = out_base / version
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(f"{target} exists; a model version is never overwritten")
    labels = read_labels(req.labels, req.label_column, allow_empty=req.panel == "tall")
    counts = read_training_counts(sheet=req.sheet, counts=req.counts)
    counts, labels = select_training_samples(
        counts, labels, panel=req.panel, labels_path=req.labels, label_column=req.label_column
    )
    genes = load_gene_table()
    res = train_model(
        counts,
        labels,
        gene_locations=genes.table,
        outer_folds=cfg.cv_folds,
        inner_folds=cfg.inner_folds,
        c_grid=list(cfg.c_grid),
        random_state=cfg.seed_model,
        panel=req.panel,
    )
    card = build_card(req, res, version=version, gene_table_sha256=genes.sha256)
    save_model(res.model, target, card=card, metrics=res.metrics)
    logger.info(
        "model %s/%s written to %s (held-out macro F1 %.3f)",
        cfg.name,
        version,
        target,
        res.metrics["macro_f1"],
    )
    return target
