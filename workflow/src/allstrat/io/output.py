"""Atomic output writing: a file either appears complete or not at all.

Every writer in allstrat goes through :func:`atomic_path`: data are written to a
temporary file in the destination folder, flushed and fsynced, then renamed over the
destination (``os.replace`` is atomic on POSIX). An interrupted run leaves no
half-written output behind. A process killed outright (SIGKILL, node loss) cannot delete
its ``.tmp-<name>.*`` file; the next write of the same destination removes such leftovers
first (only one job ever writes a given output, so they cannot belong to a live writer).

:func:`write_texts` writes many small files (a chunk's per-sample reports) with the same
guarantee at a fraction of the cost: one directory scan for leftovers per folder instead
of one per file, and one ``os.sync`` per batch instead of one ``fsync`` per file; no file
is renamed into place before its data are on disk.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


@contextlib.contextmanager
def atomic_path(dest: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``dest``; rename it to ``dest`` on success.

    Examples
    --------
    >>> with atomic_path(tmp / "x.txt") as p:  # doctest: +SKIP
    ...     p.write_text("done")
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    for stale in dest.parent.glob(f".tmp-{glob.escape(dest.name)}.*"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
    fd, tmp = tempfile.mkstemp(prefix=f".tmp-{dest.name}.", dir=dest.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with tmp_path.open("rb+") as fh:
            os.fsync(fh.fileno())
        tmp_path.chmod(0o644)
        os.replace(tmp_path, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def write_text(dest: str | Path, text: str) -> None:
    """Write ``text`` to ``dest`` atomically."""
    with atomic_path(dest) as tmp:
        tmp.write_text(text, encoding="utf-8")


def json_text(obj: Any) -> str:
    """Stable, sorted, indented JSON text (byte-identical reruns) as written by allstrat.

    The text of ``json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False,
    allow_nan=False)`` plus a newline (:func:`json_bytes`, decoded).
    """
    return json_bytes(obj).decode("utf-8")


def json_bytes(obj: Any) -> bytes:
    """:func:`json_text` of ``obj`` encoded as UTF-8 (what :func:`write_json` writes).

    Python's indented encoder is its slow pure-Python one (writing the traces of a
    2,500-sample risk job took longer than assigning the risk, and the per-sample reports
    spent a third of their time on it). Here the standard library's C encoder writes the
    one-line text (:func:`sorted_json`) and :func:`indent_json` lays it out; anything the
    C encoder refuses (other types, NaN, cycles) goes through ``json.dumps``, which gives
    the same text or the same error.
    """
    try:
        compact = sorted_json(obj)
    except (TypeError, ValueError, RecursionError):
        text = json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8") + b"\n"
    return indent_json(compact.encode("utf-8")) + b"\n"


_C_MAKE_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_ENC_STR = json.encoder.encode_basestring  # type: ignore[attr-defined]


def sorted_json(obj: Any) -> str:
    """``json.dumps(obj, sort_keys=True, ensure_ascii=False, allow_nan=False,
    separators=(",", ": "))``: one line, the key separator of the indented text.

    Calls the standard library's C encoder directly (what ``json.dumps`` does without
    its per-call set-up); it raises ``TypeError`` / ``ValueError`` / ``RecursionError``
    where ``json.dumps`` raises an error (callers that need ``json.dumps``' message or
    its cycle check call it then).
    """
    if _C_MAKE_ENCODER is None:  # pragma: no cover - CPython has the C encoder
        return json.dumps(
            obj, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ": ")
        )
    # no markers (cycle check) and no default: a cycle ends in RecursionError, another
    # type in TypeError ('NoneType' object is not callable)
    enc = _C_MAKE_ENCODER(None, None, _ENC_STR, None, ": ", ",", True, False, False)
    return "".join(enc(obj, 0))


_QUOTE, _COMMA, _NL, _SPACE = 34, 44, 10, 32
_OPENERS, _CLOSERS = (123, 91), (125, 93)  # { [ and } ]


def indent_json(compact: bytes) -> bytes:
    r"""Lay out one-line JSON (UTF-8 of :func:`sorted_json`) as ``json.dumps(indent=2)``.

    The two texts differ only outside strings: a newline and two spaces per level after
    each ``,`` and after each ``{`` / ``[`` of a non-empty container, and before its
    ``}`` / ``]``. Those characters are found and the whitespace inserted with array
    operations instead of a Python step per value: quotes that close or open a string
    are the ones not escaped (``\"`` and ``\\`` are blanked in a copy first; no other
    escape contains a quote), and a structural character lies outside strings when an
    even number of such quotes precede it. Long texts (a chunk's sidecars) are laid out
    in windows of ~4 MB, the nesting depth and the in-string state carried over, so
    the arrays stay small.
    """
    bare = compact.replace(b"\\\\", b"__").replace(b'\\"', b"__") if b"\\" in compact else compact
    parts, n, start, depth, inside = [], len(compact), 0, 0, 0
    while start < n:
        end = min(start + _WINDOW, n)
        while end < n and compact[end - 1] in _OPENERS:  # keep "{}" / "[]" in one window
            end += 1
        part, depth, inside = _indent_window(compact, bare, (start, end), (depth, inside))
        parts.append(part)
        start = end
    return b"".join(parts)


_WINDOW = 1 << 22


def _indent_window(
    compact: bytes, bare: bytes, span: tuple[int, int], state: tuple[int, int]
) -> tuple[bytes, int, int]:
    """:func:`indent_json` of ``compact[start:end]`` (``span``) at nesting ``depth0``, inside
    a string when ``inside0`` is 1 (``state``); returns the laid-out bytes and the depth and
    in-string state at ``end``.
    """
    (start, end), (depth0, inside0) = span, state
    n = end - start
    a = np.frombuffer(compact, np.uint8, count=n, offset=start)
    quotes = np.flatnonzero(np.frombuffer(bare, np.uint8, count=n, offset=start) == _QUOTE)
    s = np.flatnonzero(
        (a == _COMMA) | (a == _OPENERS[0]) | (a == _OPENERS[1]) | (a == _CLOSERS[0])
        | (a == _CLOSERS[1])
    )  # fmt: skip
    s = s[((np.searchsorted(quotes, s) + inside0) & 1) == 0]
    c = a[s]
    opens = (c == _OPENERS[0]) | (c == _OPENERS[1])
    closes = (c == _CLOSERS[0]) | (c == _CLOSERS[1])
    depth = depth0 + np.cumsum(opens.astype(np.int64) - closes)  # nesting after each one
    empty = np.zeros(len(s) + 1, bool)  # an opener directly followed by its closer
    empty[1:-1] = opens[:-1] & closes[1:] & (s[1:] == s[:-1] + 1)
    after = (opens & ~empty[1:]) | (c == _COMMA)  # newline + indent after the character
    before = closes & ~empty[:-1]  # ... or before it
    at = after | before
    where = (s + after)[at]  # insertion points, ascending
    width = (1 + 2 * depth)[at]
    shift = np.zeros(len(width) + 1, np.int64)
    np.cumsum(width, out=shift[1:])
    out = np.full(n + int(shift[-1]), _SPACE, np.uint8)
    out[np.arange(n) + np.repeat(shift, np.diff(where, prepend=0, append=n))] = a
    out[where + shift[:-1]] = _NL
    depth_end = int(depth[-1]) if len(depth) else depth0
    return out.tobytes(), depth_end, (inside0 + len(quotes)) & 1


def write_json(dest: str | Path, obj: Any) -> None:
    """Write ``obj`` as stable, sorted, indented JSON atomically (byte-identical reruns)."""
    with atomic_path(dest) as tmp:
        tmp.write_bytes(json_bytes(obj))


def _remove_stale(folder: Path, names: set[str]) -> None:
    """Delete ``.tmp-<name>.*`` leftovers of killed writers for the given names (one scan)."""
    with os.scandir(folder) as entries:
        for e in entries:
            if e.name.startswith(".tmp-") and e.name[5:].rpartition(".")[0] in names:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(e.path)


def write_texts(
    files: Mapping[Path, str | bytes]
    | Mapping[str, str | bytes]
    | Mapping[str | Path, str | bytes],
    *,
    batch: int = 512,
) -> None:
    """Write many text files atomically; each appears complete or not at all.

    Like :func:`write_text` per file, but leftovers of killed writers are looked for once
    per folder and the data of up to ``batch`` files are flushed to disk by one
    ``os.sync`` before they are renamed into place (one ``fsync`` per file costs
    ~5 ms, more than rendering a report).

    Parameters
    ----------
    files
        ``{destination: text}`` (``str``, written as UTF-8, or ``bytes``); written in the
        given order.
    batch
        Files per sync.
    """
    dests = [Path(d) for d in files]
    texts = list(files.values())
    by_folder: dict[Path, set[str]] = {}
    for d in dests:
        by_folder.setdefault(d.parent, set()).add(d.name)
    for folder, names in by_folder.items():
        folder.mkdir(parents=True, exist_ok=True)
        _remove_stale(folder, names)
    for lo in range(0, len(dests), batch):
        pending: list[tuple[str, Path]] = []
        try:
            for dest, text in zip(dests[lo : lo + batch], texts[lo : lo + batch], strict=True):
                fd, tmp = tempfile.mkstemp(prefix=f".tmp-{dest.name}.", dir=dest.parent)
                pending.append((tmp, dest))
                with os.fdopen(fd, "wb") as fh:
                    fh.write(text.encode("utf-8") if isinstance(text, str) else text)
                os.chmod(tmp, 0o644)
            os.sync()
            while pending:
                tmp, dest = pending[0]
                os.replace(tmp, dest)
                pending.pop(0)
        finally:
            for tmp, _ in pending:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)


def write_tsv(dest: str | Path, table: pd.DataFrame, *, index: bool = False) -> None:
    """Write a table as TSV atomically, with a fixed float format for reproducibility."""
    with atomic_path(dest) as tmp:
        table.to_csv(tmp, sep="\t", index=index, float_format="%.6g", lineterminator="\n")
