"""The workflow's chunk AnnData files: written and read here only.

* The **expression chunk** (``results/expression/chunk_*.h5ad``) is written by
  ``allstrat import-expression`` (:func:`write_expression_chunk`, layout of
  :func:`allstrat.io.cohort.read_expression_cohort`) and read by ``classify``,
  ``copynumber`` and ``report samples`` (:func:`read_expression_chunk`). Its
  ``layers["not_measured"]`` is applied here, once: a gene absent from a sample's input
  file is NaN in :attr:`ExpressionChunk.counts`, never zero reads.
* The **classify chunk** (``results/classify/chunk_*.h5ad``) holds the normalised matrix,
  the calls and the class probabilities (:func:`write_classify_chunk`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allstrat.errors import InputError
from allstrat.io.output import atomic_path

__all__ = [
    "ExpressionChunk",
    "counts_from_anndata",
    "expression_qc",
    "read_expression_chunk",
    "write_classify_chunk",
    "write_classify_outputs",
    "write_expression_chunk",
]

#: uns["allstrat"] entries stored as one JSON string each (see write_expression_chunk).
_JSON_UNS = ("harmonisation", "file_notes")


@dataclass
class ExpressionChunk:
    """An expression chunk as the stages use it.

    Attributes
    ----------
    counts : pandas.DataFrame or None
        Samples x canonical genes, float; NaN = gene not measured in that sample's input
        file. ``None`` when read with ``counts=False``.
    obs : pandas.DataFrame
        Per-sample QC and file provenance (``library_size``, ``expression_sha256`` ...).
    meta : dict
        ``uns["allstrat"]`` (stage provenance, parameters, gene-table checksum).
    """

    counts: pd.DataFrame | None
    obs: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)


def counts_from_anndata(adata: Any) -> pd.DataFrame:
    """Samples x genes float counts; ``layers["not_measured"]`` entries become NaN."""
    x = adata.layers["counts"]
    x = (x.toarray() if hasattr(x, "toarray") else np.asarray(x)).astype(float)
    if "not_measured" in adata.layers:
        nm = adata.layers["not_measured"]
        mask = nm.toarray() if hasattr(nm, "toarray") else np.asarray(nm)
        x[mask.astype(bool)] = np.nan
    return pd.DataFrame(x, index=adata.obs_names.astype(str), columns=adata.var_names.astype(str))


def write_expression_chunk(path: str | Path, adata: Any) -> None:
    """Write an expression chunk atomically.

    Per-sample harmonisation reports and file notes are stored as one JSON string each
    (``uns["allstrat"]["harmonisation_json"]`` / ``["file_notes_json"]``): as nested uns
    dicts they become thousands of tiny HDF5 groups, and reading those back cost a
    250-sample classify job a third of its time (profiled, benchmarks/).
    """
    meta = adata.uns["allstrat"]
    for key in _JSON_UNS:
        if key in meta:
            meta[f"{key}_json"] = json.dumps(meta.pop(key), sort_keys=True, default=str)
    with atomic_path(path) as tmp:
        adata.write_h5ad(tmp)


def read_expression_chunk(
    path: str | Path, *, samples: Sequence[str] | None = None, counts: bool = True
) -> ExpressionChunk:
    """Read an expression chunk (any AnnData with ``layers["counts"]``).

    Parameters
    ----------
    path : str or Path
        The chunk h5ad.
    samples : sequence of str, optional
        Keep only these samples, in this order (each must be in the chunk).
    counts : bool
        ``False`` reads only ``obs`` and ``uns`` (backed mode; no matrix in memory).

    Returns
    -------
    ExpressionChunk
        Counts with ``not_measured`` entries as NaN.
    """
    import anndata as ad

    p = Path(path)
    if not p.is_file():
        raise InputError("expression chunk h5ad not found", path=p)
    try:
        adata = ad.read_h5ad(p, backed="r" if not counts else None)
    except (OSError, KeyError, ValueError) as exc:
        raise InputError(f"cannot read expression h5ad: {exc}", path=p) from None
    try:
        obs = adata.obs.copy()
        meta = dict(adata.uns.get("allstrat", {}))
        if not counts:
            return ExpressionChunk(None, obs, meta)
        if "counts" not in adata.layers:
            raise InputError('h5ad has no layers["counts"]', path=p)
        matrix = counts_from_anndata(adata)
    finally:
        if adata.isbacked:
            adata.file.close()
    if samples is not None:
        missing = [s for s in samples if s not in matrix.index]
        if missing:
            raise InputError(f"samples {missing[:5]} not in the expression chunk", path=p)
        # the chunk's own samples in its order (the workflow's case): no copy of the matrix
        # (a 2,500-sample chunk's counts are ~0.4 GB as float64)
        if list(samples) != matrix.index.tolist():
            matrix = matrix.loc[list(samples)]
            obs = obs.loc[list(samples)]
    return ExpressionChunk(matrix, obs, meta)


def expression_qc(
    path: str | Path | None,
) -> tuple[dict[str, dict[str, float | None]], dict[str, Any], dict[str, dict[str, str]]]:
    """What the reports take from an expression chunk (read without its matrix).

    Returns the numeric QC metrics per sample, the import stage's provenance (without the
    per-sample harmonisation, file notes and input list) and the expression-file record
    (path, role, sha256) the import stage computed per sample: for a file shared by several
    samples, ``scope: sample`` and the digest of the sample's column. ``None`` gives empty
    ones.
    """
    from allstrat.serialise import to_plain

    if not path:
        return {}, {}, {}
    chunk = read_expression_chunk(path, counts=False)
    obs = chunk.obs
    numeric = [
        c
        for c in obs.columns
        if pd.api.types.is_numeric_dtype(obs[c].dtype)
        and not pd.api.types.is_bool_dtype(obs[c].dtype)
    ]
    metrics: dict[str, dict[str, float | None]] = {
        str(sid): {str(c): float(v) for c, v in row.items()} for sid, row in obs[numeric].iterrows()
    }
    recorded: dict[str, dict[str, str]] = {}
    if {"expression_file", "expression_sha256"} <= set(obs.columns):
        # a file shared by several samples is recorded by the digest of this sample's column
        # (scope: sample), so one sample's changed counts leave the others' records alone
        own = obs.get("expression_sample_sha256", pd.Series("", index=obs.index)).astype(str)
        for sid, f, h, mine in zip(
            obs.index,
            obs["expression_file"].astype(str),
            obs["expression_sha256"].astype(str),
            own,
            strict=True,
        ):
            rec = {"path": f, "role": "expression", "scope": "sample", "sha256": mine}
            recorded[str(sid)] = rec if mine else {"path": f, "role": "expression", "sha256": h}
    # keep the chunk-level facts, not every sample's harmonisation report nor the chunk's
    # list of input files (each sample's own file is in its record's inputs)
    chunk_level = ("harmonisation_json", "file_notes_json", "provenance_json")
    upstream = {k: v for k, v in chunk.meta.items() if k not in chunk_level}
    return metrics, to_plain(upstream), recorded


def write_classify_chunk(
    path: str | Path,
    *,
    calls: pd.DataFrame,
    normalised: pd.DataFrame,
    probabilities: pd.DataFrame,
    features: pd.DataFrame,
    counts: pd.DataFrame,
    uns: dict[str, Any],
) -> None:
    """Write the classify AnnData atomically.

    ``X`` = normalised expression, ``obs`` = the calls (without ``prob:`` columns),
    ``layers["counts"]`` = the input counts, ``obsm["probabilities"]`` /
    ``obsm["features"]`` with their column names in ``uns["allstrat"]`` (labels such as
    ``BCL2/MYC`` cannot be HDF5 keys).
    """
    import anndata as ad

    genes = list(normalised.columns)
    obs = calls.set_index("sample_id")
    obs = obs[[c for c in obs.columns if not c.startswith("prob:")]].astype(
        {"top_probability": float}
    )
    adata = ad.AnnData(
        X=normalised.to_numpy(dtype=np.float32),
        obs=obs,
        var=pd.DataFrame(index=pd.Index(genes, name="gene")),
    )
    adata.layers["counts"] = counts.reindex(columns=genes).to_numpy(dtype=np.float32)
    adata.obsm["probabilities"] = probabilities.to_numpy(dtype=np.float64)
    adata.obsm["features"] = features.to_numpy(dtype=np.float64)
    adata.uns["allstrat"] = {**uns, "feature_names": [str(c) for c in features.columns]}
    with atomic_path(path) as tmp:
        adata.write_h5ad(tmp)


#: What the classify explanations JSON says about itself.
EXPLAIN_NOTE = (
    "Research use only; not a diagnosis. Contributions are log-odds "
    "contributions (coefficient x standardised feature, centred over classes)."
)


def write_classify_outputs(
    res: Any,
    counts: pd.DataFrame,
    *,
    out: str | Path,
    explain: str | Path | None = None,
    h5ad: str | Path | None = None,
    provenance: Mapping[str, Any],
    harmonisation: Mapping[str, Any],
    upstream: Mapping[str, Any],
    model: Mapping[str, str],
) -> None:
    """Write a classify run's calls TSV, and its explanations JSON and AnnData when asked.

    ``res`` is the :class:`allstrat.classify.core.ClassificationResult`; ``model`` the
    subtype model's ``model_id`` and ``sha256``. Every file is written atomically.
    """
    from allstrat.io.output import write_json, write_tsv
    from allstrat.provenance import h5ad_provenance
    from allstrat.serialise import to_plain

    write_tsv(out, res.calls)
    if explain:
        record = {
            "provenance": provenance,
            "harmonisation": harmonisation,
            "samples": res.explanations,
            "note": EXPLAIN_NOTE,
        }
        write_json(explain, to_plain(record))
    if h5ad:
        # h5py reads "/" in keys as groups: nested records go in as JSON text
        uns = {
            **h5ad_provenance(provenance),
            "model_id": model["model_id"],
            "model_sha256": model["sha256"],
            "classes": [str(c) for c in res.probabilities.columns],
            "upstream_json": json.dumps(to_plain(upstream), sort_keys=True, default=str),
        }
        write_classify_chunk(
            h5ad,
            calls=res.calls,
            normalised=res.normalised,
            probabilities=res.probabilities,
            features=res.features,
            counts=counts,
            uns=uns,
        )
