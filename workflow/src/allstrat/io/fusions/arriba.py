"""Arriba ``fusions.tsv`` reader.

Confidence: Arriba's own ``confidence`` column (``high`` / ``medium`` / ``low``) is used
as is. Filters: every row of ``fusions.tsv`` passed Arriba's filters (``passed`` = True);
rows of ``fusions.discarded.tsv`` (read only when named in the sheet) are kept with
``passed`` = False and ``filter_reason`` = ``arriba:discarded``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from allstrat.errors import InputError
from allstrat.harmonise import GeneTable
from allstrat.io.fusions._common import (
    CONFIDENCE,
    Record,
    colon_breakpoint,
    ints,
    partner,
    read_table,
    record,
    require,
    to_frame,
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
    return to_frame(arriba_record(path, sample_id=sample_id, genes=genes, build=build), "arriba")


def arriba_record(
    path: str | Path, *, sample_id: str, genes: GeneTable, build: str = "GRCh38"
) -> Record:
    """:func:`read_arriba` as plain columns (:data:`~allstrat.io.fusions._common.Record`)."""
    t = read_table(path, caller="arriba")
    require(t, ARRIBA_REQUIRED)
    raw_conf = t.col("confidence")
    conf = [c.lower() for c in raw_conf]
    for k, c in enumerate(conf):
        if c not in CONFIDENCE:
            raise InputError(
                f"confidence {raw_conf[k]!r}; Arriba writes high, medium or low",
                path=t.path,
                line=t.lines[k],
            )
    split = [
        a + b
        for a, b in zip(
            ints(t.col("split_reads1"), t, "split_reads1"),
            ints(t.col("split_reads2"), t, "split_reads2"),
            strict=True,
        )
    ]
    discarded = "discarded" in t.path.name
    g1, g2 = t.col("gene1"), t.col("gene2")
    return record(
        sample_id,
        "arriba",
        len(t),
        genes,
        gene5=[partner(g) for g in g1],
        gene3=[partner(g) for g in g2],
        confidence=conf,
        junction_reads=split,
        spanning_reads=ints(t.col("discordant_mates"), t, "discordant_mates"),
        breakpoint5=[
            colon_breakpoint(v, t.path, ln)
            for v, ln in zip(t.col("breakpoint1"), t.lines, strict=True)
        ],
        breakpoint3=[
            colon_breakpoint(v, t.path, ln)
            for v, ln in zip(t.col("breakpoint2"), t.lines, strict=True)
        ],
        build=build,
        passed=[not discarded] * len(t),
        filter_reason="arriba:discarded" if discarded else "",
        gene5_raw=g1,
        gene3_raw=g2,
        fusion_type=t.col("type"),
        reading_frame=t.col("reading_frame") if "reading_frame" in t else "",
        caller_confidence=raw_conf,
    )
