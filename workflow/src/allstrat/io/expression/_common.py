"""Shared parts of the expression readers: the parsed-file record, safe text and CSV
reading, and the validation of gene IDs and counts that every format applies.

Every malformed input raises :class:`~allstrat.errors.InputError` naming the file and the
line (1-based, as an editor shows it) or the sample.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.errors import InputError

HTSEQ_COUNTERS = (
    "__no_feature",
    "__ambiguous",
    "__too_low_aQual",
    "__not_aligned",
    "__alignment_not_unique",
)
STAR_COUNTERS = ("N_unmapped", "N_multimapping", "N_noFeature", "N_ambiguous")
FEATURECOUNTS_HEADER = ("Geneid", "Chr", "Start", "End", "Strand", "Length")
SALMON_HEADER = ("Name", "Length", "EffectiveLength", "TPM", "NumReads")
INT32_MAX = np.iinfo(np.int32).max


@dataclass
class ExpressionFile:
    """Raw counts of one expression file (before gene-ID harmonisation).

    Attributes
    ----------
    path : str
        The file as given.
    fmt : str
        The format key of :data:`READERS`.
    counts : pandas.DataFrame
        Raw gene IDs (index, as in the file) x sample columns (names as in the file,
        e.g. BAM paths for featureCounts), ``int64``; non-gene counter rows removed.
    lines : numpy.ndarray
        1-based file line of every row of ``counts`` (for error messages).
    notes : dict
        Format-specific provenance: counter rows (``non_gene_counts``), the STAR column
        used and why, salmon aggregation, ignored annotation columns.
    """

    path: str
    fmt: str
    counts: pd.DataFrame
    lines: np.ndarray
    notes: dict[str, object] = field(default_factory=dict)


@contextlib.contextmanager
def _text(path: Path) -> Iterator[io.TextIOBase]:
    """Open a (possibly gzip-compressed) text file, mapping decode errors to InputError."""
    try:
        fh = (
            gzip.open(path, "rt", encoding="utf-8", newline="")  # noqa: SIM115
            if path.suffix == ".gz"
            else path.open(encoding="utf-8", newline="")
        )
    except OSError as exc:
        raise InputError(f"cannot open expression file: {exc.strerror or exc}", path=path) from None
    try:
        yield fh
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise InputError(f"truncated or corrupt gzip file ({exc})", path=path) from None
    except UnicodeDecodeError:
        raise InputError(
            "not a UTF-8 text file; expected a tab-separated table", path=path
        ) from None
    finally:
        fh.close()


def _check_file(path: str | Path) -> Path:
    p = Path(path)
    if not p.is_file():
        raise InputError("expression file not found", path=p)
    if p.stat().st_size == 0:
        raise InputError("expression file is empty", path=p)
    return p


def _head(path: Path, n: int = 50) -> list[str]:
    """The first ``n`` lines without line terminators."""
    out: list[str] = []
    with _text(path) as fh:
        for line in fh:
            out.append(line.rstrip("\r\n"))
            if len(out) >= n:
                break
    if not out or all(not x.strip() for x in out):
        raise InputError("expression file is empty", path=path)
    return out


def _read_csv(path: Path, **kwargs: object) -> pd.DataFrame:
    """``pandas.read_csv`` with parser failures turned into InputError."""
    try:
        return pd.read_csv(path, skip_blank_lines=False, **kwargs)  # type: ignore[call-overload]
    except pd.errors.EmptyDataError:
        raise InputError("expression file has no data rows", path=path) from None
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = int(m.group(1)) if m else None
        raise InputError(
            f"malformed table ({exc}); every row must have the same number of "
            "tab-separated fields as the header",
            path=path,
            line=line,
        ) from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise InputError(f"truncated or corrupt gzip file ({exc})", path=path) from None
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file", path=path) from None
    except ValueError as exc:
        raise InputError(f"cannot parse table: {exc}", path=path) from None


def _drop_trailing_blank(df: pd.DataFrame) -> pd.DataFrame:
    empty = df.isna().all(axis=1).to_numpy()
    n = len(df)
    while n and empty[n - 1]:
        n -= 1
    return df.iloc[:n]


def _validate_ids(ids: pd.Series, lines: np.ndarray, path: Path) -> pd.Index:
    """Gene IDs: present, unique."""
    # plain list comprehension: ~10x faster than the .str accessor on 20,000 IDs
    stripped = pd.Index([str(v).strip() for v in ids.to_numpy(dtype=object)])
    _refuse_first(
        ids.isna().to_numpy() | (stripped == ""),
        lines,
        path,
        lambda k: "empty line or missing gene ID; expected one gene per line",
    )
    idx = stripped
    dup = idx.duplicated()
    if dup.any():
        k = int(np.argmax(dup))
        first = int(lines[int(np.argmax(idx == idx[k]))])
        raise InputError(
            f"gene ID {idx[k]!r} appears twice (lines {first} and {int(lines[k])}); "
            "expected one row per gene",
            path=path,
            line=int(lines[k]),
        )
    return idx


def _refuse_first(mask: np.ndarray, lines: np.ndarray, path: Path, message) -> None:
    """Raise :class:`InputError` at the first row where ``mask`` holds.

    ``message(k)`` builds the text for offending row ``k``; nothing happens when no row
    offends.
    """
    if mask.any():
        k = int(np.argmax(mask))
        raise InputError(message(k), path=path, line=int(lines[k]))


def _validate_counts(
    values: pd.DataFrame,
    lines: np.ndarray,
    path: Path,
    *,
    what: str = "count",
    allow_fraction: bool = False,
) -> pd.DataFrame:
    """Check a block of count columns; return it as int64 (rounded if ``allow_fraction``)."""
    out = {}
    for col in values.columns:
        s = values[col]
        if s.dtype == object:
            num = pd.to_numeric(s, errors="coerce")
            raw = s
            _refuse_first(
                (num.isna() & s.notna()).to_numpy(),
                lines,
                path,
                lambda k, raw=raw, col=col: (
                    f"non-numeric {what} {raw.iloc[k]!r} in column {col!r}; expected "
                    "non-negative integer read counts (is the delimiter right?)"
                ),
            )
            s = num
        arr = s.to_numpy(dtype="float64", na_value=np.nan)
        _refuse_first(
            np.isnan(arr),
            lines,
            path,
            lambda k, col=col: (
                f"missing {what} in column {col!r} (truncated line?); expected a "
                "non-negative integer"
            ),
        )
        _refuse_first(
            arr < 0,
            lines,
            path,
            lambda k, arr=arr, col=col: (
                f"negative {what} {arr[k]:g} in column {col!r}; counts cannot be negative"
            ),
        )
        if allow_fraction:
            arr = np.rint(arr)
        else:
            _refuse_first(
                arr != np.floor(arr),
                lines,
                path,
                lambda k, arr=arr, col=col: (
                    f"non-integer {what} {arr[k]:g} in column {col!r}; expected raw integer "
                    "read counts (TPM, FPKM or normalised values cannot be used)"
                ),
            )
        _refuse_first(
            arr > INT32_MAX,
            lines,
            path,
            lambda k, arr=arr, col=col: (
                f"{what} {arr[k]:g} in column {col!r} exceeds 2^31-1; not a read count"
            ),
        )
        out[col] = arr.astype("int64")
    return pd.DataFrame(out, index=values.index)


def _split_non_gene(
    df: pd.DataFrame, lines: np.ndarray, counters: Sequence[str]
) -> tuple[pd.DataFrame, np.ndarray, dict[str, dict[str, int]]]:
    """Remove counter rows (``__no_feature``, ``N_unmapped`` ...); return them per column."""
    is_counter = df.index.isin(list(counters)) | df.index.str.startswith("__")
    if not is_counter.any():  # the usual case for matrices: no copy
        return df, lines, {str(col): {} for col in df.columns}
    sub = df.loc[is_counter]
    found = {
        str(col): {str(k): int(v) for k, v in zip(sub.index, sub[col].to_numpy(), strict=True)}
        for col in sub.columns
    }
    return df.loc[~is_counter], lines[~is_counter], found


def _first_field_count(lines: list[str], sep: str) -> int:
    return len(lines[0].split(sep))


def _check_duplicate_columns(names: Sequence[str], path: Path, line: int) -> None:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise InputError(
                f"sample column {n!r} appears twice in the header; sample names must be unique",
                path=path,
                line=line,
            )
        seen.add(n)
