"""Helpers shared by the benchmark scripts: timing, peak memory of a process tree, output.

Benchmarks print one ``name: value unit`` line per figure (and a JSON copy under
``benchmarks/out/``, which git ignores). They never assert timings: machines differ.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"


def figure(results: dict, name: str, value: float, unit: str, note: str = "") -> None:
    """Print one figure and keep it in ``results``."""
    results[name] = {"value": value, "unit": unit, **({"note": note} if note else {})}
    suffix = f"  ({note})" if note else ""
    print(f"{name}: {value:.4g} {unit}{suffix}", flush=True)


def save(results: dict, name: str) -> Path:
    """Write ``benchmarks/out/<name>.json`` (machine info included)."""
    OUT.mkdir(parents=True, exist_ok=True)
    info = {
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "mem_total_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": sys.version.split()[0],
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    path = OUT / f"{name}.json"
    path.write_text(json.dumps({"machine": info, "figures": results}, indent=2) + "\n")
    print(f"(figures written to {path.relative_to(ROOT)})", flush=True)
    return path


def median_time(
    fn: Callable[[], object], *, repeat: int = 5, warmup: int = 1, cpu: bool = False
) -> float:
    """Median time (s) of ``fn()`` over ``repeat`` calls after ``warmup`` calls.

    ``cpu=True`` measures CPU time (this process plus waited-for children) instead of
    wall time: on a shared, loaded machine that is the figure an idle machine would show
    as wall time for single-threaded work.
    """
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = cpu_seconds() if cpu else time.perf_counter()
        fn()
        times.append((cpu_seconds() if cpu else time.perf_counter()) - t0)
    return statistics.median(times)


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@dataclass
class RunStats:
    """Wall time and memory of one command and all its descendants."""

    wall_s: float
    peak_tree_rss_mib: float  # peak of the summed RSS of every process in the tree
    peak_proc_rss_mib: float  # largest RSS of any single process in the tree
    returncode: int
    stdout: str
    stderr: str
    peak_by_verb_mib: dict[str, float]  # largest RSS per ``allstrat <verb>`` process seen
    cpu_by_verb_s: dict[str, float] = field(default_factory=dict)  # CPU per verb, all its jobs


def run_measured(
    cmd: Sequence[str], *, cwd: Path | None = None, env: dict | None = None, interval: float = 0.05
) -> RunStats:
    """Run ``cmd``; sample the RSS of its process tree every ``interval`` seconds."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak_tree = 0
    peak_proc = 0
    by_verb: dict[str, int] = {}
    cpu_of: dict[int, tuple[str, float]] = {}  # pid -> (verb, last CPU seconds seen)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_tree, peak_proc
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not stop.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            for p in procs:
                try:
                    rss = p.memory_info().rss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                total += rss
                peak_proc = max(peak_proc, rss)
                verb = _allstrat_verb(p)
                if verb:
                    by_verb[verb] = max(by_verb.get(verb, 0), rss)
                    try:
                        t = p.cpu_times()
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        continue
                    cpu_of[p.pid] = (verb, t.user + t.system)
            peak_tree = max(peak_tree, total)
            stop.wait(interval)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    stop.set()
    th.join()
    verbs = {k: v / 2**20 for k, v in sorted(by_verb.items())}
    cpu: dict[str, float] = {}
    for verb, seconds in cpu_of.values():  # the last sample of each process (<= interval short)
        cpu[verb] = cpu.get(verb, 0.0) + seconds
    return RunStats(
        wall, peak_tree / 2**20, peak_proc / 2**20, proc.returncode, out, err, verbs, cpu
    )


def _allstrat_verb(p: psutil.Process) -> str:
    """``"classify"`` for a process running ``allstrat classify ...``, else ``""``."""
    try:
        cmd = p.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return ""
    for k, arg in enumerate(cmd[:3]):
        if arg.endswith("/allstrat") or arg == "allstrat":
            rest = [a for a in cmd[k + 1 :] if not a.startswith("-")]
            if rest:
                return " ".join(rest[:2]) if rest[0] == "report" else rest[0]
    return ""


def check(stats: RunStats, what: str) -> RunStats:
    """Exit with the command's output if it failed."""
    if stats.returncode != 0:
        sys.stderr.write(stats.stdout[-5000:] + "\n" + stats.stderr[-10000:] + "\n")
        raise SystemExit(f"{what} failed with exit code {stats.returncode}")
    return stats
