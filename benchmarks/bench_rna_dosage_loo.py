"""RNA dosage on real diploid B-ALL samples: leave-one-out false calls and spike-in sensitivity.

Data: the 36 real diploid paediatric B-ALL RNA-seq profiles of RNAseqCNV (MIT; read from
``../shared/data/rnaseqcnv``, never copied). Part (a) of issue #11.

* **Leave-one-out false whole-chromosome calls.** Every sample is scored against a gene
  reference fitted on the other 35 and a calibration (expected shift and spread) taken
  from the other samples' leave-one-out shifts; the samples carry no large copy-number
  change, so every autosomal whole-chromosome gain/loss is false. Printed for the
  calibrated method (current settings) and, as the "before" figure, for the previous
  method (median log2-CPM shift, ``min_abs_shift`` 0.2, slope 1) with the same real
  leave-one-out reference and with the previous simulated reference when git still has it.
* **Sensitivity** on spike-ins: a held-out real sample gets a trisomy / tetrasomy /
  monosomy of one chromosome at blast fraction 100/80/60 % with a per-gene dosage slope
  drawn around 0.5 (the configured value) or 0.7; share detected per chromosome. And whole
  karyotypes (high hyperdiploid 54, low hypodiploid 36): correct class / not assessable /
  wrong. Spike-ins only measure sensitivity; no threshold is set from them.

    python benchmarks/bench_rna_dosage_loo.py [--data ../shared/data/rnaseqcnv] [--folds 12]
"""

from __future__ import annotations

import argparse
import io
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _common import ROOT, figure, save

from allstrat.copynumber import rna_dosage as rd
from allstrat.copynumber import rna_dosage_eval as ev
from allstrat.io.rnaseqcnv import read_diploid_standard
from allstrat.normalise import log_cpm

CHROMS = ["chr4", "chr6", "chr7", "chr9", "chr10", "chr13", "chr14", "chr17", "chr18", "chr21"]
HEH = {"chr4": 3, "chr6": 3, "chr10": 3, "chr14": 3, "chr17": 3, "chr18": 3, "chr21": 4}
LOW_HYPO = {f"chr{i}": 1 for i in (2, 3, 4, 7, 9, 12, 13, 15, 16, 17)}


def previous_method_calls(x: np.ndarray, symbols, ref: pd.DataFrame) -> int:
    """Autosomal whole-chromosome calls of the previous RNA dosage method (before #11)."""
    lc = pd.Series(log_cpm(x), index=pd.Index(symbols))
    r = ref[ref["symbol"].isin(lc.index)]
    d = pd.DataFrame(
        {"chrom": r["chrom"].to_numpy(), "d": lc.loc[r["symbol"]].to_numpy() - r["mean"]}
    )
    med = d.groupby("chrom")["d"].median()
    med = med[med.index.isin(rd.AUTOSOMES)]
    shift = med - med.median()
    state = np.where(shift.abs() < 0.2, 2, np.rint(2 * 2**shift))
    return int((state != 2).sum())


