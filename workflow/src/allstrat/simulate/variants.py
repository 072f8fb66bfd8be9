"""Synthetic RNA-seq germline variant calls whose allele fractions follow the genome.

For each sample, germline SNVs are placed in protein-coding genes (a few thousand
expressed sites, as RNA variant calling yields; UNVERIFIED count). A fraction
``het_fraction`` are heterozygous, the rest homozygous ALT. Read depth is tied to the
gene's expression (a per-gene log-normal level shared by its sites) and to the sample's
copy number there (expression ∝ copies in the blast/normal mixture). At a heterozygous
site the expected ALT fraction follows the mixture of blasts (fraction ``f``; ``cn``
copies, ``minor`` of them carrying the minor parental haplotype) and normal cells::

    p_alt = (f·k + (1 − f)) / (f·cn + 2·(1 − f))

with ``k`` the tumour copies of the haplotype carrying ALT (``minor`` or
``cn − minor``, by haplotype phase). Allele-specific expression noise is a beta draw
around ``p_alt`` (over-dispersion ``ase_rho``); reads are binomial. A few RNA-editing-like
A>G sites at low VAF are added. Genotypes are assigned the way a caller would (het when
10–90 % ALT, else hom ALT; sites with < 2 ALT reads are not emitted).

:func:`vcf_text` renders the sites in the header / FORMAT style of GATK HaplotypeCaller,
bcftools, DeepVariant or Strelka2 germline; :func:`write_vcf` writes plain, bgzipped or
BCF output atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.io.output import atomic_path
from allstrat.simulate.genome import CHROM_LENGTHS, Genome, normal_cn

STYLES = ("gatk", "bcftools", "deepvariant", "strelka2")
HOTSPOTS_GRCH38 = {  # DOMAIN.md §8 (MD-ALL BALL.mutation.rda @b9cda0b)
    "PAX5 P80R": ("chr9", 37_015_168, "G", "C", "PAX5", "p.Pro80Arg"),
    "IKZF1 N159Y": ("chr7", 50_382_593, "A", "T", "IKZF1", "p.Asn159Tyr"),
    "ZEB2 H1038R": ("chr2", 144_389_983, "T", "C", "ZEB2", "p.His1038Arg"),
}
_BASES = np.array(list("ACGT"))


def _segment_lookup(genome: Genome, chrom: str, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    segs = [(s, e, cn, mi) for c, s, e, cn, mi in genome.segments if c == chrom]
    cn = np.zeros(len(pos), dtype=int)
    mi = np.zeros(len(pos), dtype=int)
    for s, e, c, m in segs:
        on = (pos >= s) & (pos <= e)
        cn[on], mi[on] = c, m
    return cn, mi


def simulate_sites(
    rng: np.random.Generator,
    genome: Genome,
    genes: pd.DataFrame,
    *,
    blast_fraction: float,
    n_sites: int = 3000,
    het_fraction: float = 0.6,
    median_depth: float = 40.0,
    ase_rho: float = 0.02,
    editing_sites: int = 40,
    hotspots: Sequence[str] = (),
) -> pd.DataFrame:
    """Simulated variant sites of one sample (columns of ``io.variants.VARIANT_COLUMNS``).

    Parameters
    ----------
    rng
        Random generator of the sample.
    genome
        The simulated tumour genome (allele-specific segments).
    genes
        Gene table (symbol index; chrom, start, end, gene_type).
    blast_fraction
        Blast fraction f of the RNA sample.
    n_sites
        Germline SNVs drawn (before depth / genotype filtering by the "caller").
    het_fraction
        Share of germline SNVs that are heterozygous.
    median_depth
        Median RNA read depth at a diploid expressed site.
    ase_rho
        Over-dispersion of allele-specific expression (beta-binomial intra-class corr.).
    editing_sites
        Low-VAF A>G artefacts added.
    hotspots
        Keys of :data:`HOTSPOTS_GRCH38` the blasts carry heterozygously.
    """
    f = float(blast_fraction)
    pool = genes[(genes["gene_type"] == "protein-coding") & genes["chrom"].isin(CHROM_LENGTHS)]
    pool = pool[~((pool["chrom"] == "chrY") & (genome.sex == "F"))]
    gi = rng.choice(len(pool), size=n_sites, replace=True)
    g = pool.iloc[gi]
    level = np.exp(rng.normal(0.0, 0.8, size=len(pool)))[gi]  # per-gene expression
    pos = (g["start"].to_numpy() + rng.random(n_sites) * (g["end"] - g["start"]).to_numpy()).astype(
        np.int64
    )
    chrom = g["chrom"].to_numpy()
    het = rng.random(n_sites) < het_fraction
    rows = []
    for c in pd.unique(chrom):
        on = np.flatnonzero(chrom == c)
        cn, mi = _segment_lookup(genome, str(c), pos[on])
        nc = np.array([normal_cn(str(c), genome.sex, int(p)) for p in pos[on]])
        total = f * cn + (1 - f) * nc
        ok = total > 0
        on, cn, mi, nc, total = on[ok], cn[ok], mi[ok], nc[ok], total[ok]
        alt_hap = rng.random(len(on)) < 0.5
        k = np.where(alt_hap, mi, cn - mi)
        # a hemizygous normal (male X) carries one allele: no germline het there
        h = het[on] & (nc == 2)
        p_alt = np.where(h, (f * k + (1 - f) * (nc / 2)) / total, 0.995)
        lam = median_depth * level[on] * total / 2.0
        depth = rng.poisson(lam)
        rows.append((c, pos[on], p_alt, depth))
    parts = []
    for c, p, pa, d in rows:
        a = np.clip(pa * (1 - ase_rho) / ase_rho, 1e-3, None)
        b = np.clip((1 - pa) * (1 - ase_rho) / ase_rho, 1e-3, None)
        q = rng.beta(a, b)
        alt = rng.binomial(d, q)
        parts.append(
            pd.DataFrame({"chrom": c, "pos": p, "alt_count": alt, "depth": d, "editing": False})
        )
    df = pd.concat(parts, ignore_index=True)
    ed = pool.iloc[rng.choice(len(pool), size=editing_sites)]
    epos = (ed["start"].to_numpy() + 100).astype(np.int64)
    ed_depth = rng.poisson(median_depth * 1.5, size=editing_sites)
    df = pd.concat(
        [df, pd.DataFrame({"chrom": ed["chrom"].to_numpy(), "pos": epos,
                           "alt_count": rng.binomial(ed_depth, 0.15), "depth": ed_depth,
                           "editing": True})],
        ignore_index=True,
    )  # fmt: skip
    refs = rng.integers(0, 4, size=len(df))
    alts = (refs + rng.integers(1, 4, size=len(df))) % 4
    df["ref"] = _BASES[refs]
    df["alt"] = _BASES[alts]
    df.loc[df["editing"], ["ref", "alt"]] = ["A", "G"]
    df["protein"] = ""
    for key in hotspots:
        h_chrom, h_pos, h_ref, h_alt, gene, prot = HOTSPOTS_GRCH38[key]
        cn, _ = _segment_lookup(genome, h_chrom, np.array([h_pos]))
        total = f * cn[0] + 2 * (1 - f)
        h_depth = int(rng.poisson(median_depth))
        h_alt_count = int(rng.binomial(h_depth, f / total if total > 0 else 0))
        row = {
            "chrom": h_chrom,
            "pos": h_pos,
            "ref": h_ref,
            "alt": h_alt,
            "alt_count": h_alt_count,
            "depth": h_depth,
            "editing": False,
            "protein": f"{gene}:{prot}",
        }
        df = pd.concat(
            [df, pd.DataFrame([row])],
            ignore_index=True,
        )  # fmt: skip
    return _as_calls(df)


def _as_calls(df: pd.DataFrame) -> pd.DataFrame:
    """Apply a caller's emission rules: >= 2 ALT reads, het if 10-90 % ALT else hom ALT."""
    df = df[(df["alt_count"] >= 2) & (df["depth"] >= 3)].copy()
    vaf = df["alt_count"] / df["depth"]
    df["genotype"] = np.where(vaf >= 0.9, "hom_alt", "het")
    df["ref_count"] = df["depth"] - df["alt_count"]
    df = df.sort_values(
        ["chrom", "pos"], key=lambda s: s.map(_chrom_key) if s.name == "chrom" else s
    )
    df = df.drop_duplicates(["chrom", "pos"]).reset_index(drop=True)
    df["gq"] = np.minimum(99, (df["depth"] * 2)).astype(float)
    df["n_alt"] = 1
    df["is_snv"] = True
    df["filter_pass"] = True
    df["somatic"] = False
    return df[["chrom", "pos", "ref", "alt", "n_alt", "is_snv", "genotype", "ref_count",
               "alt_count", "depth", "gq", "filter_pass", "somatic", "protein"]]  # fmt: skip


