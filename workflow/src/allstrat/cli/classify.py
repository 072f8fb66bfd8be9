"""``allstrat classify``: subtype calls, probabilities and explanations per sample.

Two input modes:

* ``--counts FILE [FILE ...]`` -- a genes x samples matrix (``--format matrix``, default)
  or per-sample count files (``--format htseq|featurecounts|star|salmon``; the sample id
  is the file name up to its first ``.``), symbols or Ensembl IDs; non-gene rows such as
  HTSeq ``__`` counters are reported and ignored.
* ``--expression chunk.h5ad`` -- the workflow's harmonised expression chunk
  (``allstrat import-expression``); genes flagged ``not_measured`` are treated as missing.

``--sheet`` (+ ``--chunk``/``--sample``) adds fusion-caller files and blast fractions of the
selected samples. Uses the shipped default model unless ``--model`` names another.
"""

from __future__ import annotations

import argparse

from allstrat.cli._common import add_sample_selection, config_section, label_number, section_options
from allstrat.config import ClassifySettings
from allstrat.io.expression import SINGLE_SAMPLE_FORMATS
from allstrat.memo import MEMO_HELP


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``classify`` verb."""
    p = sub.add_parser(
        "classify",
        help="call B-ALL subtypes (+ Ph-like, DUX4 flags) from gene counts",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--counts", nargs="+", help="count matrix or per-sample count files")
    src.add_argument("--expression", help="expression chunk h5ad (workflow mode)")
    p.add_argument(
        "--format",
        default="matrix",
        choices=("matrix", "h5ad", *SINGLE_SAMPLE_FORMATS),
        help="format of --counts files (default: matrix)",
    )
    add_sample_selection(p, required=False)  # the sheet adds fusion files, blast fractions
    floats = dict.fromkeys(_FLOAT_KEYS, (float, ""))
    section_options(
        p,
        "classify",
        {
            "model": (None, "model folder or name/version"),
            **floats,
            "min_fusion_confidence": (None, ""),
            "top_genes": (int, "features per explanation"),
            "tall_model": (
                None,
                "T-ALL subgroup model folder or name/version ('' = shipped "
                "allstrat-tall/1.0.0; 'none' = no subgroup calls)",
            ),
        },
    )
    p.add_argument(
        "--class-threshold",
        type=label_number(name="P", high=1.0),
        action="append",
        default=[],
        metavar="LABEL=P",
        help="per-class threshold override (repeatable; config classify.class_thresholds)",
    )
    p.add_argument(
        "--clinical",
        default="",
        help="clinical table: its cd1a_pct ... cd65_pct columns give the ETP-ALL "
        "immunophenotype (else ETP status comes from expression; cut-offs: config "
        "classify.etp)",
    )
    o = p.add_argument_group("outputs")
    o.add_argument("--out", required=True, help="calls TSV")
    o.add_argument("--explain", help="explanations JSON")
    o.add_argument("--h5ad", help="AnnData with normalised X and probabilities in obsm")
    o.add_argument("--memo", default="", help=MEMO_HELP)
    p.set_defaults(func=run)


#: classify keys with a float option of the same name
_FLOAT_KEYS = (
    "min_probability",
    "margin",
    "candidate_probability",
    "high",
    "medium",
    "max_ood_score",
    "lineage_margin",
    "marrow_quantile",
    "min_blast_fraction",
    "max_missing_panel_fraction",
    "min_measured_panel_fraction",
)


def classify_settings(args: argparse.Namespace) -> ClassifySettings:
    """The ``classify`` section: ``--config-section`` + options, validated by the loader."""
    thresholds = dict(args.class_threshold) or None  # merged into the section's mapping
    return config_section(args, "classify", {"class_thresholds": thresholds})


def run(args: argparse.Namespace) -> int:
    """Read, classify, write (:func:`allstrat.predict.run_classify`)."""
    from allstrat.cli._common import select_samples
    from allstrat.predict import run_classify

    run_classify(args, classify_settings(args), select_samples(args) if args.sheet else None)
    return 0
