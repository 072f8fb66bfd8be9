"""``allstrat collect``: gather every chunk into results/calls.tsv and results/cohort.h5ad."""

from __future__ import annotations

import argparse

from allstrat.io.samples import read_sample_sheet


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``collect`` verb."""
    p = sub.add_parser(
        "collect",
        help="gather chunk outputs into results/calls.tsv and results/cohort.h5ad",
        description="One row per sample of the sample sheet: subtype, confidence tier, "
        "Ph-like kinase class, DUX4/ERG, IKZF1plus, karyotype class, risk group per "
        "protocol and QC flags; plus the cohort AnnData (opens in scanpy).",
    )
    p.add_argument("--sheet", required=True, help="sample sheet TSV (every sample must appear)")
    p.add_argument("--classify", nargs="+", required=True, help="classify chunk tables")
    p.add_argument("--copynumber", nargs="*", default=[], help="copy-number chunk tables")
    p.add_argument("--risk", nargs="*", default=[], help="risk chunk tables")
    p.add_argument(
        "--h5ad",
        nargs="*",
        default=[],
        help="chunk AnnData files to concatenate (classify h5ad, or expression h5ad)",
    )
    p.add_argument("--out-calls", required=True, help="output call table (TSV)")
    p.add_argument("--out-h5ad", help="output cohort AnnData")
    p.add_argument("--config-sha256", default="", help="hash of the workflow configuration")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Gather the chunk outputs."""
    from allstrat.report.cohort import collect_cohort

    sheet = read_sample_sheet(args.sheet)
    collect_cohort(
        list(sheet.index),
        classify=args.classify,
        copynumber=args.copynumber,
        risk=args.risk,
        h5ad=args.h5ad,
        out_calls=args.out_calls,
        out_h5ad=args.out_h5ad,
        config_hash=args.config_sha256,
    )
    return 0
