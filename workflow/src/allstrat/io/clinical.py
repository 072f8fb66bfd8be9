"""Clinical and MRD table readers (schemas: ``workflow/schemas/clinical.schema.yaml`` and
``workflow/schemas/mrd.schema.yaml``).

Both tables are tab-separated with a header. Every row is validated against its schema
(after case normalisation: ``Yes`` -> ``yes``, ``m`` -> ``M``, ``cns3`` -> ``CNS3``,
``pcr`` -> ``PCR``); ranges and units the schema cannot express are checked here. Errors
name the file, the line (header = line 1) and the sample.

An empty cell is *missing* (``None`` / NaN), never a default: a missing WBC is not "low",
a missing MRD time point is not "negative".

Clinical table -> one row per sample (index and column ``sample_id``):

=========================  ==========  =====================================================
column                     dtype       values
=========================  ==========  =====================================================
age_years                  float64     0-25 (NaN = unknown)
wbc_1e9_per_l              float64     >= 0, ×10⁹/L; > :data:`MAX_WBC_1E9_PER_L` refused
sex                        object      "M" / "F" / None
immunophenotype            object      "B" / "T" / None
down_syndrome              object      True / False / None
cns_status                 object      "CNS1" / "CNS2" / "CNS3" / None
testicular_involvement     object      True / False / None
steroid_pretreatment       object      True / False / None
prednisone_response        object      "good" / "poor" / None
induction_failure          object      True / False / None
tpmt_diplotype             object      e.g. "*1/*3A" / None
nudt15_diplotype           object      e.g. "*1/*3" / None
cd1a_pct ... cd65_pct      float64     0-100, % of blasts positive (ETP-ALL immunophenotype;
                                       contracts.ETP_MARKER_COLUMNS)
=========================  ==========  =====================================================

Columns absent from the file are present in the result, all missing.

MRD table -> long, one row per measurement: ``sample_id`` (str), ``day`` (Int64),
``tissue`` ("BM"/"PB"), ``method`` ("flow"/"PCR"), ``value`` (the canonical text:
a fraction as float, or "negative" / "positive_nq" / "not_done"), ``result``
("quantified" / "negative" / "positive_nq" / "not_done"), ``fraction`` (float, NaN
unless quantified), ``sensitivity`` (float, NaN when not given).
"""

from __future__ import annotations

import logging
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd

from allstrat.contracts import CLINICAL_COLUMNS, ETP_MARKER_COLUMNS
from allstrat.errors import InputError
from allstrat.io.samples import load_schema, read_table_str

logger = logging.getLogger(__name__)

__all__ = [
    "BOOL_COLUMNS",
    "CLINICAL_COLUMNS",
    "MAX_AGE_YEARS",
    "MAX_WBC_1E9_PER_L",
    "MRD_COLUMNS",
    "read_clinical",
    "read_mrd",
]

BOOL_COLUMNS = (
    "down_syndrome",
    "testicular_involvement",
    "steroid_pretreatment",
    "induction_failure",
)
MRD_COLUMNS = (
    "sample_id",
    "day",
    "tissue",
    "method",
    "value",
    "result",
    "fraction",
    "sensitivity",
)
#: Paediatric ALL protocols enrol up to age 18-21; 25 leaves room for young-adult
#: extensions while catching months or birth years typed into the age column.
MAX_AGE_YEARS = 25.0
#: The highest WBC counts reported at ALL diagnosis are in the hundreds (×10⁹/L), rarely
#: ~1,000; a value above 2,000 is almost certainly a count per µL typed into a ×10⁹/L
#: column (50,000/µL = 50 ×10⁹/L).
MAX_WBC_1E9_PER_L = 2000.0

_UNIT_HINTS = ("ul", "µl", "μl", "mm3", "per_mcl", "mcl")
_CANON = {
    "sex": {"m": "M", "f": "F"},
    "immunophenotype": {"b": "B", "t": "T"},
    "cns_status": {"cns1": "CNS1", "cns2": "CNS2", "cns3": "CNS3"},
    "prednisone_response": {"good": "good", "poor": "poor"},
    **{c: {"yes": "yes", "no": "no"} for c in BOOL_COLUMNS},
    "tissue": {"bm": "BM", "pb": "PB"},
    "method": {"flow": "flow", "pcr": "PCR"},
}


