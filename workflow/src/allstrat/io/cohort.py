"""Cohort assembly: expression files -> one harmonised AnnData (the chunk layout).

Two entry points build the same AnnData through the same rules:

* :func:`read_expression_cohort` -- rows of the sample sheet (the workflow's
  ``import-expression``, ``train --sheet``); a multi-sample file is read once, only the
  columns of the requested samples.
* :func:`read_expression_files` -- files named on the command line (``classify --counts``,
  ``train --counts``); every column of a cohort matrix is a sample, a single-sample file's
  sample ID is its file name up to the first ``.``.

The rules, one function each: every file's gene IDs are mapped with
:func:`allstrat.harmonise.harmonise_ids` (:func:`_check_conflicts` refuses one gene given
under an Ensembl ID *and* a symbol; :func:`_check_mapped_fraction` refuses files that map
too few rows); rows reaching one gene are summed exactly as
:func:`allstrat.harmonise.harmonise_counts` does (tested to be identical), written straight
into one int32 matrix (:func:`_fill_counts`); a gene absent from a sample's file is
"not measured", kept apart from zero reads (:func:`_not_measured`).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from allstrat.errors import InputError
from allstrat.harmonise import ENSEMBL_GENE, GeneTable, HarmonisationReport, harmonise_ids
from allstrat.io.expression import MULTI_SAMPLE_FORMATS, ExpressionFile, read_expression_file
from allstrat.io.expression._common import INT32_MAX
from allstrat.io.samples import SHARED_FILES
from allstrat.paths import GENE_TABLE
from allstrat.provenance import build_provenance, h5ad_provenance, resource_record
from allstrat.serialise import to_plain

if TYPE_CHECKING:
    import scipy.sparse as sp

logger = logging.getLogger(__name__)

__all__ = [
    "read_count_files",
    "read_expression_cohort",
    "read_expression_files",
    "sample_id_from_path",
]

#: obs columns stored as categories (as anndata would store strings anyway).
_CATEGORICAL_OBS = (
    "expression_format",
    "expression_file",
    "expression_sha256",
    "expression_sample_sha256",
    "expression_column",
    "id_type",
)


@dataclass
class _Block:
    """One input file after harmonisation: which samples it feeds, from which columns."""

    keys: np.ndarray  # canonical gene per file row ("" = unmapped / non-gene)
    frame: pd.DataFrame  # the file's raw counts (genes x columns)
    sids: list[str]
    cols: list[str]


def read_expression_cohort(
    sheet_rows: pd.DataFrame,
    genes: GeneTable,
    *,
    star_strandedness: str = "auto",
    min_mapped_fraction: float = 0.25,
):
    """Read, validate and harmonise the expression files of some sample-sheet rows.

    Parameters
    ----------
    sheet_rows : pandas.DataFrame
        Rows of the sample sheet (columns ``sample_id``, ``expression``,
        ``expression_format``), e.g. one chunk of the workflow's batching.
    genes : GeneTable
        The canonical gene table (:func:`allstrat.io.gene_table.load_gene_table`).
    star_strandedness : {"auto", "unstranded", "yes", "reverse"}
        Column choice for STAR files (config ``expression.star_strandedness``).
    min_mapped_fraction : float
        Refuse a sample whose file maps fewer than this fraction of its gene rows
        (counter rows excluded) to the gene table (config
        ``expression.min_mapped_fraction``). Catches mouse or transcript IDs and
        wrong-column files; a full GENCODE annotation maps about half its rows (the
        bundled table holds ~28,000 genes, GENCODE ~62,000 including lncRNA / pseudogenes).

    Returns
    -------
    anndata.AnnData
        ``obs_names`` = ``sample_id`` (sheet order), ``var_names`` = canonical symbols
        (the union over samples, gene-table order). ``X`` is ``None``;
        ``layers["counts"]`` holds the harmonised raw counts as dense ``int32`` (4 bytes per
        value: 10,000 samples x 20,000 genes = 0.8 GB). **Measured vs zero**: a gene absent
        from a sample's input file (a different annotation) gets 0 in ``counts`` *and* True
        in the sparse boolean layer ``layers["not_measured"]`` (empty when all files share
        one gene universe); ``obs["n_genes_measured"]`` and ``var["n_samples_measured"]``
        summarise it. Downstream code must treat ``not_measured`` entries as missing, not
        as zero expression (:func:`allstrat.io.chunk.counts_from_anndata` does). ``obs``
        columns: ``library_size`` (sum of harmonised counts), ``n_genes_detected``
        (counts > 0), ``n_genes_measured``, ``expression_format``, ``expression_file``,
        ``expression_sha256`` (whole file), ``expression_sample_sha256`` (for a file the
        sheet lists for several samples, the digest of this sample's column,
        :func:`sample_column_sha256`; ``""`` otherwise), ``expression_column`` (column
        used in the file), ``id_type``, ``n_ids_input``, ``n_ids_mapped``, ``n_ids_unmapped``,
        ``n_ids_non_gene``, ``mapped_fraction``. ``uns["allstrat"]`` holds
        ``harmonisation`` (per-sample report), ``file_notes`` (per-sample format notes:
        STAR column and reason, counter rows, salmon rounding), ``gene_table_sha256`` and
        the parameters.
    """
    t0 = time.perf_counter()
    ids, groups = _group_by_file(sheet_rows)
    logger.info("reading expression of %d samples", len(ids))
    blocks: list[_Block] = []
    per_sample: dict[str, dict] = {}
    for (path, fmt), sids in groups.items():
        _refuse_shared_single_file(path, fmt, sids)
        ef = read_expression_file(
            path,
            fmt,
            samples=sids if fmt in MULTI_SAMPLE_FORMATS else None,
            star_strandedness=star_strandedness,
        )
        cols = [_pick_column(ef, sid) for sid in sids]
        shared = path in sheet_rows.attrs.get(SHARED_FILES, ())
        blocks.append(
            _harmonise_file(ef, sids, cols, genes, per_sample, min_mapped_fraction, shared=shared)
        )
    params = {"star_strandedness": star_strandedness, "min_mapped_fraction": min_mapped_fraction}
    return _assemble(ids, blocks, per_sample, genes, params, t0=t0)


def read_expression_files(
    paths: Sequence[str | Path],
    fmt: str,
    genes: GeneTable,
    *,
    star_strandedness: str = "auto",
    min_mapped_fraction: float = 0.25,
):
    """Read whole expression files given on the command line into the chunk layout.

    The same checks and harmonisation as :func:`read_expression_cohort` (Ensembl/symbol
    conflicts, ``min_mapped_fraction``, "not measured" kept apart from zero).

    Parameters
    ----------
    paths : sequence of str or Path
        The files. A cohort matrix / h5ad contributes every sample column; a single-sample
        file (htseq, featureCounts, STAR, salmon) must hold one count column and gives the
        sample ID :func:`sample_id_from_path`.
    fmt : str
        A key of :data:`allstrat.io.expression.READERS`, the same for every file.
    genes : GeneTable
        The canonical gene table.
    star_strandedness, min_mapped_fraction
        As in :func:`read_expression_cohort`.

    Returns
    -------
    anndata.AnnData
        The layout of :func:`read_expression_cohort`, samples in file / column order.
    """
    t0 = time.perf_counter()
    ids, blocks, per_sample = _read_files(paths, fmt, genes, star_strandedness, min_mapped_fraction)
    params = {"star_strandedness": star_strandedness, "min_mapped_fraction": min_mapped_fraction}
    return _assemble(ids, blocks, per_sample, genes, params, t0=t0)


def _read_files(
    paths: Sequence[str | Path],
    fmt: str,
    genes: GeneTable,
    star_strandedness: str,
    min_mapped_fraction: float,
) -> tuple[list[str], list[_Block], dict[str, dict]]:
    """Read and harmonise command-line files: sample ids, blocks, per-sample records."""
    if not paths:
        raise InputError("no expression files given")
    blocks: list[_Block] = []
    per_sample: dict[str, dict] = {}
    ids: list[str] = []
    for path in paths:
        ef = read_expression_file(str(path), fmt, star_strandedness=star_strandedness)
        cols = [str(c) for c in ef.counts.columns]
        if fmt in MULTI_SAMPLE_FORMATS:
            sids = cols
        elif len(cols) != 1:
            raise InputError(f"expected one sample column, found {len(cols)}", path=path)
        else:
            sids = [sample_id_from_path(path)]
        for sid in sids:
            if sid in per_sample or sid in ids:
                raise InputError("sample appears in more than one input file", sample=sid)
        ids.extend(sids)
        shared = len(sids) > 1
        blocks.append(
            _harmonise_file(ef, sids, cols, genes, per_sample, min_mapped_fraction, shared=shared)
        )
    return ids, blocks, per_sample


def read_count_files(
    paths: Sequence[str | Path],
    fmt: str,
    genes: GeneTable | None = None,
    *,
    star_strandedness: str = "auto",
    min_mapped_fraction: float = 0.25,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Samples x canonical genes counts of command-line files, NaN = not measured.

    The same result as :func:`read_expression_files` followed by
    :func:`allstrat.io.chunk.counts_from_anndata` (tested to be equal), built without
    anndata (a single-sample ``allstrat classify`` does not pay its import); also returns
    the per-sample harmonisation reports (for provenance).
    """
    from allstrat.io.gene_table import load_gene_table

    genes = genes or load_gene_table()
    ids, blocks, per_sample = _read_files(paths, fmt, genes, star_strandedness, min_mapped_fraction)
    var, counts, measured_by_block = _count_matrix(ids, blocks, per_sample, genes)
    x = counts.astype(float)
    for rows, tgt in measured_by_block:
        absent = np.setdiff1d(np.arange(len(var)), tgt)
        if len(absent):
            x[np.ix_(np.asarray(rows), absent)] = np.nan
    columns = pd.Index(var.astype(str), name="gene")
    frame = pd.DataFrame(x, index=pd.Index(ids, name="sample_id"), columns=columns)
    reports = {sid: to_plain(per_sample[sid]["report"], target="h5") for sid in ids}
    return frame, reports


