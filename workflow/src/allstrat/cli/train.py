"""``allstrat train``: retrain the subtype model on a labelled cohort (new version folder).

Input: a sample sheet (expression files in any supported format) or a genes x samples
matrix, plus a labels TSV with columns ``sample_id`` and ``subtype`` (contract labels;
extra columns such as those of a simulator's ``truth.tsv`` are ignored). Samples labelled
``unclassified`` (B-other: no defining lesion, so no class programme) are left out of
training and reported. Stratified nested cross-validation gives the held-out metrics;
``models/<name>/<version>/`` receives model.joblib, model.json (card) and metrics.json and
is never overwritten.
"""

from __future__ import annotations

import argparse
import shlex
import sys

from allstrat.cli._common import safe_name, schema_help, version_text


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``train`` verb."""
    p = sub.add_parser(
        "train",
        help="retrain the subtype model (stratified nested CV; writes a new model version)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=argparse.SUPPRESS,  # defaults: TrainingRequest (config schema)
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--sheet", help="sample sheet of the labelled cohort")
    src.add_argument("--counts", help="genes x samples count matrix of the labelled cohort")
    p.add_argument("--labels", required=True, help="TSV with sample_id and subtype columns")
    p.add_argument(
        "--panel",
        choices=("bcp", "tall"),
        help="bcp: B-ALL subtypes + T-ALL (first stage, default); tall: T-ALL subgroups "
        "(second stage; labels from --label-column, e.g. tall_subgroup of a simulated truth.tsv)",
    )
    p.add_argument(
        "--label-column",
        help="labels-table column with the class of each sample (default subtype)",
    )
    p.add_argument("--out-dir", help=schema_help("train.out_dir", "models folder"))
    p.add_argument(
        "--name",
        type=safe_name,
        help=schema_help("train.name", "model name (letters, digits, '_', '.', '-')"),
    )
    p.add_argument(
        "--version",
        type=version_text,
        help="model version X.Y.Z (default: next patch)",
    )
    p.add_argument("--cv-folds", type=int, help=schema_help("train.cv_folds", "outer folds"))
    p.add_argument("--inner-folds", type=int, help=schema_help("train.inner_folds", "inner folds"))
    p.add_argument(
        "--c-grid",
        type=float,
        nargs="+",
        help=schema_help("train.c_grid", "inverse regularisation values of the inner CV"),
    )
    p.add_argument("--seed", type=int, help=schema_help("train.seed_model", "random_state"))
    p.add_argument("--cohort-id", help="training cohort identifier")
    p.add_argument("--cohort-description", help="where the training cohort came from")
    p.add_argument("--limitations", help="known limitations for the model card")
    p.add_argument(
        "--simulated-from",
        metavar="COMMAND",
        help="the cohort is synthetic: the exact `allstrat simulate` command that made it "
        "(recorded in the card, which then states plainly that the model was trained on "
        "simulated data)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Train, evaluate, save a new model version."""
    from allstrat.train import TrainingRequest, train_new_version

    given = {k: v for k, v in vars(args).items() if k in TrainingRequest.__dataclass_fields__}
    if "c_grid" in given:
        given["c_grid"] = tuple(given["c_grid"])
    command = "allstrat " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    train_new_version(TrainingRequest(**given, command=command))
    return 0
