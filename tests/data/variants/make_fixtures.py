"""Write the hand-specified RNA-seq VCF fixtures of tests/data/variants (deterministic).

Each fixture is a genome whose copy-number / LOH state per chromosome is written out
below (not drawn at random), rendered by :mod:`allstrat.simulate.variants` in one
caller's header / FORMAT style:

* ``gatk_diploid.vcf.gz`` — GATK HaplotypeCaller (GT:AD:DP:GQ:PL), heterozygous diploid
  genome, blast fraction 0.9, 2,000 candidate SNVs, ``chr`` contig names.
* ``bcftools_near_haploid.vcf`` — bcftools call (GT:PL:DP:AD, INFO/DP4), plain text,
  ``1``-style contig names; near-haploid (26 chromosomes: disomies 8, 10, 14, 18, 21
  and X retained, every other chromosome one copy = LOH), blast fraction 0.95.
* ``deepvariant_doubled.g.vcf.gz`` — DeepVariant gVCF (GT:GQ:DP:AD:VAF:PL plus ``<*>``
  reference blocks with MIN_DP): the same near-haploid genome doubled (52 chromosomes:
  retained disomies now 2:2 tetrasomies, others 0:2), f 0.85; carries PAX5 p.P80R
  (VEP ``CSQ``) and a reference block covering IKZF1 N159Y (MIN_DP 42); ZEB2 H1038R
  is not covered.
* ``strelka2_hyperdiploid.vcf.gz`` — Strelka2 germline (GT:GQ:GQX:DP:DPF:AD:ADF:ADR:SB:PL)
  high hyperdiploid 55: +4 +6 +10 +14 +17 +18 +X (1:2) and +21 +21 (2:2), f 0.9.
* ``strelka2_low_hypodiploid.bcf`` — BCF, low hypodiploid 36 (losses of 3, 4, 7, 12, 13,
  15, 16, 17, 20, 22 → LOH), f 0.8.
* ``multisample.vcf.gz`` — two samples (``PT1_RNA`` diploid, ``PT2_RNA`` near haploid)
  in one GATK joint-called file.
* ``mutect2_somatic_only.vcf`` — a Mutect2 tumour/normal file with eight somatic calls
  and no germline sites.

Usage: ``python tests/data/variants/make_fixtures.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from allstrat.io.gene_table import load_gene_table
from allstrat.simulate import variants as sv
from allstrat.simulate.genome import CHROM_LENGTHS, Genome

HERE = Path(__file__).resolve().parent
AUTOS = [f"chr{i}" for i in range(1, 23)]
RETAINED = ("chr8", "chr10", "chr14", "chr18", "chr21")


def genome(states: dict[str, tuple[int, int]], sex: str = "F") -> Genome:
    """Whole-chromosome (cn, minor) states; unspecified chromosomes are 2:1 (X: 2:1, Y absent)."""
    segs = []
    for c, n in CHROM_LENGTHS.items():
        if c == "chrY" and sex == "F":
            continue
        cn, mi = states.get(c, (2, 1) if c != "chrY" else (1, 0))
        segs.append((c, 10_001, n - 10_000, cn, mi))
    return Genome(sex=sex, segments=segs, karyotype_class="", modal_number=0)


def near_haploid(doubled: bool = False) -> Genome:
    """26,X + disomies 8, 10, 14, 18, 21, X (doubled: x2)."""
    k = 2 if doubled else 1
    st = {c: (k, 0) for c in AUTOS if c not in RETAINED}
    st.update(dict.fromkeys(RETAINED, (2 * k, k)))
    st["chrX"] = (2 * k, k)
    return genome(st)


def sites(g: Genome, seed: int, f: float, n: int = 2000, hotspots=()):
    """Simulated caller output for genome ``g``."""
    rng = np.random.default_rng(seed)
    genes = load_gene_table().table
    return sv.simulate_sites(rng, g, genes, blast_fraction=f, n_sites=n, hotspots=hotspots)


def multisample(a, b, names: tuple[str, str]) -> str:
    """Join two sites tables into one GATK-style joint VCF (missing = ./.)."""
    ta = sv.vcf_text(a, sample=names[0], style="gatk").splitlines(keepends=True)
    tb = sv.vcf_text(b, sample=names[1], style="gatk").splitlines(keepends=True)
    head = [x for x in ta if x.startswith("##")]
    head.append(ta[len(head)].rstrip("\n") + f"\t{names[1]}\n")
    recs: dict[tuple[int, int], list[str]] = {}
    order = {c: i for i, c in enumerate(CHROM_LENGTHS)}
    for which, lines in ((0, ta), (1, tb)):
        for line in lines:
            if line.startswith("#"):
                continue
            f = line.rstrip("\n").split("\t")
            key = (order[f[0]], int(f[1]))
            if key in recs:
                recs[key][9 + which] = f[9]
                continue
            f = [*f[:9], "./.:.:.:.:.", "./.:.:.:.:."]
            f[9 + which] = line.rstrip("\n").split("\t")[9]
            recs[key] = f
    return "".join(head) + "".join("\t".join(recs[k]) + "\n" for k in sorted(recs))


MUTECT2 = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles">
##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate alleles">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##GATKCommandLine=<ID=Mutect2,CommandLine="Mutect2 -normal PT9_N",Version="4.4.0.0">
##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
##INFO=<ID=TLOD,Number=A,Type=Float,Description="Log 10 likelihood ratio score of variant">
{contigs}##normal_sample=PT9_N
##source=Mutect2
##tumor_sample=PT9_T
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO	FORMAT	PT9_N	PT9_T
"""
SOMATIC = [
    ("chr1", 11_794_400, "C", "T", (40, 0), (31, 12)),
    ("chr3", 41_224_610, "C", "T", (35, 0), (22, 19)),
    ("chr7", 50_382_593, "A", "T", (28, 0), (17, 15)),
    ("chr9", 37_015_168, "G", "C", (33, 0), (20, 14)),
    ("chr12", 25_245_350, "C", "A", (52, 0), (30, 25)),
    ("chr12", 112_489_084, "G", "A", (25, 1), (18, 9)),
    ("chr17", 7_675_088, "C", "T", (44, 0), (12, 30)),
    ("chrX", 1_200_000, "G", "A", (38, 0), (29, 10)),
]


