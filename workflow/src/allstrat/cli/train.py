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

from allstrat.cli._common import add_config_section, schema_help


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``train`` verb."""
    p = sub.add_parser(
        "train",
        help="retrain the subtype model (stratified nested CV; writes a new model version)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--sheet", help="sample sheet of the labelled cohort")
    src.add_argument("--counts", help="genes x samples count matrix of the labelled cohort")
    p.add_argument("--labels", required=True, help="TSV with sample_id and subtype columns")
    p.add_argument(
        "--panel",
        choices=("bcp", "tall"),
        default="bcp",
        help="bcp: B-ALL subtypes + T-ALL (first stage, default); tall: T-ALL subgroups "
        "(second stage; labels from --label-column, e.g. tall_subgroup of a simulated truth.tsv)",
    )
    p.add_argument(
        "--label-column",
        default="subtype",
        help="labels-table column with the class of each sample (default subtype)",
    )
    add_config_section(p, "train (train_tall with --panel tall)")
    g = p.add_argument_group("training settings (override --config-section)")
    g.add_argument("--out-dir", help=schema_help("train.out_dir", "models folder"))
    g.add_argument(
        "--name", help=schema_help("train.name", "model name (train_tall: allstrat-tall)")
    )
    g.add_argument(
        "--version",
        help="model version X.Y.Z (config train.version; default: the next patch version "
        "under --out-dir/--name when neither the option nor the section gives one)",
    )
    g.add_argument("--cv-folds", type=int, help=schema_help("train.cv_folds", "outer CV folds"))
    g.add_argument(
        "--inner-folds", type=int, help=schema_help("train.inner_folds", "inner CV folds")
    )
    g.add_argument(
        "--c-grid",
        type=float,
        nargs="+",
        help=schema_help("train.c_grid", "inverse regularisation values searched by the inner CV"),
    )
    g.add_argument("--seed", type=int, help=schema_help("train.seed_model", "random_state"))
    p.add_argument("--cohort-id", default="", help="training cohort identifier")
    p.add_argument("--cohort-description", default="", help="where the training cohort came from")
    p.add_argument("--limitations", default="", help="known limitations for the model card")
    p.add_argument(
        "--simulated-from",
        default="",
        metavar="COMMAND",
        help="the cohort is synthetic: the exact `allstrat simulate` command that made it "
        "(recorded in the card, which then states plainly that the model was trained on "
        "simulated data)",
    )
    p.set_defaults(func=run)


#: options passed to :class:`allstrat.train.TrainingRequest` as they are
_REQUEST_OPTIONS = "labels sheet counts panel label_column cohort_id cohort_description "
_REQUEST_OPTIONS += "limitations simulated_from"


def run(args: argparse.Namespace) -> int:
    """Train, evaluate, save a new model version."""
    from allstrat.train import TrainingRequest, train_new_version, training_settings

    keys = ("out_dir", "name", "version", "cv_folds", "inner_folds", "c_grid")
    given = {key: getattr(args, key) for key in keys} | {"seed_model": args.seed}
    cfg, version = training_settings(args.panel, args.config_section, given)
    command = "allstrat " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    request = {k: getattr(args, k) for k in _REQUEST_OPTIONS.split()}
    train_new_version(TrainingRequest(**request, settings=cfg, version=version, command=command))
    return 0
