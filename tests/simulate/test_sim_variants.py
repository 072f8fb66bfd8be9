"""Simulated RNA VCFs follow the genome: read back with pysam, they show the expected BAF states.

Each test writes the simulator's VCF (the same writer the demo uses), reads it with
``allstrat.io.variants`` and summarises it with ``allstrat.copynumber.allelic`` — the
workflow's own readers and allele module — and compares per-chromosome classes with the
simulated truth segments.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pysam
import pytest

from allstrat.classify.hotspots import call_hotspots, hotspot_positions
from allstrat.copynumber import allelic
from allstrat.io.gene_table import load_gene_table
from allstrat.io.variants import read_variants_for_samples, read_vcf
from allstrat.simulate import simulate_cohort
from allstrat.simulate import variants as sv
from allstrat.simulate.rna_cases import case_context, simulate_case
from allstrat.simulate.writers import write_cohort

AUTOSOMES = [f"chr{i}" for i in range(1, 23)]


@pytest.fixture(scope="module")
def ctx():
    return case_context()


def _whole_states(genome) -> dict[str, tuple[int, int]]:
    """(cn, minor) covering most of each autosome."""
    out = {}
    for c in AUTOSOMES:
        seg = [(e - s, cn, mi) for cc, s, e, cn, mi in genome.segments if cc == c]
        _, cn, mi = max(seg)
        out[c] = (cn, mi)
    return out


def _read_back(tmp_path: Path, case, style: str, suffix: str, **kw) -> pd.DataFrame:
    text = sv.vcf_text(case.sites, sample="S1_RNA", style=style, **kw)
    path = tmp_path / f"s{suffix}"
    sv.write_vcf(path, text, index=True)
    calls = read_vcf(path, samples=["S1"], query=hotspot_positions("GRCh38"))["S1"]
    assert len(calls.sites) == len(case.sites)
    return calls


def _classes(calls, f: float) -> dict[str, str]:
    summary = allelic.summarise_sites(calls.sites, blast_fraction=f)
    assert summary["status"] == "assessed"
    return {c: v["class"] for c, v in summary["chromosomes"].items()}


@pytest.mark.parametrize(
    ("case", "style", "suffix"),
    [
        ("near_haploid", "bcftools", ".vcf.gz"),
        ("doubled_near_haploid", "deepvariant", ".g.vcf.gz"),
        ("low_hypodiploid", "gatk", ".bcf"),
        ("doubled_low_hypodiploid", "strelka2", ".vcf"),
    ],
)
def test_hypodiploid_genomes_read_back_as_loh(ctx, tmp_path, case, style, suffix):
    """Lost (LOH) autosomes read as LOH, retained disomies stay heterozygous, at f = 0.8."""
    c = simulate_case(ctx, case, blast_fraction=0.8, index=0)
    calls = _read_back(tmp_path, c, style, suffix)
    got = _classes(calls, 0.8)
    truth = _whole_states(c.genome)
    loh = [ch for ch, (cn, mi) in truth.items() if mi == 0]
    het = [ch for ch, (cn, mi) in truth.items() if cn == 2 * mi]
    assert len(loh) >= (14 if "near" in case else 7)
    assert sum(got[ch] == "LOH" for ch in loh) >= 0.9 * len(loh), (loh, got)
    assert sum(got[ch] == "heterozygous" for ch in het) >= 0.9 * len(het), (het, got)


def test_high_hyperdiploid_gains_keep_heterozygosity(ctx, tmp_path):
    """Trisomies read as imbalanced (BAF near 1/3 of pure blasts), never genome-wide LOH."""
    c = simulate_case(ctx, "high_hyperdiploid", blast_fraction=0.9, index=0)
    calls = _read_back(tmp_path, c, "gatk", ".vcf.gz", chr_prefix=False)
    summary = allelic.summarise_sites(calls.sites, blast_fraction=0.9)
    truth = _whole_states(c.genome)
    tri = [ch for ch, (cn, mi) in truth.items() if (cn, mi) == (3, 1)]
    assert len(tri) >= 4
    got = summary["chromosomes"]
    assert sum(got[ch]["class"] == "imbalanced" for ch in tri) >= 0.8 * len(tri)
    expected = allelic.expected_minor_fraction(3, 1, 0.9)
    for ch in tri:
        assert abs(got[ch]["median_mirrored_baf"] - expected) < 0.07, (ch, got[ch])
    assert sum(v["class"] == "LOH" for k, v in got.items() if k in AUTOSOMES) <= 2


def test_site_counts_and_depths_are_rna_like(ctx):
    """A few thousand PASS heterozygous sites at depth >= 10, depth tied to expression."""
    c = simulate_case(ctx, "diploid", blast_fraction=0.8, index=1)
    s = c.sites
    het = s[(s["genotype"] == "het") & s["filter_pass"] & (s["depth"] >= 10)]
    assert 2_000 <= len(het) <= 15_000
    assert 15 <= s["depth"].median() <= 120
    assert 0.05 < 1 - s["filter_pass"].mean() < 0.3  # some records fail hard filters
    # sites of highly expressed genes are deeper than those of lowly expressed genes
    genes = load_gene_table().table
    span = genes.loc[c.counts.index]
    on = pd.merge_asof(
        s.sort_values("pos").assign(pos=lambda d: d["pos"].astype(np.int64)),
        span.assign(gene=span.index, start=span["start"].astype(np.int64)).sort_values("start")[
            ["chrom", "start", "gene"]
        ],
        left_on="pos",
        right_on="start",
        by="chrom",
    ).dropna(subset=["gene"])
    level = c.counts.reindex(on["gene"]).to_numpy()
    hi = on["depth"].to_numpy()[level > np.quantile(level, 0.75)]
    lo = on["depth"].to_numpy()[level < np.quantile(level, 0.25)]
    assert np.median(hi) > 3 * np.median(lo)


def test_hotspot_detected_and_coverage_blocks(ctx, tmp_path):
    """A PAX5 P80R sample: P80R detected; gVCF blocks make the others not_detected."""
    c = simulate_case(ctx, "pax5_p80r", blast_fraction=0.9, index=0)
    blocks = sv.hotspot_blocks(c.hotspot_depth, ["PAX5 P80R"])
    calls = _read_back(
        tmp_path, c, "deepvariant", ".g.vcf.gz", annotated=True, reference_blocks=blocks
    )
    hot = call_hotspots(calls.sites, calls.coverage, build="GRCh38")
    assert hot["PAX5 P80R"]["status"] == "detected"
    covered = [k for k, d in c.hotspot_depth.items() if k != "PAX5 P80R" and d >= 20]
    for k in covered:
        assert hot[k]["status"] == "not_detected", hot[k]


def test_index_lets_pysam_fetch_a_region(ctx, tmp_path):
    c = simulate_case(ctx, "diploid", blast_fraction=0.7, index=2)
    path = tmp_path / "x.vcf.gz"
    sv.write_vcf(path, sv.vcf_text(c.sites, sample="X"), index=True)
    assert (tmp_path / "x.vcf.gz.tbi").is_file()
    with pysam.VariantFile(str(path)) as vf:
        n = sum(1 for _ in vf.fetch("chr7"))
    assert n == int((c.sites["chrom"] == "chr7").sum()) > 0


def test_cases_are_deterministic(ctx):
    a = simulate_case(ctx, "near_haploid", blast_fraction=0.5, index=3)
    b = simulate_case(ctx, "near_haploid", blast_fraction=0.5, index=3)
    pd.testing.assert_frame_equal(a.sites, b.sites)


def test_unknown_plan_and_case_are_refused(ctx):
    with pytest.raises(ValueError, match="variants plan"):
        sv.has_variants("some", 0, "DUX4")
    with pytest.raises(ValueError, match="unknown case"):
        simulate_case(ctx, "triploid", blast_fraction=0.5, index=0)


def test_cohort_writes_vcfs_for_some_samples(tmp_path):
    """Demo plan: some samples (not all) get an indexed VCF the sheet names; the workflow's
    reader reads them all; truth records karyotype class and hotspots.
    """
    cohort = simulate_cohort(9, seed=5, variants="demo", class_weights={"PAX5 P80R": 40.0})
    write_cohort(cohort, tmp_path, layout="demo", sheet_prefix="")
    sheet = pd.read_csv(tmp_path / "samples.tsv", sep="\t", dtype=str, keep_default_na=False)
    has = sheet["variants"] != ""
    assert 0 < has.sum() < len(sheet)
    assert set(sheet.loc[has, "variants_format"]) == {"vcf"}
    truth = pd.read_csv(tmp_path / "truth.tsv", sep="\t", dtype=str, keep_default_na=False)
    assert {"karyotype_class", "masked_hypodiploid", "hotspot_mutations"} <= set(truth.columns)
    p80r = truth.loc[truth["subtype"] == "PAX5 P80R", "sample_id"]
    assert len(p80r)
    assert set(p80r) <= set(sheet.loc[has, "sample_id"])
    rows = sheet[has].assign(variants=lambda d: [str(tmp_path / v) for v in d["variants"]])
    calls = read_variants_for_samples(rows, query=hotspot_positions)
    assert set(calls) == set(rows["sample_id"])
    for sid in p80r:
        hot = call_hotspots(calls[sid].sites, calls[sid].coverage, build="GRCh38")
        assert hot["PAX5 P80R"]["status"] == "detected"
    again = tmp_path / "again"
    write_cohort(cohort, again, layout="demo", sheet_prefix="")
    for v in sheet.loc[has, "variants"]:
        assert (tmp_path / v).read_bytes() == (again / v).read_bytes()


def test_demo_sheet_names_vcfs_for_some_samples(root):
    sheet = pd.read_csv(root / "config" / "samples.tsv", sep="\t", dtype=str, keep_default_na=False)
    has = sheet["variants"] != ""
    assert 0 < has.sum() < len(sheet)
    exts = {Path(v).name.split(".", 2)[-1] for v in sheet.loc[has, "variants"]}
    assert {"vcf.gz", "vcf", "bcf"} <= exts | {e.split(".", 1)[-1] for e in exts}


def test_mlpa_sample_with_vcf_gets_allelic_karyotype(ctx, tmp_path):
    """MLPA measures no ploidy: a near-haploid sample's VCF alone gives its class."""
    from allstrat.copynumber import CopyNumberSettings, call_from_mlpa
    from allstrat.copynumber.allele_evidence import add_allele_evidence
    from allstrat.copynumber.resources import load_chromosomes

    genes = load_gene_table().table
    rows = []
    for gene in ("IKZF1", "CDKN2A", "PAX5", "ETV6", "RB1"):
        g = genes.loc[gene]
        for k in (1, 2, 3):
            pos = int(g["start"]) + k * (int(g["end"]) - int(g["start"])) // 4
            rows.append({"sample_id": "M1", "probe": f"{gene}-{k}", "gene": gene,
                         "exon": str(k) if gene == "IKZF1" else "", "ratio": 1.0,
                         "chrom": g["chrom"], "position": pos})  # fmt: skip
    s = CopyNumberSettings()
    res = call_from_mlpa(pd.DataFrame(rows), sample_id="M1", genes=genes, blast_fraction=0.8)
    assert res.row["karyotype_class"] == "not_assessable"
    c = simulate_case(ctx, "near_haploid", blast_fraction=0.8, index=4)
    calls = _read_back(tmp_path, c, "gatk", ".vcf.gz")
    add_allele_evidence(
        res,
        calls,
        genome_build="GRCh38",
        blast_fraction=0.8,
        allelic_settings=s.allelic,
        karyotype_settings=s.karyotype,
        hotspot_settings=s.hotspots,
        cutoffs=s.ploidy,
        chromosomes=load_chromosomes(),
    )
    assert res.row["karyotype_class"] == "near_haploid"
    assert 24 <= int(res.row["modal_chromosome_number"]) <= 31
    assert "karyotype_from_allelic_loh" in res.row["cn_qc_flags"]
