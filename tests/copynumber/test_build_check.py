"""Gene-level genome-build check of variants files (allstrat.copynumber.build_check)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from allstrat.copynumber.build_check import (
    BuildCheckSettings,
    check_build,
    common_gene_spans,
    in_gene_mask,
)
from allstrat.copynumber.resources import load_gene_coordinates_grch37
from allstrat.io.gene_table import load_gene_table
from allstrat.io.variants import read_vcf

HERE = Path(__file__).resolve().parents[1] / "data" / "variants"


@pytest.fixture(scope="module")
def spans() -> dict[str, pd.DataFrame]:
    return common_gene_spans(load_gene_table().table, load_gene_coordinates_grch37())


def _to_grch37(sites: pd.DataFrame) -> pd.DataFrame:
    """Move each site by its gene's GRCh38 -> GRCh37 offset (what liftover does in a gene)."""
    g38 = load_gene_table().table
    g37 = load_gene_coordinates_grch37()
    g38 = g38[g38.index.isin(g37.index) & ~g38.index.duplicated()]
    out = []
    for c, sub in sites.groupby("chrom"):
        g = g38[g38["chrom"] == c].sort_values("start")
        k = np.searchsorted(g["start"].to_numpy(), sub["pos"].to_numpy(), side="right") - 1
        ok = k >= 0
        sym = g.index.to_numpy()[np.maximum(k, 0)]
        inside = ok & (g["end"].to_numpy()[np.maximum(k, 0)] >= sub["pos"].to_numpy())
        shift = g37.loc[sym, "start"].to_numpy() - g["start"].to_numpy()[np.maximum(k, 0)]
        same = g37.loc[sym, "chrom"].to_numpy() == c
        keep = inside & same
        out.append(sub[keep].assign(pos=sub["pos"].to_numpy()[keep] + shift[keep]))
    return pd.concat(out, ignore_index=True)


def test_in_gene_mask_handles_nested_and_overlapping_genes() -> None:
    spans = pd.DataFrame(
        {"chrom": ["chr1"] * 3, "start": [100, 150, 1000], "end": [500, 200, 1100]}
    )
    chrom = pd.Series(["chr1"] * 6 + ["chr2"])
    pos = pd.Series([99, 100, 300, 500, 501, 1050, 300])
    assert in_gene_mask(chrom, pos, spans).tolist() == [
        False, True, True, True, False, True, False,
    ]  # fmt: skip


@pytest.mark.parametrize(
    "name", ["gatk_diploid.vcf.gz", "bcftools_near_haploid.vcf", "strelka2_low_hypodiploid.bcf"]
)
def test_right_build_is_consistent_and_wrong_build_is_suspected(
    name: str, spans: dict[str, pd.DataFrame]
) -> None:
    sites = read_vcf(HERE / name, samples=["S"])["S"].sites
    ok = check_build(sites, "GRCh38", spans=spans)
    assert ok["status"] == "consistent", ok
    assert ok["in_gene_fraction"]["GRCh38"] >= 0.85  # genes of both tables only
    wrong = check_build(sites, "GRCh37", spans=spans)
    assert wrong["status"] == "mismatch_suspected", wrong
    assert wrong["in_gene_fraction"]["GRCh37"] < 0.7
    assert "GRCh38 coordinates" in wrong["message"]


def test_hg19_positions_declared_grch38_are_suspected(spans: dict[str, pd.DataFrame]) -> None:
    """The same sites at their genes' GRCh37 positions: the reverse mismatch is found."""
    sites = _to_grch37(read_vcf(HERE / "gatk_diploid.vcf.gz", samples=["S"])["S"].sites)
    assert len(sites) > 1500
    wrong = check_build(sites, "GRCh38", spans=spans)
    assert wrong["status"] == "mismatch_suspected"
    assert "looks like GRCh37" in wrong["message"]
    assert check_build(sites, "GRCh37", spans=spans)["status"] == "consistent"


def test_few_sites_are_not_checked_and_thresholds_are_settings(
    spans: dict[str, pd.DataFrame],
) -> None:
    sites = read_vcf(HERE / "gatk_diploid.vcf.gz", samples=["S"])["S"].sites
    few = check_build(sites.head(20), "GRCh37", spans=spans)
    assert few["status"] == "not_assessable"
    lax = BuildCheckSettings(max_in_gene_fraction=0.3)
    assert check_build(sites, "GRCh37", spans=spans, settings=lax)["status"] == "consistent"
    # a partly off-gene but right-build file (30 % intergenic calls) is not flagged
    off = sites.head(600).assign(pos=lambda d: d["pos"] + 7_000_000)
    mixed = pd.concat([sites.head(1400), off], ignore_index=True)
    assert check_build(mixed, "GRCh38", spans=spans)["status"] == "consistent"
