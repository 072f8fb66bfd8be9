"""Arriba ``fusions.tsv`` reader.

Confidence: Arriba's own ``confidence`` column (``high`` / ``medium`` / ``low``) is used
as is. Filters: every row of ``fusions.tsv`` passed Arriba's filters (``passed`` = True);
rows of ``fusions.discarded.tsv`` (read only when named in the sheet) are kept with
``passed`` = False and ``filter_reason`` = ``arriba:discarded``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.errors import InputError
from allstrat.harmonise import GeneTable
from allstrat.io.fusions._common import (
    CONFIDENCE,
    colon_breakpoint,
    frame,
    ints,
    line_of,
    partner,
    read_table,
    require,
)

ARRIBA_REQUIRED = (
    "gene1",
    "gene2",
    "breakpoint1",
    "breakpoint2",
    "type",
    "split_reads1",
    "split_reads2",
    "discordant_mates",
    "confidence",
)


def read_arriba(
    path: str | Path, *, sample_id: str, genes: GeneTable, build: str = "GRCh38"
) -> pd.DataFrame:
    """Read Arriba ``fusions.tsv`` (or ``fusions.discarded.tsv``) of one sample.

    Columns are taken by name (``#gene1 gene2 strand1(gene/fusion) strand2(gene/fusion)
    breakpoint1 breakpoint2 site1 site2 type split_reads1 split_reads2 discordant_mates
    coverage1 coverage2 confidence reading_frame ...``; the order differs between Arriba
    versions). ``junction_reads = split_reads1 + split_reads2``, ``spanning_reads =
    discordant_mates``.
    """
    df, p = read_table(path, caller="arriba")
    require(df, ARRIBA_REQUIRED, p, "arriba")
    conf = df["confidence"].str.lower()
    bad = ~conf.isin(CONFIDENCE)
    if bad.any():
        k = int(np.argmax(bad.to_numpy()))
        raise InputError(
            f"confidence {df['confidence'].iloc[k]!r}; Arriba writes high, medium or low",
            path=p,
            line=line_of(df, k),
        )
    split = ints(df["split_reads1"], p, "split_reads1", df) + ints(
        df["split_reads2"], p, "split_reads2", df
    )
    discarded = "discarded" in p.name
    return frame(
        sample_id,
        "arriba",
        len(df),
        genes,
        gene5=[partner(g) for g in df["gene1"]],
        gene3=[partner(g) for g in df["gene2"]],
        confidence=conf.to_numpy(),
        junction_reads=split,
        spanning_reads=ints(df["discordant_mates"], p, "discordant_mates", df),
        breakpoint5=[
            colon_breakpoint(v, p, line_of(df, k)) for k, v in enumerate(df["breakpoint1"])
        ],
        breakpoint3=[
            colon_breakpoint(v, p, line_of(df, k)) for k, v in enumerate(df["breakpoint2"])
        ],
        build=build,
        passed=[not discarded] * len(df),
        filter_reason="arriba:discarded" if discarded else "",
        gene5_raw=df["gene1"].to_numpy(),
        gene3_raw=df["gene2"].to_numpy(),
        fusion_type=df["type"].to_numpy(),
        reading_frame=df["reading_frame"].to_numpy() if "reading_frame" in df else "",
        caller_confidence=df["confidence"].to_numpy(),
    )
