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
    return to_frame(cicero_record(path, sample_id=sample_id, genes=genes, build=build), "cicero")


def cicero_record(
    path: str | Path, *, sample_id: str, genes: GeneTable, build: str = "GRCh38"
) -> Record:
    """:func:`read_cicero` as plain columns (:data:`~allstrat.io.fusions._common.Record`)."""
    t = read_table(path, caller="cicero")
    require(t, CICERO_REQUIRED)
    rating = t.col("rating")
    for k, r in enumerate(rating):
        if r not in RATINGS:
            raise InputError(
                f"rating {r!r}; CICERO writes one of {list(RATINGS)}",
                path=t.path,
                line=t.lines[k],
            )
    medal = ints(t.col("medal"), t, "medal")
    ra = ints(t.col("readsA"), t, "readsA")
    rb = ints(t.col("readsB"), t, "readsB")
    effect = t.col("functional effect") if "functional effect" in t else [""] * len(t)
    chr_a, pos_a, chr_b, pos_b = t.col("chrA"), t.col("posA"), t.col("chrB"), t.col("posB")
    gene_a, gene_b, types = t.col("geneA"), t.col("geneB"), t.col("type")
    reasons = [_reason(r, ty, e) for r, ty, e in zip(rating, types, effect, strict=True)]
    return record(
        sample_id,
        "cicero",
        len(t),
        genes,
        gene5=[_gene(g, c, q) for g, c, q in zip(gene_a, chr_a, pos_a, strict=True)],
        gene3=[_gene(g, c, q) for g, c, q in zip(gene_b, chr_b, pos_b, strict=True)],
        confidence=[
            cicero_confidence(r, m, a + b) for r, m, a, b in zip(rating, medal, ra, rb, strict=True)
        ],
        junction_reads=[max(a, b) for a, b in zip(ra, rb, strict=True)],
        spanning_reads=[0] * len(t),
        breakpoint5=[
            breakpoint(c, q, t.path, ln) for c, q, ln in zip(chr_a, pos_a, t.lines, strict=True)
        ],
        breakpoint3=[
            breakpoint(c, q, t.path, ln) for c, q, ln in zip(chr_b, pos_b, t.lines, strict=True)
        ],
        build=build,
        passed=[not r for r in reasons],
        filter_reason=reasons,
        gene5_raw=gene_a,
        gene3_raw=gene_b,
        fusion_type=types,
        reading_frame=t.col("frame") if "frame" in t else "",
        caller_confidence=[f"rating={r};medal={m}" for r, m in zip(rating, medal, strict=True)],
    )
