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


def merge_calls(table: pd.DataFrame) -> pd.DataFrame:
    """Merge passing fusion rows of one or more callers (module docstring)."""
    ok = table[table["passed"].astype(bool)] if len(table) else table
    rows = []
    for (sid, g5, g3), grp in ok.groupby(["sample_id", "gene5", "gene3"], sort=False):
        grp = grp.assign(_r=grp["confidence"].map(_RANK))
        best = grp.sort_values(["_r", "junction_reads"], ascending=False).iloc[0]
        callers = sorted(set(grp["caller"]))
        rank = int(grp["_r"].max())
        if len(callers) >= 2:
            rank = min(rank + 1, 2)
        per_caller = {c: _LEVEL[int(g["_r"].max())] for c, g in grp.groupby("caller", sort=True)}
        rows.append(
            {
                "sample_id": sid,
                "gene5": g5,
                "gene3": g3,
                "confidence": _LEVEL[rank],
                "callers": ";".join(callers),
                "n_callers": len(callers),
                "caller_confidences": ";".join(f"{c}:{v}" for c, v in per_caller.items()),
                "junction_reads": int(grp["junction_reads"].max()),
                "spanning_reads": int(grp["spanning_reads"].max()),
                "breakpoint5": best["breakpoint5"],
                "breakpoint3": best["breakpoint3"],
                "build": best["build"],
                "gene5_in_table": bool(best["gene5_in_table"]),
                "gene3_in_table": bool(best["gene3_in_table"]),
            }
        )
    return pd.DataFrame(rows, columns=list(MERGED_COLUMNS))