def before(std, results: dict) -> None:
    lc = log_cpm(std.counts)
    calls = []
    for i in range(len(std.samples)):
        mean = np.delete(lc, i, axis=0).mean(axis=0)
        ref = pd.DataFrame(
            {"symbol": std.genes["symbol"], "chrom": std.genes["chrom"], "mean": mean}
        )
        calls.append(
            previous_method_calls(std.counts[i], std.genes["symbol"], ref[ref["mean"] >= 3])
        )
    figure(
        results, "before_real_loo_ref_samples_with_false_call", sum(c > 0 for c in calls), "of 36"
    )
    figure(results, "before_real_loo_ref_false_calls", sum(calls), "calls")
    try:
        text = subprocess.run(
            ["git", "show", "f01f761:resources/copynumber/rna_dosage_reference.tsv"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (subprocess.CalledProcessError, FileNotFoundError):
        print("previous simulated reference not in git history: skipped")
        return
    sim = pd.read_csv(io.StringIO(text), sep="\t", comment="#")
    calls = [previous_method_calls(std.counts[i], std.genes["symbol"], sim) for i in range(36)]
    figure(
        results, "before_simulated_ref_samples_with_false_call", sum(c > 0 for c in calls), "of 36"
    )
    figure(results, "before_simulated_ref_false_calls", sum(calls), "calls")


def after(std, folds, settings, results: dict) -> None:
    loo = ev.leave_one_out(std, settings, folds)
    print(loo.to_string(index=False))
    figure(
        results,
        "loo_samples_with_false_whole_chromosome_call",
        int((loo["n_whole_calls"] > 0).sum()),
        "of 36",
    )
    figure(
        results,
        "loo_false_whole_chromosome_calls",
        int(loo["n_whole_calls"].sum()),
        "calls",
        "of 792 autosomes",
    )
    figure(
        results,
        "loo_indeterminate_whole_chromosomes",
        int(loo["n_whole_indeterminate"].sum()),
        "of 792",
    )
    figure(results, "loo_arm_calls", int(loo["n_arm_calls"].sum()), "calls")
    figure(results, "loo_max_abs_z_whole", float(loo["max_abs_z_whole"].max()), "z")
    figure(
        results,
        "loo_karyotype_not_diploid",
        int((loo["karyotype_class"] != "diploid").sum()),
        "of 36",
    )


def sensitivity(std, folds, settings, results: dict) -> None:
    for copies in (3, 4, 1):
        for purity in (1.0, 0.8, 0.6):
            for slope in (0.5, 0.7):
                t = ev.spike_in(
                    std,
                    settings,
                    chroms=CHROMS,
                    copies=copies,
                    purity=purity,
                    slope=slope,
                    folds=folds,
                    seed=copies * 100 + int(purity * 10),
                )
                per = t.groupby("chrom")["detected"].mean().reindex(CHROMS)
                note = " ".join(f"{c[3:]}:{v:.2f}" for c, v in per.items())
                figure(
                    results,
                    f"detect_cn{copies}_bf{int(purity * 100)}_slope{slope}",
                    float(t["detected"].mean()),
                    "share",
                    note,
                )
                wrong = int(t["other_false_calls"].sum())
                if wrong:
                    figure(
                        results,
                        f"other_chrom_false_calls_cn{copies}_bf{int(purity * 100)}_slope{slope}",
                        wrong,
                        "calls",
                    )


def karyotypes(std, folds, settings, results: dict) -> None:
    for name, genome, klass in (
        ("heh54", HEH, "high_hyperdiploid"),
        ("lowhypo36", LOW_HYPO, "low_hypodiploid"),
    ):
        for purity in (1.0, 0.8, 0.6):
            t = ev.karyotype_spike(
                std,
                settings,
                genome=genome,
                purity=purity,
                slope=0.6,
                folds=folds,
                expected_class=klass,
                seed=int(purity * 10),
            )
            share = t["outcome"].value_counts(normalize=True)
            note = ", ".join(f"{k} {v:.2f}" for k, v in share.items())
            figure(
                results,
                f"karyotype_{name}_bf{int(purity * 100)}_wrong",
                float(share.get("wrong", 0.0)),
                "share",
                note,
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "rnaseqcnv"))
    ap.add_argument("--folds", type=int, default=12, help="held-out samples used for spike-ins")
    args = ap.parse_args()
    if not Path(args.data).is_dir():
        raise SystemExit(f"{args.data}: RNAseqCNV data folder not found")
    t0, c0 = time.monotonic(), time.process_time()
    std = read_diploid_standard(args.data)
    settings = rd.RnaDosageSettings()
    results: dict = {}
    before(std, results)
    folds = ev.loo_folds(std)
    after(std, folds, settings, results)
    sensitivity(std, folds[: args.folds], settings, results)
    karyotypes(std, folds[: args.folds], settings, results)
    figure(results, "wall", time.monotonic() - t0, "s")
    figure(results, "cpu", time.process_time() - c0, "s")
    save(results, "bench_rna_dosage_loo")


if __name__ == "__main__":
    main()
