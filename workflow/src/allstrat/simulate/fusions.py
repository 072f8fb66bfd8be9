"""Fusion-caller output for simulated samples in each caller's own layout.

Arriba ``fusions.tsv``, STAR-Fusion ``fusion_predictions.abridged.tsv``, FusionCatcher
``final-list_candidate-fusion-genes.txt``, CICERO ``final_fusions.txt`` and JAFFA
``jaffa_results.csv`` (the headers of :mod:`allstrat.io.fusions`' readers; each caller's
own filter vocabulary: FusionCatcher labels, CICERO rating/medal, JAFFA classes).

Each sample's true fusions (the defining fusion of its subtype, Ph-like kinase fusions,
P2RY8::CRLF2 from a PAR1 deletion) are detected per caller with a realistic miss rate:
immunoglobulin-partner fusions (IGH::CRLF2, IGH::EPOR, IGH::DUX4, IGH::MYC/BCL2/CEBPE)
are often missed by RNA fusion callers, DUX4 fusions especially (D4Z4 repeats,
DOMAIN.md §4). False positives: recurrent benign read-through / artefact calls, and
rarely a low-support call of a real driver pair (index hopping). Detection rates are
modelling choices (UNVERIFIED).

Breakpoints are synthetic positions inside the partner genes (GRCh38); IGH breakpoints
lie in the IGH constant/J region of chr14 (IGH is not in the bundled gene table).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allstrat.simulate.genome import gene_span

DETECTION = {"default": 0.92, "IGH": 0.3, "DUX4": 0.12, "P2RY8::CRLF2": 0.8}
CALLER_FACTOR = {
    "arriba": 1.0,
    "starfusion": 0.95,
    "fusioncatcher": 0.97,
    "cicero": 0.95,
    "jaffa": 0.85,  # transcriptome-based: misses more breakpoints in introns / IG loci
}
CALLERS = tuple(CALLER_FACTOR)
READ_THROUGH = frozenset({("CTBS", "GNG5"), ("PPIL6", "SLC22A16"), ("TFG", "ADGRG7")})
FALSE_POSITIVE_RATE = 0.6  # mean benign artefact calls per sample (Poisson)
FALSE_DRIVER_RATE = 0.01  # low-support false driver call per sample
BENIGN = (
    ("KANSL1", "ARL17A"),
    ("CTBS", "GNG5"),
    ("TFG", "ADGRG7"),
    ("SLC29A1", "HSP90AB1"),
    ("PPIL6", "SLC22A16"),
    ("AKAP13", "PDE8A"),
)
DRIVER_PAIRS = (("ETV6", "RUNX1"), ("BCR", "ABL1"), ("KMT2A", "AFF1"), ("TCF3", "PBX1"))
IGH_REGION = ("chr14", 105_586_437, 105_939_756, "-")  # IGH constant + J genes (approx.)
FUSION_CALL_COLUMNS = (
    "sample_id",
    "gene5",
    "gene3",
    "chrom5",
    "pos5",
    "strand5",
    "chrom3",
    "pos3",
    "strand3",
    "type",
    "split_reads",
    "discordant",
    "true_fusion",
)


def _gene_pos(genes: pd.DataFrame, gene: str, frac: float) -> tuple[str, int, str]:
    """A position ``frac`` of the way from the gene's 5' end."""
    if gene == "IGH":
        c, s, e, strand = IGH_REGION
    else:
        c, s, e, strand = gene_span(genes, gene)
    pos = int(s + frac * (e - s)) if strand == "+" else int(e - frac * (e - s))
    return c, pos, strand


def _fusion_type(c5: str, p5: int, s5: str, c3: str, p3: int, s3: str) -> str:  # noqa: PLR0917 - the two breakpoints (chrom, pos, strand) x 2
    if c5 != c3:
        return "translocation"
    if s5 != s3:
        return "inversion"
    return "deletion/read-through" if (p5 < p3) == (s5 == "+") else "duplication"


def call_fusions(
    *,
    sample_id: str,
    true_fusions: list[str],
    blast_fraction: float,
    library_size: int,
    genes: pd.DataFrame,
    caller: str,
    rng: np.random.Generator,
) -> list[tuple]:
    """What one caller reports for one sample: rows of :data:`FUSION_CALL_COLUMNS`."""
    rows = []
    depth = blast_fraction * library_size / 30e6

    def add(g5: str, g3: str, *, true: bool, reads_mean: float) -> None:
        c5, p5, s5 = _gene_pos(genes, g5, rng.uniform(0.2, 0.8))
        c3, p3, s3 = _gene_pos(genes, g3, rng.uniform(0.1, 0.6))
        split = int(rng.negative_binomial(2, 2 / (2 + reads_mean)))
        disc = int(rng.negative_binomial(2, 2 / (2 + reads_mean / 2)))
        if split + disc == 0:
            split = 1
        rows.append((sample_id, g5, g3, c5, p5, s5, c3, p3, s3,
                     _fusion_type(c5, p5, s5, c3, p3, s3), split, disc, true))  # fmt: skip

    for fusion in true_fusions:
        g5, g3 = fusion.split("::")
        if fusion in DETECTION:
            p = DETECTION[fusion]
        elif "DUX4" in (g5, g3):
            p = DETECTION["DUX4"]
        elif "IGH" in (g5, g3):
            p = DETECTION["IGH"]
        else:
            p = DETECTION["default"]
        if rng.random() < p * CALLER_FACTOR[caller]:
            add(g5, g3, true=True, reads_mean=max(1.0, 40 * depth))
    for _ in range(int(rng.poisson(FALSE_POSITIVE_RATE))):
        g5, g3 = BENIGN[int(rng.integers(len(BENIGN)))]
        if g5 in genes.index and g3 in genes.index:
            add(g5, g3, true=False, reads_mean=3.0)
    if rng.random() < FALSE_DRIVER_RATE:
        g5, g3 = DRIVER_PAIRS[int(rng.integers(len(DRIVER_PAIRS)))]
        if f"{g5}::{g3}" not in true_fusions:
            add(g5, g3, true=False, reads_mean=0.5)
    return rows


def _arriba_confidence(split: int, disc: int) -> str:
    total = split + disc
    return "high" if split >= 5 and total >= 8 else ("medium" if total >= 3 else "low")


def _ens(genes: pd.DataFrame, gene: str) -> str:
    if gene == "IGH" or gene not in genes.index:
        return "."
    ids = genes.loc[gene, "ensembl_ids"]
    return ids.split("|")[0] if ids else "."


ARRIBA_HEADER = (
    "#gene1", "gene2", "strand1(gene/fusion)", "strand2(gene/fusion)", "breakpoint1",
    "breakpoint2", "site1", "site2", "type", "split_reads1", "split_reads2",
    "discordant_mates", "coverage1", "coverage2", "confidence", "reading_frame", "tags",
    "retained_protein_domains", "closest_genomic_breakpoint1", "closest_genomic_breakpoint2",
    "gene_id1", "gene_id2", "transcript_id1", "transcript_id2", "direction1", "direction2",
    "filters", "fusion_transcript", "peptide_sequence", "read_identifiers",
)  # fmt: skip
STARFUSION_HEADER = (
    "#FusionName", "JunctionReadCount", "SpanningFragCount", "est_J", "est_S", "SpliceType",
    "LeftGene", "LeftBreakpoint", "RightGene", "RightBreakpoint", "LargeAnchorSupport",
    "FFPM", "LeftBreakDinuc", "LeftBreakEntropy", "RightBreakDinuc", "RightBreakEntropy",
    "annots",
)  # fmt: skip


def arriba_text(calls: pd.DataFrame, genes: pd.DataFrame, rng: np.random.Generator) -> str:
    """Arriba ``fusions.tsv`` text (header-only when nothing was called)."""
    lines = ["\t".join(ARRIBA_HEADER)]
    for r in calls.itertuples(index=False):
        s1 = int(rng.binomial(r.split_reads, 0.5))
        s2 = r.split_reads - s1
        d1 = "downstream" if r.strand5 == "+" else "upstream"
        d2 = "upstream" if r.strand3 == "+" else "downstream"
        fields = [
            r.gene5, r.gene3, f"{r.strand5}/{r.strand5}", f"{r.strand3}/{r.strand3}",
            f"{r.chrom5}:{r.pos5}", f"{r.chrom3}:{r.pos3}", "splice-site", "splice-site",
            r.type, str(s1), str(s2), str(r.discordant),
            str(int(rng.integers(20, 400))), str(int(rng.integers(20, 400))),
            _arriba_confidence(r.split_reads, r.discordant),
            "in-frame" if r.true_fusion else ".", ".", ".", ".", ".",
            _ens(genes, r.gene5), _ens(genes, r.gene3), ".", ".", d1, d2, ".", ".", ".", ".",
        ]  # fmt: skip
        lines.append("\t".join(map(str, fields)))
    return "\n".join(lines) + "\n"


def starfusion_text(
    calls: pd.DataFrame, genes: pd.DataFrame, library_size: int, rng: np.random.Generator
) -> str:
    """STAR-Fusion ``star-fusion.fusion_predictions.abridged.tsv`` text."""
    lines = ["\t".join(STARFUSION_HEADER)]
    for r in calls.itertuples(index=False):
        left = "IGH@^IGH@" if r.gene5 == "IGH" else f"{r.gene5}^{_ens(genes, r.gene5)}"
        right = "IGH@^IGH@" if r.gene3 == "IGH" else f"{r.gene3}^{_ens(genes, r.gene3)}"
        ffpm = (r.split_reads + r.discordant) / max(library_size / 2, 1) * 1e6
        fields = [
            f"{r.gene5}--{r.gene3}", r.split_reads, r.discordant, f"{r.split_reads:.2f}",
            f"{r.discordant:.2f}", "ONLY_REF_SPLICE", left, f"{r.chrom5}:{r.pos5}:{r.strand5}",
            right, f"{r.chrom3}:{r.pos3}:{r.strand3}",
            "YES_LDAS" if r.split_reads >= 2 else "NO_LDAS", f"{ffpm:.4f}", "GT",
            f"{rng.uniform(1.6, 2.0):.4f}", "AG", f"{rng.uniform(1.6, 2.0):.4f}", "[]",
        ]  # fmt: skip
        lines.append("\t".join(map(str, fields)))
    return "\n".join(lines) + "\n"


FUSIONCATCHER_HEADER = (
    "Gene_1_symbol(5end_fusion_partner)", "Gene_2_symbol(3end_fusion_partner)",
    "Fusion_description", "Counts_of_common_mapping_reads", "Spanning_pairs",
    "Spanning_unique_reads", "Longest_anchor_found", "Fusion_finding_method",
    "Fusion_point_for_gene_1(5end_fusion_partner)", "Fusion_point_for_gene_2(3end_fusion_partner)",
    "Gene_1_id(5end_fusion_partner)", "Gene_2_id(3end_fusion_partner)",
    "Exon_1_id(5end_fusion_partner)", "Exon_2_id(3end_fusion_partner)", "Fusion_sequence",
    "Predicted_effect", "Predicted_fused_transcripts", "Predicted_fused_proteins",
)  # fmt: skip
CICERO_HEADER = (
    "sample", "geneA", "chrA", "posA", "ortA", "featureA", "geneB", "chrB", "posB", "ortB",
    "featureB", "sv_ort", "readsA", "readsB", "matchA", "matchB", "repeatA", "repeatB",
    "coverageA", "coverageB", "ratioA", "ratioB", "qposA", "qposB", "total_readsA",
    "total_readsB", "contig", "type", "score", "rating", "medal", "functional effect", "frame",
)  # fmt: skip
JAFFA_HEADER = (
    "sample", "fusion genes", "chrom1", "base1", "strand1", "chrom2", "base2", "strand2",
    "gap (kb)", "spanning pairs", "spanning reads", "inframe", "aligns", "rearrangement",
    "contig", "contig break", "classification", "known",
)  # fmt: skip
_SEQ = "ACGT"


def _seq(rng: np.random.Generator, n: int) -> str:
    return "".join(_SEQ[i] for i in rng.integers(0, 4, n))


def _known(r) -> bool:
    return bool(r.true_fusion) or (r.gene5, r.gene3) in DRIVER_PAIRS


def _fc_labels(r) -> str:
    if (r.gene5, r.gene3) in READ_THROUGH:
        return "readthrough,adjacent,healthy,bodymap2,1K<gap<10K"
    if not _known(r):
        return "banned,healthy,gtex"
    return "known,oncogene,cosmic,mitelman,chimerdb3kb,cancer,tumor,exon-exon"


def fusioncatcher_text(calls: pd.DataFrame, genes: pd.DataFrame, rng: np.random.Generator) -> str:
    """FusionCatcher ``final-list_candidate-fusion-genes.txt`` (GRCh38) text."""
    lines = ["\t".join(FUSIONCATCHER_HEADER)]
    for r in calls.itertuples(index=False):
        sym5 = "IGH@" if r.gene5 == "IGH" else r.gene5
        sym3 = "IGH@" if r.gene3 == "IGH" else r.gene3
        id5 = "" if r.gene5 == "IGH" else _ens(genes, r.gene5).replace(".", "")
        id3 = "" if r.gene3 == "IGH" else _ens(genes, r.gene3).replace(".", "")
        fields = [
            sym5, sym3, _fc_labels(r), "0", r.discordant, r.split_reads,
            int(rng.integers(18, 50)) if r.split_reads else 0,
            "BOWTIE" if rng.random() < 0.7 else "BOWTIE+BLAT",
            f"{r.chrom5.removeprefix('chr')}:{r.pos5}:{r.strand5}",
            f"{r.chrom3.removeprefix('chr')}:{r.pos3}:{r.strand3}",
            id5, id3, "", "", f"{_seq(rng, 30)}*{_seq(rng, 30)}",
            "in-frame" if r.true_fusion else "CDS(truncated)/UTR", "", "",
        ]  # fmt: skip
        lines.append("\t".join(map(str, fields)))
    return "\n".join(lines) + "\n"


def _cicero_type(r) -> str:
    if (r.gene5, r.gene3) in READ_THROUGH:
        return "read_through"
    return {"translocation": "CTX", "inversion": "ITX", "duplication": "INS"}.get(r.type, "DEL")


def cicero_text(calls: pd.DataFrame, sample_id: str, rng: np.random.Generator) -> str:
    """CICERO ``final_fusions.txt`` (GRCh38_no_alt) text, with CICERO's rating and medal."""
    lines = ["\t".join(CICERO_HEADER)]
    for r in calls.itertuples(index=False):
        ra = int(rng.binomial(r.split_reads, 0.55))
        rb = r.split_reads - ra
        sv_type = _cicero_type(r)
        medal = 4 if (r.gene5, r.gene3) in DRIVER_PAIRS else (2 if r.true_fusion else 0)
        if sv_type == "read_through":
            rating = "RT"
        elif medal == 4:
            rating = "HQ"  # rank_SVs.pl: a known fusion is HQ whatever its reads
        elif ra + rb <= 2:
            rating = "bad"
        else:
            rating = "HQ" if r.true_fusion else "LQ"
        score = (ra + rb) * rng.uniform(2.0, 6.0) * (2 if r.true_fusion else 0.3)
        fields = [
            sample_id, r.gene5, r.chrom5, r.pos5, r.strand5, "coding", r.gene3, r.chrom3,
            r.pos3, r.strand3, "coding", ">" if r.true_fusion else "?", ra, rb,
            int(rng.integers(60, 100)), int(rng.integers(60, 100)), "0.000", "0.000",
            int(rng.integers(100, 200)), int(rng.integers(100, 200)),
            f"{rng.uniform(0.05, 0.6):.3f}", f"{rng.uniform(0.05, 0.6):.3f}",
            int(rng.integers(30, 70)), int(rng.integers(30, 70)),
            int(rng.integers(40, 400)), int(rng.integers(40, 400)), _seq(rng, 60), sv_type,
            f"{score:.2f}", rating, medal, "Fusion", 1 if r.true_fusion else 0,
        ]  # fmt: skip
        lines.append("\t".join(map(str, fields)))
    return "\n".join(lines) + "\n"


