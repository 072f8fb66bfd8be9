"""Copy-number readers: segments, bins, MLPA probe ratios and gene-level calls.

One dispatch table, :data:`COPY_NUMBER_READERS`, keyed by the sample sheet's
``copy_number_format``. Every reader returns a plain DataFrame with a documented column
contract and ``df.attrs["genome_build"]`` / ``df.attrs["kind"]`` set. Readers never lift
coordinates over: they record the build they were told; the copy-number stage refuses
builds it cannot call on.

Segment tables (``kind = "segments"`` or ``"bins"``) -- :data:`SEGMENT_COLUMNS`:
    ``sample_id``, ``chrom`` (``chr1`` .. ``chr22``, ``chrX``, ``chrY``, ``chrM``; ``7``,
    ``chr7``, ``X``, GISTIC's ``23``/``24`` are normalised), ``start``, ``end`` (1-based,
    inclusive), ``log2`` (float), ``n_probes`` (nullable Int64), ``baf`` (nullable
    float; mirrored B-allele fraction 0--0.5).

    * CNVkit ``.cns`` (``chromosome start end gene log2 [baf] [cn ...] depth probes
      weight [ci_lo ci_hi]``) and ``.cnr`` bins (``chromosome start end gene depth log2
      weight``). CNVkit coordinates are BED-like, 0-based half-open: ``start + 1`` is
      stored, ``end`` is unchanged. A ``.cnr`` bin counts as one probe. CNVkit files hold
      one sample; the sample ID comes from the sample sheet.
    * SEG (IGV / GISTIC / DNAcopy): ``ID chrom loc.start loc.end [num.mark] seg.mean``,
      any header names, value in the last column, coordinates already 1-based
      inclusive. Several samples per file; leading ``#`` lines (IGV track lines) are
      skipped.

MLPA probe ratios (``kind = "mlpa"``) -- :data:`MLPA_COLUMNS`:
    ``sample_id, probe, gene, exon, ratio, chrom, position`` (``chrom`` / ``position``
    nullable). Long layout: columns ``sample_id probe gene exon ratio [chrom position]``.
    Wide (Coffalyser.Net-like export): probe annotation columns (``Probe``, ``Gene``,
    ``Exon``, optional ``Chromosome``/``Chrom``, ``Position``, ``Mapview``, ``Length``)
    and one ratio column per sample. ``Mapview`` (``07-050.344378`` = chr7 at 50.344378
    Mb, the MRC Holland probe-sheet notation) fills chrom / position when no explicit
    columns are given; probe sheets are often GRCh37 -- say so via ``genome_build``.

Gene-level calls (``kind = "gene_calls"``) -- :data:`GENE_CALL_COLUMNS`:
    ``sample_id, gene, call, copy_number``; ``call`` is one of :data:`GENE_CALLS` (or a
    synonym in :data:`GENE_CALL_SYNONYMS`, stored canonically) or empty when a numeric
    ``copy_number`` is given; ``copy_number`` nullable float.

Bad input -> :class:`~allstrat.errors.InputError` naming file and line: empty file,
missing columns, unknown chromosome, start > end, non-numeric or non-finite log2,
negative / NaN ratio, overlapping segments of one sample, duplicate sample columns or
(sample, probe) / (sample, gene) rows.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.errors import InputError

logger = logging.getLogger(__name__)

__all__ = [
    "COPY_NUMBER_READERS",
    "GENE_CALLS",
    "GENE_CALL_COLUMNS",
    "GENE_CALL_SYNONYMS",
    "MAX_MLPA_RATIO",
    "MLPA_COLUMNS",
    "SEGMENT_COLUMNS",
    "normalise_chrom",
    "read_cnvkit",
    "read_copy_number",
    "read_copy_number_for_samples",
    "read_gene_calls",
    "read_mlpa",
    "read_seg",
]

SEGMENT_COLUMNS = ("sample_id", "chrom", "start", "end", "log2", "n_probes", "baf")
MLPA_COLUMNS = ("sample_id", "probe", "gene", "exon", "ratio", "chrom", "position")
GENE_CALL_COLUMNS = ("sample_id", "gene", "call", "copy_number")
GENE_CALLS = ("normal", "deleted", "homozygous_deleted", "gained", "amplified")
#: Accepted spellings of gene-level calls (lower-cased) -> canonical call.
GENE_CALL_SYNONYMS = {
    **{c: c for c in GENE_CALLS},
    "neutral": "normal",
    "wt": "normal",
    "del": "deleted",
    "deletion": "deleted",
    "loss": "deleted",
    "het_del": "deleted",
    "hemizygous": "deleted",
    "homdel": "homozygous_deleted",
    "hom_del": "homozygous_deleted",
    "homozygous_deletion": "homozygous_deleted",
    "gain": "gained",
    "amp": "amplified",
    "amplification": "amplified",
}
GENOME_BUILDS = ("GRCh38", "GRCh37")
_CHROMS = {str(i): f"chr{i}" for i in range(1, 23)} | {
    "X": "chrX",
    "Y": "chrY",
    "M": "chrM",
    "MT": "chrM",
    "23": "chrX",
    "24": "chrY",
}
_MAPVIEW = re.compile(r"^\s*(\d{1,2}|X|Y)-0*(\d+(?:\.\d+)?)\s*$")


def normalise_chrom(value: str) -> str | None:
    """Return ``chrN`` for ``N``, ``0N``, ``chrN``, ``CHRN`` (``23``/``24`` = X/Y), else None."""
    v = str(value).strip()
    if v[:3].lower() == "chr":
        v = v[3:]
    if v.isdigit():
        v = str(int(v))  # "07" (MLPA Mapview) -> "7"
    return _CHROMS.get(v.upper())


# ------------------------------------------------------------------- shared parsing


def _check_build(genome_build: str, path: Path) -> str:
    if genome_build not in GENOME_BUILDS:
        raise InputError(
            f"unknown genome build {genome_build!r}; expected one of {list(GENOME_BUILDS)}",
            path=path,
        )
    return genome_build


def _read_str_table(path: str | Path, *, what: str) -> tuple[pd.DataFrame, int, Path]:
    """Read a TSV as strings; return (table, line number of its header, path)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what} not found", path=p)
    try:
        with p.open(encoding="utf-8") as fh:
            lines = fh.readlines()
    except UnicodeDecodeError:
        raise InputError(f"{what} is not a UTF-8 text file", path=p) from None
    n_skip = 0
    while n_skip < len(lines) and (lines[n_skip].startswith("#") or not lines[n_skip].strip()):
        n_skip += 1
    if n_skip >= len(lines):
        raise InputError(f"{what} is empty; expected a tab-separated table with a header", path=p)
    header = lines[n_skip].rstrip("\r\n")
    if "\t" not in header and ("," in header or ";" in header or " " in header.strip()):
        raise InputError(
            f"{what} header has no tab; expected a tab-separated table (got {header[:60]!r})",
            path=p,
            line=n_skip + 1,
        )
    try:
        df = pd.read_csv(
            p,
            sep="\t",
            skiprows=n_skip,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError:
        raise InputError(f"{what} is empty", path=p) from None
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = int(m.group(1)) + n_skip if m else None
        raise InputError(
            f"{what}: a row has more fields than the header ({exc})", path=p, line=line
        ) from None
    df.columns = [str(c).strip() for c in df.columns]
    if _may_need_strip(lines):  # else every cell is already stripped (no spaces, no quotes)
        df = df.apply(lambda s: s.str.strip())
    empty = (df == "").all(axis=1).to_numpy()
    n = len(df)
    while n and empty[n - 1]:
        n -= 1
    df = df.iloc[:n]
    if df.empty:
        raise InputError(f"{what} has a header but no data rows", path=p, line=n_skip + 1)
    return df, n_skip + 1, p


#: Characters ``str.strip`` removes besides tab and newline (ASCII), and the quote that
#: could put a tab or newline inside a cell.
_STRIPPED = (" ", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", '"')


def _may_need_strip(lines: list[str]) -> bool:
    """Whether a cell of this text can start or end with whitespace (one scan per character
    class instead of a Python call per cell: a 2,500-sample SEG file has ~10^5-10^6 cells).
    """
    text = "".join(lines)
    return not text.isascii() or any(c in text for c in _STRIPPED)


def _lines(df: pd.DataFrame, header_line: int) -> np.ndarray:
    return np.arange(len(df)) + header_line + 1


def _first(mask: np.ndarray) -> int:
    return int(np.argmax(mask))


def _numeric(
    s: pd.Series,
    lines: np.ndarray,
    path: Path,
    *,
    what: str,
    allow_empty: bool = False,
    integer: bool = False,
    finite: bool = True,
) -> np.ndarray:
    text = s.astype(str)
    empty = (text == "").to_numpy()
    if empty.any() and not allow_empty:
        k = _first(empty)
        raise InputError(f"missing {what} (empty cell)", path=path, line=int(lines[k]))
    num = pd.to_numeric(text.where(~empty, None), errors="coerce").to_numpy(dtype="float64")
    bad = np.isnan(num) & ~empty
    if bad.any():  # a written NaN is allowed here; anything else that is not a number is bad
        bad[bad] = ~text[bad].str.lower().isin(["nan", "na"]).to_numpy()
    if bad.any():
        k = _first(bad)
        raise InputError(
            f"non-numeric {what} {text.iloc[k]!r}; expected a number", path=path, line=int(lines[k])
        )
    nan = np.isnan(num) & ~empty
    if nan.any() and not allow_empty:
        k = _first(nan)
        raise InputError(f"{what} is NaN; expected a number", path=path, line=int(lines[k]))
    if finite and np.isinf(num).any():
        k = _first(np.isinf(num))
        raise InputError(
            f"{what} is infinite; expected a finite number", path=path, line=int(lines[k])
        )
    if integer:
        frac = ~np.isnan(num) & (num != np.floor(num))
        if frac.any():
            k = _first(frac)
            raise InputError(
                f"{what} {text.iloc[k]!r} is not an integer", path=path, line=int(lines[k])
            )
        huge = ~np.isnan(num) & (np.abs(num) > 2.0**53)
        if huge.any():
            k = _first(huge)
            raise InputError(
                f"{what} {text.iloc[k]!r} is too large; expected a coordinate or count",
                path=path,
                line=int(lines[k]),
            )
    return num


def _chroms(s: pd.Series, lines: np.ndarray, path: Path) -> list[str]:
    codes, names = pd.factorize(s.to_numpy(), use_na_sentinel=False)  # once per distinct name
    mapped = [normalise_chrom(v) for v in names.tolist()]
    unknown = [i for i, c in enumerate(mapped) if c is None]
    if unknown:
        k = _first(np.isin(codes, unknown))
        raise InputError(
            f"unknown chromosome {s.iloc[k]!r}; expected 1-22, X, Y or M (with or without "
            "'chr'); alternative contigs / unplaced scaffolds are not supported",
            path=path,
            line=int(lines[k]),
        )
    return np.asarray(mapped, dtype=object)[codes].tolist()


def _require(df: pd.DataFrame, cols: Sequence[str], path: Path, line: int, what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(
            f"{what} lacks column(s) {missing}; found {list(df.columns)}", path=path, line=line
        )


def _check_chromosome_ends(out: pd.DataFrame, lines: np.ndarray, path: Path, build: str) -> None:
    """Positions past the stated build's chromosome end: the build is wrong (file + line)."""
    from allstrat.copynumber.resources import chromosomes_for_build

    lengths = chromosomes_for_build(build)["length"]
    other = "GRCh37" if build == "GRCh38" else "GRCh38"
    other_len = chromosomes_for_build(other)["length"]
    limit = out["chrom"].map(lengths).to_numpy(dtype=float)
    beyond = out["end"].to_numpy(dtype=float) > limit  # NaN (unknown contig) compares False
    if beyond.any():
        k = _first(beyond)
        chrom, end = out["chrom"].iloc[k], int(out["end"].iloc[k])
        hint = (
            f"; it fits {other} ({chrom} {int(other_len[chrom]):,} bp): set the sheet's "
            f"genome_build to {other} or lift the file over"
            if end <= other_len[chrom]
            else ""
        )
        raise InputError(
            f"{chrom}:{end:,} is past the {build} end of {chrom} ({int(lengths[chrom]):,} bp)"
            f"{hint}",
            path=path,
            line=int(lines[k]),
            sample=str(out["sample_id"].iloc[k]),
        )


def _finish_segments(
    out: pd.DataFrame, lines: np.ndarray, path: Path, *, build: str, kind: str
) -> pd.DataFrame:
    bad = (out["start"] > out["end"]).to_numpy()
    if bad.any():
        k = _first(bad)
        raise InputError(
            f"start {out['start'].iloc[k]} > end {out['end'].iloc[k]}",
            path=path,
            line=int(lines[k]),
        )
    if (out["start"] < 1).any():
        k = _first((out["start"] < 1).to_numpy())
        raise InputError(
            "start position before 1 (after conversion to 1-based)", path=path, line=int(lines[k])
        )
    _check_chromosome_ends(out, lines, path, build)
    # stable sorts of integer codes (sample, chromosome name: sorted as the strings are)
    # instead of DataFrame.sort_values on string columns: a SEG file of a large chunk has
    # ~10^5-10^6 rows
    sid = pd.factorize(out["sample_id"].to_numpy(), sort=True)[0]
    chrom_code, chrom_names = pd.factorize(out["chrom"].to_numpy(), sort=True)
    start, end = out["start"].to_numpy(), out["end"].to_numpy()
    by_name = np.lexsort((end, start, chrom_code, sid))  # sample, chrom name, start, end
    s_sid, s_chrom = sid[by_name], chrom_code[by_name]
    same = (s_sid[1:] == s_sid[:-1]) & (s_chrom[1:] == s_chrom[:-1])
    overlap = same & (start[by_name][1:] <= end[by_name][:-1])
    if overlap.any():
        k = _first(overlap)
        named = out.assign(_line=lines)
        a, b = named.iloc[by_name[k]], named.iloc[by_name[k + 1]]
        raise InputError(
            f"segments overlap: {a['chrom']}:{a['start']}-{a['end']} (line {a['_line']}) and "
            f"{b['chrom']}:{b['start']}-{b['end']}; expected non-overlapping segments per sample",
            path=path,
            line=int(b["_line"]),
            sample=str(b["sample_id"]),
        )
    order = {c: i for i, c in enumerate(_CHROMS.values())}
    rank = np.array([order[c] for c in chrom_names.tolist()], dtype=np.int64)[chrom_code]
    # sample, chromosome order, start (ties: the order above, i.e. by end, then file order)
    out = out.take(np.lexsort((end, start, rank, sid))).reset_index(drop=True)
    out = out[list(SEGMENT_COLUMNS)]
    out.attrs.update(genome_build=build, kind=kind, source=str(path))
    return out


# ------------------------------------------------------------------- segment readers


def read_cnvkit(path: str | Path, *, sample_id: str, genome_build: str = "GRCh38") -> pd.DataFrame:
    """Read a CNVkit ``.cns`` (segments) or ``.cnr`` (bins) file of one sample.

    Parameters
    ----------
    path : str or Path
        CNVkit output.
    sample_id : str
        The sample the file belongs to (CNVkit files carry no sample column).
    genome_build : {"GRCh38", "GRCh37"}
        Build of the coordinates (recorded in ``attrs``; no lift-over).

    Returns
    -------
    pandas.DataFrame
        :data:`SEGMENT_COLUMNS`; ``start`` converted from 0-based to 1-based.
    """
    df, hl, p = _read_str_table(path, what="CNVkit file")
    build = _check_build(genome_build, p)
    _require(df, ["chromosome", "start", "end", "log2"], p, hl, "CNVkit file")
    lines = _lines(df, hl)
    kind = "segments" if "probes" in df.columns else "bins"
    start = _numeric(df["start"], lines, p, what="start", integer=True)
    end = _numeric(df["end"], lines, p, what="end", integer=True)
    out = pd.DataFrame(
        {
            "sample_id": sample_id,
            "chrom": _chroms(df["chromosome"], lines, p),
            "start": start.astype("int64") + 1,
            "end": end.astype("int64"),
            "log2": _numeric(df["log2"], lines, p, what="log2"),
        }
    )
    if kind == "segments":
        probes = _numeric(df["probes"], lines, p, what="probes", integer=True, allow_empty=True)
        out["n_probes"] = pd.array([None if np.isnan(v) else int(v) for v in probes], dtype="Int64")
    else:
        out["n_probes"] = pd.array(np.ones(len(df), dtype="int64"), dtype="Int64")
    out["baf"] = _baf(df, lines, p)
    return _finish_segments(out, lines, p, build=build, kind=kind)


def _baf(df: pd.DataFrame, lines: np.ndarray, p: Path) -> np.ndarray:
    if "baf" not in df.columns:
        return np.full(len(df), np.nan)
    baf = _numeric(df["baf"], lines, p, what="baf", allow_empty=True)
    bad = ~np.isnan(baf) & ((baf < 0) | (baf > 1))
    if bad.any():
        k = _first(bad)
        raise InputError(f"baf {baf[k]:g} outside 0-1", path=p, line=int(lines[k]))
    return np.minimum(baf, 1 - baf)  # mirrored (NaN stays NaN)


def _keep_samples(
    ids: pd.Series, samples: Sequence[str] | None, p: Path, *, where: str
) -> np.ndarray:
    """Row mask of the wanted ``samples`` (all rows when ``None``); each must be present."""
    if samples is None:
        return np.ones(len(ids), dtype=bool)
    present = set(ids)
    missing = [s for s in samples if s not in present]
    if missing:
        raise InputError(
            f"sample(s) {missing[:5]} {where} (it holds {sorted(present)[:5]})",
            path=p,
            sample=missing[0],
        )
    return ids.isin(list(samples)).to_numpy()


def _refuse_twice(out: pd.DataFrame, key: str, lines: np.ndarray, p: Path) -> None:
    """Refuse a ``key`` (probe, gene) listed twice for one sample, naming its line."""
    dup = out.duplicated(["sample_id", key]).to_numpy()
    if dup.any():
        k = _first(dup)
        raise InputError(
            f"{key} {out[key].iloc[k]!r} appears twice for this sample",
            path=p,
            line=int(lines[k]),
            sample=str(out["sample_id"].iloc[k]),
        )


def read_seg(
    path: str | Path, *, samples: Sequence[str] | None = None, genome_build: str = "GRCh38"
) -> pd.DataFrame:
    """Read a SEG file (IGV / GISTIC / DNAcopy ``ID chrom loc.start loc.end num.mark seg.mean``).

    Parameters
    ----------
    path : str or Path
        The SEG file (one or many samples; 1-based inclusive coordinates).
    samples : sequence of str, optional
        Keep only these samples; each must be present.
    genome_build : {"GRCh38", "GRCh37"}
        Build of the coordinates (recorded in ``attrs``).

    Returns
    -------
    pandas.DataFrame
        :data:`SEGMENT_COLUMNS`.
    """
    df, hl, p = _read_str_table(path, what="SEG file")
    build = _check_build(genome_build, p)
    if df.shape[1] < 5:
        raise InputError(
            f"SEG file needs at least 5 columns (ID chrom loc.start loc.end [num.mark] "
            f"seg.mean); found {list(df.columns)}",
            path=p,
            line=hl,
        )
    lines = _lines(df, hl)
    cols = list(df.columns)
    sid = df[cols[0]]
    if (sid == "").any():
        k = _first((sid == "").to_numpy())
        raise InputError("missing sample ID", path=p, line=int(lines[k]))
    keep = _keep_samples(sid, samples, p, where="have no segments in this SEG file")
    df, lines = df.loc[keep], lines[keep]
    n_mark = None
    if df.shape[1] >= 6:
        n_mark = _numeric(df[cols[4]], lines, p, what=cols[4], integer=True, allow_empty=True)
    out = pd.DataFrame(
        {
            "sample_id": df[cols[0]].to_numpy(),
            "chrom": _chroms(df[cols[1]], lines, p),
            "start": _numeric(df[cols[2]], lines, p, what="start", integer=True).astype("int64"),
            "end": _numeric(df[cols[3]], lines, p, what="end", integer=True).astype("int64"),
            "log2": _numeric(df[cols[-1]], lines, p, what=f"{cols[-1]} (log2 ratio)"),
        }
    )
    out["n_probes"] = pd.array(
        [pd.NA] * len(out) if n_mark is None else n_mark, dtype="Int64"
    )  # integral floats (checked), NaN -> NA
    out["baf"] = np.nan
    return _finish_segments(out, lines, p, build=build, kind="segments")


# ------------------------------------------------------------------- MLPA

_MLPA_ANNOTATION = {
    "probe": "probe",
    "probe_name": "probe",
    "probe name": "probe",
    "gene": "gene",
    "exon": "exon",
    "chrom": "chrom",
    "chromosome": "chrom",
    "chr": "chrom",
    "position": "position",
    "mapview": "mapview",
    "length": "length",
    "probe_length": "length",
}


#: Highest plausible MLPA probe ratio. Ratios are dosage quotients (0 homozygous loss,
#: 0.5 one copy lost, 1 normal, 1.5 one copy gained); even high-level amplification stays a
#: few-fold, so a larger value is a percentage (51 for 0.51) or a raw peak area (derived).
MAX_MLPA_RATIO = 10.0


def read_mlpa(
    path: str | Path,
    *,
    samples: Sequence[str] | None = None,
    genome_build: str = "GRCh38",
    max_ratio: float = MAX_MLPA_RATIO,
) -> pd.DataFrame:
    """Read MLPA probe ratios, long (``sample_id probe gene exon ratio``) or wide.

    Steps: the layout is recognised and a wide table melted to long (:func:`_mlpa_long`),
    the wanted samples kept (:func:`_keep_samples`), ratios checked against
    ``[0, max_ratio]`` (:func:`_mlpa_ratios`), probe locations read from ``chrom`` /
    ``position`` or else a Coffalyser ``Mapview`` (:func:`_mlpa_locations`), and a probe
    listed twice for one sample refused.

    Parameters
    ----------
    path : str or Path
        Long table, or a wide Coffalyser-like export (probe annotation + one ratio column
        per sample).
    samples : sequence of str, optional
        Keep only these samples; each must be present.
    genome_build : {"GRCh38", "GRCh37"}
        Build of ``position`` (recorded in ``attrs``).
    max_ratio : float
        Larger ratios are refused (default :data:`MAX_MLPA_RATIO`): percentages or raw
        peak areas would otherwise be called as amplifications.

    Returns
    -------
    pandas.DataFrame
        :data:`MLPA_COLUMNS`; ``chrom`` normalised (nullable), ``position`` Int64
        (nullable), ``ratio`` float in [0, ``max_ratio``].
    """
    df, hl, p = _read_str_table(path, what="MLPA table")
    build = _check_build(genome_build, p)
    long, layout = _mlpa_long(df, _lines(df, hl), p, hl)
    long = long[_keep_samples(long["sample_id"], samples, p, where="not in the MLPA table")]
    ln = long["_line"].to_numpy()
    ratio = _mlpa_ratios(long, ln, p, max_ratio)
    for c in ("probe", "gene"):
        empty = (long[c] == "").to_numpy()
        if empty.any():
            k = _first(empty)
            raise InputError(f"missing {c}", path=p, line=int(ln[k]))
    chrom, pos = _mlpa_locations(long, ln, p)
    out = pd.DataFrame(
        {
            "sample_id": long["sample_id"].to_numpy(),
            "probe": long["probe"].to_numpy(),
            "gene": long["gene"].to_numpy(),
            "exon": long["exon"].to_numpy(),
            "ratio": ratio,
            "chrom": pd.array(chrom, dtype="string"),
            "position": pd.array([None if np.isnan(v) else int(v) for v in pos], dtype="Int64"),
        }
    )
    _refuse_twice(out, "probe", ln, p)
    out = out.reset_index(drop=True)
    out.attrs.update(genome_build=build, kind="mlpa", source=str(p), layout=layout)
    return out


def _mlpa_long(df: pd.DataFrame, lines: np.ndarray, p: Path, hl: int) -> tuple[pd.DataFrame, str]:
    """The table in long form with its file lines in ``_line``, and its layout name.

    A long table has ``sample_id`` and ``ratio``; a wide one has probe annotation columns
    (:data:`_MLPA_ANNOTATION`, any case) and one ratio column per sample, each once.
    """
    if "ratio" in df.columns and "sample_id" in df.columns:
        _require(df, ["sample_id", "probe", "gene", "exon", "ratio"], p, hl, "MLPA long table")
        long = df.rename(columns={"ratio": "_ratio"})
        long["_line"] = lines
        return long, "long"
    lower = {c: _MLPA_ANNOTATION.get(c.lower()) for c in df.columns}
    if "probe" not in lower.values() or "gene" not in lower.values():
        raise InputError(
            "MLPA table is neither long (sample_id probe gene exon ratio [chrom position]) "
            "nor wide (Probe Gene [Exon Chromosome Position Mapview] + one ratio column "
            f"per sample); found {list(df.columns)}",
            path=p,
            line=hl,
        )
    sample_cols = [c for c, v in lower.items() if v is None]
    if not sample_cols:
        raise InputError("wide MLPA table has no sample columns", path=p, line=hl)
    seen: set[str] = set()
    for c in sample_cols:
        base = re.sub(r"\.\d+$", "", c)
        if base in seen:
            raise InputError(f"sample column {base!r} appears twice", path=p, line=hl)
        seen.add(base)
    ann = df.rename(columns={c: v for c, v in lower.items() if v is not None})
    ann["_line"] = lines
    if "exon" not in ann.columns:
        ann["exon"] = ""
    long = ann.melt(
        id_vars=[c for c in ann.columns if c not in sample_cols],
        value_vars=sample_cols,
        var_name="sample_id",
        value_name="_ratio",
    )
    return long, "wide"


def _mlpa_ratios(long: pd.DataFrame, ln: np.ndarray, p: Path, max_ratio: float) -> np.ndarray:
    """The probe ratios, refusing negative ones and ones above ``max_ratio``."""
    ratio = _numeric(long["_ratio"], ln, p, what="ratio")
    neg = ratio < 0
    if neg.any():
        k = _first(neg)
        raise InputError(
            f"negative ratio {ratio[k]:g}; expected a probe ratio >= 0",
            path=p,
            line=int(ln[k]),
            sample=str(long["sample_id"].iloc[k]),
        )
    high = ratio > max_ratio
    if high.any():
        k = _first(high)
        raise InputError(
            f"ratio {ratio[k]:g} above {max_ratio:g}; expected a probe dosage ratio near 1 "
            "(0.5 = one copy lost): percentages or raw peak areas cannot be used",
            path=p,
            line=int(ln[k]),
            sample=str(long["sample_id"].iloc[k]),
        )
    return ratio


def _mlpa_locations(
    long: pd.DataFrame, ln: np.ndarray, p: Path
) -> tuple[list[str | None], np.ndarray]:
    """Chromosome and position per probe: ``chrom`` / ``position``, else ``Mapview``."""
    chrom: list[str | None] = [None] * len(long)
    pos = np.full(len(long), np.nan)
    if "chrom" in long.columns:
        has = (long["chrom"] != "").to_numpy()
        normed = _chroms(long.loc[has, "chrom"], ln[has], p)
        for kk, c in zip(np.flatnonzero(has).tolist(), normed, strict=True):
            chrom[kk] = c
    if "position" in long.columns:
        pos = _numeric(long["position"], ln, p, what="position", integer=True, allow_empty=True)
    if "mapview" in long.columns:
        for k, mv in enumerate(long["mapview"]):
            if not mv or (chrom[k] is not None and not np.isnan(pos[k])):
                continue
            m = _MAPVIEW.match(mv)
            if not m:
                raise InputError(
                    f"cannot read Mapview {mv!r}; expected e.g. '07-050.344378' "
                    "(chromosome-megabase)",
                    path=p,
                    line=int(ln[k]),
                )
            chrom[k] = normalise_chrom(m.group(1))
            pos[k] = round(float(m.group(2)) * 1e6)
    return chrom, pos


# ------------------------------------------------------------------- gene-level calls


def read_gene_calls(
    path: str | Path, *, samples: Sequence[str] | None = None, genome_build: str = "GRCh38"
) -> pd.DataFrame:
    """Read gene-level copy-number calls (``sample_id gene call [copy_number]``).

    Parameters
    ----------
    path : str or Path
        Tab-separated table, one row per sample and gene.
    samples : sequence of str, optional
        Keep only these samples; each must be present.
    genome_build : {"GRCh38", "GRCh37"}
        Recorded in ``attrs`` (gene calls carry no coordinates).

    Returns
    -------
    pandas.DataFrame
        :data:`GENE_CALL_COLUMNS`; ``call`` canonical (:data:`GENE_CALLS`) or ``""``
        when only ``copy_number`` is given; ``copy_number`` float (NaN = not given).
    """
    df, hl, p = _read_str_table(path, what="gene-call table")
    build = _check_build(genome_build, p)
    _require(df, ["sample_id", "gene", "call"], p, hl, "gene-call table")
    lines = _lines(df, hl)
    keep = _keep_samples(df["sample_id"], samples, p, where="not in the gene-call table")
    df, lines = df.loc[keep], lines[keep]
    cn = (
        _numeric(df["copy_number"], lines, p, what="copy_number", allow_empty=True)
        if "copy_number" in df.columns
        else np.full(len(df), np.nan)
    )
    if (cn < 0).any():
        k = _first(cn < 0)
        raise InputError(f"negative copy_number {cn[k]:g}", path=p, line=int(lines[k]))
    calls = []
    for k, (raw, sid, gene) in enumerate(zip(df["call"], df["sample_id"], df["gene"], strict=True)):
        if not sid or not gene:
            raise InputError("missing sample_id or gene", path=p, line=int(lines[k]))
        c = GENE_CALL_SYNONYMS.get(raw.lower())
        if c is None and not (raw == "" and not np.isnan(cn[k])):
            raise InputError(
                f"unknown call {raw!r}; expected one of {list(GENE_CALLS)} (or a copy_number "
                "with an empty call)",
                path=p,
                line=int(lines[k]),
                sample=sid,
            )
        calls.append(c or "")
    out = pd.DataFrame(
        {
            "sample_id": df["sample_id"].to_numpy(),
            "gene": df["gene"].to_numpy(),
            "call": calls,
            "copy_number": cn,
        }
    )
    _refuse_twice(out, "gene", lines, p)
    out.attrs.update(genome_build=build, kind="gene_calls", source=str(p))
    return out


# ------------------------------------------------------------------- dispatch


def _cnvkit_dispatch(
    path: str | Path, *, samples: Sequence[str] | None = None, genome_build: str = "GRCh38"
) -> pd.DataFrame:
    if not samples or len(samples) != 1:
        raise InputError(
            "a CNVkit file holds one sample, but "
            f"{len(samples or [])} samples ({', '.join(list(samples or [])[:3])}) point to it",
            path=path,
        )
    return read_cnvkit(path, sample_id=samples[0], genome_build=genome_build)


#: Sample-sheet ``copy_number_format`` -> reader(path, *, samples, genome_build).
COPY_NUMBER_READERS: dict[str, Callable[..., pd.DataFrame]] = {
    "cnvkit": _cnvkit_dispatch,
    "seg": read_seg,
    "mlpa": read_mlpa,
    "gene_calls": read_gene_calls,
}


def read_copy_number(
    path: str | Path,
    fmt: str,
    *,
    samples: Sequence[str] | None = None,
    genome_build: str = "GRCh38",
) -> pd.DataFrame:
    """Read a copy-number file with the reader registered for ``fmt``.

    Parameters
    ----------
    path : str or Path
        The file.
    fmt : {"cnvkit", "seg", "mlpa", "gene_calls"}
        The sample sheet's ``copy_number_format``.
    samples : sequence of str, optional
        Samples to keep (required, exactly one, for CNVkit).
    genome_build : {"GRCh38", "GRCh37"}
        Build of the coordinates; recorded, never lifted over.

    Returns
    -------
    pandas.DataFrame
        The format's column contract (see the module docstring).
    """
    if fmt not in COPY_NUMBER_READERS:
        raise InputError(
            f"unknown copy-number format {fmt!r}; expected one of {sorted(COPY_NUMBER_READERS)}",
            path=path,
        )
    return COPY_NUMBER_READERS[fmt](path, samples=samples, genome_build=genome_build)


def read_copy_number_for_samples(
    sheet_rows: pd.DataFrame, *, genome_build: str = "GRCh38"
) -> dict[str, tuple[str, pd.DataFrame]]:
    """Read the copy-number files of some sample-sheet rows, each path once.

    Parameters
    ----------
    sheet_rows : pandas.DataFrame
        Sample-sheet rows (``sample_id``, ``copy_number``, ``copy_number_format``,
        optional ``genome_build``).
    genome_build : str
        Build used when a row's ``genome_build`` is empty (config ``genome_build``).

    Returns
    -------
    dict
        ``sample_id -> (format, rows of that sample)``; samples without a copy-number
        file are absent (the caller reports them as not assessable).
    """
    groups: dict[tuple[str, str, str], list[str]] = {}
    for r in sheet_rows.to_dict("records"):
        path = str(r.get("copy_number") or "")
        if not path:
            continue
        fmt = str(r.get("copy_number_format") or "")
        build = str(r.get("genome_build") or "") or genome_build
        groups.setdefault((path, fmt, build), []).append(str(r["sample_id"]))
    out: dict[str, tuple[str, pd.DataFrame]] = {}
    for (path, fmt, build), sids in groups.items():
        table = read_copy_number(path, fmt, samples=sids, genome_build=build)
        # row positions (ascending) of each sample: one grouping, not a comparison per sample
        rows_of = table.groupby("sample_id", sort=False).indices if len(table) else {}
        none = np.zeros(0, dtype=np.intp)
        for sid in sids:
            sub = table.take(rows_of.get(sid, none)).reset_index(drop=True)
            sub.attrs.update(table.attrs)
            out[sid] = (fmt, sub)
        logger.info("%s (%s, %s): %d rows for %d samples", path, fmt, build, len(table), len(sids))
    return out