def sample_column_sha256(counts: pd.DataFrame, cols: Sequence[str]) -> dict[str, str]:
    """Column -> sha256 of that sample's data in a file shared by several samples.

    The digest covers the file's gene IDs (in file order, each UTF-8 encoded and followed
    by a newline) and then the column's raw counts as little-endian int64: what the import
    read for this sample, independent of the other samples' columns (provenance
    ``scope: sample``).
    """
    base = hashlib.sha256("".join(f"{g}\n" for g in counts.index.astype(str)).encode())
    out: dict[str, str] = {}
    for col in dict.fromkeys(cols):
        h = base.copy()
        h.update(np.ascontiguousarray(counts[col].to_numpy(), dtype="<i8").tobytes())
        out[col] = h.hexdigest()
    return out


def sample_id_from_path(path: str | Path) -> str:
    """Sample ID of a single-sample count file: its file name up to the first ``.``."""
    name = Path(path).name
    return re.split(r"\.", name, maxsplit=1)[0] or name


# --------------------------------------------------------------------------------------
# rules, one function each


def _group_by_file(sheet_rows: pd.DataFrame) -> tuple[list[str], dict[tuple[str, str], list[str]]]:
    """Rule: samples are unique and name a file and format; group them by (file, format).

    A cohort file is then read once, only its needed columns.
    """
    if sheet_rows.empty:
        raise InputError("no samples selected")
    ids = [str(s) for s in sheet_rows["sample_id"]]
    if len(set(ids)) != len(ids):
        dup = pd.Index(ids)[pd.Index(ids).duplicated()][0]
        raise InputError("duplicate sample_id in the selected rows", sample=dup)
    groups: dict[tuple[str, str], list[str]] = {}
    for sid, path, fmt in zip(
        ids, sheet_rows["expression"], sheet_rows["expression_format"], strict=True
    ):
        if not path or not fmt:
            raise InputError("no expression file / expression_format given", sample=sid)
        groups.setdefault((str(path), str(fmt)), []).append(sid)
    return ids, groups


