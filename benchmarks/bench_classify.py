"""Classification speed of the shipped model (prints figures; no assertions).

Usage: python benchmarks/bench_classify.py [--n 500] [--seed 3] [--model name/version]

Simulates a cohort (allstrat.simulate, realistic subtype mix), then times
``classify_counts`` (features + probabilities + rules + explanations) on batches of
1, 10, 100 and --n samples, after one warm-up call. Model loading (checksum + unpickle)
is timed separately.
"""

from __future__ import annotations

import argparse
import time

from allstrat.classify.core import classify_counts
from allstrat.models import load_model
from allstrat.simulate import simulate_cohort


def main() -> None:
    """Run the benchmark and print samples/s."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--model", default=None)
    args = ap.parse_args()
    t = time.perf_counter()
    model = load_model(args.model)
    print(f"load_model: {time.perf_counter() - t:.2f} s ({model.model_id})")
    cohort = simulate_cohort(args.n, seed=args.seed)
    counts = cohort.counts.T.astype(float)
    kw = {"model_id": model.model_id, "model_sha256": model.sha256}
    classify_counts(counts.iloc[:2], model.estimator, **kw)  # warm-up
    for n in sorted({1, 10, 100, args.n}):
        if n > len(counts):
            continue
        t = time.perf_counter()
        classify_counts(counts.iloc[:n], model.estimator, **kw)
        dt = time.perf_counter() - t
        print(f"batch {n:5d}: {dt:7.3f} s  {n / dt:8.1f} samples/s")


if __name__ == "__main__":
    main()
