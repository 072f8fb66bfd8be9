"""The T-ALL stage inside ``allstrat classify``: columns, explanations, ETP status.

:func:`first_stage_defaults` gives every classify row the T-ALL columns
(``contracts.TALL_CLASSIFY_COLUMNS``) before the second stage runs: ``not_applicable`` for
samples not called T lineage, ``not_assessed`` (T lineage, no T-ALL model run). Then
:func:`apply_tall_stage` runs :func:`allstrat.tall.classify.classify_tall` on the T-lineage
samples and :mod:`allstrat.tall.etp` on their immunophenotype / expression, filling the
columns and adding a ``tall`` entry to each sample's explanation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from allstrat.classify.core import descending
from allstrat.classify.decide import CallSettings, Fusion
from allstrat.contracts import ETP_MARKER_COLUMNS
from allstrat.tall.classify import TallCall, classify_tall
from allstrat.tall.etp import EtpSettings, etp_from_expression, etp_from_immunophenotype, etp_status

__all__ = ["DEFAULT_TALL_MODEL", "apply_tall_stage", "first_stage_defaults"]

#: The shipped second-stage model (relative to ``models/``).
DEFAULT_TALL_MODEL = "allstrat-tall/1.0.0"
NOT_APPLICABLE, NOT_ASSESSED = "not_applicable", "not_assessed"


def first_stage_defaults(table: pd.DataFrame) -> pd.DataFrame:
    """Add the T-ALL columns with their values before (or without) the second stage."""
    t = table["lineage"] == "T"
    out = table.copy()
    out["tall_subgroup"] = np.where(t, NOT_ASSESSED, NOT_APPLICABLE)
    out["tall_confidence_tier"] = "none"
    out["tall_top_probability"] = np.nan
    out["tall_decided_by"] = ""
    out["tall_model_id"] = ""
    out["etp_status"] = np.where(t, "not_assessable", NOT_APPLICABLE)
    out["etp_source"] = ""
    return out


def _top_features(model: Any, names: list[str], fvals: np.ndarray, target: str, n: int) -> list:
    """The ``n`` features contributing most to ``target`` for one sample (``fvals``: its
    feature row, ``names`` the feature names).
    """
    clf = model.named_steps["classifier"]
    fe = model.named_steps["features"]
    contrib = clf.contributions(fvals[None, :])[0]
    contrib = contrib - contrib.mean(axis=0, keepdims=True)
    k = [str(c) for c in clf.classes_].index(target)
    out = []
    for j in np.argsort(-contrib[k])[:n]:
        name = names[j]
        kind = "gene" if name.startswith("expr:") else name.split(":", 1)[0]
        item = {
            "feature": name,
            "kind": {"sig": "signature"}.get(kind, kind),
            "contribution": round(float(contrib[k, j]), 4),
            "value": round(float(fvals[j]), 4),
            "reference_mean": round(float(fe.feature_fill_[j]), 4),
        }
        if kind == "gene":
            item["gene"] = name[5:]
            item["z"] = item.pop("value")
        out.append(item)
    return out


def _row_values(call: TallCall, model_id: str) -> dict[str, Any]:
    return {
        "tall_subgroup": call.subgroup,
        "tall_confidence_tier": call.tier,
        "tall_top_probability": round(call.top_probability, 6),
        "tall_decided_by": call.decided_by,
        "tall_model_id": model_id,
    }


def apply_tall_stage(
    calls: pd.DataFrame,
    explanations: dict[str, dict[str, Any]],
    counts: pd.DataFrame,
    *,
    model: Any,
    model_id: str,
    fusions: Mapping[str, Sequence[Fusion] | None] | None = None,
    immunophenotype: pd.DataFrame | None = None,
    settings: CallSettings | None = None,
    etp_settings: EtpSettings | None = None,
    top_n: int = 10,
) -> pd.DataFrame:
    """Fill the T-ALL columns of T-lineage rows and add ``explanations[sid]["tall"]``.

    Parameters
    ----------
    calls
        The first stage's table (with :func:`first_stage_defaults` columns).
    explanations
        The first stage's explanations (updated in place).
    counts
        Samples x genes raw counts (the classify input).
    model
        The fitted T-ALL pipeline, or ``None`` (no second stage: ETP from immunophenotype
        only).
    model_id
        ``name/version`` of the T-ALL model (recorded per row).
    fusions, settings
        As for the first stage (class thresholds may name T-ALL subgroups).
    immunophenotype
        Clinical table rows (index sample_id) with the ``ETP_MARKER_COLUMNS``; ``None`` =
        not given.
    etp_settings
        ETP cut-offs.

    Returns
    -------
    pandas.DataFrame
        ``calls`` with the T-ALL columns filled.
    """
    es = etp_settings or EtpSettings()
    out = calls.set_index("sample_id", drop=False)
    t_ids = [str(s) for s in out.index[out["lineage"] == "T"]]
    if not t_ids:
        return calls
    results: dict[str, TallCall] = {}
    proba = feats = None
    if model is not None:
        first_flags = {s: str(out.at[s, "qc_flags"]).split(";") for s in t_ids}
        results, proba, feats = classify_tall(
            counts.loc[t_ids], model, fusions=fusions, first_stage_flags=first_flags,
            settings=settings,
        )  # fmt: skip
    # plain arrays and dicts by sample: a pandas row or cell per sample and value cost more
    # than the stage's rules (profiled)
    pos = {str(s): i for i, s in enumerate(proba.index)} if proba is not None else {}
    pvals = proba.to_numpy() if proba is not None else np.empty((0, 0))
    classes = [str(c) for c in proba.columns] if proba is not None else []
    fvals = feats.to_numpy() if feats is not None else np.empty((0, 0))
    names = [str(c) for c in feats.columns] if feats is not None else []
    immuno_rows: dict[Any, dict[str, Any]] = {}
    if immunophenotype is not None:  # sample ids are unique (read_clinical)
        given = immunophenotype.index[immunophenotype.index.isin(t_ids)]
        immuno_rows = immunophenotype.loc[given, list(ETP_MARKER_COLUMNS)].to_dict("index")
    for sid in t_ids:
        tall: dict[str, Any] = {"model_id": model_id if model is not None else ""}
        i = pos.get(sid)
        if sid in results and proba is not None and feats is not None and i is not None:
            c = results[sid]
            for k, v in _row_values(c, model_id).items():
                out.at[sid, k] = v
            target = c.record["top_class"]
            tall.update(
                subgroup=c.subgroup,
                confidence_tier=c.tier,
                decided_by=c.decided_by,
                flags=c.flags,
                top_probabilities={
                    classes[j]: round(float(pvals[i, j]), 4) for j in descending(pvals[i])[:5]
                },
                explained_class=target,
                top_features=_top_features(model, names, fvals[i], target, top_n),
                decision=c.record,
            )
        row = immuno_rows.get(sid)
        immuno = etp_from_immunophenotype(row, es) if row is not None else None
        p_etp = float(proba.at[sid, "ETP-like"]) if proba is not None else None
        score = float(feats.at[sid, "etp:score"]) if feats is not None else None
        status, source, flags, evidence = etp_status(immuno, etp_from_expression(p_etp, score, es))
        out.at[sid, "etp_status"] = status
        out.at[sid, "etp_source"] = source
        tall["etp"] = {"status": status, "source": source, "flags": flags, **evidence}
        explanations.setdefault(sid, {})["tall"] = tall
    return out.reset_index(drop=True)
