"""Shared pieces of the fusion-caller readers: file checks, the record, gene names.

Every reader returns one row per reported fusion with :data:`FUSION_COLUMNS` (the one
fusion record of allstrat) + :data:`EXTRA_COLUMNS`; see :mod:`allstrat.io.fusions`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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


@dataclass
class Table:
    """A caller's table as text: header names, its data rows (each as long as the header)
    and the file line of each row (1-based, header = 1; blank lines are skipped).

    Plain lists, not a DataFrame: a classify job reads one small file per sample, and
    building frames per file cost more than the rest of the parse (profiled).
    """

    path: Path
    caller: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]

    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, name: object) -> bool:
        return name in self.header

    def col(self, name: str) -> list[str]:
        """The values of column ``name`` (InputError when the header names it twice)."""
        k = self.header.index(name)
        if name in self.header[k + 1 :]:
            raise InputError(
                f"{CALLER_NAMES[self.caller]} file: column {name!r} appears twice in the header",
                path=self.path,
                line=1,
            )
        return [r[k] for r in self.rows]

    def select(self, keep: Sequence[bool]) -> Table:
        """The rows where ``keep`` is true (with their file lines)."""
        pick = [k for k, v in enumerate(keep) if v]
        return Table(
            self.path,
            self.caller,
            self.header,
            [self.rows[k] for k in pick],
            [self.lines[k] for k in pick],
        )


def read_table(path: str | Path, *, caller: str, sep: str = "\t") -> Table:
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
    _check_header(rows[0], header, caller, sep, p)
    n = len(header)
    body, lines = [], []
    for k, row in enumerate(rows[1:], start=2):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != n:
            raise InputError(
                f"{what}: line has {len(row)} fields, the header {n} (truncated line?)",
                path=p,
                line=k,
            )
        body.append(row)
        lines.append(k)
    return Table(p, caller, header, body, lines)


def _check_header(first: list[str], header: list[str], caller: str, sep: str, p: Path) -> None:
    """InputError unless ``header`` (of line 1, ``first`` as split) is ``caller``'s."""
    found = detect_caller(header)
    if found is None and sep == "\t" and len(header) == 1 and "," in first[0]:
        found = detect_caller(next(csv.reader([first[0]])))
    if found is None and sep == "," and len(header) == 1 and "\t" in first[0]:
        found = detect_caller(first[0].split("\t"))
    if found is not None and found != caller:
        raise InputError(
            f"this is {_a(CALLER_NAMES[found])} file (detected from its header), but the sample "
            f"sheet declares fusions_format {caller!r}; set fusions_format to {found!r}",
            path=p,
            line=1,
        )
    if found is None:
        raise InputError(
            f"header is not a {CALLER_NAMES[caller]} file header (expected columns such as "
            f"{list(dict(SIGNATURES)[caller])}; found {header[:6]})",
            path=p,
            line=1,
        )


def _a(name: str) -> str:
    return ("an " if name[0] in "AEIOU" else "a ") + name


def _quoting(sep: str) -> Literal[0, 3]:
    return csv.QUOTE_MINIMAL if sep == "," else csv.QUOTE_NONE


def require(t: Table, cols: Sequence[str]) -> None:
    """InputError naming the missing columns of a caller's file."""
    missing = [c for c in cols if c not in t.header]
    if missing:
        raise InputError(
            f"{CALLER_NAMES[t.caller]} file lacks column(s) {missing}; is this the right "
            "caller / format?",
            path=t.path,
            line=1,
        )


_DASH = frozenset({"-", "", "NA"})


def ints(values: Sequence[str], t: Table, what: str, *, dash_zero: bool = False) -> list[int]:
    """Non-negative integer column (``-`` as 0 when ``dash_zero``), else InputError + line.

    Plain digit strings (the usual case) are converted here; anything else goes through
    :func:`_ints_numeric` (pandas' number parsing, as before).
    """
    out = []
    for v in values:
        s = v.strip()
        if s.isdigit() and s.isascii() and len(s) <= 15:  # exact in float64 too
            out.append(int(s))
        elif dash_zero and s in _DASH:
            out.append(0)
        else:
            return _ints_numeric(values, t, what, dash_zero=dash_zero)
    return out


