"""Model persistence: the only place in allstrat that unpickles.

A model lives in ``models/<name>/<version>/``: ``model.joblib`` (the pickled estimator),
``model.json`` (the card, schema ``workflow/schemas/model_card.schema.yaml``) and
``metrics.json``. :func:`load_model` checks, **before unpickling**, that the card is valid,
that ``model.joblib``'s sha256 equals the card's (a tampered or swapped file is refused
without being loaded), that the recorded scikit-learn and allstrat major.minor versions
match the installed ones (cross-version unpickling is unsupported) and that the card's
feature list is well formed (and equals ``expected_features`` when given); after loading
it checks that the estimator's own feature list equals the card's.

``model.params.npz`` (optional, card fields ``params_file`` / ``params_sha256``) holds the
fitted parameters prediction needs, exported from ``model.joblib`` by :func:`save_model`
(or ``workflow/scripts/export_model_params.py`` for an existing model); when present,
:func:`load_model` checks its checksum, source pickle, features and classes and predicts
from it without unpickling or importing scikit-learn (:mod:`allstrat.classify.compiled`).
"""

from __future__ import annotations

import functools
import json
import logging
import re
import subprocess
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from allstrat import __version__
from allstrat.errors import ModelError
from allstrat.io.output import atomic_path, write_json
from allstrat.paths import models_dir, project_root
from allstrat.provenance import dependency_versions, sha256_file

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_MODEL",
    "MODEL_DEPENDENCIES",
    "LoadedModel",
    "card_schema",
    "git_commit",
    "load_model",
    "next_version",
    "resolve_model_dir",
    "save_model",
    "write_params",
]

#: The shipped default subtype model (relative to ``models/``).
DEFAULT_MODEL = "allstrat-bcp/1.0.0"
#: Libraries whose versions a model card records (a pickle depends on them).
MODEL_DEPENDENCIES: tuple[str, ...] = ("scikit-learn", "numpy", "scipy", "pandas", "joblib")


@functools.cache
def card_schema() -> dict:
    """Return the model-card JSON schema."""
    p = project_root() / "workflow" / "schemas" / "model_card.schema.yaml"
    with p.open() as fh:
        return yaml.safe_load(fh)


def git_commit() -> str:
    """Checkout commit (``+dirty``: uncommitted changes in workflow/src), or ``"unknown"``."""

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args], cwd=project_root(), capture_output=True, text=True, check=False,
            timeout=10,
        )  # fmt: skip

    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return "unknown"
        dirty = git("diff", "--quiet", "HEAD", "--", "workflow/src").returncode != 0
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head.stdout.strip() + ("+dirty" if dirty else "")


def _major_minor(v: str) -> str:
    return ".".join(v.split("+")[0].split(".")[:2])


def resolve_model_dir(model: str | Path | None) -> Path:
    """Resolve ``--model``: a folder path, or ``name/version`` under ``models/``.

    ``None`` gives the shipped :data:`DEFAULT_MODEL`.
    """
    if model is None:
        return models_dir() / DEFAULT_MODEL
    p = Path(model)
    if p.is_dir():
        return p
    if (models_dir() / p).is_dir():
        return models_dir() / p
    raise ModelError(f"model {str(model)!r} not found (a folder with model.json + model.joblib)")


def next_version(base: str | Path) -> str:
    """Next free patch version of the model folder ``base`` (1.0.0 when it has none)."""
    found = []
    d = Path(base)
    if d.is_dir():
        for sub in d.iterdir():
            m = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", sub.name)
            if m:
                found.append(tuple(int(x) for x in m.groups()))
    if not found:
        return "1.0.0"
    a, b, c = max(found)
    return f"{a}.{b}.{c + 1}"


