"""The plain-Python ``merge_calls`` and typed ``frame`` equal their pandas formulations.

Both were rewritten for speed (a 2,500-sample classify job spent most of its time in
per-sample pandas group-bys and per-column ``astype``); these tests keep the earlier pandas
code as the reference and compare on randomised multi-caller tables with ties.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from allstrat.io.fusions._common import EXTRA_COLUMNS, FUSION_COLUMNS, frame
from allstrat.io.fusions.merge import _LEVEL, _RANK, MERGED_COLUMNS, merge_calls


def _reference_merge(table: pd.DataFrame) -> pd.DataFrame:
    """The pandas group-by formulation merge_calls replaced (kept as the specification)."""
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


def _table(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pick = lambda xs: [xs[i] for i in rng.integers(0, len(xs), n)]  # noqa: E731
    return pd.DataFrame(
        {
            "sample_id": pick(["S1", "S2", "S3"]),
            "gene5": pick(["ETV6", "BCR", "KMT2A"]),
            "gene3": pick(["RUNX1", "ABL1"]),
            "caller": pick(["arriba", "starfusion", "fusioncatcher"]),
            "confidence": pick(["low", "medium", "high"]),
            "junction_reads": rng.integers(0, 3, n).astype("int64"),
            "spanning_reads": rng.integers(0, 5, n).astype("int64"),
            "breakpoint5": [f"chr12:{i}" for i in range(n)],
            "breakpoint3": [f"chr21:{i}" for i in range(n)],
            "build": "GRCh38",
            "passed": rng.random(n) < 0.8,
            "filter_reason": "",
            "gene5_in_table": rng.random(n) < 0.9,
            "gene3_in_table": rng.random(n) < 0.9,
        }
    )


@pytest.mark.parametrize("seed", range(25))
def test_merge_equals_the_group_by_formulation(seed):
    table = _table(seed, n=int(np.random.default_rng(seed).integers(0, 40)))
    pd.testing.assert_frame_equal(merge_calls(table), _reference_merge(table), check_exact=True)


def test_merge_of_an_empty_table():
    empty = _table(0, 0)
    pd.testing.assert_frame_equal(merge_calls(empty), _reference_merge(empty), check_exact=True)


@pytest.mark.parametrize("n", [0, 1, 3])
def test_frame_dtypes_and_values_as_per_column_astype(n, genes):
    cols = {
        "gene5": ["ETV6", "BCR", "IGH@"][:n],
        "gene3": ["RUNX1", "ABL1", "CRLF2"][:n],
        "confidence": np.array(["high", "low", "medium"][:n], dtype=object),
        "junction_reads": np.arange(n, dtype="int64"),
        "spanning_reads": [1, 2, 3][:n],
        "breakpoint5": ["chr12:1", "chr22:2", "chr14:3"][:n],
        "breakpoint3": ["chr21:1", "chr9:2", "chrX:3"][:n],
        "build": "GRCh38",
        "passed": [True, False, True][:n],
        "filter_reason": "",
        "gene5_raw": ["ETV6", "BCR", "IGH@"][:n],
        "gene3_raw": ["RUNX1", "ABL1", "CRLF2"][:n],
        "fusion_type": "translocation",
        "reading_frame": "",
        "caller_confidence": ["high", "low", "medium"][:n],
    }
    got = frame("S1", "arriba", n, genes, **cols)
    want = frame_reference("S1", "arriba", n, got)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.attrs == {"caller": "arriba"}


def frame_reference(sample_id: str, caller: str, n: int, got: pd.DataFrame) -> pd.DataFrame:
    """The earlier construction: a DataFrame of lists, then one astype per column."""
    data = {c: list(got[c]) for c in got.columns}
    df = pd.DataFrame(data)[list(FUSION_COLUMNS) + list(EXTRA_COLUMNS)]
    ints_ = ("junction_reads", "spanning_reads")
    bools = ("passed", "gene5_in_table", "gene3_in_table")
    return df.astype(
        {c: ("int64" if c in ints_ else bool if c in bools else object) for c in df.columns}
    )