def _validate_rows(df: pd.DataFrame, schema_name: str, path: Path, what: str) -> pd.DataFrame:
    schema = load_schema(schema_name)
    allowed = set(schema["properties"])
    unknown = [c for c in df.columns if c not in allowed]
    if unknown:
        units = [c for c in unknown if c.lower().startswith("wbc") and _looks_per_ul(c)]
        if units:
            raise InputError(
                f"column {units[0]!r} holds WBC per µL; allstrat expects wbc_1e9_per_l "
                "(×10⁹/L = 1,000/µL): divide by 1,000 and rename the column",
                path=path,
                line=1,
            )
        raise InputError(
            f"unknown column(s) {unknown}; allowed: {sorted(allowed)}", path=path, line=1
        )
    missing = [c for c in schema.get("required", []) if c not in df.columns]
    if missing:
        raise InputError(f"{what} lacks required column(s) {missing}", path=path, line=1)
    for col, table in _CANON.items():
        if col in df.columns:
            df[col] = [table.get(v.lower(), v) for v in df[col]]
    validator = jsonschema.Draft202012Validator(schema)
    for i, row in enumerate(df.to_dict("records"), start=2):
        err = next(iter(sorted(validator.iter_errors(row), key=lambda e: list(e.path))), None)
        if err is not None:
            field = ".".join(str(x) for x in err.path) or "row"
            desc = schema["properties"].get(field, {}).get("description", "")
            hint = f" (expected: {desc.strip()})" if desc else ""
            raise InputError(
                f"column {field}: {err.message}{hint}",
                path=path,
                line=i,
                sample=row.get("sample_id") or None,
            )
    return df


def _looks_per_ul(name: str) -> bool:
    n = name.lower().replace("/", "_")
    return any(h in n for h in _UNIT_HINTS)


def _floats(s: pd.Series) -> np.ndarray:
    return np.array([np.nan if v == "" else float(v) for v in s], dtype="float64")


def read_clinical(path: str | Path) -> pd.DataFrame:
    """Read and validate the clinical table.

    Parameters
    ----------
    path : str or Path
        Tab-separated clinical table (``workflow/schemas/clinical.schema.yaml``).

    Returns
    -------
    pandas.DataFrame
        :data:`CLINICAL_COLUMNS`, indexed by ``sample_id`` (also kept as a column); see
        the module docstring for dtypes. Missing values are NaN / None.

    Raises
    ------
    InputError
        Unknown or per-µL columns, schema violations, duplicate samples, age outside
        0-:data:`MAX_AGE_YEARS`, WBC < 0 or > :data:`MAX_WBC_1E9_PER_L` -- naming file,
        line and sample.
    """
    p = Path(path)
    df = read_table_str(p, what="clinical table")
    df = _validate_rows(df, "clinical.schema.yaml", p, "clinical table")
    lines = np.arange(len(df)) + 2
    dup = df["sample_id"].duplicated().to_numpy()
    if dup.any():
        k = int(np.argmax(dup))
        raise InputError(
            "duplicate sample_id; the clinical table needs one row per sample",
            path=p,
            line=int(lines[k]),
            sample=df["sample_id"].iloc[k],
        )
    out = pd.DataFrame({"sample_id": df["sample_id"].to_numpy()})
    for col in CLINICAL_COLUMNS[1:]:
        raw = df[col] if col in df.columns else pd.Series([""] * len(df))
        if col in ("age_years", "wbc_1e9_per_l", *ETP_MARKER_COLUMNS):
            out[col] = _floats(raw)
        elif col in BOOL_COLUMNS:
            out[col] = pd.Series(
                [None if v == "" else v == "yes" for v in raw], dtype=object
            ).to_numpy()
        else:
            out[col] = pd.Series([None if v == "" else v for v in raw], dtype=object).to_numpy()
    for col, lo, hi, why in (
        ("age_years", 0.0, MAX_AGE_YEARS, "years at diagnosis (months or a birth year?)"),
        (
            "wbc_1e9_per_l",
            0.0,
            MAX_WBC_1E9_PER_L,
            "×10⁹/L; a value this high looks like cells/µL — divide by 1,000",
        ),
        *((c, 0.0, 100.0, "% of blasts positive, 0-100") for c in ETP_MARKER_COLUMNS),
    ):
        v = out[col].to_numpy()
        bad = ~np.isnan(v) & ((v < lo) | (v > hi))
        if bad.any():
            k = int(np.argmax(bad))
            raise InputError(
                f"column {col}: {v[k]:g} is outside {lo:g}-{hi:g} ({why})",
                path=p,
                line=int(lines[k]),
                sample=out["sample_id"].iloc[k],
            )
    out = out.set_index("sample_id", drop=False)
    out.index.name = None
    n_missing = {c: int(out[c].isna().sum()) for c in CLINICAL_COLUMNS[1:]}
    logger.info(
        "clinical table %s: %d samples; missing values per column: %s",
        p,
        len(out),
        {k: v for k, v in n_missing.items() if v},
    )
    return out


