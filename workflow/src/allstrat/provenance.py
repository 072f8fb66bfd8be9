"""Provenance records carried by every allstrat output.

A provenance record answers "what produced this file, from what, with which settings":
package version and the versions of the libraries that shape results, the model id and
its sha256, the rule-set version of each risk protocol, the sha256 of every input file
and the sha256 of the (canonicalised) workflow configuration.

Every stage builds its record with :func:`build_provenance` (the one builder), so the keys
are the same everywhere: ``stage`` (which allstrat stage wrote the output),
``allstrat_version``, ``python``, ``dependencies``, ``models``, ``rulesets``, ``inputs``,
``config_sha256`` and, where a stage has them, ``settings`` and ``upstream``. JSON outputs
carry the record under ``"provenance"``; h5ad outputs carry it as JSON text in
``uns["allstrat"]["provenance_json"]`` (:func:`h5ad_provenance`).

Records are plain JSON-serialisable dicts. They deliberately carry no wall-clock time,
so that rerunning the same inputs with the same software yields byte-identical outputs;
Snakemake's own metadata and logs record when a job ran.
"""

from __future__ import annotations

import functools
import hashlib
import json
import platform
from collections.abc import Iterable, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from allstrat import __version__
from allstrat.errors import InputError
from allstrat.paths import resources_dir

__all__ = [
    "DEPENDENCIES",
    "PROVENANCE_SCHEMA_VERSION",
    "build_provenance",
    "config_sha256",
    "dependency_versions",
    "file_record",
    "h5ad_provenance",
    "merge_model_records",
    "resource_record",
    "sha256_file",
]

#: "2": one builder for every stage; ``stage`` replaces ``step``, optional ``settings``.
PROVENANCE_SCHEMA_VERSION = "2"

#: Libraries whose version can change a call, a number or a rendered figure.
DEPENDENCIES: tuple[str, ...] = (
    "scikit-learn",
    "numpy",
    "scipy",
    "pandas",
    "anndata",
    "scanpy",
    "matplotlib",
    "jinja2",
)

#: Version recorded for a package that is not installed.
NOT_INSTALLED = "not installed"

_CHUNK = 1 << 20


@functools.lru_cache(maxsize=4096)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def sha256_file(path: str | Path, *, reuse: bool = True) -> str:
    """Return the hex sha256 of a file's bytes (the one file checksum of allstrat).

    Results are cached per (path, size, mtime) within one process, so a count matrix
    shared by many samples of a chunk is hashed once.

    Parameters
    ----------
    path
        File to hash.
    reuse
        Reuse a checksum computed earlier in this process for the same (path, size,
        mtime). ``False`` always reads the bytes: integrity checks (a model file about
        to be unpickled) must not trust a file whose bytes changed within one mtime tick.

    Returns
    -------
    str
        64 lowercase hex digits.

    Raises
    ------
    InputError
        If the file does not exist.
    """
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError("file to checksum not found", path=p) from None
    if not reuse:
        return _sha256_cached.__wrapped__(str(p), st.st_size, st.st_mtime_ns)
    return _sha256_cached(str(p.resolve()), st.st_size, st.st_mtime_ns)


def file_record(path: str | Path, *, role: str) -> dict[str, str]:
    """Describe one input file: its path as given, its role and its sha256.

    Parameters
    ----------
    path
        The file (recorded as given, so relative paths stay relative).
    role
        What the file is to the step, e.g. ``"expression"`` or ``"classify_table"``.

    Returns
    -------
    dict
        ``{"path": ..., "role": ..., "sha256": ...}``.
    """
    return {"path": str(path), "role": role, "sha256": sha256_file(path)}


def resource_record(relative: str, *, role: str, sha256: str | None = None) -> dict[str, str]:
    """Describe a bundled reference table under ``resources/`` (path recorded relative).

    Parameters
    ----------
    relative
        Path below ``resources/``, e.g. ``"genes/genes_grch38.tsv.gz"``.
    role
        What the table is to the stage, e.g. ``"gene_table"``.
    sha256
        The checksum when the loader has already computed it (else the file is hashed).

    Returns
    -------
    dict
        ``{"path": "resources/<relative>", "role": ..., "sha256": ...}``.
    """
    digest = sha256 if sha256 is not None else sha256_file(resources_dir() / relative)
    return {"path": f"resources/{relative}", "role": role, "sha256": digest}


