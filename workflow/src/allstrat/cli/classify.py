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
import logging
import time

import pandas as pd

from allstrat.classify.core import ClassificationResult, classify_counts
from allstrat.classify.decide import Fusion
from allstrat.cli._common import add_config_section, config_section, schema_help
from allstrat.config import ClassifySettings
from allstrat.errors import InputError
from allstrat.io.chunk import write_classify_outputs
from allstrat.io.counts_input import read_counts_input
from allstrat.io.expression import SINGLE_SAMPLE_FORMATS
from allstrat.io.samples import blast_fraction
from allstrat.serialise import to_plain

logger = logging.getLogger(__name__)


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
    g = p.add_argument_group("sample sheet (fusion files, blast fraction)")
    g.add_argument("--sheet", help="sample sheet TSV")
    g.add_argument("--chunk", help="chunk id of the workflow's batching")
    g.add_argument("--samples-per-job", type=int, default=250, help="chunk size (default 250)")
    g.add_argument("--sample", action="append", default=[], help="restrict to this sample")
    add_config_section(p, "classify")
    t = p.add_argument_group(
        "call settings (override --config-section; defaults: config schema, config/README.md)"
    )
    t.add_argument("--model", help=schema_help("classify.model", "model folder or name/version"))
    for key in _FLOAT_KEYS:
        t.add_argument(
            f"--{key.replace('_', '-')}", type=float, help=schema_help(f"classify.{key}")
        )
    t.add_argument(
        "--class-threshold",
        action="append",
        default=[],
        metavar="LABEL=P",
        help="per-class threshold override (repeatable; config classify.class_thresholds)",
    )
    t.add_argument("--min-fusion-confidence", help=schema_help("classify.min_fusion_confidence"))
    t.add_argument("--top-genes", type=int, help=schema_help("classify.top_genes"))
    tg = p.add_argument_group("T-ALL second stage (samples called T lineage)")
    tg.add_argument(
        "--tall-model",
        help=schema_help(
            "classify.tall_model",
            "T-ALL subgroup model folder or name/version ('' = shipped allstrat-tall/1.0.0; "
            "'none' = no subgroup calls)",
        ),
    )
    tg.add_argument(
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
    thresholds: dict[str, float] = {}
    for item in args.class_threshold:
        label, sep, value = item.rpartition("=")
        try:
            v = float(value)
        except ValueError:
            v = -1.0
        if not sep or not label or not 0 <= v <= 1:
            raise InputError(f"--class-threshold {item!r}: expected LABEL=P with 0 <= P <= 1")
        thresholds[label] = v
    keys = (*_FLOAT_KEYS, "model", "min_fusion_confidence", "top_genes", "tall_model")
    overrides = {key: getattr(args, key) for key in keys}
    overrides["class_thresholds"] = thresholds or None
    return config_section(args, "classify", overrides)


def run(args: argparse.Namespace) -> int:
    """Read, classify, write."""
    from allstrat.cli._common import select_samples
    from allstrat.models import load_model
    from allstrat.provenance import build_provenance, file_record

    t0 = time.perf_counter()
    cfg = classify_settings(args)
    settings = cfg.calls
    rows = select_samples(args) if args.sheet else None
    wanted = [str(s) for s in rows.index] if rows is not None else None
    data = read_counts_input(
        expression=args.expression, counts=args.counts or (), fmt=args.format, samples=wanted
    )
    counts, upstream, harmonisation = data.counts, data.upstream, data.harmonisation
    inputs = [file_record(f, role=r) for f, r in data.files]
    fusions: dict[str, list[Fusion] | None] = {}
    blast: dict[str, float | None] = {}
    if rows is not None:
        from allstrat.io.fusions import read_sample_fusions

        fusions = read_sample_fusions(rows)
        if "blast_fraction" in rows.columns:
            blast = {str(s): blast_fraction(v) for s, v in rows["blast_fraction"].items()}
    model = load_model(cfg.model or None)
    res = classify_counts(
        counts,
        model.estimator,
        model_id=model.model_id,
        model_sha256=model.sha256,
        fusions=fusions,
        blast_fraction=blast or None,
        settings=settings,
        top_n=cfg.top_genes,
    )
    res.calls, tall_prov = run_tall_stage(
        args, res, counts, fusions=fusions, settings=cfg, inputs=inputs
    )
    models = [{"model_id": model.model_id, "sha256": model.sha256}]
    if tall_prov.get("model_id"):
        models.append({"model_id": tall_prov["model_id"], "sha256": tall_prov["model_sha256"]})
    prov = build_provenance(
        stage="classify",
        inputs=inputs,
        models=models,
        settings=to_plain({**settings.__dict__, "etp": tall_prov["etp_settings"]}),
    )
    write_classify_outputs(
        res,
        counts,
        out=args.out,
        explain=args.explain,
        h5ad=args.h5ad,
        provenance=prov,
        harmonisation=harmonisation,
        upstream=upstream,
        model={"model_id": model.model_id, "sha256": model.sha256},
    )
    n = len(res.calls)
    dt = time.perf_counter() - t0
    logger.info(
        "classified %d samples in %.1f s: %s",
        n,
        dt,
        res.calls["subtype"].value_counts().to_dict(),
    )
    return 0


def run_tall_stage(
    args: argparse.Namespace,
    res: ClassificationResult,
    counts: pd.DataFrame,
    *,
    fusions: dict[str, list[Fusion] | None],
    settings: ClassifySettings,
    inputs: list[dict[str, str]],
) -> tuple[pd.DataFrame, dict]:
    """Second stage on T-lineage samples: subgroup, ETP status (see allstrat.tall.stage).

    Loads the T-ALL model (``settings.tall_model``) and the clinical table (``--clinical``, added to
    ``inputs``), runs :func:`allstrat.tall.stage.apply_tall_stage` and returns the filled
    calls table with the stage's provenance (model id / sha256, ETP settings).
    """
    from allstrat.models import load_model
    from allstrat.provenance import file_record
    from allstrat.tall.stage import DEFAULT_TALL_MODEL, apply_tall_stage

    es = settings.etp
    prov: dict = {"etp_settings": es.__dict__}
    if not (res.calls["lineage"] == "T").any():
        return res.calls, prov
    model = None
    model_id = ""
    if settings.tall_model != "none":
        loaded = load_model(settings.tall_model or DEFAULT_TALL_MODEL)
        if loaded.card.get("panel") != "tall":
            raise InputError(f"--tall-model {loaded.model_id} is not a T-ALL (panel tall) model")
        model, model_id = loaded.estimator, loaded.model_id
        prov.update(model_id=model_id, model_sha256=loaded.sha256)
    immuno = None
    if args.clinical:
        from allstrat.io.clinical import read_clinical

        immuno = read_clinical(args.clinical)
        inputs.append(file_record(args.clinical, role="clinical"))
    calls = apply_tall_stage(
        res.calls, res.explanations, counts, model=model, model_id=model_id, fusions=fusions,
        immunophenotype=immuno, settings=settings.calls, etp_settings=es, top_n=settings.top_genes,
    )  # fmt: skip
    return calls, prov
