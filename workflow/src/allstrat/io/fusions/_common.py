"""Shared pieces of the fusion-caller readers: file checks, the record, gene names.

Every reader returns one row per reported fusion with :data:`FUSION_COLUMNS` (the one
fusion record of allstrat) + :data:`EXTRA_COLUMNS`; see :mod:`allstrat.io.fusions`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from allstrat.errors import InputError
from allstrat.harmonise import GeneTable, harmonise_ids
from allstrat.io.copynumber_readers import normalise_chrom

FUSION_COLUMNS = (
    "sample_id",
    "gene5",
    "gene3",
    "caller",
    "confidence",
    "junction_reads",
    "spanning_reads",
    "breakpoint5",
    "breakpoint3",
    "build",
    "passed",
    "filter_reason",
    "gene5_in_table",
    "gene3_in_table",
)
EXTRA_COLUMNS = ("gene5_raw", "gene3_raw", "fusion_type", "reading_frame", "caller_confidence")
CONFIDENCE = ("high", "medium", "low")
IG_LOCI = frozenset({"IGH", "IGK", "IGL"})
_IG_SEGMENT = re.compile(r"^(?P<locus>IG[HKL])(@.*|-@.*|[VDJ]\d.*|M|D|E|G\d|A\d|C|C\d|-locus)?$")
_INTERGENIC = re.compile(r"^(?P<gene>[^(,]+)\((?P<dist>\d+)\)$")

#: Header signature of every caller: (caller, columns that identify it).
SIGNATURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("arriba", ("gene1", "gene2", "breakpoint1", "split_reads1")),
    ("starfusion", ("FusionName", "JunctionReadCount", "LeftBreakpoint")),
    ("fusioncatcher", ("Gene_1_symbol(5end_fusion_partner)", "Fusion_description")),
    ("cicero", ("geneA", "geneB", "posA", "rating", "medal")),
    ("jaffa", ("fusion genes", "classification", "spanning reads")),
)
CALLER_NAMES = {
    "arriba": "Arriba",
    "starfusion": "STAR-Fusion",
    "fusioncatcher": "FusionCatcher",
    "cicero": "CICERO",
    "jaffa": "JAFFA",
}


def ig_locus(name: str) -> str | None:
    """``IGH`` / ``IGK`` / ``IGL`` for an immunoglobulin locus or segment name, else None.

    Callers name IG partners as the locus (``IGH``, FusionCatcher ``IGH@``) or as a
    segment (``IGHV3-21``, ``IGHM``, ``IGKC``); all mean the locus for subtype rules.
    Real genes such as ``IGLL1`` or ``IGHMBP2`` are not matched.
    """
    m = _IG_SEGMENT.match(name)
    return m["locus"] if m else None


def detect_caller(columns: Sequence[str]) -> str | None:
    """Which caller wrote a header with these column names (None when none matches)."""
    cols = {c.lstrip("#").strip() for c in columns}
    for caller, needed in SIGNATURES:
        if all(n in cols for n in needed):
            return caller
    return None


def read_table(path: str | Path, *, caller: str, sep: str = "\t") -> tuple[pd.DataFrame, Path]:
    """Read a caller's table as strings, with checks that name the file and the line.

    * missing / not UTF-8 / 0 bytes -> InputError (a caller that found nothing still
      writes its header: an empty file is a truncated output, never "no fusion");
    * header-only -> an empty table (valid: the caller found no fusion);
    * a header of another caller -> InputError naming the caller it looks like;
    * a row with fewer or more fields than the header -> InputError with its line.
    """
    what = f"{CALLER_NAMES[caller]} file"
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what} not found", path=p)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{what} is not a UTF-8 text file", path=p) from None
    if not text.strip():
        raise InputError(
            f"{what} is empty (not even a header); a caller that found no fusions still "
            "writes its header line -- the file is probably truncated",
            path=p,
        )
    rows = list(csv.reader(io.StringIO(text), delimiter=sep, quoting=_quoting(sep)))
    header = [c.lstrip("#").strip() for c in rows[0]]
    found = detect_caller(header)
    if found is None and sep == "\t" and len(header) == 1 and "," in rows[0][0]:
        found = detect_caller(next(csv.reader([rows[0][0]])))
    if found is None and sep == "," and len(header) == 1 and "\t" in rows[0][0]:
        found = detect_caller(rows[0][0].split("\t"))
    if found is not None and found != caller:
        raise InputError(
            f"this is {_a(CALLER_NAMES[found])} file (detected from its header), but the sample "
            f"sheet declares fusions_format {caller!r}; set fusions_format to {found!r}",
            path=p,
            line=1,
        )
    if found is None:
        raise InputError(
            f"header is not a {what} header (expected columns such as "
            f"{list(dict(SIGNATURES)[caller])}; found {header[:6]})",
            path=p,
            line=1,
        )
    n = len(header)
    for k, row in enumerate(rows[1:], start=2):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != n:
            raise InputError(
                f"{what}: line has {len(row)} fields, the header {n} (truncated line?)",
                path=p,
                line=k,
            )
    body = [r for r in rows[1:] if r and not (len(r) == 1 and not r[0].strip())]
    df = pd.DataFrame(body, columns=header, dtype=str)
    df.attrs["lines"] = [k for k, r in enumerate(rows[1:], start=2) if r in body]
    return df, p


def _a(name: str) -> str:
    return ("an " if name[0] in "AEIOU" else "a ") + name


def _quoting(sep: str) -> Literal[0, 3]:
    return csv.QUOTE_MINIMAL if sep == "," else csv.QUOTE_NONE


def line_of(df: pd.DataFrame, k: int) -> int:
    """File line number (1-based, header = 1) of row ``k`` of a :func:`read_table` frame."""
    lines = df.attrs.get("lines")
    return int(lines[k]) if lines else k + 2


def require(df: pd.DataFrame, cols: Sequence[str], p: Path, caller: str) -> None:
    """InputError naming the missing columns of a caller's file."""
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(
            f"{CALLER_NAMES[caller]} file lacks column(s) {missing}; is this the right "
            "caller / format?",
            path=p,
            line=1,
        )


