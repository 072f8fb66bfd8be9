"""Synthetic tumour genomes: karyotype (whole-chromosome gains/losses) and focal lesions.

A sample's genome is a list of allele-specific segments ``(chrom, start, end, cn, minor)``
in GRCh38 1-based inclusive coordinates, where ``cn`` is the total tumour copy number
and ``minor`` the minor-allele copy number (``minor == 0`` with ``cn > 0`` is LOH). The
normal (non-leukaemic) copy number is 2 for autosomes and PAR1, and for the sex
chromosomes 2/0 (female X/Y) or 1/1 (male X/Y).

Frequencies are modelling parameters, documented per constant with their source;
values marked UNVERIFIED were not read in a primary source and can be overridden via
``lesion_rates=`` of :func:`simulate_genome`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from allstrat.copynumber.resources import load_chromosomes
from allstrat.paths import resources_dir

# GRCh38 chromosome lengths and centromere midpoints, read from the bundled table
# (resources/genome/chromosomes_grch38.tsv: UCSC hg38 chromInfo; centromeres from MD-ALL,
# DOMAIN.md §8; see resources/MANIFEST.tsv), the same table the copy-number caller uses.
_CHROMOSOMES = load_chromosomes()
CHROM_LENGTHS: dict[str, int] = {str(c): int(n) for c, n in _CHROMOSOMES["length"].items()}
CHROMS: tuple[str, ...] = tuple(CHROM_LENGTHS)
AUTOSOMES: tuple[str, ...] = CHROMS[:22]
# Segments start/end this far inside the chromosome ends (telomeric N gaps of GRCh38).
TELOMERE = 10_000
# PAR1 (DOMAIN.md §8, MD-ALL pseudoautosomal_regions_hg38): chrX:10,001-2,781,479.
PAR1 = ("chrX", 10_001, 2_781_479)
# Centromere midpoints, used for arm-level events.
CENTROMERE_MID: dict[str, int] = {
    str(c): (int(r.centromere_start) + int(r.centromere_end)) // 2
    for c, r in _CHROMOSOMES.iterrows()
}

# High hyperdiploid: per-chromosome probability of an extra copy. Order of frequency
# (+21, +X, +14, +6, +18, +4, +17, +10 most common) per Paulsson & Johansson 2009
# (cited in MARKERS.md); the numeric values are our approximation (UNVERIFIED).
HEH_GAIN_PROB: dict[str, float] = {
    "chr21": 0.98, "chrX": 0.9, "chr14": 0.85, "chr6": 0.85, "chr18": 0.78, "chr4": 0.75,
    "chr17": 0.68, "chr10": 0.65, "chr8": 0.3, "chr5": 0.25, "chr11": 0.2, "chr12": 0.15,
    "chr22": 0.15, "chr2": 0.08, "chr3": 0.08, "chr9": 0.08, "chr16": 0.08, "chr20": 0.08,
    "chr1": 0.04, "chr7": 0.04, "chr13": 0.04, "chr15": 0.04, "chr19": 0.04,
}  # fmt: skip
HEH_TETRASOMY_21_PROB = 0.5  # UNVERIFIED; tetrasomy 21 is the most frequent tetrasomy
# Chromosomes usually retained as disomies in near-haploid ALL (Holmfeldt 2013 via
# MARKERS.md: "21, X/Y, 14, 18"); low-hypodiploid losses favour 3, 4, 7, 9, 12, 13,
# 15, 16, 17 (UNVERIFIED weights).
NEAR_HAPLOID_RETAINED = ("chr21", "chr14", "chr18", "chrX", "chrY")
LOW_HYPO_LOSS_WEIGHT: dict[str, float] = dict.fromkeys(AUTOSOMES, 1.0)
LOW_HYPO_LOSS_WEIGHT.update(
    dict.fromkeys(("chr3", "chr4", "chr7", "chr9", "chr12", "chr13", "chr15", "chr16"), 4.0)
)
LOW_HYPO_LOSS_WEIGHT["chr17"] = 5.0
MASKED_HYPODIPLOID_PROB = 0.3  # share of hypodiploid cases simulated as doubled (S44, S25)

# Focal lesion frequencies by subtype (probability that a sample carries the lesion).
# "default" applies to subtypes not listed. Sources (DOMAIN.md §2): IKZF1 ~15% overall,
# ~70% BCR::ABL1, ~40% Ph-like [S19-S21], 35-40% DUX4 [S1]; P335 cohort frequencies
# CDKN2A/B 28%, ETV6 22%, PAX5 19%, RB1 6%, BTG1 6%, EBF1 2%, P2RY8::CRLF2 4% [S27];
# ERG deletion in ~half of DUX4-r [S11, S12]. Per-subtype spreads are UNVERIFIED
# modelling choices that keep the overall rates near the cited ones.
LESION_RATES: dict[str, dict[str, float]] = {
    "IKZF1": {"default": 0.08, "BCR::ABL1": 0.7, "Ph-like": 0.4, "DUX4": 0.35,
              "ETV6::RUNX1": 0.03, "Hyperdiploid": 0.05, "T-ALL": 0.05,
              "iAMP21": 0.2, "PAX5alt": 0.2},
    "CDKN2A/B": {"default": 0.25, "T-ALL": 0.7, "BCR::ABL1": 0.5, "Ph-like": 0.45,
                 "PAX5alt": 0.5, "Hyperdiploid": 0.12, "ETV6::RUNX1": 0.22,
                 "KMT2A": 0.05, "Near haploid": 0.3, "Low hypodiploid": 0.4},
    "PAX5": {"default": 0.15, "BCR::ABL1": 0.5, "Ph-like": 0.35, "PAX5alt": 0.45,
             "Hyperdiploid": 0.1, "ETV6::RUNX1": 0.25, "T-ALL": 0.0, "KMT2A": 0.05},
    "ETV6": {"default": 0.08, "ETV6::RUNX1": 0.6, "ETV6::RUNX1-like": 0.5, "T-ALL": 0.02},
    "RB1": {"default": 0.05, "Low hypodiploid": 0.4, "iAMP21": 0.2},
    "BTG1": {"default": 0.05, "ETV6::RUNX1": 0.1, "BCR::ABL1": 0.1, "T-ALL": 0.0},
    "EBF1": {"default": 0.015, "Ph-like": 0.05, "BCR::ABL1": 0.05, "T-ALL": 0.0},
    "PAR1": {"default": 0.02, "Hyperdiploid": 0.03, "T-ALL": 0.0},
    "ERG": {"default": 0.0, "DUX4": 0.5},
}  # fmt: skip
CDKN2_BIALLELIC_PROB = 0.5  # mono- vs biallelic CDKN2A/B (UNVERIFIED: about half)
CDKN2A_ONLY_PROB = 0.1  # deletion stops before CDKN2B (UNVERIFIED)
# IKZF1 deletion types (DOMAIN.md §2 [S19]): whole gene and Δ4-7 dominate, the rarer
# types together make up ~33% of deleted cases; split among them is UNVERIFIED.
IKZF1_TYPES: dict[str, float] = {
    "whole gene (Δ1–8)": 0.30,
    "Δ4–7": 0.37,
    "Δ2–7": 0.10,
    "Δ2–8": 0.08,
    "Δ4–8": 0.08,
    "Δ2–3": 0.07,
}
IKZF1_HOMOZYGOUS_PROB = 0.1  # UNVERIFIED
# Arm-level background events (gain or loss of one arm) per sample, any subtype.
ARM_EVENT_RATE = 0.15  # UNVERIFIED modelling choice: real leukaemias carry a few


@dataclass
class Genome:
    """One sample's tumour genome and its truth annotations."""

    sex: str
    segments: list[tuple[str, int, int, int, int]]  # chrom, start, end, cn, minor
    karyotype_class: str
    modal_number: int
    masked_hypodiploid: bool = False
    gains: list[str] = field(default_factory=list)
    losses: list[str] = field(default_factory=list)
    lesions: dict[str, str] = field(default_factory=dict)  # lesion -> description


