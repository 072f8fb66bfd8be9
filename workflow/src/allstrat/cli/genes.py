"""``allstrat genes``: harmonise gene IDs against the bundled gene table."""

from __future__ import annotations

import argparse
import sys

from allstrat.harmonise import harmonise_ids
from allstrat.io.gene_table import load_gene_table


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``genes`` verb."""
    p = sub.add_parser(
        "genes",
        help="map gene IDs (Ensembl, symbols, aliases) to symbols + GRCh38 coordinates",
        description="Map gene IDs (Ensembl with/without version, HGNC symbols, previous "
        "symbols, aliases) to the canonical symbols of the bundled gene table.",
    )
    p.add_argument("ids", nargs="+", help="gene IDs to look up")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print one TSV row per ID: input, symbol, chrom, start, end, strand."""
    genes = load_gene_table()
    keys, _ = harmonise_ids(args.ids, genes)
    sys.stdout.write("input\tsymbol\tchrom\tstart\tend\tstrand\n")
    for raw, sym in zip(args.ids, keys, strict=True):
        if sym:
            r = genes.table.loc[sym]
            sys.stdout.write(f"{raw}\t{sym}\t{r.chrom}\t{r.start}\t{r.end}\t{r.strand}\n")
        else:
            sys.stdout.write(f"{raw}\t\t\t\t\t\n")
    return 0
