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
import datetime as dt
import logging
import re
import shlex
import sys
from pathlib import Path

import pandas as pd

from allstrat.cli._common import add_config_section, config_section, schema_help
from allstrat.config import TrainSettings, read_section_text
from allstrat.errors import InputError

logger = logging.getLogger(__name__)

INTENDED_USE = (
    "Research-use decision support: genomic subtype calls for childhood B-ALL / T-ALL lineage "
    "check from bulk RNA-seq gene counts (GRCh38 annotations, symbols or Ensembl IDs). Not a "
    "diagnosis; every call must be confirmed by the defining lesion (fusion, copy number, "
    "mutation) in an accredited assay."
)
INTENDED_USE_TALL = (
    "Research-use decision support: T-ALL subgroup calls (TAL1, TAL2, LMO1/LMO2, LYL1, TLX1, "
    "TLX3, NKX2-1/NKX2-5, HOXA, BCL11B-activated, SPI1, MYB, ETP-like) from bulk RNA-seq "
    "gene counts of samples that the B-ALL model calls T lineage. Not a diagnosis; a subgroup "
    "must be confirmed by its defining lesion (TCR-locus rearrangement, fusion, deletion) and "
    "ETP-ALL by immunophenotype (Coustan-Smith 2009 criteria)."
)


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
    p.add_argument(
        "--limitations", default="", help="known limitations to record in the model card"
    )
    p.add_argument(
        "--simulated-from",
        default="",
        metavar="COMMAND",
        help="the cohort is synthetic: the exact `allstrat simulate` command that made it "
        "(recorded in the card, which then states plainly that the model was trained on "
        "simulated data)",
    )
    p.set_defaults(func=run)


def read_labels(path: str, column: str = "subtype", *, allow_empty: bool = False) -> pd.Series:
    """Read ``sample_id`` and the label ``column`` from a labels TSV (other columns ignored).

    ``allow_empty``: empty labels are kept (as ``""``) instead of refused; the T-ALL panel
    uses it to leave out the B-lineage rows of a mixed truth table.
    """
    from allstrat.io.samples import read_table_str

    df = read_table_str(path, what="labels table")
    for col in ("sample_id", column):
        if col not in df.columns:
            raise InputError(f"labels table lacks column {col!r}", path=path, line=1)
    empty = df.index[df[column] == ""]
    if len(empty) and not allow_empty:
        raise InputError(
            f"empty {column} label",
            path=path,
            line=int(empty[0]) + 2,
            sample=df["sample_id"][empty[0]],
        )
    dup = df.index[df["sample_id"].duplicated()]
    if len(dup):
        raise InputError(
            "duplicate sample_id", path=path, line=int(dup[0]) + 2, sample=df["sample_id"][dup[0]]
        )
    return df.set_index("sample_id")[column].rename("subtype")


def next_version(base: Path) -> str:
    """Next free patch version under ``base`` (1.0.0 when empty)."""
    found = []
    if base.is_dir():
        for d in base.iterdir():
            m = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", d.name)
            if m:
                found.append(tuple(int(x) for x in m.groups()))
    if not found:
        return "1.0.0"
    a, b, c = max(found)
    return f"{a}.{b}.{c + 1}"


def load_counts(args: argparse.Namespace) -> pd.DataFrame:
    """Samples x canonical genes counts (NaN = not measured) from --sheet or --counts."""
    from allstrat.io.chunk import counts_from_anndata
    from allstrat.io.cohort import read_count_files, read_expression_cohort
    from allstrat.io.gene_table import load_gene_table
    from allstrat.io.samples import read_sample_sheet

    genes = load_gene_table()
    if args.counts:
        return read_count_files([args.counts], "matrix", genes)[0]
    sheet = read_sample_sheet(args.sheet)
    return counts_from_anndata(read_expression_cohort(sheet.assign(sample_id=sheet.index), genes))


def train_settings(args: argparse.Namespace) -> tuple[TrainSettings, str | None]:
    """Section ``train`` / ``train_tall`` + options, validated; and the version asked for.

    The version is ``None`` when neither ``--version`` nor the section names one (the next
    patch version is then used, not the schema's example value).
    """
    name = "train_tall" if args.panel == "tall" else "train"
    overrides = {
        "out_dir": args.out_dir,
        "name": args.name,
        "version": args.version,
        "cv_folds": args.cv_folds,
        "inner_folds": args.inner_folds,
        "c_grid": args.c_grid,
        "seed_model": args.seed,
    }
    cfg: TrainSettings = config_section(args, name, overrides)
    asked = args.version or read_section_text(args.config_section, name).get("version")
    return cfg, cfg.version if asked else None


