"""The array formulations of the per-sample segment calls equal the earlier pandas ones.

The copy-number stage reads one sample's segments as column arrays
(:class:`allstrat.copynumber.segments.SegmentArrays`) and computes every arm of every
chromosome at once; the references below are the earlier per-chromosome / per-segment
formulations (kept here verbatim in substance), compared exactly on random segment sets
with ties, gaps, missing chromosomes, BAF and hundreds of segments per sample.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from allstrat.copynumber import allelic, lesions, ploidy
from allstrat.copynumber.allelic import state_class
from allstrat.copynumber.lesions import CnThresholds
from allstrat.copynumber.segments import (
    SegmentArrays,
    expected_minor_fraction,
    normalise_segment_arrays,
    normalise_segments,
    validate_segment_arrays,
    validate_segments,
)


def _random_segments(chromosomes: pd.DataFrame, seed: int, per_chrom: int) -> pd.DataFrame:
    """Sorted, non-overlapping segments with gaps, absent chromosomes, equal-length
    neighbours of different states (arm ties) and BAF on some segments.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for chrom, info in chromosomes.iterrows():
        if rng.uniform() < 0.08:
            continue  # chromosome without segments
        length = int(info["length"])
        k = int(rng.integers(1, per_chrom + 1))
        if rng.uniform() < 0.3:  # equal pieces: ties between states on an arm
            cuts = [length * j // k for j in range(k + 1)]
        else:
            cuts = sorted({0, length, *rng.integers(1, length, k - 1).tolist()})
        state = int(rng.integers(0, 6))
        for a, b in itertools.pairwise(cuts):
            if rng.uniform() < 0.15:
                continue  # gap: arms may fall below the coverage needed
            if rng.uniform() < 0.5:
                state = int(rng.integers(0, 6))
            log2 = float(np.log2(max(state, 0.05) / 2) + rng.normal(0, 0.05))
            baf = float(rng.uniform(0, 0.7)) if rng.uniform() < 0.5 else np.nan
            rows.append((chrom, a + 1, b, round(log2, 4), baf))
    df = pd.DataFrame(rows, columns=["chrom", "start", "end", "log2", "baf"])
    df.insert(0, "sample_id", "S")
    df["n_probes"] = 10
    return df


def _states_reference(norm: pd.DataFrame, chromosomes: pd.DataFrame, **kw) -> pd.DataFrame:
    """The earlier per-chromosome loop of ``ploidy.chromosome_states``."""
    rows = []
    for chrom, info in chromosomes.iterrows():
        on = norm["chrom"].to_numpy() == chrom
        st_c = norm["start"].to_numpy()[on]
        en_c = norm["end"].to_numpy()[on]
        state_c = norm["cn_state"].to_numpy()[on]
        arms = {
            "p": (1, int(info["centromere_start"]) - 1),
            "q": (int(info["centromere_end"]) + 1, int(info["length"])),
        }
        if info["acrocentric"]:
            arms.pop("p")
        rec: dict = {"chrom": chrom, "p_state": pd.NA}
        weights: dict[int, int] = {}
        total_len = total_cov = 0
        for arm, (a, b) in arms.items():
            hit = (st_c <= b) & (en_c >= a)
            ov = np.minimum(en_c[hit], b) - np.maximum(st_c[hit], a) + 1
            cov = ov.sum() / (b - a + 1)
            total_len += b - a + 1
            total_cov += int(ov.sum())
            state = pd.NA
            if cov >= kw["min_arm_coverage"] and hit.any():
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
            if weights.get(st, 0) >= kw["whole_chrom_min_fraction"] * max(total_cov, 1):
                whole = st
        rec["whole_state"] = whole
        rec["coverage"] = round(total_cov / total_len, 3)
        cn = norm["cn"].to_numpy(dtype=float)[on]
        rec["mean_cn"] = (
            round(float(np.average(cn, weights=en_c - st_c + 1)), 3) if on.any() else np.nan
        )
        rows.append(rec)
    out = pd.DataFrame(rows).set_index("chrom")
    for c in ("p_state", "q_state", "whole_state"):
        out[c] = out[c].astype("Int64")
    out["coverage"] = out["coverage"].astype(float)
    out["mean_cn"] = out["mean_cn"].astype(float)
    return out


def _segment_baf_reference(seg: pd.DataFrame, purity: float, margin: float) -> dict:
    """The earlier per-segment loop of ``allelic.summarise_segment_baf``."""
    seg = seg[seg["baf"].notna()]
    out = {}
    for c, d in seg.groupby("chrom", sort=False):
        w: dict = {}
        for r in d.itertuples(index=False):
            cn = max(int(r.cn_state), 1)
            exp = [
                (abs(float(r.baf) - allelic.expected_minor_fraction(cn, b, purity)), b)
                for b in range(cn // 2 + 1)
            ]
            dist, b = min(exp)
            key = (
                (state_class(cn, b), f"{b}:{cn - b}") if dist <= margin else ("not_assessable", "")
            )
            w[key] = w.get(key, 0.0) + float(r.end - r.start + 1)
        (cls, ratio), _ = max(w.items(), key=lambda kv: kv[1])
        lengths = (d["end"] - d["start"] + 1).to_numpy(dtype=float)
        out[str(c)] = {
            "class": cls,
            "allelic_ratio": ratio,
            "mirrored_baf": round(float(np.average(d["baf"], weights=lengths)), 4),
            "n_segments": len(d),
        }
    return out


def _normalised(chromosomes: pd.DataFrame, seed: int, per_chrom: int):
    raw = _random_segments(chromosomes, seed, per_chrom)
    seg = validate_segments(raw, chromosomes=chromosomes, sample_id="S")
    norm, base = normalise_segments(seg, purity=0.8)
    arrays = validate_segment_arrays(raw, chromosomes=chromosomes, sample_id="S")
    arrays, base2 = normalise_segment_arrays(arrays, purity=0.8)
    assert base == base2
    return norm, arrays


@pytest.mark.parametrize(("seed", "per_chrom"), [(0, 3), (1, 8), (2, 20), (3, 1), (4, 40)])
def test_chromosome_states_equal_the_reference(chromosomes, seed, per_chrom):
    norm, arrays = _normalised(chromosomes, seed, per_chrom)
    kw = {"min_arm_coverage": 0.5, "whole_chrom_min_fraction": 0.8}
    want = _states_reference(norm, chromosomes, **kw)
    got = ploidy.chromosome_states(norm, chromosomes, **kw)
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_names=False)
    # the sorted-array path (ranks, row slices) gives the same records as the frame path
    recs = ploidy.chromosome_state_records(arrays, chromosomes, **kw)
    frame_recs = ploidy.chromosome_state_records(
        norm.sample(frac=1, random_state=seed), chromosomes, **kw
    )
    assert list(recs) == list(want.index)
    for c, rec in recs.items():
        assert rec.keys() == frame_recs[c].keys()
        for k, v in rec.items():
            w = want.loc[c, k]
            assert (v is None and pd.isna(w)) or v == w or (v != v and w != w), (c, k, v, w)
    sex = ploidy.infer_sex(recs, arrays)
    assert ploidy.modal_number(recs, sex=sex[0], convention=sex[1]) == ploidy.modal_number(
        want, sex=sex[0], convention=sex[1]
    )


def test_arm_ties_go_to_the_state_met_first(chromosomes):
    """Two equal halves of chr1's q arm in states 3 then 1: the arm takes 3 (as the
    earlier dictionary order did), and reversed it takes 1.
    """
    cen_end, length = (int(chromosomes.loc["chr1", c]) for c in ("centromere_end", "length"))
    mid = cen_end + (length - cen_end) // 2
    for first, second in ((3, 1), (1, 3)):
        norm = pd.DataFrame(
            {
                "chrom": "chr1",
                "start": [cen_end + 1, mid + 1],
                "end": [mid, mid + (mid - cen_end)],
                "cn": [float(first), float(second)],
                "cn_state": [first, second],
            }
        )
        assert int(ploidy.chromosome_states(norm, chromosomes).loc["chr1", "q_state"]) == first


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_loh_and_segment_baf_equal_the_reference(chromosomes, seed):
    norm, arrays = _normalised(chromosomes, seed, 12)
    seg = norm[norm["chrom"].isin([f"chr{i}" for i in range(1, 23)]) & norm["baf"].notna()]
    w = (seg["end"] - seg["start"] + 1).to_numpy(dtype=float)
    exp = np.array([expected_minor_fraction(max(int(c), 1), 0, 0.8) for c in seg["cn_state"]])
    want = float(w[np.abs(seg["baf"].to_numpy() - exp) < 0.1].sum() / w.sum())
    assert ploidy.loh_fraction(arrays, purity=0.8, loh_margin=0.1) == want
    assert ploidy.loh_fraction(norm, purity=0.8, loh_margin=0.1) == want
    settings = allelic.AllelicSettings()
    got = allelic.summarise_segment_baf(arrays, purity=0.8, settings=settings)["chromosomes"]
    assert got == _segment_baf_reference(norm, 0.8, settings.dna_baf_margin)
    assert list(got) == list(_segment_baf_reference(norm, 0.8, settings.dna_baf_margin))


@pytest.mark.parametrize("seed", [0, 5])
def test_region_records_equal_the_frame_filter(chromosomes, seed):
    norm, arrays = _normalised(chromosomes, seed, 30)
    th = CnThresholds()
    rng = np.random.default_rng(seed)
    for chrom in ["chr9", "chr21", "chrX", "chrY", "chrUn"]:
        for _ in range(20):
            a = int(rng.integers(1, 150_000_000))
            b = a + int(rng.integers(0, 5_000_000))
            want = lesions.overlapping(norm, chrom, a, b)
            recs = lesions.region_state(arrays, chrom, a, b, thresholds=th)[1]["segments"]
            assert [(r["start"], r["end"]) for r in recs] == list(
                zip(want["start"], want["end"], strict=True)
            )
            assert recs == lesions.region_state(norm, chrom, a, b, thresholds=th)[1]["segments"]
            for r, (_, w) in zip(recs, want.iterrows(), strict=True):
                assert r["cn"] == round(float(w["cn"]), 3)
                assert r["overlap_bp"] == min(int(w["end"]), b) - max(int(w["start"]), a) + 1


def test_segment_arrays_of_a_frame_and_of_validation_agree(chromosomes):
    raw = _random_segments(chromosomes, 7, 5)
    frame = SegmentArrays.of(validate_segments(raw, chromosomes=chromosomes, sample_id="S"))
    arrays = validate_segment_arrays(raw, chromosomes=chromosomes, sample_id="S")
    for f in ("chrom", "start", "end", "log2", "baf"):
        np.testing.assert_array_equal(getattr(frame, f), getattr(arrays, f))
    for chrom in ("chr1", "chr13", "chrY", "chrM"):
        rows = arrays.rows_on(chrom)
        np.testing.assert_array_equal(arrays.start[rows], frame.start[frame.rows_on(chrom)])
