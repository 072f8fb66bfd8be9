"""Leave-one-out false-call rate and spike-in sensitivity of the RNA dosage call.

Both run on real diploid counts (:mod:`allstrat.io.rnaseqcnv`):

* :func:`leave_one_out` — every sample is scored against a reference **and** a
  calibration that do not contain it (its gene reference is fitted on the other
  samples; the calibration spread comes from the other samples' leave-one-out shifts).
  Any whole-chromosome gain/loss call is a false call: these samples carry no large
  copy-number change.
* :func:`spike_in` — a held-out real sample gets a simulated trisomy / tetrasomy /
  monosomy: the counts of every gene of the chromosome are scaled by
  ``((2(1 − p) + c·p) / 2) ** slope_g`` (Poisson addition for gains, binomial thinning
  for losses) with a per-gene slope drawn around the given slope (real genes are
  compensated to different degrees). Only sensitivity is measured here; thresholds are
  never set from it.

Used by ``tests/copynumber/test_rna_dosage_real.py`` and
``benchmarks/bench_rna_dosage_loo.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allstrat.copynumber import rna_dosage as rd


@dataclass
class LooFold:
    """The reference one held-out sample is scored against."""

    index: int
    reference: rd.RnaReference


def loo_folds(std: rd.DiploidStandard) -> list[LooFold]:
    """One reference + calibration per held-out sample (nothing of the sample inside)."""
    counts = std.counts
    _, info = rd.calibrate(counts, std.genes)
    loo = info["loo_shifts"]
    folds = []
    for i in range(counts.shape[0]):
        genes = rd.fit_reference(np.delete(counts, i, axis=0), std.genes)
        cal = rd.region_table(genes, loo.drop(index=i))
        meta = {"loo_gene_mad": str(info["gene_mad"])}
        folds.append(LooFold(i, rd.RnaReference(genes, cal, meta)))
    return folds


def leave_one_out(
    std: rd.DiploidStandard, settings: rd.RnaDosageSettings, folds: list[LooFold] | None = None
) -> pd.DataFrame:
    """Per held-out sample: whole-chromosome and arm calls, karyotype class, max |z|."""
    rows = []
    for fold in folds or loo_folds(std):
        est = rd.estimate_dosage(
            std.counts[fold.index], std.genes["symbol"], fold.reference, settings=settings
        )
        t = est.regions
        auto = t[t["chrom"] != "chrX"]
        whole = auto[auto["arm"] == "whole"]
        arms = auto[auto["arm"] != "whole"]
        rows.append(
            {
                "sample": std.samples[fold.index],
                "sex": std.sex.iloc[fold.index],
                "whole_calls": ";".join(
                    f"{c}:{s}" for c, s in whole["state"].items() if s in ("gain", "loss")
                ),
                "n_whole_calls": int(whole["state"].isin(["gain", "loss"]).sum()),
                "n_whole_indeterminate": int((whole["state"] == "indeterminate").sum()),
                "n_arm_calls": int(arms["state"].isin(["gain", "loss"]).sum()),
                "max_abs_z_whole": round(float(whole["z"].abs().max()), 2),
                "modal": est.modal["modal_chromosome_number"],
                "karyotype_class": est.modal["karyotype_class"],
                "noise_ratio": round(est.noise_ratio, 3),
            }
        )
    return pd.DataFrame(rows)


def spike(
    counts: np.ndarray,
    on_chrom: np.ndarray,
    *,
    copies: int,
    purity: float,
    slope: float,
    rng: np.random.Generator,
    slope_sd: float = 0.25,
) -> np.ndarray:
    """Counts of one sample with ``copies`` copies of the genes in ``on_chrom``."""
    out = counts.astype(float).copy()
    n = int(on_chrom.sum())
    slopes = np.clip(rng.normal(slope, slope_sd, size=n), 0.0, 1.2)
    factor = ((2 * (1 - purity) + copies * purity) / 2) ** slopes
    x = out[on_chrom]
    if copies > 2:
        x = x + rng.poisson(x * (factor - 1))
    else:
        x = rng.binomial(x.astype(np.int64), np.clip(factor, 0, 1)).astype(float)
    out[on_chrom] = x
    return out


def spike_in(
    std: rd.DiploidStandard,
    settings: rd.RnaDosageSettings,
    *,
    chroms: list[str],
    copies: int,
    purity: float,
    slope: float,
    folds: list[LooFold],
    seed: int = 0,
    blast_fraction_known: bool = True,
) -> pd.DataFrame:
    """Detection of one simulated whole-chromosome change per (held-out sample, chromosome)."""
    rng = np.random.default_rng(seed)
    want = "gain" if copies > 2 else "loss"
    rows = []
    chrom_of = std.genes["chrom"].to_numpy()
    for fold in folds:
        for c in chroms:
            x = spike(
                std.counts[fold.index],
                chrom_of == c,
                copies=copies,
                purity=purity,
                slope=slope,
                rng=rng,
            )
            est = rd.estimate_dosage(
                x,
                std.genes["symbol"],
                fold.reference,
                settings=settings,
                blast_fraction=purity if blast_fraction_known else None,
            )
            r = est.regions.loc[c]
            others = est.whole().drop(index=[c, "chrX"])
            rows.append(
                {
                    "sample": std.samples[fold.index],
                    "chrom": c,
                    "copies": copies,
                    "purity": purity,
                    "slope": slope,
                    "shift": round(float(r["shift"]), 3),
                    "z": round(float(r["z"]), 2),
                    "state": r["state"],
                    "detected": r["state"] == want,
                    "other_false_calls": int(others["state"].isin(["gain", "loss"]).sum()),
                }
            )
    return pd.DataFrame(rows)


def karyotype_spike(
    std: rd.DiploidStandard,
    settings: rd.RnaDosageSettings,
    *,
    genome: dict[str, int],
    purity: float,
    slope: float,
    folds: list[LooFold],
    expected_class: str,
    seed: int = 0,
) -> pd.DataFrame:
    """Karyotype class of held-out samples given a whole simulated genome (chrom → copies).

    ``outcome`` is ``correct``, ``not_assessable`` (the conservative answer) or ``wrong``.
    """
    rng = np.random.default_rng(seed)
    chrom_of = std.genes["chrom"].to_numpy()
    rows = []
    for fold in folds:
        x = std.counts[fold.index].astype(float)
        for c, copies in genome.items():
            if copies != 2:
                x = spike(x, chrom_of == c, copies=copies, purity=purity, slope=slope, rng=rng)
        est = rd.estimate_dosage(
            x, std.genes["symbol"], fold.reference, settings=settings, blast_fraction=purity
        )
        k = est.modal["karyotype_class"]
        outcome = (
            "correct"
            if k == expected_class
            else "not_assessable"
            if k == "not_assessable"
            else "wrong"
        )
        rows.append(
            {
                "sample": std.samples[fold.index],
                "purity": purity,
                "modal": est.modal.get("modal_chromosome_number"),
                "range": est.modal.get("range"),
                "karyotype_class": k,
                "outcome": outcome,
            }
        )
    return pd.DataFrame(rows)