def ints(
    s: pd.Series, p: Path, what: str, df: pd.DataFrame, *, dash_zero: bool = False
) -> np.ndarray:
    """Non-negative integer column (``-`` as 0 when ``dash_zero``), else InputError + line."""
    vals = s.str.strip()
    if dash_zero:
        vals = vals.replace({"-": "0", "": "0", "NA": "0"})
    num = pd.to_numeric(vals, errors="coerce").to_numpy(dtype="float64")
    bad = np.isnan(num) | (num < 0) | (num != np.floor(num))
    if bad.any():
        k = int(np.argmax(bad))
        raise InputError(
            f"{what} {s.iloc[k]!r} is not a non-negative integer (truncated line?)",
            path=p,
            line=line_of(df, k),
        )
    return num.astype("int64")


def breakpoint(chrom: str, pos: str, p: Path, line: int) -> str:
    """``chrN:pos`` from a caller's chromosome and 1-based position (InputError if bad)."""
    pos = pos.strip()
    if not pos.isdigit():
        raise InputError(
            f"breakpoint position {pos!r} is not a positive integer", path=p, line=line
        )
    c = normalise_chrom(chrom.strip())
    if c is None:
        raise InputError(f"unknown chromosome {chrom!r} in a breakpoint", path=p, line=line)
    return f"{c}:{int(pos)}"


def colon_breakpoint(value: str, p: Path, line: int) -> str:
    """``chr:pos[:strand]`` (Arriba, STAR-Fusion, FusionCatcher) -> ``chrN:pos``."""
    parts = value.split(":")
    if len(parts) < 2:
        raise InputError(
            f"breakpoint {value!r}; expected chromosome:position[:strand]", path=p, line=line
        )
    return breakpoint(parts[0], parts[1], p, line)


