"""Subtype call vs karyotype / hotspot evidence (allstrat.classify.consistency), rule by rule."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from allstrat.classify.consistency import ConsistencySettings, reconcile_call
from allstrat.copynumber.karyotype import combine_karyotype, dosage_table_from_states
from allstrat.copynumber.resources import AUTOSOMES

RETAINED = ["chr8", "chr10", "chr14", "chr18", "chr21", "chrX"]


def _call(subtype: str, tier: str = "high", decided: str = "expression", flags: str = "") -> dict:
    return {
        "sample_id": "S1",
        "subtype": subtype,
        "confidence_tier": tier,
        "decided_by": decided,
        "qc_flags": flags,
    }


def _cn(
    klass: str,
    *,
    source: str = "RNA",
    masked: str = "not_assessable",
    modal: int | None = None,
    allelic: str = "not_given",
    flags: str = "",
    iamp21: str = "not_assessable",
) -> dict:
    return {
        "sample_id": "S1",
        "cn_source": source,
        "karyotype_class": klass,
        "modal_chromosome_number": "" if modal is None else str(modal),
        "masked_hypodiploidy_warning": masked,
        "iamp21": iamp21,
        "allelic_evidence": allelic,
        "cn_qc_flags": flags,
    }


def _run(call: dict, cn: dict | None, evidence: dict | None = None, decision=None):
    return reconcile_call(call, cn, evidence=evidence, decision=decision)


def test_hyperdiploid_with_heterozygous_gains_is_confirmed() -> None:
    """K1: RNA VCF shows gains heterozygous -> consistent, tier untouched."""
    cn = _cn(
        "high_hyperdiploid", modal=55, allelic="assessed", flags="hyperdiploidy_heterozygous_gains"
    )
    row, rec = _run(_call("Hyperdiploid"), cn)
    assert (row["confidence_tier"], row["decided_by"]) == ("high", "expression")
    assert rec["karyotype"]["verdict"] == "consistent"
    assert rec["karyotype"]["rule"] == "hyperdiploid_heterozygous_gains"
    assert not rec["changed"]


def test_hyperdiploid_with_dna_baf_and_no_masking_is_confirmed() -> None:
    cn = _cn("high_hyperdiploid", source="DNA", masked="no", modal=56)
    row, rec = _run(_call("Hyperdiploid"), cn, {"allelic_dna": {"status": "assessed"}})
    assert rec["karyotype"]["rule"] == "hyperdiploid_heterozygous_gains"
    assert row["confidence_tier"] == "high"


def test_hyperdiploid_call_on_doubled_hypodiploid_is_discordant() -> None:
    """K2: the issue's real near-haploid called Hyperdiploid at tier high."""
    cn = _cn(
        "near_haploid",
        masked="yes",
        modal=28,
        allelic="assessed",
        flags="karyotype_from_allelic_loh;masked_hypodiploidy_allelic",
    )
    row, rec = _run(_call("Hyperdiploid"), cn)
    assert row["subtype"] == "Hyperdiploid"  # the label stays; the disagreement is stated
    assert row["confidence_tier"] == "low"
    assert row["decided_by"] == "rule:subtype_karyotype_discordant"
    assert "subtype_karyotype_discordant" in row["qc_flags"].split(";")
    assert rec["karyotype"]["rule"] == "hyperdiploid_call_masked_hypodiploidy"
    assert rec["before"]["confidence_tier"] == "high"
    assert rec["changed"]


def test_hyperdiploid_call_with_diploid_dna_is_discordant() -> None:
    row, rec = _run(_call("Hyperdiploid", "medium"), _cn("diploid", source="DNA", modal=46))
    assert row["confidence_tier"] == "low"
    assert rec["karyotype"]["rule"] == "hyperdiploid_call_diploid_karyotype"


