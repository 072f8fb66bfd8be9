"""RNA-derived chromosome dosage (lower confidence; ``cn_source = "RNA"``).

When a sample has no DNA copy number, whole-chromosome gains and losses are estimated
from expression, as RNAseqCNV / MD-ALL do (DOMAIN.md §5): per-chromosome expression
relative to a **fitted diploid reference** (per-gene mean log2-CPM of reference
samples), never relative to the other samples of the run, so one sample's result does
not depend on its batch. For each chromosome the median over expressed reference genes of
``log2CPM(sample) − reference mean`` is taken and centred on the sample's own median
over autosomes; a chromosome is gained / lost when that shift is at least
``min_abs_shift`` and the copy number ``2 · 2^(shift / dosage_slope)`` rounds away from 2.

Limits (derived): expression-relative estimates are blind to uniform doubling (masked
hypodiploidy) and to focal deletions, so every lesion, IKZF1plus, iAMP21 and the masked
warning are ``not_assessable``; only modal number, karyotype class and favourable
trisomies are given, flagged ``rna_derived_low_confidence``.

The bundled reference (``resources/copynumber/rna_dosage_reference.tsv``) is built by
``workflow/scripts/build_rna_dosage_reference.py`` from simulated diploid samples; see
that script and ``resources/MANIFEST.tsv``. Refit it on real diploid samples of your own
assay for real use.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.copynumber.resources import AUTOSOMES
from allstrat.errors import ConfigError
from allstrat.normalise import log_cpm
from allstrat.paths import resources_dir

logger = logging.getLogger(__name__)

RNA_REFERENCE = "copynumber/rna_dosage_reference.tsv"


@dataclass(frozen=True)
class RnaDosageSettings:
    """Thresholds of the RNA dosage estimate (UNVERIFIED defaults, tuned on simulation)."""

    dosage_slope: float = 1.0
    min_abs_shift: float = 0.2
    min_genes: int = 20


def fit_reference(
    counts: np.ndarray,
    symbols: list[str] | pd.Index,
    chroms: list[str] | pd.Series,
    *,
    min_mean_log_cpm: float = 3.0,
) -> pd.DataFrame:
    """Fit the diploid reference: per-gene mean and SD of log2-CPM.

    Parameters
    ----------
    counts
        Raw counts of diploid reference samples (samples x genes).
    symbols
        Gene symbols (columns of ``counts``).
    chroms
        Chromosome of each gene (``chr1`` .. ``chrX``).
    min_mean_log_cpm
        Genes expressed below this mean are left out (too noisy to carry dosage).

    Returns
    -------
    DataFrame with ``symbol``, ``chrom``, ``mean``, ``sd`` (kept genes only).
    """
    lc = log_cpm(counts)
    ref = pd.DataFrame(
        {
            "symbol": list(symbols),
            "chrom": list(chroms),
            "mean": lc.mean(axis=0),
            "sd": lc.std(axis=0, ddof=1) if lc.shape[0] > 1 else np.zeros(lc.shape[1]),
        }
    )
    keep = (ref["mean"] >= min_mean_log_cpm) & ref["chrom"].isin([*AUTOSOMES, "chrX"])
    return ref[keep].reset_index(drop=True)


@functools.lru_cache(maxsize=2)
def load_reference(path: str | Path | None = None) -> pd.DataFrame | None:
    """The bundled RNA dosage reference, or None when it is not installed."""
    p = Path(path) if path is not None else resources_dir() / RNA_REFERENCE
    if not p.is_file():
        return None
    try:
        ref = pd.read_csv(p, sep="\t", comment="#", dtype={"symbol": str, "chrom": str})
        ref["mean"] = ref["mean"].astype(float)
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(f"{p}: cannot read the RNA dosage reference ({exc})") from None
    return ref


def chromosome_shifts(
    counts: np.ndarray,
    symbols: list[str] | pd.Index,
    reference: pd.DataFrame,
    *,
    min_genes: int = 20,
) -> pd.DataFrame:
    """Per-chromosome expression shift of one sample against the reference.

    Parameters
    ----------
    counts
        Raw counts of one sample (genes vector, aligned with ``symbols``); NaN marks a
        gene the sample's file did not measure: it is left out of the library size and of
        the chromosome medians (see :func:`allstrat.normalise.log_cpm`).
    symbols
        Gene symbols of ``counts``.
    reference
        Output of :func:`fit_reference`.
    min_genes
        Chromosomes with fewer measured reference genes are not assessed.

    Returns
    -------
    DataFrame indexed by chrom: ``shift`` (log2, centred on the autosomal median) and
    ``n_genes`` (measured reference genes); ``shift`` is NaN for unassessed chromosomes.
    """
    lc = pd.Series(log_cpm(np.asarray(counts, dtype=float)), index=pd.Index(symbols))
    ref = reference[reference["symbol"].isin(lc.index)]
    diff = lc.loc[ref["symbol"]].to_numpy() - ref["mean"].to_numpy()
    per = pd.DataFrame({"chrom": ref["chrom"].to_numpy(), "d": diff})
    g = per.groupby("chrom")["d"]
    out = pd.DataFrame({"raw": g.median(), "n_genes": g.count()})
    out.loc[out["n_genes"] < min_genes, "raw"] = np.nan
    auto = out.loc[out.index.isin(AUTOSOMES), "raw"].dropna()
    centre = float(auto.median()) if len(auto) else 0.0
    out["shift"] = out["raw"] - centre
    return out[["shift", "n_genes"]]


def dosage_states(shifts: pd.DataFrame, settings: RnaDosageSettings) -> pd.Series:
    """Integer copy-number state per chromosome (nullable; 2 unless clearly shifted)."""
    cn = 2.0 * np.power(2.0, shifts["shift"] / settings.dosage_slope)
    state = np.rint(cn)
    state = np.where(np.abs(shifts["shift"]) < settings.min_abs_shift, 2.0, state)
    state = np.where(shifts["shift"].isna(), np.nan, np.clip(state, 0, 6))
    return pd.Series(state, index=shifts.index).astype("Int64")
