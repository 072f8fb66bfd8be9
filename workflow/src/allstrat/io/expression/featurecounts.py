"""featureCounts output: an optional ``# Program:featureCounts ...`` comment line, then
the header ``Geneid Chr Start End Strand Length <bam> [<bam> ...]``. Each sample column is
named by its BAM path; with several columns the one whose file name starts with the
``sample_id`` (followed by ``.``, ``_``, ``-`` or nothing) is used (cohort assembly).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from allstrat.errors import InputError
from allstrat.io.expression._common import (
    FEATURECOUNTS_HEADER,
    ExpressionFile,
    _check_duplicate_columns,
    _check_file,
    _drop_trailing_blank,
    _head,
    _read_csv,
    _validate_counts,
    _validate_ids,
)


def read_featurecounts(path: str | Path, *, samples: Sequence[str] | None = None) -> ExpressionFile:
    """Read a featureCounts table (``-o counts.txt``), one or several BAM columns.

    Parameters
    ----------
    path : str or Path
        featureCounts main output (not the ``.summary`` file).
    samples : sequence of str, optional
        Unused (all BAM columns are read; selection happens by sample ID later).

    Returns
    -------
    ExpressionFile
        ``counts`` columns are the BAM paths of the header.
    """
    p = _check_file(path)
    head = _head(p)
    n_comment = 0
    while n_comment < len(head) and head[n_comment].startswith("#"):
        n_comment += 1
    if n_comment >= len(head):
        raise InputError("featureCounts file has no header line", path=p)
    header = head[n_comment].split("\t")
    if header[0] == "Status":
        raise InputError(
            "this is a featureCounts .summary file; give the main counts file instead",
            path=p,
            line=n_comment + 1,
        )
    if tuple(header[:6]) != FEATURECOUNTS_HEADER or len(header) < 7:
        raise InputError(
            f"not a featureCounts table: header starts {header[:7]!r}; expected "
            f"{' '.join(FEATURECOUNTS_HEADER)} <bam> [<bam> ...] (tab-separated)",
            path=p,
            line=n_comment + 1,
        )
    _check_duplicate_columns(header[6:], p, n_comment + 1)
    df = _read_csv(
        p, sep="\t", skiprows=n_comment, header=0, dtype={"Geneid": str}, low_memory=False
    )
    df = _drop_trailing_blank(df)
    if df.empty:
        raise InputError("featureCounts file has no gene rows", path=p)
    lines = np.arange(len(df)) + n_comment + 2
    ids = _validate_ids(df["Geneid"], lines, p)
    counts = _validate_counts(df.iloc[:, 6:], lines, p)
    counts.index = ids
    notes: dict[str, object] = {}
    if n_comment:
        notes["program"] = head[0].lstrip("# ").strip()[:300]
    return ExpressionFile(str(path), "featurecounts", counts, lines, notes)
