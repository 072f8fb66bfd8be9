"""Provenance records carried by every allstrat output.

A provenance record answers "what produced this file, from what, with which settings":
package version and the versions of the libraries that shape results, the model id and
its sha256, the rule-set version of each risk protocol, the sha256 of every input file
and the sha256 of the (canonicalised) workflow configuration.

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

__all__ = [
    "DEPENDENCIES",
    "PROVENANCE_SCHEMA_VERSION",
    "build_provenance",
    "config_sha256",
    "dependency_versions",
    "file_record",
    "merge_model_records",
    "sha256_file",
]

PROVENANCE_SCHEMA_VERSION = "1"

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
    step: str,
    inputs: Iterable[Mapping[str, str]] = (),
    models: Iterable[Mapping[str, str]] = (),
    rulesets: Mapping[str, str] | None = None,
    config_hash: str = "",
    upstream: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble a provenance record.

    Parameters
    ----------
    step
        The allstrat step that wrote the output (e.g. ``"report samples"``).
    inputs
        File records from :func:`file_record`.
    models
        Model records ``{"model_id", "sha256"}`` (see :func:`merge_model_records`).
    rulesets
        ``{protocol: ruleset_version}`` of the risk rule sets used.
    config_hash
        :func:`config_sha256` of the workflow configuration; empty when run outside the
        workflow without a configuration.
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
        "step": step,
        "allstrat_version": __version__,
        "python": platform.python_version(),
        "dependencies": dependency_versions(),
        "models": merge_model_records(models),
        "rulesets": dict(sorted((rulesets or {}).items())),
        "inputs": inputs_list,
        "config_sha256": config_hash,
    }
    if upstream:
        record["upstream"] = dict(upstream)
    return record
