"""``allstrat report``: per-sample JSON + HTML of one chunk, and the cohort report."""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from allstrat.cli._common import (
    add_config_section,
    add_sample_selection,
    config_section,
    schema_help,
    select_samples,
)
from allstrat.config import ReportSettings
from allstrat.provenance import build_provenance, file_record
from allstrat.serialise import to_plain

logger = logging.getLogger(__name__)

_SHEET_FILE_COLUMNS = ("expression", "copy_number", "fusions")


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
    add_config_section(c, "report")
    g = c.add_argument_group("report settings (override --config-section)")
    g.add_argument(
        "--reference",
        help=schema_help(
            "report.reference", "reference h5ad with obs['subtype'] to place the samples among"
        ),
    )
    g.add_argument(
        "--max-points",
        type=int,
        help=schema_help("report.max_points", "samples drawn in PCA/UMAP (subsample above)"),
    )
    g.add_argument(
        "--seed", type=int, help=schema_help("report.seed", "seed of the subsample and UMAP")
    )
    g.add_argument(
        "--no-umap", action="store_true", help="draw PCA only (config report.umap false)"
    )
    c.add_argument("--config-sha256", default="", help="hash of the workflow configuration")
    c.set_defaults(func=run_cohort)


def _sample_inputs(
    row: Mapping[str, Any], known: Mapping[str, dict[str, str]]
) -> list[dict[str, str]]:
    """Input-file records of one sample: checksums the import stage recorded, else hashed."""
    out = []
    for col in _SHEET_FILE_COLUMNS:
        value = str(row.get(col, "") or "")
        if not value:
            continue
        if col in known:
            out.append(known[col])
            continue
        # fusions may list several caller files (';'-separated)
        paths = [v.strip() for v in value.split(";") if v.strip()] if col == "fusions" else [value]
        for path in paths:
            if Path(path).is_file():
                out.append(file_record(path, role=col))
            else:
                logger.warning(
                    "sample %s: %s file %s not found; not checksummed", row["sample_id"], col, path
                )
    return out


def _expression_qc(
    path: str | None,
) -> tuple[dict[str, dict[str, float | None]], dict[str, Any], dict[str, dict[str, str]]]:
    """QC metrics per sample, the stage's provenance and recorded expression checksums."""
    if not path:
        return {}, {}, {}
    import pandas as pd

    from allstrat.io.chunk import read_expression_chunk

    chunk = read_expression_chunk(path, counts=False)
    obs = chunk.obs
    numeric = [
        c
        for c in obs.columns
        if pd.api.types.is_numeric_dtype(obs[c].dtype)
        and not pd.api.types.is_bool_dtype(obs[c].dtype)
    ]
    metrics: dict[str, dict[str, float | None]] = {
        str(sid): {str(c): float(v) for c, v in row.items()} for sid, row in obs[numeric].iterrows()
    }
    recorded: dict[str, dict[str, str]] = {}
    if {"expression_file", "expression_sha256"} <= set(obs.columns):
        for sid, f, h in zip(
            obs.index,
            obs["expression_file"].astype(str),
            obs["expression_sha256"].astype(str),
            strict=True,
        ):
            recorded[str(sid)] = {"path": f, "role": "expression", "sha256": h}
    # keep the chunk-level facts, not every sample's harmonisation report nor the chunk's
    # list of input files (each sample's own file is in its record's inputs)
    chunk_level = ("harmonisation_json", "file_notes_json", "provenance_json")
    upstream = {k: v for k, v in chunk.meta.items() if k not in chunk_level}
    return metrics, to_plain(upstream), recorded


