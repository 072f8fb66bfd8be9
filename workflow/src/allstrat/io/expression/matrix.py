"""Genes x samples cohort matrix, TSV / CSV / semicolon-separated (detected from the
header), optionally gzip-compressed. The first column holds gene IDs; annotation columns
named in :data:`ANNOTATION_COLUMNS` are ignored; every other column is a sample. Only the
columns of the requested samples are parsed.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.errors import InputError
from allstrat.harmonise import harmonise_ids
from allstrat.io.expression._common import (
    HTSEQ_COUNTERS,
    INT32_MAX,
    STAR_COUNTERS,
    ExpressionFile,
    _check_duplicate_columns,
    _check_file,
    _drop_trailing_blank,
    _head,
    _read_csv,
    _split_non_gene,
    _validate_counts,
    _validate_ids,
)

#: Cohort-matrix columns that describe genes rather than hold a sample's counts.
ANNOTATION_COLUMNS = frozenset(
    {
        "gene_name",
        "gene_symbol",
        "symbol",
        "gene_type",
        "gene_biotype",
        "biotype",
        "description",
        "Description",
        "length",
        "Length",
        "chr",
        "chrom",
        "Chr",
    }
)


def _sniff_delimiter(header: str, path: Path) -> str:
    counts = {d: header.count(d) for d in ("\t", ",", ";")}
    sep, n = max(counts.items(), key=lambda kv: kv[1])
    if n == 0:
        raise InputError(
            "cannot find the delimiter of the header line; expected a tab-, comma- or "
            "semicolon-separated genes x samples matrix with a gene ID column",
            path=path,
            line=1,
        )
    return sep


def read_matrix(path: str | Path, *, samples: Sequence[str] | None = None) -> ExpressionFile:
    """Read a genes x samples count matrix (TSV / CSV, ``.gz`` allowed).

    Parameters
    ----------
    path : str or Path
        The matrix; first column gene IDs, header row of sample names.
    samples : sequence of str, optional
        Parse only these sample columns (each must exist). Default: all sample columns.

    Returns
    -------
    ExpressionFile
    """
    p = _check_file(path)
    head = _head(p, 20)
    sep = _sniff_delimiter(head[0], p)
    header = [h.strip().strip('"') for h in head[0].split(sep)]
    notes: dict[str, object] = {"delimiter": {"\t": "tab", ",": "comma", ";": "semicolon"}[sep]}
    first_row = next((r for r in head[1:] if r.strip()), "")
    if first_row and len(first_row.split(sep)) == len(header) + 1:
        # R write.table(col.names = TRUE): the header has no field for the row names
        header = ["", *header]
        notes["header"] = "no gene ID column name (R write.table style); first column = gene IDs"
    if len(header) < 2:
        raise InputError("matrix needs a gene ID column and at least one sample", path=p, line=1)
    id_col = header[0] or "gene_id"
    header[0] = id_col
    sample_cols = [h for h in header[1:] if h not in ANNOTATION_COLUMNS]
    _check_duplicate_columns(sample_cols, p, 1)
    if not sample_cols:
        raise InputError("matrix has no sample columns", path=p, line=1)
    _refuse_transposed(header[1:], head[1:], sep, p)
    if samples is not None:
        missing = [s for s in samples if s not in sample_cols]
        if missing:
            raise InputError(
                f"sample(s) {missing[:5]} not among the matrix columns "
                f"({', '.join(sample_cols[:5])}{', ...' if len(sample_cols) > 5 else ''}); "
                "the column names must equal the sample sheet's sample_id",
                path=p,
                line=1,
                sample=missing[0],
            )
        use = list(dict.fromkeys(samples))
    else:
        use = sample_cols
    kwargs = {
        "sep": sep,
        "header": 0,
        "names": header,
        "usecols": [id_col, *use],
        "skip_blank_lines": False,
    }
    fast = _read_matrix_fast(p, kwargs, id_col, use)
    if fast is not None:
        ids, values = fast
        counts = pd.DataFrame(values, index=ids, columns=use)
        if counts.empty:
            raise InputError("matrix has no gene rows", path=p)
        lines = np.arange(len(counts)) + 2
        _check_last_row(p, sep, len(header), int(lines[-1]))
        counts, lines, counters = _split_non_gene(counts, lines, (*HTSEQ_COUNTERS, *STAR_COUNTERS))
        return _matrix_result(path, counts, lines, counters, header, notes)
    # slow path: re-read as text so that the first bad cell / row is named by line
    df = _read_csv(
        p,
        sep=sep,
        header=0,
        names=header,
        usecols=[id_col, *use],
        dtype={id_col: str},
        low_memory=False,
    )
    df = _drop_trailing_blank(df)
    if df.empty:
        raise InputError("matrix has no gene rows", path=p)
    lines = np.arange(len(df)) + 2
    _check_last_row(p, sep, len(header), int(lines[-1]))
    ids = _validate_ids(df.iloc[:, 0], lines, p)
    counts = _validate_counts(df[use], lines, p)
    counts.index = ids
    counts, lines, counters = _split_non_gene(counts, lines, (*HTSEQ_COUNTERS, *STAR_COUNTERS))
    return _matrix_result(path, counts, lines, counters, header, notes)


def _matrix_result(  # noqa: PLR0917 - private constructor, called once per matrix reader
    path: str | Path,
    counts: pd.DataFrame,
    lines: np.ndarray,
    counters: dict[str, dict[str, int]],
    header: list[str],
    notes: dict[str, object],
) -> ExpressionFile:
    ignored = [h for h in header[1:] if h in ANNOTATION_COLUMNS]
    if ignored:
        notes["ignored_columns"] = ignored
    if any(counters.values()):
        notes["non_gene_counts"] = counters
    return ExpressionFile(str(path), "matrix", counts, lines, notes)


def _read_matrix_fast(
    p: Path, kwargs: dict, id_col: str, use: list[str], *, chunk_rows: int = 4000
) -> tuple[pd.Index, np.ndarray] | None:
    """Parse a clean matrix in row chunks straight to int32 (memory ~4 bytes per value).

    Returns None at the first anomaly (non-numeric, missing, negative or non-integer
    value, missing / duplicate ID, blank line, ragged row); the caller then re-reads the
    file on the exact path that names the offending line.
    """
    ids: list[np.ndarray] = []
    blocks: list[np.ndarray] = []
    try:
        reader = pd.read_csv(
            p,
            dtype={id_col: str, **dict.fromkeys(use, "float64")},
            chunksize=chunk_rows,
            **kwargs,
        )
        with reader:
            for chunk in reader:
                gid = chunk[id_col].to_numpy(dtype=object)
                vals = chunk[use].to_numpy(dtype="float64")
                if (
                    pd.isna(gid).any()
                    or np.isnan(vals).any()
                    or (vals < 0).any()
                    or (vals > INT32_MAX).any()
                    or (vals != np.floor(vals)).any()
                ):
                    return None
                ids.append(gid)
                blocks.append(vals.astype(np.int32))
    except (ValueError, EOFError, OSError, zlib.error, UnicodeDecodeError):
        return None
    if not blocks:
        return None
    index = pd.Index([str(v).strip() for v in np.concatenate(ids)])
    if index.has_duplicates or (index == "").any():
        return None
    values = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
    return index, values


def _check_last_row(path: Path, sep: str, n_fields: int, line: int) -> None:
    """Refuse a matrix whose last row is short (a file cut off while being written).

    Only the requested sample columns are parsed, so a cut in a later column would
    otherwise pass silently. Gzip files are skipped: their checksum already catches a cut.
    """
    if path.suffix == ".gz":
        return
    with path.open("rb") as fh:
        fh.seek(0, 2)
        fh.seek(max(0, fh.tell() - 65536))
        tail = fh.read().decode("utf-8", errors="replace").rstrip("\r\n ")
    last = tail.rsplit("\n", 1)[-1].rstrip("\r")
    found = len(last.split(sep))
    if found < n_fields:
        raise InputError(
            f"last row has {found} of the header's {n_fields} fields: the file looks "
            "truncated (cut off while being written or copied)",
            path=path,
            line=line,
        )


def _refuse_transposed(names: Sequence[str], rows: Sequence[str], sep: str, path: Path) -> None:
    """Refuse a samples x genes matrix (gene IDs in the header, samples in column 1)."""
    from allstrat.io.gene_table import load_gene_table

    if len(names) < 5:
        return
    genes = load_gene_table()
    keys, _ = harmonise_ids(list(names[:200]), genes)
    frac_header = float(np.mean(keys != ""))
    first = [r.split(sep)[0].strip().strip('"') for r in rows if r.strip()]
    keys_rows, _ = harmonise_ids(first, genes) if first else (np.array([]), None)
    frac_rows = float(np.mean(keys_rows != "")) if len(first) else 0.0
    if frac_header >= 0.5 and frac_rows < 0.5:
        raise InputError(
            f"the header holds gene IDs ({', '.join(names[:3])}, ...) and the first column "
            f"does not ({', '.join(first[:3])}, ...): this looks like a samples x genes matrix. "
            "Expected genes as rows and samples as columns; transpose it",
            path=path,
            line=1,
        )
