"""VCF/BCF reader (allstrat.io.variants) on caller-style fixtures and broken files."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest

from allstrat.errors import InputError
from allstrat.io.variants import VARIANT_COLUMNS, read_variants, read_variants_for_samples, read_vcf

HERE = Path(__file__).resolve().parents[1] / "data" / "variants"
HOT = {"chr7": [50_382_593], "chr9": [37_015_168], "chr2": [144_389_983]}


@pytest.mark.parametrize(
    ("name", "sample", "caller"),
    [
        ("gatk_diploid.vcf.gz", "PT1_RNA", "GATK HaplotypeCaller"),
        ("bcftools_near_haploid.vcf", "PT2_RNA", "bcftools"),
        ("deepvariant_doubled.g.vcf.gz", "PT3_RNA", "DeepVariant"),
        ("strelka2_hyperdiploid.vcf.gz", "PT4_RNA", "Strelka2 germline"),
        ("strelka2_low_hypodiploid.bcf", "PT5_RNA", "Strelka2 germline"),
    ],
)
def test_every_caller_style_is_read(name: str, sample: str, caller: str) -> None:
    """Each caller's layout gives the column contract, chr-named contigs, sane counts."""
    calls = read_vcf(HERE / name, samples=["S1"])["S1"]
    assert calls.vcf_sample == sample  # single-sample file: its column need not match
    assert calls.caller == caller
    s = calls.sites
    assert list(s.columns) == list(VARIANT_COLUMNS)
    assert len(s) > 1000
    assert set(s["chrom"]) <= {f"chr{i}" for i in [*range(1, 23), "X", "Y"]}
    assert (s["depth"] >= s["ref_count"] + s["alt_count"]).all()
    assert set(s["genotype"]) <= {"het", "hom_alt"}
    assert (
        s["pos"].is_monotonic_increasing
        or s.groupby("chrom")["pos"].apply(lambda x: x.is_monotonic_increasing).all()
    )


def test_bare_and_chr_contig_names_are_the_same_chromosomes() -> None:
    """Bcftools fixture uses '1'..'22','X'; it reads as chr1..chrX."""
    s = read_vcf(HERE / "bcftools_near_haploid.vcf", samples=["S"])["S"].sites
    assert "chr1" in set(s["chrom"])
    assert "1" not in set(s["chrom"])


def test_multisample_selects_sheet_column_and_explicit_name() -> None:
    """The sheet's sample_id picks the column; variants_sample overrides it."""
    got = read_vcf(HERE / "multisample.vcf.gz", samples=["PT1_RNA", "PT2_RNA"])
    assert got["PT1_RNA"].vcf_sample == "PT1_RNA"
    assert got["PT2_RNA"].vcf_sample == "PT2_RNA"
    # missing genotypes (./.) of the other sample's private sites are skipped
    assert len(got["PT1_RNA"].sites) != len(got["PT2_RNA"].sites)
    alias = read_vcf(HERE / "multisample.vcf.gz", samples=["X"], columns={"X": "PT2_RNA"})
    pd.testing.assert_frame_equal(alias["X"].sites, got["PT2_RNA"].sites)


def test_multisample_without_sheet_sample_names_the_file_and_samples() -> None:
    with pytest.raises(InputError, match=r"multisample\.vcf\.gz.*PT7.*PT1_RNA, PT2_RNA"):
        read_vcf(HERE / "multisample.vcf.gz", samples=["PT7"])


def test_gvcf_blocks_and_records_give_depth_at_queried_sites() -> None:
    """DeepVariant gVCF: a <*> block covers IKZF1 N159Y (MIN_DP 42); PAX5 record depth."""
    c = read_vcf(HERE / "deepvariant_doubled.g.vcf.gz", samples=["S"], query=HOT)["S"]
    assert c.coverage[("chr7", 50_382_593)] == 42
    assert ("chr2", 144_389_983) not in c.coverage
    pax5 = c.sites[(c.sites["chrom"] == "chr9") & (c.sites["pos"] == 37_015_168)]
    assert pax5["protein"].iloc[0] == "PAX5:p.Pro80Arg"
    assert c.coverage[("chr9", 37_015_168)] == int(pax5["depth"].iloc[0])


def test_somatic_caller_file_marks_every_record_somatic() -> None:
    c = read_vcf(HERE / "mutect2_somatic_only.vcf", samples=["T"], columns={"T": "PT9_T"})["T"]
    assert c.somatic_file
    assert c.sites["somatic"].all()
    assert len(c.sites) == 8
    assert c.caller == "GATK Mutect2"


def _text(name: str) -> str:
    p = HERE / name
    return gzip.open(p, "rt").read() if name.endswith(".gz") else p.read_text()


