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
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import check, cpu_seconds, figure, run_measured, save


def measure_single(res: dict, *, repeat: int = 5, model: str | None = None) -> None:
    """Time ``allstrat classify`` on one new sample as a fresh process (wall and CPU)."""
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
        if model:
            cmd += ["--model", model]
        check(run_measured(cmd), "classify (warm-up)")
        walls, cpus, runs = [], [], []
        for _ in range(repeat):
            c0 = cpu_seconds()
            runs.append(check(run_measured(cmd), "classify"))
            cpus.append(cpu_seconds() - c0)
            walls.append(runs[-1].wall_s)
        load = os.getloadavg()[0]
        figure(res, "single_sample_classify_wall", statistics.median(walls), "s", "fresh process")
        figure(res, "single_sample_classify_wall_min", min(walls), "s")
        figure(
            res,
            "single_sample_classify_cpu",
            statistics.median(cpus),
            "s",
            f"user+sys; = idle-machine wall for this single-threaded work (load {load:.1f})",
        )
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--model", help="model folder or name/version (default: shipped model)")
    args = ap.parse_args()
    res: dict = {}
    measure_single(res, repeat=args.repeat, model=args.model)
    save(res, "single")


if __name__ == "__main__":
    main()
