"""Single simulated RNA-seq samples of a chosen karyotype and blast fraction.

For tests and benchmarks that need one genome class at a set blast fraction (e.g.
karyotype concordance by blast fraction, ``benchmarks/bench_karyotype_concordance.py``)
rather than a cohort's random mix. The sample is made exactly as a cohort sample is
(:mod:`allstrat.simulate.design` → :mod:`~allstrat.simulate.genome` →
:mod:`~allstrat.simulate.expression` → :mod:`~allstrat.simulate.variants`), with the
subtype, blast fraction and doubling fixed instead of drawn.

Karyotype cases (:data:`CASES`): ``near_haploid`` / ``low_hypodiploid`` (undoubled),
``doubled_near_haploid`` / ``doubled_low_hypodiploid`` (masked: every copy doubled),
``high_hyperdiploid`` and ``diploid`` (ETV6::RUNX1 genomes: no whole-chromosome change,
focal lesions and the odd arm event as in the cohort); ``pax5_p80r`` (a PAX5 P80R
sample: diploid, carries the hotspot).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from allstrat.io.gene_table import load_gene_table
from allstrat.simulate import design as dz
from allstrat.simulate.expression import (
    ExpressionModel,
    build_expression_model,
    gene_lengths,
    simulate_sample_expression,
)
from allstrat.simulate.genome import Genome, simulate_genome
from allstrat.simulate.variants import carried_hotspots, simulate_expressed_sites

__all__ = ["CASES", "CaseContext", "RnaCase", "case_context", "simulate_case"]

#: case -> (subtype simulated, doubling forced)
CASES: dict[str, tuple[str, bool | None]] = {
    "near_haploid": ("Near haploid", False),
    "doubled_near_haploid": ("Near haploid", True),
    "low_hypodiploid": ("Low hypodiploid", False),
    "doubled_low_hypodiploid": ("Low hypodiploid", True),
    "high_hyperdiploid": ("Hyperdiploid", None),
    "diploid": ("ETV6::RUNX1", None),
    "pax5_p80r": ("PAX5 P80R", None),
}


@dataclass
class CaseContext:
    """Gene-level parts shared by every case (built once: the expression model)."""

    genes: pd.DataFrame
    model: ExpressionModel
    gene_frame: pd.DataFrame
    exonic_length: np.ndarray
    seed: int


@dataclass
class RnaCase:
    """One simulated sample: truth genome, design, counts and RNA variant calls."""

    case: str
    genome: Genome
    design: dict
    counts: pd.Series
    sites: pd.DataFrame
    hotspot_depth: dict[str, int] = field(default_factory=dict)


def case_context(seed: int = 20261121) -> CaseContext:
    """Build the expression model (a few seconds) for :func:`simulate_case`."""
    genes = load_gene_table().table
    model = build_expression_model(genes, seed=seed, n_batches=1)
    return CaseContext(
        genes=genes,
        model=model,
        gene_frame=genes.loc[list(model.genes), ["chrom", "start", "end"]],
        exonic_length=gene_lengths(model.genes).astype(float),
        seed=seed,
    )


def simulate_case(ctx: CaseContext, case: str, *, blast_fraction: float, index: int) -> RnaCase:
    """Simulate sample ``index`` of karyotype ``case`` at ``blast_fraction``.

    Every draw comes from streams keyed by (context seed, case, index), so a case is the
    same whatever else is simulated.
    """
    if case not in CASES:
        msg = f"unknown case {case!r}; expected one of {sorted(CASES)}"
        raise ValueError(msg)
    subtype, masked = CASES[case]
    key = [ctx.seed, sorted(CASES).index(case), index]
    design = dz.draw_sample(np.random.default_rng([*key, dz.STREAM_DESIGN]), {subtype: 1.0})
    design["blast_fraction"] = float(blast_fraction)
    genome = simulate_genome(
        np.random.default_rng([*key, dz.STREAM_GENOME]),
        subtype=subtype,
        sex=design["sex"],
        genes=ctx.genes,
        masked_hypodiploid=masked,
    )
    counts, blast_share = simulate_sample_expression(
        ctx.model,
        np.random.default_rng([*key, dz.STREAM_EXPRESSION]),
        design=design,
        genome=genome,
        batch=0,
    )
    sites, depth = simulate_expressed_sites(
        np.random.default_rng([*key, dz.STREAM_VARIANTS]),
        genome,
        genes=ctx.gene_frame,
        counts=counts,
        blast_share=blast_share,
        exonic_length=ctx.exonic_length,
        hotspots=carried_hotspots(subtype),
    )
    return RnaCase(
        case=case,
        genome=genome,
        design=design,
        counts=pd.Series(counts, index=pd.Index(ctx.model.genes, name="gene")),
        sites=sites,
        hotspot_depth=depth,
    )
