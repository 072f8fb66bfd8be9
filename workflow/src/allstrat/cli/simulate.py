"""``allstrat simulate``: write a synthetic paediatric ALL cohort in real input formats."""

from __future__ import annotations

import argparse

from allstrat.cli._common import at_least, label_number, safe_name
from allstrat.contracts import B_SUBTYPES, T_ALL, UNCLASSIFIED


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``simulate`` verb."""
    p = sub.add_parser(
        "simulate",
        help="write a synthetic cohort (counts, copy number, fusions, clinical, truth)",
        description="Simulate a synthetic paediatric ALL cohort and write it in the real "
        "input formats plus truth.tsv and samples.tsv. Deterministic for a given seed.",
    )
    p.add_argument("--n-samples", type=at_least(1), required=True, help="number of samples")
    p.add_argument("--seed", type=at_least(0), required=True, help="random seed")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument(
        "--subtype-balance",
        choices=["realistic", "uniform", "tall"],
        default="realistic",
        help="realistic paediatric frequencies (default), uniform (training cohorts) or tall "
        "(T-ALL only, uniform over the T-ALL subgroups: second-stage training cohort)",
    )
    p.add_argument(
        "--class-weight",
        type=label_number({*B_SUBTYPES, T_ALL, UNCLASSIFIED}),
        action="append",
        default=[],
        metavar="LABEL=WEIGHT",
        help="multiply a subtype's sampling weight (repeatable), e.g. 'NUTM1=5'",
    )
    p.add_argument(
        "--layout",
        choices=["demo", "cohort"],
        default="demo",
        help="demo: mixed formats; cohort: one matrix/SEG (large cohorts)",
    )
    p.add_argument(
        "--sample-prefix",
        default="SIM",
        type=safe_name,
        help="sample id prefix (default SIM; letters, digits, '_', '.', '-')",
    )
    p.add_argument(
        "--sheet-prefix", help="prefix of paths in samples.tsv (default: --out as given)"
    )
    p.add_argument(
        "--variants",
        choices=["none", "demo", "all"],
        help="which samples get RNA variant calls (VCF/BCF in the sheet's variants column): "
        "demo = every 4th sample plus the near-haploid, low-hypodiploid and hotspot subtypes, "
        "all, none (default: demo for --layout demo, none for --layout cohort)",
    )
    p.add_argument(
        "--jobs",
        type=at_least(1),
        default=1,
        help="worker processes (results are identical for any value; default 1)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Simulate and write the cohort."""
    from allstrat.simulate import simulate_cohort
    from allstrat.simulate.writers import write_cohort

    cohort = simulate_cohort(
        args.n_samples,
        args.seed,
        subtype_balance=args.subtype_balance,
        class_weights=dict(args.class_weight),
        sample_prefix=args.sample_prefix,
        n_jobs=args.jobs,
        variants=args.variants or ("demo" if args.layout == "demo" else "none"),
    )
    write_cohort(cohort, args.out, layout=args.layout, sheet_prefix=args.sheet_prefix)
    return 0