def _ints_numeric(values: Sequence[str], t: Table, what: str, *, dash_zero: bool) -> list[int]:
    """:func:`ints` through ``pandas.to_numeric`` (signs, decimals, exponents, errors)."""
    vals = pd.Series(list(values), dtype=object).str.strip()
    if dash_zero:
        vals = vals.replace({"-": "0", "": "0", "NA": "0"})
    num = pd.to_numeric(vals, errors="coerce").to_numpy(dtype="float64")
    bad = np.isnan(num) | (num < 0) | (num != np.floor(num))
    if bad.any():
        k = int(np.argmax(bad))
        raise InputError(
            f"{what} {values[k]!r} is not a non-negative integer (truncated line?)",
            path=t.path,
            line=t.lines[k],
        )
    return [int(v) for v in num.astype("int64")]


def breakpoint(chrom: str, pos: str, p: Path, line: int) -> str:
    """``chrN:pos`` from a caller's chromosome and 1-based position (InputError if bad)."""
    pos = pos.strip()
    if not pos.isdecimal():  # what int() reads (isdigit() also passes e.g. superscripts)
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
    cache = table_cache(genes, "_fusion_partners")
    out, found = [], []
    for i, a in zip(ids, alt, strict=True):
        hit = cache.get((i, a))
        if hit is None:
            hit = cache[(i, a)] = _canonical(i, a, genes)
        out.append(hit[0])
        found.append(hit[1])
    return out, found


def _canonical(i: str, a: str, genes: GeneTable) -> tuple[str, bool]:
    """:func:`canonical_genes` of one partner (ID ``i``, caller's symbol ``a``)."""
    k = ""
    for cand in dict.fromkeys([i, a]):
        if cand:
            k = harmonise_ids([cand], genes)[0][0]
            if k:
                break
    locus = ig_locus(k) if k else ig_locus(a) or ig_locus(i)
    if locus is not None:
        return locus, True
    return k or a or i, bool(k)


def table_cache(genes: GeneTable, name: str) -> dict[Any, Any]:
    """A dict kept on ``genes`` (a frozen dataclass, as :meth:`GeneTable.maps` does): what
    the readers derive from the gene table per name is derived once per table.
    """
    cache = genes.__dict__.get(name)
    if cache is None:
        cache = {}
        object.__setattr__(genes, name, cache)
    return cast("dict[Any, Any]", cache)


def _seq(value: object) -> Iterable[Any]:
    """A column passed to :func:`record` (any iterable of cell values)."""
    return cast("Iterable[Any]", value)


def _seq_or_none(value: object) -> Any:
    return None if value is None else list(_seq(value))


#: One sample's calls of one caller as columns (:data:`FUSION_COLUMNS` +
#: :data:`EXTRA_COLUMNS`, each a list of plain values); :func:`to_frame` makes the frame.
Record = dict[str, list[Any]]

_ALL_COLUMNS = (*FUSION_COLUMNS, *EXTRA_COLUMNS)
_DTYPES: dict[str, Any] = {
    "junction_reads": np.int64,
    "spanning_reads": np.int64,
    "passed": bool,
    "gene5_in_table": bool,
    "gene3_in_table": bool,
}


def record(sample_id: str, caller: str, n: int, genes: GeneTable, **cols: object) -> Record:
    """Assemble the fusion record as plain columns (gene columns canonicalised).

    ``cols``: the other columns, each an iterable of ``n`` values or one string for all
    rows; ``gene5_alt`` / ``gene3_alt``: the caller's symbols (:func:`canonical_genes`).
    """
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
    return {c: data[c] for c in _ALL_COLUMNS}


def to_frame(rec: Record, caller: str) -> pd.DataFrame:
    """The fusion record as a DataFrame (dtypes fixed, ``attrs["caller"]``)."""
    # one typed array per column, built once: per-column astype on a DataFrame cost a
    # 2,500-sample classify job more than reading the files (profiled)
    n = len(rec["sample_id"])
    df = pd.DataFrame(
        {c: np.asarray(rec[c], dtype=_DTYPES.get(c, object)) for c in _ALL_COLUMNS},
        index=pd.RangeIndex(n),
    )
    df.attrs.update(caller=caller)
    return df


def frame(sample_id: str, caller: str, n: int, genes: GeneTable, **cols: object) -> pd.DataFrame:
    """Assemble the fusion record as a DataFrame (:func:`record`, then :func:`to_frame`)."""
    return to_frame(record(sample_id, caller, n, genes, **cols), caller)
