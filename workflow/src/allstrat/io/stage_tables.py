"""Readers of the stage tables (every one of them lives here).

The classify, copy-number and risk stages each write a TSV (columns in
:mod:`allstrat.contracts`) and a JSON sidecar with per-sample evidence; ``collect`` writes
``results/calls.tsv``. These readers check the contract (columns present, one row per
sample / per sample x protocol) and turn violations into
:class:`~allstrat.errors.InputError` naming the file. Stages read upstream tables here:
``risk`` (:func:`read_stage_table`), ``copynumber`` (:func:`read_dux4_calls`), reports
(:func:`read_classify_table`, :func:`read_copynumber_table`, :func:`read_risk_table`,
:func:`read_sidecar`, :func:`read_calls`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from allstrat.contracts import CALLS_COLUMNS, CLASSIFY_COLUMNS, COPYNUMBER_COLUMNS, RISK_COLUMNS
from allstrat.errors import InputError
from allstrat.io.samples import read_table_str

logger = logging.getLogger(__name__)

__all__ = [
    "PROB_PREFIX",
    "probability_columns",
    "read_calls",
    "read_classify_table",
    "read_copynumber_table",
    "read_dux4_calls",
    "read_risk_table",
    "read_sidecar",
    "read_stage_table",
]

PROB_PREFIX = "prob:"


def _check_columns(
    df: pd.DataFrame,
    required: Iterable[str],
    *,
    path: str | Path,
    what: str,
    expected: str = "the allstrat.contracts columns",
) -> None:
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(
            f"{what} lacks column(s) {missing}; expected {expected}", path=path, line=1
        )


def _unique_index(df: pd.DataFrame, keys: list[str], *, path: Path, what: str) -> None:
    dup = df.duplicated(keys, keep="first")
    if dup.any():
        pos = int(dup.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{what} has a duplicate row for {dict(df.loc[dup].iloc[0][keys])}",
            path=path,
            line=pos + 2,
            sample=str(df.loc[dup].iloc[0]["sample_id"]),
        )


def read_classify_table(path: str | Path) -> pd.DataFrame:
    """Read ``results/classify/chunk_*.tsv``, indexed by ``sample_id``.

    ``prob:<label>`` columns are parsed as floats in [0, 1]; other columns stay strings.

    Parameters
    ----------
    path
        The classify chunk table.

    Returns
    -------
    pandas.DataFrame
        One row per sample.

    Raises
    ------
    InputError
        Missing contract columns, duplicate samples or probabilities outside [0, 1].
    """
    p = Path(path)
    df = read_table_str(p, what="classify table")
    _check_columns(df, CLASSIFY_COLUMNS, path=p, what="classify table")
    _unique_index(df, ["sample_id"], path=p, what="classify table")
    for col in [c for c in df.columns if c.startswith(PROB_PREFIX)]:
        values = pd.to_numeric(df[col].replace("", "nan"), errors="coerce")
        bad = values.isna() & (df[col] != "") | (values < 0) | (values > 1)
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise InputError(
                f"column {col!r}: {df[col].iloc[i]!r} is not a probability in [0, 1]",
                path=p,
                line=i + 2,
                sample=df["sample_id"].iloc[i],
            )
        df[col] = values
    return df.set_index("sample_id", drop=False)


def read_copynumber_table(path: str | Path) -> pd.DataFrame:
    """Read ``results/copynumber/chunk_*.tsv``, indexed by ``sample_id`` (strings)."""
    p = Path(path)
    df = read_table_str(p, what="copy-number table")
    _check_columns(df, COPYNUMBER_COLUMNS, path=p, what="copy-number table")
    _unique_index(df, ["sample_id"], path=p, what="copy-number table")
    return df.set_index("sample_id", drop=False)


def read_risk_table(path: str | Path) -> pd.DataFrame:
    """Read ``results/risk/chunk_*.tsv`` (long: one row per sample x protocol; strings)."""
    p = Path(path)
    df = read_table_str(p, what="risk table")
    _check_columns(df, RISK_COLUMNS, path=p, what="risk table")
    _unique_index(df, ["sample_id", "protocol"], path=p, what="risk table")
    return df


def read_sidecar(path: str | Path | None, *, what: str) -> dict[str, Any]:
    """Read a stage's JSON sidecar and return ``{sample_id: entry}``.

    Accepted layouts (stages may write any of them): ``{"samples": {id: entry}}``,
    ``{"samples": [{"sample_id": id, ...}]}``, a list of such records, or a plain
    ``{id: entry}`` mapping. Top-level keys other than ``samples`` are returned under
    the key ``"__meta__"`` so that chunk-level information (e.g. provenance,
    thresholds) is not lost.

    Parameters
    ----------
    path
        The sidecar, or ``None`` when the stage did not write one.
    what
        Human name for error messages.

    Returns
    -------
    dict
        Per-sample entries, plus ``"__meta__"`` with the chunk-level keys.
    """
    if path is None:
        return {}
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what} not found", path=p)
    try:
        obj = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{what} is not valid JSON: {exc}", path=p) from None
    meta: dict[str, Any] = {}
    if isinstance(obj, Mapping) and "samples" in obj:
        meta = {k: v for k, v in obj.items() if k != "samples"}
        obj = obj["samples"]
    if isinstance(obj, list):
        entries: dict[str, Any] = {}
        for i, rec in enumerate(obj):
            if not isinstance(rec, Mapping) or "sample_id" not in rec:
                raise InputError(f"{what}: record {i} has no 'sample_id'", path=p)
            entries[str(rec["sample_id"])] = dict(rec)
    elif isinstance(obj, Mapping):
        entries = dict(obj)
    else:
        raise InputError(f"{what}: expected an object or a list of per-sample records", path=p)
    if meta:
        entries["__meta__"] = meta
    return entries


def probability_columns(table: pd.DataFrame) -> list[str]:
    """Return the model class labels of a classify table's ``prob:<label>`` columns."""
    return [c[len(PROB_PREFIX) :] for c in table.columns if c.startswith(PROB_PREFIX)]


