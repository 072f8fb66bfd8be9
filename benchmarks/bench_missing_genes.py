"""How calls degrade as model genes go unmeasured: the basis of ``min_measured_panel_fraction``.

For each measured fraction f, every sample keeps a random f of the model's genes (the rest
become NaN = not measured, as for a lab annotation that lacks them) and is classified with
the shipped model *without* the insufficient-data gate. Printed per f: the share of samples
whose call (subtype) is unchanged from the all-genes call, the share still called at all,
and the median absolute change of the top probability. Samples: the 10 real B-ALL samples
of ``../shared/data/allcatchr_test_counts.tsv`` when present (no labels: stability only)
and a simulated cohort (``--n-sim``, seed 7).

Usage: ``python benchmarks/bench_missing_genes.py [--n-sim 40] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, figure, save

FRACTIONS = (1.0, 0.9, 0.75, 0.5, 0.35, 0.25, 0.15, 0.1, 0.05, 0.01, 0.001)


def _cohorts(n_sim: int) -> dict[str, pd.DataFrame]:
    from allstrat.harmonise import harmonise_counts
    from allstrat.io.gene_table import load_gene_table
    from allstrat.simulate.cohort import simulate_cohort

    out = {"simulated": simulate_cohort(n_sim, 7).counts.T.astype(float)}
    real = ROOT.parent / "shared" / "data" / "allcatchr_test_counts.tsv"
    if real.is_file():
        raw = pd.read_csv(real, sep="\t", index_col=0)
        harm, _ = harmonise_counts(raw, load_gene_table())
        out["allcatchr_real"] = harm.T.astype(float)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n-sim", type=int, default=40)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    from allstrat.classify.core import classify_counts
    from allstrat.classify.decide import CallSettings
    from allstrat.models import load_model

    model = load_model(None)
    genes = [str(g) for g in model.estimator.feature_names_in_]
    settings = CallSettings(min_measured_panel_fraction=0.0)  # gate off: measure the raw effect

    def calls(x: pd.DataFrame) -> pd.DataFrame:
        r = classify_counts(
            x, model.estimator, model_id="m", model_sha256="", settings=settings, top_n=1
        )
        return r.calls.set_index("sample_id")

    res: dict = {}
    rng = np.random.default_rng(0)
    for name, counts in _cohorts(args.n_sim).items():
        counts = counts.reindex(columns=genes)
        full = calls(counts)
        for f in FRACTIONS[1:]:
            same, called, dp = [], [], []
            for _ in range(args.repeats):
                x = counts.copy()
                for sid in x.index:
                    n_drop = len(genes) - round(f * len(genes))
                    drop = rng.choice(len(genes), size=n_drop, replace=False)
                    x.loc[sid, [genes[i] for i in drop]] = np.nan
                c = calls(x)
                same.extend((c["subtype"] == full["subtype"]).tolist())
                called.extend(
                    (~c["subtype"].isin(["unclassified", "multiple candidates"])).tolist()
                )
                dp.extend((c["top_probability"] - full["top_probability"]).abs().tolist())
            tag = f"{name}.measured_{f:g}"
            figure(res, f"{tag}.same_call", float(np.mean(same)), "fraction")
            figure(res, f"{tag}.called", float(np.mean(called)), "fraction")
            figure(res, f"{tag}.median_abs_delta_top_p", float(np.median(dp)), "probability")
    save(res, "bench_missing_genes")


if __name__ == "__main__":
    main()
