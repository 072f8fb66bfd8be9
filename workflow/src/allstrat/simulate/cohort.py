"""Assemble a synthetic cohort: design -> genome -> expression (+ truth table).

``truth.tsv`` columns (:data:`TRUTH_COLUMNS`):

* ``subtype`` (contracts label, ``T-ALL`` or ``unclassified`` = B-other), ``lineage``,
  ``sex``, ``blast_fraction`` (true tumour fraction of both RNA and DNA samples; the
  sample sheet reports a noisy measurement of it for most samples), ``library_size``
  (sum of simulated counts), ``batch``, ``ph_like_kinase_class`` (CRLF2-r / ABL-class /
  JAK-STAT / unknown for Ph-like), ``fusion`` (";"-joined true fusions, including
  P2RY8::CRLF2 from PAR1 deletions; callers may miss them), ``tall_subgroup`` (T-ALL
  subgroup of T-ALL cases, contracts.TALL_SUBGROUPS; empty for B), ``etp_all`` (yes/no:
  ETP-ALL immunophenotype of T-ALL cases; empty for B).
* ``karyotype_class`` (high/low hyperdiploid, diploid, low hypodiploid, near haploid --
  the underlying class even when doubled), ``modal_number`` (observed chromosome count,
  i.e. doubled for masked hypodiploidy), ``masked_hypodiploid``, ``chromosome_gains`` /
  ``chromosome_losses`` (whole-chromosome events), ``favourable_trisomies``, ``iamp21``.
* ``hotspot_mutations`` (";"-joined PAX5 P80R / IKZF1 N159Y / ZEB2 H1038R the blasts
  carry: every sample of the subtype they define; visible in a VCF only when the sample
  has one, :mod:`allstrat.simulate.variants`).
* ``<gene>_status`` for contracts.LESION_GENES from the true tumour copy number over the
  gene span (PAR1: CSF2RA..IL3RA): ``homozygous_deleted`` (0 copies), ``deleted`` (fewer
  than normal, focal or whole-chromosome), ``amplified`` (>= normal + 3), ``gained``,
  ``normal``. Whole-chromosome losses count as deletions (as MLPA would see them).
* ``ikzf1_deletion_type`` (contracts vocabulary; chromosome-7 loss = whole gene),
  ``ikzf1plus`` (Stanulla 2018 rule on the true statuses, DOMAIN.md §2), ``lesions``
  (every focal lesion with coordinates), ``programme_strength`` (expression programme
  scale of the sample).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd

from allstrat.contracts import LESION_GENES, T_ALL, UNCLASSIFIED
from allstrat.io.gene_table import load_gene_table
from allstrat.simulate import clinical as cl
from allstrat.simulate import design as dz
from allstrat.simulate.copynumber import (
    MLPA_ERG_KIT_PROB,
    SEGMENT_COLUMNS,
    mlpa_probes,
    observe_mlpa,
    observe_segments,
)
from allstrat.simulate.expression import (
    ExpressionModel,
    build_expression_model,
    gene_lengths,
    simulate_sample_expression,
)
from allstrat.simulate.fusions import CALLERS, FUSION_CALL_COLUMNS, call_fusions
from allstrat.simulate.genome import Genome, gene_span, simulate_genome
from allstrat.simulate.lab import COLUMNS as LAB_COLUMNS
from allstrat.simulate.lab import simulate_lab
from allstrat.simulate.variants import carried_hotspots, has_variants, simulate_expressed_sites

logger = logging.getLogger(__name__)

# Contract vocabulary of copy-number deletion types (contracts.COPYNUMBER_COLUMNS).
IKZF1_TYPE_CONTRACT = {
    "whole gene (Δ1–8)": "whole gene (Δ1–8)",
    "Δ4–7": "Δ4–7",
    "Δ2–7": "Δ2–7",
    "Δ2–3": "Δ2–3",
    "Δ4–8": "Δ4–8",
    "Δ2–8": "other",
}
TRUTH_COLUMNS: tuple[str, ...] = (
    "sample_id",
    "subtype",
    "lineage",
    "sex",
    "blast_fraction",
    "library_size",
    "batch",
    "ph_like_kinase_class",
    "fusion",
    "tall_subgroup",
    "etp_all",
    "karyotype_class",
    "modal_number",
    "masked_hypodiploid",
    "chromosome_gains",
    "chromosome_losses",
    "favourable_trisomies",
    "iamp21",
    "hotspot_mutations",
    *(f"{g.lower()}_status" for g in LESION_GENES),
    "ikzf1_deletion_type",
    "ikzf1plus",
    "lesions",
    "programme_strength",
)


@dataclass
class SimulatedCohort:
    """A synthetic cohort held in memory.

    Attributes
    ----------
    counts
        Raw counts, genes (canonical symbols) x samples, int32; empty when simulated
        without expression.
    truth
        One row per sample, columns :data:`TRUTH_COLUMNS`.
    genomes
        Sample id -> :class:`~allstrat.simulate.genome.Genome` (true segments).
    segments
        Observed segments of every sample (``sample_id, chrom, start, end, n_probes,
        log2, baf`` + truth ``cn, minor, normal_cn``); 1-based inclusive GRCh38.
    mlpa
        MLPA probe ratios of every sample (``sample_id, probe, gene, exon, ratio, chrom,
        position, kit``); ERG probes (kit ``ERG``) only for some samples.
    fusions
        Fusion calls per caller (``caller`` + :data:`FUSION_CALL_COLUMNS`), true and false.
    clinical, mrd
        Clinical table and long MRD table (strings; empty = missing).
    lab_genetics
        Diagnostic-genetics table (:mod:`allstrat.simulate.lab`; long, strings).
    variants
        Sample id -> (RNA variant sites, read depth at each hotspot) for the samples the
        ``variants`` plan selects (:mod:`allstrat.simulate.variants`).
    seed
        The cohort seed.
    """

    counts: pd.DataFrame
    truth: pd.DataFrame
    genomes: dict[str, Genome] = field(repr=False)
    segments: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    mlpa: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    fusions: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    clinical: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    mrd: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    lab_genetics: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    variants: dict[str, tuple[pd.DataFrame, dict[str, int]]] = field(
        default_factory=dict, repr=False
    )
    seed: int = 0
    params: dict = field(default_factory=dict)


def sample_ids(n: int, prefix: str = "SIM") -> list[str]:
    """Sample ids ``<prefix>0001``...; at least 4 digits, more for big cohorts."""
    width = max(4, len(str(n)))
    return [f"{prefix}{i + 1:0{width}d}" for i in range(n)]


def _status(genome: Genome, chrom: str, start: int, end: int, normal: int = 2) -> str:
    lo, hi = None, None
    for c, s, e, cn, _ in genome.segments:
        if c != chrom or e < start or s > end:
            continue
        lo = cn if lo is None else min(lo, cn)
        hi = cn if hi is None else max(hi, cn)
    if lo is None or hi is None:
        return "homozygous_deleted"
    if lo == 0:
        return "homozygous_deleted"
    if lo < normal:
        return "deleted"
    if hi >= normal + 3:
        return "amplified"
    if hi > normal:
        return "gained"
    return "normal"


def _truth_row(sid: str, d: dict, g: Genome, genes: pd.DataFrame) -> dict:
    row: dict = {"sample_id": sid}
    row.update({k: d[k] for k in ("subtype", "lineage", "sex", "blast_fraction")})
    row["ph_like_kinase_class"] = d["ph_like_kinase_class"]
    fus = [d["fusion"]] if d["fusion"] else []
    if "PAR1" in g.lesions and "P2RY8::CRLF2" not in fus:
        fus.append("P2RY8::CRLF2")
    row["fusion"] = ";".join(fus)
    row["tall_subgroup"] = d.get("tall_subgroup", "")
    row["etp_all"] = d.get("etp_all", "")
    row["karyotype_class"] = g.karyotype_class
    row["modal_number"] = g.modal_number
    row["masked_hypodiploid"] = "yes" if g.masked_hypodiploid else "no"
    row["chromosome_gains"] = ";".join("+" + c.removeprefix("chr") for c in g.gains)
    row["chromosome_losses"] = ";".join("-" + c.removeprefix("chr") for c in g.losses)
    fav = [f"+{c}" for c in ("4", "10", "17") if f"chr{c}" in g.gains]
    row["favourable_trisomies"] = ";".join(fav)
    row["iamp21"] = "yes" if d["subtype"] == "iAMP21" else "no"
    row["hotspot_mutations"] = ";".join(carried_hotspots(d["subtype"]))
    for gene in LESION_GENES:
        if gene == "PAR1":
            c, s = "chrX", gene_span(genes, "CSF2RA")[1]
            e = gene_span(genes, "IL3RA")[2]
        else:
            c, s, e, _ = gene_span(genes, gene)
        row[f"{gene.lower()}_status"] = _status(g, c, s, e)
    ik = g.lesions.get("IKZF1", "")
    if ik:
        raw = ik.split(" ")[0] if not ik.startswith("whole gene") else "whole gene (Δ1–8)"
        row["ikzf1_deletion_type"] = IKZF1_TYPE_CONTRACT[raw]
    elif row["ikzf1_status"] in ("deleted", "homozygous_deleted"):
        row["ikzf1_deletion_type"] = "whole gene (Δ1–8)"  # chromosome / arm loss
    else:
        row["ikzf1_deletion_type"] = ""
    deleted = ("deleted", "homozygous_deleted")
    plus = (
        row["ikzf1_status"] in deleted
        and row["erg_status"] not in deleted
        and (
            row["cdkn2a_status"] == "homozygous_deleted"
            or row["cdkn2b_status"] == "homozygous_deleted"
            or row["pax5_status"] in deleted
            or row["par1_status"] in deleted
        )
    )
    row["ikzf1plus"] = "positive" if plus else "negative"
    row["lesions"] = "; ".join(f"{k}: {v}" for k, v in sorted(g.lesions.items()))
    row["programme_strength"] = round(d["programme_strength"], 4)
    return row


def _mlpa_frame(parts: list[tuple[str, bool, np.ndarray]], probes: dict) -> pd.DataFrame:
    frames = []
    for with_erg in (False, True):
        sel = [(sid, r) for sid, e, r in parts if e == with_erg]
        if not sel:
            continue
        pr = probes[with_erg]
        k = len(pr)
        f = pd.DataFrame(
            {
                "sample_id": np.repeat([sid for sid, _ in sel], k),
                "probe": np.tile(pr["probe"].to_numpy(), len(sel)),
                "gene": np.tile(pr["gene"].to_numpy(), len(sel)),
                "exon": np.tile(pr["exon"].to_numpy(), len(sel)),
                "ratio": np.concatenate([r for _, r in sel]),
                "chrom": np.tile(pr["chrom"].to_numpy(), len(sel)),
                "position": np.tile(pr["position"].to_numpy(), len(sel)),
            }
        )
        frames.append(f)
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["sample_id"], kind="stable")
    out["kit"] = np.where(out["gene"] == "ERG", "ERG", "P335")
    return out.reset_index(drop=True)


BLOCK = 128  # samples per work unit (parallel runs)


@dataclass
class _Context:
    seed: int
    weights: Mapping[str, float]
    genes: pd.DataFrame
    model: object
    n_batches: int
    lesion_rates: dict[str, dict[str, float]] | None
    probes: dict
    tall_weights: Mapping[str, float] = field(default_factory=dz.tall_weights)
    variants: str = "none"
    gene_frame: pd.DataFrame | None = None  # model genes (chrom, start, end) for variants
    exonic_length: np.ndarray | None = None


def _simulate_sample(ctx: _Context, i: int, sid: str) -> dict:
    """Everything about sample ``i``; depends only on (seed, i), never on the cohort."""
    seed, genes = ctx.seed, ctx.genes
    d = dz.draw_sample(np.random.default_rng([seed, dz.STREAM_DESIGN, i]), ctx.weights)
    if d["subtype"] == T_ALL:
        d.update(dz.draw_tall(np.random.default_rng([seed, dz.STREAM_TALL, i]), ctx.tall_weights))
    g = simulate_genome(
        np.random.default_rng([seed, dz.STREAM_GENOME, i]),
        subtype=d["subtype"],
        sex=d["sex"],
        genes=genes,
        lesion_rates=ctx.lesion_rates,
        force_par1=d["fusion"] == "P2RY8::CRLF2",
    )
    batch = i % ctx.n_batches
    out: dict = {"genome": g, "counts": None, "variants": None}
    if ctx.model is not None:
        out["counts"], blast_share = simulate_sample_expression(
            cast("ExpressionModel", ctx.model),
            np.random.default_rng([seed, dz.STREAM_EXPRESSION, i]),
            design=d,
            genome=g,
            batch=batch,
        )
        if has_variants(ctx.variants, i, d["subtype"]):
            assert ctx.gene_frame is not None
            assert ctx.exonic_length is not None
            out["variants"] = simulate_expressed_sites(
                np.random.default_rng([seed, dz.STREAM_VARIANTS, i]),
                g,
                genes=ctx.gene_frame,
                counts=out["counts"],
                blast_share=blast_share,
                exonic_length=ctx.exonic_length,
                hotspots=carried_hotspots(d["subtype"]),
            )
    row = _truth_row(sid, d, g, genes)
    row["batch"] = f"batch{batch + 1}"
    libsize = int(out["counts"].sum()) if out["counts"] is not None else d["library_size_target"]
    row["library_size"] = libsize
    out["truth"] = row
    crng = np.random.default_rng([seed, dz.STREAM_COPYNUMBER, i])
    seg = observe_segments(g, blast_fraction=d["blast_fraction"], rng=crng)
    out["segments"] = [(sid, *r) for r in seg]
    with_erg = bool(crng.random() < MLPA_ERG_KIT_PROB)
    ratios = observe_mlpa(
        g, blast_fraction=d["blast_fraction"], probes=ctx.probes[with_erg], rng=crng
    )
    out["mlpa"] = (sid, with_erg, ratios)
    frng = np.random.default_rng([seed, dz.STREAM_FUSION, i])
    true_fusions = [f for f in row["fusion"].split(";") if f]
    out["fusions"] = []
    for caller in CALLERS:  # arriba, starfusion first: their draws stay as they were
        fc = call_fusions(
            sample_id=sid,
            true_fusions=true_fusions,
            blast_fraction=d["blast_fraction"],
            library_size=libsize,
            genes=genes,
            caller=caller,
            rng=frng,
        )
        out["fusions"].extend((caller, *r) for r in fc)
    out["clinical"], out["mrd"] = cl.simulate_clinical(
        np.random.default_rng([seed, dz.STREAM_CLINICAL, i]),
        sample_id=sid,
        subtype=d["subtype"],
        sex=d["sex"],
    )
    if d["subtype"] == T_ALL:
        out["clinical"].update(
            cl.simulate_immunophenotype(
                np.random.default_rng([seed, dz.STREAM_TALL, i, 1]), etp=d["etp_all"] == "yes"
            )
        )
    out["lab"] = simulate_lab(np.random.default_rng([seed, dz.STREAM_LAB, i]), row)
    return out


_WORKER_CTX: dict = {}


def _work(block: tuple[list[int], list[str]]) -> list[tuple[int, dict]]:
    ctx = _WORKER_CTX["ctx"]
    return [(i, _simulate_sample(ctx, i, sid)) for i, sid in zip(*block, strict=True)]


def _run_blocks(ctx: _Context, ids: list[str], blocks: list[list[int]], n_jobs: int):
    """Yield per-block results in order; ``n_jobs > 1`` forks worker processes."""
    work = [(b, [ids[i] for i in b]) for b in blocks]
    if n_jobs <= 1 or len(blocks) < 2 or "fork" not in mp.get_all_start_methods():
        _WORKER_CTX["ctx"] = ctx
        try:
            for w in work:
                yield _work(w)
        finally:
            _WORKER_CTX.clear()
        return
    _WORKER_CTX["ctx"] = ctx  # inherited by the forked workers
    try:
        with mp.get_context("fork").Pool(n_jobs) as pool:
            yield from pool.imap(_work, work)
    finally:
        _WORKER_CTX.clear()


def simulate_cohort(
    n_samples: int,
    seed: int,
    *,
    subtype_balance: str = "realistic",
    class_weights: Mapping[str, float] | None = None,
    sample_prefix: str = "SIM",
    n_batches: int | None = None,
    lesion_rates: dict[str, dict[str, float]] | None = None,
    with_expression: bool = True,
    n_jobs: int = 1,
    variants: str = "none",
) -> SimulatedCohort:
    """Simulate a synthetic paediatric ALL cohort (truth, genomes, RNA-seq counts).

    Parameters
    ----------
    n_samples
        Number of samples (>= 1).
    seed
        Cohort seed; the same seed gives identical data.
    subtype_balance
        ``"realistic"`` paediatric frequencies (DOMAIN.md §1.2, incl. T-ALL and B-other
        labelled ``"unclassified"``) or ``"uniform"`` over every B subtype and T-ALL
        (training cohorts).
    class_weights
        Per-label multipliers on top of the balance (oversample rare subtypes).
    sample_prefix
        Sample id prefix.
    n_batches
        Library-prep batches (default: 1 per 40 samples, 1-4).
    lesion_rates
        Override of :data:`allstrat.simulate.genome.LESION_RATES`.
    with_expression
        Skip the count matrix when false (fast genome-only cohorts).
    n_jobs
        Worker processes (fork); results are identical for any value because every
        sample draws from its own seed-keyed streams.
    variants
        Which samples get RNA variant calls (:data:`allstrat.simulate.variants.VARIANT_PLANS`:
        ``none``, ``demo`` = every 4th sample plus the karyotype / hotspot subtypes,
        ``all``); needs expression. Drawn from a stream of their own: the other data do
        not change with the plan.

    Returns
    -------
    SimulatedCohort

    Examples
    --------
    >>> cohort = simulate_cohort(20, seed=1)  # doctest: +SKIP
    >>> cohort.counts.shape[1], cohort.truth["subtype"].nunique() > 1  # doctest: +SKIP
    (20, True)
    """
    if n_samples < 1:
        msg = "n_samples must be >= 1"
        raise ValueError(msg)
    t0 = time.perf_counter()
    weights = dz.label_weights(subtype_balance, class_weights)
    gt = load_gene_table()
    genes = gt.table
    if n_batches is None:
        n_batches = int(min(4, max(1, round(n_samples / 40))))
    ids = sample_ids(n_samples, sample_prefix)
    model = (
        build_expression_model(genes, seed=seed, n_batches=n_batches) if with_expression else None
    )
    counts = (
        np.empty((len(model.genes), n_samples), dtype=np.int32, order="F")
        if model is not None
        else None
    )
    probes = {k: mlpa_probes(genes, with_erg=k) for k in (False, True)}
    ctx = _Context(
        seed, weights, genes, model, n_batches, lesion_rates, probes,
        dz.tall_weights(subtype_balance), variants,
    )  # fmt: skip
    if model is not None and variants != "none":
        ctx.gene_frame = genes.loc[list(model.genes), ["chrom", "start", "end"]]
        ctx.exonic_length = gene_lengths(model.genes).astype(float)
    blocks = [list(range(a, min(a + BLOCK, n_samples))) for a in range(0, n_samples, BLOCK)]
    rows: list[dict] = []
    genomes: dict[str, Genome] = {}
    seg_parts: list[tuple] = []
    mlpa_parts: list[tuple] = []
    fusion_parts: list[tuple] = []
    clin_rows: list[dict] = []
    mrd_rows: list[dict] = []
    lab_rows: list[dict] = []
    variant_calls: dict[str, tuple[pd.DataFrame, dict[str, int]]] = {}
    for block in _run_blocks(ctx, ids, blocks, n_jobs):
        for i, res in block:
            if counts is not None:
                counts[:, i] = res["counts"]
            rows.append(res["truth"])
            genomes[ids[i]] = res["genome"]
            seg_parts.extend(res["segments"])
            mlpa_parts.append(res["mlpa"])
            fusion_parts.extend(res["fusions"])
            clin_rows.append(res["clinical"])
            mrd_rows.extend(res["mrd"])
            lab_rows.extend(res["lab"])
            if res["variants"] is not None:
                variant_calls[ids[i]] = res["variants"]
    truth = pd.DataFrame(rows, columns=list(TRUTH_COLUMNS))
    clinical, mrd = cl.to_frames(clin_rows, mrd_rows)
    mlpa = _mlpa_frame(mlpa_parts, probes)
    if counts is not None and model is not None:
        count_df = pd.DataFrame(counts, index=pd.Index(model.genes, name="gene"), columns=ids)
    else:
        count_df = pd.DataFrame(index=pd.Index([], name="gene"))
    logger.info(
        "simulated %d samples (%d subtypes, %d genes) in %.1f s",
        n_samples,
        truth["subtype"].nunique(),
        count_df.shape[0],
        time.perf_counter() - t0,
    )
    return SimulatedCohort(
        counts=count_df,
        truth=truth,
        genomes=genomes,
        segments=pd.DataFrame(seg_parts, columns=["sample_id", *SEGMENT_COLUMNS]),
        mlpa=mlpa,
        fusions=pd.DataFrame(fusion_parts, columns=["caller", *FUSION_CALL_COLUMNS]),
        clinical=clinical,
        mrd=mrd,
        lab_genetics=pd.DataFrame(lab_rows, columns=list(LAB_COLUMNS)),
        variants=variant_calls,
        seed=seed,
        params={
            "n_samples": n_samples,
            "seed": seed,
            "subtype_balance": subtype_balance,
            "class_weights": dict(class_weights or {}),
            "n_batches": n_batches,
            "unclassified_label": UNCLASSIFIED,
            "variants": variants,
        },
    )