def save_model(
    estimator: Any, directory: str | Path, *, card: dict[str, Any], metrics: dict[str, Any]
) -> Path:
    """Write a new model version: ``model.joblib``, ``model.json`` and ``metrics.json``.

    Parameters
    ----------
    estimator
        Fitted estimator exposing ``feature_names_in_`` and ``classes_``.
    directory
        ``models/<name>/<version>``; must not exist yet (versions are never overwritten).
    card
        Card fields that training knows (cohort, CV, intended use, limitations ...);
        ``model_file``, ``model_sha256``, ``package*``, ``dependencies``, ``git_commit``,
        ``classes`` and ``feature_names`` are filled in here.
    metrics
        Held-out metrics (per-class precision / recall, confusion matrix, calibration).

    Returns
    -------
    pathlib.Path
        The model directory.
    """
    import joblib

    d = Path(directory)
    if d.exists() and (not d.is_dir() or any(d.iterdir())):
        raise ModelError(f"{d} already exists; a model version is never overwritten")
    # an empty folder (e.g. created by Snakemake for the outputs) is replaced
    tmp_dir = d.parent / f".tmp-{d.name}"
    tmp_dir.mkdir(parents=True, exist_ok=False)
    try:
        with atomic_path(tmp_dir / "model.joblib") as tmp:
            joblib.dump(estimator, tmp, compress=3)
        model_sha = sha256_file(tmp_dir / "model.joblib", reuse=False)
        full = dict(card)
        full.update(write_params(estimator, tmp_dir, model_sha256=model_sha))
        full.update(
            model_file="model.joblib",
            model_sha256=model_sha,
            package="allstrat",
            package_version=__version__,
            dependencies=dependency_versions(MODEL_DEPENDENCIES),
            git_commit=full.get("git_commit") or git_commit(),
            classes=[str(c) for c in estimator.classes_],
            feature_names=[str(f) for f in estimator.feature_names_in_],
        )
        try:
            jsonschema.validate(full, card_schema())
        except jsonschema.ValidationError as exc:
            raise ModelError(f"model card invalid: {exc.message}") from None
        write_json(tmp_dir / "model.json", full)
        write_json(tmp_dir / "metrics.json", metrics)
        if d.is_dir():
            d.rmdir()
        tmp_dir.rename(d)
    except BaseException:
        for f in tmp_dir.glob("*"):
            f.unlink()
        tmp_dir.rmdir()
        raise
    logger.info("saved model %s (%s)", d, full["model_sha256"][:12])
    return d


def write_params(estimator: Any, directory: Path, *, model_sha256: str) -> dict[str, str]:
    """Export the parameters prediction needs next to ``model.joblib`` (see
    :mod:`allstrat.classify.compiled`); returns the card fields naming them, or ``{}`` for
    an estimator that only scikit-learn can apply.
    """
    from allstrat.classify.compiled import PARAMS_FILE, export_params, save_params

    params = export_params(estimator, source_sha256=model_sha256)
    if params is None:
        return {}
    with atomic_path(directory / PARAMS_FILE) as tmp:
        save_params(tmp, params)
    return {
        "params_file": PARAMS_FILE,
        "params_sha256": sha256_file(directory / PARAMS_FILE, reuse=False),
    }


class LoadedModel:
    """A verified model: its card, directory, predictor and (unpickled on first use) estimator.

    ``predictor`` is what classification applies: the scikit-learn-free
    :class:`~allstrat.classify.compiled.CompiledModel` when the card names exported
    parameters, else the estimator. ``estimator`` unpickles ``model.joblib`` (checked in
    :func:`load_model`) the first time it is asked for (training, evaluation).
    """

    def __init__(
        self,
        estimator: Any,
        card: dict[str, Any],
        directory: Path,
        *,
        predictor: Any = None,
    ) -> None:
        self._estimator = estimator
        self.card = card
        self.directory = directory
        self._predictor = predictor

    @property
    def estimator(self) -> Any:
        """The fitted scikit-learn estimator (unpickled on first use)."""
        if self._estimator is None:
            self._estimator = _unpickle(self.directory, self.card)
        return self._estimator

    @property
    def predictor(self) -> Any:
        """The exported-parameter predictor when there is one, else :attr:`estimator`."""
        return self._predictor if self._predictor is not None else self.estimator

    @property
    def model_id(self) -> str:
        """``name/version``."""
        return f"{self.card['name']}/{self.card['version']}"

    @property
    def sha256(self) -> str:
        """sha256 of ``model.joblib``."""
        return str(self.card["model_sha256"])


