"""Clinical and MRD tables for simulated samples.

Formats: the clinical table (``workflow/schemas/clinical.schema.yaml``) and the long MRD
table (``sample_id, day, tissue, method, value, unit, sensitivity``) read by
``allstrat.io.clinical``. Distributions are per subtype and are modelling choices that
follow the qualitative facts in DOMAIN.md (infants with KMT2A, young low-WBC
ETV6::RUNX1 and hyperdiploid cases, high-WBC T-ALL, iAMP21 median age 9 with low WBC,
older Ph/Ph-like patients, high MRD in DUX4-r despite a good outcome [S38]); exact
parameters are UNVERIFIED. Some values are deliberately missing (empty cells) so the
risk engine has to say "indeterminate".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allstrat.contracts import CLINICAL_COLUMNS, ETP_MARKER_COLUMNS
from allstrat.contracts import MRD_INPUT_COLUMNS as MRD_COLUMNS

# subtype -> (median age in years, log-normal sigma) and (median WBC x1e9/L, sigma)
AGE = {"default": (6.0, 0.55), "ETV6::RUNX1": (4.0, 0.4), "Hyperdiploid": (4.0, 0.45),
       "iAMP21": (9.0, 0.3), "T-ALL": (9.0, 0.4), "BCR::ABL1": (10.0, 0.45),
       "Ph-like": (10.0, 0.5), "DUX4": (8.0, 0.45), "MEF2D": (13.0, 0.25),
       "ZNF384": (11.0, 0.4), "TCF3::PBX1": (8.0, 0.5), "Near haploid": (7.0, 0.45),
       "Low hypodiploid": (13.0, 0.3), "KMT2A": (5.0, 0.9)}  # fmt: skip
KMT2A_INFANT_PROB = 0.45  # KMT2A-r is up to 80% of infant ALL (S1); share infants here
WBC = {"default": (15.0, 1.1), "ETV6::RUNX1": (9.0, 1.0), "Hyperdiploid": (7.0, 1.0),
       "iAMP21": (4.0, 0.8), "T-ALL": (80.0, 1.1), "KMT2A": (110.0, 1.0),
       "BCR::ABL1": (45.0, 1.0), "Ph-like": (30.0, 1.1), "TCF3::PBX1": (20.0, 1.0)}  # fmt: skip
# End-of-induction log10 MRD (median, SD) by subtype: low in ETV6::RUNX1 / HeH, high in
# Ph / Ph-like / KMT2A / T-ALL / DUX4 (DOMAIN.md §3, §4). Modelling choice.
MRD_EOI = {"default": (-3.8, 1.2), "ETV6::RUNX1": (-4.6, 1.0), "Hyperdiploid": (-4.4, 1.0),
           "BCR::ABL1": (-2.3, 1.0), "Ph-like": (-2.6, 1.1), "KMT2A": (-2.5, 1.1),
           "T-ALL": (-2.5, 1.2), "DUX4": (-2.6, 1.0), "iAMP21": (-3.2, 1.1),
           "Low hypodiploid": (-2.8, 1.1), "Near haploid": (-3.0, 1.1)}  # fmt: skip
POOR_PRED = {"default": 0.08, "T-ALL": 0.3, "KMT2A": 0.25, "BCR::ABL1": 0.25, "Ph-like": 0.15}
INDUCTION_FAILURE = {"default": 0.01, "T-ALL": 0.05, "KMT2A": 0.05, "BCR::ABL1": 0.06}
# Flow labs commonly report MRD in percent, PCR labs as a fraction (10^-x): the demo
# MRD table mixes both units (column unit) as real exports do.
UNITS = {"flow": "percent", "PCR": "fraction"}
# Which MRD series a demo patient has: BFM/DCOG-style (flow d15, PCR d33/d78-79), COG-style
# (flow d8 PB, d29 BM) or both. Real patients have one protocol's series; the demo gives
# most of them both so that every protocol shows definite groups (issue #13), and keeps
# some with one series to show "not used" MRD and indeterminate results.
MRD_STYLES = (("bfm", 0.3), ("cog", 0.1), ("both", 0.6))
MISSING_PROB = 0.04  # per clinical field
MRD_MISSING_PROB = 0.06  # per MRD time point
NO_MRD_PROB = 0.05  # sample without any MRD
# CPIC allele frequencies are population-specific; rough European-ancestry shares
# (UNVERIFIED): TPMT *1/*1 ~90%, *1/*3A ~6%; NUDT15 variants are rarer in Europeans.
TPMT = (("*1/*1", 0.9), ("*1/*3A", 0.06), ("*1/*3C", 0.025), ("*1/*2", 0.008),
        ("*3A/*3A", 0.003), ("*3A/*3C", 0.002), ("*1/*8", 0.002))  # fmt: skip
NUDT15 = (("*1/*1", 0.955), ("*1/*3", 0.035), ("*1/*2", 0.005), ("*3/*3", 0.003),
          ("*1/*4", 0.002))  # fmt: skip


def _get(table: dict, key: str):
    return table.get(key, table["default"])


def _choice(rng: np.random.Generator, options) -> str:
    w = np.array([o[1] for o in options], dtype=float)
    return options[int(rng.choice(len(options), p=w / w.sum()))][0]


def simulate_clinical(
    rng: np.random.Generator, *, sample_id: str, subtype: str, sex: str
) -> tuple[dict, list[dict]]:
    """One sample's clinical row and its MRD rows."""
    med, sd = _get(AGE, subtype)
    if subtype == "KMT2A" and rng.random() < KMT2A_INFANT_PROB:
        age = rng.uniform(0.05, 0.99)
    else:
        age = float(np.clip(med * np.exp(rng.normal(0, sd)), 1.0, 17.9))
    wmed, wsd = _get(WBC, subtype)
    wbc = float(np.clip(wmed * np.exp(rng.normal(0, wsd)), 0.5, 900))
    lineage = "T" if subtype == "T-ALL" else "B"
    yes = lambda p: "yes" if rng.random() < p else "no"  # noqa: E731
    cns = _choice(rng, (("CNS1", 0.85), ("CNS2", 0.1), ("CNS3", 0.05 if lineage == "B" else 0.12)))
    row = {
        "sample_id": sample_id,
        "age_years": f"{age:.2f}",
        "wbc_1e9_per_l": f"{wbc:.1f}",
        "sex": sex,
        "immunophenotype": lineage,
        "down_syndrome": yes(0.02 if subtype != "Ph-like" else 0.08),
        "cns_status": cns,
        "testicular_involvement": yes(0.02) if sex == "M" else "no",
        "steroid_pretreatment": yes(0.04),
        "prednisone_response": "poor" if rng.random() < _get(POOR_PRED, subtype) else "good",
        "induction_failure": yes(_get(INDUCTION_FAILURE, subtype)),
        "tpmt_diplotype": _choice(rng, TPMT),
        "nudt15_diplotype": _choice(rng, NUDT15),
    }
    for k in CLINICAL_COLUMNS[1:]:
        if k in ETP_MARKER_COLUMNS:
            row[k] = ""  # T-ALL only: simulate_immunophenotype (its own stream)
            continue
        if k != "sex" and rng.random() < MISSING_PROB:
            row[k] = ""
    mrd: list[dict] = []
    if rng.random() >= NO_MRD_PROB:
        mrd = _mrd(rng, sample_id, subtype, failed=row["induction_failure"] == "yes")
    return row, mrd