def _chrom_key(c: str) -> int:
    return list(CHROM_LENGTHS).index(c) if c in CHROM_LENGTHS else 99


def _header(style: str, sample: str, *, chr_prefix: bool, build: str, annotated: bool) -> str:
    contigs = "".join(
        f"##contig=<ID={c if chr_prefix else c[3:]},length={n},assembly={build}>\n"
        for c, n in CHROM_LENGTHS.items()
    )
    fmt_gt = '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    fmt_ad = (
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and '
        'alt alleles in the order listed">\n'
    )
    fmt_dp = '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">\n'
    fmt_gq = '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype Quality">\n'
    fmt_pl = (
        '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Normalized, Phred-scaled '
        'likelihoods for genotypes">\n'
    )
    h = "##fileformat=VCFv4.2\n"
    if style == "gatk":
        h += (
            '##FILTER=<ID=PASS,Description="All filters passed">\n'
            + fmt_ad + fmt_dp + fmt_gq + fmt_gt + fmt_pl
            + "##GATKCommandLine=<ID=HaplotypeCaller,CommandLine=\"HaplotypeCaller "
            "--output sample.vcf.gz --dont-use-soft-clipped-bases true "
            "--standard-min-confidence-threshold-for-calling 20.0\",Version=\"4.4.0.0\">\n"
            '##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count in genotypes">\n'
            '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele Frequency">\n'
            '##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles">\n'
            '##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">\n'
            '##INFO=<ID=QD,Number=1,Type=Float,Description="Variant Confidence/Quality by Depth">\n'
            '##INFO=<ID=FS,Number=1,Type=Float,Description="Phred-scaled p-value using '
            "Fisher's exact test to detect strand bias\">\n"
            + contigs + "##source=HaplotypeCaller\n"
        )  # fmt: skip
    elif style == "bcftools":
        h += (
            '##FILTER=<ID=PASS,Description="All filters passed">\n'
            "##bcftoolsVersion=1.17+htslib-1.17\n"
            "##bcftoolsCommand=mpileup -a FORMAT/AD,FORMAT/DP -f genome.fa sample.bam\n"
            + contigs
            + '##INFO=<ID=DP,Number=1,Type=Integer,Description="Raw read depth">\n'
            '##INFO=<ID=DP4,Number=4,Type=Integer,Description="Number of high-quality '
            'ref-forward , ref-reverse, alt-forward and alt-reverse bases">\n'
            '##INFO=<ID=MQ,Number=1,Type=Integer,Description="Average mapping quality">\n'
            + fmt_pl + fmt_dp + fmt_ad
            + fmt_gt
            + "##bcftools_callVersion=1.17+htslib-1.17\n"
            "##bcftools_callCommand=call -mv -Oz -o sample.vcf.gz\n"
        )  # fmt: skip
    elif style == "deepvariant":
        h += (
            '##FILTER=<ID=PASS,Description="All filters passed">\n'
            '##FILTER=<ID=RefCall,Description="Genotyping model thinks this site is reference.">\n'
            '##FILTER=<ID=LowQual,Description="Confidence in this variant being real is below '
            'calling threshold.">\n'
            '##INFO=<ID=END,Number=1,Type=Integer,Description="End position (for use with '
            'symbolic alleles)">\n'
            + fmt_gt + fmt_gq
            + '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth of all '
            'passing filters reads.">\n'
            '##FORMAT=<ID=MIN_DP,Number=1,Type=Integer,Description="Minimum DP observed '
            'within the GVCF block.">\n'
            + fmt_ad
            + '##FORMAT=<ID=VAF,Number=A,Type=Float,Description="Variant allele '
            'fractions.">\n'
            + fmt_pl
            + "##DeepVariant_version=1.5.0\n" + contigs
        )  # fmt: skip
    elif style == "strelka2":
        h += (
            "##source=strelka\n##source_version=2.9.10\n"
            "##content=strelka germline small-variant calls\n"
            '##FILTER=<ID=PASS,Description="All filters passed">\n'
            '##FILTER=<ID=LowGQX,Description="Locus GQX is below threshold or not present">\n'
            + contigs
            + '##INFO=<ID=SNVHPOL,Number=1,Type=Integer,Description="SNV contextual '
            'homopolymer length">\n'
            '##INFO=<ID=MQ,Number=1,Type=Integer,Description="RMS of mapping quality">\n'
            + fmt_gt + fmt_gq
            + '##FORMAT=<ID=GQX,Number=1,Type=Integer,Description="Empirically calibrated '
            'genotype quality score for variant sites">\n'
            + fmt_dp
            + '##FORMAT=<ID=DPF,Number=1,Type=Integer,Description="Basecalls filtered from '
            'input prior to site genotyping">\n'
            '##FORMAT=<ID=AD,Number=.,Type=Integer,Description="Allelic depths for the ref and '
            'alt alleles in the order listed. For indels this value only includes reads which '
            'confidently support each allele">\n'
            '##FORMAT=<ID=ADF,Number=.,Type=Integer,Description="Allelic depths on the forward '
            'strand">\n'
            '##FORMAT=<ID=ADR,Number=.,Type=Integer,Description="Allelic depths on the reverse '
            'strand">\n'
            '##FORMAT=<ID=SB,Number=1,Type=Float,Description="Sample site strand bias">\n'
            + fmt_pl
        )  # fmt: skip
    else:
        raise ValueError(f"unknown VCF style {style!r}; expected one of {STYLES}")
    if annotated:
        h += (
            '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from '
            'Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene|HGVSc|HGVSp">\n'
        )
    return h + f"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{sample}\n"