def mutect2_text() -> str:
    """A small tumour/normal somatic-only VCF in Mutect2's layout."""
    contigs = "".join(f"##contig=<ID={c},length={n}>\n" for c, n in CHROM_LENGTHS.items())
    out = [MUTECT2.format(contigs=contigs)]
    for c, p, r, a, nad, tad in SOMATIC:
        taf = tad[1] / sum(tad)
        out.append(
            f"{c}\t{p}\t.\t{r}\t{a}\t.\tPASS\tDP={sum(nad) + sum(tad)};TLOD=30.1\t"
            f"GT:AD:AF:DP\t0/0:{nad[0]},{nad[1]}:0.02:{sum(nad)}\t"
            f"0/1:{tad[0]},{tad[1]}:{taf:.3f}:{sum(tad)}\n"
        )
    return "".join(out)


def main() -> None:
    """Write every fixture."""
    d = sites(genome({}), 1, 0.9)
    sv.write_vcf(HERE / "gatk_diploid.vcf.gz", sv.vcf_text(d, sample="PT1_RNA", style="gatk"))
    nh = sites(near_haploid(), 2, 0.95)
    sv.write_vcf(
        HERE / "bcftools_near_haploid.vcf",
        sv.vcf_text(nh, sample="PT2_RNA", style="bcftools", chr_prefix=False),
    )
    dbl = sites(near_haploid(doubled=True), 3, 0.85, hotspots=("PAX5 P80R",))
    sv.write_vcf(
        HERE / "deepvariant_doubled.g.vcf.gz",
        sv.vcf_text(
            dbl,
            sample="PT3_RNA",
            style="deepvariant",
            annotated=True,
            reference_blocks=[("chr7", 50_382_500, 50_382_700, 42)],
        ),
    )
    gains = dict.fromkeys(("chr4", "chr6", "chr10", "chr14", "chr17", "chr18", "chrX"), (3, 1))
    gains["chr21"] = (4, 2)
    hh = sites(genome(gains), 4, 0.9)
    sv.write_vcf(
        HERE / "strelka2_hyperdiploid.vcf.gz",
        sv.vcf_text(hh, sample="PT4_RNA", style="strelka2"),
    )
    lost = ("chr3", "chr4", "chr7", "chr12", "chr13", "chr15", "chr16", "chr17", "chr20", "chr22")
    lh = sites(genome(dict.fromkeys(lost, (1, 0))), 5, 0.8)
    sv.write_vcf(
        HERE / "strelka2_low_hypodiploid.bcf",
        sv.vcf_text(lh, sample="PT5_RNA", style="strelka2"),
    )
    sv.write_vcf(
        HERE / "multisample.vcf.gz",
        multisample(sites(genome({}), 6, 0.9, n=1200), sites(near_haploid(), 7, 0.9, n=1200),
                    ("PT1_RNA", "PT2_RNA")),
    )  # fmt: skip
    sv.write_vcf(HERE / "mutect2_somatic_only.vcf", mutect2_text())


if __name__ == "__main__":
    main()
