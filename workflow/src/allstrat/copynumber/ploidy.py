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
from allstrat.copynumber.resources import AUTOSOMES, derived
from allstrat.copynumber.segments import SegmentArrays

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


#: One sample's chromosome states: chrom -> {p_state, q_state, whole_state (int or None),
#: coverage, mean_cn (float, NaN without segments)}, in chromosome-table order.
StateRecords = dict[str, dict[str, Any]]


def chromosome_states(
    norm: pd.DataFrame | SegmentArrays,
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
    Int64; NA = not assessed / not whole-chromosome), ``coverage`` and ``mean_cn``
    (the records of :func:`chromosome_state_records` as a table).
    """
    recs = chromosome_state_records(
        norm,
        chromosomes,
        min_arm_coverage=min_arm_coverage,
        whole_chrom_min_fraction=whole_chrom_min_fraction,
    )
    cols: dict[str, Any] = {c: [r[c] for r in recs.values()] for c in _STATE_COLUMNS}
    for c in ("p_state", "q_state", "whole_state"):
        cols[c] = pd.array(cols[c], dtype="Int64")
    for c in ("coverage", "mean_cn"):
        cols[c] = np.array(cols[c], dtype=float)
    return pd.DataFrame(cols, index=pd.Index(list(recs), name="chrom"))


_STATE_COLUMNS = ("p_state", "q_state", "whole_state", "coverage", "mean_cn")


def _arm_table(chromosomes: pd.DataFrame) -> dict[str, Any]:
    """Arm bounds of the chromosome table as arrays (p arm 1..cen_start-1, q arm
    cen_end+1..length; acrocentric chromosomes have no p arm).
    """
    q_end = chromosomes["length"].to_numpy(dtype=np.int64)
    return {
        "names": tuple(chromosomes.index),
        "p_end": chromosomes["centromere_start"].to_numpy(dtype=np.int64) - 1,
        "q_start": chromosomes["centromere_end"].to_numpy(dtype=np.int64) + 1,
        "q_end": q_end,
        "acro": chromosomes["acrocentric"].to_numpy(dtype=bool),
    }


def _ranks(a: SegmentArrays, names: tuple[str, ...]) -> np.ndarray:
    """Row of each segment's chromosome in ``names`` (-1: not in the table)."""
    if a.rank is not None and a.order == names:
        return a.rank
    pos = {c: i for i, c in enumerate(names)}
    return np.fromiter((pos.get(c, -1) for c in a.chrom.tolist()), np.int64, len(a))


def chromosome_state_records(
    norm: pd.DataFrame | SegmentArrays,
    chromosomes: pd.DataFrame,
    *,
    min_arm_coverage: float = 0.5,
    whole_chrom_min_fraction: float = 0.8,
) -> StateRecords:
    """:func:`chromosome_states` as plain records (:data:`StateRecords`).

    All arms of all chromosomes at once: an arm's state is the copy-number state with
    the largest overlap of its segments (ties: the state met first along the arm).
    """
    a = SegmentArrays.of(norm)
    assert a.cn is not None, "normalised segments expected"
    assert a.cn_state is not None, "normalised segments expected"
    arms = derived(chromosomes, "arms", _arm_table)
    names = arms["names"]
    n_chrom = len(names)
    rank = _ranks(a, names)
    on = rank >= 0
    r = np.where(on, rank, 0)
    s, e = a.start.astype(np.int64), a.end.astype(np.int64)
    # arm 2k: p arm of chromosome k, 2k + 1: its q arm
    lo = np.stack([np.ones_like(s), arms["q_start"][r]])
    hi = np.stack([arms["p_end"][r], arms["q_end"][r]])
    hit = on & (s <= hi) & (e >= lo)
    hit[0] &= ~arms["acro"][r]
    ov = np.minimum(e, hi) - np.maximum(s, lo) + 1
    arm_id = (2 * r + np.arange(2)[:, None])[hit]
    ov_hit = ov[hit]
    arm_len = np.stack([arms["p_end"], arms["q_end"] - arms["q_start"] + 1], axis=1).ravel()
    cov_bp = np.bincount(arm_id, weights=ov_hit, minlength=2 * n_chrom)
    n_hit = np.bincount(arm_id, minlength=2 * n_chrom)
    assessed = (cov_bp / arm_len >= min_arm_coverage) & (n_hit > 0)
    states = np.broadcast_to(a.cn_state.astype(np.int64), hit.shape)[hit]
    best, best_bp = _majority_state(arm_id, states, ov_hit, 2 * n_chrom)
    acro = arms["acro"].tolist()
    cov_l, best_l, bp_l = cov_bp.tolist(), best.tolist(), best_bp.tolist()
    ok_l, len_l = assessed.tolist(), arm_len.tolist()
    w = a.end - a.start + 1
    prod = np.multiply(a.cn, w, dtype=float)
    out: StateRecords = {}
    for k, chrom in enumerate(names):
        both = (2 * k + 1,) if acro[k] else (2 * k, 2 * k + 1)
        st = {i: best_l[i] if ok_l[i] else None for i in both}
        total_cov = sum(int(cov_l[i]) for i in both)
        total_len = sum(len_l[i] for i in both)
        whole = None
        vals = set(st.values())
        if None not in vals and len(vals) == 1:
            one = st[both[0]]
            if sum(bp_l[i] for i in both) >= whole_chrom_min_fraction * max(total_cov, 1):
                whole = one
        rows = a.rows_on(chrom) if a.rank is not None and a.order == names else rank == k
        wr = w[rows]
        mean = (
            round(float(prod[rows].sum() / wr.sum(dtype=float)), 3) if len(wr) else np.nan
        )  # np.average(cn, weights=w) of the chromosome's rows
        out[chrom] = {
            "p_state": None if acro[k] else st[2 * k],
            "q_state": st[2 * k + 1],
            "whole_state": whole,
            "coverage": round(total_cov / total_len, 3),
            "mean_cn": mean,
        }
    return out


