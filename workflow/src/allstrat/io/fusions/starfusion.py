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
    colon_breakpoint,
    frame,
    ints,
    line_of,
    partner,
    read_table,
    require,
    symbol_part,
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
    df, p = read_table(path, caller="starfusion")
    require(df, STARFUSION_REQUIRED, p, "starfusion")
    j = ints(df["JunctionReadCount"], p, "JunctionReadCount", df)
    s = ints(df["SpanningFragCount"], p, "SpanningFragCount", df)
    ldas = df["LargeAnchorSupport"].to_numpy() if "LargeAnchorSupport" in df else [""] * len(df)
    return frame(
        sample_id,
        "starfusion",
        len(df),
        genes,
        gene5=[partner(g) for g in df["LeftGene"]],
        gene3=[partner(g) for g in df["RightGene"]],
        gene5_alt=[symbol_part(g) for g in df["LeftGene"]],
        gene3_alt=[symbol_part(g) for g in df["RightGene"]],
        confidence=starfusion_confidence(j, s, ldas),
        junction_reads=j,
        spanning_reads=s,
        breakpoint5=[
            colon_breakpoint(v, p, line_of(df, k)) for k, v in enumerate(df["LeftBreakpoint"])
        ],
        breakpoint3=[
            colon_breakpoint(v, p, line_of(df, k)) for k, v in enumerate(df["RightBreakpoint"])
        ],
        build=build,
        passed=[True] * len(df),
        filter_reason="",
        gene5_raw=df["LeftGene"].to_numpy(),
        gene3_raw=df["RightGene"].to_numpy(),
        fusion_type=df["SpliceType"].to_numpy() if "SpliceType" in df else "",
        reading_frame="",
        caller_confidence=[f"LargeAnchorSupport={v}" if v else "" for v in ldas],
    )
