"""``allstrat import-expression``: read, validate and harmonise one chunk's expression files."""

from __future__ import annotations

import argparse
import logging

from allstrat.cli._common import (
    add_sample_selection,
    config_section,
    section_options,
    select_samples,
)
from allstrat.config import ExpressionSettings
from allstrat.io.chunk import write_expression_chunk
from allstrat.io.cohort import read_expression_cohort
from allstrat.io.gene_table import load_gene_table

logger = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``import-expression`` verb."""
    p = sub.add_parser(
        "import-expression",
        help="read a chunk's expression files into one harmonised AnnData (.h5ad)",
        description="Read the expression files of the selected samples (featureCounts, "
        "htseq-count, STAR ReadsPerGene, salmon quant.genes.sf, cohort matrices, h5ad), "
        "validate them, map gene IDs to canonical symbols and write an .h5ad with raw "
        "counts in layers['counts'] and provenance in uns['allstrat'].",
    )
    add_sample_selection(p)
    p.add_argument("--out", required=True, help="output .h5ad (written atomically)")
    section_options(
        p,
        "expression",
        {
            "star_strandedness": (
                None,
                "STAR ReadsPerGene column: auto-detect, unstranded (col 2), yes (col 3) or "
                "reverse (col 4)",
            ),
            "min_mapped_fraction": (
                float,
                "refuse a sample whose file maps fewer than this fraction of gene rows",
            ),
        },
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read the selected samples and write the chunk h5ad."""
    cfg: ExpressionSettings = config_section(args, "expression")
    rows = select_samples(args)
    adata = read_expression_cohort(
        rows,
        load_gene_table(),
        star_strandedness=cfg.star_strandedness,
        min_mapped_fraction=cfg.min_mapped_fraction,
    )
    write_expression_chunk(args.out, adata)
    logger.info("wrote %s (%d samples x %d genes)", args.out, adata.n_obs, adata.n_vars)
    return 0