def run_samples(args: argparse.Namespace) -> int:
    """Write the JSON (+ HTML) reports of the selected samples."""
    from allstrat.io.gene_table import load_gene_table
    from allstrat.io.stage_tables import (
        read_classify_table,
        read_copynumber_table,
        read_risk_table,
        read_sidecar,
    )
    from allstrat.report.assemble import assemble_records
    from allstrat.report.figures import ZOOM_LOCI, SampleFigures, default_zoom_regions
    from allstrat.report.samples import write_sample_reports

    t0 = time.perf_counter()
    sheet = select_samples(args)
    ids = list(sheet.index)
    classify = read_classify_table(args.classify)
    copynumber = read_copynumber_table(args.copynumber) if args.copynumber else None
    risk = read_risk_table(args.risk) if args.risk else None
    explain = read_sidecar(args.explain, what="classify explanation")
    cn_evidence = read_sidecar(args.cn_evidence, what="copy-number evidence")
    traces = read_sidecar(args.traces, what="risk traces")
    qc_metrics, upstream, recorded = _expression_qc(args.expression)

    stage_files = [
        (args.classify, "classify_table"),
        (args.explain, "classify_explain"),
        (args.copynumber, "copynumber_table"),
        (args.cn_evidence, "copynumber_evidence"),
        (args.risk, "risk_table"),
        (args.traces, "risk_traces"),
        (args.expression, "expression_h5ad"),
    ]
    common_inputs = [file_record(p, role=r) for p, r in stage_files if p]
    rulesets: dict[str, str] = {}
    if risk is not None:
        for proto, versions in risk.groupby("protocol")["ruleset_version"]:
            rulesets[str(proto)] = ";".join(sorted({v for v in versions if v}))
    # the risk stage records each rule-set file's sha256 in its traces: keep it with the version
    meta_rulesets = traces.get("__meta__", {}).get("rulesets", {})
    for proto, info in meta_rulesets.items() if isinstance(meta_rulesets, Mapping) else ():
        if proto in rulesets and isinstance(info, Mapping) and info.get("sha256"):
            rulesets[proto] += f" sha256:{info['sha256']}"
    sources = {"classify": args.classify, "copynumber": args.copynumber, "risk": args.risk}

    per_sample: dict[str, dict[str, Any]] = {}
    for sid in ids:
        row = classify.loc[sid] if sid in classify.index else None
        models = (
            [{"model_id": row["model_id"], "sha256": row["model_sha256"]}]
            if row is not None
            else []
        )
        per_sample[sid] = build_provenance(
            stage="report samples",
            inputs=[
                *common_inputs,
                *_sample_inputs(
                    sheet.loc[sid], {"expression": recorded[sid]} if sid in recorded else {}
                ),
            ],
            models=models,
            rulesets=rulesets,
            config_hash=args.config_sha256,
            upstream={"expression": upstream} if upstream else None,
        )
    records = assemble_records(
        ids,
        classify=classify,
        explain=explain,
        copynumber=copynumber,
        cn_evidence=cn_evidence,
        risk=risk,
        traces=traces,
        qc_metrics=qc_metrics,
        provenance=build_provenance(stage="report samples", inputs=common_inputs),
        provenance_by_sample=per_sample,
        sources=sources,
    )
    genes = load_gene_table().table
    wanted = [g for _, locus in ZOOM_LOCI for g in locus if g in genes.index]
    coords = {
        g: (str(genes.at[g, "chrom"]), int(genes.at[g, "start"]), int(genes.at[g, "end"]))
        for g in wanted
    }
    figures = SampleFigures(zoom_regions=default_zoom_regions(coords))
    try:
        write_sample_reports(
            records,
            outdir=args.outdir,
            figures=figures,
            html=not args.no_html,
            keys=args.keys,
        )
    finally:
        figures.close()
    logger.info("report samples: %d samples in %.2f s", len(ids), time.perf_counter() - t0)
    return 0


def run_cohort(args: argparse.Namespace) -> int:
    """Write the cohort HTML report."""
    from allstrat.report.cohort import write_cohort_report

    overrides = {
        "reference": args.reference,
        "max_points": args.max_points,
        "seed": args.seed,
        "umap": False if args.no_umap else None,
    }
    cfg: ReportSettings = config_section(args, "report", overrides)
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