def _refuse_shared_single_file(path: str, fmt: str, sids: list[str]) -> None:
    """Rule: a single-sample file (htseq, STAR, salmon) belongs to one sample only.

    featureCounts may hold several BAM columns; :func:`_pick_column` chooses per sample.
    """
    if fmt not in MULTI_SAMPLE_FORMATS and len(sids) > 1 and fmt != "featurecounts":
        raise InputError(
            f"{len(sids)} samples ({', '.join(sids[:3])}) point to the same single-sample "
            f"{fmt} file; each sample needs its own file",
            path=path,
            sample=sids[1],
        )


def _pick_column(ef: ExpressionFile, sample_id: str) -> str:
    """Rule: the column of a sample -- its ID in a cohort file, the only column of a
    single-sample file, or the BAM column whose file name starts with the sample ID.
    """
    if ef.fmt in MULTI_SAMPLE_FORMATS:
        return sample_id
    cols = [str(c) for c in ef.counts.columns]
    if len(cols) == 1:
        return cols[0]
    stems = {c: Path(c).name for c in cols}
    hits = [
        c
        for c, name in stems.items()
        if name == sample_id or re.match(re.escape(sample_id) + r"[._-]", name)
    ]
    if len(hits) == 1:
        return hits[0]
    what = "several" if hits else "no"
    raise InputError(
        f"{what} sample columns match sample_id (columns: {', '.join(cols[:5])}); with several "
        "BAM columns the BAM file name must start with the sample_id",
        path=ef.path,
        sample=sample_id,
    )


