"""Write the per-sample outputs of one chunk: ``<sample>.json`` and ``<sample>.html``.

Reruns are incremental per sample: with a key file, each sample's *render key* (sha256
of its result record and of the rendering code and templates) is recorded; on the next
run a sample whose key is unchanged and whose files are still there is not rendered
again, its files are only touched (so that Snakemake sees them as newer than the chunk's
inputs). Deleting one sample's report therefore costs one render, not a chunk's. Records
are validated against the result schema when they are written: an unchanged key means the
same record (and schema, which is part of the key) as a file that passed when written.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import time
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from allstrat import __version__
from allstrat.errors import InputError
from allstrat.io.output import indent_json, sorted_json, write_json, write_texts
from allstrat.io.samples import SCHEMA_DIR
from allstrat.report.figures import SampleFigures
from allstrat.report.html import render_sample_html

logger = logging.getLogger(__name__)

__all__ = ["render_key", "write_sample_reports"]

#: Modules whose code shapes a rendered report (their source is part of the render key).
_RENDER_CODE = (
    "allelic.py",
    "assemble.py",
    "evidence.py",
    "figures.py",
    "html.py",
    "samples.py",
    "svg.py",
)


@functools.cache
def _renderer_fingerprint() -> bytes:
    """sha256 of the allstrat version, the report templates, the rendering code and the
    result schema the records are validated against.
    """
    from allstrat.report.assemble import SCHEMA_NAME

    h = hashlib.sha256(__version__.encode())
    pkg = resources.files("allstrat.report")
    files: list[Any] = [pkg / name for name in _RENDER_CODE]
    files += sorted((f for f in (pkg / "templates").iterdir()), key=lambda f: f.name)
    files.append(SCHEMA_DIR / SCHEMA_NAME)
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.digest()


def render_key(record: Mapping[str, Any], *, html: bool = True) -> str:
    """Key of a sample's rendered files: changes when the record or the renderer does."""
    return _key(sorted_json(record).encode("utf-8"), html=html)


def _key(one_line: bytes, *, html: bool) -> str:
    """:func:`render_key` of the record whose one-line JSON is ``one_line``."""
    h = hashlib.sha256(_renderer_fingerprint())
    h.update(b"html" if html else b"json")
    h.update(one_line)
    return h.hexdigest()


def _read_keys(path: Path | None) -> dict[str, str]:
    if path is None or not path.is_file():
        return {}
    try:
        keys = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        logger.warning("render keys %s unreadable: every sample is rendered", path)
        return {}
    return keys if isinstance(keys, dict) else {}


def write_sample_reports(
    records: Mapping[str, Mapping[str, Any]],
    *,
    outdir: str | Path,
    figures: SampleFigures,
    html: bool = True,
    batch: int = 256,
    keys: str | Path | None = None,
    validate: bool = True,
) -> list[Path]:
    """Write each record as ``<outdir>/<sample_id>.json`` (+ ``.html``), atomically.

    Parameters
    ----------
    records
        ``{sample_id: record}`` from :func:`allstrat.report.assemble.assemble_records`.
    outdir
        Destination folder (created if needed).
    figures
        Reusable figures; closed by the caller.
    html
        Also render the HTML report (default).
    batch
        Files rendered, held in memory and then written together (one disk sync).
    keys
        JSON file of ``{sample_id: render key}`` from the previous run (rewritten at the
        end). Samples whose key is unchanged and whose files exist are skipped (touched).
        ``None``: render every sample.
    validate
        Validate each record that is written against the result schema
        (:func:`allstrat.report.assemble.validate_record`; skipped samples were validated
        when their files were written: same key, same record and schema).

    Returns
    -------
    list of Path
        The files written (skipped samples' files are not listed), in sample order.
    """
    from allstrat.report.assemble import validate_record

    out = Path(outdir)
    keys_path = Path(keys) if keys is not None else None
    old = _read_keys(keys_path)
    new: dict[str, str] = {}
    t0 = time.perf_counter()
    logger.info("writing reports of %d samples to %s", len(records), out)
    written: list[Path] = []
    pending: dict[Path, str | bytes] = {}
    skipped = 0
    for sid, rec in records.items():
        paths = [out / f"{sid}.json", *([out / f"{sid}.html"] if html else [])]
        # one C-encoder pass gives the render key and, laid out, the JSON file
        one_line = sorted_json(rec).encode("utf-8")
        if keys_path is not None:
            new[sid] = _key(one_line, html=html)
            if old.get(sid) == new[sid] and all(p.is_file() for p in paths):
                for p in paths:
                    os.utime(p)
                skipped += 1
                continue
        if validate:
            validate_record(rec)
        pending[paths[0]] = indent_json(one_line) + b"\n"
        if html:
            pending[paths[1]] = render_sample_html(rec, figures=figures)
        if len(pending) >= batch:  # bounded memory: a batch of files at a time
            write_texts(pending, batch=batch)
            written += pending
            pending = {}
    write_texts(pending, batch=batch)
    written += pending
    if keys_path is not None:
        try:
            write_json(keys_path, {**old, **new})
        except OSError as exc:
            raise InputError(f"cannot write render keys: {exc}", path=keys_path) from None
    dt = time.perf_counter() - t0
    logger.info(
        "wrote %d files for %d samples (%d unchanged, not rendered again) in %.2f s",
        len(written),
        len(records),
        skipped,
        dt,
    )
    return written
