"""Write a :class:`~allstrat.simulate.SimulatedCohort` in the real input formats.

Layouts (``write_cohort(..., layout=...)``):

``demo``
    A mixture like a multi-centre cohort: most samples in one cohort count matrix, a
    handful each as featureCounts, HTSeq-count, STAR ``ReadsPerGene.out.tab`` and salmon
    ``quant.genes.sf`` (Ensembl IDs in some, symbols in others); copy number mostly in
    one multi-sample SEG, some CNVkit ``.cns``, some MLPA probe-ratio tables, a few
    without DNA copy number; fusions from Arriba for some and STAR-Fusion for others.
``cohort``
    Scales to 10,000+ samples: one count matrix, one SEG, one Arriba file per sample.

Every file is written atomically (``allstrat.io.output``); a cohort written twice from the
same seed is byte-identical. File layouts follow the tools' documented outputs
(featureCounts' ``# Program:`` line + 7 columns; STAR's four ``N_`` rows + 4 columns;
salmon ``Name Length EffectiveLength TPM NumReads``; HTSeq's ``__`` counter rows).
"""

from __future__ import annotations

import io
import logging
import time
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.io.gene_table import load_gene_table
from allstrat.io.output import atomic_path, write_text, write_tsv
from allstrat.simulate.cohort import SimulatedCohort

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


def gene_lengths(symbols: np.ndarray) -> np.ndarray:
    """Deterministic synthetic exonic gene lengths (bp), log-normal around 2.5 kb.

    Synthetic: the bundled gene table has spans (introns included), not exonic lengths;
    the value only feeds the Length/TPM columns of featureCounts and salmon files.
    """
    out = np.empty(len(symbols), dtype=np.int64)
    for i, s in enumerate(symbols):
        r = np.random.default_rng(zlib.crc32(str(s).encode()))
        out[i] = int(np.clip(2500 * np.exp(r.normal(0, 0.7)), 300, 40_000))
    return out


def _first_ensembl(genes: pd.DataFrame, symbols: np.ndarray) -> np.ndarray:
    ids = genes.loc[list(symbols), "ensembl_ids"].to_numpy(dtype=object)
    return np.array([i.split("|")[0] if i else "" for i in ids], dtype=object)


def write_count_matrix(path: Path, counts: pd.DataFrame, *, id_name: str = "gene_symbol") -> None:
    """Genes x samples TSV with a gene ID column; fast enough for 10,000 samples."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("\t".join([id_name, *map(str, counts.columns)]) + "\n")
        values = counts.to_numpy()
        names = counts.index.to_numpy()
        step = 500
        for a in range(0, len(names), step):
            block = values[a : a + step]
            buf = io.StringIO()
            np.savetxt(buf, block, fmt="%d", delimiter="\t")
            lines = buf.getvalue().splitlines()
            fh.write(
                "".join(f"{n}\t{ln}\n" for n, ln in zip(names[a : a + step], lines, strict=True))
            )


def _featurecounts(path: Path, sid: str, ids: np.ndarray, c: np.ndarray, genes, symbols) -> None:
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
        slots = np.linspace(0, n - 1, num=k, dtype=int) if k else []
        for j, i in enumerate(slots):
            plan[int(i)] = DEMO_EXPRESSION_PLAN[j % len(DEMO_EXPRESSION_PLAN)]
    return plan


def write_cohort(
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

    sheet = pd.DataFrame({"sample_id": ids})
    for col in SHEET_COLUMNS[1:]:
        sheet[col] = ""
    # --- expression ---------------------------------------------------------------
    counts = cohort.counts
    if counts.shape[0]:
        plan = _expression_plan(len(ids), layout)
        symbols = counts.index.to_numpy()
        ens = _first_ensembl(genes, symbols)
        has_ens = ens != ""
        in_matrix = [sid for sid, (fmt, _) in zip(ids, plan, strict=True) if fmt == "matrix"]
        if in_matrix:
            p = out / "expression" / "counts.tsv"
            write_count_matrix(p, counts[in_matrix])
            written["counts"] = p
        for i, (sid, (fmt, idt)) in enumerate(zip(ids, plan, strict=True)):
            rng = np.random.default_rng([cohort.seed, 50, i])
            c = counts[sid].to_numpy()
            if fmt == "matrix":
                sheet.loc[i, ["expression", "expression_format"]] = [
                    rel(out / "expression" / "counts.tsv"),
                    "matrix",
                ]
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
            sheet.loc[i, ["expression", "expression_format"]] = [rel(p), fmt]
    # --- truth + sheet --------------------------------------------------------------
    p = out / "truth.tsv"
    write_tsv(p, truth)
    written["truth"] = p
    sheet["genome_build"] = "GRCh38"
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
