"""Single-sample latency: one new diagnosis classified by ``allstrat classify`` on a laptop.

Takes one sample's count file -- by default a per-sample featureCounts file (~19,000 genes)
of a small simulated cohort (``allstrat simulate``), or ``--counts FILE --format FMT``
(e.g. one real sample) -- and runs ``allstrat classify --counts FILE --format FMT --out ...
--explain ...`` as a fresh Python process (what the ``allstrat`` console script runs,
without a launcher shim in front) several times. Prints

* wall time (median and minimum of ``--repeat`` runs after one warm-up) and CPU time
  (user + system; on a loaded machine the idle-machine wall time of this single-threaded
  work), with the load average;
* peak memory (largest resident set of the process);
* the import-time breakdown of one run (``python -X importtime``): time spent importing
  each package's own modules (the largest eight), and whether scikit-learn / anndata /
  scanpy / scipy were imported at all (the single-sample path needs none of them);
* the start-up floor: an interpreter that only imports numpy + pandas.

Issue #14 target: < 1.5 s wall for one new sample as a fresh process.

Usage: ``python benchmarks/bench_single_sample.py [--repeat 7] [--counts F --format FMT]
[--model NAME/VERSION]``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import check, figure, run_measured, save

ENTRY = "import sys; from allstrat.cli import main; sys.exit(main())"
HEAVY = ("sklearn", "anndata", "scanpy", "scipy", "joblib", "h5py", "matplotlib")


def _classify_cmd(count_file: Path, fmt: str, out: Path, model: str | None) -> list[str]:
    cmd = [sys.executable, "-c", ENTRY, "-q", "classify", "--counts", str(count_file)]
    cmd += ["--format", fmt, "--out", str(out / "one.tsv"), "--explain", str(out / "one.json")]
    return cmd + (["--model", model] if model else [])


def _cpu_of(stats_stderr: str) -> float:
    m = re.search(r"__cpu__ ([0-9.]+)", stats_stderr)
    return float(m.group(1)) if m else float("nan")


def _timed(cmd: list[str]) -> list[str]:
    """Wrap ``cmd`` so that the child prints its own CPU time to stderr at exit."""
    code = (
        "import atexit, os, sys, runpy; "
        "atexit.register(lambda: sys.stderr.write("
        "'__cpu__ %.4f\\n' % sum(os.times()[:2]))); "
        f"sys.argv = ['allstrat'] + {cmd[3:]!r}; "
        "from allstrat.cli import main; sys.exit(main())"
    )
    return [sys.executable, "-c", code]


def import_breakdown(cmd: list[str]) -> tuple[dict[str, float], set[str]]:
    """Seconds of import per package of one run (the self time of every module, summed by
    its top-level package: ``pandas`` includes pandas' own submodules, not numpy), and the
    set of modules imported.
    """
    run = check(run_measured([sys.executable, "-X", "importtime", *cmd[1:]]), "importtime run")
    per_pkg: dict[str, float] = {}
    seen: set[str] = set()
    for line in run.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| *(\S+)", line)
        if m:
            name = m.group(3)
            seen.add(name)
            pkg = name.split(".")[0]
            per_pkg[pkg] = per_pkg.get(pkg, 0.0) + int(m.group(1)) / 1e6
    return per_pkg, seen


def measure_single(
    res: dict,
    *,
    repeat: int = 5,
    model: str | None = None,
    counts: str | None = None,
    fmt: str = "featurecounts",
) -> None:
    """Time ``allstrat classify`` on one sample as a fresh process (wall, CPU, memory)."""
    with tempfile.TemporaryDirectory(prefix="allstrat-bench-single-") as d:
        tmp = Path(d)
        if counts is None:
            sim = ["allstrat", "simulate", "--n-samples", "12", "--seed", "3", "--out", str(tmp)]
            check(run_measured(sim), "simulate")
            count_file = sorted((tmp / "expression").glob("*.featureCounts.txt"))[0]
        else:
            count_file = Path(counts)
        cmd = _classify_cmd(count_file, fmt, tmp, model)
        check(run_measured(cmd), "classify (warm-up)")
        walls, cpus, peaks = [], [], []
        load0 = os.getloadavg()[0]
        for _ in range(repeat):
            r = check(run_measured(_timed(cmd)), "classify")
            walls.append(r.wall_s)
            cpus.append(_cpu_of(r.stderr))
            peaks.append(r.peak_proc_rss_mib)
        load = f"load {load0:.1f} -> {os.getloadavg()[0]:.1f}, {os.cpu_count()} cpus"
        figure(res, "single_sample_classify_wall", statistics.median(walls), "s",
               f"median of {repeat} fresh processes; {load}")  # fmt: skip
        figure(res, "single_sample_classify_wall_min", min(walls), "s")
        note = "user+sys of the process = idle-machine wall of this single-threaded work"
        figure(res, "single_sample_classify_cpu", statistics.median(cpus), "s", note)
        figure(res, "single_sample_classify_peak_rss", max(peaks), "MiB")
        lines = (tmp / "one.tsv").read_text().splitlines()
        if len(lines) != 2:
            raise SystemExit(f"expected one call row, got {len(lines) - 1}")
        per_pkg, seen = import_breakdown(cmd)
        for pkg, sec in sorted(per_pkg.items(), key=lambda kv: -kv[1])[:8]:
            figure(res, f"import_{pkg}", sec, "s", "own modules only, one run (-X importtime)")
        figure(
            res,
            "import_total",
            sum(per_pkg.values()),
            "s",
            "every module's own import time, summed",
        )
        heavy = sorted(h for h in HEAVY if h in seen)
        res["heavy_imports"] = heavy
        print(f"heavy_imports: {', '.join(heavy) or 'none'}  ({', '.join(HEAVY)} looked for)")
        floor = [
            check(run_measured([sys.executable, "-c", "import numpy, pandas"]), "floor").wall_s
            for _ in range(3)
        ]
        figure(res, "startup_floor_numpy_pandas", statistics.median(floor), "s",
               "fresh interpreter importing numpy + pandas only")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--model", help="model folder or name/version (default: shipped model)")
    ap.add_argument("--counts", help="one sample's count file (default: a simulated one)")
    ap.add_argument("--format", default="featurecounts", help="format of --counts")
    args = ap.parse_args()
    res: dict = {}
    measure_single(res, repeat=args.repeat, model=args.model, counts=args.counts, fmt=args.format)
    save(res, "single_sample")


if __name__ == "__main__":
    main()