def load_model(
    directory: str | Path | None = None, *, expected_features: list[str] | None = None
) -> LoadedModel:
    """Verify and load a model (see the module docstring for the checks, in order).

    Parameters
    ----------
    directory
        Model folder, ``name/version`` under ``models/``, or ``None`` for the default.
    expected_features
        When given, the card's feature list must equal it (checked before unpickling).

    Returns
    -------
    LoadedModel
        Estimator, card and directory.

    Raises
    ------
    ModelError
        Missing files, invalid card, checksum mismatch, version mismatch, feature mismatch.
    """
    d = resolve_model_dir(directory)
    card_path, model_path = d / "model.json", d / "model.joblib"
    for p in (card_path, model_path):
        if not p.is_file():
            raise ModelError(f"{p} missing; a model folder holds model.json + model.joblib")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
        jsonschema.validate(card, card_schema())
    except json.JSONDecodeError as exc:
        raise ModelError(f"{card_path}: not valid JSON ({exc})") from None
    except jsonschema.ValidationError as exc:
        raise ModelError(f"{card_path}: invalid model card: {exc.message}") from None
    actual = sha256_file(model_path, reuse=False)
    if actual != card["model_sha256"]:
        raise ModelError(
            f"{model_path}: sha256 {actual[:16]}... does not match the card's "
            f"{card['model_sha256'][:16]}...; refusing to load a modified or foreign model file"
        )
    want_skl = card["dependencies"]["scikit-learn"]
    have_skl = version("scikit-learn")
    if _major_minor(want_skl) != _major_minor(have_skl):
        raise ModelError(
            f"{d}: trained with scikit-learn {want_skl}, installed {have_skl}; "
            "pickles do not load across scikit-learn minor versions: retrain (allstrat train)"
        )
    if _major_minor(card["package_version"]) != _major_minor(__version__):
        raise ModelError(
            f"{d}: trained with allstrat {card['package_version']}, running {__version__}; "
            "retrain the model with this version"
        )
    feats = card["feature_names"]
    if len(set(feats)) != len(feats):
        raise ModelError(f"{card_path}: duplicate names in feature_names")
    if expected_features is not None and list(expected_features) != list(feats):
        raise ModelError(f"{card_path}: feature list differs from the expected one")
    from allstrat.io.gene_table import load_gene_table

    known = load_gene_table().table.index
    foreign = [f for f in feats if f not in known]
    if foreign:
        raise ModelError(
            f"{card_path}: {len(foreign)} of {len(feats)} feature_names are not canonical gene "
            f"symbols of the bundled gene table (e.g. {', '.join(foreign[:3])}); the model "
            "was built on other gene IDs or another gene table: retrain (allstrat train)"
        )
    predictor = _load_params(d, card)
    if predictor is not None:
        logger.info("loaded model %s/%s (%s, exported parameters)", card["name"],
                    card["version"], actual[:12])  # fmt: skip
        return LoadedModel(None, card, d, predictor=predictor)
    estimator = _unpickle(d, card)
    logger.info("loaded model %s/%s (%s)", card["name"], card["version"], actual[:12])
    return LoadedModel(estimator, card, d)


def _unpickle(d: Path, card: dict[str, Any]) -> Any:
    """Unpickle a model whose card :func:`load_model` checked; its features / classes must
    equal the card's.
    """
    import joblib

    model_path = d / "model.joblib"
    if sha256_file(model_path, reuse=False) != card["model_sha256"]:
        raise ModelError(f"{model_path}: sha256 changed since the model was loaded")
    estimator = joblib.load(model_path)  # noqa: TID251 - the only unpickling (verified above)
    _check_names(d, card, estimator.feature_names_in_, estimator.classes_, what="estimator")
    return estimator


def _check_names(d: Path, card: dict[str, Any], features: Any, classes: Any, *, what: str) -> None:
    if [str(f) for f in features] != list(card["feature_names"]):
        raise ModelError(f"{d}: the {what}'s features differ from the card's feature_names")
    if [str(c) for c in classes] != list(card["classes"]):
        raise ModelError(f"{d}: the {what}'s classes differ from the card's classes")


def _load_params(d: Path, card: dict[str, Any]) -> Any:
    """The :class:`~allstrat.classify.compiled.CompiledModel` of a card naming exported
    parameters (checksum, source pickle, features and classes checked), else ``None``.
    """
    if not card.get("params_file"):
        return None
    from allstrat.classify.compiled import CompiledModel, load_params

    path = d / card["params_file"]
    if not path.is_file():
        raise ModelError(f"{path} missing (the model card names it)")
    actual = sha256_file(path, reuse=False)
    if actual != card.get("params_sha256"):
        raise ModelError(
            f"{path}: sha256 {actual[:16]}... does not match the card's params_sha256; "
            "refusing modified exported parameters"
        )
    try:
        model = CompiledModel(load_params(path))
    except (ValueError, KeyError, OSError) as exc:
        raise ModelError(f"{path}: unreadable exported parameters ({exc})") from None
    if model.source_sha256 != card["model_sha256"]:
        raise ModelError(f"{path}: exported from another model.joblib than the card's")
    _check_names(d, card, model.feature_names_in_, model.classes_, what="exported parameters")
    return model
