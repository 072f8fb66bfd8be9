"""``allstrat copynumber``: lesion, ploidy, IKZF1plus and DUX4/ERG calls for one chunk."""

from __future__ import annotations

import argparse
from typing import Any

from allstrat.cli._common import (
    add_config_section,
    add_sample_selection,
    config_section,
    schema_help,
    select_samples,
)
from allstrat.config import schema_default
from allstrat.copynumber import caller
from allstrat.copynumber.chunk import call_chunk, chunk_provenance, memo_context
from allstrat.copynumber.resources import load_lesion_exons
from allstrat.io.chunk import read_expression_chunk
from allstrat.io.copynumber_readers import read_copy_number_for_samples
from allstrat.io.gene_table import load_gene_table
from allstrat.io.output import write_json, write_tsv
from allstrat.io.samples import blast_fractions
from allstrat.io.stage_tables import read_dux4_calls
from allstrat.io.variants import read_chunk_variants
from allstrat.memo import MEMO_HELP, SampleMemo


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``copynumber`` verb."""
    p = sub.add_parser(
        "copynumber",
        help="copy-number lesion calls (IKZF1/IKZF1plus, ERG, PAR1, ploidy, iAMP21) per chunk",
        description="Normalise the selected samples' copy-number files (CNVkit / SEG "
        "segments, MLPA ratios, gene-level calls), call IKZF1 (with deletion type), "
        "CDKN2A/B, PAX5, ERG, ETV6, RB1, BTG1, EBF1 and PAR1, IKZF1plus, modal chromosome "
        "number and karyotype class, masked hypodiploidy, iAMP21 and the UKALL CNA profile, "
        "and combine the DUX4 expression call with ERG deletion status. Samples without DNA "
        "copy number get an RNA-derived chromosome-dosage estimate (cn_source=RNA) when "
        "--expression is given and the bundled RNA reference exists.",
    )
    add_sample_selection(p)
    p.add_argument("--expression", help="expression chunk .h5ad (RNA-derived dosage fallback)")
    p.add_argument("--classify", help="classify chunk TSV (column dux4 for dux4_erg)")
    p.add_argument("--out", required=True, help="output TSV (contracts.COPYNUMBER_COLUMNS)")
    p.add_argument("--evidence", required=True, help="output evidence JSON")
    p.add_argument("--memo", default="", help=MEMO_HELP)
    add_config_section(p, "copynumber")
    p.add_argument(
        "--default-genome-build",
        default=schema_default("genome_build"),
        help=schema_help("genome_build", "build of coordinates when the sheet's is empty"),
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Call every selected sample and write the TSV and evidence JSON atomically."""
    settings: caller.CopyNumberSettings = config_section(args, "copynumber", {})
    rows = select_samples(args)
    genes = load_gene_table()
    exons = load_lesion_exons()
    build = args.default_genome_build
    data = read_copy_number_for_samples(rows, genome_build=build)
    variants, regions = read_chunk_variants(rows, genes.table, genome_build=build)
    need_rna = args.expression and any(s not in data for s in rows.index)
    rna = (read_expression_chunk(args.expression).counts, args.expression) if need_rna else None
    ctx: dict[str, Any] = {"settings": settings, "exons": exons, "regions": regions, "rna": rna}
    ctx["default_build"], sha = build, genes.sha256
    memo = SampleMemo(args.memo, stage="copynumber", context=memo_context(sha, **ctx))
    table, evidence = call_chunk(
        rows,
        data=data,
        variants=variants,
        dux4=read_dux4_calls(args.classify) if args.classify else None,
        blast=blast_fractions(rows),
        genes=genes.table,
        memo=memo,
        **ctx,
    )
    inputs = {"classify": args.classify, "expression": args.expression, "variants": variants}
    prov = chunk_provenance(settings, gene_table_sha256=sha, exons=exons is not None, **inputs)
    write_tsv(args.out, table)
    write_json(args.evidence, {"provenance": prov, "samples": evidence})
    memo.save()
    return 0
