"""Single-sample latency: one new diagnosis classified on a laptop.

Simulates a small demo-layout cohort once (``allstrat simulate``), takes one sample's
per-sample count file (featureCounts, ~19,000 genes) and times a fresh
``allstrat classify --counts FILE --format featurecounts`` process end to end (start-up,
model load, read, normalise, predict, explain, write) over several repeats, with peak memory.
Also times the imports alone, to show how much of the latency is start-up.

Usage: ``python benchmarks/bench_single.py [--repeat 5] [--model NAME/VERSION]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import check, figure, run_measured, save


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--model", help="model folder or name/version (default: shipped model)")
    args = ap.parse_args()
    res: dict = {}
    with tempfile.TemporaryDirectory(prefix="allstrat-bench-single-") as d:
        tmp = Path(d)
        check(
            run_measured(
                ["allstrat", "simulate", "--n-samples", "12", "--seed", "3", "--out", str(tmp)]
            ),
            "simulate",
        )
        count_file = sorted((tmp / "expression").glob("*.featureCounts.txt"))[0]
        cmd = [
            "allstrat",
            "classify",
            "--counts",
            str(count_file),
            "--format",
            "featurecounts",
            "--out",
            str(tmp / "one.tsv"),
            "--explain",
            str(tmp / "one.explain.json"),
        ]
        if args.model:
            cmd += ["--model", args.model]
        check(run_measured(cmd), "classify (warm-up)")
        runs = [check(run_measured(cmd), "classify") for _ in range(args.repeat)]
        walls = [r.wall_s for r in runs]
        figure(res, "single_sample_classify_wall", statistics.median(walls), "s", "fresh process")
        figure(res, "single_sample_classify_wall_min", min(walls), "s")
        peak = max(r.peak_proc_rss_mib for r in runs)
        figure(res, "single_sample_classify_peak_rss", peak, "MiB")
        imp = [
            check(
                run_measured([sys.executable, "-c", "import allstrat.cli.classify"]), "import"
            ).wall_s
            for _ in range(3)
        ]
        figure(res, "import_allstrat_classify_cli", statistics.median(imp), "s", "start-up part")
        lines = (tmp / "one.tsv").read_text().splitlines()
        if len(lines) != 2:
            raise SystemExit(f"expected one call row, got {len(lines) - 1}")
    save(res, "single")


if __name__ == "__main__":
    main()
