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

Cohort samples (:func:`simulate_expressed_sites`, used by
:func:`allstrat.simulate.simulate_cohort`) tie every site to the sample's simulated
expression instead of a random gene level:

* **Sites**: germline SNVs in each simulated gene, Poisson with
  :data:`SNV_PER_KB` per kb of its (synthetic) exonic length, a share
  :data:`HET_SHARE` heterozygous. Reasoning (UNVERIFIED approximations): one person's
  genome differs from the reference at ~4–5 M sites (1000 Genomes, Nature 2015), about
  1.5/kb genome-wide but fewer in exons; exome sequencing finds ~20–25 k SNVs in ~35–50
  Mb of target (~0.5–0.7/kb), with a het:hom-alt ratio of ~1.5–2. Over ~20 k expressed
  genes this gives tens of thousands of candidate sites, of which a few thousand
  heterozygous sites reach RNA depth ≥ 10 — the order RNA variant calls show.
* **Depth** at a site: the gene's simulated read count × :data:`FRAGMENT_BASES` / exonic
  length (paired-end fragments spread over the transcript), times a gamma coverage
  factor (CV :data:`COVERAGE_CV`: 3′ bias, uneven coverage), Poisson reads.
* **Allele fraction**: the gene's reads mix blasts (share ``t`` from the expression
  model: blast fraction × blast expression incl. copy-number dosage) and normal cells
  (het 1/2). In blasts the ALT haplotype has ``k`` of ``cn`` copies (``minor`` or
  ``cn − minor``), so ``p = t·k/cn + (1 − t)/2``. In female blasts non-PAR chrX genes
  are expressed from the active X only (clonal X-inactivation; :data:`X_ESCAPE_SHARE`
  of genes escape). Per-gene allele-specific expression (log-odds SD :data:`ASE_SD`,
  random direction per site), a small reference-mapping bias (:data:`REF_BIAS`),
  beta-binomial reads (:data:`READ_RHO`), RNA-editing-like A>G sites
  (:data:`EDITING_SHARE`). All values are UNVERIFIED modelling choices; none is taken
  from the allele-calling settings.
* **Hotspots** (:data:`HOTSPOTS_GRCH38`): a somatic heterozygous mutation on one blast
  copy, at the depth of its gene; :func:`hotspot_blocks` gives gVCF reference blocks
  (coverage) for hotspots a sample does not carry.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.io.output import atomic_path
from allstrat.simulate.genome import CHROM_LENGTHS, PAR1, Genome, normal_cn, normal_cn_array

STYLES = ("gatk", "bcftools", "deepvariant", "strelka2")
HOTSPOTS_GRCH38 = {  # DOMAIN.md §8 (MD-ALL BALL.mutation.rda @b9cda0b)
    "PAX5 P80R": ("chr9", 37_015_168, "G", "C", "PAX5", "p.Pro80Arg"),
    "IKZF1 N159Y": ("chr7", 50_382_593, "A", "T", "IKZF1", "p.Asn159Tyr"),
    "ZEB2 H1038R": ("chr2", 144_389_983, "T", "C", "ZEB2", "p.His1038Arg"),
}
#: hotspot -> the subtype whose simulated samples carry it (DOMAIN.md §8)
HOTSPOT_SUBTYPES = {"PAX5 P80R": "PAX5 P80R", "IKZF1 N159Y": "IKZF1 N159Y",
                    "ZEB2 H1038R": "ZEB2/CEBP"}  # fmt: skip
_BASES = np.array(list("ACGT"))
#: Which cohort samples get a VCF (:func:`has_variants`).
VARIANT_PLANS = ("none", "demo", "all")
#: demo plan: every 4th sample, plus every sample of these subtypes (so the demo exercises
#: allele-based karyotypes and hotspot calls; real labs send VCFs for some samples only)
DEMO_VARIANT_SUBTYPES = ("Near haploid", "Low hypodiploid", *HOTSPOT_SUBTYPES.values())
# Germline SNV / RNA read model of :func:`simulate_expressed_sites` (module docstring;
# UNVERIFIED modelling choices).
SNV_PER_KB = 0.5
HET_SHARE = 0.62
FRAGMENT_BASES = 200.0  # 2 x 100 bp read pairs counted once per fragment
COVERAGE_CV = 0.5
ASE_SD = 0.3  # per-gene allelic log-odds (cis-regulatory imbalance)
REF_BIAS = 0.03  # reference-allele mapping advantage (odds x (1 - REF_BIAS))
READ_RHO = 0.01  # beta-binomial over-dispersion of allele reads
X_ESCAPE_SHARE = 0.15  # chrX genes escaping inactivation
EDITING_SHARE = 0.02  # RNA-editing-like A>G sites per germline candidate site
HOM_ALT_ERROR = 0.003  # REF reads at a homozygous ALT site (errors)
FILTERED_SHARE = 0.15  # records failing the caller's hard filters (FILTER not PASS)
#: FILTER name of failed records per style (declared in the header)
FAIL_FILTER = {"gatk": "QD", "bcftools": "LowQual", "deepvariant": "LowQual", "strelka2": "LowGQX"}


