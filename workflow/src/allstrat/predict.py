"""The classify stage as one call: subtype model, then the T-ALL second stage.

:func:`classify_samples` loads the subtype model named by the ``classify`` settings, calls
every sample (:func:`allstrat.classify.core.classify_counts`) and, when a sample is called
T lineage, loads the T-ALL subgroup model and the clinical table's immunophenotype and
runs :func:`allstrat.tall.stage.apply_tall_stage`. Like :mod:`allstrat.train` it sits
above the core: it loads models (:mod:`allstrat.models`) and reads the clinical table.
"""

from __future__ import annotations

import base64
import functools
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from allstrat.errors import InputError
from allstrat.tall.stage import apply_tall_stage

if TYPE_CHECKING:
    from allstrat.classify.core import ClassificationResult
    from allstrat.classify.decide import Fusion
    from allstrat.config import ClassifySettings
    from allstrat.models import LoadedModel

__all__ = ["LoadedModels", "Prediction", "classify_samples", "classify_with_memo", "run_classify"]

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
    loaded: LoadedModels | None = None,
) -> Prediction:
    """Call every sample of ``counts`` (samples x canonical genes, NaN = not measured).

    ``fusions`` / ``blast``: per sample from the sample sheet (absent = not assessed /
    unknown); ``clinical``: clinical table whose CD columns give the ETP immunophenotype;
    ``loaded``: models and table already loaded by the caller (else loaded here).
    """
    from allstrat.classify.core import classify_counts

    t0 = time.perf_counter()
    loaded = loaded or LoadedModels(settings, clinical)
    model = loaded.subtype
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
        loaded.record_tall(out)
        res.calls = apply_tall_stage(
            res.calls, res.explanations, counts, model=loaded.tall[0], model_id=loaded.tall[1],
            fusions=fusions, immunophenotype=loaded.immunophenotype, settings=settings.calls,
            etp_settings=settings.etp, top_n=settings.top_genes,
        )  # fmt: skip
    calls = out.result.calls
    logger.info(
        "classified %d samples in %.1f s: %s",
        len(calls),
        time.perf_counter() - t0,
        calls["subtype"].value_counts().to_dict(),
    )
    return out


class LoadedModels:
    """The models and clinical table of one classify run, each loaded once, when needed.

    ``subtype``: the subtype model; ``tall``: (predictor or ``None``, model id, sha256) of
    the T-ALL subgroup model (``None``, "", "" with ``tall_model: none``);
    ``immunophenotype``: the clinical table (``None`` without one).
    """

    def __init__(self, settings: ClassifySettings, clinical: str) -> None:
        self.settings = settings
        self.clinical = clinical

    @functools.cached_property
    def subtype(self) -> LoadedModel:
        """The subtype model (``settings.model``, else the shipped default)."""
        from allstrat.models import load_model

        return load_model(self.settings.model or None)

    @functools.cached_property
    def tall(self) -> tuple[Any, str, str]:
        """The T-ALL model's predictor, id and sha256 (``None``, "", "" when ``none``)."""
        from allstrat.models import load_model
        from allstrat.tall.stage import DEFAULT_TALL_MODEL

        if self.settings.tall_model == "none":
            return None, "", ""
        loaded = load_model(self.settings.tall_model or DEFAULT_TALL_MODEL)
        if loaded.card.get("panel") != "tall":
            raise InputError(f"--tall-model {loaded.model_id} is not a T-ALL (panel tall) model")
        return loaded.predictor, loaded.model_id, loaded.sha256

    @functools.cached_property
    def immunophenotype(self) -> pd.DataFrame | None:
        """The clinical table (its CD columns give the ETP immunophenotype), if named."""
        if not self.clinical:
            return None
        from allstrat.io.clinical import read_clinical

        return read_clinical(self.clinical)

    def record_tall(self, out: Prediction) -> None:
        """Add the T-ALL model and the clinical table to ``out``'s provenance (loading them)."""
        from allstrat.provenance import file_record

        _, model_id, sha256 = self.tall
        if model_id:
            out.models.append({"model_id": model_id, "sha256": sha256})
        if self.immunophenotype is not None:
            out.inputs.append(file_record(self.clinical, role="clinical"))

    def tall_key(self, sid: str) -> str:
        """Digest of what the T-ALL stage of T-lineage sample ``sid`` depends on besides its
        first-stage inputs: the T-ALL model and the sample's immunophenotype row.
        """
        from allstrat.memo import digest

        return digest(self.tall[1:], self.marker_rows.get(sid))

    @functools.cached_property
    def marker_rows(self) -> dict[Any, dict[str, Any]]:
        """Per sample of the clinical table its ETP marker values (``{}`` without a table):
        ``immunophenotype.loc[sid, markers].to_dict()`` of every sample at once (sample
        ids are unique in the clinical table).
        """
        from allstrat.contracts import ETP_MARKER_COLUMNS

        immuno = self.immunophenotype
        if immuno is None:
            return {}
        return immuno[list(ETP_MARKER_COLUMNS)].to_dict("index")


