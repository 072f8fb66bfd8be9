"""``allstrat risk``: protocol risk groups with decision traces for one chunk of samples."""

from __future__ import annotations

import argparse
import json
import logging

import numpy as np
import pandas as pd

from allstrat.contracts import CLASSIFY_COLUMNS, CONFIDENCE_TIERS, COPYNUMBER_COLUMNS
from allstrat.errors import ConfigError, InputError
from allstrat.io.clinical import read_clinical, read_mrd
from allstrat.io.lab_genetics import read_lab_genetics
from allstrat.io.output import write_json, write_tsv
from allstrat.io.samples import read_table_str
from allstrat.io.stage_tables import read_stage_table
from allstrat.provenance import build_provenance, file_record
from allstrat.risk import assign_risk, available_protocols, load_rulesets, results_table

logger = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``risk`` verb."""
    p = sub.add_parser(
        "risk",
        help="assign protocol risk groups (NCI/Rome, COG, AIEOP-BFM, DCOG) with traces",
        description="Assign each sample's risk group under each selected protocol from the "
        "classify and copy-number stage tables, the clinical table and the long MRD table. "
        "Missing inputs never lower risk: unresolved cases are 'indeterminate' with the "
        "lowest group still possible and the missing inputs. Research use only.",
    )
    p.add_argument("--classify", help="classify stage table (TSV); omit if not available")
    p.add_argument("--copynumber", help="copy-number stage table (TSV); omit if not available")
    p.add_argument("--clinical", default="", help="clinical table (TSV); empty = none")
    p.add_argument("--mrd", default="", help="long MRD table (TSV); empty = none")
    p.add_argument(
        "--lab-genetics",
        default="",
        help="diagnostic-genetics table from the lab (TSV, workflow/schemas/"
        "lab_genetics.schema.yaml); empty = none",
    )
    p.add_argument(
        "--lab-discordance",
        choices=["review", "lab_decides"],
        default="review",
        help="a lab result that disagrees with the pipeline's call: 'review' makes the fact "
        "unknown (default; never lowers a group), 'lab_decides' uses the lab result; "
        "either way the discordance is listed in the traces and the report",
    )
    p.add_argument(
        "--sample-sheet",
        default="",
        help="sample sheet of the whole run: clinical / MRD / lab rows for samples not in "
        "it are reported as orphans (default: the samples of --classify/--copynumber)",
    )
    p.add_argument("--out", required=True, help="output TSV (one row per sample x protocol)")
    p.add_argument("--traces", required=True, help="output JSON with the full decision traces")
    p.add_argument(
        "--protocols",
        default="",
        help="comma-separated protocol ids (default: all; available: "
        + ", ".join(available_protocols())
        + ")",
    )
    p.add_argument(
        "--settings-json",
        default="{}",
        help='overrides of UNVERIFIED rule-set settings as JSON: {"protocol": {"setting": value}}',
    )
    p.add_argument(
        "--min-confidence-tier",
        choices=[t for t in CONFIDENCE_TIERS if t != "none"],
        default="medium",
        help="lowest subtype-call confidence tier counted as known genetics (default medium)",
    )
    p.add_argument(
        "--unassessed-masked-hypodiploidy",
        choices=["unknown", "assume_absent"],
        default="unknown",
        help="a hyperdiploid count whose masked-hypodiploidy status was not assessed: "
        "'unknown' leaves hypodiploidy unknown (default), 'assume_absent' trusts the count",
    )
    p.add_argument("--ruleset-dir", help="folder of rule-set files (default: bundled)")
    p.add_argument(
        "--sample", action="append", default=[], help="restrict to this sample (repeatable)"
    )
    p.set_defaults(func=run)


def _locate(exc: InputError, tables: dict[str, tuple[str, pd.DataFrame | None]]) -> InputError:
    """Attach the file and line of the offending sample's row to a core InputError.

    The core names the in-memory table it read (``exc.table``); the file is known here.
    """
    path, df = tables.get(exc.table or "", ("", None))
    if exc.path is not None or df is None or not path:
        return exc
    line = None
    if exc.sample is not None:
        hits = np.flatnonzero(df["sample_id"].astype(str).to_numpy() == exc.sample)
        line = int(hits[0]) + 2 if len(hits) else None
    return InputError(exc.detail, path=path, line=line, sample=exc.sample, table=exc.table)


def run(args: argparse.Namespace) -> int:
    """Read the tables, assign risk, write the TSV and traces atomically."""
    try:
        overrides = json.loads(args.settings_json or "{}")
    except json.JSONDecodeError as exc:
        raise ConfigError(f"--settings-json is not valid JSON: {exc}") from None
    if not isinstance(overrides, dict) or not all(isinstance(v, dict) for v in overrides.values()):
        raise ConfigError('--settings-json must look like {"protocol": {"setting": value}}')
    protocols = [p.strip() for p in args.protocols.split(",") if p.strip()] or None
    rulesets = load_rulesets(protocols, overrides=overrides, folder=args.ruleset_dir)
    if not args.classify and not args.copynumber and not args.sample:
        raise ConfigError("give --classify and/or --copynumber (they define the samples)")
    cls = read_stage_table(args.classify, "classify", CLASSIFY_COLUMNS)
    cn = read_stage_table(args.copynumber, "copynumber", COPYNUMBER_COLUMNS)
    clin = read_clinical(args.clinical) if args.clinical else None
    mrd = read_mrd(args.mrd) if args.mrd else None
    lab = read_lab_genetics(args.lab_genetics) if args.lab_genetics else None
    known = None
    if args.sample_sheet:
        known = list(read_table_str(args.sample_sheet, what="sample sheet")["sample_id"])
    tiers = list(CONFIDENCE_TIERS[: CONFIDENCE_TIERS.index(args.min_confidence_tier) + 1])
    tables = {
        "classify": (args.classify, cls),
        "copynumber": (args.copynumber, cn),
        "clinical": (args.clinical, clin),
        "MRD": (args.mrd, mrd),
        "lab": (args.lab_genetics, lab),
    }
    try:
        results, traces = assign_risk(
            rulesets,
            classify=cls,
            copynumber=cn,
            clinical=clin,
            mrd=mrd,
            samples=args.sample or None,
            accepted_tiers=tiers,
            unassessed_masking=args.unassessed_masked_hypodiploidy,
            lab=lab,
            lab_discordance=args.lab_discordance,
            known_samples=known,
        )
    except InputError as exc:
        raise _locate(exc, tables) from None
    roles = {"classify": "classify_table", "copynumber": "copynumber_table", "lab": "lab_genetics"}
    traces["provenance"] = build_provenance(
        stage="risk",
        inputs=[
            file_record(path, role=roles.get(name, name.lower()))
            for name, (path, _) in tables.items()
            if path
        ],
        rulesets={rs.protocol: rs.version for rs in rulesets},
        settings={
            "accepted_confidence_tiers": tiers,
            "unassessed_masked_hypodiploidy": args.unassessed_masked_hypodiploidy,
            "lab_discordance": args.lab_discordance,
        },
    )
    write_tsv(args.out, results_table(results))
    write_json(args.traces, traces)
    logger.info("wrote %s and %s", args.out, args.traces)
    return 0
