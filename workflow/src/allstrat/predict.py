"""The classify stage as one call: subtype model, then the T-ALL second stage.

:func:`classify_samples` loads the subtype model named by the ``classify`` settings, calls
every sample (:func:`allstrat.classify.core.classify_counts`) and, when a sample is called
T lineage, loads the T-ALL subgroup model and the clinical table's immunophenotype and
runs :func:`allstrat.tall.stage.apply_tall_stage`. Like :mod:`allstrat.train` it sits
above the core: it loads models (:mod:`allstrat.models`) and reads the clinical table.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from allstrat.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from allstrat.classify.core import ClassificationResult
    from allstrat.classify.decide import Fusion
    from allstrat.config import ClassifySettings

__all__ = ["Prediction", "classify_samples"]

logger = logging.getLogger(__name__)


@dataclass
class Prediction:
    """Both stages' result, with what the provenance records.

    ``models``: (``model_id``, ``sha256``) of each model used; ``inputs``: files read here
    (the clinical table when the T stage used it); ``etp_settings``: ETP cut-offs applied.
    """

    result: ClassificationResult
    models: list[dict[str, str]]
    etp_settings: dict[str, Any]
    inputs: list[dict[str, str]] = field(default_factory=list)


def classify_samples(
    counts: pd.DataFrame,
    settings: ClassifySettings,
    *,
    fusions: dict[str, list[Fusion] | None],
    blast: dict[str, float | None],
    clinical: str = "",
) -> Prediction:
    """Call every sample of ``counts`` (samples x canonical genes, NaN = not measured).

    ``fusions`` / ``blast``: per sample from the sample sheet (absent = not assessed /
    unknown); ``clinical``: clinical table whose CD columns give the ETP immunophenotype.
    """
    from allstrat.classify.core import classify_counts
    from allstrat.models import load_model

    t0 = time.perf_counter()
    model = load_model(settings.model or None)
    res = classify_counts(
        counts,
        model.predictor,
        model_id=model.model_id,
        model_sha256=model.sha256,
        fusions=fusions,
        blast_fraction=blast or None,
        settings=settings.calls,
        top_n=settings.top_genes,
    )
    out = Prediction(
        res, [{"model_id": model.model_id, "sha256": model.sha256}], settings.etp.__dict__
    )
    if (res.calls["lineage"] == "T").any():
        _tall_stage(out, counts, settings, fusions=fusions, clinical=clinical)
    calls = out.result.calls
    logger.info(
        "classified %d samples in %.1f s: %s",
        len(calls),
        time.perf_counter() - t0,
        calls["subtype"].value_counts().to_dict(),
    )
    return out


def _tall_stage(
    out: Prediction,
    counts: pd.DataFrame,
    settings: ClassifySettings,
    *,
    fusions: dict[str, list[Fusion] | None],
    clinical: str,
) -> None:
    """Second stage on T-lineage samples: subgroup and ETP status (fills ``out``)."""
    from allstrat.models import load_model
    from allstrat.provenance import file_record
    from allstrat.tall.stage import DEFAULT_TALL_MODEL, apply_tall_stage

    model, model_id = None, ""
    if settings.tall_model != "none":
        loaded = load_model(settings.tall_model or DEFAULT_TALL_MODEL)
        if loaded.card.get("panel") != "tall":
            raise InputError(f"--tall-model {loaded.model_id} is not a T-ALL (panel tall) model")
        model, model_id = loaded.predictor, loaded.model_id
        out.models.append({"model_id": model_id, "sha256": loaded.sha256})
    immuno = None
    if clinical:
        from allstrat.io.clinical import read_clinical

        immuno = read_clinical(clinical)
        out.inputs.append(file_record(clinical, role="clinical"))
    res = out.result
    res.calls = apply_tall_stage(
        res.calls, res.explanations, counts, model=model, model_id=model_id, fusions=fusions,
        immunophenotype=immuno, settings=settings.calls, etp_settings=settings.etp,
        top_n=settings.top_genes,
    )  # fmt: skip
