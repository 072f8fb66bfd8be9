"""Inputs of ``allstrat train``: the labels table and the labelled cohort's counts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from allstrat.errors import InputError
from allstrat.io.samples import read_sample_sheet, read_table_str

__all__ = ["read_labels", "read_training_counts"]


def read_labels(
    path: str | Path, column: str = "subtype", *, allow_empty: bool = False
) -> pd.Series:
    """Read ``sample_id`` and the label ``column`` from a labels TSV (other columns ignored).

    ``allow_empty``: empty labels are kept (as ``""``) instead of refused; the T-ALL panel
    uses it to leave out the B-lineage rows of a mixed truth table.

    Returns
    -------
    pandas.Series
        Label per sample id, named ``subtype``.
    """
    df = read_table_str(path, what="labels table")
    for col in ("sample_id", column):
        if col not in df.columns:
            raise InputError(f"labels table lacks column {col!r}", path=path, line=1)
    empty = df.index[df[column] == ""]
    if len(empty) and not allow_empty:
        raise InputError(
            f"empty {column} label",
            path=path,
            line=int(empty[0]) + 2,
            sample=df["sample_id"][empty[0]],
        )
    dup = df.index[df["sample_id"].duplicated()]
    if len(dup):
        raise InputError(
            "duplicate sample_id", path=path, line=int(dup[0]) + 2, sample=df["sample_id"][dup[0]]
        )
    return df.set_index("sample_id")[column].rename("subtype")


def read_training_counts(
    *, sheet: str | Path | None = None, counts: str | Path | None = None
) -> pd.DataFrame:
    """Samples x canonical genes counts (NaN = not measured) of a sample sheet or a matrix.

    Exactly one of ``sheet`` (expression files in any supported format, read like the
    workflow's import stage) and ``counts`` (one genes x samples matrix) is given.
    """
    from allstrat.io.chunk import counts_from_anndata
    from allstrat.io.cohort import read_count_files, read_expression_cohort
    from allstrat.io.gene_table import load_gene_table

    if (sheet is None) == (counts is None):
        raise InputError("give either a sample sheet or a count matrix of the labelled cohort")
    genes = load_gene_table()
    if sheet is None:
        return read_count_files([str(counts)], "matrix", genes)[0]
    rows = read_sample_sheet(sheet)
    return counts_from_anndata(read_expression_cohort(rows.assign(sample_id=rows.index), genes))
