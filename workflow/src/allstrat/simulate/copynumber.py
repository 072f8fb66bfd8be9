"""Observed copy-number data from a simulated genome: array/WGS segments and MLPA ratios.

Segments: for each true segment with tumour copy number ``cn`` (normal ``n``) and blast
fraction ``f`` the expected ratio is ``(f*cn + (1-f)*n) / n`` (DOMAIN.md §2, derived);
the reported log2 adds segment-mean noise (per-probe SD / sqrt(probes)) and, like real
array/WGS pipelines, is centred on the genome-wide median -- so a hyperdiploid genome's
diploid chromosomes sit *below* zero. BAF is the mirrored minor-allele fraction of
heterozygous SNPs (0-0.5): LOH -> towards 0, undefined on single-copy male X/Y.

MLPA (SALSA P335-like): probes on IKZF1 exons 1-8, CDKN2A/B, PAX5, ETV6, RB1, BTG1,
EBF1 and PAR1 (CSF2RA, IL3RA, CRLF2, P2RY8) plus reference probes; ratio = expected
ratio normalised by the reference probes, + N(0, 0.05) noise (DOMAIN.md §2: 1 - f/2
heterozygous, 1 - f homozygous). ERG is not in P335 (S23): an ERG probe set "from a
second kit" is added for some samples only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from allstrat.simulate.genome import (
    PAR1,
    Genome,
    chrom_groups,
    copy_number_at,
    load_lesion_exons,
    normal_cn,
)

PROBE_SPACING = 10_000  # bp per probe (SNP-array-like density)
PROBE_SD = 0.25  # per-probe log2 noise; segment mean SD = PROBE_SD / sqrt(n_probes)
SAMPLE_SD = (0.01, 0.04)  # per-sample systematic segment noise range
BAF_SD = 0.015
MLPA_SD = 0.05  # DOMAIN.md brief: ratio noise SD ~0.05
# Probe placement: IKZF1 exon midpoints come from resources/genes/lesion_exons_grch38.tsv;
# other genes' probes are placed along the gene span by exon number (5'->3' on the
# gene's strand) -- derived positions (UNVERIFIED), enough for simulation.
P335_GENES: dict[str, tuple[int, ...]] = {
    "CDKN2A": (1, 2),
    "CDKN2B": (1, 2),
    "PAX5": (1, 2, 5, 6, 7, 8, 10),
    "ETV6": (1, 2, 3, 5, 8),
    "RB1": (6, 14, 19, 24, 26),
    "BTG1": (1, 2),
    "EBF1": (1, 10, 14, 16),
    "CSF2RA": (3, 6),
    "IL3RA": (1, 3),
    "CRLF2": (4,),
    "P2RY8": (2,),
}
EXON_COUNTS = {"CDKN2A": 3, "CDKN2B": 2, "PAX5": 10, "ETV6": 8, "RB1": 27, "BTG1": 2,
               "EBF1": 16, "CSF2RA": 13, "IL3RA": 12, "CRLF2": 6, "P2RY8": 2,
               "ERG": 11}  # fmt: skip
ERG_EXONS = (2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
# Reference probes: genes on chromosomes rarely gained/lost in ALL (kits use similar).
REFERENCE_GENES = ("MSH2", "MLH1", "ATM", "TSC2", "LDLR", "NF2", "BRCA2", "SMAD4", "VHL")
MLPA_ERG_KIT_PROB = 0.6  # share of MLPA samples that also ran an ERG probe set


SEGMENT_COLUMNS = ("chrom", "start", "end", "n_probes", "log2", "baf", "cn", "minor", "normal_cn")


def observe_segments(
    genome: Genome,
    *,
    blast_fraction: float,
    rng: np.random.Generator,
    probe_spacing: int = PROBE_SPACING,
) -> list[tuple]:
    """Segments as an array/WGS pipeline would report them for one sample.

    Returns
    -------
    list of tuple
        Rows of :data:`SEGMENT_COLUMNS`: ``chrom, start, end`` (1-based inclusive),
        ``n_probes``, ``log2`` (median-centred), ``baf`` (mirrored minor-allele fraction,
        NaN where undefined), and the truth ``cn``, ``minor``, ``normal_cn``.
    """
    f = blast_fraction
    sample_sd = rng.uniform(*SAMPLE_SD)
    rows: list[list[Any]] = []
    for c, s, e, cn, mi in genome.segments:
        n = normal_cn(c, genome.sex, (s + e) // 2)
        if n == 0:
            continue
        probes = max(1, (e - s + 1) // probe_spacing)
        ratio = (f * cn + (1 - f) * n) / n
        noise = rng.normal(0, PROBE_SD / np.sqrt(probes)) + rng.normal(0, sample_sd)
        log2 = float(np.log2(max(ratio, 1e-3)) + noise)
        baf = np.nan
        if n == 2:
            total = f * cn + (1 - f) * 2
            if total > 0:
                sd = BAF_SD / np.sqrt(min(probes, 50) / 5 + 1)
                baf = float(np.clip((f * mi + (1 - f)) / total + rng.normal(0, sd), 0, 0.5))
        rows.append([c, s, e, probes, log2, baf, cn, mi, n])
    auto = [r for r in rows if r[0] not in ("chrX", "chrY")]
    centre = _weighted_median(
        np.array([r[4] for r in auto]), np.array([r[2] - r[1] + 1 for r in auto], dtype=float)
    )
    for r in rows:
        r[4] = round(r[4] - centre, 4)
        r[5] = round(r[5], 4)
    return [tuple(r) for r in rows]


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cw = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cw, cw[-1] / 2)])


def mlpa_probes(genes: pd.DataFrame, *, with_erg: bool) -> pd.DataFrame:
    """The probe set (P335-like, optionally + ERG): probe, gene, exon, chrom, position."""
    rows: list[tuple[Any, ...]] = []
    ex = load_lesion_exons()
    for _, r in ex[ex["gene"] == "IKZF1"].sort_values("exon").iterrows():
        rows.append((f"IKZF1-ex{int(r['exon']):02d}", "IKZF1", str(int(r["exon"])), r["chrom"],
                     int((r["start"] + r["end"]) // 2)))  # fmt: skip
    plan = dict(P335_GENES)
    if with_erg:
        plan["ERG"] = ERG_EXONS
    for gene, exons in plan.items():
        g = genes.loc[gene]
        s, e, strand = int(g["start"]), int(g["end"]), g["strand"]
        k = EXON_COUNTS[gene]
        for x in exons:
            frac = (x - 0.5) / k
            pos = int(s + frac * (e - s)) if strand == "+" else int(e - frac * (e - s))
            rows.append((f"{gene}-ex{x:02d}", gene, str(x), g["chrom"], pos))
    for gene in REFERENCE_GENES:
        g = genes.loc[gene]
        rows.append((f"REF-{gene}", gene, "", g["chrom"], int((g["start"] + g["end"]) // 2)))
    return pd.DataFrame(rows, columns=["probe", "gene", "exon", "chrom", "position"])


#: (id(probes), sex) -> (probes, layout). The probe frame itself is kept so its id can
#: never be reused by another frame while the entry exists (a bare id key once returned
#: a stale layout after garbage collection: an order-dependent test failure).
_LAYOUT: dict[tuple[int, str], tuple[pd.DataFrame, tuple]] = {}


def _probe_layout(probes: pd.DataFrame, sex: str) -> tuple:
    """Cached (chrom, pos, chrom groups, normal CN) of a probe set for ``sex``.

    ``sex == "ref"`` returns a 0/1 array marking reference probes in the last slot.
    """
    key = (id(probes), sex)
    cached = _LAYOUT.get(key)
    hit = cached[1] if cached is not None and cached[0] is probes else None
    if hit is None:
        chrom = probes["chrom"].to_numpy(dtype=object)
        pos = probes["position"].to_numpy(dtype=np.int64)
        if sex == "ref":
            n = probes["probe"].str.startswith("REF-").to_numpy().astype(float)
        else:
            n = np.array(
                [normal_cn(c, sex, int(q)) for c, q in zip(chrom, pos, strict=True)], dtype=float
            )
            # PAR1 probes: diploid in both sexes (X + Y copy)
            n[(chrom == "chrX") & (pos >= PAR1[1]) & (pos <= PAR1[2])] = 2
        hit = (chrom, pos, chrom_groups(chrom), n)
        _LAYOUT[key] = (probes, hit)
    return hit


def observe_mlpa(
    genome: Genome,
    *,
    blast_fraction: float,
    probes: pd.DataFrame,
    rng: np.random.Generator,
) -> np.ndarray:
    """Probe ratios for one sample (normalised by the reference probes), probe order."""
    chrom, pos, groups, n = _probe_layout(probes, genome.sex)
    cn = copy_number_at(genome.segments, chrom, pos, groups=groups).astype(float)
    f = blast_fraction
    ratio = np.where(n > 0, (f * cn + (1 - f) * n) / np.maximum(n, 1), 1.0)
    ref = _probe_layout(probes, "ref")[3] > 0
    ratio = ratio / np.median(ratio[ref])
    return np.clip(ratio + rng.normal(0, MLPA_SD, len(ratio)), 0, None).round(3)