def _value(rng: np.random.Generator, level: float, sensitivity: float, method: str) -> str:
    frac = 10.0**level
    if frac < sensitivity:
        return "negative"
    if method == "PCR" and frac < 5 * sensitivity and rng.random() < 0.5:
        return "positive_nq"
    frac = min(frac, 0.99)
    return f"{frac * 100:.2e}" if UNITS[method] == "percent" else f"{frac:.2e}"


def _mrd(rng: np.random.Generator, sid: str, subtype: str, *, failed: bool) -> list[dict]:
    """MRD time points: COG-style (flow d8 PB, d29 BM) and/or BFM/DCOG-style (flow d15 BM,
    PCR d33 and d78 BM; DCOG reports d79).
    """
    med, sd = _get(MRD_EOI, subtype)
    eoi = rng.normal(med, sd) + (2.0 if failed else 0.0)
    d15 = eoi + rng.normal(1.8, 0.5)
    d78 = eoi + rng.normal(-1.0, 0.7)
    style = _choice(rng, MRD_STYLES)
    pts: list[tuple[int, str, str, float, float]] = []
    if style in ("cog", "both"):
        pts += [(8, "PB", "flow", d15 + rng.normal(0, 0.3), 1e-4), (29, "BM", "flow", eoi, 1e-4)]
    if style in ("bfm", "both"):
        late = 79 if rng.random() < 0.3 else 78
        pts += [(15, "BM", "flow", d15, 1e-4), (33, "BM", "PCR", eoi, 1e-4),
                (late, "BM", "PCR", d78, 1e-4)]  # fmt: skip
    rows = []
    for day, tissue, method, level, sens in pts:
        if rng.random() < MRD_MISSING_PROB:
            continue
        unit = UNITS[method]
        rows.append({
            "sample_id": sid, "day": day, "tissue": tissue, "method": method,
            "value": _value(rng, level, sens, method), "unit": unit,
            "sensitivity": f"{sens * 100:g}" if unit == "percent" else f"{sens:g}",
        })  # fmt: skip
    return rows


