"""htseq-count output: two tab-separated columns, no header. The ``__no_feature``,
``__ambiguous``, ``__too_low_aQual``, ``__not_aligned`` and ``__alignment_not_unique``
counters are recorded in the provenance and ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from allstrat.errors import InputError
from allstrat.io.expression._common import (
    HTSEQ_COUNTERS,
    ExpressionFile,
    _check_file,
    _drop_trailing_blank,
    _first_field_count,
    _head,
    _read_csv,
    _split_non_gene,
    _validate_counts,
    _validate_ids,
)


def read_htseq(path: str | Path, *, samples: Sequence[str] | None = None) -> ExpressionFile:
    """Read htseq-count output (gene ID, count; no header).

    The ``__``-prefixed counter rows are removed and kept in ``notes["non_gene_counts"]``.
    The single count column is named ``"count"``.
    """
    p = _check_file(path)
    head = _head(p, 5)
    n_fields = _first_field_count(head, "\t")
    if n_fields != 2:
        hint = " (space- or comma-separated?)" if n_fields == 1 else ""
        raise InputError(
            f"htseq-count output must have 2 tab-separated columns (gene ID, count); line 1 "
            f"has {n_fields}{hint}. Multi-BAM htseq-count tables: give one file per sample "
            "or use expression_format 'matrix' with a header",
            path=p,
            line=1,
        )
    df = _read_csv(
        p,
        sep="\t",
        header=None,
        names=["gene_id", "count"],
        dtype={"gene_id": str},
        low_memory=False,
    )
    df = _drop_trailing_blank(df)
    lines = np.arange(len(df)) + 1
    ids = _validate_ids(df["gene_id"], lines, p)
    counts = _validate_counts(df[["count"]], lines, p)
    counts.index = ids
    counts, lines, counters = _split_non_gene(counts, lines, HTSEQ_COUNTERS)
    if counts.empty:
        raise InputError("htseq-count file has no gene rows", path=p)
    return ExpressionFile(str(path), "htseq", counts, lines, {"non_gene_counts": counters["count"]})
