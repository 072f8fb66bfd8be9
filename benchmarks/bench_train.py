"""Retraining cost: ``allstrat train`` with nested cross-validation on a simulated cohort.

Simulates a labelled cohort (``allstrat simulate --layout cohort --subtype-balance uniform``,
one counts matrix), then times ``allstrat train --counts ... --labels truth.tsv`` end to end
(reading, feature fitting, outer x inner CV, final fit, model card) as a fresh process, with
its peak memory. Target (issue #7): 2,000 samples in < 10 min on 2 cores.

Usage: ``python benchmarks/bench_train.py [--n-samples 2000] [--cv-folds 5]``. The model is
written to a temporary folder and discarded (shipped models are never touched).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import check, figure, run_measured, save


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n-samples", type=int, default=2000)
    ap.add_argument("--cv-folds", type=int, default=5)
    ap.add_argument("--inner-folds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    res: dict = {}
    with tempfile.TemporaryDirectory(prefix="allstrat-bench-train-") as d:
        tmp = Path(d)
        t0 = time.perf_counter()
        check(
            run_measured(
                [
                    "allstrat",
                    "simulate",
                    "--n-samples",
                    str(args.n_samples),
                    "--seed",
                    str(args.seed),
                    "--out",
                    str(tmp / "cohort"),
                    "--layout",
                    "cohort",
                    "--subtype-balance",
                    "uniform",
                ]
            ),
            "simulate",
        )
        figure(res, "simulate_training_cohort", time.perf_counter() - t0, "s", "setup only")
        matrix = next(
            p for p in (tmp / "cohort").rglob("*") if p.is_file() and "count" in p.name.lower()
        )
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        st = check(
            run_measured(
                [
                    "allstrat",
                    "train",
                    "--counts",
                    str(matrix),
                    "--labels",
                    str(tmp / "cohort" / "truth.tsv"),
                    "--out-dir",
                    str(tmp / "models"),
                    "--cv-folds",
                    str(args.cv_folds),
                    "--inner-folds",
                    str(args.inner_folds),
                    "--cohort-id",
                    f"bench-sim-{args.n_samples}",
                ]
            ),
            "train",
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        note = f"{args.n_samples} samples, {args.cv_folds}x{args.inner_folds} nested CV"
        figure(res, "train_wall", st.wall_s, "s", note + "; target < 600 s")
        figure(res, "train_cpu", cpu, "s", "user+sys; ~ wall on an idle machine (1 process)")
        figure(res, "train_peak_rss", st.peak_proc_rss_mib, "MiB")
        figure(res, "load_average_before", load, "", "other work on the machine inflates times")
        cards = list((tmp / "models").rglob("model.json"))
        if not cards:
            raise SystemExit("train wrote no model.json")
    save(res, f"train_{args.n_samples}")


if __name__ == "__main__":
    main()