def run(args: argparse.Namespace) -> int:
    """Train, evaluate, save a new model version."""
    from allstrat.contracts import UNCLASSIFIED
    from allstrat.io.gene_table import load_gene_table
    from allstrat.models import save_model
    from allstrat.train import train_model

    cfg, asked = train_settings(args)
    out_base = Path(cfg.out_dir) / cfg.name
    version = asked or next_version(out_base)
    target = out_base / version
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(f"{target} exists; a model version is never overwritten")
    labels = read_labels(args.labels, args.label_column, allow_empty=args.panel == "tall")
    counts = load_counts(args)
    unknown = [s for s in counts.index if s not in labels.index]
    if unknown:
        raise InputError("sample has no label", path=args.labels, sample=unknown[0])
    labels = labels.loc[counts.index]
    skipped = labels.index[labels == UNCLASSIFIED]
    if len(skipped):
        logger.info(
            "%d samples labelled %r (B-other) left out of training", len(skipped), UNCLASSIFIED
        )
        labels = labels.drop(skipped)
        counts = counts.loc[labels.index]
    if args.panel == "tall":
        other = labels.index[labels == ""]
        if len(other):
            logger.info("%d samples without a T-ALL subgroup left out of training", len(other))
            labels = labels.drop(other)
            counts = counts.loc[labels.index]
        if labels.empty:
            raise InputError(f"no sample has a {args.label_column!r} label", path=args.labels)
    genes = load_gene_table()
    res = train_model(
        counts,
        labels,
        gene_locations=genes.table,
        outer_folds=cfg.cv_folds,
        inner_folds=cfg.inner_folds,
        c_grid=list(cfg.c_grid),
        random_state=cfg.seed_model,
        panel=args.panel,
    )
    card = build_card(args, res, genes.sha256, version, settings=cfg)
    save_model(res.model, target, card=card, metrics=res.metrics)
    logger.info(
        "model %s/%s written to %s (held-out macro F1 %.3f)",
        cfg.name,
        version,
        target,
        res.metrics["macro_f1"],
    )
    return 0


def _simulated_texts(args: argparse.Namespace) -> tuple[str, str]:
    """Cohort description and limitations of a model trained on simulated data."""
    if args.panel == "tall":
        return (
            "Simulated T-ALL reference cohort, class-balanced over the T-ALL subgroups, "
            f"generated by `{args.simulated_from}`; subgroup programmes from literature marker "
            "genes (resources/markers/tall_markers.tsv), not patient data.",
            "Trained on a SIMULATED T-ALL cohort only (allstrat simulate), not on patient "
            "RNA-seq. Probabilities, thresholds and held-out scores describe the simulator; "
            "performance on real T-ALL from any lab is unknown until validated there. Most "
            "secondary markers are unverified (evidence '?'); the subgroups rest mainly on "
            "overexpression of the driver transcription factor. TAL1/TAL2/LMO subgroups "
            "overlap in real data (TAL1 and LMO often co-occur); MYB-activated cases carry only "
            "a weak dosage signal. ETP-like is an expression subgroup, not the ETP-ALL "
            "immunophenotype.",
        )
    return (
        "Simulated reference cohort, class-balanced (uniform over the B-ALL subtypes and "
        f"T-ALL), generated by `{args.simulated_from}`; expression programmes from "
        "literature marker genes (resources/markers), not patient data.",
        "Trained on a SIMULATED reference cohort only (allstrat simulate), not on patient "
        "RNA-seq. Probabilities, thresholds and held-out scores describe the simulator; "
        "performance on real data from any lab is unknown until validated there. "
        "BCR::ABL1 and Ph-like form one expression class (Ph group); DUX4 counts are not "
        "used; mutation-defined classes (PAX5 P80R, IKZF1 N159Y) and dosage classes need "
        "confirmation by the defining lesion.",
    )


def build_card(
    args: argparse.Namespace,
    res,
    gene_table_sha256: str,
    version: str,
    *,
    settings: TrainSettings,
) -> dict:
    """Model-card fields that training knows (``save_model`` adds checksums and versions)."""
    from allstrat.train import LABEL_MAPPING

    feats = res.model.named_steps["features"]
    description, limitations = args.cohort_description, args.limitations
    if args.simulated_from:
        sim_description, sim_limitations = _simulated_texts(args)
        description = description or sim_description
        limitations = limitations or sim_limitations
    return {
        "name": settings.name,
        "version": version,
        "created": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git_commit": "",
        "panel": args.panel,
        "model_features": [str(f) for f in feats.get_feature_names_out()],
        "genome_build": "GRCh38",
        "gene_id_type": "HGNC symbol (inputs harmonised from symbols, aliases or Ensembl IDs)",
        "gene_table_sha256": gene_table_sha256,
        "training_cohort": {
            "id": args.cohort_id or Path(args.labels).stem,
            "sha256": res.cohort_sha256,
            "n_samples": int(sum(res.n_per_class.values())),
            "n_per_class": res.n_per_class,
            "description": description
            or f"labels {args.labels}; expression {args.sheet or args.counts}",
            "label_mapping": dict(LABEL_MAPPING) if args.panel == "bcp" else {},
        },
        "cv": res.cv,
        "random_state": settings.seed_model,
        "intended_use": INTENDED_USE_TALL if args.panel == "tall" else INTENDED_USE,
        "limitations": limitations
        or "Trained on the cohort named in training_cohort; performance on other data is "
        "unknown until validated there.",
        "training_command": "allstrat " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
        "thresholds": {},
    }