def symbol_part(raw: str) -> str:
    """The symbol of STAR-Fusion ``SYMBOL^ENSG...`` (other text: as :func:`partner`)."""
    return raw.split("^", 1)[0].strip() if "^" in raw else partner(raw)


def partner(raw: str) -> str:
    """Caller gene text -> one gene name or ID to harmonise.

    STAR-Fusion ``SYMBOL^ENSG...`` -> the Ensembl ID; Arriba intergenic
    ``A(1200),B(53000)`` -> the nearer gene; ``A,B`` (overlapping genes) -> A.
    """
    raw = raw.strip()
    if "^" in raw:
        sym, ens = raw.split("^", 1)
        return ens.split(".")[0] if ens.startswith("ENSG") else sym
    if "(" in raw:
        best, best_d = raw, None
        for part in raw.split(","):
            m = _INTERGENIC.match(part.strip())
            if m and (best_d is None or int(m["dist"]) < best_d):
                best, best_d = m["gene"], int(m["dist"])
        return best
    return raw.split(",")[0].strip()


def canonical_genes(
    ids: Sequence[str], genes: GeneTable, fallback: Sequence[str] | None = None
) -> tuple[list[str], list[bool]]:
    """Canonical symbols through the gene table, and whether each was found there.

    ``ids`` are what the caller names best (an Ensembl ID when it gives one);
    ``fallback`` (the caller's symbol) is tried when the ID is unknown and kept as the
    name when neither is found. IG loci / segments map to ``IGH`` / ``IGK`` / ``IGL``
    (found: they are loci, not genes of the table). A name the table lacks is kept and
    marked not found -- never dropped.
    """
    alt = list(fallback) if fallback is not None else list(ids)
    out, found = [], []
    for i, a in zip(ids, alt, strict=True):
        k = ""
        for cand in dict.fromkeys([i, a]):
            if cand:
                k = harmonise_ids([cand], genes)[0][0]
                if k:
                    break
        locus = ig_locus(k) if k else ig_locus(a) or ig_locus(i)
        if locus is not None:
            out.append(locus)
            found.append(True)
        else:
            out.append(k or a or i)
            found.append(bool(k))
    return out, found


def _seq(value: object) -> Iterable[Any]:
    """A column passed to :func:`frame` (any iterable of cell values)."""
    return cast("Iterable[Any]", value)


def _seq_or_none(value: object) -> Any:
    return None if value is None else list(_seq(value))


_ALL_COLUMNS = (*FUSION_COLUMNS, *EXTRA_COLUMNS)
_DTYPES: dict[str, Any] = {
    "junction_reads": np.int64,
    "spanning_reads": np.int64,
    "passed": bool,
    "gene5_in_table": bool,
    "gene3_in_table": bool,
}


def frame(sample_id: str, caller: str, n: int, genes: GeneTable, **cols: object) -> pd.DataFrame:
    """Assemble the fusion record (gene columns canonicalised, dtypes fixed)."""
    alt5, alt3 = cols.pop("gene5_alt", None), cols.pop("gene3_alt", None)
    g5, f5 = canonical_genes(list(_seq(cols.pop("gene5"))), genes, _seq_or_none(alt5))
    g3, f3 = canonical_genes(list(_seq(cols.pop("gene3"))), genes, _seq_or_none(alt3))
    data = {
        "sample_id": [sample_id] * n,
        "caller": [caller] * n,
        "gene5": g5,
        "gene3": g3,
        "gene5_in_table": f5,
        "gene3_in_table": f3,
        **{k: (list(_seq(v)) if not isinstance(v, str) else [v] * n) for k, v in cols.items()},
    }
    # one typed array per column, built once: per-column astype on a DataFrame cost a
    # 2,500-sample classify job more than reading the files (profiled)
    df = pd.DataFrame(
        {c: np.asarray(data[c], dtype=_DTYPES.get(c, object)) for c in _ALL_COLUMNS},
        index=pd.RangeIndex(n),
    )
    df.attrs.update(caller=caller)
    return df
