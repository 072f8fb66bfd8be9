"""Hotspot mutations from variant calls (allstrat.classify.hotspots)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from allstrat.classify.hotspots import call_hotspots, hotspot_positions
from allstrat.io.variants import VARIANT_COLUMNS, read_vcf

HERE = Path(__file__).resolve().parents[1] / "data" / "variants"


def _site(chrom: str, pos: int, ref: str, alt: str, r: int, a: int, protein: str = "") -> dict:
    return {"chrom": chrom, "pos": pos, "ref": ref, "alt": alt, "n_alt": 1, "is_snv": True,
            "genotype": "het", "ref_count": r, "alt_count": a, "depth": r + a, "gq": 50.0,
            "filter_pass": True, "somatic": False, "protein": protein}  # fmt: skip


def test_gvcf_fixture_detected_not_detected_not_assessable() -> None:
    c = read_vcf(HERE / "deepvariant_doubled.g.vcf.gz", samples=["S"],
                 query=hotspot_positions("GRCh38"))["S"]  # fmt: skip
    h = call_hotspots(c.sites, c.coverage, build="GRCh38")
    assert h["PAX5 P80R"]["status"] == "detected"
    assert h["PAX5 P80R"]["matched_by"] == "position_and_allele"
    assert h["IKZF1 N159Y"] == {**h["IKZF1 N159Y"], "status": "not_detected", "depth": 42}
    assert h["ZEB2 H1038R"]["status"] == "not_assessable"


def test_wrong_allele_and_shallow_sites() -> None:
    sites = pd.DataFrame(
        [
            _site("chr9", 37_015_168, "G", "T", 20, 15),  # other allele: not P80R
            _site("chr7", 50_382_593, "A", "T", 8, 2),  # too few ALT reads and shallow
        ],
        columns=list(VARIANT_COLUMNS),
    )
    cov = {("chr9", 37_015_168): 35, ("chr7", 50_382_593): 10}
    h = call_hotspots(sites, cov, build="GRCh38")
    assert (h["PAX5 P80R"]["status"], h["PAX5 P80R"]["depth"]) == ("not_detected", 35)
    assert h["IKZF1 N159Y"]["status"] == "not_assessable"


def test_grch37_only_by_annotation_else_not_assessable() -> None:
    """No GRCh37 coordinates from a source: a CSQ annotation can still show a mutation."""
    sites = pd.DataFrame(
        [_site("chr9", 36_999_999, "G", "C", 12, 10, "PAX5:p.Pro80Arg")],
        columns=list(VARIANT_COLUMNS),
    )
    h = call_hotspots(sites, {}, build="GRCh37")
    assert (h["PAX5 P80R"]["status"], h["PAX5 P80R"]["matched_by"]) == (
        "detected",
        "protein_annotation",
    )
    assert h["IKZF1 N159Y"]["status"] == "not_assessable"
    assert "GRCh37" in h["IKZF1 N159Y"]["reason"]
    assert hotspot_positions("GRCh37") == {}