def _check_conflicts(ef: ExpressionFile, keys: np.ndarray, sample_hint: str) -> None:
    """Rule: refuse files where one gene is reached both by an Ensembl ID and a symbol row."""
    ids = ef.counts.index.to_numpy()
    pos = np.flatnonzero(keys != "")
    # only genes reached by several rows can conflict: look at those few rows, not all 20k
    pos = pos[pd.Index(keys[pos]).duplicated(keep=False)]
    if not len(pos):
        return
    frame = pd.DataFrame({"key": keys[pos], "id": ids[pos], "pos": pos})
    frame["ens"] = frame["id"].str.match(ENSEMBL_GENE.pattern)
    kinds = frame.groupby("key")["ens"].nunique()
    bad = kinds[kinds > 1]
    if len(bad):
        gene = bad.index[0]
        rows = frame[frame["key"] == gene]
        lines = [int(ef.lines[p]) for p in rows["pos"]] if ef.lines.any() else []
        raise InputError(
            f"gene {gene} is given twice under different IDs ({', '.join(rows['id'])}"
            f"{'; lines ' + ', '.join(map(str, lines)) if lines else ''}); use one gene ID "
            "type per file",
            path=ef.path,
            line=lines[-1] if lines else None,
            sample=sample_hint or None,
        )


def _check_mapped_fraction(
    rep: HarmonisationReport, path: str, sample: str, min_mapped_fraction: float
) -> float:
    """Rule: refuse a file mapping fewer than ``min_mapped_fraction`` of its gene rows.

    Returns the mapped fraction (counter rows excluded).
    """
    gene_rows = rep.n_input - rep.n_non_gene
    frac = rep.n_mapped / gene_rows if gene_rows else 0.0
    if frac < min_mapped_fraction:
        seen = rep.wrong_species_or_level or rep.unmapped_examples
        raise InputError(
            f"only {rep.n_mapped} of {gene_rows} gene IDs ({frac:.1%}) map to human "
            f"genes of the bundled GRCh38 table (minimum {min_mapped_fraction:.0%}, "
            f"expression.min_mapped_fraction); unmapped IDs look like "
            f"{', '.join(seen[:4])}. Expected human Ensembl gene IDs (ENSG) or HGNC "
            "symbols (not transcript, mouse or probe IDs)",
            path=path,
            sample=sample,
        )
    return frac


