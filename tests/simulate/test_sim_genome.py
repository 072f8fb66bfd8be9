"""Copy-number part of the simulator: lesion frequencies, segment layout, purity
dilution, MLPA ratios, hypodiploid/iAMP21 patterns, clinical and MRD realism.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from allstrat.simulate import simulate_cohort
from allstrat.simulate.design import label_weights
from allstrat.simulate.genome import CHROM_LENGTHS, LESION_RATES, TELOMERE


@pytest.fixture(scope="module")
def big():
    """1,500 samples with realistic frequencies, no expression (fast)."""
    return simulate_cohort(1500, seed=21, with_expression=False)


@pytest.mark.parametrize("lesion", ["IKZF1", "CDKN2A/B", "PAX5", "ETV6", "RB1", "ERG", "PAR1"])
def test_focal_lesion_frequencies_match_configuration(big, lesion):
    w = label_weights("realistic")
    rates = LESION_RATES[lesion]
    expected = sum(p * rates.get(k, rates["default"]) for k, p in w.items())
    has = big.truth["lesions"].str.contains(f"{lesion}:", regex=False)
    if lesion == "PAR1":  # CRLF2-r Ph-like with P2RY8::CRLF2 force a PAR1 deletion too
        ph = w["Ph-like"] * 0.5 * 0.5
        expected = expected + ph * (1 - rates.get("Ph-like", rates["default"]))
    n = len(big.truth)
    se = np.sqrt(expected * (1 - expected) / n)
    assert abs(has.mean() - expected) < 4 * se + 0.005, (has.mean(), expected)


def test_overall_rates_near_published(big):
    t = big.truth
    deleted = ("deleted", "homozygous_deleted")
    # DOMAIN.md §2: IKZF1 ~15% of BCP-ALL; CDKN2A/B 28%, PAX5 19%, ETV6 22% (P335, S27)
    b = t[t["lineage"] == "B"]
    assert 0.10 < b["ikzf1_status"].isin(deleted).mean() < 0.22
    cdkn = b["cdkn2a_status"].isin(deleted) | b["cdkn2b_status"].isin(deleted)
    assert 0.18 < cdkn.mean() < 0.38
    assert 0.12 < b["pax5_status"].isin(deleted).mean() < 0.28
    assert 0.12 < b["etv6_status"].isin(deleted).mean() < 0.3
    ph = t[t["subtype"] == "BCR::ABL1"]
    assert ph["ikzf1_status"].isin(deleted).mean() > 0.5
    dux = t[t["subtype"] == "DUX4"]
    assert 0.3 < (dux["erg_status"] == "deleted").mean() < 0.7
    types = t.loc[t["lesions"].str.contains("IKZF1:"), "ikzf1_deletion_type"].value_counts(
        normalize=True
    )
    assert types.index[0] in ("Δ4–7", "whole gene (Δ1–8)")


def test_segments_tile_each_chromosome(big):
    seg = big.segments
    for sid in big.truth["sample_id"].iloc[:40]:
        s = seg[seg["sample_id"] == sid]
        sex = big.truth.set_index("sample_id").loc[sid, "sex"]
        for c, grp in s.groupby("chrom", sort=False):
            starts, ends = grp["start"].to_numpy(), grp["end"].to_numpy()
            assert (starts[1:] == ends[:-1] + 1).all(), (sid, c)
            assert ends[-1] == CHROM_LENGTHS[c] - TELOMERE
        if sex == "F":
            assert "chrY" not in set(s["chrom"])


def test_heterozygous_deletion_is_diluted_by_blast_fraction(big):
    t = big.truth.set_index("sample_id")
    seg = big.segments
    het = seg[(seg["cn"] == 1) & (seg["normal_cn"] == 2) & (seg["n_probes"] >= 200)]
    f = t.loc[het["sample_id"], "blast_fraction"].to_numpy()
    expected = np.log2(1 - f / 2)
    diploid_kt = t.loc[het["sample_id"], "karyotype_class"].isin(["diploid"]).to_numpy()
    err = (het["log2"].to_numpy() - expected)[diploid_kt]
    assert len(err) > 20
    assert abs(np.median(err)) < 0.05
    assert np.abs(err).max() < 0.3


def test_mlpa_ratios_follow_one_minus_half_f(big):
    t = big.truth.set_index("sample_id")
    ml = big.mlpa
    ik = t[t["ikzf1_deletion_type"] == "Δ4–7"].index
    assert len(ik) > 5
    for sid in ik[:10]:
        s = ml[(ml["sample_id"] == sid) & (ml["gene"] == "IKZF1")].set_index("exon")["ratio"]
        f = t.loc[sid, "blast_fraction"]
        hom = "homozygous" in t.loc[sid, "lesions"].split("IKZF1:")[1].split(";")[0]
        inner = s.loc[["4", "5", "6", "7"]].mean()
        outer = s.loc[["1", "2", "3", "8"]].mean()
        assert abs(inner - ((1 - f) if hom else (1 - f / 2))) < 0.15
        assert abs(outer - 1.0) < 0.15
    # ERG probes only for part of the samples (second kit), never absent P335 probes
    per = ml.groupby("sample_id")["gene"].apply(lambda g: "ERG" in set(g))
    assert 0.3 < per.mean() < 0.9
    assert (ml.groupby("sample_id")["probe"].size() >= 40).all()


def test_hyperdiploid_and_hypodiploid_karyotypes(big):
    u = simulate_cohort(
        300,
        seed=5,
        with_expression=False,
        class_weights={"Hyperdiploid": 1, "Near haploid": 40, "Low hypodiploid": 60, "iAMP21": 20},
    )
    t = u.truth
    heh = t[t["subtype"] == "Hyperdiploid"]
    assert heh["modal_number"].between(51, 67).all()
    assert (heh["favourable_trisomies"] != "").mean() > 0.8
    nh = t[(t["subtype"] == "Near haploid") & (t["masked_hypodiploid"] == "no")]
    assert nh["modal_number"].between(24, 31).all()
    lh = t[(t["subtype"] == "Low hypodiploid") & (t["masked_hypodiploid"] == "no")]
    assert lh["modal_number"].between(32, 39).all()
    masked = t[t["masked_hypodiploid"] == "yes"]
    assert len(masked) > 5
    assert masked["modal_number"].between(48, 80).all()
    # masked clones: genome-wide LOH visible in BAF (mirrored minor-allele fraction)
    seg = u.segments
    for sid in masked["sample_id"]:
        s = seg[(seg["sample_id"] == sid) & (seg["normal_cn"] == 2) & (seg["n_probes"] > 1000)]
        f = t.set_index("sample_id").loc[sid, "blast_fraction"]
        if f > 0.7:
            assert (s["baf"] < 0.35).mean() > 0.25  # low hypodiploid: >= 7 of 22 lost
    iamp = t[t["subtype"] == "iAMP21"]
    assert len(iamp) > 3
    for sid in iamp["sample_id"]:
        s = seg[(seg["sample_id"] == sid) & (seg["chrom"] == "chr21")]
        runx1 = s[(s["start"] <= 36_000_000) & (s["end"] >= 36_000_000)]
        assert int(runx1["cn"].iloc[0]) >= 5


def test_ikzf1plus_truth_follows_the_rule(big):
    t = big.truth
    deleted = ("deleted", "homozygous_deleted")
    rule = (
        t["ikzf1_status"].isin(deleted)
        & ~t["erg_status"].isin(deleted)
        & (
            (t["cdkn2a_status"] == "homozygous_deleted")
            | (t["cdkn2b_status"] == "homozygous_deleted")
            | t["pax5_status"].isin(deleted)
            | t["par1_status"].isin(deleted)
        )
    )
    assert ((t["ikzf1plus"] == "positive") == rule).all()
    assert 0.02 < rule.mean() < 0.12


def test_clinical_distributions_per_subtype():
    u = simulate_cohort(440, seed=9, subtype_balance="uniform", with_expression=False)
    clin = u.clinical.merge(u.truth[["sample_id", "subtype"]], on="sample_id")
    age = pd.to_numeric(clin["age_years"], errors="coerce")
    wbc = pd.to_numeric(clin["wbc_1e9_per_l"], errors="coerce")
    by = clin["subtype"]
    assert (age[by == "KMT2A"] < 1).mean() > 0.25
    assert (age[by != "KMT2A"] < 1).mean() == 0
    assert 7 <= age[by == "iAMP21"].median() <= 11
    assert wbc[by == "T-ALL"].median() > 3 * wbc[by == "ETV6::RUNX1"].median()
    assert (clin["immunophenotype"][by == "T-ALL"].isin(["T", ""])).all()
    assert (clin == "").to_numpy().any()  # explicit missing values exist
    mrd = u.mrd.merge(u.truth[["sample_id", "subtype"]], on="sample_id")
    eoi = mrd[(mrd["day"].isin(["29", "33"]))]
    neg = eoi.groupby("subtype")["value"].apply(lambda v: (v == "negative").mean())
    assert neg["ETV6::RUNX1"] > neg["DUX4"]
    assert set(mrd["tissue"]) == {"BM", "PB"}