def test_hyperdiploid_gaining_only_retained_disomies_without_alleles_is_unresolved() -> None:
    """K3: flag masked_hypodiploidy_not_excluded, tier capped at medium."""
    cn = _cn("high_hyperdiploid", modal=52, flags="masked_hypodiploidy_not_excluded")
    row, rec = _run(_call("Hyperdiploid"), cn)
    assert "masked_hypodiploidy_not_excluded" in row["qc_flags"].split(";")
    assert row["confidence_tier"] == "medium"
    assert row["decided_by"] == "expression"
    assert rec["karyotype"]["verdict"] == "unresolved"


def test_hyperdiploid_with_typical_gains_and_no_alleles_agrees() -> None:
    row, rec = _run(_call("Hyperdiploid"), _cn("high_hyperdiploid", modal=55))
    assert rec["karyotype"]["rule"] == "hyperdiploid_karyotype_agrees"
    assert row["confidence_tier"] == "high"
    assert not rec["changed"]


def test_hyperdiploid_with_low_hyperdiploid_count_is_partial() -> None:
    row, rec = _run(_call("Hyperdiploid"), _cn("low_hyperdiploid", modal=49))
    assert rec["karyotype"]["verdict"] == "partial"
    assert row["confidence_tier"] == "medium"


def test_no_karyotype_evidence_changes_nothing() -> None:
    row, rec = _run(_call("Hyperdiploid"), _cn("not_assessable", source="DNA"))
    assert rec["karyotype"]["verdict"] == "not_assessable"
    assert not rec["changed"]
    row, rec = _run(_call("Near haploid"), None)
    assert rec["karyotype"]["verdict"] == "not_assessable"
    assert row["confidence_tier"] == "high"


def test_hypodiploid_calls() -> None:
    """K5/K6: same class, other hypodiploid class, dosage only, alleles contradict."""
    ok = _run(_call("Near haploid"), _cn("near_haploid", source="DNA", modal=27))[1]
    assert ok["karyotype"]["verdict"] == "consistent"
    row, rec = _run(_call("Low hypodiploid"), _cn("near_haploid", source="DNA", modal=30))
    assert (rec["karyotype"]["verdict"], row["confidence_tier"]) == ("partial", "medium")
    row, rec = _run(_call("Near haploid"), _cn("high_hyperdiploid", modal=55))
    assert rec["karyotype"]["verdict"] == "unresolved"
    assert "karyotype_unresolved_without_allele_data" in row["qc_flags"]
    het = _cn(
        "high_hyperdiploid", modal=55, allelic="assessed", flags="hyperdiploidy_heterozygous_gains"
    )
    row, rec = _run(_call("Near haploid"), het)
    assert (rec["karyotype"]["verdict"], row["confidence_tier"]) == ("discordant", "low")


def test_iamp21_rules() -> None:
    """K7: criteria met; RUNX1 gained but < criteria; no chr21 gain; RNA dosage."""
    yes = _run(_call("iAMP21"), _cn("diploid", source="DNA", iamp21="yes"))[1]
    assert yes["karyotype"]["verdict"] == "consistent"
    ev = {"iamp21": {"runx1_max_cn": 4.9}}
    row, rec = _run(_call("iAMP21"), _cn("diploid", source="DNA", iamp21="no"), ev)
    assert (rec["karyotype"]["verdict"], row["confidence_tier"]) == ("partial", "medium")
    ev = {"iamp21": {"runx1_max_cn": 2.0}}
    row, rec = _run(_call("iAMP21"), _cn("diploid", source="DNA", iamp21="no"), ev)
    assert (rec["karyotype"]["verdict"], row["confidence_tier"]) == ("discordant", "low")
    rna = {"rna_dosage": {"regions": {"chr21": {"state": "neutral"}, "chr21q": {"state": "gain"}}}}
    row, rec = _run(_call("iAMP21"), _cn("diploid"), rna)
    assert rec["karyotype"]["verdict"] == "partial"
    assert row["confidence_tier"] == "high"
    flat = {"rna_dosage": {"regions": {"chr21": {"state": "neutral"}}}}
    row, rec = _run(_call("iAMP21"), _cn("diploid"), flat)
    assert (rec["karyotype"]["verdict"], row["confidence_tier"]) == ("unresolved", "medium")


