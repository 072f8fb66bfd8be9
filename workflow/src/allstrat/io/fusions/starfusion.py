"""STAR-Fusion ``star-fusion.fusion_predictions(.abridged).tsv`` reader.

Confidence: STAR-Fusion reports no tier (every row passed its filters); allstrat grades
rows with :func:`starfusion_confidence` (documented convention, UNVERIFIED cut-offs).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.harmonise import GeneTable
from allstrat.io.fusions._common import (
    Record,
    colon_breakpoint,
    ints,
    partner,
    read_table,
    record,
    require,
    symbol_part,
    to_frame,
)

STARFUSION_REQUIRED = (
    "FusionName",
    "JunctionReadCount",
    "SpanningFragCount",
    "LeftGene",
    "LeftBreakpoint",
    "RightGene",
    "RightBreakpoint",
)


def starfusion_confidence(
    junction_reads: Sequence[int] | np.ndarray,
    spanning_reads: Sequence[int] | np.ndarray,
    large_anchor: Sequence[str] | np.ndarray,
    *,
    min_high_junction: int = 5,
    min_medium_total: int = 3,
) -> np.ndarray:
    """Confidence tier for STAR-Fusion calls (an allstrat convention, not STAR-Fusion's).

    * ``high``: a long-anchor junction read (``LargeAnchorSupport == YES_LDAS``), at
      least ``min_high_junction`` junction reads and at least one spanning fragment;
    * ``medium``: otherwise, at least ``min_medium_total`` junction + spanning reads and
      a long-anchor junction read;
    * ``low``: everything else (e.g. ``NO_LDAS``: only short-anchor split reads).

    The cut-offs are judgement calls (UNVERIFIED against a validation study).
    """
    j = np.asarray(junction_reads)
    s = np.asarray(spanning_reads)
    ldas = np.asarray([str(v).upper().startswith("YES") for v in large_anchor], dtype=bool)
    return np.where(
        ldas & (j >= min_high_junction) & (s >= 1),
        "high",
        np.where(ldas & (j + s >= min_medium_total), "medium", "low"),
    )


def read_starfusion(
    path: str | Path, *, sample_id: str, genes: GeneTable, build: str = "GRCh38"
) -> pd.DataFrame:
    """Read STAR-Fusion predictions (``#FusionName JunctionReadCount SpanningFragCount
    [est_J est_S] SpliceType LeftGene LeftBreakpoint RightGene RightBreakpoint
    LargeAnchorSupport FFPM ...``; genes ``SYMBOL^ENSG...``, breakpoints
    ``chr:pos:strand``).
    """
    rec = starfusion_record(path, sample_id=sample_id, genes=genes, build=build)
    return to_frame(rec, "starfusion")


def starfusion_record(
    path: str | Path, *, sample_id: str, genes: GeneTable, build: str = "GRCh38"
) -> Record:
    """:func:`read_starfusion` as plain columns (:data:`~allstrat.io.fusions._common.Record`)."""
    t = read_table(path, caller="starfusion")
    require(t, STARFUSION_REQUIRED)
    j = ints(t.col("JunctionReadCount"), t, "JunctionReadCount")
    s = ints(t.col("SpanningFragCount"), t, "SpanningFragCount")
    ldas = t.col("LargeAnchorSupport") if "LargeAnchorSupport" in t else [""] * len(t)
    left, right = t.col("LeftGene"), t.col("RightGene")
    return record(
        sample_id,
        "starfusion",
        len(t),
        genes,
        gene5=[partner(g) for g in left],
        gene3=[partner(g) for g in right],
        gene5_alt=[symbol_part(g) for g in left],
        gene3_alt=[symbol_part(g) for g in right],
        confidence=starfusion_confidence(j, s, ldas).tolist(),
        junction_reads=j,
        spanning_reads=s,
        breakpoint5=[
            colon_breakpoint(v, t.path, ln)
            for v, ln in zip(t.col("LeftBreakpoint"), t.lines, strict=True)
        ],
        breakpoint3=[
            colon_breakpoint(v, t.path, ln)
            for v, ln in zip(t.col("RightBreakpoint"), t.lines, strict=True)
        ],
        build=build,
        passed=[True] * len(t),
        filter_reason="",
        gene5_raw=left,
        gene3_raw=right,
        fusion_type=t.col("SpliceType") if "SpliceType" in t else "",
        reading_frame="",
        caller_confidence=[f"LargeAnchorSupport={v}" if v else "" for v in ldas],
    )