def _jaffa_class(r) -> str:
    if (r.gene5, r.gene3) in READ_THROUGH:
        return "PotentialRunThrough"
    if r.split_reads >= 2 and r.discordant >= 1:
        return "HighConfidence"
    return "MediumConfidence" if r.split_reads >= 2 else "LowConfidence"


def jaffa_text(calls: pd.DataFrame, sample_id: str, rng: np.random.Generator) -> str:
    """JAFFA ``jaffa_results.csv`` text (JAFFA >= 2.0 columns, quoted as R writes them)."""
    lines = [",".join(f'"{h}"' for h in JAFFA_HEADER)]
    for r in calls.itertuples(index=False):
        gap = "Inf" if r.chrom5 != r.chrom3 else f"{abs(r.pos5 - r.pos3) / 1000:.3f}"
        pairs = f'"{r.discordant}"' if r.discordant else '"-"'
        truth = "TRUE" if r.true_fusion else "FALSE"
        fields = [
            f'"{sample_id}"', f'"{r.gene5}:{r.gene3}"', f'"{r.chrom5}"', r.pos5,
            f'"{r.strand5}"', f'"{r.chrom3}"', r.pos3, f'"{r.strand3}"', gap, pairs,
            r.split_reads, truth, "TRUE", truth,
            f'"SIM:1:{int(rng.integers(1000, 9999))}:{int(rng.integers(1000, 9999))}/1"',
            int(rng.integers(50, 300)), f'"{_jaffa_class(r)}"',
            '"Yes"' if _known(r) else '"-"',
        ]  # fmt: skip
        lines.append(",".join(map(str, fields)))
    return "\n".join(lines) + "\n"
