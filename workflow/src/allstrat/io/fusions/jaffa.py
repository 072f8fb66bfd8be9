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

import numpy as np
import pandas as pd

from allstrat.errors import InputError
from allstrat.harmonise import GeneTable
from allstrat.io.fusions._common import breakpoint, frame, ints, line_of, read_table, require

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
    df, p = read_table(path, caller="jaffa", sep=",")
    require(df, JAFFA_REQUIRED, p, "jaffa")
    samples = sorted(set(df["sample"]))
    if len(samples) > 1:
        if sample_id not in samples:
            raise InputError(
                f"JAFFA results hold samples {samples[:5]} but not this one",
                path=p,
                sample=sample_id,
            )
        keep = (df["sample"] == sample_id).to_numpy()
        lines = [ln for ln, k in zip(df.attrs["lines"], keep, strict=True) if k]
        df = df[keep].reset_index(drop=True)
        df.attrs["lines"] = lines
    cls = df["classification"].str.strip()
    known = cls.isin(list(JAFFA_CONFIDENCE)) | cls.str.startswith("Potential")
    if not known.all():
        k = int(np.argmax(~known.to_numpy()))
        raise InputError(
            f"classification {cls.iloc[k]!r}; JAFFA writes HighConfidence, MediumConfidence, "
            "LowConfidence or Potential*",
            path=p,
            line=line_of(df, k),
        )
    pairs5_3 = [g.split(":", 1) if ":" in g else [g, ""] for g in df["fusion genes"]]
    bad = [k for k, (a, b) in enumerate(pairs5_3) if not a or not b]
    if bad:
        raise InputError(
            f"fusion genes {df['fusion genes'].iloc[bad[0]]!r}; expected GENE5:GENE3",
            path=p,
            line=line_of(df, bad[0]),
        )
    lines = [line_of(df, k) for k in range(len(df))]
    reasons = ["" if c in JAFFA_CONFIDENCE else f"jaffa:{c}" for c in cls]
    return frame(
        sample_id,
        "jaffa",
        len(df),
        genes,
        gene5=[a for a, _ in pairs5_3],
        gene3=[b for _, b in pairs5_3],
        confidence=[JAFFA_CONFIDENCE.get(c, "low") for c in cls],
        junction_reads=ints(df["spanning reads"], p, "spanning reads", df, dash_zero=True),
        spanning_reads=ints(df["spanning pairs"], p, "spanning pairs", df, dash_zero=True),
        breakpoint5=[
            breakpoint(c, q, p, ln)
            for c, q, ln in zip(df["chrom1"], df["base1"], lines, strict=True)
        ],
        breakpoint3=[
            breakpoint(c, q, p, ln)
            for c, q, ln in zip(df["chrom2"], df["base2"], lines, strict=True)
        ],
        build=build,
        passed=[not r for r in reasons],
        filter_reason=reasons,
        gene5_raw=[a for a, _ in pairs5_3],
        gene3_raw=[b for _, b in pairs5_3],
        fusion_type=df["rearrangement"].to_numpy() if "rearrangement" in df else "",
        reading_frame=df["inframe"].to_numpy() if "inframe" in df else "",
        caller_confidence=cls.to_numpy(),
    )
