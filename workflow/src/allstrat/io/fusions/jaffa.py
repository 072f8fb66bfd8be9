"""JAFFA ``jaffa_results.csv`` reader.

Columns (JAFFA ``make_final_table.R``; comma-separated, quoted): ``"sample","fusion
genes","chrom1","base1",["strand1",]"chrom2","base2",["strand2",]"gap (kb)","spanning
pairs","spanning reads","inframe","aligns","rearrangement","contig","contig
break","classification"[,"known"]`` (strand columns since JAFFA 2.0). ``fusion genes``
is ``GENE5:GENE3``. The file holds every sample of a JAFFA run: rows of the sheet's
``sample_id`` are taken; when the file holds one sample only, its rows are taken
whatever it is named.

Filters / confidence (JAFFA's own ``classification``):

* ``HighConfidence`` -> ``high``; ``MediumConfidence`` -> ``medium``;
  ``LowConfidence`` -> ``low``;
* ``PotentialTransSplicing``, ``PotentialRunThrough``, ``PotentialRegularSplice`` (any
  ``Potential*``) -> ``passed`` = False, ``filter_reason`` = ``jaffa:<classification>``
  (JAFFA's own "probably not a genomic fusion" classes).

Supporting reads: ``junction_reads`` = ``spanning reads`` (reads across the junction),
``spanning_reads`` = ``spanning pairs`` (``-`` = not computed, read as 0).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from allstrat.errors import InputError
from allstrat.harmonise import GeneTable
from allstrat.io.fusions._common import (
    Record,
    breakpoint,
    ints,
    read_table,
    record,
    require,
    to_frame,
)

JAFFA_REQUIRED = (
    "sample", "fusion genes", "chrom1", "base1", "chrom2", "base2",
    "spanning pairs", "spanning reads", "classification",
)  # fmt: skip
JAFFA_CONFIDENCE = {
    "HighConfidence": "high",
    "MediumConfidence": "medium",
    "LowConfidence": "low",
}


def read_jaffa(
    path: str | Path, *, sample_id: str, genes: GeneTable, build: str = "GRCh38"
) -> pd.DataFrame:
    """Read the rows of one sample from a JAFFA results table."""
    return to_frame(jaffa_record(path, sample_id=sample_id, genes=genes, build=build), "jaffa")


def jaffa_record(
    path: str | Path, *, sample_id: str, genes: GeneTable, build: str = "GRCh38"
) -> Record:
    """:func:`read_jaffa` as plain columns (:data:`~allstrat.io.fusions._common.Record`)."""
    t = read_table(path, caller="jaffa", sep=",")
    require(t, JAFFA_REQUIRED)
    col = t.col("sample")
    samples = sorted(set(col))
    if len(samples) > 1:
        if sample_id not in samples:
            raise InputError(
                f"JAFFA results hold samples {samples[:5]} but not this one",
                path=t.path,
                sample=sample_id,
            )
        t = t.select([s == sample_id for s in col])
    cls = [c.strip() for c in t.col("classification")]
    for k, c in enumerate(cls):
        if c not in JAFFA_CONFIDENCE and not c.startswith("Potential"):
            raise InputError(
                f"classification {c!r}; JAFFA writes HighConfidence, MediumConfidence, "
                "LowConfidence or Potential*",
                path=t.path,
                line=t.lines[k],
            )
    names = t.col("fusion genes")
    pairs5_3 = [g.split(":", 1) if ":" in g else [g, ""] for g in names]
    bad = [k for k, (a, b) in enumerate(pairs5_3) if not a or not b]
    if bad:
        raise InputError(
            f"fusion genes {names[bad[0]]!r}; expected GENE5:GENE3",
            path=t.path,
            line=t.lines[bad[0]],
        )
    reasons = ["" if c in JAFFA_CONFIDENCE else f"jaffa:{c}" for c in cls]
    return record(
        sample_id,
        "jaffa",
        len(t),
        genes,
        gene5=[a for a, _ in pairs5_3],
        gene3=[b for _, b in pairs5_3],
        confidence=[JAFFA_CONFIDENCE.get(c, "low") for c in cls],
        junction_reads=ints(t.col("spanning reads"), t, "spanning reads", dash_zero=True),
        spanning_reads=ints(t.col("spanning pairs"), t, "spanning pairs", dash_zero=True),
        breakpoint5=[
            breakpoint(c, q, t.path, ln)
            for c, q, ln in zip(t.col("chrom1"), t.col("base1"), t.lines, strict=True)
        ],
        breakpoint3=[
            breakpoint(c, q, t.path, ln)
            for c, q, ln in zip(t.col("chrom2"), t.col("base2"), t.lines, strict=True)
        ],
        build=build,
        passed=[not r for r in reasons],
        filter_reason=reasons,
        gene5_raw=[a for a, _ in pairs5_3],
        gene3_raw=[b for _, b in pairs5_3],
        fusion_type=t.col("rearrangement") if "rearrangement" in t else "",
        reading_frame=t.col("inframe") if "inframe" in t else "",
        caller_confidence=cls,
    )
