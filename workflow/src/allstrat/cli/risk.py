"""``allstrat risk``: protocol risk groups with decision traces for one chunk of samples."""

from __future__ import annotations

import argparse

from allstrat.cli._common import comma_list, config_section, section_options
from allstrat.config import RiskSettings
from allstrat.errors import ConfigError, InputError
from allstrat.io.risk_inputs import read_risk_inputs, write_risk_outputs
from allstrat.memo import MEMO_HELP, SampleMemo
from allstrat.risk import assign_risk, available_protocols, load_rulesets


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
        "--sample-sheet",
        default="",
        help="sample sheet of the whole run: clinical / MRD / lab rows for samples not in "
        "it are reported as orphans (default: the samples of --classify/--copynumber)",
    )
    p.add_argument("--out", required=True, help="output TSV (one row per sample x protocol)")
    p.add_argument("--traces", required=True, help="output JSON with the full decision traces")
    p.add_argument("--memo", default="", help=MEMO_HELP)
    section_options(
        p,
        "risk",
        {
            "protocols": (
                comma_list,
                "comma-separated protocol ids; available: " + ", ".join(available_protocols()),
            ),
            "min_confidence_tier": (
                None,
                "lowest subtype-call confidence tier counted as known genetics",
            ),
            "unassessed_masked_hypodiploidy": (
                None,
                "a hyperdiploid count whose masked-hypodiploidy status was not assessed: "
                "'unknown' leaves hypodiploidy unknown, 'assume_absent' trusts the count",
            ),
            "lab_discordance": (
                None,
                "a lab result that disagrees with the pipeline's call: 'review' makes the "
                "fact unknown (never lowers a group), 'lab_decides' uses the lab result; "
                "either way the discordance is listed in the traces and the report",
            ),
        },
    )
    p.add_argument("--ruleset-dir", help="folder of rule-set files (default: bundled)")
    p.add_argument(
        "--sample", action="append", default=[], help="restrict to this sample (repeatable)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read the tables, assign risk, write the TSV and traces atomically."""
    cfg: RiskSettings = config_section(args, "risk")
    rulesets = load_rulesets(list(cfg.protocols), overrides=cfg.settings, folder=args.ruleset_dir)
    if not args.classify and not args.copynumber and not args.sample:
        raise ConfigError("give --classify and/or --copynumber (they define the samples)")
    inputs = read_risk_inputs(
        classify=args.classify,
        copynumber=args.copynumber,
        clinical=args.clinical,
        mrd=args.mrd,
        lab=args.lab_genetics,
        sample_sheet=args.sample_sheet,
    )
    memo = SampleMemo(args.memo, stage="risk") if args.memo else None
    try:
        results, traces = assign_risk(
            rulesets,
            **inputs.tables(),
            samples=args.sample or None,
            accepted_tiers=cfg.accepted_tiers(),
            unassessed_masking=cfg.unassessed_masked_hypodiploidy,
            lab_discordance=cfg.lab_discordance,
            memo=memo,
        )
    except InputError as exc:
        raise inputs.locate(exc) from None
    write_risk_outputs(args.out, args.traces, results=results, traces=traces, inputs=inputs,
                       rulesets=rulesets, settings=cfg.record(), memo=memo)  # fmt: skip
    return 0