def classify_with_memo(
    counts: pd.DataFrame,
    settings: ClassifySettings,
    *,
    rows: pd.DataFrame | None,
    clinical: str = "",
    memo: str | Path | None = None,
) -> Prediction:
    """:func:`classify_samples` of ``counts`` with the sheet ``rows``' fusions and blast
    fractions, recomputing only the samples a per-sample memo (:mod:`allstrat.memo`) lacks.

    A sample is reused while its expression row (NaN = not measured), the bytes of its
    fusion files (:func:`~allstrat.io.fusions.fusion_input_digests`: unchanged files are not
    parsed) and its blast fraction are unchanged, under the same code, subtype model,
    settings and gene order; a T-lineage sample also needs the same T-ALL model and
    immunophenotype row. The others go through both stages as one batch (a sample's
    result never depends on its batch). Normalised expression is recomputed for all
    samples (vectorised); the rest comes from the memo. The result equals a run without
    memo (``memo=None``: every sample computed, nothing stored).
    """
    from allstrat.io.fusions import fusion_input_digests, read_sample_fusions
    from allstrat.io.samples import blast_fractions
    from allstrat.memo import SampleMemo

    loaded = LoadedModels(settings, clinical)
    blast = blast_fractions(rows) if rows is not None else {}
    if not memo:
        fusions = read_sample_fusions(rows) if rows is not None else {}
        return classify_samples(counts, settings, fusions=fusions, blast=blast, loaded=loaded)
    model = loaded.subtype
    genes = [str(c) for c in counts.columns]
    context = (model.model_id, model.sha256, settings, genes)
    book = SampleMemo(memo, stage="classify", context=context)
    fkeys = fusion_input_digests(rows) if rows is not None else {}
    x = counts.to_numpy(dtype=np.float64)
    ids = [str(s) for s in counts.index]
    keys = [book.key(x[i], fkeys.get(sid), blast.get(sid)) for i, sid in enumerate(ids)]
    entries: dict[str, Any] = {}
    for sid, key in zip(ids, keys, strict=True):
        entry = book.get(sid, key)
        if entry is None:
            continue
        if entry["calls"]["lineage"] == "T" and entry["tall"] != loaded.tall_key(sid):
            book.hits, book.misses = book.hits - 1, book.misses + 1  # T-ALL inputs changed
            continue
        entries[sid] = entry
    todo = [sid for sid in ids if sid not in entries]
    part = None
    if todo:
        sub = rows.loc[todo] if rows is not None else None
        fusions = read_sample_fusions(sub) if sub is not None else {}
        part = classify_samples(
            counts.loc[todo], settings, fusions=fusions, blast=blast, loaded=loaded
        )
        for sid, entry in _memo_entries(part.result, loaded).items():
            entries[sid] = entry
    for sid, key in zip(ids, keys, strict=True):
        book.put(sid, key, entries[sid])
    book.save()
    if part is not None and len(todo) == len(ids):
        return part
    return _reassemble(counts, entries, loaded, settings)


