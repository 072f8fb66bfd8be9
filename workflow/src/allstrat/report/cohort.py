"""Cohort outputs: ``results/calls.tsv``, ``results/cohort.h5ad`` and the cohort report.

``collect_cohort`` gathers every chunk's stage tables into one call table (through the
same record assembly as the per-sample JSON, so the two cannot disagree) and one AnnData
that opens in scanpy. ``write_cohort_report`` draws the samples in PCA / UMAP space
coloured by subtype (among a reference cohort when one is given), the subtype, tier and
risk distributions and the QC table. Above ``max_points`` samples the embedding is
computed on a seeded random subsample, so 10,000 samples stay cheap.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from allstrat.contracts import LESION_GENES, RISK_PREFIX
from allstrat.errors import InputError
from allstrat.io.output import atomic_path, write_text, write_tsv
from allstrat.io.stage_tables import (
    read_calls,
    read_classify_table,
    read_copynumber_table,
    read_risk_table,
)
from allstrat.provenance import build_provenance, file_record, h5ad_provenance
from allstrat.report.assemble import assemble_records, calls_table
from allstrat.report.figures import figure_data_uri, subtype_colour
from allstrat.report.html import render_cohort_html
from allstrat.report.jit_cache import enable_umap_cache
from allstrat.report.seeded_arpack import seeded_arpack

logger = logging.getLogger(__name__)

__all__ = ["collect_cohort", "write_cohort_report"]


def _read_h5ad(path: str | Path, *, backed: bool = False) -> Any:
    """Read an h5ad file; ``backed`` leaves ``X`` on disk (rows are read when indexed)."""
    import anndata as ad

    p = Path(path)
    if not p.is_file():
        raise InputError("h5ad file not found", path=p)
    try:
        return ad.read_h5ad(p, backed="r" if backed else None)
    except (OSError, KeyError, ValueError) as exc:
        raise InputError(f"cannot read h5ad: {exc}", path=p) from None


def collect_cohort(
    sample_ids: Sequence[str],
    *,
    classify: Sequence[str | Path],
    copynumber: Sequence[str | Path] = (),
    risk: Sequence[str | Path] = (),
    h5ad: Sequence[str | Path] = (),
    out_calls: str | Path,
    out_h5ad: str | Path | None = None,
    config_hash: str = "",
) -> pd.DataFrame:
    """Gather all chunks into ``calls.tsv`` (and ``cohort.h5ad``).

    Parameters
    ----------
    sample_ids
        Every sample of the sample sheet; each must appear in exactly one chunk.
    classify, copynumber, risk
        The chunk tables of each stage (any order; copy-number / risk may be empty when
        the stage did not run, and then read ``not_assessable`` / no risk columns).
    h5ad
        Chunk AnnData files (classify output with normalised ``X``, or the expression
        chunks); concatenated into the cohort AnnData.
    out_calls
        Destination of the call table.
    out_h5ad
        Destination of the cohort AnnData (skipped when ``None``).
    config_hash
        :func:`allstrat.provenance.config_sha256` of the workflow configuration.

    Returns
    -------
    pandas.DataFrame
        The call table, in sample-sheet order (sorted sample IDs).

    Raises
    ------
    InputError
        A sample missing from, or repeated across, the chunk tables.
    """
    t0 = time.perf_counter()
    cls = _concat([read_classify_table(p) for p in classify], classify, "classify")
    cn = _concat([read_copynumber_table(p) for p in copynumber], copynumber, "copy-number")
    rk = pd.concat([read_risk_table(p) for p in risk], ignore_index=True) if risk else None
    ids = sorted(sample_ids)
    extra = sorted(set(cls.index) - set(ids))
    if extra:
        raise InputError(
            f"classify tables hold sample(s) not in the sample sheet: {extra[:5]}",
            path=str(classify[0]),
        )
    inputs = [file_record(p, role="classify_table") for p in classify]
    inputs += [file_record(p, role="copynumber_table") for p in copynumber]
    inputs += [file_record(p, role="risk_table") for p in risk]
    rulesets = {}
    if rk is not None:
        for proto, versions in rk.groupby("protocol")["ruleset_version"]:
            rulesets[str(proto)] = ";".join(sorted({v for v in versions if v}))
    models = [
        {"model_id": m, "sha256": s}
        for m, s in cls[["model_id", "model_sha256"]].drop_duplicates().itertuples(index=False)
    ]
    prov = build_provenance(
        stage="collect", inputs=inputs, models=models, rulesets=rulesets, config_hash=config_hash
    )
    records = assemble_records(
        ids,
        classify=cls,
        copynumber=cn,
        risk=rk,
        provenance={**prov, "inputs": []},  # chunk files are listed once, in the h5ad
        sources={"classify": str(classify[0]) if classify else ""},
        validate=False,
    )
    calls = calls_table(records.values())
    write_tsv(out_calls, calls)
    if out_h5ad is not None:
        _write_cohort_h5ad(calls, cn, h5ad, out_h5ad, prov)
    logger.info(
        "collected %d samples from %d chunk(s) in %.1f s",
        len(calls),
        len(classify),
        time.perf_counter() - t0,
    )
    return calls


def _concat(tables: list[pd.DataFrame], paths: Sequence[str | Path], what: str) -> Any:
    if not tables:
        if what == "classify":
            raise InputError("no classify chunk tables given")
        return None
    seen: dict[str, str] = {}
    for t, p in zip(tables, paths, strict=True):
        for sid in t.index:
            if sid in seen:
                raise InputError(
                    f"sample appears in two {what} chunk tables ({seen[sid]} and {p})",
                    path=p,
                    sample=sid,
                )
            seen[sid] = str(p)
    return pd.concat(tables)


def _write_cohort_h5ad(
    calls: pd.DataFrame,
    cn: pd.DataFrame | None,
    h5ad: Sequence[str | Path],
    out: str | Path,
    prov: Mapping[str, Any],
) -> None:
    ids = list(calls["sample_id"])
    with atomic_path(out) as tmp:
        done, index_name = _concat_on_disk(h5ad, ids, tmp) if h5ad else (False, None)
        if done:
            _annotate_on_disk(tmp, calls, cn, prov, index_name=index_name)
        else:
            _write_in_memory(calls, cn, h5ad, tmp, prov)


def _h5ad_names(path: str | Path) -> tuple[list[str], list[str], str | None]:
    """Sample names, gene names and sample index name of an h5ad (matrices not loaded)."""
    import h5py
    from anndata.io import read_elem

    p = Path(path)
    if not p.is_file():
        raise InputError("h5ad file not found", path=p)
    try:
        with h5py.File(p, "r") as f:
            obs, var = read_elem(f["obs"]), read_elem(f["var"])
    except (OSError, KeyError, ValueError) as exc:
        raise InputError(f"cannot read h5ad: {exc}", path=p) from None
    return [str(x) for x in obs.index], [str(x) for x in var.index], obs.index.name


def _concat_on_disk(
    h5ad: Sequence[str | Path], ids: list[str], dest: Path
) -> tuple[bool, str | None]:
    """Concatenate the chunk files on disk (one chunk in memory at a time).

    Returns ``(done, obs index name)``; ``done`` is ``False`` (nothing written) when the
    chunks do not line up as the cohort in sample order with one gene set; the caller
    then concatenates in memory.
    """
    from anndata.experimental import concat_on_disk

    names = [_h5ad_names(p) for p in h5ad]
    order = sorted(range(len(h5ad)), key=lambda i: names[i][0][:1])
    obs = [s for i in order for s in names[i][0]]
    if obs != ids or any(names[i][1] != names[order[0]][1] for i in order):
        return False, None
    scratch = dest.with_name(dest.name + ".h5ad")  # the writer picks the format by suffix
    try:
        concat_on_disk(
            [Path(h5ad[i]) for i in order],
            scratch,
            max_loaded_elems=20_000_000,
            merge="same",
            uns_merge="first" if len(h5ad) == 1 else None,
        )
        os.replace(scratch, dest)
    finally:
        scratch.unlink(missing_ok=True)
    return True, names[order[0]][2]


def _cohort_obs(obs: pd.DataFrame, calls: pd.DataFrame, cn: pd.DataFrame | None) -> pd.DataFrame:
    """The chunks' obs with the call table's columns (and lesion states) added."""
    ids = list(calls["sample_id"])
    obs = obs.copy()
    table = calls.set_index("sample_id")
    for col in table.columns:
        if col == "top_probability" or col == "modal_chromosome_number":
            obs[col] = pd.to_numeric(table[col], errors="coerce").to_numpy()
        else:
            obs[col] = pd.Categorical(table[col].astype(str).to_numpy())
    if cn is not None:
        for g in LESION_GENES:
            col = f"{g.lower()}_status"
            obs[f"cn_{col}"] = pd.Categorical(cn.loc[ids, col].to_numpy())
    return obs


def _cohort_uns(info: Mapping[str, Any], prov: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **{k: v for k, v in info.items() if isinstance(v, (str, int, float))},
        **h5ad_provenance(prov),
        "config_sha256": str(prov["config_sha256"]) or "not given",
    }


def _annotate_on_disk(
    path: Path,
    calls: pd.DataFrame,
    cn: pd.DataFrame | None,
    prov: Mapping[str, Any],
    *,
    index_name: str | None,
) -> None:
    """Replace obs and ``uns["allstrat"]`` of an h5ad file in place (matrices untouched)."""
    import h5py
    from anndata.io import read_elem, write_elem

    with h5py.File(path, "r+") as f:
        obs = _cohort_obs(read_elem(f["obs"]), calls, cn)
        obs.index.name = index_name
        del f["obs"]
        write_elem(f, "obs", obs)
        uns = read_elem(f["uns"]) if "uns" in f else {}
        info = uns.get("allstrat", {})
        uns["allstrat"] = _cohort_uns(info if isinstance(info, Mapping) else {}, prov)
        if "uns" in f:
            del f["uns"]
        write_elem(f, "uns", uns)


def _write_in_memory(
    calls: pd.DataFrame,
    cn: pd.DataFrame | None,
    h5ad: Sequence[str | Path],
    tmp: Path,
    prov: Mapping[str, Any],
) -> None:
    """Cohort AnnData built in memory (chunks with different genes or interleaved samples)."""
    import anndata as ad

    ids = list(calls["sample_id"])
    if h5ad:
        parts = [_read_h5ad(p) for p in h5ad]
        adata = (
            ad.concat(parts, join="outer", merge="same", fill_value=0)
            if len(parts) > 1
            else parts[0]
        )
        missing = [s for s in ids if s not in adata.obs_names]
        if missing:
            raise InputError(
                f"sample(s) {missing[:5]} missing from the chunk h5ad files", path=str(h5ad[0])
            )
        adata = adata[ids].copy()
    else:
        adata = ad.AnnData(obs=pd.DataFrame(index=pd.Index(ids, name="sample_id")))
    adata.obs = _cohort_obs(adata.obs, calls, cn)
    info = dict(adata.uns.get("allstrat", {})) if "allstrat" in adata.uns else {}
    adata.uns["allstrat"] = _cohort_uns(info, prov)
    adata.write_h5ad(tmp)


# --- cohort report ---------------------------------------------------------------------


class _CohortMatrix:
    """The cohort h5ad's expression matrix, read row subsets at a time (nothing else loaded).

    ``X`` (normalised) when the file has one, else ``layers["counts"]`` (raw counts, turned
    into log-CPM for the embedding). Opening it backed with anndata would load every layer
    and ``obsm`` into memory (only ``X`` stays on disk): ~1 GiB at 10,000 samples.
    """

    def __init__(self, path: str | Path) -> None:
        import h5py
        from anndata.io import read_elem, sparse_dataset

        p = Path(path)
        if not p.is_file():
            raise InputError("h5ad file not found", path=p)
        try:
            self._file = h5py.File(p, "r")
            f = self._file
            self.obs_names = pd.Index(read_elem(f["obs"]).index.astype(str))
            self.var_names = pd.Index(read_elem(f["var"]).index.astype(str))
            self.uns: dict[str, Any] = read_elem(f["uns"]) if "uns" in f else {}
            key = "X" if "X" in f else "layers/counts" if "layers/counts" in f else None
            node = f[key] if key else None
            self.matrix = (
                node if node is None or isinstance(node, h5py.Dataset) else sparse_dataset(node)
            )
        except (OSError, KeyError, ValueError) as exc:
            self.close()
            raise InputError(f"cannot read h5ad: {exc}", path=p) from None
        self.counts = key == "layers/counts"

    @property
    def n_obs(self) -> int:
        return len(self.obs_names)

    @property
    def n_vars(self) -> int:
        return len(self.var_names)

    def rows(self, idx: np.ndarray) -> np.ndarray:
        """Rows ``idx`` (sorted) as a dense array in the file's dtype."""
        assert self.matrix is not None
        part = self.matrix[:] if len(idx) == self.n_obs else self.matrix[idx]
        return np.asarray(part.toarray() if hasattr(part, "toarray") else part)

    def close(self) -> None:
        if getattr(self, "_file", None) is not None:
            self._file.close()