def test_hypodiploid_genome_under_another_expression_call() -> None:
    """K8: the issue's real low hypodiploid called PAX5alt at tier high."""
    cn = _cn("low_hypodiploid", modal=36, allelic="assessed", flags="karyotype_from_allelic_loh")
    row, rec = _run(_call("PAX5alt"), cn)
    assert rec["karyotype"]["verdict"] == "discordant"
    assert (row["confidence_tier"], row["decided_by"]) == (
        "low",
        "rule:hypodiploid_karyotype_other_subtype",
    )
    assert "karyotype_suggests_hypodiploidy" in row["qc_flags"]
    # a fusion-decided call and a dosage-only class are left alone
    assert (
        _run(_call("ETV6::RUNX1", decided="expression+fusion"), cn)[0]["confidence_tier"] == "high"
    )
    assert _run(_call("PAX5alt"), _cn("low_hypodiploid", modal=36))[0]["confidence_tier"] == "high"
    off = ConsistencySettings(hypodiploid_karyotype_checks_other_calls=False)
    assert reconcile_call(_call("PAX5alt"), cn, settings=off)[0]["confidence_tier"] == "high"


def _hot(status: str, **kw) -> dict:
    return {
        "hotspots": {
            "calls": {
                "PAX5 P80R": {"status": status, **kw},
                "IKZF1 N159Y": {"status": "not_assessable", "reason": "x"},
                "ZEB2 H1038R": {"status": "not_assessable", "reason": "x"},
            }
        }
    }


def test_detected_hotspot_clears_mutation_not_assessed_and_lifts_the_cap() -> None:
    """M1: the tier the probability gives comes back (the decision record keeps it)."""
    call = _call("PAX5 P80R", "medium", flags="mutation_not_assessed")
    ev = _hot("detected", vaf=0.41, alt_reads=17, depth=41, matched_by="position_and_allele")
    row, rec = _run(call, _cn("diploid", source="DNA"), ev, {"tier_without_mutation_cap": "high"})
    assert "mutation_not_assessed" not in row["qc_flags"]
    assert (row["confidence_tier"], row["decided_by"]) == ("high", "expression+mutation")
    assert rec["hotspot"]["verdict"] == "consistent"
    assert "VAF 0.41" in rec["hotspot"]["detail"]
    # a QC-capped (low) tier is not lifted
    low = _run(
        _call("PAX5 P80R", "low", flags="mutation_not_assessed;low_tumour_content"),
        None,
        ev,
        {"tier_without_mutation_cap": "low"},
    )[0]
    assert low["confidence_tier"] == "low"
    assert "mutation_not_assessed" not in low["qc_flags"]


def test_covered_site_without_the_variant_caps_the_call() -> None:
    """M2: covered, not found."""
    call = _call("PAX5 P80R", "medium", flags="mutation_not_assessed")
    row, rec = _run(call, None, _hot("not_detected", depth=45))
    assert row["qc_flags"] == "defining_mutation_not_found"
    assert (row["confidence_tier"], row["decided_by"]) == ("low", "rule:mutation_not_found")
    assert "depth 45" in rec["hotspot"]["detail"]


def test_uncovered_site_stays_not_assessed() -> None:
    """M3."""
    call = _call("PAX5 P80R", "medium", flags="mutation_not_assessed")
    row, rec = _run(call, None, _hot("not_assessable", reason="site not in the VCF"))
    assert row["qc_flags"] == "mutation_not_assessed"
    assert row["confidence_tier"] == "medium"
    assert rec["hotspot"]["verdict"] == "not_assessable"
    assert "site not in the VCF" in rec["hotspot"]["detail"]


def test_hotspot_in_another_call_is_flagged() -> None:
    row, rec = _run(_call("PAX5alt"), None, _hot("detected", vaf=0.3))
    assert "defining_mutation_detected_other_call" in row["qc_flags"]
    assert rec["hotspot"]["verdict"] == "unexpected"
    assert row["confidence_tier"] == "high"