def _memo_entries(res: ClassificationResult, loaded: LoadedModels) -> dict[str, dict[str, Any]]:
    """Per sample what :func:`_reassemble` needs: its calls row (with probabilities), its
    features (float64 bytes, base64: exact and compact), its explanation (as the JSON
    output holds it) and, for T lineage, the T-ALL stage's key.
    """
    from allstrat.serialise import to_plain

    cols = [str(c) for c in res.calls.columns]
    pos = {str(s): i for i, s in enumerate(res.features.index)}
    feats = res.features.to_numpy(dtype="<f8")
    out: dict[str, dict[str, Any]] = {}
    for values in res.calls.itertuples(index=False, name=None):
        plain = (v.item() if isinstance(v, np.generic) else v for v in values)
        row = dict(zip(cols, plain, strict=True))
        sid = str(row["sample_id"])
        out[sid] = {
            "calls": row,
            "features": base64.b64encode(feats[pos[sid]].tobytes()).decode("ascii"),
            "explanation": to_plain(res.explanations[sid]),
            "tall": loaded.tall_key(sid) if row["lineage"] == "T" else None,
        }
    return out


def _reassemble(
    counts: pd.DataFrame,
    entries: dict[str, dict[str, Any]],
    loaded: LoadedModels,
    settings: ClassifySettings,
) -> Prediction:
    """The :class:`Prediction` of all samples of ``counts`` from their memo entries; the
    normalised expression (not stored: a row per gene) is recomputed for all.
    """
    from allstrat.classify.core import ClassificationResult, align_counts
    from allstrat.contracts import CLASSIFY_COLUMNS

    ids = [str(s) for s in counts.index]
    model = loaded.subtype
    feats = model.predictor.named_steps["features"]
    classes = [str(c) for c in model.predictor.named_steps["classifier"].classes_]
    probs = [f"prob:{c}" for c in classes]
    calls = pd.DataFrame([entries[s]["calls"] for s in ids], columns=[*CLASSIFY_COLUMNS, *probs])
    genes = [str(g) for g in model.predictor.feature_names_in_]
    aligned, _ = align_counts(counts, genes)
    y, _, _ = feats.reference_values(aligned.to_numpy(dtype=float))
    f = [np.frombuffer(base64.b64decode(entries[s]["features"]), dtype="<f8") for s in ids]
    res = ClassificationResult(
        calls=calls,
        probabilities=pd.DataFrame(calls[probs].to_numpy(np.float64), index=ids, columns=classes),
        features=pd.DataFrame(
            np.vstack(f).astype(np.float64),
            index=ids,
            columns=[str(n) for n in feats.get_feature_names_out()],
        ),
        normalised=pd.DataFrame(y, index=ids, columns=genes),
        explanations={s: entries[s]["explanation"] for s in ids},
    )
    out = Prediction(
        res, [{"model_id": model.model_id, "sha256": model.sha256}], settings.etp.__dict__
    )
    if (calls["lineage"] == "T").any():
        loaded.record_tall(out)
    return out


def run_classify(args: Any, settings: ClassifySettings, rows: pd.DataFrame | None) -> None:
    """The ``allstrat classify`` verb's work: read the counts (``args.expression`` or
    ``args.counts``), classify them with the sheet ``rows`` (memo ``args.memo``) and write
    the calls TSV, explanations JSON and AnnData (``args.out`` / ``explain`` / ``h5ad``).
    """
    from allstrat.io.chunk import write_classify_outputs
    from allstrat.io.counts_input import read_counts_input
    from allstrat.provenance import build_provenance, file_record
    from allstrat.serialise import to_plain

    wanted = [str(s) for s in rows.index] if rows is not None else None
    data = read_counts_input(
        expression=args.expression, counts=args.counts or (), fmt=args.format, samples=wanted
    )
    pred = classify_with_memo(
        data.counts, settings, rows=rows, clinical=args.clinical, memo=args.memo
    )
    prov = build_provenance(
        stage="classify",
        inputs=[*(file_record(f, role=r) for f, r in data.files), *pred.inputs],
        models=pred.models,
        settings=to_plain({**settings.calls.__dict__, "etp": pred.etp_settings}),
    )
    write_classify_outputs(
        pred.result,
        data.counts,
        out=args.out,
        explain=args.explain,
        h5ad=args.h5ad,
        provenance=prov,
        harmonisation=data.harmonisation,
        upstream=data.upstream,
        model=pred.models[0],
    )