def _majority_state(
    arm: np.ndarray, state: np.ndarray, bp: np.ndarray, n_arms: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per arm: the state with the most overlapping bp (ties: met first) and its bp."""
    best = np.zeros(n_arms, dtype=np.int64)
    best_bp = np.zeros(n_arms, dtype=float)
    if not len(arm):
        return best, best_bp
    span = int(state.max()) - int(state.min()) + 1
    key = arm * span + (state - state.min())
    uniq, first, inv = np.unique(key, return_index=True, return_inverse=True)
    total = np.bincount(inv.ravel(), weights=bp)
    order = np.lexsort((first, -total, uniq // span))  # by arm, most bp, first met
    arms_sorted = (uniq // span)[order]
    lead = np.ones(len(order), dtype=bool)
    lead[1:] = arms_sorted[1:] != arms_sorted[:-1]
    pick = order[lead]
    best[uniq[pick] // span] = uniq[pick] % span + state.min()
    best_bp[uniq[pick] // span] = total[pick]
    return best, best_bp


def _as_records(states: pd.DataFrame | StateRecords) -> StateRecords:
    """State records of a :func:`chromosome_states` table (NA -> None)."""
    if not isinstance(states, pd.DataFrame):
        return states
    return {
        str(c): {k: (None if pd.isna(v) else v) for k, v in rec.items()}
        for c, rec in states.to_dict("index").items()
    }


def infer_sex(
    states: pd.DataFrame | StateRecords, norm: pd.DataFrame | SegmentArrays
) -> tuple[str, str]:
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
    a = SegmentArrays.of(norm)
    assert a.cn is not None, "normalised segments expected"
    y = a.rows_on("chrY")
    cn = a.cn[y]
    if not len(cn):
        return "unknown", ""
    w = (a.end[y] - a.start[y] + 1).astype(float)
    present = float(w[cn >= 0.5].sum() / w.sum())
    if present < 0.5:
        return "female", ""
    order = np.argsort(cn)
    cw = np.cumsum(w[order])
    median = float(cn[order][np.searchsorted(cw, cw[-1] / 2)])
    return "male", "haploid_normalised" if median >= 1.5 else "diploid_reference"


def modal_number(
    states: pd.DataFrame | StateRecords, *, sex: str = "unknown", convention: str = ""
) -> tuple[int | None, list[str], dict]:
    """Modal chromosome number from whole-chromosome states.

    Returns (number or None, flags, per-chromosome deltas).
    """
    recs = _as_records(states)
    flags: list[str] = []
    deltas: dict[str, int] = {}
    n = 46
    for chrom in AUTOSOMES:
        rec = recs.get(chrom)
        st = None if rec is None else rec["whole_state"]
        if st is None:
            # an arm-level change is not a whole-chromosome gain / loss
            if rec is None or (rec["p_state"] is None and rec["q_state"] is None):
                return None, [f"{chrom}_not_assessed"], deltas
            continue
        if int(st) != 2:
            deltas[chrom] = int(st) - 2
            n += int(st) - 2
    x = recs["chrX"]["whole_state"] if "chrX" in recs else None
    if x is None:
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


def loh_fraction(
    norm: pd.DataFrame | SegmentArrays, *, purity: float, loh_margin: float = 0.1
) -> float | None:
    """Fraction of the autosomal length with BAF data that shows loss of heterozygosity.

    A segment is LOH when its mirrored BAF is closer to the LOH expectation of its state
    (``expected_minor_fraction(c, 0, purity)``) than ``loh_margin``; None without BAF.
    """
    a = SegmentArrays.of(norm)
    assert a.cn_state is not None, "normalised segments expected"
    m = a.in_set(AUTOSOMES) & ~np.isnan(a.baf)
    if not m.any():
        return None
    w = (a.end[m] - a.start[m] + 1).astype(float)
    # expected_minor_fraction(max(c, 1), 0, purity) of every segment at once
    denom = purity * np.maximum(a.cn_state[m], 1) + 2.0 * (1.0 - purity)
    with np.errstate(divide="ignore", invalid="ignore"):
        exp = np.where(denom <= 0, np.nan, (1.0 - purity) / denom)
    loh = np.abs(a.baf[m] - exp) < loh_margin
    return float(w[loh].sum() / w.sum())


def call_iamp21(
    norm: pd.DataFrame | SegmentArrays,
    runx1: tuple[str, int, int],
    states: pd.DataFrame | StateRecords,
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
    a = SegmentArrays.of(norm)  # arrays: a few dozen segments, called per sample
    assert a.cn is not None, "normalised segments expected"
    assert a.cn_state is not None, "normalised segments expected"
    on = a.rows_on(chrom)
    hit = (a.start[on] <= end) & (a.end[on] >= start)
    if not hit.any():
        return "not_assessable", {"reason": "no segment over RUNX1"}
    cns = a.cn[on][hit].astype(float)
    cn = float(np.nanmax(cns)) if not np.isnan(cns).all() else float("nan")  # as Series.max
    n_states = len({x for x in a.cn_state[on].tolist() if x == x})  # nunique
    rec = _as_records(states).get(chrom)
    whole = None if rec is None else rec["whole_state"]
    ev = {
        "runx1_max_cn": round(cn, 3),
        "chr21_distinct_states": n_states,
        "chr21_whole_state": None if whole is None else int(whole),
        "min_cn": min_cn,
        "min_states_on_21q": min_states_on_21q,
    }
    is_amp = cn >= min_cn and n_states >= min_states_on_21q and whole is None
    return ("yes" if is_amp else "no"), ev