def test_missing_ad_is_refused(tmp_path: Path) -> None:
    t = _text("gatk_diploid.vcf.gz").replace("GT:AD:DP:GQ:PL", "GT:DP:GQ:PL")
    lines = []
    for line in t.splitlines():
        if line.startswith("##FORMAT=<ID=AD"):
            continue
        if not line.startswith("#"):
            f = line.split("\t")
            v = f[9].split(":")
            f[9] = ":".join([v[0], *v[2:]])
            line = "\t".join(f)
        lines.append(line)
    p = tmp_path / "no_ad.vcf"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"no_ad\.vcf, line 1: .*FORMAT/AD"):
        read_vcf(p, samples=["S"])


def test_bcftools_without_ad_falls_back_to_dp4(tmp_path: Path) -> None:
    """Single-sample bcftools output without FORMAT/AD: INFO/DP4 gives the counts."""
    t = _text("bcftools_near_haploid.vcf")
    out = []
    for line in t.splitlines():
        if line.startswith("##FORMAT=<ID=AD"):
            continue
        if not line.startswith("#"):
            f = line.split("\t")
            f[8] = "GT:PL:DP"
            f[9] = ":".join(f[9].split(":")[:3])
            line = "\t".join(f)
        out.append(line)
    p = tmp_path / "dp4.vcf"
    p.write_text("\n".join(out) + "\n")
    a = read_vcf(p, samples=["S"])["S"]
    b = read_vcf(HERE / "bcftools_near_haploid.vcf", samples=["S"])["S"]
    assert a.counts_from == "DP4"
    assert (a.sites["alt_count"].to_numpy() == b.sites["alt_count"].to_numpy()).all()


def test_missing_gt_is_refused(tmp_path: Path) -> None:
    t = _text("bcftools_near_haploid.vcf")
    p = tmp_path / "no_gt.vcf"
    p.write_text("".join(x + "\n" for x in t.splitlines() if "ID=GT," not in x).replace(
        "GT:PL:DP:AD", "PL:DP:AD").replace("\t0/1:", "\t").replace("\t1/1:", "\t"))  # fmt: skip
    with pytest.raises(InputError, match=r"no_gt\.vcf, line 1: .*FORMAT/GT"):
        read_vcf(p, samples=["S"])


def test_truncated_bgzip_is_refused(tmp_path: Path) -> None:
    data = (HERE / "gatk_diploid.vcf.gz").read_bytes()
    p = tmp_path / "cut.vcf.gz"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"cut\.vcf\.gz: .*truncated or corrupt"):
        read_vcf(p, samples=["S"])


def test_unsorted_records_name_the_record(tmp_path: Path) -> None:
    lines = _text("bcftools_near_haploid.vcf").splitlines()
    body = [i for i, x in enumerate(lines) if not x.startswith("#")]
    lines[body[5]], lines[body[6]] = lines[body[6]], lines[body[5]]
    p = tmp_path / "unsorted.vcf"
    p.write_text("\n".join(lines) + "\n")
    line = len([x for x in lines if x.startswith("#")]) + 7
    with pytest.raises(InputError, match=rf"unsorted\.vcf, line {line}: .*not sorted: record 7 "):
        read_vcf(p, samples=["S"])


def test_contig_revisited_is_unsorted(tmp_path: Path) -> None:
    lines = _text("bcftools_near_haploid.vcf").splitlines()
    head = [x for x in lines if x.startswith("#")]
    body = [x for x in lines if not x.startswith("#")]
    chr1 = [x for x in body if x.startswith("1\t")]
    rest = [x for x in body if not x.startswith("1\t")]
    p = tmp_path / "revisit.vcf"
    p.write_text("\n".join([*head, *chr1[:3], *rest[:3], *chr1[3:6]]) + "\n")
    with pytest.raises(InputError, match=r"returns to contig 1 after other contigs"):
        read_vcf(p, samples=["S"])


def test_not_a_vcf_and_missing_file(tmp_path: Path) -> None:
    p = tmp_path / "x.vcf"
    p.write_text("sample\tgene\n")
    with pytest.raises(InputError, match=r"x\.vcf, line 1: .*expected .##fileformat=VCF"):
        read_vcf(p, samples=["S"])
    with pytest.raises(InputError, match="not found"):
        read_vcf(tmp_path / "nope.vcf", samples=["S"])
    with pytest.raises(InputError, match="unknown variants format 'maf'"):
        read_variants(p, "maf", samples=["S"])


def test_read_for_samples_reads_each_file_once(tmp_path: Path) -> None:
    shutil.copy(HERE / "multisample.vcf.gz", tmp_path / "m.vcf.gz")
    rows = pd.DataFrame(
        {
            "sample_id": ["PT1_RNA", "B", "C"],
            "variants": [str(tmp_path / "m.vcf.gz")] * 2 + [""],
            "variants_format": ["vcf", "vcf", ""],
            "variants_sample": ["", "PT2_RNA", ""],
            "genome_build": ["GRCh38", "GRCh38", ""],
        }
    )
    got = read_variants_for_samples(rows)
    assert set(got) == {"PT1_RNA", "B"}
    assert got["B"].vcf_sample == "PT2_RNA"
