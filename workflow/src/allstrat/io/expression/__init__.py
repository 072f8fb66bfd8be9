"""Expression readers, one module per format (as CNVkit's ``skgenome.tabio``).

One dispatch table, :data:`READERS`, keyed by the sample sheet's ``expression_format``:

``featurecounts``
    featureCounts output: an optional ``# Program:featureCounts ...`` comment line, then
    the header ``Geneid Chr Start End Strand Length <bam> [<bam> ...]``. Each sample column
    is named by its BAM path; with several columns the one whose file name starts with the
    ``sample_id`` (followed by ``.``, ``_``, ``-`` or nothing) is used.
``htseq``
    htseq-count output: two tab-separated columns, no header. The ``__no_feature``,
    ``__ambiguous``, ``__too_low_aQual``, ``__not_aligned`` and
    ``__alignment_not_unique`` counters are recorded in the provenance and ignored.
``star``
    STAR ``ReadsPerGene.out.tab``: gene ID, unstranded count, count for reads whose read 1
    maps to the gene's strand (htseq ``-s yes``), count for the reverse (htseq
    ``-s reverse``), preceded by ``N_unmapped``, ``N_multimapping``, ``N_noFeature`` and
    ``N_ambiguous``. Which column is used is chosen by ``star_strandedness`` (see
    :func:`choose_star_column`) and recorded.
``salmon``
    salmon ``quant.genes.sf`` (gene level; ``NumReads`` are estimated counts, rounded to
    integers). A transcript-level ``quant.sf`` is aggregated to genes only when its names
    carry the gene (GENCODE ``ENST|ENSG|...|symbol|...`` headers, salmon run without
    ``--gencode``); plain ``ENST`` names are refused with a message pointing to
    ``quant.genes.sf`` / tximport.
``matrix``
    genes x samples cohort matrix, TSV / CSV / semicolon-separated (detected from the
    header), optionally gzip-compressed. The first column holds gene IDs; annotation
    columns named in :data:`ANNOTATION_COLUMNS` are ignored; every other column is a
    sample. Only the columns of the requested samples are parsed.
``h5ad``
    AnnData with ``obs`` = samples and ``var`` = genes; counts in ``layers["counts"]``,
    else ``X``. Only the requested samples are loaded.

Counts must be non-negative integers (salmon: non-negative estimated counts). Every
malformed input raises :class:`~allstrat.errors.InputError` naming the file and the line
(1-based, as an editor shows it) or the sample.

Each format lives in its own module of this package (``featurecounts``, ``htseq``,
``star``, ``salmon``, ``matrix``, ``h5ad``); this module holds the dispatch. Cohort
assembly (gene-ID harmonisation, the chunk AnnData, "not measured" vs zero) is
:mod:`allstrat.io.cohort`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from allstrat.errors import InputError
from allstrat.io.expression._common import (
    HTSEQ_COUNTERS,
    STAR_COUNTERS,
    ExpressionFile,
)
from allstrat.io.expression.featurecounts import read_featurecounts
from allstrat.io.expression.h5ad import read_h5ad
from allstrat.io.expression.htseq import read_htseq
from allstrat.io.expression.matrix import ANNOTATION_COLUMNS, read_matrix
from allstrat.io.expression.salmon import read_salmon
from allstrat.io.expression.star import choose_star_column, read_star

__all__ = [
    "ANNOTATION_COLUMNS",
    "HTSEQ_COUNTERS",
    "MULTI_SAMPLE_FORMATS",
    "READERS",
    "SINGLE_SAMPLE_FORMATS",
    "STAR_COUNTERS",
    "ExpressionFile",
    "choose_star_column",
    "read_expression_file",
    "read_featurecounts",
    "read_h5ad",
    "read_htseq",
    "read_matrix",
    "read_salmon",
    "read_star",
]

#: Format name (sample sheet ``expression_format``) -> reader.
READERS: dict[str, Callable[..., ExpressionFile]] = {
    "featurecounts": read_featurecounts,
    "htseq": read_htseq,
    "star": read_star,
    "salmon": read_salmon,
    "matrix": read_matrix,
    "h5ad": read_h5ad,
}
#: Formats holding a whole cohort (one column / observation per sample).
MULTI_SAMPLE_FORMATS = frozenset({"matrix", "h5ad"})
#: Formats holding one sample per file (featureCounts may hold several BAM columns).
SINGLE_SAMPLE_FORMATS = tuple(f for f in READERS if f not in MULTI_SAMPLE_FORMATS)


def read_expression_file(
    path: str | Path,
    fmt: str,
    *,
    samples: Sequence[str] | None = None,
    star_strandedness: str = "auto",
) -> ExpressionFile:
    """Read one expression file with the reader registered for ``fmt`` in :data:`READERS`.

    Parameters
    ----------
    path : str or Path
        The file.
    fmt : str
        A key of :data:`READERS`.
    samples : sequence of str, optional
        For cohort matrices / h5ad: the sample columns to load.
    star_strandedness : str
        Passed to :func:`read_star`.

    Returns
    -------
    ExpressionFile
    """
    if fmt not in READERS:
        raise InputError(
            f"unknown expression format {fmt!r}; expected one of {sorted(READERS)}", path=path
        )
    if fmt == "star":
        return read_star(path, star_strandedness=star_strandedness)
    return READERS[fmt](path, samples=samples)
