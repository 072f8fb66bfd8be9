"""Write a :class:`~allstrat.simulate.SimulatedCohort` in the real input formats.

Layouts (``write_cohort(..., layout=...)``):

``demo``
    A mixture like a multi-centre cohort: most samples in one cohort count matrix, a
    handful each as featureCounts, HTSeq-count, STAR ``ReadsPerGene.out.tab`` and salmon
    ``quant.genes.sf`` (Ensembl IDs in some, symbols in others); copy number mostly in
    one multi-sample SEG, some CNVkit ``.cns``, some MLPA probe-ratio tables, a few
    without DNA copy number; fusions from Arriba, STAR-Fusion, FusionCatcher, CICERO or JAFFA
    (mixed, some samples with two callers).
``cohort``
    Scales to 10,000+ samples: one ``counts.h5ad`` (AnnData, X = raw int32 counts; a
    10,000-sample TSV would take minutes to write and to re-parse per chunk), one SEG,
    one Arriba file per sample.

Every file is written atomically (``allstrat.io.output``); a cohort written twice from the
same seed is byte-identical. File layouts follow the tools' documented outputs
(featureCounts' ``# Program:`` line + 7 columns; STAR's four ``N_`` rows + 4 columns;
salmon ``Name Length EffectiveLength TPM NumReads``; HTSeq's ``__`` counter rows).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.io.gene_table import load_gene_table
from allstrat.io.output import atomic_path, write_text, write_tsv
from allstrat.simulate.cohort import SimulatedCohort
from allstrat.simulate.expression import gene_lengths
from allstrat.simulate.fusions import (
    arriba_text,
    cicero_text,
    fusioncatcher_text,
    jaffa_text,
    starfusion_text,
)
from allstrat.simulate.variants import hotspot_blocks, vcf_text, write_vcf

logger = logging.getLogger(__name__)

LAYOUTS = ("demo", "cohort")
SHEET_COLUMNS = (
    "sample_id",
    "expression",
    "expression_format",
    "copy_number",
    "copy_number_format",
    "fusions",
    "fusions_format",
    "variants",
    "variants_format",
    "genome_build",
    "blast_fraction",
)
# demo layout: per-sample expression formats cycle through this plan for the first
# samples; the rest go into the cohort matrix.
DEMO_EXPRESSION_PLAN = (
    ("featurecounts", "ensembl"),
    ("htseq", "ensembl"),
    ("star", "ensembl"),
    ("salmon", "ensembl"),
    ("salmon", "symbol"),
    ("featurecounts", "symbol"),
    ("htseq", "symbol"),
    ("star", "ensembl"),
)
N_PER_SAMPLE_FILES = 3  # featureCounts/HTSeq/STAR/salmon samples per format (about)


def _ensembl_ids(symbols: np.ndarray) -> np.ndarray:
    """One Ensembl gene ID per symbol that maps back to it uniquely ("" if none).

    Like a real GTF-based count file, every row has its own ID; genes without an
    unambiguous Ensembl ID are absent from Ensembl-ID files.
    """
    gt = load_gene_table()
    unique_ens, _, _ = gt.maps()
    ids = gt.table.loc[list(symbols), "ensembl_ids"].to_numpy(dtype=object)
    out = []
    seen: set[str] = set()
    for sym, cell in zip(symbols, ids, strict=True):
        pick = ""
        for e in filter(None, cell.split("|")):
            if unique_ens.get(e) == sym and e not in seen:
                pick = e
                break
        seen.add(pick)
        out.append(pick)
    return np.array(out, dtype=object)


def write_count_matrix(path: Path, counts: pd.DataFrame, *, id_name: str = "gene_symbol") -> None:
    """Genes x samples TSV with a gene ID column (for big cohorts prefer h5ad)."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("\t".join([id_name, *map(str, counts.columns)]) + "\n")
        values = counts.to_numpy()
        names = counts.index.to_numpy()
        step = 500
        for a in range(0, len(names), step):
            block = values[a : a + step].tolist()
            fh.write(
                "".join(
                    f"{n}\t" + "\t".join(map(str, r)) + "\n"
                    for n, r in zip(names[a : a + step], block, strict=True)
                )
            )


def write_count_h5ad(path: Path, counts: pd.DataFrame) -> None:
    """AnnData (obs = samples, var = genes, X = raw int32 counts); fast for big cohorts."""
    import anndata as ad

    x = np.ascontiguousarray(counts.to_numpy(dtype=np.int32).T)
    adata = ad.AnnData(
        X=x,
        obs=pd.DataFrame(index=pd.Index(counts.columns.astype(str), name="sample_id")),
        var=pd.DataFrame(index=pd.Index(counts.index.astype(str), name="gene")),
    )
    adata.uns["allstrat"] = {"simulated": True}
    with atomic_path(path) as tmp:
        adata.write_h5ad(tmp)