def _allelic_hyperdiploid(gains: list[str], loh: list[str]) -> dict:
    chroms = {}
    for c in [*AUTOSOMES, "chrX"]:
        if c in loh:
            r = {"class": "LOH", "allelic_ratio": "0:1"}
        elif c in gains:
            r = {"class": "imbalanced", "allelic_ratio": "1:2"}
        else:
            r = {"class": "heterozygous", "allelic_ratio": "1:1"}
        chroms[c] = r
    return {"status": "assessed", "chromosomes": chroms, "blast_fraction_source": "estimated"}


@settings(max_examples=150, deadline=None)
@given(
    gains=st.lists(st.sampled_from([*AUTOSOMES, "chrX"]), min_size=5, max_size=16, unique=True),
    n_loh=st.integers(0, 3),
    tier=st.sampled_from(["high", "medium", "low"]),
    data=st.data(),
)
def test_true_hyperdiploid_with_heterozygous_gains_keeps_its_call(gains, n_loh, tier, data):
    """Property: gains keep heterozygosity (trisomies 1:2), a few LOH chromosomes (UPD) at
    most: whatever the gained set (also a pure retained-disomy set), the karyotype stage
    plus reconciliation keep a Hyperdiploid call and its tier.
    """
    others = [c for c in AUTOSOMES if c not in gains]
    loh = (
        data.draw(st.lists(st.sampled_from(others), max_size=n_loh, unique=True)) if others else []
    )
    states = {c: 3 if c in gains else 2 for c in [*AUTOSOMES, "chrX"]}
    dosage = dosage_table_from_states(states)
    modal = 46 + len(gains)
    klass = "high_hyperdiploid" if modal >= 51 else "low_hyperdiploid"
    k = combine_karyotype(
        _allelic_hyperdiploid(gains, loh), dosage, dosage_modal=modal, dosage_class=klass
    )
    cn = _cn(
        k.karyotype_class,
        modal=k.modal_number,
        masked=k.masked_warning,
        allelic="assessed",
        flags=";".join(k.flags),
    )
    row, rec = _run(_call("Hyperdiploid", tier), cn)
    assert row["subtype"] == "Hyperdiploid"
    assert row["confidence_tier"] == tier
    assert rec["karyotype"]["verdict"] == "consistent"
    assert "subtype_karyotype_discordant" not in row["qc_flags"]
    assert "masked_hypodiploidy_not_excluded" not in row["qc_flags"]


def test_dna_hyperdiploid_without_baf_gaining_retained_disomies_is_flagged() -> None:
    """The copy-number stage flags DNA segment classes too (allele_evidence._dna)."""
    from allstrat.classify.hotspots import HotspotSettings
    from allstrat.copynumber.allele_evidence import add_allele_evidence
    from allstrat.copynumber.allelic import AllelicSettings
    from allstrat.copynumber.caller import SampleResult
    from allstrat.copynumber.karyotype import KaryotypeSettings
    from allstrat.copynumber.ploidy import PloidyCutoffs

    def res(gained):
        chroms = {c: {"whole_state": 4 if c in gained else 2} for c in [*AUTOSOMES, "chrX"]}
        row = {
            "cn_qc_flags": "",
            "karyotype_class": "high_hyperdiploid",
            "modal_chromosome_number": "52",
        }
        ev = {
            "cn_source": "DNA",
            "ploidy": {"chromosomes": chroms},
            "allelic_dna": {"status": "not_assessable"},
        }
        r = SampleResult(row=row, evidence=ev)
        add_allele_evidence(
            r,
            None,
            genome_build="GRCh38",
            blast_fraction=None,
            allelic_settings=AllelicSettings(),
            karyotype_settings=KaryotypeSettings(),
            hotspot_settings=HotspotSettings(),
            cutoffs=PloidyCutoffs(),
        )
        return r.row["cn_qc_flags"]

    assert "masked_hypodiploidy_not_excluded" in res(RETAINED)
    assert "masked_hypodiploidy_not_excluded" not in res(["chr4", "chr6", "chr10", "chr17"])