# ETP-ALL immunophenotype of simulated T-ALL (% of blasts positive). ETP-ALL cases meet the
# Coustan-Smith 2009 criteria (CD1a, CD8 < 5%; CD5 < 75%; >= 1 stem/myeloid marker >= 25%);
# other T-ALL fail at least one. Marker shares and ranges are modelling choices.
STEM_MYELOID_PROB = {"cd34_pct": 0.7, "cd117_pct": 0.5, "hla_dr_pct": 0.4, "cd13_pct": 0.4,
                     "cd33_pct": 0.4, "cd11b_pct": 0.2, "cd65_pct": 0.1}  # fmt: skip
NO_IMMUNOPHENOTYPE_PROB = 0.3  # T-ALL without a marker panel (ETP from expression)
MARKER_MISSING_PROB = 0.05


def simulate_immunophenotype(rng: np.random.Generator, *, etp: bool) -> dict[str, str]:
    """A T-ALL case's ETP marker percentages (all empty for some cases)."""
    if rng.random() < NO_IMMUNOPHENOTYPE_PROB:
        return dict.fromkeys(ETP_MARKER_COLUMNS, "")
    v: dict[str, float] = {}
    if etp:
        v["cd1a_pct"], v["cd8_pct"] = rng.uniform(0, 4, 2)
        v["cd5_pct"] = rng.uniform(5, 70)
        pos = [c for c, p in STEM_MYELOID_PROB.items() if rng.random() < p] or ["cd34_pct"]
        for c in STEM_MYELOID_PROB:
            v[c] = rng.uniform(30, 95) if c in pos else rng.uniform(0, 20)
    else:
        v["cd1a_pct"] = rng.uniform(20, 95) if rng.random() < 0.5 else rng.uniform(0, 20)
        v["cd8_pct"] = rng.uniform(10, 90)
        v["cd5_pct"] = rng.uniform(80, 100) if rng.random() < 0.85 else rng.uniform(40, 80)
        for c in STEM_MYELOID_PROB:
            v[c] = rng.uniform(25, 60) if rng.random() < 0.08 else rng.uniform(0, 20)
        if v["cd1a_pct"] < 5 and v["cd8_pct"] < 5 and v["cd5_pct"] < 75:
            v["cd8_pct"] = rng.uniform(20, 90)  # not ETP-ALL: keep one criterion failed
    return {
        c: "" if rng.random() < MARKER_MISSING_PROB else f"{v[c]:.1f}" for c in ETP_MARKER_COLUMNS
    }


def to_frames(rows: list[dict], mrd: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clinical and MRD DataFrames (all columns as strings; empty = missing)."""
    clin = pd.DataFrame(rows, columns=list(CLINICAL_COLUMNS))
    m = pd.DataFrame(mrd, columns=list(MRD_COLUMNS))
    m["day"] = m["day"].astype(str)
    return clin, m