def _featurecounts(path: Path, sid: str, ids: np.ndarray, c: np.ndarray, genes, symbols) -> None:  # noqa: PLR0917 - private writer of one simulated file
    tbl = genes.loc[list(symbols)]
    lengths = gene_lengths(symbols)
    bam = f"{sid}.Aligned.sortedByCoord.out.bam"
    head = (
        f'# Program:featureCounts v2.0.6; Command:"featureCounts" "-T" "8" "-s" "2" "-p" '
        f'"--countReadPairs" "-a" "annotation.gtf" "-o" "{sid}.featureCounts.txt" "{bam}" \n'
    )
    body = pd.DataFrame(
        {
            "Geneid": ids,
            "Chr": tbl["chrom"].to_numpy(),
            "Start": tbl["start"].to_numpy(),
            "End": tbl["end"].to_numpy(),
            "Strand": tbl["strand"].to_numpy(),
            "Length": lengths,
            bam: c,
        }
    )
    write_text(path, head + body.to_csv(sep="\t", index=False, lineterminator="\n"))


def _htseq(path: Path, ids: np.ndarray, c: np.ndarray, rng: np.random.Generator) -> None:
    total = int(c.sum())
    tail = {
        "__no_feature": int(total * rng.uniform(0.04, 0.12)),
        "__ambiguous": int(total * rng.uniform(0.01, 0.03)),
        "__too_low_aQual": int(total * rng.uniform(0.005, 0.02)),
        "__not_aligned": 0,
        "__alignment_not_unique": int(total * rng.uniform(0.03, 0.1)),
    }
    lines = [f"{i}\t{v}\n" for i, v in zip(ids, c, strict=True)]
    lines += [f"{k}\t{v}\n" for k, v in tail.items()]
    write_text(path, "".join(lines))


def _star(path: Path, ids: np.ndarray, c: np.ndarray, rng: np.random.Generator) -> None:
    """Reverse-stranded library: column 4 carries the gene counts (like TruSeq stranded)."""
    total = int(c.sum())
    unstranded = c + rng.binomial(c, 0.03)  # overlapping antisense genes add reads
    sense = rng.binomial(c, 0.015)  # column 3 (read 1 on the gene strand): few reads
    head = [
        ("N_unmapped", int(total * rng.uniform(0.02, 0.06))),
        ("N_multimapping", int(total * rng.uniform(0.03, 0.1))),
    ]
    nofeat = (int(total * 0.06), int(total * 0.97), int(total * 0.07))
    ambig = (int(total * 0.05), int(total * 0.002), int(total * 0.004))
    lines = [f"{k}\t{v}\t{v}\t{v}\n" for k, v in head]
    lines.append("N_noFeature\t" + "\t".join(map(str, nofeat)) + "\n")
    lines.append("N_ambiguous\t" + "\t".join(map(str, ambig)) + "\n")
    lines += [f"{i}\t{u}\t{s}\t{r}\n" for i, u, s, r in zip(ids, unstranded, sense, c, strict=True)]
    write_text(path, "".join(lines))


def _salmon(path: Path, ids: np.ndarray, c: np.ndarray, symbols, rng) -> None:
    length = gene_lengths(symbols).astype(float)
    eff = np.maximum(length - 180.0, 50.0)
    reads = c + np.where(c > 0, rng.uniform(-0.45, 0.45, len(c)), 0.0)
    rate = reads / eff
    tpm = rate / rate.sum() * 1e6
    body = pd.DataFrame(
        {"Name": ids, "Length": length, "EffectiveLength": eff, "TPM": tpm, "NumReads": reads}
    )
    with atomic_path(path) as tmp:
        body.to_csv(tmp, sep="\t", index=False, float_format="%.3f", lineterminator="\n")