@functools.cache
def load_lesion_exons() -> pd.DataFrame:
    """Read ``resources/genes/lesion_exons_grch38.tsv`` (exon coordinates; see its header)."""
    return pd.read_csv(resources_dir() / "genes" / "lesion_exons_grch38.tsv", sep="\t", comment="#")


def normal_cn(chrom: str, sex: str, pos: int | None = None) -> int:
    """Copy number of the normal (non-leukaemic) genome at ``chrom``/``pos``."""
    in_par = pos is not None and chrom in ("chrX", "chrY") and PAR1[1] <= pos <= PAR1[2]
    if chrom == "chrX":
        return 2 if (sex == "F" or in_par) else 1
    if chrom == "chrY":
        return 0 if (sex == "F" or in_par) else 1
    return 2


def _base_segments(sex: str) -> dict[str, list[list[int]]]:
    """Whole-genome normal segments per chromosome as mutable [start, end, cn, minor]."""
    out: dict[str, list[list[int]]] = {}
    for c, length in CHROM_LENGTHS.items():
        end = length - TELOMERE
        if c == "chrX":
            n = normal_cn(c, sex)
            # PAR1 is diploid in both sexes (X + Y copy); modelled on chrX only.
            out[c] = [[TELOMERE + 1, PAR1[2], 2, 1], [PAR1[2] + 1, end, n, 1 if n == 2 else 0]]
        elif c == "chrY":
            if sex == "F":
                out[c] = []
            else:
                out[c] = [[PAR1[2] + 1, end, 1, 0]]
        else:
            out[c] = [[TELOMERE + 1, end, 2, 1]]
    return out