def _harmonise_file(  # noqa: PLR0917 - private step of the cohort assembly, called once
    ef: ExpressionFile,
    sids: list[str],
    cols: list[str],
    genes: GeneTable,
    per_sample: dict[str, dict],
    min_mapped_fraction: float,
    *,
    shared: bool = False,
) -> _Block:
    """Map one file's gene IDs, apply the per-file rules, record each sample's provenance.

    ``shared``: the file holds several samples' counts; each sample then also gets
    ``expression_sample_sha256`` (:func:`sample_column_sha256`), else ``""``.
    """
    from allstrat.provenance import sha256_file

    keys, rep = harmonise_ids(list(ef.counts.index), genes)
    if rep.n_collapsed:  # a conflict needs two rows reaching one gene
        _check_conflicts(ef, keys, sids[0] if len(sids) == 1 else "")
    frac = _check_mapped_fraction(rep, ef.path, sids[0], min_mapped_fraction)
    sha = sha256_file(ef.path)
    rep_d = rep.as_dict()
    column_sha = sample_column_sha256(ef.counts, cols) if shared else dict.fromkeys(cols, "")
    for sid, col in zip(sids, cols, strict=True):
        per_sample[sid] = {
            "expression_format": ef.fmt,
            "expression_file": ef.path,
            "expression_sha256": sha,
            "expression_sample_sha256": column_sha[col],
            "expression_column": col,
            "id_type": rep.id_type,
            "n_ids_input": rep.n_input,
            "n_ids_mapped": rep.n_mapped,
            "n_ids_unmapped": rep.n_unmapped + rep.n_ambiguous,
            "n_ids_non_gene": rep.n_non_gene,
            "mapped_fraction": round(frac, 6),
            "report": rep_d,
            "notes": _notes_for(ef.notes, col),
        }
    logger.info(
        "%s (%s): %d samples, %d/%d IDs mapped (%s)",
        ef.path,
        ef.fmt,
        len(sids),
        rep.n_mapped,
        rep.n_input - rep.n_non_gene,
        rep.id_type,
    )
    return _Block(keys, ef.counts, sids, cols)


def _fill_counts(
    counts: np.ndarray, block: _Block, var: pd.Index, row_of: dict[str, int], path: str
) -> np.ndarray:
    """Rule: rows reaching one gene are summed, unmapped rows dropped.

    The same result as :func:`allstrat.harmonise.harmonise_counts`, written straight into
    the int32 matrix one sample at a time, so a cohort file is never copied whole. Returns
    the target gene positions of the file (for :func:`_not_measured`).
    """
    n_var = len(var)
    keep = np.flatnonzero(block.keys != "")
    tgt = var.get_indexer(block.keys[keep])
    collapsed = len(np.unique(tgt)) < len(tgt)
    values = block.frame.to_numpy()
    col_pos = block.frame.columns.get_indexer(block.cols)
    for sid, j in zip(block.sids, col_pos, strict=True):
        v = values[keep, j]
        if collapsed:
            v = np.bincount(tgt, weights=v, minlength=n_var)  # float64: exact < 2^53
            tgt_j = np.arange(n_var)
        else:
            tgt_j = tgt
        if (v > INT32_MAX).any():
            raise InputError("a harmonised gene count exceeds 2^31-1", sample=sid, path=path)
        counts[row_of[sid], tgt_j] = v
    return tgt


def _not_measured(
    measured_by_block: list[tuple[list[int], np.ndarray]], shape: tuple[int, int]
) -> sp.csr_matrix:
    """Rule: a gene absent from a sample's file is "not measured", never zero reads."""
    import scipy.sparse as sp

    n_var = shape[1]
    nm_rows: list[np.ndarray] = []
    nm_cols: list[np.ndarray] = []
    for rows, tgt in measured_by_block:
        absent = np.setdiff1d(np.arange(n_var), tgt)
        nm_rows.append(np.repeat(np.array(rows), len(absent)))
        nm_cols.append(np.tile(absent, len(rows)))
    r = np.concatenate(nm_rows) if nm_rows else np.array([], int)
    c = np.concatenate(nm_cols) if nm_cols else np.array([], int)
    return sp.csr_matrix((np.ones(len(r), dtype=bool), (r, c)), shape=shape, dtype=bool)


