"""CICERO final fusion table reader (``final_fusions.txt`` of the St Jude pipeline).

Columns (CICERO ``rank_SVs.pl``): ``sample geneA chrA posA ortA featureA geneB chrB posB
ortB featureB sv_ort readsA readsB matchA matchB repeatA repeatB coverageA coverageB
ratioA ratioB qposA qposB total_readsA total_readsB contig type score rating medal
functional effect frame sv_refseqA ...``. ``geneA`` is the 5' side as CICERO orients the
event (``sv_ort`` ``>`` = orientation resolved); gene fields may list several genes
(``A,B``; the first is used) or ``NA`` (intergenic: kept as ``chr:pos``, not in the
gene table). Coordinates: GRCh38_no_alt (``chr`` names) or GRCh37-lite (no prefix); the
build comes from the sample sheet.

Filters (CICERO's own): ``rating`` ``bad`` (too few reads, repeats, low allele ratio,
score < 1) -> ``passed`` = False (``cicero:bad``); ``RT`` and ``type`` ``read_through``
-> ``cicero:read_through``; intragenic events (``type`` ``Internal_*``, ``ITD``) ->
``cicero:internal`` (not a two-gene fusion).

Confidence (from CICERO's rating and medal; the mapping is allstrat's):

* ``high``: ``rating`` ``HQ``, ``medal`` >= 2 (a known fusion, medal 4, or both or
  the 3' partner a known fusion partner) and ``readsA + readsB`` > 2 (CICERO's own
  minimum; its rank_SVs.pl rates every medal-4 event HQ, even with one read);
* ``medium``: ``rating`` ``HQ`` otherwise (medal 0-1, or a medal-4 rescue on <= 2 reads);
* ``low``: ``rating`` ``LQ``.

Supporting reads: ``junction_reads`` = max(``readsA``, ``readsB``) (soft-clipped reads
at each side of the same junction; not summed, they overlap); ``spanning_reads`` = 0
(CICERO reports no discordant-pair count).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.errors import InputError
from allstrat.harmonise import GeneTable
from allstrat.io.fusions._common import breakpoint, frame, ints, line_of, read_table, require

CICERO_REQUIRED = (
    "geneA", "chrA", "posA", "geneB", "chrB", "posB", "readsA", "readsB", "type", "rating", "medal",
)  # fmt: skip
RATINGS = ("HQ", "LQ", "RT", "bad")


MIN_READS = 2  # CICERO rank_SVs.pl: readsA + readsB <= 2 is 'bad' unless medal 4


def cicero_confidence(rating: str, medal: int, reads: int) -> str:
    """Tier of one CICERO call (module docstring)."""
    if rating == "HQ":
        return "high" if medal >= 2 and reads > MIN_READS else "medium"
    return "low"


def _reason(rating: str, sv_type: str, effect: str) -> str:
    if rating == "bad":
        return "cicero:bad"
    if rating == "RT" or sv_type == "read_through":
        return "cicero:read_through"
    if sv_type.startswith("Internal") or effect == "ITD":
        return "cicero:internal"
    return ""


def _gene(raw: str, chrom: str, pos: str) -> str:
    g = raw.split(",")[0].split("|")[0].strip()
    return f"{chrom}:{pos}" if g in ("", "NA") else g


def read_cicero(
    path: str | Path, *, sample_id: str, genes: GeneTable, build: str = "GRCh38"
) -> pd.DataFrame:
    """Read a CICERO final fusion table of one sample."""
    df, p = read_table(path, caller="cicero")
    require(df, CICERO_REQUIRED, p, "cicero")
    bad = ~df["rating"].isin(RATINGS)
    if bad.any():
        k = int(np.argmax(bad.to_numpy()))
        raise InputError(
            f"rating {df['rating'].iloc[k]!r}; CICERO writes one of {list(RATINGS)}",
            path=p,
            line=line_of(df, k),
        )
    medal = ints(df["medal"], p, "medal", df)
    ra = ints(df["readsA"], p, "readsA", df)
    rb = ints(df["readsB"], p, "readsB", df)
    effect = df["functional effect"] if "functional effect" in df else pd.Series([""] * len(df))
    lines = [line_of(df, k) for k in range(len(df))]
    return frame(
        sample_id,
        "cicero",
        len(df),
        genes,
        gene5=[_gene(g, c, q) for g, c, q in zip(df["geneA"], df["chrA"], df["posA"], strict=True)],
        gene3=[_gene(g, c, q) for g, c, q in zip(df["geneB"], df["chrB"], df["posB"], strict=True)],
        confidence=[
            cicero_confidence(r, int(m), int(a + b))
            for r, m, a, b in zip(df["rating"], medal, ra, rb, strict=True)
        ],
        junction_reads=np.maximum(ra, rb),
        spanning_reads=np.zeros(len(df), dtype="int64"),
        breakpoint5=[
            breakpoint(c, q, p, ln) for c, q, ln in zip(df["chrA"], df["posA"], lines, strict=True)
        ],
        breakpoint3=[
            breakpoint(c, q, p, ln) for c, q, ln in zip(df["chrB"], df["posB"], lines, strict=True)
        ],
        build=build,
        passed=[
            not _reason(r, t, e) for r, t, e in zip(df["rating"], df["type"], effect, strict=True)
        ],
        filter_reason=[
            _reason(r, t, e) for r, t, e in zip(df["rating"], df["type"], effect, strict=True)
        ],
        gene5_raw=df["geneA"].to_numpy(),
        gene3_raw=df["geneB"].to_numpy(),
        fusion_type=df["type"].to_numpy(),
        reading_frame=df["frame"].to_numpy() if "frame" in df else "",
        caller_confidence=[
            f"rating={r};medal={m}" for r, m in zip(df["rating"], medal, strict=True)
        ],
    )
