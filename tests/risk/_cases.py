"""Build stage tables from the hand-built case table (tests/risk/cases.yaml)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from allstrat.contracts import CLASSIFY_COLUMNS, COPYNUMBER_COLUMNS
from allstrat.io.clinical import clinical_frame, mrd_frame

CASES_FILE = Path(__file__).with_name("cases.yaml")


def load_cases() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The baseline patient and the list of cases."""
    data = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
    return data["baseline"], data["cases"]


def _mrd_rows(sample: str, spec: dict[str, Any], sensitivity: str) -> list[dict[str, str]]:
    rows = []
    for key, value in spec.items():
        if value is None:
            continue
        method, tissue, day = key.split()
        sens = sensitivity
        value = str(value)
        if "@" in value:
            value, sens = value.split("@")
        rows.append(
            {
                "sample_id": sample,
                "day": day,
                "tissue": tissue,
                "method": method,
                "value": value,
                "unit": "fraction",
                "sensitivity": sens if value in ("negative", "positive_nq") else "",
            }
        )
    return rows


def case_tables(
    case: dict[str, Any], baseline: dict[str, Any], sample: str = "P1"
) -> dict[str, pd.DataFrame | None]:
    """Classify / copynumber / clinical / mrd tables for one case (None = table absent)."""
    out: dict[str, pd.DataFrame | None] = {}
    for name, columns in (
        ("classify", CLASSIFY_COLUMNS),
        ("copynumber", COPYNUMBER_COLUMNS),
        ("clinical", None),
    ):
        if name in case and case[name] is None:
            out[name] = None
            continue
        row = {**copy.deepcopy(baseline[name]), **(case.get(name) or {}), "sample_id": sample}
        if columns is not None:
            row = {c: str(row.get(c, "")) for c in columns}
        table = pd.DataFrame([row]).astype(str)
        # the clinical table as the reader types it (risk facts take typed values)
        out[name] = clinical_frame(table) if name == "clinical" else table
    spec = {**baseline["mrd"], **(case.get("mrd") or {})}
    rows = _mrd_rows(sample, spec, baseline["mrd_sensitivity"])
    columns = ["sample_id", "day", "tissue", "method", "value", "unit", "sensitivity"]
    out["mrd"] = mrd_frame(pd.DataFrame(rows, columns=columns))  # typed as the reader types it
    out["lab"] = lab_table(case.get("lab"), sample)
    return out


def lab_table(spec: list[str] | None, sample: str) -> pd.DataFrame | None:
    """Lab rows written "<finding> <result> <method> [value]" -> the reader's frame."""
    if spec is None:
        return None
    rows = []
    for item in spec:
        finding, result, method, *value = item.split()
        rows.append(
            {
                "sample_id": sample,
                "finding": finding,
                "result": result,
                "method": method,
                "value": float(value[0]) if value else float("nan"),
                "date": "",
            }
        )
    return pd.DataFrame(rows, columns=["sample_id", "finding", "result", "method", "value", "date"])
