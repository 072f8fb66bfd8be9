"""Fusion-caller readers: Arriba, STAR-Fusion, FusionCatcher, CICERO and JAFFA.

One module per caller behind one dispatch table, :data:`FUSION_READERS`, keyed by the
sample sheet's ``fusions_format``. Every reader returns the one fusion record of allstrat,
one row per reported fusion, with :data:`FUSION_COLUMNS`:

``sample_id``
    From the sample sheet.
``gene5``, ``gene3``
    5' and 3' partner as canonical symbols through the gene table; IG loci and segments
    as ``IGH`` / ``IGK`` / ``IGL``. A name the gene table lacks is kept as written (never
    dropped) and ``gene5_in_table`` / ``gene3_in_table`` say so; the classifier flags it.
``caller``
    ``arriba``, ``starfusion``, ``fusioncatcher``, ``cicero`` or ``jaffa``.
``confidence``
    The caller's own confidence mapped to ``high`` / ``medium`` / ``low``:

    ============== ===========================================================
    caller         mapping (details in each reader module)
    ============== ===========================================================
    Arriba         its ``confidence`` column as is
    STAR-Fusion    none reported: reads + LargeAnchorSupport (allstrat rule)
    FusionCatcher  none reported: junction reads / pairs / known label
    CICERO         HQ + ``medal`` >= 2 + > 2 reads high; other HQ medium; LQ low
    JAFFA          High/Medium/LowConfidence -> high/medium/low
    ============== ===========================================================
``junction_reads``, ``spanning_reads``
    Reads across the junction and spanning fragments / pairs (0 when not reported).
``breakpoint5``, ``breakpoint3``, ``build``
    ``chrN:position`` (1-based, the caller's coordinates, no lift-over) and their genome
    build (the sheet's ``genome_build``); empty when the file has no coordinates.
``passed``, ``filter_reason``
    The caller's own filters: ``passed`` = False (with ``<caller>:<reason>``) for
    FusionCatcher false-positive labels (``banned``, ``paralogs``, ``healthy``, ...),
    CICERO ``bad`` / read-through / internal events, JAFFA ``Potential*`` classes and
    Arriba ``fusions.discarded.tsv``. Filtered rows are kept (and reported) but never
    decide a subtype.

Extra columns: ``gene5_raw``, ``gene3_raw`` (caller text), ``fusion_type``,
``reading_frame``, ``caller_confidence`` (the caller's own words).

Files: a header-only file is a valid "no fusion found" (empty table); a 0-byte file, a
file of another caller (detected from its header and named), a truncated row, or
coordinates that do not fit the GRCh38 gene loci when the sheet says GRCh38 are an
:class:`~allstrat.errors.InputError`.

Several callers per sample: the sheet's ``fusions`` / ``fusions_format`` hold
``;``-separated lists (same order); :func:`read_fusion_sources` reads them all and
:func:`merge_calls` merges the evidence (see there).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from allstrat.errors import InputError
from allstrat.harmonise import GeneTable
from allstrat.io.fusions._common import (
    CALLER_NAMES,
    EXTRA_COLUMNS,
    FUSION_COLUMNS,
    Record,
    detect_caller,
    ig_locus,
    table_cache,
    to_frame,
)
from allstrat.io.fusions.arriba import ARRIBA_REQUIRED, arriba_record, read_arriba
from allstrat.io.fusions.cicero import cicero_record, read_cicero
from allstrat.io.fusions.fusioncatcher import fusioncatcher_record, read_fusioncatcher
from allstrat.io.fusions.jaffa import jaffa_record, read_jaffa
from allstrat.io.fusions.merge import MERGED_COLUMNS, merge_calls, merge_rows
from allstrat.io.fusions.starfusion import (
    STARFUSION_REQUIRED,
    read_starfusion,
    starfusion_confidence,
    starfusion_record,
)
from allstrat.io.samples import fusion_list_problem

if TYPE_CHECKING:
    from allstrat.classify.decide import Fusion

logger = logging.getLogger(__name__)

__all__ = [
    "ARRIBA_REQUIRED",
    "BUILD_MARGIN",
    "CALLER_NAMES",
    "EXTRA_COLUMNS",
    "FUSION_COLUMNS",
    "FUSION_READERS",
    "MERGED_COLUMNS",
    "STARFUSION_REQUIRED",
    "check_build",
    "detect_caller",
    "fusion_input_digests",
    "fusion_record",
    "ig_locus",
    "merge_calls",
    "read_arriba",
    "read_cicero",
    "read_fusion_sources",
    "read_fusioncatcher",
    "read_fusions",
    "read_jaffa",
    "read_sample_fusions",
    "read_starfusion",
    "split_sources",
    "starfusion_confidence",
]

#: Sample-sheet ``fusions_format`` -> reader(path, *, sample_id, genes, build).
FUSION_READERS: dict[str, Callable[..., pd.DataFrame]] = {
    "arriba": read_arriba,
    "starfusion": read_starfusion,
    "fusioncatcher": read_fusioncatcher,
    "cicero": read_cicero,
    "jaffa": read_jaffa,
}
#: The same readers returning plain columns (``_common.Record``; no DataFrame).
RECORD_READERS: dict[str, Callable[..., Record]] = {
    "arriba": arriba_record,
    "starfusion": starfusion_record,
    "fusioncatcher": fusioncatcher_record,
    "cicero": cicero_record,
    "jaffa": jaffa_record,
}
#: A breakpoint farther than this from its gene's GRCh38 locus does not fit GRCh38.
BUILD_MARGIN = 20_000


def split_sources(value: str) -> list[str]:
    """``a;b`` -> ``["a", "b"]`` (empty items dropped; ``""`` -> ``[]``)."""
    return [v.strip() for v in str(value or "").split(";") if v.strip()]


def check_build(
    table: pd.DataFrame | Mapping[str, Sequence[Any]],
    genes: GeneTable,
    build: str,
    path: str | Path,
) -> None:
    """Refuse coordinates that do not fit the build the sheet states.

    ``table``: a fusion record (DataFrame or ``_common.Record`` columns). The gene table
    is GRCh38: when the sheet says GRCh38, every breakpoint whose gene is in the table
    (not intergenic, on the gene's chromosome) must lie within :data:`BUILD_MARGIN` of
    the gene. If most of at least two such breakpoints do not, the file is on another
    build (GRCh37 shifts ETV6 by ~150 kb, RUNX1 by ~1.4 Mb, ABL1 by ~2.9 Mb). GRCh37
    files cannot be checked this way (no GRCh37 table is shipped).
    """
    if build != "GRCh38" or not len(table["gene5"]):
        return
    loci = _loci(genes)
    checked, outside = 0, []
    for side in ("5", "3"):
        for g, bp, raw in zip(
            table[f"gene{side}"], table[f"breakpoint{side}"], table[f"gene{side}_raw"], strict=True
        ):
            locus = loci.get(g) if bp else None
            if locus is None or "(" in str(raw):
                continue
            chrom, pos = bp.rsplit(":", 1)
            g_chrom, start, end = locus
            if g_chrom != chrom:
                continue
            checked += 1
            if not start - BUILD_MARGIN <= int(pos) <= end + BUILD_MARGIN:
                outside.append(f"{g} at {bp} (GRCh38 {chrom}:{start}-{end})")
    if checked >= 2 and len(outside) * 2 > checked:
        raise InputError(
            f"{len(outside)} of {checked} breakpoints lie outside their genes' GRCh38 loci, "
            f"e.g. {outside[0]}: the coordinates look like another genome build than the "
            f"sheet's genome_build {build}",
            path=path,
        )


def _loci(genes: GeneTable) -> dict[Any, tuple[Any, Any, Any]]:
    """Gene table index -> (chrom, start, end), built once per table."""
    cache = table_cache(genes, "_fusion_loci")
    if not cache:
        t = genes.table
        cache.update(
            zip(
                t.index.tolist(),
                zip(t["chrom"].tolist(), t["start"].tolist(), t["end"].tolist(), strict=True),
                strict=True,
            )
        )
    return cache


def read_fusions(
    path: str | Path, fmt: str, *, sample_id: str, genes: GeneTable, build: str = "GRCh38"
) -> pd.DataFrame:
    """Read one fusion-caller output with the reader registered for ``fmt``.

    Returns :data:`FUSION_COLUMNS` + :data:`EXTRA_COLUMNS` (module docstring).
    """
    rec = fusion_record(path, fmt, sample_id=sample_id, genes=genes, build=build)
    return to_frame(rec, fmt)


def fusion_record(
    path: str | Path, fmt: str, *, sample_id: str, genes: GeneTable, build: str = "GRCh38"
) -> Record:
    """:func:`read_fusions` as plain columns (no DataFrame: the classify verb's path)."""
    if fmt not in RECORD_READERS:
        raise InputError(
            f"unknown fusions format {fmt!r}; expected one of {sorted(FUSION_READERS)}",
            path=path,
            sample=sample_id,
        )
    out = RECORD_READERS[fmt](path, sample_id=sample_id, genes=genes, build=build)
    check_build(out, genes, build, path)
    logger.info(
        "%s (%s): %d fusion(s) for %s, %d passing the caller's filters",
        path,
        fmt,
        len(out["passed"]),
        sample_id,
        sum(out["passed"]),
    )
    return out


def _source_records(
    paths: str | Sequence[str],
    fmts: str | Sequence[str],
    *,
    sample_id: str,
    genes: GeneTable,
    build: str,
) -> tuple[list[Record], list[str]]:
    """The records of every fusion file of one sample, and the formats (as listed)."""
    ps = split_sources(paths) if isinstance(paths, str) else list(paths)
    fs = split_sources(fmts) if isinstance(fmts, str) else list(fmts)
    problem = fusion_list_problem(ps, fs)
    if problem:
        raise InputError(problem, sample=sample_id)
    recs = [
        fusion_record(p, f, sample_id=sample_id, genes=genes, build=build)
        for p, f in zip(ps, fs, strict=True)
    ]
    return recs, fs


def read_fusion_sources(
    paths: str | Sequence[str],
    fmts: str | Sequence[str],
    *,
    sample_id: str,
    genes: GeneTable,
    build: str = "GRCh38",
) -> pd.DataFrame:
    """Read every fusion file of one sample (``;``-separated lists, same order).

    Raises InputError when the number of paths and formats differ or a caller appears
    twice for the sample.
    """
    recs, fs = _source_records(paths, fmts, sample_id=sample_id, genes=genes, build=build)
    tables = [to_frame(r, f) for r, f in zip(recs, fs, strict=True)]
    if not tables:
        return pd.DataFrame(columns=list(FUSION_COLUMNS) + list(EXTRA_COLUMNS))
    # one caller (the common case): its table as is -- concat would only copy it
    out = tables[0] if len(tables) == 1 else pd.concat(tables, ignore_index=True)
    out.attrs["callers"] = fs
    return out


def fusion_input_digests(rows: pd.DataFrame) -> dict[str, str | None]:
    """Per sample of sheet ``rows``, a digest of everything :func:`read_sample_fusions`
    reads for it: the sheet's paths, formats and build, and each file's bytes.

    ``None`` when the sample names no fusion file. Hashing the bytes costs a fraction of
    parsing them, so a per-sample memo (``allstrat.memo``) can tell an unchanged sample
    without reading its fusion calls; a file that cannot be read gets a digest of its own
    (the parser then reports it).
    """
    out: dict[str, str | None] = {}
    cols = [c for c in ("fusions", "fusions_format", "genome_build") if c in rows.columns]
    for sid, *values in rows[cols].itertuples(name=None):
        row = dict(zip(cols, values, strict=True))
        paths = split_sources(str(row.get("fusions", "") or ""))
        if not paths:
            out[str(sid)] = None
            continue
        h = hashlib.sha256()
        for v in (row.get("fusions_format", ""), row.get("genome_build", "")):
            h.update(f"{v!s}\0".encode())
        for path in paths:
            h.update(path.encode() + b"\0")
            try:
                h.update(hashlib.sha256(Path(path).read_bytes()).digest())
            except OSError as exc:
                h.update(f"unreadable:{type(exc).__name__}".encode())
        out[str(sid)] = h.hexdigest()
    return out


def read_sample_fusions(rows: pd.DataFrame) -> dict[str, list[Fusion] | None]:
    """Per sample of sample-sheet ``rows`` its merged fusion calls (``None``: no file named).

    ``None`` means "not assessed" (never "no fusion"); a header-only caller file is an
    assessed sample without fusions. Several callers (``;``-separated) are merged by
    :func:`merge_calls` (here :func:`merge_rows`: no DataFrame per sample); calls filtered
    by their caller are left out.
    """
    from allstrat.classify.decide import Fusion
    from allstrat.io.gene_table import load_gene_table

    out: dict[str, list[Fusion] | None] = {}
    genes = None
    cols = [
        rows[c].tolist() if c in rows.columns else [""] * len(rows)
        for c in ("fusions", "fusions_format", "genome_build")
    ]
    for sid, path_v, fmt_v, build_v in zip(rows.index, *cols, strict=True):
        paths = str(path_v or "")
        fmts = str(fmt_v or "")
        if not paths.strip(";").strip():
            out[str(sid)] = None
            continue
        if not fmts:
            raise InputError("fusions file given without fusions_format", sample=str(sid))
        genes = genes or load_gene_table()
        build = str(build_v or "") or "GRCh38"
        recs, _ = _source_records(paths, fmts, sample_id=str(sid), genes=genes, build=build)
        out[str(sid)] = [
            Fusion(
                str(r["gene5"]),
                str(r["gene3"]),
                str(r["confidence"]),
                callers=tuple(str(r["callers"]).split(";")),
                in_gene_table=bool(r["gene5_in_table"] and r["gene3_in_table"]),
            )
            for r in merge_rows(_rows(recs))
        ]
    return out


def _rows(recs: Sequence[Record]) -> list[dict[str, Any]]:
    """The rows of the records, in order, as dicts."""
    out: list[dict[str, Any]] = []
    for rec in recs:
        names = list(rec)
        out.extend(dict(zip(names, vals, strict=True)) for vals in zip(*rec.values(), strict=True))
    return out