def config_sha256(config: Mapping[str, Any]) -> str:
    """Hash a configuration mapping independently of key order and YAML formatting.

    Parameters
    ----------
    config
        The validated workflow configuration (JSON-serialisable values).

    Returns
    -------
    str
        sha256 of the canonical JSON form (sorted keys, no whitespace).

    Examples
    --------
    >>> config_sha256({"a": 1, "b": [2]}) == config_sha256({"b": [2], "a": 1})
    True
    """
    canonical = json.dumps(
        config, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def dependency_versions(packages: Iterable[str] = DEPENDENCIES) -> dict[str, str]:
    """Return ``{package: version}`` for ``packages`` (``"not installed"`` if missing).

    Looked up once per process (package metadata scans cost ~10 ms per package).

    Parameters
    ----------
    packages
        Distribution names; the default is :data:`DEPENDENCIES` (what a result depends
        on). Model cards record :data:`allstrat.models.MODEL_DEPENDENCIES`.

    Returns
    -------
    dict
        Version string per package, in the order given.
    """
    return dict(_versions(tuple(packages)))


@functools.cache
def _versions(packages: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    out = []
    for name in packages:
        try:
            out.append((name, version(name)))
        except PackageNotFoundError:
            out.append((name, NOT_INSTALLED))
    return tuple(out)


def merge_model_records(records: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """Deduplicate ``{"model_id", "sha256"}`` records, sorted by model id.

    Parameters
    ----------
    records
        Model records as found in stage tables (one per sample); empty ids are skipped.

    Returns
    -------
    list of dict
        One record per distinct (model_id, sha256) pair.
    """
    seen = {
        (str(r.get("model_id", "")), str(r.get("sha256", "")))
        for r in records
        if str(r.get("model_id", ""))
    }
    return [{"model_id": m, "sha256": s} for m, s in sorted(seen)]


def build_provenance(
    *,
    stage: str,
    inputs: Iterable[Mapping[str, str]] = (),
    models: Iterable[Mapping[str, str]] = (),
    rulesets: Mapping[str, str] | None = None,
    config_hash: str = "",
    settings: Mapping[str, Any] | None = None,
    upstream: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble the provenance record of one stage's output (the only builder).

    Parameters
    ----------
    stage
        The allstrat stage that wrote the output (e.g. ``"classify"``,
        ``"report samples"``).
    inputs
        File records from :func:`file_record`.
    models
        Model records ``{"model_id", "sha256"}`` (see :func:`merge_model_records`).
    rulesets
        ``{protocol: ruleset_version}`` of the risk rule sets used.
    config_hash
        :func:`config_sha256` of the workflow configuration; empty when run outside the
        workflow without a configuration.
    settings
        The stage's effective thresholds / options, recorded under ``"settings"``.
    upstream
        Provenance handed on by earlier stages (e.g. ``uns["allstrat"]`` of an h5ad),
        kept verbatim under ``"upstream"``.

    Returns
    -------
    dict
        JSON-serialisable record; keys are sorted when written with
        :func:`allstrat.io.output.write_json`.
    """
    inputs_list = sorted(
        ({str(k): str(v) for k, v in r.items()} for r in inputs),
        key=lambda r: (r.get("role", ""), r.get("path", "")),
    )
    record: dict[str, Any] = {
        "provenance_schema_version": PROVENANCE_SCHEMA_VERSION,
        "stage": stage,
        "allstrat_version": __version__,
        "python": platform.python_version(),
        "dependencies": dependency_versions(),
        "models": merge_model_records(models),
        "rulesets": dict(sorted((rulesets or {}).items())),
        "inputs": inputs_list,
        "config_sha256": config_hash,
    }
    if settings is not None:
        record["settings"] = dict(settings)
    if upstream:
        record["upstream"] = dict(upstream)
    return record


def h5ad_provenance(record: Mapping[str, Any]) -> dict[str, str]:
    """The ``uns["allstrat"]`` entries of an h5ad output for a :func:`build_provenance` record.

    h5py cannot store lists of records, so the record goes in as sorted JSON text
    (``provenance_json``); ``stage`` and ``allstrat_version`` are repeated as plain strings
    for a quick look.

    Parameters
    ----------
    record
        A record from :func:`build_provenance`.

    Returns
    -------
    dict
        ``{"stage", "allstrat_version", "provenance_json"}``.
    """
    return {
        "stage": str(record["stage"]),
        "allstrat_version": str(record["allstrat_version"]),
        "provenance_json": json.dumps(record, sort_keys=True, default=str),
    }