def read_mrd(path: str | Path) -> pd.DataFrame:
    """Read and validate the long MRD table.

    Parameters
    ----------
    path : str or Path
        Tab-separated MRD table (``workflow/schemas/mrd.schema.yaml``).

    Returns
    -------
    pandas.DataFrame
        :data:`MRD_COLUMNS` (see the module docstring).

    Raises
    ------
    InputError
        Schema violations, a fraction outside 0-1, a sensitivity outside (0, 1), a
        ``negative`` / ``positive_nq`` value without sensitivity, or the same sample, day,
        tissue and method twice with different values -- naming file, line and sample.
    """
    p = Path(path)
    df = read_table_str(p, what="MRD table")
    df = _validate_rows(df, "mrd.schema.yaml", p, "MRD table")
    if "sensitivity" not in df.columns:
        df["sensitivity"] = ""
    lines = np.arange(len(df)) + 2
    result, fraction = [], []
    sens = _floats(df["sensitivity"])
    for k, (sid, v) in enumerate(zip(df["sample_id"], df["value"], strict=True)):
        where = {"path": p, "line": int(lines[k]), "sample": sid}
        if v in ("negative", "positive_nq", "not_done"):
            result.append(v)
            fraction.append(np.nan)
            if v != "not_done" and np.isnan(sens[k]):
                raise InputError(
                    f"value {v!r} needs the assay sensitivity (e.g. 1e-4) in column "
                    "sensitivity: 'negative' only means something at a stated detection limit",
                    **where,
                )
            continue
        x = float(v)
        if not 0.0 <= x <= 1.0:
            raise InputError(
                f"value {v} is not a fraction in 0-1 (percent? 0.1 % = 0.001)", **where
            )
        result.append("quantified")
        fraction.append(x)
    bad = ~np.isnan(sens) & ((sens <= 0) | (sens >= 1))
    if bad.any():
        k = int(np.argmax(bad))
        raise InputError(
            f"sensitivity {sens[k]:g} is not a fraction in (0, 1) (e.g. 1e-4)",
            path=p,
            line=int(lines[k]),
            sample=df["sample_id"].iloc[k],
        )
    out = pd.DataFrame(
        {
            "sample_id": df["sample_id"].to_numpy(),
            "day": pd.array([int(d) for d in df["day"]], dtype="Int64"),
            "tissue": df["tissue"].to_numpy(),
            "method": df["method"].to_numpy(),
            "value": pd.Series(
                [f if r == "quantified" else r for r, f in zip(result, fraction, strict=True)],
                dtype=object,
            ).to_numpy(),
            "result": result,
            "fraction": np.array(fraction, dtype="float64"),
            "sensitivity": sens,
        }
    )
    key = ["sample_id", "day", "tissue", "method"]
    dup = out.duplicated(key, keep=False)
    if dup.any():
        groups = out[dup].groupby(key, sort=False)
        for _, g in groups:
            if g[["result", "fraction"]].astype(str).drop_duplicates().shape[0] > 1:
                k = int(g.index[1])
                raise InputError(
                    f"day {g['day'].iloc[0]} {g['tissue'].iloc[0]} {g['method'].iloc[0]} is "
                    "given twice with different values; keep one measurement per time point, "
                    "tissue and method",
                    path=p,
                    line=int(lines[k]),
                    sample=str(g["sample_id"].iloc[0]),
                )
    logger.info("MRD table %s: %d rows for %d samples", p, len(out), out["sample_id"].nunique())
    return out
