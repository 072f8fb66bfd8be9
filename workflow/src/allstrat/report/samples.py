"""Write the per-sample outputs of one chunk: ``<sample>.json`` and ``<sample>.html``."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from allstrat.io.output import json_text, write_texts
from allstrat.report.figures import SampleFigures
from allstrat.report.html import render_sample_html

logger = logging.getLogger(__name__)

__all__ = ["write_sample_reports"]


def write_sample_reports(
    records: Mapping[str, Mapping[str, Any]],
    *,
    outdir: str | Path,
    figures: SampleFigures,
    html: bool = True,
    batch: int = 256,
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

    Returns
    -------
    list of Path
        The files written, in sample order.
    """
    out = Path(outdir)
    t0 = time.perf_counter()
    logger.info("writing reports of %d samples to %s", len(records), out)
    written: list[Path] = []
    pending: dict[Path, str] = {}
    for sid, rec in records.items():
        pending[out / f"{sid}.json"] = json_text(rec)
        if html:
            pending[out / f"{sid}.html"] = render_sample_html(rec, figures=figures)
        if len(pending) >= batch:  # bounded memory: a batch of files at a time
            write_texts(pending, batch=batch)
            written += pending
            pending = {}
    write_texts(pending, batch=batch)
    written += pending
    dt = time.perf_counter() - t0
    logger.info(
        "wrote %d files for %d samples in %.2f s (%.3f s/sample)",
        len(written),
        len(records),
        dt,
        dt / max(len(records), 1),
    )
    return written
