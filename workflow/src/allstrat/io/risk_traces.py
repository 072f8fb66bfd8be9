"""Reading the risk stage's traces file (either format) as the reports use it.

The layout is :mod:`allstrat.risk.traces`: format 2 keeps each rule's static attributes
once per chunk; :func:`read_risk_traces` gives every sample's entry in format 1 (full
per-rule traces), the same objects the reports read from a format-1 file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from allstrat.errors import InputError
from allstrat.io.stage_tables import read_sidecar
from allstrat.risk.traces import TRACES_FORMAT, expand_sample, templates

__all__ = ["read_risk_traces"]


def read_risk_traces(path: str | Path | None) -> dict[str, Any]:
    """``{sample_id: entry}`` (format-1 entries) plus ``"__meta__"``, as the reports read it.

    Either format (:func:`allstrat.io.stage_tables.read_sidecar` for the layout); an
    unknown ``format`` is an :class:`~allstrat.errors.InputError`.
    """
    entries = read_sidecar(path, what="risk traces")
    meta = entries.get("__meta__", {})
    fmt = meta.get("format") if isinstance(meta, Mapping) else None
    if fmt is None:
        return entries
    if fmt != TRACES_FORMAT:
        raise InputError(
            f"risk traces of format {fmt!r}; this version reads {TRACES_FORMAT}", path=path
        )
    protocols = templates(meta)
    for sid, entry in entries.items():
        if sid != "__meta__":
            entries[sid] = expand_sample(entry, protocols)
    return entries
