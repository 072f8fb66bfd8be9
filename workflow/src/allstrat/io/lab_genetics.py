"""Diagnostic-genetics table reader (schema ``workflow/schemas/lab_genetics.schema.yaml``).

Long, tab-separated: one row per sample x finding x test, as the diagnostic laboratory
reported it (FISH, RT-PCR, karyotype, MLPA, flow DNA index, SNP array, fusion panel).
Every row is validated against the schema; which methods can establish which finding
(:data:`allstrat.contracts.LAB_FINDINGS`) and value ranges are checked here. Errors name
the file, the line (header = line 1) and the sample.

Result -> DataFrame with columns :data:`allstrat.contracts.LAB_GENETICS_COLUMNS`:
``sample_id``, ``finding`` (canonical name; aliases such as ``BCR-ABL1`` mapped),
``result`` (positive / negative / failed / measured), ``method``, ``value`` (float,
NaN unless measured), ``date`` (``YYYY-MM-DD`` or ``""``), plus ``line`` (the row's line
in the file, for messages). Several rows for one finding are kept: combining them (and
flagging conflicts) is :mod:`allstrat.risk.lab`'s job, not the reader's.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pandas as pd

from allstrat.contracts import LAB_FINDING_ALIASES, LAB_FINDINGS, LAB_GENETICS_COLUMNS
from allstrat.errors import InputError
from allstrat.io.samples import invalid_rows, load_schema, read_table_str

logger = logging.getLogger(__name__)

__all__ = ["DNA_INDEX_RANGE", "MODAL_NUMBER_RANGE", "read_lab_genetics"]

SCHEMA = "lab_genetics.schema.yaml"
#: A DNA index is a ratio to the diploid peak: near-haploid ~0.55, high hyperdiploid
#: ~1.1-1.45, near-tetraploid ~2; outside 0.3-3.0 it is a typo or a modal number.
DNA_INDEX_RANGE = (0.3, 3.0)
#: Modal chromosome numbers of leukaemic blasts: near-haploid 24-31 ... near-tetraploid
#: ~92; outside 20-100 it is a typo (or a DNA index, if below 3).
MODAL_NUMBER_RANGE = (20, 100)


def _check_row(row: dict[str, str], where: dict) -> float:
    """Finding/method/result/value consistency of one row; returns the numeric value."""
    finding, result, method, raw = row["finding"], row["result"], row["method"], row["value"]
    kind, methods = LAB_FINDINGS[finding]
    if method not in methods:
        raise InputError(
            f"finding {finding} cannot be established by method {method}; expected one of "
            f"{list(methods)}",
            **where,
        )
    if kind == "binary":
        if result == "measured":
            raise InputError(
                f"finding {finding} takes result positive, negative or failed, not measured",
                **where,
            )
        if raw:
            raise InputError(
                f"finding {finding}: column value is only for DNA_index and modal_number; "
                "leave it empty",
                **where,
            )
        return np.nan
    if result in ("positive", "negative"):
        raise InputError(
            f"finding {finding} is a number: result must be measured (with the value in "
            "column value) or failed",
            **where,
        )
    if result == "failed":
        if raw:
            raise InputError(f"finding {finding}: a failed test has no value", **where)
        return np.nan
    if not raw:
        raise InputError(f"finding {finding}: result measured needs column value", **where)
    x = float(raw)
    if finding == "DNA_index":
        lo, hi = DNA_INDEX_RANGE
        if not lo <= x <= hi:
            hint = " (a modal chromosome number? use finding modal_number)" if x > hi else ""
            raise InputError(
                f"DNA_index {raw} is outside {lo:g}-{hi:g} (ratio to the diploid G0/G1 peak; "
                f"1.00 = diploid){hint}",
                **where,
            )
    else:
        lo, hi = MODAL_NUMBER_RANGE
        if not x.is_integer() or not lo <= x <= hi:
            hint = " (a DNA index? use finding DNA_index)" if x < 3 else ""
            raise InputError(
                f"modal_number {raw} is not a whole chromosome count in {lo}-{hi}{hint}",
                **where,
            )
    return x


def _schema_error(
    validator: jsonschema.Draft202012Validator, schema: dict, row: dict, where: dict
) -> None:
    """Raise the row's first schema error (by path), if it has one."""
    err = next(iter(sorted(validator.iter_errors(row), key=lambda e: list(e.path))), None)
    if err is not None:
        field = ".".join(str(x) for x in err.path) or "row"
        desc = " ".join(schema["properties"].get(field, {}).get("description", "").split())
        raise InputError(
            f"column {field}: {err.message}" + (f" (expected: {desc})" if desc else ""),
            **where,
        )


def read_lab_genetics(path: str | Path) -> pd.DataFrame:
    """Read and validate the diagnostic-genetics table.

    Parameters
    ----------
    path : str or Path
        Tab-separated table (``workflow/schemas/lab_genetics.schema.yaml``).

    Returns
    -------
    pandas.DataFrame
        :data:`~allstrat.contracts.LAB_GENETICS_COLUMNS` plus ``line`` (see the module
        docstring).

    Raises
    ------
    InputError
        Unknown or missing columns, schema violations, a method that cannot establish the
        finding, a value where none belongs or a missing / out-of-range value -- naming
        file, line and sample.
    """
    p = Path(path)
    df = read_table_str(p, what="diagnostic-genetics table")
    schema = load_schema(SCHEMA)
    unknown = [c for c in df.columns if c not in schema["properties"]]
    if unknown:
        raise InputError(
            f"unknown column(s) {unknown}; allowed: {list(LAB_GENETICS_COLUMNS)}", path=p, line=1
        )
    missing = [c for c in schema["required"] if c not in df.columns]
    if missing:
        raise InputError(
            f"diagnostic-genetics table lacks required column(s) {missing}", path=p, line=1
        )
    for c in ("value", "date"):
        if c not in df.columns:
            df[c] = ""
    validator = jsonschema.Draft202012Validator(schema)
    suspect = set(invalid_rows(df, schema).tolist())  # the others pass the schema
    values = []
    columns = [str(c) for c in df.columns]
    for k, cells in enumerate(zip(*(df[c].tolist() for c in columns), strict=True)):
        row = dict(zip(columns, cells, strict=True))
        where: dict[str, Any] = {"path": p, "line": k + 2, "sample": row.get("sample_id") or None}
        if k in suspect:
            _schema_error(validator, schema, row, where)
        row["finding"] = LAB_FINDING_ALIASES.get(row["finding"], row["finding"])
        values.append(_check_row(row, where))
    out = pd.DataFrame(
        {
            "sample_id": df["sample_id"].to_numpy(dtype=object),
            "finding": [LAB_FINDING_ALIASES.get(f, f) for f in df["finding"]],
            "result": df["result"].to_numpy(dtype=object),
            "method": df["method"].to_numpy(dtype=object),
            "value": np.array(values, dtype="float64"),
            "date": df["date"].to_numpy(dtype=object),
            "line": np.arange(len(df)) + 2,
        }
    )
    n_failed = int((out["result"] == "failed").sum())
    logger.info(
        "diagnostic-genetics table %s: %d result(s) for %d sample(s), %d failed test(s)",
        p,
        len(out),
        out["sample_id"].nunique(),
        n_failed,
    )
    return out