def _expression_plan(n: int, layout: str) -> list[tuple[str, str]]:
    """(format, id type) per sample index."""
    plan = [("matrix", "symbol")] * n
    if layout == "demo":
        k = min(len(DEMO_EXPRESSION_PLAN) * N_PER_SAMPLE_FILES // 2, max(0, n - 1))
        # spread per-sample files over the cohort rather than taking the first ids
        slots: Sequence[int] = np.linspace(0, n - 1, num=k, dtype=int).tolist() if k else []
        for j, i in enumerate(slots):
            plan[int(i)] = DEMO_EXPRESSION_PLAN[j % len(DEMO_EXPRESSION_PLAN)]
    return plan


CN_PATTERN = ("seg",) * 12 + ("cnvkit",) * 3 + ("mlpa",) * 3 + ("",) * 2
# mixed callers; some samples with two (";"-separated, as a lab running two callers would)
FUSION_FILE = {
    "arriba": "{sid}.arriba.fusions.tsv",
    "starfusion": "{sid}.star-fusion.fusion_predictions.abridged.tsv",
    "fusioncatcher": "{sid}/final-list_candidate-fusion-genes.txt",
    "cicero": "{sid}.cicero.final_fusions.txt",
    "jaffa": "{sid}.jaffa_results.csv",
}
FUSION_PATTERN = (
    "arriba",
    "starfusion",
    "fusioncatcher",
    "cicero",
    "jaffa",
    "arriba;fusioncatcher",
    "starfusion;cicero",
    "arriba",
    "jaffa;arriba",
    "",
)
# RNA variant calls of the samples that have them (cohort.variants): caller style, file
# suffix, "chr" contig names, VEP CSQ annotation; cycled in sample order. DeepVariant
# gVCFs carry reference blocks over the hotspots a sample does not carry (coverage).
VCF_PLAN = (
    ("gatk", ".vcf.gz", True, False),
    ("bcftools", ".vcf.gz", False, False),
    ("deepvariant", ".g.vcf.gz", True, True),
    ("strelka2", ".vcf", True, False),
    ("gatk", ".bcf", True, True),
)
BLAST_REPORTED_PROB = 0.8  # demo: share of samples whose sheet states a blast fraction
BLAST_MEASUREMENT_SD = 0.05  # morphology/flow vs true blast fraction


def _copy_number_plan(n: int, layout: str) -> list[str]:
    if layout == "cohort":
        return ["seg"] * n
    # a coprime stride spreads the formats over the cohort
    return [CN_PATTERN[(7 * i) % len(CN_PATTERN)] for i in range(n)]


def _fusion_plan(n: int, layout: str) -> list[str]:
    if layout == "cohort":
        return ["arriba"] * n
    return [FUSION_PATTERN[(3 * i) % len(FUSION_PATTERN)] for i in range(n)]


def _reported_blast(truth: pd.DataFrame, seed: int, layout: str) -> list[str]:
    out = []
    for i, f in enumerate(truth["blast_fraction"]):
        rng = np.random.default_rng([seed, 51, i])
        if layout == "demo" and rng.random() >= BLAST_REPORTED_PROB:
            out.append("")
            continue
        v = float(np.clip(f + rng.normal(0, BLAST_MEASUREMENT_SD), 0.05, 1.0))
        out.append(f"{v:.2f}")
    return out


def _write_seg(path: Path, seg: pd.DataFrame) -> None:
    """Multi-sample SEG (DNAcopy/IGV: ID chrom loc.start loc.end num.mark seg.mean)."""
    out = pd.DataFrame(
        {
            "ID": seg["sample_id"].to_numpy(),
            "chrom": seg["chrom"].str.removeprefix("chr").to_numpy(),
            "loc.start": seg["start"].to_numpy(),
            "loc.end": seg["end"].to_numpy(),
            "num.mark": seg["n_probes"].to_numpy(),
            "seg.mean": seg["log2"].to_numpy(),
        }
    )
    with atomic_path(path) as tmp:
        out.to_csv(tmp, sep="\t", index=False, float_format="%.4f", lineterminator="\n")


def _write_cns(path: Path, seg: pd.DataFrame, rng: np.random.Generator) -> None:
    """CNVkit ``.cns`` (0-based start; baf = B-allele frequency of the segment)."""
    n = len(seg)
    out = pd.DataFrame(
        {
            "chromosome": seg["chrom"].to_numpy(),
            "start": seg["start"].to_numpy() - 1,
            "end": seg["end"].to_numpy(),
            "gene": "-",
            "log2": seg["log2"].to_numpy(),
            "baf": seg["baf"].to_numpy(),
            "depth": np.round(100 * 2.0 ** seg["log2"].to_numpy() * rng.uniform(0.9, 1.1, n), 3),
            "probes": seg["n_probes"].to_numpy(),
            "weight": np.round(seg["n_probes"].to_numpy() * rng.uniform(0.6, 0.95, n), 3),
        }
    )
    with atomic_path(path) as tmp:
        out.to_csv(tmp, sep="\t", index=False, float_format="%.4f", lineterminator="\n", na_rep="")


def _write_sample_vcf(  # noqa: PLR0917 -- private writer of one simulated file
    out: Path, sid: str, sites: pd.DataFrame, hot_depth: dict, truth: pd.DataFrame, j: int
) -> Path:
    """One sample's VCF in the caller style of :data:`VCF_PLAN` slot ``j`` (indexed)."""
    style, suffix, chr_prefix, annotated = VCF_PLAN[j % len(VCF_PLAN)]
    row = truth.set_index("sample_id").loc[sid]
    carried = [h for h in str(row["hotspot_mutations"]).split(";") if h]
    blocks = hotspot_blocks(hot_depth, carried) if style == "deepvariant" else []
    text = vcf_text(
        sites,
        sample=f"{sid}_RNA",
        style=style,
        chr_prefix=chr_prefix,
        annotated=annotated,
        reference_blocks=blocks,
    )
    p = out / "variants" / f"{sid}.{style}{suffix}"
    write_vcf(p, text, index=True)
    return p


def write_cohort(  # noqa: C901 - split into one writer per output pending (#15 item 7)
    cohort: SimulatedCohort,
    out_dir: str | Path,
    *,
    layout: str = "demo",
    sheet_prefix: str | None = None,
) -> dict[str, Path]:
    """Write the cohort's files, ``truth.tsv`` and ``samples.tsv`` under ``out_dir``.

    Parameters
    ----------
    cohort
        From :func:`allstrat.simulate.simulate_cohort`.
    out_dir
        Output folder (created).
    layout
        ``"demo"`` (mixed formats) or ``"cohort"`` (one matrix; scales to 10k samples).
    sheet_prefix
        Prefix of the paths written into ``samples.tsv`` (default: ``out_dir`` as given,
        so a cohort written to ``resources/demo`` from the checkout root gets
        checkout-relative paths).

    Returns
    -------
    dict
        Name -> path of every file written.
    """
    if layout not in LAYOUTS:
        msg = f"layout must be one of {LAYOUTS}, not {layout!r}"
        raise ValueError(msg)
    t0 = time.perf_counter()
    out = Path(out_dir)
    prefix = str(out) if sheet_prefix is None else sheet_prefix
    genes = load_gene_table().table
    truth = cohort.truth
    ids = truth["sample_id"].tolist()
    written: dict[str, Path] = {}

    def rel(p: Path) -> str:
        r = p.relative_to(out).as_posix()
        return f"{prefix.rstrip('/')}/{r}" if prefix else r

    cols: dict[str, list[str]] = {c: [""] * len(ids) for c in SHEET_COLUMNS}
    cols["sample_id"] = list(ids)
    # --- expression ---------------------------------------------------------------
    counts = cohort.counts
    if counts.shape[0]:
        plan = _expression_plan(len(ids), layout)
        symbols = counts.index.to_numpy()
        ens = _ensembl_ids(symbols)
        has_ens = ens != ""
        in_matrix = [sid for sid, (fmt, _) in zip(ids, plan, strict=True) if fmt == "matrix"]
        matrix = out / "expression" / ("counts.h5ad" if layout == "cohort" else "counts.tsv")
        if in_matrix and layout == "cohort":
            write_count_h5ad(matrix, counts[in_matrix])
            written["counts"] = matrix
        elif in_matrix:
            write_count_matrix(matrix, counts[in_matrix])
            written["counts"] = matrix
        for i, (sid, (fmt, idt)) in enumerate(zip(ids, plan, strict=True)):
            rng = np.random.default_rng([cohort.seed, 50, i])
            c = counts[sid].to_numpy()
            if fmt == "matrix":
                kind = "h5ad" if layout == "cohort" else "matrix"
                cols["expression"][i], cols["expression_format"][i] = rel(matrix), kind
                continue
            if idt == "ensembl":
                gid, cc, sym = ens[has_ens], c[has_ens], symbols[has_ens]
            else:
                gid, cc, sym = symbols, c, symbols
            if fmt == "featurecounts":
                p = out / "expression" / f"{sid}.featureCounts.txt"
                _featurecounts(p, sid, gid, cc, genes, sym)
            elif fmt == "htseq":
                p = out / "expression" / f"{sid}.htseq.counts"
                _htseq(p, gid, cc, rng)
            elif fmt == "star":
                p = out / "expression" / f"{sid}.ReadsPerGene.out.tab"
                _star(p, gid, cc, rng)
            else:
                p = out / "expression" / f"{sid}.quant.genes.sf"
                _salmon(p, gid, cc, sym, rng)
            written[f"expression:{sid}"] = p
            cols["expression"][i], cols["expression_format"][i] = rel(p), fmt
    # --- copy number ------------------------------------------------------------------
    cn_plan = _copy_number_plan(len(ids), layout)
    seg_ids = [sid for sid, f in zip(ids, cn_plan, strict=True) if f == "seg"]
    mlpa_ids = [sid for sid, f in zip(ids, cn_plan, strict=True) if f == "mlpa"]
    if seg_ids:
        p = out / "copynumber" / "segments.seg"
        _write_seg(p, cohort.segments[cohort.segments["sample_id"].isin(seg_ids)])
        written["seg"] = p
    if mlpa_ids:
        p = out / "copynumber" / "mlpa_p335.tsv"
        ml = cohort.mlpa[cohort.mlpa["sample_id"].isin(mlpa_ids)]
        write_tsv(p, ml[["sample_id", "probe", "gene", "exon", "ratio", "chrom", "position"]])
        written["mlpa"] = p
    by_sample = dict(tuple(cohort.segments.groupby("sample_id", sort=False)))
    for i, (sid, fmt) in enumerate(zip(ids, cn_plan, strict=True)):
        if fmt == "seg":
            cols["copy_number"][i], cols["copy_number_format"][i] = (
                rel(out / "copynumber" / "segments.seg"),
                "seg",
            )
        elif fmt == "mlpa":
            cols["copy_number"][i], cols["copy_number_format"][i] = (
                rel(out / "copynumber" / "mlpa_p335.tsv"),
                "mlpa",
            )
        elif fmt == "cnvkit":
            p = out / "copynumber" / f"{sid}.cns"
            _write_cns(p, by_sample[sid], np.random.default_rng([cohort.seed, 52, i]))
            written[f"cns:{sid}"] = p
            cols["copy_number"][i], cols["copy_number_format"][i] = rel(p), "cnvkit"
    # --- fusions --------------------------------------------------------------------
    fus_plan = _fusion_plan(len(ids), layout)
    calls = dict(tuple(cohort.fusions.groupby(["sample_id", "caller"], sort=False)))
    empty = cohort.fusions.iloc[:0]
    for i, (sid, fplan) in enumerate(zip(ids, fus_plan, strict=True)):
        if not fplan:
            continue
        paths = []
        for k, caller in enumerate(fplan.split(";")):
            rng = np.random.default_rng([cohort.seed, 53, i] + ([k] if k else []))
            c = calls.get((sid, caller), empty)
            p = out / "fusions" / FUSION_FILE[caller].format(sid=sid)
            if caller == "arriba":
                text = arriba_text(c, genes, rng)
            elif caller == "starfusion":
                libsize = (
                    int(truth.loc[i, "library_size"])
                    if truth.loc[i, "library_size"] != ""
                    else 30_000_000
                )
                text = starfusion_text(c, genes, libsize, rng)
            elif caller == "fusioncatcher":
                text = fusioncatcher_text(c, genes, rng)
            elif caller == "cicero":
                text = cicero_text(c, sid, rng)
            else:
                text = jaffa_text(c, sid, rng)
            write_text(p, text)
            written[f"fusions:{sid}:{caller}" if k else f"fusions:{sid}"] = p
            paths.append(rel(p))
        cols["fusions"][i], cols["fusions_format"][i] = ";".join(paths), fplan
    # --- variants -------------------------------------------------------------------
    for j, (sid, (sites, hot_depth)) in enumerate(
        (s, cohort.variants[s]) for s in ids if s in cohort.variants
    ):
        p = _write_sample_vcf(out, sid, sites, hot_depth, truth, j)
        written[f"variants:{sid}"] = p
        k = ids.index(sid)
        cols["variants"][k], cols["variants_format"][k] = rel(p), "vcf"
    # --- clinical, MRD, truth, sheet ---------------------------------------------------
    for name, table in (
        ("clinical", cohort.clinical),
        ("mrd", cohort.mrd),
        ("lab_genetics", cohort.lab_genetics),
    ):
        if len(table.columns):
            p = out / f"{name}.tsv"
            write_tsv(p, table)
            written[name] = p
    p = out / "truth.tsv"
    write_tsv(p, truth)
    written["truth"] = p
    p = out / "truth_segments.tsv"
    write_tsv(
        p, cohort.segments[["sample_id", "chrom", "start", "end", "cn", "minor", "normal_cn"]]
    )
    written["truth_segments"] = p
    cols["blast_fraction"] = _reported_blast(truth, cohort.seed, layout)
    cols["genome_build"] = ["GRCh38"] * len(ids)
    sheet = pd.DataFrame(cols)
    p = out / "samples.tsv"
    write_tsv(p, sheet[list(SHEET_COLUMNS)])
    written["samples"] = p
    logger.info(
        "wrote %d files for %d samples to %s in %.1f s",
        len(written),
        len(ids),
        out,
        time.perf_counter() - t0,
    )
    return written