def _pl(gt: str) -> str:
    return "0,30,300" if gt == "0/1" else "300,30,0"


def _record(r, style: str, chrom: str, annotated: bool) -> str:
    gt = "0/1" if r.genotype == "het" else "1/1"
    ad = f"{r.ref_count},{r.alt_count}"
    dp = int(r.depth)
    gq = int(r.gq)
    info_extra = ""
    if annotated and r.protein:
        gene, prot = r.protein.split(":")
        info_extra = f";CSQ={r.alt}|missense_variant|MODERATE|{gene}|ENSG|c.|{prot}"
    qual = f"{min(3000.0, 10.0 * r.alt_count):.2f}"
    if style == "gatk":
        ac = 1 if gt == "0/1" else 2
        info = f"AC={ac};AF={ac / 2:g};AN=2;DP={dp};FS=0.000;QD={float(qual) / max(dp, 1):.2f}"
        fmt, val = "GT:AD:DP:GQ:PL", f"{gt}:{ad}:{dp}:{gq}:{_pl(gt)}"
    elif style == "bcftools":
        rf, rr = r.ref_count // 2, r.ref_count - r.ref_count // 2
        af, ar = r.alt_count // 2, r.alt_count - r.alt_count // 2
        info = f"DP={dp};DP4={rf},{rr},{af},{ar};MQ=60"
        fmt, val = "GT:PL:DP:AD", f"{gt}:{_pl(gt)}:{dp}:{ad}"
    elif style == "deepvariant":
        info = "."
        vaf = r.alt_count / max(dp, 1)
        fmt, val = "GT:GQ:DP:AD:VAF:PL", f"{gt}:{gq}:{dp}:{ad}:{vaf:.6g}:{_pl(gt)}"
    else:
        info = "SNVHPOL=2;MQ=60"
        adf = f"{r.ref_count // 2},{r.alt_count // 2}"
        adr = f"{r.ref_count - r.ref_count // 2},{r.alt_count - r.alt_count // 2}"
        fmt = "GT:GQ:GQX:DP:DPF:AD:ADF:ADR:SB:PL"
        val = f"{gt}:{gq}:{gq}:{dp}:0:{ad}:{adf}:{adr}:0.0:{_pl(gt)}"
    if info_extra:
        info = (info if info != "." else "") + info_extra
        info = info.lstrip(";")
    return f"{chrom}\t{r.pos}\t.\t{r.ref}\t{r.alt}\t{qual}\tPASS\t{info}\t{fmt}\t{val}\n"


