"""``allstrat report``: per-sample JSON + HTML of one chunk, and the cohort report."""

from __future__ import annotations

import argparse

from allstrat.cli._common import (
    add_sample_selection,
    config_section,
    schema_help,
    section_options,
    select_samples,
)
from allstrat.config import ReportSettings, schema_default


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``report`` verb with its ``samples`` and ``cohort`` actions."""
    p = sub.add_parser(
        "report",
        help="write per-sample JSON + HTML reports (one chunk) or the cohort report",
        description="Reports gather what the classify, copy-number and risk stages wrote; "
        "they never compute calls. Every report is one self-contained HTML file.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    s = actions.add_parser(
        "samples",
        help="results/samples/<sample>.json (schema-valid) and .html for a chunk's samples",
    )
    add_sample_selection(s)
    s.add_argument("--classify", required=True, help="classify chunk table (TSV)")
    s.add_argument("--explain", help="classify .explain.json of the chunk")
    s.add_argument("--copynumber", help="copy-number chunk table (TSV); absent = not assessable")
    s.add_argument("--cn-evidence", help="copy-number .evidence.json of the chunk")
    s.add_argument("--risk", help="risk chunk table (TSV); absent = no risk assignment")
    s.add_argument("--traces", help="risk .traces.json of the chunk")
    s.add_argument("--expression", help="expression chunk h5ad (QC metrics, provenance)")
    s.add_argument("--outdir", required=True, help="folder for <sample>.json and <sample>.html")
    s.add_argument("--config-sha256", default="", help="hash of the workflow configuration")
    s.add_argument(
        "--default-genome-build",
        default=schema_default("genome_build"),
        help=schema_help("genome_build", "build of a shared copy-number file's coordinates"),
    )
    s.add_argument("--no-html", action="store_true", help="write only the JSON files")
    s.add_argument(
        "--keys",
        help="JSON file of per-sample render keys: samples whose record and renderer are "
        "unchanged since the run that wrote it (and whose files exist) are not rendered "
        "again (default: render every sample)",
    )
    s.set_defaults(func=run_samples)

    c = actions.add_parser("cohort", help="results/report/cohort.html from calls.tsv + cohort.h5ad")
    c.add_argument("--calls", required=True, help="results/calls.tsv")
    c.add_argument("--cohort", required=True, help="results/cohort.h5ad")
    c.add_argument("--out", required=True, help="output HTML")
    section_options(
        c,
        "report",
        {
            "reference": (None, "reference h5ad with obs['subtype'] to place the samples among"),
            "max_points": (int, "samples drawn in PCA/UMAP (subsample above)"),
            "seed": (int, "seed of the subsample and UMAP"),
        },
    )
    c.add_argument(
        "--no-umap", action="store_true", help="draw PCA only (config report.umap false)"
    )
    c.add_argument("--config-sha256", default="", help="hash of the workflow configuration")
    c.set_defaults(func=run_cohort)


def run_samples(args: argparse.Namespace) -> int:
    """Write the JSON (+ HTML) reports of the selected samples."""
    from allstrat.report.chunk import ChunkOutputs, report_chunk

    outputs = ChunkOutputs(**{k: getattr(args, k) for k in ChunkOutputs.__dataclass_fields__})
    report_chunk(
        select_samples(args),
        outputs,
        outdir=args.outdir,
        config_hash=args.config_sha256,
        html=not args.no_html,
        keys=args.keys,
        default_genome_build=args.default_genome_build,
    )
    return 0


def run_cohort(args: argparse.Namespace) -> int:
    """Write the cohort HTML report."""
    from allstrat.report.cohort import write_cohort_report

    cfg: ReportSettings = config_section(args, "report", {"umap": False if args.no_umap else None})
    write_cohort_report(
        calls=args.calls,
        cohort=args.cohort,
        out=args.out,
        reference=cfg.reference or None,
        max_points=cfg.max_points,
        seed=cfg.seed,
        umap=cfg.umap,
        config_hash=args.config_sha256,
    )
    return 0
