"""Tiny hand-made cohorts for classifier tests (seeded; built in memory, no files).

Genes: the literature panel genes that exist in the bundled gene table plus background
genes from chromosomes 1, 4, 10 and 21 (so chromosome features exist). Counts are
negative-binomial around a per-gene baseline; a sample of class C has the up genes of C's
signature raised ~8x and its down genes lowered ~4x. Deliberately simple: these fixtures
test mechanics (shapes, invariances, rules), not accuracy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from allstrat.classify import signatures as sig

CLASSES = ("DUX4", "ETV6::RUNX1", "Ph group", "KMT2A")


def make_counts(
    genes: pd.DataFrame, labels: list[str], *, seed: int, depth: float = 2e7
) -> pd.DataFrame:
    """Samples x genes NB counts for ``labels`` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    symbols = list(genes.index)
    base = np.exp(np.random.default_rng(0).normal(3.0, 1.5, len(symbols)))
    base = base / base.sum()
    col = {g: i for i, g in enumerate(symbols)}
    rows = []
    for lab in labels:
        mu = base.copy()
        for g in sig.B_LINEAGE:
            if g in col:
                mu[col[g]] *= 20
        for g in sig.UP.get(lab, ()):
            if g in col:
                mu[col[g]] *= 8
        for g in sig.DOWN.get(lab, ()):
            if g in col:
                mu[col[g]] /= 4
        mu = mu / mu.sum() * depth * rng.lognormal(0, 0.4)
        r = 10.0
        rows.append(rng.negative_binomial(r, r / (r + mu)))
    return pd.DataFrame(
        np.asarray(rows), index=[f"S{i:03d}" for i in range(len(labels))], columns=symbols
    )


@pytest.fixture(scope="session")
def tiny_genes(genes) -> pd.DataFrame:
    """Gene table rows: panel genes + 400 background genes on chr1/4/10/21."""
    t = genes.table
    panel = [g for g in sig.panel_genes() if g in t.index]
    coding = t[
        (t["gene_type"] == "protein-coding") & t["chrom"].isin(["chr1", "chr4", "chr10", "chr21"])
    ]
    bg = [g for g in coding.index if g not in set(panel)][::10][:400]
    return t.loc[panel + bg, ["chrom", "start"]]


@pytest.fixture(scope="session")
def tiny_cohort(tiny_genes) -> tuple[pd.DataFrame, pd.Series]:
    """60 training samples, 15 per class."""
    labels = [c for c in CLASSES for _ in range(15)]
    counts = make_counts(tiny_genes, labels, seed=1)
    return counts, pd.Series(labels, index=counts.index, name="subtype")


@pytest.fixture(scope="session")
def tiny_model(tiny_cohort, tiny_genes):
    """A fitted pipeline on the tiny cohort."""
    from allstrat.classify.core import build_model

    counts, labels = tiny_cohort
    return build_model(tiny_genes, C=0.1, random_state=0).fit(counts, labels)
