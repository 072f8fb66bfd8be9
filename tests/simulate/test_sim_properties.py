"""Property tests of the genome model and honesty checks (hard cases stay hard)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from allstrat.simulate.genome import (
    CHROM_LENGTHS,
    TELOMERE,
    _base_segments,
    _del_het,
    _set_region,
    copy_number_at,
)

chrom7 = CHROM_LENGTHS["chr7"]


@settings(max_examples=60, deadline=None)
@given(
    edits=st.lists(
        st.tuples(
            st.integers(1, chrom7),
            st.integers(1, 5_000_000),
            st.sampled_from(["del", "gain"]),
        ),
        min_size=1,
        max_size=6,
    ),
    sex=st.sampled_from(["M", "F"]),
)
def test_region_edits_keep_segments_tiled_and_apply_copy_number(edits, sex):
    segs = _base_segments(sex)
    for start, length, kind in edits:
        end = min(start + length, chrom7)
        fn = _del_het if kind == "del" else (lambda cn, mi: (cn + 1, mi))
        before = copy_number_at(
            [("chr7", *s) for s in segs["chr7"]], np.array(["chr7"]), np.array([start])
        )[0]
        _set_region(segs, "chr7", start, end, fn)
        s = np.array(segs["chr7"])
        assert s[0, 0] == TELOMERE + 1
        assert s[-1, 1] == chrom7 - TELOMERE
        assert (s[1:, 0] == s[:-1, 1] + 1).all()  # contiguous, no overlap
        assert (s[:, 2] >= 0).all()
        assert (s[:, 3] <= s[:, 2]).all()  # minor copies never exceed the total
        if TELOMERE < start <= chrom7 - TELOMERE:
            after = copy_number_at(
                [("chr7", *x) for x in segs["chr7"]], np.array(["chr7"]), np.array([start])
            )[0]
            assert after == (max(before - 1, 0) if kind == "del" else before + 1)


def test_ph_like_and_bcr_abl1_overlap_in_expression(uniform_cohort):
    """Ph vs Ph-like must not be separable by the shared Ph programme (MARKERS.md)."""
    counts = uniform_cohort.counts
    lc = np.log2(counts / counts.sum(axis=0) * 1e6 + 1)
    genes = ["MUC4", "CA6", "NRXN3", "SPATS2L"]
    score = lc.loc[genes].mean(axis=0)
    sub = uniform_cohort.truth["subtype"].to_numpy()
    ph, phl = score[sub == "BCR::ABL1"], score[sub == "Ph-like"]
    other = score[(sub != "BCR::ABL1") & (sub != "Ph-like")]
    gap_group = min(ph.mean(), phl.mean()) - other.mean()
    assert gap_group > 0.5  # the Ph group is distinct from other B-ALL ...
    pooled_sd = np.sqrt((ph.var() + phl.var()) / 2)
    assert abs(ph.mean() - phl.mean()) < pooled_sd  # ... but Ph vs Ph-like overlaps


def test_low_blast_fraction_dilutes_the_programme(uniform_cohort):
    counts = uniform_cohort.counts
    lc = np.log2(counts / counts.sum(axis=0) * 1e6 + 1)
    t = uniform_cohort.truth
    tall = (t["subtype"] == "T-ALL").to_numpy()
    f = t["blast_fraction"].to_numpy()
    cd3 = lc.loc["CD3E"].to_numpy()
    hi, lo = tall & (f > 0.8), tall & (f < 0.6)
    if lo.sum() >= 1 and hi.sum() >= 3:
        assert cd3[lo].mean() < cd3[hi].mean()
    # normal-marrow genes rise as blasts fall
    mpo = lc.loc["HBB"].to_numpy()
    assert np.corrcoef(f, mpo)[0, 1] < -0.3