def has_variants(plan: str, index: int, subtype: str) -> bool:
    """Whether cohort sample ``index`` (0-based) of ``subtype`` gets variant calls."""
    if plan not in VARIANT_PLANS:
        msg = f"variants plan must be one of {VARIANT_PLANS}, not {plan!r}"
        raise ValueError(msg)
    if plan == "demo":
        return index % 4 == 1 or subtype in DEMO_VARIANT_SUBTYPES
    return plan == "all"


def carried_hotspots(subtype: str) -> list[str]:
    """Hotspot mutations a simulated sample of ``subtype`` carries."""
    return [k for k, sub in HOTSPOT_SUBTYPES.items() if sub == subtype]


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


def _segment_states(
    genome: Genome, chrom: np.ndarray, pos: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Tumour (cn, minor) at each position; (0, 0) where no segment covers it."""
    cn = np.zeros(len(pos), dtype=np.int64)
    mi = np.zeros(len(pos), dtype=np.int64)
    by_chrom: dict[str, list[tuple[int, int, int, int]]] = {}
    for c, s, e, n, m in genome.segments:
        by_chrom.setdefault(c, []).append((s, e, n, m))
    for c, segs in by_chrom.items():
        idx = np.flatnonzero(chrom == c)
        if not len(idx):
            continue
        arr = np.array(segs, dtype=np.int64)
        k = np.searchsorted(arr[:, 0], pos[idx], side="right") - 1
        ok = (k >= 0) & (pos[idx] <= arr[np.clip(k, 0, None), 1])
        cn[idx[ok]] = arr[k[ok], 2]
        mi[idx[ok]] = arr[k[ok], 3]
    return cn, mi


def _gene_depth(rng: np.random.Generator, mean: np.ndarray) -> np.ndarray:
    """RNA read depth at sites of mean ``mean`` with uneven (gamma) coverage."""
    shape = 1.0 / COVERAGE_CV**2
    return rng.poisson(mean * rng.gamma(shape, 1.0 / shape, len(mean)))


def _tumour_alt_share(
    rng: np.random.Generator,
    genome: Genome,
    chrom: np.ndarray,
    pos: np.ndarray,
    *,
    het: np.ndarray,
    gene_escape: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(ALT share of blast transcripts, tumour copy number) per site (module docstring)."""
    cn, mi = _segment_states(genome, chrom, pos)
    on_major = rng.random(len(pos)) < 0.5
    k = np.where(het, np.where(on_major, cn - mi, mi), cn)
    share = np.divide(k, cn, out=np.zeros(len(pos)), where=cn > 0)
    if genome.sex == "F":  # clonal X inactivation: blasts express the active X only
        active_major = rng.random() < 0.5
        x = (chrom == "chrX") & ~((pos >= PAR1[1]) & (pos <= PAR1[2]))
        silenced = x & het & (mi > 0) & ~gene_escape
        share = np.where(silenced, (on_major == active_major).astype(float), share)
    return share, cn


def simulate_expressed_sites(
    rng: np.random.Generator,
    genome: Genome,
    *,
    genes: pd.DataFrame,
    counts: np.ndarray,
    blast_share: np.ndarray,
    exonic_length: np.ndarray,
    hotspots: Sequence[str] = (),
) -> tuple[pd.DataFrame, dict[str, int]]:
    """RNA variant calls of one cohort sample, tied to its simulated expression.

    Parameters
    ----------
    rng
        The sample's variant stream.
    genome
        The sample's tumour genome.
    genes
        One row per simulated gene (``chrom``, ``start``, ``end``), aligned with ``counts``.
    counts
        The sample's simulated read counts per gene.
    blast_share
        Expected share of each gene's reads from blasts (expression model).
    exonic_length
        Exonic length (bp) per gene.
    hotspots
        Keys of :data:`HOTSPOTS_GRCH38` the blasts carry (one copy, somatic).

    Returns
    -------
    (sites, hotspot_depth)
        Sites as a caller emits them (:data:`allstrat.io.variants.VARIANT_COLUMNS`) and
        the read depth at every hotspot position (for gVCF reference blocks).
    """
    chrom_g = genes["chrom"].to_numpy(dtype=object)
    usable = np.isin(chrom_g, list(CHROM_LENGTHS)) & ~((chrom_g == "chrY") & (genome.sex == "F"))
    n_per = np.where(usable, rng.poisson(exonic_length / 1000.0 * SNV_PER_KB), 0)
    gi = np.repeat(np.arange(len(genes)), n_per)
    n = len(gi)
    start = genes["start"].to_numpy(dtype=np.int64)[gi]
    end = genes["end"].to_numpy(dtype=np.int64)[gi]
    pos = (start + rng.random(n) * (end - start)).astype(np.int64)
    chrom = chrom_g[gi]
    het = (rng.random(n) < HET_SHARE) & (normal_cn_array(chrom, pos, genome.sex) == 2)
    escape = (rng.random(len(genes)) < X_ESCAPE_SHARE)[gi]
    share_t, cn = _tumour_alt_share(rng, genome, chrom, pos, het=het, gene_escape=escape)
    t = np.where(cn > 0, blast_share[gi], 0.0)
    p = np.clip(t * share_t + (1.0 - t) * np.where(het, 0.5, 1.0), 1e-4, 1 - 1e-4)
    ase = rng.normal(0.0, ASE_SD, len(genes))[gi] * np.where(rng.random(n) < 0.5, 1.0, -1.0)
    p_het = 1.0 / (1.0 + np.exp(-(np.log(p / (1 - p)) + ase + np.log(1 - REF_BIAS))))
    p = np.where(het, p_het, 1.0 - HOM_ALT_ERROR)
    depth_mean = counts * FRAGMENT_BASES / exonic_length
    depth = _gene_depth(rng, depth_mean[gi])
    q = rng.beta(p * (1 - READ_RHO) / READ_RHO, (1 - p) * (1 - READ_RHO) / READ_RHO)
    alt = rng.binomial(depth, q)
    n_ed = int(rng.binomial(n, EDITING_SHARE))
    ei = rng.choice(n, size=n_ed, replace=False) if n_ed else np.array([], dtype=int)
    ed_depth = _gene_depth(rng, depth_mean[gi[ei]])
    df = pd.DataFrame(
        {
            "chrom": np.concatenate([chrom, chrom[ei]]),
            "pos": np.concatenate([pos, pos[ei] + 1]),
            "alt_count": np.concatenate([alt, rng.binomial(ed_depth, rng.beta(2.0, 8.0, n_ed))]),
            "depth": np.concatenate([depth, ed_depth]),
            "editing": np.concatenate([np.zeros(n, bool), np.ones(n_ed, bool)]),
        }
    )
    refs = rng.integers(0, 4, size=len(df))
    df["ref"] = _BASES[refs]
    df["alt"] = _BASES[(refs + rng.integers(1, 4, size=len(df))) % 4]
    df.loc[df["editing"], ["ref", "alt"]] = ["A", "G"]
    df["protein"] = ""
    df["filter_pass"] = rng.random(len(df)) >= FILTERED_SHARE
    hot_rows, hot_depth = _hotspot_rows(rng, genome, genes, depth_mean, blast_share, hotspots)
    df = _drop_near_hotspots(df)
    if hot_rows:
        df = pd.concat([df, pd.DataFrame(hot_rows)], ignore_index=True)
    return _as_calls(df), hot_depth


def _drop_near_hotspots(df: pd.DataFrame, flank: int = 50) -> pd.DataFrame:
    """Germline sites never fall on a hotspot or its gVCF block (``flank`` bp around it)."""
    near = np.zeros(len(df), dtype=bool)
    for c, p, *_ in HOTSPOTS_GRCH38.values():
        near |= (df["chrom"].to_numpy() == c) & (np.abs(df["pos"].to_numpy() - p) <= flank)
    return df[~near].reset_index(drop=True)


def _hotspot_rows(  # noqa: PLR0917 -- private helper of simulate_expressed_sites
    rng: np.random.Generator,
    genome: Genome,
    genes: pd.DataFrame,
    depth_mean: np.ndarray,
    blast_share: np.ndarray,
    carried: Sequence[str],
) -> tuple[list[dict], dict[str, int]]:
    """Rows of carried hotspots and the read depth at every hotspot position."""
    where = {g: i for i, g in enumerate(genes.index)}
    rows, depth = [], {}
    for key, (h_chrom, h_pos, h_ref, h_alt, gene, prot) in HOTSPOTS_GRCH38.items():
        gi = where.get(gene)
        mean = float(depth_mean[gi]) if gi is not None else 0.0
        d = int(_gene_depth(rng, np.array([mean]))[0])
        depth[key] = d
        if key not in carried:
            continue
        cn, _ = _segment_states(genome, np.array([h_chrom], dtype=object), np.array([h_pos]))
        share = float(blast_share[gi]) if gi is not None else 0.0
        vaf = share / cn[0] if cn[0] > 0 else 0.0
        rows.append({"chrom": h_chrom, "pos": h_pos, "ref": h_ref, "alt": h_alt,
                     "alt_count": int(rng.binomial(d, vaf)), "depth": d, "editing": False,
                     "protein": f"{gene}:{prot}", "filter_pass": True})  # fmt: skip
    return rows, depth


def hotspot_blocks(
    hotspot_depth: dict[str, int], carried: Sequence[str], *, flank: int = 50
) -> list[tuple[str, int, int, int]]:
    """GVCF reference blocks (chrom, start, end, MIN_DP) over hotspots not carried."""
    out = []
    for key, d in hotspot_depth.items():
        if key in carried or d <= 0:
            continue
        c, p = HOTSPOTS_GRCH38[key][:2]
        out.append((c, p - flank, p + flank, int(d)))
    return out


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
    df["filter_pass"] = df["filter_pass"].astype(bool) if "filter_pass" in df else True
    df["somatic"] = False
    return df[["chrom", "pos", "ref", "alt", "n_alt", "is_snv", "genotype", "ref_count",
               "alt_count", "depth", "gq", "filter_pass", "somatic", "protein"]]  # fmt: skip


def _chrom_key(c: str) -> int:
    return list(CHROM_LENGTHS).index(c) if c in CHROM_LENGTHS else 99


_FMT_GT = '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
_FMT_AD = (
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and '
    'alt alleles in the order listed">\n'
)
_FMT_DP = '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">\n'
_FMT_GQ = '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype Quality">\n'
_FMT_PL = (
    '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Normalized, Phred-scaled '
    'likelihoods for genotypes">\n'
)
_FORMAT_LINES = (_FMT_GT, _FMT_AD, _FMT_DP, _FMT_GQ, _FMT_PL)


def _header(style: str, sample: str, *, chr_prefix: bool, build: str, annotated: bool) -> str:
    contigs = "".join(
        f"##contig=<ID={c if chr_prefix else c[3:]},length={n},assembly={build}>\n"
        for c, n in CHROM_LENGTHS.items()
    )
    fmt_gt, fmt_ad, fmt_dp, fmt_gq, fmt_pl = _FORMAT_LINES
    h = "##fileformat=VCFv4.2\n"
    if style == "gatk":
        h += (
            '##FILTER=<ID=PASS,Description="All filters passed">\n'
            '##FILTER=<ID=QD,Description="QD < 2.0">\n'
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
            '##FILTER=<ID=LowQual,Description="Set if true: QUAL<20">\n'
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


def _fmt(fmt: str, values: np.ndarray) -> np.ndarray:
    return np.char.mod(fmt, values).astype(object)


def _records(sites: pd.DataFrame, style: str, *, chr_prefix: bool, annotated: bool) -> np.ndarray:
    """One VCF line per site (vectorised; same text as a per-record f-string)."""
    ref_n = sites["ref_count"].to_numpy(dtype=np.int64)
    alt_n = sites["alt_count"].to_numpy(dtype=np.int64)
    dp_n = sites["depth"].to_numpy(dtype=np.int64)
    het = (sites["genotype"] == "het").to_numpy()
    gt = np.where(het, "0/1", "1/1").astype(object)
    pl = np.where(het, "0,30,300", "300,30,0").astype(object)
    rc, ac, dp = (x.astype(str).astype(object) for x in (ref_n, alt_n, dp_n))
    gq = sites["gq"].to_numpy(dtype=float).astype(np.int64).astype(str).astype(object)
    ad = rc + "," + ac
    q = np.minimum(3000.0, 10.0 * alt_n)
    if style == "gatk":
        acn = np.where(het, "1", "2").astype(object)
        afs = np.where(het, "0.5", "1").astype(object)
        qd = _fmt("%.2f", q / np.maximum(dp_n, 1))
        info = "AC=" + acn + ";AF=" + afs + ";AN=2;DP=" + dp + ";FS=0.000;QD=" + qd
        fmt, val = "GT:AD:DP:GQ:PL", gt + ":" + ad + ":" + dp + ":" + gq + ":" + pl
    elif style == "bcftools":
        half = [(x // 2).astype(str).astype(object) for x in (ref_n, alt_n)]
        rest = [(x - x // 2).astype(str).astype(object) for x in (ref_n, alt_n)]
        info = "DP=" + dp + ";DP4=" + half[0] + "," + rest[0] + "," + half[1] + "," + rest[1]
        info = info + ";MQ=60"
        fmt, val = "GT:PL:DP:AD", gt + ":" + pl + ":" + dp + ":" + ad
    elif style == "deepvariant":
        info = np.full(len(sites), ".", dtype=object)
        vaf = _fmt("%.6g", alt_n / np.maximum(dp_n, 1))
        fmt = "GT:GQ:DP:AD:VAF:PL"
        val = gt + ":" + gq + ":" + dp + ":" + ad + ":" + vaf + ":" + pl
    else:
        info = np.full(len(sites), "SNVHPOL=2;MQ=60", dtype=object)
        adf = (ref_n // 2).astype(str).astype(object) + "," + (alt_n // 2).astype(str)
        adr = (
            (ref_n - ref_n // 2).astype(str).astype(object) + "," + (alt_n - alt_n // 2).astype(str)
        )
        fmt = "GT:GQ:GQX:DP:DPF:AD:ADF:ADR:SB:PL"
        val = gt + ":" + gq + ":" + gq + ":" + dp + ":0:" + ad + ":" + adf + ":" + adr
        val = val + ":0.0:" + pl
    if annotated:
        for i in np.flatnonzero(sites["protein"].astype(bool).to_numpy()):
            gene, prot = str(sites["protein"].iat[i]).split(":")
            extra = f"CSQ={sites['alt'].iat[i]}|missense_variant|MODERATE|{gene}|ENSG|c.|{prot}"
            info[i] = extra if info[i] == "." else f"{info[i]};{extra}"
    chrom = sites["chrom"].astype(str).to_numpy(dtype=object)
    if not chr_prefix:
        chrom = np.array([c[3:] for c in chrom], dtype=object)
    filt = np.where(sites["filter_pass"].astype(bool).to_numpy(), "PASS", FAIL_FILTER[style])
    head = chrom + "\t" + sites["pos"].astype(str).to_numpy(dtype=object) + "\t.\t"
    head = head + sites["ref"].to_numpy(dtype=object) + "\t" + sites["alt"].to_numpy(dtype=object)
    return (
        head
        + "\t"
        + _fmt("%.2f", q)
        + "\t"
        + filt.astype(object)
        + "\t"
        + info
        + ("\t" + fmt + "\t")
        + val
        + "\n"
    )


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
    head = _header(style, sample, chr_prefix=chr_prefix, build=build, annotated=annotated)
    lines = list(_records(sites, style, chr_prefix=chr_prefix, annotated=annotated))
    keys = [(_chrom_key(c), int(p)) for c, p in zip(sites["chrom"], sites["pos"], strict=True)]
    for c, start, end, dp in reference_blocks:
        name = c if chr_prefix else c[3:]
        lines.append(
            f"{name}\t{start}\t.\tN\t<*>\t0\t.\tEND={end}\tGT:GQ:MIN_DP:PL\t0/0:50:{dp}:0,50,500\n"
        )
        keys.append((_chrom_key(c), int(start)))
    order = sorted(range(len(lines)), key=keys.__getitem__)  # stable: sites before blocks
    return head + "".join(lines[i] for i in order)


def write_vcf(path: str | Path, text: str, *, index: bool = False) -> None:
    """Write VCF text atomically: ``.vcf`` plain, ``.vcf.gz`` bgzipped, ``.bcf`` binary.

    ``index`` also writes the index a lab would ship (tabix ``.tbi`` for ``.vcf.gz``,
    ``.csi`` for ``.bcf``; both with pysam / htslib), atomically after the data file.
    """
    import pysam

    path = Path(path)
    _write_vcf_data(path, text)
    if index and path.name.endswith(".vcf.gz"):
        with atomic_path(path.with_name(path.name + ".tbi")) as tmp:
            pysam.tabix_index(str(path), preset="vcf", force=True, index=str(tmp))
    elif index and path.name.endswith(".bcf"):
        import pysam.bcftools

        with atomic_path(path.with_name(path.name + ".csi")) as tmp:
            pysam.bcftools.index("-c", "-f", "-o", str(tmp), str(path))


def _write_vcf_data(path: Path, text: str) -> None:
    import pysam

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
