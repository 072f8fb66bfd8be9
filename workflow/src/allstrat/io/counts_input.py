"""The counts a classify run reads: the workflow's expression chunk, or count files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from allstrat.errors import InputError

__all__ = ["CountsInput", "read_counts_input"]


@dataclass
class CountsInput:
    """Samples x canonical genes counts (NaN = not measured) and where they came from.

    ``upstream``: the import stage's provenance (chunk mode); ``harmonisation``: the
    gene-ID report of count files (file mode); ``files``: (path, provenance role).
    """

    counts: pd.DataFrame
    upstream: dict[str, Any] = field(default_factory=dict)
    harmonisation: dict[str, Any] = field(default_factory=dict)
    files: list[tuple[str, str]] = field(default_factory=list)


def read_counts_input(
    *,
    expression: str | Path | None = None,
    counts: Sequence[str | Path] = (),
    fmt: str = "matrix",
    samples: Sequence[str] | None = None,
) -> CountsInput:
    """Read an expression chunk h5ad, or count files of format ``fmt`` (one of the two).

    ``samples``: keep these, in this order (each must be present). No sample left is an
    :class:`~allstrat.errors.InputError`.
    """
    if expression:
        from allstrat.io.chunk import read_expression_chunk

        chunk = read_expression_chunk(expression, samples=samples)
        if chunk.counts is None:  # pragma: no cover - read with counts=True
            raise InputError("expression chunk holds no counts", path=expression)
        out = CountsInput(chunk.counts, upstream=chunk.meta)
        out.files = [(str(expression), "expression_h5ad")]
    else:
        from allstrat.io.cohort import read_count_files

        matrix, harmonisation = read_count_files(list(counts), fmt)
        if samples is not None:
            missing = [s for s in samples if s not in matrix.index]
            if missing:
                raise InputError(f"samples {missing[:5]} of the sheet are not in --counts")
            matrix = matrix.loc[list(samples)]
        out = CountsInput(matrix, harmonisation=harmonisation)
        out.files = [(str(c), "counts") for c in counts]
    if out.counts.empty:
        raise InputError("no samples to classify")
    return out
