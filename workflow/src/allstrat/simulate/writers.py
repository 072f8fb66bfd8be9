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
from dataclasses import dataclass, field
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


EXPRESSION_FILE = {
    "featurecounts": "{sid}.featureCounts.txt",
    "htseq": "{sid}.htseq.counts",
    "star": "{sid}.ReadsPerGene.out.tab",
    "salmon": "{sid}.quant.genes.sf",
}
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
DEFAULT_LIBRARY_SIZE = 30_000_000  # STAR-Fusion FFPM of a sample without a simulated size
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


@dataclass
class _Written:
    """The sample sheet being filled and every file written so far (steps of write_cohort)."""

    out: Path
    prefix: str
    ids: list[str]
    cols: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.cols = {c: [""] * len(self.ids) for c in SHEET_COLUMNS}
        self.cols["sample_id"] = list(self.ids)

    def rel(self, p: Path) -> str:
        """``p`` as written into ``samples.tsv`` (under the sheet prefix)."""
        r = p.relative_to(self.out).as_posix()
        return f"{self.prefix.rstrip('/')}/{r}" if self.prefix else r

    def sheet(self, i: int, kind: str, path: Path | str, fmt: str) -> None:
        """Record sample ``i``'s file of ``kind`` (expression, copy_number, fusions, variants)."""
        self.cols[kind][i] = path if isinstance(path, str) else self.rel(path)
        self.cols[f"{kind}_format"][i] = fmt


def write_cohort(
    cohort: SimulatedCohort,
    out_dir: str | Path,
    *,
    layout: str = "demo",
    sheet_prefix: str | None = None,
) -> dict[str, Path]:
    """Write the cohort's files, ``truth.tsv`` and ``samples.tsv`` under ``out_dir``.

    One step per output: expression files (:func:`_write_expression`), copy-number files
    (:func:`_write_copy_number`), fusion-caller files (:func:`_write_fusions`), RNA variant
    calls (:func:`_write_variants`), then the clinical / MRD / lab tables, the truth tables
    and the sample sheet (:func:`_write_tables`).

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
    w = _Written(
        out, str(out) if sheet_prefix is None else sheet_prefix, list(cohort.truth["sample_id"])
    )
    genes = load_gene_table().table
    _write_expression(w, cohort, layout, genes)
    _write_copy_number(w, cohort, layout)
    _write_fusions(w, cohort, layout, genes)
    _write_variants(w, cohort)
    _write_tables(w, cohort, layout)
    logger.info(
        "wrote %d files for %d samples to %s in %.1f s",
        len(w.files),
        len(w.ids),
        out,
        time.perf_counter() - t0,
    )
    return w.files


def _write_expression(
    w: _Written, cohort: SimulatedCohort, layout: str, genes: pd.DataFrame
) -> None:
    """Cohort matrix (TSV, or h5ad for the cohort layout) + per-sample count files."""
    counts = cohort.counts
    if not counts.shape[0]:
        return
    out, ids = w.out, w.ids
    plan = _expression_plan(len(ids), layout)
    symbols = counts.index.to_numpy()
    ens = _ensembl_ids(symbols)
    has_ens = ens != ""
    in_matrix = [sid for sid, (fmt, _) in zip(ids, plan, strict=True) if fmt == "matrix"]
    matrix = out / "expression" / ("counts.h5ad" if layout == "cohort" else "counts.tsv")
    if in_matrix:
        if layout == "cohort":
            write_count_h5ad(matrix, counts[in_matrix])
        else:
            write_count_matrix(matrix, counts[in_matrix])
        w.files["counts"] = matrix
    for i, (sid, (fmt, idt)) in enumerate(zip(ids, plan, strict=True)):
        rng = np.random.default_rng([cohort.seed, 50, i])
        c = counts[sid].to_numpy()
        if fmt == "matrix":
            w.sheet(i, "expression", matrix, "h5ad" if layout == "cohort" else "matrix")
            continue
        if idt == "ensembl":
            gid, cc, sym = ens[has_ens], c[has_ens], symbols[has_ens]
        else:
            gid, cc, sym = symbols, c, symbols
        p = out / "expression" / EXPRESSION_FILE[fmt].format(sid=sid)
        if fmt == "featurecounts":
            _featurecounts(p, sid, gid, cc, genes, sym)
        elif fmt == "htseq":
            _htseq(p, gid, cc, rng)
        elif fmt == "star":
            _star(p, gid, cc, rng)
        else:
            _salmon(p, gid, cc, sym, rng)
        w.files[f"expression:{sid}"] = p
        w.sheet(i, "expression", p, fmt)


def _write_copy_number(w: _Written, cohort: SimulatedCohort, layout: str) -> None:
    """One multi-sample SEG, one MLPA probe-ratio table and per-sample CNVkit ``.cns``."""
    cn_plan = _copy_number_plan(len(w.ids), layout)
    seg_path = w.out / "copynumber" / "segments.seg"
    mlpa_path = w.out / "copynumber" / "mlpa_p335.tsv"
    seg_ids = [sid for sid, f in zip(w.ids, cn_plan, strict=True) if f == "seg"]
    mlpa_ids = [sid for sid, f in zip(w.ids, cn_plan, strict=True) if f == "mlpa"]
    if seg_ids:
        _write_seg(seg_path, cohort.segments[cohort.segments["sample_id"].isin(seg_ids)])
        w.files["seg"] = seg_path
    if mlpa_ids:
        ml = cohort.mlpa[cohort.mlpa["sample_id"].isin(mlpa_ids)]
        write_tsv(
            mlpa_path, ml[["sample_id", "probe", "gene", "exon", "ratio", "chrom", "position"]]
        )
        w.files["mlpa"] = mlpa_path
    by_sample = dict(tuple(cohort.segments.groupby("sample_id", sort=False)))
    for i, (sid, fmt) in enumerate(zip(w.ids, cn_plan, strict=True)):
        if fmt == "seg":
            w.sheet(i, "copy_number", seg_path, "seg")
        elif fmt == "mlpa":
            w.sheet(i, "copy_number", mlpa_path, "mlpa")
        elif fmt == "cnvkit":
            p = w.out / "copynumber" / f"{sid}.cns"
            _write_cns(p, by_sample[sid], np.random.default_rng([cohort.seed, 52, i]))
            w.files[f"cns:{sid}"] = p
            w.sheet(i, "copy_number", p, "cnvkit")


def _write_fusions(w: _Written, cohort: SimulatedCohort, layout: str, genes: pd.DataFrame) -> None:
    """One file per sample and fusion caller (some samples with two callers)."""
    fus_plan = _fusion_plan(len(w.ids), layout)
    calls = dict(tuple(cohort.fusions.groupby(["sample_id", "caller"], sort=False)))
    empty = cohort.fusions.iloc[:0]
    for i, (sid, fplan) in enumerate(zip(w.ids, fus_plan, strict=True)):
        if not fplan:
            continue
        paths = []
        lib = cohort.truth.loc[i, "library_size"]
        lib = int(lib) if lib != "" else DEFAULT_LIBRARY_SIZE  # "" = not simulated
        for k, caller in enumerate(fplan.split(";")):
            rng = np.random.default_rng([cohort.seed, 53, i] + ([k] if k else []))
            c = calls.get((sid, caller), empty)
            p = w.out / "fusions" / FUSION_FILE[caller].format(sid=sid)
            text = _fusion_text(caller, c, sid=sid, library_size=lib, genes=genes, rng=rng)
            write_text(p, text)
            w.files[f"fusions:{sid}:{caller}" if k else f"fusions:{sid}"] = p
            paths.append(w.rel(p))
        w.sheet(i, "fusions", ";".join(paths), fplan)


def _fusion_text(
    caller: str,
    calls: pd.DataFrame,
    *,
    sid: str,
    library_size: int,
    genes: pd.DataFrame,
    rng: np.random.Generator,
) -> str:
    """The text of one caller's file for sample ``sid``."""
    if caller == "arriba":
        return arriba_text(calls, genes, rng)
    if caller == "starfusion":
        return starfusion_text(calls, genes, library_size, rng)
    if caller == "fusioncatcher":
        return fusioncatcher_text(calls, genes, rng)
    if caller == "cicero":
        return cicero_text(calls, sid, rng)
    return jaffa_text(calls, sid, rng)