def _set_region(segs: dict[str, list[list[int]]], chrom: str, start: int, end: int, fn) -> None:
    """Apply ``fn(cn, minor) -> (cn, minor)`` to ``chrom:start-end``, splitting segments."""
    new: list[list[int]] = []
    for s, e, cn, mi in segs[chrom]:
        if e < start or s > end:
            new.append([s, e, cn, mi])
            continue
        if s < start:
            new.append([s, start - 1, cn, mi])
        a, b = fn(cn, mi)
        new.append([max(s, start), min(e, end), a, b])
        if e > end:
            new.append([end + 1, e, cn, mi])
    # merge neighbours with identical state
    merged: list[list[int]] = []
    for seg in new:
        if merged and merged[-1][2:] == seg[2:] and merged[-1][1] + 1 == seg[0]:
            merged[-1][1] = seg[1]
        else:
            merged.append(seg)
    segs[chrom] = merged


def _del_all(cn: int, mi: int) -> tuple[int, int]:
    return 0, 0


def _del_het(cn: int, mi: int) -> tuple[int, int]:
    if cn <= 0:
        return 0, 0
    return cn - 1, min(mi, (cn - 1) // 2) if mi else 0


def _whole_chrom(segs, chrom, fn) -> None:
    _set_region(segs, chrom, 1, CHROM_LENGTHS[chrom], fn)


def _karyotype(  # noqa: C901 - one branch per subtype karyotype model (simulator)
    rng: np.random.Generator, subtype: str, sex: str, segs, masked_hypodiploid: bool | None = None
) -> dict:
    """Whole-chromosome changes; returns karyotype annotations."""
    gains: list[str] = []
    losses: list[str] = []
    masked = False
    klass = "diploid"
    if subtype == "Hyperdiploid":
        for _ in range(50):
            chosen = [c for c, p in HEH_GAIN_PROB.items() if rng.random() < p]
            extra = len(chosen) + (
                1 if "chr21" in chosen and rng.random() < HEH_TETRASOMY_21_PROB else 0
            )
            if 51 <= 46 + extra <= 67:
                break
        gains = sorted(chosen, key=CHROMS.index)
        for c in gains:
            _whole_chrom(segs, c, lambda cn, mi: (cn + 1, mi))
        if extra > len(chosen):
            _whole_chrom(segs, "chr21", lambda cn, mi: (cn + 1, 2 if rng.random() < 0.7 else 1))
            gains.append("chr21")
        klass = "high_hyperdiploid"
    elif subtype in ("Near haploid", "Low hypodiploid"):
        if subtype == "Near haploid":
            modal = int(rng.integers(24, 32))  # 24-31 (Holmfeldt 2013)
            keep = [c for c in NEAR_HAPLOID_RETAINED if c in CHROMS]
            cand = [c for c in AUTOSOMES if c not in keep]
            n_loss = 46 - modal - 1  # one sex chromosome is lost too
            n_loss = min(max(n_loss, 0), len(cand))
            losses = sorted(rng.choice(cand, size=n_loss, replace=False).tolist(), key=CHROMS.index)
            klass = "near_haploid"
        else:
            modal = int(rng.integers(32, 40))  # 32-39
            w = np.array([LOW_HYPO_LOSS_WEIGHT[c] for c in AUTOSOMES])
            losses = sorted(
                rng.choice(AUTOSOMES, size=46 - modal, replace=False, p=w / w.sum()).tolist(),
                key=CHROMS.index,
            )
            klass = "low_hypodiploid"
        for c in losses:
            _whole_chrom(segs, c, lambda cn, mi: (max(cn - 1, 0), 0))
        if subtype == "Near haploid":
            # sex chromosomes: keep one X (female loses one X; male keeps X, loses Y)
            # (PAR1 is modelled on chrX as X + Y copies, so it drops to one copy either way)
            _whole_chrom(segs, "chrX", lambda cn, mi: (1, 0))
            if sex == "F":
                losses.append("chrX")
            else:
                segs["chrY"] = []
                losses.append("chrY")
        doubled = rng.random() < MASKED_HYPODIPLOID_PROB  # drawn always: streams stay put
        if doubled if masked_hypodiploid is None else masked_hypodiploid:
            masked = True
            for c in CHROMS:
                segs[c] = [[s, e, cn * 2, mi * 2] for s, e, cn, mi in segs[c]]
    elif subtype == "iAMP21":
        # Complex chr21 pattern: proximal gain, RUNX1 region amplified (>= 3 extra copies,
        # S45), the 36.07-37.64 Mb common amplicon highest, distal loss (S13, MARKERS.md).
        j = lambda: int(rng.integers(-400_000, 400_000))  # noqa: E731
        amp_cn = int(rng.integers(6, 9))  # RUNX1 region >= 3 extra copies (S45)
        _set_region(segs, "chr21", 14_000_000 + j(), 30_000_000 + j(), lambda cn, mi: (3, 1))
        _set_region(
            segs, "chr21", 33_600_000 + j(), 38_000_000 + j(), lambda cn, mi: (amp_cn - 1, 1)
        )
        _set_region(segs, "chr21", 36_070_000, 37_640_000, lambda cn, mi: (amp_cn, 1))
        _set_region(segs, "chr21", 40_500_000 + j(), CHROM_LENGTHS["chr21"], lambda cn, mi: (1, 0))
        if rng.random() < 0.5:  # +X is common in iAMP21 (UNVERIFIED share)
            _set_region(
                segs, "chrX", PAR1[2] + 1, CHROM_LENGTHS["chrX"], lambda cn, mi: (cn + 1, mi)
            )
            gains.append("chrX")
    elif subtype in ("unclassified",) and rng.random() < 0.2:
        # low hyperdiploid 47-50 among B-other (UNVERIFIED share)
        low = rng.choice(["chr21", "chrX", "chr14", "chr6", "chr18", "chr4", "chr10"],
                         size=int(rng.integers(1, 5)), replace=False)  # fmt: skip
        gains = sorted(low.tolist(), key=CHROMS.index)
        for c in gains:
            _whole_chrom(segs, c, lambda cn, mi: (cn + 1, mi))
        klass = "low_hyperdiploid"
    # arm-level background event
    if rng.random() < ARM_EVENT_RATE:
        c = str(rng.choice(AUTOSOMES))
        arm_p = rng.random() < 0.5
        s, e = (1, CENTROMERE_MID[c]) if arm_p else (CENTROMERE_MID[c] + 1, CHROM_LENGTHS[c])
        if rng.random() < 0.5:
            _set_region(segs, c, s, e, lambda cn, mi: (cn + 1, mi))
        else:
            _set_region(segs, c, s, e, lambda cn, mi: (max(cn - 1, 0), 0))
    return {"gains": gains, "losses": losses, "masked": masked, "klass": klass}


def _modal_number(segs, sex: str) -> int:
    """Chromosome count: per chromosome, the copy number covering most of its length."""
    total = 0
    for c in CHROMS:
        if not segs[c]:
            continue
        lengths: dict[int, int] = {}
        for s, e, cn, _ in segs[c]:
            if c == "chrX" and e <= PAR1[2]:
                continue
            lengths[cn] = lengths.get(cn, 0) + (e - s + 1)
        if lengths:
            total += max(lengths, key=lambda k: (lengths[k], -k))
    return total


_SPANS: dict[tuple[int, str], tuple[str, int, int, str]] = {}


def gene_span(genes: pd.DataFrame, sym: str) -> tuple[str, int, int, str]:
    """(chrom, start, end, strand) of a gene of the gene table (cached per table)."""
    key = (id(genes), sym)
    hit = _SPANS.get(key)
    if hit is None:
        r = genes.loc[sym]
        hit = (str(r["chrom"]), int(r["start"]), int(r["end"]), str(r["strand"]))
        _SPANS[key] = hit
    return hit


def _gene_span(genes: pd.DataFrame, sym: str) -> tuple[str, int, int]:
    return gene_span(genes, sym)[:3]


def _focal(rng: np.random.Generator, subtype: str, segs, genes, rates) -> dict[str, str]:
    """Place focal deletions; returns lesion -> description for the truth table."""
    out: dict[str, str] = {}

    def p(lesion: str) -> float:
        r = rates[lesion]
        return r.get(subtype, r["default"])

    if rng.random() < p("IKZF1"):
        ex = load_lesion_exons()
        ex = ex[ex["gene"] == "IKZF1"].set_index("exon")
        kinds = list(IKZF1_TYPES)
        kind = str(
            rng.choice(kinds, p=np.array(list(IKZF1_TYPES.values())) / sum(IKZF1_TYPES.values()))
        )

        def intron(a: int) -> int:  # a position inside intron a (between exon a and a+1)
            lo, hi = int(ex.loc[a, "end"]) + 200, int(ex.loc[a + 1, "start"]) - 200
            return int(rng.integers(lo, hi))

        c, gs, ge = _gene_span(genes, "IKZF1")
        before = gs - int(rng.integers(20_000, 600_000))
        after = ge + int(rng.integers(20_000, 600_000))
        start, end = {
            "whole gene (Δ1–8)": (before, after),
            "Δ4–7": (intron(3), intron(7)),
            "Δ2–7": (intron(1), intron(7)),
            "Δ2–8": (intron(1), after),
            "Δ4–8": (intron(3), after),
            "Δ2–3": (intron(1), intron(3)),
        }[kind]
        hom = rng.random() < IKZF1_HOMOZYGOUS_PROB
        _set_region(segs, c, start, end, _del_all if hom else _del_het)
        out["IKZF1"] = f"{kind}{' homozygous' if hom else ''} {c}:{start}-{end}"
    if rng.random() < p("CDKN2A/B"):
        c, a_s, a_e = _gene_span(genes, "CDKN2A")
        _, b_s, b_e = _gene_span(genes, "CDKN2B")
        only_a = rng.random() < CDKN2A_ONLY_PROB
        right = (
            (b_s - int(rng.integers(500, 5_000)))
            if only_a
            else b_e + int(rng.integers(5_000, 3_000_000))
        )
        left = a_s - int(rng.integers(5_000, 3_000_000))
        _set_region(segs, c, left, right, _del_het)
        desc = f"{'CDKN2A-only' if only_a else 'CDKN2A+CDKN2B'} {c}:{left}-{right}"
        if rng.random() < CDKN2_BIALLELIC_PROB:
            l2 = int(rng.integers(left, a_s - 1_000))
            r2 = (
                int(rng.integers(a_e + 1_000, right))
                if only_a
                else int(rng.integers(b_e + 1_000, right))
            )
            _set_region(segs, c, l2, r2, _del_all)
            desc += f"; homozygous core {c}:{l2}-{r2}"
        out["CDKN2A/B"] = desc
    for gene in ("PAX5", "ETV6", "RB1", "BTG1", "EBF1"):
        if rng.random() < p(gene):
            c, s, e = _gene_span(genes, gene)
            if gene in ("PAX5", "ETV6", "RB1") and rng.random() < 0.5:
                # intragenic deletion of part of the gene (exon-level)
                L = e - s
                a = s + int(rng.integers(int(0.05 * L), int(0.5 * L)))
                b = a + int(rng.integers(int(0.1 * L), int(0.45 * L)))
                kind = "intragenic"
            else:
                a = s - int(rng.integers(10_000, 800_000))
                b = e + int(rng.integers(10_000, 800_000))
                kind = "whole gene"
            _set_region(segs, c, a, b, _del_het)
            out[gene] = f"{kind} {c}:{a}-{b}"
    if rng.random() < p("PAR1"):
        out["PAR1"] = _par1_deletion(rng, segs, genes)
    if rng.random() < p("ERG"):
        c, s, e = _gene_span(genes, "ERG")
        L = e - s
        a = s + int(rng.integers(int(0.2 * L), int(0.5 * L)))
        b = a + int(rng.integers(int(0.1 * L), int(0.35 * L)))
        _set_region(segs, c, a, b, _del_het)
        out["ERG"] = f"intragenic {c}:{a}-{b}"
    return out


def _par1_deletion(rng: np.random.Generator, segs, genes) -> str:
    """PAR1 deletion creating P2RY8::CRLF2: CSF2RA..P2RY8 lost, CRLF2 retained (DOMAIN §8)."""
    _, _, crlf2_end = _gene_span(genes, "CRLF2")
    _, p2_s, p2_e = _gene_span(genes, "P2RY8")
    a = crlf2_end + int(rng.integers(1_000, 30_000))
    b = int(rng.integers(p2_s + (p2_e - p2_s) // 3, p2_e - 2_000))
    _set_region(segs, "chrX", a, b, _del_het)
    return f"P2RY8::CRLF2 deletion chrX:{a}-{b}"


def simulate_genome(
    rng: np.random.Generator,
    *,
    subtype: str,
    sex: str,
    genes: pd.DataFrame,
    lesion_rates: dict[str, dict[str, float]] | None = None,
    force_par1: bool = False,
    masked_hypodiploid: bool | None = None,
) -> Genome:
    """Simulate one sample's tumour genome.

    Parameters
    ----------
    rng
        The sample's random generator.
    subtype
        Truth subtype label (``allstrat.contracts``) or ``"unclassified"``.
    sex
        ``"M"`` or ``"F"``.
    genes
        The gene table (``GeneTable.table``), for lesion gene coordinates.
    lesion_rates
        Override of :data:`LESION_RATES` (same structure).
    force_par1
        Always place a PAR1 (P2RY8::CRLF2) deletion, e.g. for CRLF2-r Ph-like.
    masked_hypodiploid
        Near-haploid / low-hypodiploid genomes: force (True) or forbid (False) the
        doubling; None draws it with :data:`MASKED_HYPODIPLOID_PROB` (benchmarks force it).

    Returns
    -------
    Genome
        Segments, karyotype class, modal number, lesion descriptions.
    """
    rates = lesion_rates or LESION_RATES
    segs = _base_segments(sex)
    k = _karyotype(rng, subtype, sex, segs, masked_hypodiploid)
    lesions = _focal(rng, subtype, segs, genes, rates)
    if force_par1 and "PAR1" not in lesions:
        lesions["PAR1"] = _par1_deletion(rng, segs, genes)
    modal = _modal_number(segs, sex)
    klass = k["klass"]
    if subtype in ("Near haploid", "Low hypodiploid"):
        pass  # class is the underlying (pre-doubling) one even when masked
    elif 47 <= modal <= 50 and klass == "diploid":
        klass = "low_hyperdiploid"
    elif modal >= 51 and klass == "diploid":
        klass = "high_hyperdiploid"
    flat = [(c, s, e, cn, mi) for c in CHROMS for s, e, cn, mi in segs[c]]
    return Genome(
        sex=sex,
        segments=flat,
        karyotype_class=klass,
        modal_number=modal,
        masked_hypodiploid=k["masked"],
        gains=k["gains"],
        losses=k["losses"],
        lesions=lesions,
    )


def chrom_groups(chrom: np.ndarray) -> dict[str, np.ndarray]:
    """Row indices per chromosome (precompute once for repeated :func:`copy_number_at`)."""
    return {str(c): np.flatnonzero(chrom == c) for c in pd.unique(chrom)}


def copy_number_at(
    segments: list[tuple[str, int, int, int, int]],
    chrom: np.ndarray,
    pos: np.ndarray,
    *,
    groups: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Tumour copy number at each (chrom, pos); 0 where no segment covers the position.

    Positions not covered (e.g. chrY in a female genome) get copy number 0. ``groups``
    (from :func:`chrom_groups`) avoids re-scanning ``chrom`` for every sample.
    """
    out = np.zeros(len(pos), dtype=np.int16)
    by_chrom: dict[str, list[tuple[int, int, int]]] = {}
    for c, s, e, cn, _ in segments:
        by_chrom.setdefault(c, []).append((s, e, cn))
    if groups is None:
        groups = chrom_groups(chrom)
    for c, segs in by_chrom.items():
        idx = groups.get(c)
        if idx is None:
            continue
        starts = np.array([s for s, _, _ in segs])
        ends = np.array([e for _, e, _ in segs])
        cns = np.array([cn for _, _, cn in segs])
        k = np.searchsorted(starts, pos[idx], side="right") - 1
        ok = (k >= 0) & (pos[idx] <= ends[np.clip(k, 0, None)])
        out[idx[ok]] = cns[k[ok]]
    return out


def normal_cn_array(chrom: np.ndarray, pos: np.ndarray, sex: str) -> np.ndarray:
    """Vectorised :func:`normal_cn` (cache the result per sex for repeated use)."""
    out = np.full(len(pos), 2, dtype=np.int16)
    in_par = (pos >= PAR1[1]) & (pos <= PAR1[2])
    x = chrom == "chrX"
    y = chrom == "chrY"
    if sex == "M":
        out[x & ~in_par] = 1
        out[y & ~in_par] = 1
        out[y & in_par] = 0
    else:
        out[y] = 0
    return out
