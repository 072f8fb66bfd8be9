"""NOTCH1 / FBXW7 / KRAS / NRAS / PTEN status (allstrat.tall.mutations) on hand-built VCFs.

Each VCF is written by :mod:`.vcf_builder` and bgzipped with pysam, then read by the
project's reader (:mod:`allstrat.io.variants`) exactly as the copy-number stage does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from allstrat.copynumber.resources import load_gene_coordinates_grch37
from allstrat.io.gene_table import load_gene_table
from allstrat.io.variants import read_vcf
from allstrat.tall.mutations import (
    DRIVER_GENES,
    DriverMutationSettings,
    call_driver_mutations,
    driver_regions,
    driver_spans,
    driver_summary,
    oncogenetic_class,
    parse_protein_change,
)

from .vcf_builder import Var, build_vcf

ALL_COVERED = dict.fromkeys(DRIVER_GENES, 60)


def _regions(build: str) -> dict:
    t = load_gene_table().table if build == "GRCh38" else load_gene_coordinates_grch37()
    return driver_regions(t)


def _call(path: Path, build: str = "GRCh38", settings: DriverMutationSettings | None = None):
    regions = _regions(build)
    calls = read_vcf(path, samples=["S"], genome_build=build, regions=driver_spans(regions))["S"]
    return call_driver_mutations(
        calls.sites,
        calls.depth_intervals,
        regions=regions,
        build=build,
        annotated=bool(calls.annotation),
        settings=settings,
    )


def _status(res: dict) -> dict[str, str]:
    return {g: r["status"] for g, r in res["genes"].items()}


@pytest.mark.parametrize(
    ("change", "want"),
    [
        ("Leu1594Pro", ("missense", 1594, 1594)),
        ("Gly12=", ("synonymous", 12, 12)),
        ("Gly12Gly", ("synonymous", 12, 12)),
        ("Gln2440Ter", ("nonsense", 2440, 2440)),
        ("Gln2440*", ("nonsense", 2440, 2440)),
        ("Pro2474AlafsTer4", ("frameshift", 2474, 2474)),
        ("Arg465_Gly466del", ("inframe", 465, 466)),
        ("Leu1600delinsProSer", ("inframe", 1600, 1600)),
        ("Ter2556GlnextTer5", ("stop_lost", 2556, 2556)),
        ("?", None),
    ],
)
def test_hgvs_protein_changes_are_classified(change: str, want) -> None:
    assert parse_protein_change(change) == want


def test_reader_keeps_whole_hgvs_and_gene_span_depth(tmp_path: Path) -> None:
    p = build_vcf(tmp_path / "a.vcf.gz", [Var("NOTCH1", "Pro2474AlafsTer4")], blocks={"PTEN": 45})
    regions = _regions("GRCh38")
    c = read_vcf(p, samples=["S"], regions=driver_spans(regions))["S"]
    assert c.annotation == "CSQ"
    assert c.sites["protein"].tolist() == ["NOTCH1:p.Pro2474AlafsTer4"]
    assert ("chr10", 87_958_000, 87_958_999, 45) in c.depth_intervals
    assert ("chr9", 136_500_000, 136_500_000, 45) in c.depth_intervals  # the record itself


def test_every_gene_mutated_and_high_class(tmp_path: Path) -> None:
    """NOTCH1 HD missense, FBXW7 R465C, KRAS G12D, NRAS Q61R, PTEN frameshift."""
    p = build_vcf(
        tmp_path / "all.vcf.gz",
        [Var("NOTCH1", "Leu1594Pro"), Var("FBXW7", "Arg465Cys", alt=12, ref=30),
         Var("KRAS", "Gly12Asp"), Var("NRAS", "Gln61Arg"), Var("PTEN", "Arg233GlufsTer4")],
        blocks=ALL_COVERED,
    )  # fmt: skip
    res = _call(p)
    assert set(_status(res).values()) == {"mutated"}
    fb = res["genes"]["FBXW7"]["variants"][0]
    assert fb["protein"] == "p.Arg465Cys"
    assert fb["vaf"] == pytest.approx(12 / 42, abs=1e-4)
    assert fb["alt_reads"] == 12
    assert fb["depth"] == 42
    assert "R465" in fb["rule"]
    assert "HD domain" in res["genes"]["NOTCH1"]["variants"][0]["rule"]
    assert res["oncogenetic_classifier"]["class"] == "high"
    assert res["oncogenetic_classifier"]["used_by_protocols"] == []
    assert driver_summary(res).startswith("NOTCH1=mutated(p.Leu1594Pro,VAF=0.4444);FBXW7=mutated")


def test_notch1_only_with_covered_ras_pten_is_low(tmp_path: Path) -> None:
    p = build_vcf(tmp_path / "n.vcf.gz", [Var("NOTCH1", "Gln2440Ter")], blocks=ALL_COVERED)
    res = _call(p)
    assert _status(res) == {"NOTCH1": "mutated", "FBXW7": "not_found", "KRAS": "not_found",
                            "NRAS": "not_found", "PTEN": "not_found"}  # fmt: skip
    assert "PEST" in res["genes"]["NOTCH1"]["variants"][0]["rule"]
    assert res["genes"]["KRAS"]["covered_bases"] == 1000
    oc = res["oncogenetic_classifier"]
    assert oc["class"] == "low"
    assert any("PTEN deletions" in c for c in oc["caveats"])


def test_covered_wild_type_notch1_fbxw7_is_high(tmp_path: Path) -> None:
    p = build_vcf(tmp_path / "wt.vcf.gz", [], blocks=ALL_COVERED)
    res = _call(p)
    assert set(_status(res).values()) == {"not_found"}
    assert res["oncogenetic_classifier"]["class"] == "high"


def test_non_qualifying_changes_are_not_counted(tmp_path: Path) -> None:
    """Outside HD, PEST missense, RAS synonymous / other codon, PTEN missense, LowQual."""
    p = build_vcf(
        tmp_path / "nq.vcf.gz",
        [Var("NOTCH1", "Arg912Trp"), Var("NOTCH1", "Pro2450Ser", offset=5),
         Var("KRAS", "Gly12="), Var("KRAS", "Ala146Thr", offset=7),
         Var("NRAS", "Gly12Asp", filt="LowQual"), Var("PTEN", "Arg130Gln"),
         Var("FBXW7", "Arg689Trp")],
        blocks=ALL_COVERED,
    )  # fmt: skip
    res = _call(p)
    assert set(_status(res).values()) == {"not_found"}
    nras = res["genes"]["NRAS"]["candidates_below_thresholds"]
    assert nras[0]["reason"] == "FILTER not PASS"
    # the same PTEN missense counts under pten_rule any_coding
    res2 = _call(p, settings=DriverMutationSettings(pten_rule="any_coding"))
    assert res2["genes"]["PTEN"]["status"] == "mutated"


def test_weak_alt_support_is_not_a_mutation(tmp_path: Path) -> None:
    p = build_vcf(tmp_path / "w.vcf.gz", [Var("KRAS", "Gly13Asp", alt=2, ref=80)],
                  blocks=ALL_COVERED)  # fmt: skip
    res = _call(p)
    k = res["genes"]["KRAS"]
    assert k["status"] == "not_found"
    assert k["candidates_below_thresholds"][0]["status"] == "not_detected"


def test_variants_only_file_mutated_or_not_assessable(tmp_path: Path) -> None:
    """Without gVCF blocks a wild-type gene is not assessable; a mutation is still seen."""
    p = build_vcf(tmp_path / "vo.vcf.gz", [Var("NOTCH1", "Leu1594Pro")])
    res = _call(p)
    st = _status(res)
    assert st["NOTCH1"] == "mutated"
    assert {st[g] for g in ("FBXW7", "KRAS", "NRAS", "PTEN")} == {"not_assessable"}
    assert "variants-only VCF cannot show coverage" in res["genes"]["KRAS"]["reason"]
    assert res["oncogenetic_classifier"]["class"] == "not_assessable"


def test_shallow_blocks_are_not_coverage(tmp_path: Path) -> None:
    p = build_vcf(tmp_path / "sh.vcf.gz", [], blocks=dict.fromkeys(DRIVER_GENES, 8))
    res = _call(p)
    assert set(_status(res).values()) == {"not_assessable"}
    assert res["genes"]["PTEN"]["covered_bases"] == 0


def test_unannotated_file_lists_span_variants(tmp_path: Path) -> None:
    p = build_vcf(tmp_path / "un.vcf.gz", [Var("KRAS", "Gly12Asp")], annotated=False,
                  blocks=ALL_COVERED)  # fmt: skip
    res = _call(p)
    assert set(_status(res).values()) == {"not_assessable_without_annotation"}
    k = res["genes"]["KRAS"]
    assert k["unannotated_variants_in_span"] == ["chr12:25245350 G>T (VAF=0.44, DP=45)"]


def test_grch37_uses_the_grch37_gene_table(tmp_path: Path) -> None:
    p = build_vcf(tmp_path / "g37.vcf.gz", [Var("NRAS", "Gln61Lys")], build="GRCh37",
                  blocks=ALL_COVERED)  # fmt: skip
    res = _call(p, build="GRCh37")
    assert res["genes"]["NRAS"]["status"] == "mutated"
    assert res["genes"]["NRAS"]["region"].startswith("chr1:115247090-")
    assert res["genes"]["KRAS"]["status"] == "not_found"
    assert res["genes"]["KRAS"]["region"].startswith("chr12:25357723-")


def test_missing_gene_coordinates_are_not_assessable() -> None:
    import pandas as pd

    from allstrat.io.variants import VARIANT_COLUMNS

    res = call_driver_mutations(
        pd.DataFrame(columns=list(VARIANT_COLUMNS)), [], regions={}, build="GRCh37",
        annotated=True,
    )  # fmt: skip
    assert res["genes"]["PTEN"] == {
        "status": "not_assessable",
        "reason": "no GRCh37 coordinates for PTEN in the bundled gene table",
    }


@pytest.mark.parametrize(
    ("status", "want"),
    [
        ({"NOTCH1": "mutated", "FBXW7": "not_found", "KRAS": "not_found", "NRAS": "not_found",
          "PTEN": "not_assessable"}, "not_assessable"),
        ({"NOTCH1": "not_found", "FBXW7": "not_assessable", "KRAS": "not_found",
          "NRAS": "not_found", "PTEN": "not_found"}, "not_assessable"),
        ({"NOTCH1": "not_assessable", "FBXW7": "not_assessable", "KRAS": "mutated",
          "NRAS": "not_assessable", "PTEN": "not_assessable"}, "high"),
        ({"NOTCH1": "not_found", "FBXW7": "mutated", "KRAS": "not_found", "NRAS": "not_found",
          "PTEN": "not_found"}, "low"),
    ],
)  # fmt: skip
def test_oncogenetic_class_table(status: dict, want: str) -> None:
    assert oncogenetic_class({g: {"status": s} for g, s in status.items()})["class"] == want