def _write_variants(w: _Written, cohort: SimulatedCohort) -> None:
    """One RNA VCF per sample with variant calls, in the caller styles of :data:`VCF_PLAN`."""
    for j, (sid, (sites, hot_depth)) in enumerate(
        (s, cohort.variants[s]) for s in w.ids if s in cohort.variants
    ):
        p = _write_sample_vcf(w.out, sid, sites, hot_depth, cohort.truth, j)
        w.files[f"variants:{sid}"] = p
        w.sheet(w.ids.index(sid), "variants", p, "vcf")


def _write_tables(w: _Written, cohort: SimulatedCohort, layout: str) -> None:
    """Clinical, MRD and lab tables, truth.tsv, truth_segments.tsv and samples.tsv."""
    for name, table in (
        ("clinical", cohort.clinical),
        ("mrd", cohort.mrd),
        ("lab_genetics", cohort.lab_genetics),
    ):
        if len(table.columns):
            p = w.out / f"{name}.tsv"
            write_tsv(p, table)
            w.files[name] = p
    p = w.out / "truth.tsv"
    write_tsv(p, cohort.truth)
    w.files["truth"] = p
    p = w.out / "truth_segments.tsv"
    truth_cols = ["sample_id", "chrom", "start", "end", "cn", "minor", "normal_cn"]
    write_tsv(p, cohort.segments[truth_cols])
    w.files["truth_segments"] = p
    w.cols["blast_fraction"] = _reported_blast(cohort.truth, cohort.seed, layout)
    w.cols["genome_build"] = ["GRCh38"] * len(w.ids)
    p = w.out / "samples.tsv"
    write_tsv(p, pd.DataFrame(w.cols)[list(SHEET_COLUMNS)])
    w.files["samples"] = p