def _obs_frame(
    ids: list[str], counts: np.ndarray, not_measured: sp.csr_matrix, per_sample: dict[str, dict]
) -> pd.DataFrame:
    """Per-sample QC summary and file provenance (the ``obs`` of the chunk)."""
    measured = counts.shape[1] - np.diff(not_measured.indptr)
    lib = counts.sum(axis=1, dtype=np.int64)
    detected = (counts > 0).sum(axis=1)
    records = [
        {
            "library_size": int(lib[i]),
            "n_genes_detected": int(detected[i]),
            "n_genes_measured": int(measured[i]),
            **{k: v for k, v in per_sample[sid].items() if k not in ("report", "notes")},
        }
        for i, sid in enumerate(ids)
    ]
    obs = pd.DataFrame(records, index=pd.Index(ids, name="sample_id"))
    for col in _CATEGORICAL_OBS:
        obs[col] = obs[col].astype("category")
    return obs


def _assemble(
    ids: list[str],
    blocks: list[_Block],
    per_sample: dict[str, dict],
    genes: GeneTable,
    params: dict[str, Any],
    *,
    t0: float,
):
    """Build the chunk AnnData from the harmonised blocks (layout: read_expression_cohort)."""
    import anndata as ad

    var, counts, measured_by_block = _count_matrix(ids, blocks, per_sample, genes)
    not_measured = _not_measured(measured_by_block, counts.shape)
    var_df = pd.DataFrame(index=pd.Index(var, name="gene"))
    var_df["n_samples_measured"] = (len(ids) - np.asarray(not_measured.sum(axis=0)).ravel()).astype(
        "int64"
    )
    adata = ad.AnnData(
        X=None,
        obs=_obs_frame(ids, counts, not_measured, per_sample),
        var=var_df,
        layers={"counts": counts, "not_measured": not_measured},
    )
    parameters = {
        "star_strandedness": params["star_strandedness"],
        "min_mapped_fraction": float(params["min_mapped_fraction"]),
    }
    files = {(r["expression_file"], r["expression_sha256"]) for r in per_sample.values()}
    prov = build_provenance(
        stage="import_expression",
        inputs=[
            resource_record(GENE_TABLE, role="gene_table", sha256=genes.sha256),
            *({"path": f, "role": "expression", "sha256": h} for f, h in sorted(files)),
        ],
        settings=parameters,
    )
    adata.uns["allstrat"] = {
        **h5ad_provenance(prov),
        "gene_table_sha256": genes.sha256,
        "gene_table_source": genes.source,
        "parameters": parameters,
        "harmonisation": {sid: to_plain(per_sample[sid]["report"], target="h5") for sid in ids},
        "file_notes": {sid: to_plain(per_sample[sid]["notes"], target="h5") for sid in ids},
    }
    logger.info(
        "expression cohort: %d samples x %d genes from %d file(s) in %.1f s",
        len(ids),
        len(var),
        len(blocks),
        time.perf_counter() - t0,
    )
    return adata


def _count_matrix(
    ids: list[str], blocks: list[_Block], per_sample: dict[str, dict], genes: GeneTable
) -> tuple[pd.Index, np.ndarray, list[tuple[list[int], np.ndarray]]]:
    """The genes (union over files, gene-table order), the int32 samples x genes counts and
    per file (its sample rows, the gene positions it measured).
    """
    universe: set[str] = set()
    for block in blocks:
        universe.update(block.keys.tolist())
    universe.discard("")
    var = pd.Index(genes.symbols[genes.symbols.isin(universe)])
    row_of = {sid: i for i, sid in enumerate(ids)}
    counts = np.zeros((len(ids), len(var)), dtype=np.int32)
    measured_by_block = []
    for block in blocks:  # one block per input file
        path = per_sample[block.sids[0]]["expression_file"]
        tgt = _fill_counts(counts, block, var, row_of, path)
        measured_by_block.append(([row_of[s] for s in block.sids], tgt))
    return var, counts, measured_by_block


def _notes_for(notes: dict[str, object], col: str) -> dict[str, object]:
    """Per-sample view of a file's notes (counter rows of this sample's column only)."""
    out = dict(notes)
    nc = out.get("non_gene_counts")
    if isinstance(nc, dict) and nc and all(isinstance(v, dict) for v in nc.values()):
        out["non_gene_counts"] = nc.get(col, {})
    return out