def _column_blocks(n: int, size: int = 1024) -> Iterator[tuple[int, int]]:
    for a in range(0, n, size):
        yield a, min(a + size, n)


def _top_variable_genes(
    blocks: Any, n_vars: int, n_top: int, *, size: int = 1024
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the ``n_top`` most variable genes measured in every sample, and the matrix
    of those genes (float64), one block of columns at a time: the whole float64 matrix
    never exists. ``blocks(a, b)`` gives columns ``a:b`` as float64 (per column the same
    numbers, and the same arithmetic, as on the whole matrix).
    """
    parts = []
    for a, b in _column_blocks(n_vars, size):
        x = blocks(a, b)
        measured = np.isfinite(x).all(axis=0)
        parts.append((measured, np.where(measured, np.nan_to_num(x).var(axis=0), -1.0)))
    measured = np.concatenate([m for m, _ in parts])
    var = np.concatenate([v for _, v in parts])
    keep = np.argsort(-var)[: min(n_top, int(measured.sum()))]
    keep = np.sort(keep[var[keep] > 0])
    cols = []
    for a, b in _column_blocks(n_vars, size):
        inside = keep[(keep >= a) & (keep < b)]
        if len(inside):
            cols.append(blocks(a, b)[:, inside - a])
    # C order, as the whole-matrix ``x[:, keep]`` was (scaling / PCA round-off follows it)
    return keep, np.ascontiguousarray(np.concatenate(cols, axis=1) if cols else np.zeros((0, 0)))


def _library_sizes(rows: np.ndarray, size: int = 512) -> np.ndarray:
    """Row sums in float64 (as of the float64 matrix, a block of rows at a time)."""
    sums = [np.asarray(rows[a:b], float).sum(axis=1) for a, b in _column_blocks(len(rows), size)]
    return np.concatenate(sums or [np.zeros(0)])[:, None]


def _embedding(
    adata: _CohortMatrix,
    calls: pd.DataFrame,
    *,
    reference: Any,
    max_points: int,
    seed: int,
    umap: bool,
    n_top_genes: int = 2000,
) -> tuple[pd.DataFrame | None, str]:
    """PCA (+ UMAP) coordinates of the (subsampled) cohort and optional reference."""
    import anndata as ad
    import scanpy as sc
    from threadpoolctl import threadpool_limits

    if adata.n_vars == 0:
        return None, "the cohort AnnData has no genes; no embedding drawn"
    if adata.matrix is None:
        return None, "the cohort AnnData has neither X nor counts; no embedding drawn"
    note = ""
    idx = np.arange(adata.n_obs)
    if adata.n_obs > max_points:
        rng = np.random.default_rng(seed)
        idx = np.sort(rng.choice(adata.n_obs, size=max_points, replace=False))
        note = f"{max_points} of {adata.n_obs} samples drawn (seeded random subsample)"
    rows = adata.rows(idx)  # the file's dtype (float32): half the size of float64
    lib = _library_sizes(rows) if adata.counts else None
    names = list(adata.obs_names[idx])
    genes = adata.var_names
    subtype = calls.set_index("sample_id").loc[names, "subtype"].to_numpy()
    obs = pd.DataFrame({"subtype": subtype, "source": "cohort"}, index=names)
    ref_x = None
    if reference is not None:
        common = genes.intersection(reference.var_names)
        if len(common) < 10:
            note += "; reference shares <10 genes with the cohort and is not drawn"
        else:
            ref_x = np.asarray(reference[:, common].X, float)
            ref_obs = pd.DataFrame(
                {"subtype": reference.obs["subtype"].astype(str).to_numpy(), "source": "reference"},
                index=[f"ref:{n}" for n in reference.obs_names],
            )
            obs = pd.concat([ref_obs, obs])
            cols = genes.get_indexer(common)
            rows, genes = rows[:, cols], common

    def block(a: int, b: int) -> np.ndarray:
        x = np.asarray(rows[:, a:b], float)
        if lib is not None:  # raw counts: log-CPM for the embedding only
            x = np.log2(x / np.maximum(lib, 1) * 1e6 + 1)
        return x if ref_x is None else np.concatenate([ref_x[:, a:b], x])

    # genes not measured in some sample (NaN: a different annotation) would split the
    # embedding by input format rather than biology: use genes measured everywhere
    keep, x = _top_variable_genes(block, len(genes), n_top_genes)
    rows = np.zeros((0, 0))  # free the subsample's rows before PCA / UMAP
    if len(keep) < 2 or len(obs) < 3:
        return None, "too few samples or variable genes for an embedding"
    sub = ad.AnnData(X=x, obs=obs)
    # Same bytes on every run and machine: ARPACK restarts (PCA, UMAP's spectral start)
    # seeded, and one BLAS / OpenMP thread (scikit-learn's kNN splits its distance blocks
    # by the OpenMP thread count, i.e. the machine's cores: the UMAP of a 1,000-sample
    # cohort differed between 1 and 2 threads; a second BLAS thread also spun for ~20% of
    # the report's CPU at 10,000 samples)
    with threadpool_limits(limits=1), seeded_arpack(seed):
        sc.pp.scale(sub, max_value=10)
        coords, umap_note = _pca_umap(sub, seed=seed, umap=umap)
    return coords, note + ("; " if note and umap_note else "") + umap_note


def _pca_umap(sub: Any, *, seed: int, umap: bool) -> tuple[pd.DataFrame, str]:
    """PCA (+ UMAP) coordinates of the scaled AnnData ``sub`` (and a note)."""
    import scanpy as sc

    note = ""
    n_comps = min(30, sub.n_obs - 1, sub.n_vars - 1)
    sc.tl.pca(sub, n_comps=n_comps, random_state=seed)
    coords = pd.DataFrame(
        {
            "PC1": sub.obsm["X_pca"][:, 0],
            "PC2": sub.obsm["X_pca"][:, 1],
            "subtype": sub.obs["subtype"].astype(str).to_numpy(),
            "source": sub.obs["source"].astype(str).to_numpy(),
        },
        index=sub.obs_names,
    )
    if umap and sub.n_obs >= 10:
        enable_umap_cache()  # the numba compile is most of a rerun's cost otherwise
        sc.pp.neighbors(sub, n_neighbors=min(15, sub.n_obs - 1), random_state=seed)
        sc.tl.umap(sub, random_state=seed)
        coords["UMAP1"] = sub.obsm["X_umap"][:, 0]
        coords["UMAP2"] = sub.obsm["X_umap"][:, 1]
    elif umap:
        note = "UMAP needs at least 10 samples; PCA only"
    return coords, note


def _scatter(coords: pd.DataFrame, x: str, y: str, title: str) -> str:
    fig = Figure(figsize=(7.5, 5.2))
    ax = fig.add_axes((0.08, 0.1, 0.6, 0.82))
    ref = coords[coords["source"] == "reference"]
    coh = coords[coords["source"] == "cohort"]
    labels = sorted(set(coords["subtype"]))
    if len(ref):
        ax.scatter(
            ref[x], ref[y], s=6, c=[subtype_colour(s) for s in ref["subtype"]], alpha=0.35, lw=0
        )
    ax.scatter(
        coh[x],
        coh[y],
        s=22 if len(ref) else 12,
        c=[subtype_colour(s) for s in coh["subtype"]],
        edgecolors="black" if len(ref) else "none",
        linewidths=0.5,
    )
    handles = [
        ax.scatter(
            [],
            [],
            s=20,
            color=subtype_colour(lab),
            label=f"{lab} ({(coords['subtype'] == lab).sum()})",
        )
        for lab in labels
    ]
    ax.legend(
        handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False
    )
    ax.set_xlabel(x, fontsize=8)
    ax.set_ylabel(y, fontsize=8)
    ax.tick_params(labelsize=7)
    suffix = " (reference: small faded dots; cohort: outlined)" if len(ref) else ""
    ax.set_title(title + suffix, fontsize=9, loc="left")
    return figure_data_uri(fig)


def _bar(counts: Mapping[str, int], title: str, *, colours: bool) -> str:
    labels = list(counts)
    fig = Figure(figsize=(7.5, 0.35 * len(labels) + 0.9))
    ax = fig.add_axes(
        (0.3, 0.55 / (0.35 * len(labels) + 0.9), 0.62, 1 - 0.9 / (0.35 * len(labels) + 0.9))
    )
    ax.barh(
        range(len(labels)),
        [counts[k] for k in labels],
        color=[subtype_colour(k) if colours else "#6b8fc2" for k in labels],
    )
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.tick_params(axis="x", labelsize=7)
    for i, k in enumerate(labels):
        ax.text(counts[k], i, f" {counts[k]}", va="center", fontsize=7)
    ax.set_title(title, fontsize=9, loc="left")
    return figure_data_uri(fig)


def write_cohort_report(
    *,
    calls: str | Path,
    cohort: str | Path,
    out: str | Path,
    reference: str | Path | None = None,
    max_points: int = 5000,
    seed: int = 0,
    umap: bool = True,
    config_hash: str = "",
    max_qc_rows: int = 1000,
) -> None:
    """Write the self-contained cohort HTML report.

    Parameters
    ----------
    calls
        ``results/calls.tsv``.
    cohort
        ``results/cohort.h5ad`` (normalised ``X`` or raw ``layers["counts"]``).
    out
        Destination HTML.
    reference
        Optional reference AnnData with ``obs["subtype"]``; the cohort is drawn on top
        of it in the embedding.
    max_points
        Samples drawn in PCA/UMAP; above this a seeded random subsample is drawn.
    seed
        Seed of the subsample, PCA and UMAP.
    umap
        Also compute a UMAP (needs at least 10 samples).
    config_hash
        Hash of the workflow configuration (provenance).
    max_qc_rows
        At most this many flagged samples are listed in the QC table.
    """
    t0 = time.perf_counter()
    table = read_calls(calls)
    # only the rows drawn in the embedding are read, and nothing but the matrix, obs and uns
    with contextlib.closing(_CohortMatrix(cohort)) as adata:
        ref = _read_h5ad(reference) if reference else None
        if ref is not None and "subtype" not in ref.obs:
            raise InputError("reference h5ad has no obs['subtype']", path=reference)
        missing = sorted(set(table["sample_id"]) - set(adata.obs_names))
        if missing:
            raise InputError(
                f"sample(s) {missing[:5]} of the call table are not in the h5ad", path=cohort
            )
        coords, note = _embedding(
            adata, table, reference=ref, max_points=max_points, seed=seed, umap=umap
        )
        figs = []
        if coords is not None:
            figs.append(("PCA", _scatter(coords, "PC1", "PC2", "PCA coloured by subtype call")))
            if "UMAP1" in coords:
                figs.append(
                    ("UMAP", _scatter(coords, "UMAP1", "UMAP2", "UMAP coloured by subtype call"))
                )
        subtype_counts = dict(Counter(table["subtype"]).most_common())
        tier_counts = {
            t: int((table["confidence_tier"] == t).sum()) for t in ("high", "medium", "low", "none")
        }
        risk_cols = [c for c in table.columns if c.startswith(RISK_PREFIX)]
        risk_rows = []
        for c in risk_cols:
            for group, n in Counter(table[c]).most_common():
                risk_rows.append(
                    [c[len(RISK_PREFIX) :], group, str(n), f"{100 * n / len(table):.1f}%"]
                )
        flag_counts = Counter(f for v in table["qc_flags"] for f in v.split(";") if f)
        flagged = table[table["qc_flags"] != ""]
        feature_rows = []
        for col in ("ikzf1plus", "dux4_erg", "ph_like", "karyotype_class", "cn_source"):
            for value, n in Counter(table[col]).most_common():
                feature_rows.append([col, value or "—", str(n)])
        model_ids = sorted(set(table["model_id"]) - {""})
        prov = build_provenance(
            stage="report cohort",
            inputs=[file_record(calls, role="calls"), file_record(cohort, role="cohort_h5ad")]
            + ([file_record(reference, role="reference_h5ad")] if reference else []),
            models=[{"model_id": m, "sha256": ""} for m in model_ids],
            config_hash=config_hash,
        )
        upstream = adata.uns.get("allstrat", {}).get("provenance_json")
        if upstream:
            up = json.loads(str(upstream))
            prov["models"] = up.get("models", prov["models"])
            prov["rulesets"] = up.get("rulesets", {})
        html = render_cohort_html(
            n_samples=len(table),
            figures=figs,
            embedding_note=note,
            subtype_fig=_bar(subtype_counts, "Subtype calls", colours=True) if len(table) else None,
            subtype_counts=subtype_counts,
            tier_counts=tier_counts,
            risk_rows=risk_rows,
            feature_rows=feature_rows,
            flag_counts=dict(flag_counts.most_common()),
            flagged=flagged.head(max_qc_rows)[
                ["sample_id", "subtype", "confidence_tier", "qc_flags"]
            ].values.tolist(),
            n_flagged=len(flagged),
            max_qc_rows=max_qc_rows,
            provenance=prov,
            disclaimer=_disclaimer(),
        )
        write_text(out, html)
        logger.info("cohort report: %d samples in %.1f s", len(table), time.perf_counter() - t0)


def _disclaimer() -> str:
    from allstrat import DISCLAIMER

    return DISCLAIMER
