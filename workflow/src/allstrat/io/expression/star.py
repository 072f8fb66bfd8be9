"""STAR ``ReadsPerGene.out.tab``: gene ID, unstranded count, count for reads whose read 1
maps to the gene's strand (htseq ``-s yes``), count for the reverse (htseq ``-s reverse``),
preceded by ``N_unmapped``, ``N_multimapping``, ``N_noFeature`` and ``N_ambiguous``. Which
column is used is chosen by ``star_strandedness`` (see :func:`choose_star_column`) and
recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.errors import InputError
from allstrat.io.expression._common import (
    STAR_COUNTERS,
    ExpressionFile,
    _check_file,
    _drop_trailing_blank,
    _first_field_count,
    _head,
    _read_csv,
    _validate_counts,
    _validate_ids,
)

logger = logging.getLogger(__name__)


def choose_star_column(
    genes_counts: pd.DataFrame,
    counters: pd.DataFrame,
    *,
    strandedness: str = "auto",
    min_stranded_fraction: float = 0.8,
    max_unstranded_fraction: float = 0.6,
) -> tuple[str, str]:
    """Choose the count column of a STAR ``ReadsPerGene.out.tab``.

    Parameters
    ----------
    genes_counts : pandas.DataFrame
        Gene rows with columns ``unstranded``, ``yes`` (column 3: read 1 on the gene's
        strand) and ``reverse`` (column 4).
    counters : pandas.DataFrame
        The ``N_*`` rows with the same columns.
    strandedness : {"auto", "unstranded", "yes", "reverse"}
        ``auto`` infers it the way practitioners read this file: in a stranded library
        nearly all gene-assigned reads fall in one of columns 3 / 4 and the other column's
        ``N_noFeature`` is inflated; in an unstranded library columns 3 and 4 receive
        about half each.
    min_stranded_fraction : float
        Call stranded when one strand column holds at least this fraction of the reads
        assigned in columns 3 + 4 (default 0.8; RSeQC ``infer_experiment`` users
        conventionally take ≥ 0.8 of reads on one strand as stranded).
    max_unstranded_fraction : float
        Call unstranded when the larger column holds at most this fraction (default 0.6).
        In between, the library is ambiguous: the unstranded column is used (it counts
        reads on both strands, so no gene loses reads) and the reason says so.

    Returns
    -------
    (column, reason) : tuple of str
        ``column`` is ``"unstranded"``, ``"yes"`` or ``"reverse"``.
    """
    if strandedness != "auto":
        if strandedness not in ("unstranded", "yes", "reverse"):
            msg = f"star_strandedness must be auto|unstranded|yes|reverse, not {strandedness!r}"
            raise ValueError(msg)
        return strandedness, "set by configuration (expression.star_strandedness)"
    s_yes = float(genes_counts["yes"].sum())
    s_rev = float(genes_counts["reverse"].sum())
    total = s_yes + s_rev
    nf = counters.loc["N_noFeature"] if "N_noFeature" in counters.index else None
    nf_txt = (
        ""
        if nf is None
        else f"; N_noFeature unstranded/col3/col4 = {int(nf['unstranded'])}/"
        f"{int(nf['yes'])}/{int(nf['reverse'])}"
    )
    if total == 0:
        return "unstranded", "no reads assigned to genes in columns 3/4; using column 2" + nf_txt
    frac_yes = s_yes / total
    big = max(frac_yes, 1 - frac_yes)
    detail = f"column 3 holds {frac_yes:.3f} of the reads assigned in columns 3+4{nf_txt}"
    if big >= min_stranded_fraction:
        col = "yes" if frac_yes > 0.5 else "reverse"
        n = 3 if col == "yes" else 4
        return col, f"stranded library detected ({detail}); using column {n} ({col})"
    if big <= max_unstranded_fraction:
        return "unstranded", f"unstranded library detected ({detail}); using column 2"
    return "unstranded", (
        f"strandedness ambiguous ({detail}); using column 2 (unstranded). Set "
        "expression.star_strandedness to override"
    )


def read_star(
    path: str | Path,
    *,
    samples: Sequence[str] | None = None,
    star_strandedness: str = "auto",
) -> ExpressionFile:
    """Read STAR ``--quantMode GeneCounts`` output (``ReadsPerGene.out.tab``).

    The chosen column (see :func:`choose_star_column`) becomes the single ``"count"``
    column; ``notes`` records ``star_column`` and ``star_column_reason`` and the ``N_*``
    counters of the chosen column.
    """
    p = _check_file(path)
    head = _head(p, 5)
    n_fields = _first_field_count(head, "\t")
    if n_fields != 4:
        raise InputError(
            f"STAR ReadsPerGene.out.tab must have 4 tab-separated columns (gene ID, "
            f"unstranded, forward, reverse); line 1 has {n_fields}",
            path=p,
            line=1,
        )
    cols = ["gene_id", "unstranded", "yes", "reverse"]
    df = _read_csv(p, sep="\t", header=None, names=cols, dtype={"gene_id": str}, low_memory=False)
    df = _drop_trailing_blank(df)
    lines = np.arange(len(df)) + 1
    ids = _validate_ids(df["gene_id"], lines, p)
    counts = _validate_counts(df[cols[1:]], lines, p)
    counts.index = ids
    is_counter = counts.index.isin(list(STAR_COUNTERS))
    counters = counts.loc[is_counter]
    gene_counts = counts.loc[~is_counter]
    if gene_counts.empty:
        raise InputError("STAR ReadsPerGene file has no gene rows", path=p)
    if not is_counter.any():
        logger.warning("%s: no N_unmapped/N_noFeature rows; is this really STAR output?", p)
    try:
        col, reason = choose_star_column(gene_counts, counters, strandedness=star_strandedness)
    except ValueError as exc:
        raise InputError(str(exc), path=p) from None
    logger.info("%s: %s", p, reason)
    notes: dict[str, object] = {
        "star_column": col,
        "star_column_reason": reason,
        "non_gene_counts": {str(k): int(v) for k, v in counters[col].items()},
    }
    return ExpressionFile(
        str(path),
        "star",
        gene_counts[[col]].set_axis(["count"], axis=1),
        lines[~is_counter],
        notes,
    )