def vcf_text(
    sites: pd.DataFrame,
    *,
    sample: str,
    style: str = "gatk",
    chr_prefix: bool = True,
    build: str = "GRCh38",
    annotated: bool = False,
    reference_blocks: Sequence[tuple[str, int, int, int]] = (),
) -> str:
    """Render variant sites as single-sample VCF text in a caller's style.

    ``reference_blocks`` (chrom, start, end, min_dp) are written as DeepVariant /
    GATK-style gVCF ``<*>`` blocks (DeepVariant style only).
    """
    lines = [_header(style, sample, chr_prefix=chr_prefix, build=build, annotated=annotated)]
    blocks = sorted(reference_blocks, key=lambda b: (_chrom_key(b[0]), b[1]))
    recs: list = [(r.chrom, r.pos, False, r) for r in sites.itertuples(index=False)]
    recs += [(b[0], b[1], True, b) for b in blocks]
    recs.sort(key=lambda x: (_chrom_key(x[0]), x[1]))
    for chrom, _pos, is_block, r in recs:
        name = chrom if chr_prefix else chrom[3:]
        if is_block:
            _, s, e, dp = r
            lines.append(
                f"{name}\t{s}\t.\tN\t<*>\t0\t.\tEND={e}\tGT:GQ:MIN_DP:PL\t0/0:50:{dp}:0,50,500\n"
            )
        else:
            lines.append(_record(r, style, name, annotated))
    return "".join(lines)


def write_vcf(path: str | Path, text: str) -> None:
    """Write VCF text atomically: ``.vcf`` plain, ``.vcf.gz`` bgzipped, ``.bcf`` binary."""
    import pysam

    path = Path(path)
    with atomic_path(path) as tmp:
        if path.name.endswith(".vcf"):
            tmp.write_text(text)
            return
        plain_tmp = tmp.with_name(tmp.name + ".plain.vcf")
        try:
            plain_tmp.write_text(text)
            if path.name.endswith(".vcf.gz"):
                pysam.tabix_compress(str(plain_tmp), str(tmp), force=True)
            elif path.name.endswith(".bcf"):
                with (
                    pysam.VariantFile(str(plain_tmp)) as src,
                    pysam.VariantFile(str(tmp), "wb", header=src.header) as dst,
                ):
                    for rec in src:
                        dst.write(rec)
            else:
                raise ValueError(f"{path}: expected .vcf, .vcf.gz or .bcf")
        finally:
            plain_tmp.unlink(missing_ok=True)
