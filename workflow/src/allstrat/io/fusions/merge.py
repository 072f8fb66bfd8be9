"""Merge the fusion calls of several callers of one sample into one row per fusion.

Rules (:func:`merge_calls`):

* only rows that passed their caller's own filters are merged (filtered rows are listed
  apart by the classifier's explanation, never used to decide);
* one row per (sample, 5' gene, 3' gene): the callers that reported it (``callers``,
  ``;``-joined, sorted) and their number (``n_callers``);
* ``confidence`` = the best confidence any caller gave, raised one level (low -> medium,
  medium -> high) when two or more callers report the same fusion: independent
  algorithms agreeing is evidence in itself (agreement never lifts a call above high);
* reads: the largest ``junction_reads`` / ``spanning_reads`` of one caller (callers count
  the same reads differently, sums would double count); breakpoints from the caller with
  the best confidence (then most junction reads).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

MERGED_COLUMNS = (
    "sample_id",
    "gene5",
    "gene3",
    "confidence",
    "callers",
    "n_callers",
    "caller_confidences",
    "junction_reads",
    "spanning_reads",
    "breakpoint5",
    "breakpoint3",
    "build",
    "gene5_in_table",
    "gene3_in_table",
)
_RANK = {"low": 0, "medium": 1, "high": 2}
_LEVEL = ("low", "medium", "high")


_KEYS = ("sample_id", "gene5", "gene3")
_USED = (*_KEYS, "caller", "confidence", "junction_reads", "spanning_reads", "breakpoint5",
         "breakpoint3", "build", "gene5_in_table", "gene3_in_table")  # fmt: skip


def merge_calls(table: pd.DataFrame) -> pd.DataFrame:
    """Merge passing fusion rows of one or more callers (module docstring).

    Plain Python over the rows (:func:`merge_rows`): a sample has a handful of calls, and
    a pandas group-by per sample cost a 2,500-sample classify job seconds (profiled).
    """
    recs: list[dict[str, Any]] = []
    if len(table):
        passed = table["passed"].astype(bool).to_numpy()
        recs = table.loc[passed, list(_USED)].to_dict("records")
    return pd.DataFrame(merge_rows(recs, passed_only=False), columns=list(MERGED_COLUMNS))


def merge_rows(recs: Iterable[dict[str, Any]], *, passed_only: bool = True) -> list[dict[str, Any]]:
    """:func:`merge_calls` of rows as dicts (of at least the columns it uses, and
    ``passed`` unless ``passed_only`` is False: the rows are then all taken).

    Groups come in order of first appearance; the breakpoints are those of the first row
    with the best (confidence, junction reads) -- what a stable descending sort would put
    first.
    """
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for rec in recs:
        if passed_only and not rec["passed"]:
            continue
        key = tuple(rec[k] for k in _KEYS)
        # as a group-by: rows with a missing key drop (keys are text, but for a frame)
        if any(not isinstance(k, str) and pd.isna(k) for k in key):
            continue
        groups.setdefault(key, []).append(rec)
    return [_merge_group(key, rows) for key, rows in groups.items()]


def _merge_group(key: tuple[Any, ...], recs: list[dict[str, Any]]) -> dict[str, Any]:
    """One merged row from the passing rows of one (sample, 5' gene, 3' gene)."""
    ranks = [_RANK[r["confidence"]] for r in recs]
    best = recs[max(range(len(recs)), key=lambda i: (ranks[i], recs[i]["junction_reads"]))]
    callers = sorted({r["caller"] for r in recs})
    rank = max(ranks)
    if len(callers) >= 2:
        rank = min(rank + 1, 2)
    per_caller = {
        c: _LEVEL[max(k for r, k in zip(recs, ranks, strict=True) if r["caller"] == c)]
        for c in callers
    }
    return {
        "sample_id": key[0],
        "gene5": key[1],
        "gene3": key[2],
        "confidence": _LEVEL[rank],
        "callers": ";".join(callers),
        "n_callers": len(callers),
        "caller_confidences": ";".join(f"{c}:{v}" for c, v in per_caller.items()),
        "junction_reads": int(max(r["junction_reads"] for r in recs)),
        "spanning_reads": int(max(r["spanning_reads"] for r in recs)),
        "breakpoint5": best["breakpoint5"],
        "breakpoint3": best["breakpoint3"],
        "build": best["build"],
        "gene5_in_table": bool(best["gene5_in_table"]),
        "gene3_in_table": bool(best["gene3_in_table"]),
    }
