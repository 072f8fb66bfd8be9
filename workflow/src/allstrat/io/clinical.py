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

Clinical units: the header names the unit -- ``age_years`` or ``age_months``,
``wbc_1e9_per_l`` or ``wbc_per_ul`` (exactly one of each pair); the result is always in
years and ×10⁹/L. Impossible values are refused, implausible ones are warned about
(logged and kept in ``DataFrame.attrs["warnings"]`` per sample for the report):

=====================  ==============================  ====================================
column                 refused                         warned
=====================  ==============================  ====================================
age_years              < 0 or > 25                     > 19 (older than paediatric range)
age_months             < 0 or > 300                    --
wbc_1e9_per_l          < 0 or > 1000 (a count per µL)  > 400 (check the unit)
wbc_per_ul             < 100 (×10⁹/L) or > 2,000,000   --
MRD value (fraction)   < 0 or > 1                      below the row's sensitivity
MRD value (percent)    < 0 or > 100                    below the row's sensitivity
MRD value (log10)      > 0                             below the row's sensitivity
=====================  ==============================  ====================================

MRD table -> long, one row per measurement: ``sample_id`` (str), ``day`` (Int64),
``tissue`` ("BM"/"PB"), ``method`` ("flow"/"PCR"), ``value`` (the canonical text:
a fraction as float -- converted from the row's ``unit``: fraction, percent or log10 --
or "negative" / "positive_nq" / "not_done"), ``result``
("quantified" / "negative" / "positive_nq" / "not_done"), ``fraction`` (float, NaN
unless quantified), ``sensitivity`` (float, NaN when not given).
"""

from __future__ import annotations

import logging
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd

from allstrat.contracts import AGE_HEADERS, CLINICAL_COLUMNS, ETP_MARKER_COLUMNS, WBC_HEADERS
from allstrat.errors import InputError
from allstrat.io.samples import invalid_rows, load_schema, read_table_str

logger = logging.getLogger(__name__)

__all__ = [
    "BOOL_COLUMNS",
    "CLINICAL_COLUMNS",
    "MAX_AGE_YEARS",
    "MAX_WBC_1E9_PER_L",
    "MRD_COLUMNS",
    "WARN_AGE_YEARS",
    "WARN_WBC_1E9_PER_L",
    "clinical_frame",
    "mrd_frame",
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
MAX_WBC_1E9_PER_L = 1000.0
#: Above this (×10⁹/L) the count is kept but warned about: extreme hyperleukocytosis
#: happens, a unit slip happens more often.
WARN_WBC_1E9_PER_L = 400.0
#: Paediatric protocols end at 18-19 years: an older age is kept with a warning.
WARN_AGE_YEARS = 19.0
#: A count per µL below this (0.1 ×10⁹/L) is a ×10⁹/L value typed into wbc_per_ul.
MIN_WBC_PER_UL = 100.0

_HEADER_HELP = {
    "wbc": "1,500/µL is wbc_per_ul 1500 or wbc_1e9_per_l 1.5",
    "age": "18 months is age_months 18 or age_years 1.5",
}
_UNIT_HINTS = ("ul", "µl", "μl", "mm3", "per_mcl", "mcl")


def _canonical_spellings(schema: dict) -> dict[str, dict[str, str]]:
    """Column -> {lower-case spelling: allowed value} for every enum column of a schema.

    The schema is the one list of allowed values; ``Yes``, ``m``, ``cns3``, ``pcr`` are
    accepted as ``yes``, ``M``, ``CNS3``, ``PCR``.
    """
    return {
        col: {str(v).lower(): str(v) for v in spec["enum"] if v != ""}
        for col, spec in schema["properties"].items()
        if "enum" in spec
    }


def _validate_rows(df: pd.DataFrame, schema_name: str, path: Path, what: str) -> pd.DataFrame:
    schema = load_schema(schema_name)
    allowed = set(schema["properties"])
    unknown = [c for c in df.columns if c not in allowed]
    if unknown:
        for c in unknown:
            for stem, headers in (("wbc", WBC_HEADERS), ("age", AGE_HEADERS)):
                if c.lower().startswith(stem):
                    per_ul = " (it looks like a count per µL)" if _looks_per_ul(c) else ""
                    raise InputError(
                        f"column {c!r}{per_ul}: name the unit in the header, one of "
                        f"{list(headers)} (e.g. {_HEADER_HELP[stem]})",
                        path=path,
                        line=1,
                    )
        raise InputError(
            f"unknown column(s) {unknown}; allowed: {sorted(allowed)}", path=path, line=1
        )
    missing = [c for c in schema.get("required", []) if c not in df.columns]
    if missing:
        raise InputError(f"{what} lacks required column(s) {missing}", path=path, line=1)
    for col, table in _canonical_spellings(schema).items():
        if col in df.columns:
            df[col] = [table.get(v.lower(), v) for v in df[col]]
    validator = jsonschema.Draft202012Validator(schema)
    # only the rows the column-wise screen cannot clear are validated whole (same errors)
    for k in invalid_rows(df, schema):
        row = df.iloc[int(k)].to_dict()
        err = next(iter(sorted(validator.iter_errors(row), key=lambda e: list(e.path))), None)
        if err is not None:
            field = ".".join(str(x) for x in err.path) or "row"
            desc = schema["properties"].get(field, {}).get("description", "")
            hint = f" (expected: {desc.strip()})" if desc else ""
            raise InputError(
                f"column {field}: {err.message}{hint}",
                path=path,
                line=int(k) + 2,
                sample=row.get("sample_id") or None,
            )
    return df


def _looks_per_ul(name: str) -> bool:
    n = name.lower().replace("/", "_")
    return any(h in n for h in _UNIT_HINTS)


def _floats(s: pd.Series) -> np.ndarray:
    return np.array([np.nan if v == "" else float(v) for v in s], dtype="float64")


def _unit_column(
    df: pd.DataFrame, headers: dict[str, float], path: Path
) -> tuple[str, np.ndarray] | None:
    """The one unit-named column of a quantity, as floats in the canonical unit."""
    present = [h for h in headers if h in df.columns]
    if len(present) > 1:
        raise InputError(
            f"columns {present} both give the same quantity in different units; keep one",
            path=path,
            line=1,
        )
    if not present:
        return None
    return present[0], _floats(df[present[0]])


def _check_ranges(df: pd.DataFrame, p: Path) -> dict[str, list[str]]:
    """Refuse impossible values (InputError with line and sample); return warnings."""
    lines = np.arange(len(df)) + 2
    sids = df["sample_id"].to_numpy()
    warnings: dict[str, list[str]] = {}
    # (column, refuse below, refuse above, why, warn above, warning)
    checks = (
        ("age_years", 0.0, MAX_AGE_YEARS, "years at diagnosis; months belong in age_months",
         WARN_AGE_YEARS, "older than the paediatric protocols' age range (if this is months, "
         "use the header age_months)"),
        ("age_months", 0.0, MAX_AGE_YEARS * 12, "months at diagnosis (25 years = 300)",
         np.inf, ""),
        ("wbc_1e9_per_l", 0.0, MAX_WBC_1E9_PER_L, "×10⁹/L; a value this high is a count "
         "per µL: use the header wbc_per_ul (1,500/µL = 1.5 ×10⁹/L)", WARN_WBC_1E9_PER_L,
         "extreme hyperleukocytosis; check the unit (a count per µL belongs in wbc_per_ul)"),
        ("wbc_per_ul", MIN_WBC_PER_UL, MAX_WBC_1E9_PER_L * 1000, "cells per µL; a value this "
         "low is ×10⁹/L: use the header wbc_1e9_per_l", np.inf, ""),
        *((c, 0.0, 100.0, "% of blasts positive, 0-100", np.inf, "") for c in ETP_MARKER_COLUMNS),
    )  # fmt: skip
    for col, lo, hi, why, warn_hi, warning in checks:
        if col not in df.columns:
            continue
        v = _floats(df[col])
        bad = ~np.isnan(v) & ((v < lo) | (v > hi))
        if bad.any():
            k = int(np.argmax(bad))
            raise InputError(
                f"column {col}: {v[k]:g} is outside {lo:g}-{hi:g} ({why})",
                path=p,
                line=int(lines[k]),
                sample=sids[k],
            )
        for k in map(int, np.flatnonzero(~np.isnan(v) & (v > warn_hi))):
            msg = f"column {col} = {v[k]:g}: {warning}"
            logger.warning("%s, line %d, sample %r: %s", p, lines[k], sids[k], msg)
            warnings.setdefault(str(sids[k]), []).append(f"line {lines[k]}: {msg}")
    return warnings


def read_clinical(path: str | Path) -> pd.DataFrame:
    """Read and validate the clinical table.

    Parameters
    ----------
    path : str or Path
        Tab-separated clinical table (``workflow/schemas/clinical.schema.yaml``). Age is
        ``age_years`` or ``age_months``, WBC ``wbc_1e9_per_l`` or ``wbc_per_ul``: the header
        names the unit (exactly one of each pair); values are converted to years and
        ×10⁹/L.

    Returns
    -------
    pandas.DataFrame
        :data:`CLINICAL_COLUMNS`, indexed by ``sample_id`` (also kept as a column); see
        the module docstring for dtypes. Missing values are NaN / None.
        ``attrs["warnings"]`` maps sample ids to warnings about implausible but accepted
        values (also logged); ``attrs["units"]`` names the headers the file used.

    Raises
    ------
    InputError
        Unknown columns (including unit-less ``age`` / ``wbc`` headers), both headers of
        one quantity, schema violations, duplicate samples, values outside the plausible
        range of their unit (age above 25 years / 300 months, WBC above 1000 ×10⁹/L or below
        100 /µL) -- naming file, line and sample.
    """
    p = Path(path)
    return clinical_frame(read_table_str(p, what="clinical table"), source=p)


def clinical_frame(raw: pd.DataFrame, *, source: str | Path = "clinical table") -> pd.DataFrame:
    """Validate and type a clinical table given as strings (what :func:`read_clinical` does
    after reading the file; for tables built in memory).

    Parameters
    ----------
    raw : pandas.DataFrame
        One column per clinical-table header, every cell a string (``""`` = missing).
    source : str or Path
        Named in error messages as the file.

    Returns
    -------
    pandas.DataFrame
        As :func:`read_clinical`.
    """
    p = Path(source)
    df = _validate_rows(raw.copy(), "clinical.schema.yaml", p, "clinical table")
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
    age = _unit_column(df, AGE_HEADERS, p)
    wbc = _unit_column(df, WBC_HEADERS, p)
    warnings = _check_ranges(df, p)
    out = pd.DataFrame({"sample_id": df["sample_id"].to_numpy()})
    for col in CLINICAL_COLUMNS[1:]:
        raw = df[col] if col in df.columns else pd.Series([""] * len(df))
        if col in ETP_MARKER_COLUMNS:
            out[col] = _floats(raw)
        elif col in ("age_years", "wbc_1e9_per_l"):
            given, headers = (age, AGE_HEADERS) if col == "age_years" else (wbc, WBC_HEADERS)
            out[col] = np.full(len(df), np.nan) if given is None else given[1] * headers[given[0]]
        elif col in BOOL_COLUMNS:
            out[col] = pd.Series(
                [None if v == "" else v == "yes" for v in raw], dtype=object
            ).to_numpy()
        else:
            out[col] = pd.Series([None if v == "" else v for v in raw], dtype=object).to_numpy()
    out = out.set_index("sample_id", drop=False)
    out.index.name = None
    out.attrs["warnings"] = warnings
    out.attrs["units"] = {"age": age[0] if age else "", "wbc": wbc[0] if wbc else ""}
    n_missing = {c: int(out[c].isna().sum()) for c in CLINICAL_COLUMNS[1:]}
    logger.info(
        "clinical table %s: %d samples (units: %s); missing values per column: %s",
        p,
        len(out),
        ", ".join(v for v in out.attrs["units"].values() if v) or "no age / WBC column",
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
    return mrd_frame(read_table_str(p, what="MRD table"), source=p)


def mrd_frame(raw: pd.DataFrame, *, source: str | Path = "MRD table") -> pd.DataFrame:
    """Validate and type an MRD table given as strings (what :func:`read_mrd` does after
    reading the file; for tables built in memory).

    Parameters
    ----------
    raw : pandas.DataFrame
        One column per MRD-table header, every cell a string (``""`` = missing).
    source : str or Path
        Named in error messages as the file.

    Returns
    -------
    pandas.DataFrame
        As :func:`read_mrd`.
    """
    p = Path(source)
    df = _validate_rows(raw.copy(), "mrd.schema.yaml", p, "MRD table")
    if "sensitivity" not in df.columns:
        df["sensitivity"] = ""
    lines = np.arange(len(df)) + 2
    result: list[str] = []
    fraction: list[float] = []
    sens_values: list[float] = []
    warnings: dict[str, list[str]] = {}
    for k, (sid, v, unit, sv) in enumerate(
        zip(df["sample_id"], df["value"], df["unit"], df["sensitivity"], strict=True)
    ):
        where = {"path": p, "line": int(lines[k]), "sample": sid}
        s = _to_fraction(sv, unit, "sensitivity", where) if sv else np.nan
        if not np.isnan(s) and not 0.0 < s < 1.0:
            raise InputError(
                f"sensitivity {sv} ({unit}) is not a detection limit between 0 and 100 % "
                "(e.g. 1e-4 as fraction, 0.01 as percent, -4 as log10)",
                **where,
            )
        sens_values.append(s)
        if v in ("negative", "positive_nq", "not_done"):
            result.append(v)
            fraction.append(np.nan)
            if v != "not_done" and np.isnan(s):
                raise InputError(
                    f"value {v!r} needs the assay sensitivity (e.g. 1e-4) in column "
                    "sensitivity: 'negative' only means something at a stated detection limit",
                    **where,
                )
            continue
        x = _to_fraction(v, unit, "value", where)
        if not np.isnan(s) and x < s:
            msg = (
                f"MRD {v} ({unit}) is below the stated sensitivity {sv}: a quantified value "
                "under the detection limit suggests a unit slip; check column unit"
            )
            logger.warning("%s, line %d, sample %r: %s", p, lines[k], sid, msg)
            warnings.setdefault(str(sid), []).append(f"line {lines[k]}: {msg}")
        result.append("quantified")
        fraction.append(x)
    sens = np.array(sens_values, dtype="float64")
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
    out.attrs["warnings"] = warnings
    logger.info(
        "MRD table %s: %d rows for %d samples (units: %s)",
        p,
        len(out),
        out["sample_id"].nunique(),
        ", ".join(sorted(set(df["unit"]))),
    )
    return out


def _to_fraction(text: str, unit: str, col: str, where: dict) -> float:
    """An MRD number in ``unit`` as a fraction of nucleated cells; refuses impossible ones."""
    x = float(text)
    if unit == "log10":
        if x > 0:
            raise InputError(
                f"{col} {text} as log10 is above 0 (more than 100 %); log10 of a fraction is "
                "<= 0 (0.1 % = -3)",
                **where,
            )
        return float(10.0**x)
    top = 1.0 if unit == "fraction" else 100.0
    if not 0.0 <= x <= top:
        hint = " (a percentage? set unit to percent)" if unit == "fraction" and x <= 100 else ""
        raise InputError(
            f"{col} {text} is outside 0-{top:g} for unit {unit}{hint}; 0.1 % = 0.001 as "
            "fraction = 0.1 as percent = -3 as log10",
            **where,
        )
    return x / top
