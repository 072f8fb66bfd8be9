"""Atomic output writing: a file either appears complete or not at all.

Every writer in allstrat goes through :func:`atomic_path`: data are written to a
temporary file in the destination folder, flushed and fsynced, then renamed over the
destination (``os.replace`` is atomic on POSIX). An interrupted run leaves no
half-written output behind. A process killed outright (SIGKILL, node loss) cannot delete
its ``.tmp-<name>.*`` file; the next write of the same destination removes such leftovers
first (only one job ever writes a given output, so they cannot belong to a live writer).
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def write_json(dest: str | Path, obj: Any) -> None:
    """Write ``obj`` as stable, sorted, indented JSON atomically (byte-identical reruns)."""
    write_text(
        dest, json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
    )


def write_tsv(dest: str | Path, table: pd.DataFrame, *, index: bool = False) -> None:
    """Write a table as TSV atomically, with a fixed float format for reproducibility."""
    with atomic_path(dest) as tmp:
        table.to_csv(tmp, sep="\t", index=index, float_format="%.6g", lineterminator="\n")
