"""Chromosome arm / whole-chromosome states, modal number, karyotype class, masked
hypodiploidy and iAMP21 from normalised segments (DOMAIN.md §5).

* An arm's state is the length-weighted majority copy-number state of the segments on
  it (acrocentric 13, 14, 15, 21, 22: q arm only), assessed when segments cover at least
  ``min_arm_coverage`` of the arm. A chromosome has a whole-chromosome state when its
  assessed arms agree and that state covers ``whole_chrom_min_fraction`` of it.
* Modal number = 46 + Σ(whole-chromosome state − expected copies) over autosomes and
  the sex chromosomes (expected X/Y copies from the inferred sex); not assessable when
  any autosome is unassessed.
* Karyotype class cut-offs (:class:`PloidyCutoffs`) are configuration: sources disagree
  (near-haploid 24–31 / 24–30 / 24–29; DOMAIN.md §5).
* Masked (doubled) hypodiploidy: genome-wide loss of heterozygosity from BAF.
* iAMP21: RUNX1 region amplified while chr21 is not uniformly gained (a whole-chromosome
  tetrasomy 21 of high hyperdiploidy is not iAMP21).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from allstrat.config import FROM_SCHEMA, schema_defaults
from allstrat.copynumber.resources import AUTOSOMES
from allstrat.copynumber.segments import expected_minor_fraction

logger = logging.getLogger(__name__)

FAVOURABLE_TRISOMIES: tuple[str, ...] = ("chr4", "chr10", "chr17")


@dataclass(frozen=True)
@schema_defaults("copynumber.ploidy")
class PloidyCutoffs:
    """Karyotype classes by modal chromosome number (inclusive lower bounds).

    Defaults: Holmfeldt 2013 hypodiploid groups (near-haploid 24–31, low 32–39, high
    40–43) [S14]; hyperdiploid ≥ 51 [S1] up to 67 [S8]; low hyperdiploid 47–50 [S5].
    """

    near_haploid_min: int = FROM_SCHEMA
    low_hypodiploid_min: int = FROM_SCHEMA
    high_hypodiploid_min: int = FROM_SCHEMA
    diploid_min: int = FROM_SCHEMA
    low_hyperdiploid_min: int = FROM_SCHEMA
    high_hyperdiploid_min: int = FROM_SCHEMA
    high_hyperdiploid_max: int = FROM_SCHEMA

    def classify(self, n: int | None) -> tuple[str, list[str]]:
        """Return (karyotype class, flags) for a modal number."""
        if n is None:
            return "not_assessable", []
        flags: list[str] = []
        if n < self.near_haploid_min:
            return "near_haploid", ["modal_below_near_haploid_range"]
        if n < self.low_hypodiploid_min:
            return "near_haploid", flags
        if n < self.high_hypodiploid_min:
            return "low_hypodiploid", flags
        if n < self.diploid_min:
            return "high_hypodiploid", flags
        if n < self.low_hyperdiploid_min:
            return "diploid", flags
        if n < self.high_hyperdiploid_min:
            return "low_hyperdiploid", flags
        if n > self.high_hyperdiploid_max:
            flags.append("modal_above_high_hyperdiploid_range")
        return "high_hyperdiploid", flags


def chromosome_states(
    norm: pd.DataFrame,
    chromosomes: pd.DataFrame,
    *,
    min_arm_coverage: float = 0.5,
    whole_chrom_min_fraction: float = 0.8,
) -> pd.DataFrame:
    """Arm and whole-chromosome copy-number states of one sample.

    Parameters
    ----------
    norm
        Normalised segments (with ``cn_state``).
    chromosomes
        Chromosome table with centromeres.
    min_arm_coverage
        Fraction of an arm segments must cover for it to be assessed.
    whole_chrom_min_fraction
        Fraction of the assessed length the majority state must cover.

    Returns
    -------
    DataFrame indexed by chrom with ``p_state``, ``q_state``, ``whole_state`` (nullable
    Int64; NA = not assessed / not whole-chromosome), ``coverage`` and ``mean_cn``.
    """
    rows = []
    chrom_arr = norm["chrom"].to_numpy()
    start_arr = norm["start"].to_numpy(dtype=np.int64)
    end_arr = norm["end"].to_numpy(dtype=np.int64)
    state_arr = norm["cn_state"].to_numpy(dtype=np.int64)
    cn_arr = norm["cn"].to_numpy(dtype=float)
    table = zip(
        chromosomes.index,
        chromosomes["centromere_start"].tolist(),
        chromosomes["centromere_end"].tolist(),
        chromosomes["length"].tolist(),
        chromosomes["acrocentric"].tolist(),
        strict=True,
    )  # plain values: DataFrame.iterrows builds a Series per chromosome and sample
    for chrom, cen_start, cen_end, length, acrocentric in table:
        on = chrom_arr == chrom
        st_c, en_c, state_c = start_arr[on], end_arr[on], state_arr[on]
        arms = {"p": (1, int(cen_start) - 1), "q": (int(cen_end) + 1, int(length))}
        if acrocentric:
            arms.pop("p")
        rec: dict = {"chrom": chrom, "p_state": pd.NA}
        weights: dict[int, int] = {}
        total_len = 0
        total_cov = 0
        for arm, (a, b) in arms.items():
            hit = (st_c <= b) & (en_c >= a)
            ov = np.minimum(en_c[hit], b) - np.maximum(st_c[hit], a) + 1
            cov = ov.sum() / (b - a + 1)
            total_len += b - a + 1
            total_cov += int(ov.sum())
            state = pd.NA
            if cov >= min_arm_coverage and hit.any():
                by: dict[int, int] = {}
                for st, o in zip(state_c[hit], ov, strict=True):
                    by[int(st)] = by.get(int(st), 0) + int(o)
                    weights[int(st)] = weights.get(int(st), 0) + int(o)
                state = max(by, key=lambda k: by[k])
            rec[f"{arm}_state"] = state
        assessed = [rec[f"{a}_state"] for a in arms if rec[f"{a}_state"] is not pd.NA]
        whole = pd.NA
        if assessed and len(set(assessed)) == 1 and len(assessed) == len(arms):
            st = assessed[0]
            if weights.get(st, 0) >= whole_chrom_min_fraction * max(total_cov, 1):
                whole = st
        rec["whole_state"] = whole
        rec["coverage"] = round(total_cov / total_len, 3)
        rec["mean_cn"] = (
            round(float(np.average(cn_arr[on], weights=en_c - st_c + 1)), 3) if on.any() else np.nan
        )
        rows.append(rec)
    cols: dict[str, Any] = {c: [r[c] for r in rows] for c in _STATE_COLUMNS}
    for c in ("p_state", "q_state", "whole_state"):
        cols[c] = pd.array(cols[c], dtype="Int64")
    for c in ("coverage", "mean_cn"):
        cols[c] = np.array(cols[c], dtype=float)
    return pd.DataFrame(cols, index=pd.Index([r["chrom"] for r in rows], name="chrom"))


_STATE_COLUMNS = ("p_state", "q_state", "whole_state", "coverage", "mean_cn")


def infer_sex(states: pd.DataFrame, norm: pd.DataFrame) -> tuple[str, str]:
    """Infer sex and the male sex-chromosome convention of the segment caller.

    ``male`` when chrY carries copy number ≥ 0.5 over most of its length, ``female``
    when chrY segments are present but lost, ``unknown`` without chrY data. Callers
    normalise male X/Y either against a diploid reference (X and Y at log2 ≈ −1, CNVkit
    default) or against a haploid expectation (X and Y at log2 ≈ 0); a male chrY at ≥ 1.5
    estimated copies means the latter, and X/Y copy numbers are then halved.

    Returns
    -------
    (sex, convention)
        convention is ``diploid_reference``, ``haploid_normalised`` or ``""``.
    """
    y = norm[norm["chrom"] == "chrY"]
    if y.empty:
        return "unknown", ""
    w = (y["end"] - y["start"] + 1).to_numpy(dtype=float)
    cn = y["cn"].to_numpy()
    present = float(w[cn >= 0.5].sum() / w.sum())
    if present < 0.5:
        return "female", ""
    order = np.argsort(cn)
    cw = np.cumsum(w[order])
    median = float(cn[order][np.searchsorted(cw, cw[-1] / 2)])
    return "male", "haploid_normalised" if median >= 1.5 else "diploid_reference"


def modal_number(
    states: pd.DataFrame, *, sex: str = "unknown", convention: str = ""
) -> tuple[int | None, list[str], dict]:
    """Modal chromosome number from whole-chromosome states.

    Returns (number or None, flags, per-chromosome deltas).
    """
    flags: list[str] = []
    deltas: dict[str, int] = {}
    n = 46
    for chrom in AUTOSOMES:
        st = states.loc[chrom, "whole_state"] if chrom in states.index else pd.NA
        if pd.isna(st):
            # an arm-level change is not a whole-chromosome gain / loss
            arms = states.loc[chrom, ["p_state", "q_state"]] if chrom in states.index else None
            if arms is None or arms.isna().all():
                return None, [f"{chrom}_not_assessed"], deltas
            continue
        if int(st) != 2:
            deltas[chrom] = int(st) - 2
            n += int(st) - 2
    x = states.loc["chrX", "whole_state"] if "chrX" in states.index else pd.NA
    if pd.isna(x):
        flags.append("chrX_not_assessed")
    else:
        expected_x = 1 if sex == "male" else 2
        if sex == "male" and convention == "haploid_normalised":
            x = int(x) // 2 if int(x) % 2 == 0 else round(int(x) / 2)
        if sex == "unknown":
            flags.append(
                "sex_unknown_assumed_female" if int(x) >= 2 else "sex_unknown_assumed_male"
            )
            expected_x = 2 if int(x) >= 2 else 1
        if int(x) != expected_x:
            deltas["chrX"] = int(x) - expected_x
            n += int(x) - expected_x
    return n, flags, deltas


def loh_fraction(norm: pd.DataFrame, *, purity: float, loh_margin: float = 0.1) -> float | None:
    """Fraction of the autosomal length with BAF data that shows loss of heterozygosity.

    A segment is LOH when its mirrored BAF is closer to the LOH expectation of its state
    (``expected_minor_fraction(c, 0, purity)``) than ``loh_margin``; None without BAF.
    """
    seg = norm[norm["chrom"].isin(AUTOSOMES) & norm["baf"].notna()]
    if seg.empty:
        return None
    w = (seg["end"] - seg["start"] + 1).to_numpy(dtype=float)
    exp = np.array([expected_minor_fraction(max(int(c), 1), 0, purity) for c in seg["cn_state"]])
    loh = np.abs(seg["baf"].to_numpy(dtype=float) - exp) < loh_margin
    return float(w[loh].sum() / w.sum())


def call_iamp21(
    norm: pd.DataFrame,
    runx1: tuple[str, int, int],
    states: pd.DataFrame,
    *,
    min_cn: float = 5.0,
    min_states_on_21q: int = 3,
) -> tuple[str, dict]:
    """iAMP21 from segments: RUNX1 region amplified on a structurally complex chr21.

    Parameters
    ----------
    norm
        Normalised segments.
    runx1
        (chrom, start, end) of RUNX1.
    states
        Output of :func:`chromosome_states` (for the whole-chromosome check).
    min_cn
        Copies of RUNX1 required (FISH ≥ 5 RUNX1 signals per cell [S13]; COG ≥ 3 extra
        copies [S45]).
    min_states_on_21q
        Distinct copy-number states along 21q required for the iAMP21 pattern
        (amplification interspersed with gains/losses; UNVERIFIED, configurable).

    Returns
    -------
    (``yes``/``no``/``not_assessable``, evidence)
    """
    chrom, start, end = runx1
    on = norm["chrom"].to_numpy() == chrom  # numpy: a few dozen segments, called per sample
    hit = on & (norm["start"].to_numpy() <= end) & (norm["end"].to_numpy() >= start)
    if not hit.any():
        return "not_assessable", {"reason": "no segment over RUNX1"}
    cns = norm["cn"].to_numpy(dtype=float)[hit]
    cn = float(np.nanmax(cns)) if not np.isnan(cns).all() else float("nan")  # as Series.max
    n_states = len({x for x in norm["cn_state"].to_numpy()[on].tolist() if x == x})  # nunique
    whole = states.loc[chrom, "whole_state"] if chrom in states.index else pd.NA
    ev = {
        "runx1_max_cn": round(cn, 3),
        "chr21_distinct_states": n_states,
        "chr21_whole_state": None if pd.isna(whole) else int(whole),
        "min_cn": min_cn,
        "min_states_on_21q": min_states_on_21q,
    }
    is_amp = cn >= min_cn and n_states >= min_states_on_21q and pd.isna(whole)
    return ("yes" if is_amp else "no"), ev