def read_stage_table(
    path: str | Path | None, what: str, columns: Iterable[str]
) -> pd.DataFrame | None:
    """Read a stage table as the risk stage uses it (strings, positional index).

    Parameters
    ----------
    path
        The table, or ``None`` / empty when the stage was not run (returns ``None``).
    what
        ``"classify"`` or ``"copynumber"`` (named in messages).
    columns
        The contract columns that must be present.

    Returns
    -------
    pandas.DataFrame or None
        One row per sample, in file order (row ``i`` is file line ``i + 2``).
    """
    if not path:
        return None
    df = read_table_str(path, what=f"{what} table")
    _check_columns(
        df, columns, path=path, what=f"{what} table", expected=f"the {what} stage columns"
    )
    empty = df.index[df["sample_id"] == ""]
    if len(empty):
        raise InputError("empty sample_id", path=path, line=int(empty[0]) + 2)
    dup = df["sample_id"][df["sample_id"].duplicated()]
    if len(dup):
        raise InputError(
            f"duplicate sample_id in the {what} table; expected one row per sample",
            path=path,
            line=int(dup.index[0]) + 2,
            sample=dup.iloc[0],
        )
    return df


def read_dux4_calls(path: str | Path | None) -> dict[str, str]:
    """``sample_id -> dux4`` of a classify table (empty when no table is given)."""
    if not path:
        return {}
    table = read_table_str(path, what="classify table")
    for col in ("sample_id", "dux4"):
        if col not in table.columns:
            raise InputError(f"classify table lacks column {col!r}", path=path, line=1)
    return dict(zip(table["sample_id"], table["dux4"], strict=True))


def read_calls(path: str | Path) -> pd.DataFrame:
    """Read ``results/calls.tsv`` (strings), checking the contract columns."""
    p = Path(path)
    df = read_table_str(p, what="call table")
    missing = [c for c in CALLS_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"call table lacks column(s) {missing}", path=p, line=1)
    return df
