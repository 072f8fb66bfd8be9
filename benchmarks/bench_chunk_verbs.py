"""Per-sample cost of the chunk jobs (import, classify, copy number, risk, reconcile, reports).

Simulates a cohort (``allstrat simulate --layout cohort``; ``--cohort DIR`` reuses one),
imports it as one expression chunk (``allstrat import-expression``, not timed as a verb
figure) and runs, as fresh processes exactly as the workflow's rules do,

* ``allstrat classify --expression chunk.h5ad --sheet ... --chunk 0000 --clinical ...
  --out --explain --h5ad`` (fusion files of every sample, both models, explanations);
* ``allstrat copynumber --sheet ... --chunk 0000 --expression --classify --out
  --evidence`` (the cohort layout's SEG segments of every sample; no memo);
* ``allstrat risk --classify ... --copynumber ... --clinical --mrd --lab-genetics
  --sample-sheet --memo`` (every protocol; the rule's command line: a memo file, removed
  before each run, so every sample is computed and stored as in a first run);
* ``allstrat import-expression`` of the chunk (the cohort's counts matrix, every sample);
* ``allstrat reconcile`` of the classify calls with the copy-number table and evidence;
* ``allstrat report samples`` (JSON + HTML of every sample from scratch, render keys
  written), reading the reconciled calls, copy-number, risk and expression outputs.

``--verbs`` picks some of the jobs; the ones they read from that are not picked run once
first, untimed, with the current code.

For each it prints wall time, CPU time (user + system of the process: the idle-machine
wall time of this single-threaded work) and **CPU per sample in ms**, with the load
average. ``--before-src DIR`` runs the same commands a second time with
``PYTHONPATH=DIR`` and prints both, so a change is measured against its base on the same
inputs and load. Extract the WHOLE tree, not only ``workflow/src`` (the package reads its
config schema from ``workflow/schemas``): ``git archive <commit> | tar -x -C /tmp/old`` and
pass ``--before-src /tmp/old/workflow/src``.

Usage: ``python benchmarks/bench_chunk_verbs.py [--n 2500] [--cohort DIR]
[--before-src DIR] [--repeat 1] [--verbs import-expression classify ... report]``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import check, figure, run_measured, save

CPU_WRAP = (
    "import atexit, os, sys; "
    "atexit.register(lambda: sys.stderr.write('__cpu__ %.4f\\n' % sum(os.times()[:2]))); "
    "sys.argv = ['allstrat'] + sys.argv[1:]; "
    "from allstrat.cli import main; sys.exit(main())"
)


def _allstrat(args: list[str], src: str | None) -> tuple[float, float, float]:
    """Run ``allstrat ARGS`` as a fresh process: (wall s, CPU s, peak RSS MiB)."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    verb = next(a for a in args if not a.startswith("-"))
    r = check(run_measured([sys.executable, "-c", CPU_WRAP, *args], env=env), verb)
    m = re.search(r"__cpu__ ([0-9.]+)", r.stderr)
    return r.wall_s, float(m.group(1)) if m else float("nan"), r.peak_proc_rss_mib


def _commands(cohort: Path, work: Path) -> dict[str, list[str]]:
    sheet = str(cohort / "samples.tsv")
    return {
        "classify": [
            "-q", "classify", "--expression", str(work / "chunk.h5ad"), "--sheet", sheet,
            "--chunk", "0000", "--samples-per-job", "1000000",
            f"--clinical={cohort / 'clinical.tsv'}", "--out", str(work / "calls.tsv"),
            "--explain", str(work / "calls.explain.json"), "--h5ad", str(work / "calls.h5ad"),
        ],
        "copynumber": [
            "-q", "copynumber", "--sheet", sheet, "--chunk", "0000", "--samples-per-job",
            "1000000", "--expression", str(work / "chunk.h5ad"), "--classify",
            str(work / "calls.tsv"), "--out", str(work / "cn.tsv"), "--evidence",
            str(work / "cn.evidence.json"),
        ],
        "risk": [
            "-q", "risk", "--classify", str(work / "calls.tsv"), "--copynumber",
            str(work / "cn.tsv"), f"--clinical={cohort / 'clinical.tsv'}",
            f"--mrd={cohort / 'mrd.tsv'}", f"--lab-genetics={cohort / 'lab_genetics.tsv'}",
            "--sample-sheet", sheet, "--out", str(work / "risk.tsv"), "--traces",
            str(work / "risk.traces.json"), f"--memo={work / 'risk.memo.json'}",
        ],
        "import-expression": [
            "-q", "import-expression", "--sheet", sheet, "--chunk", "0000",
            "--samples-per-job", "1000000", "--out", str(work / "timed_chunk.h5ad"),
        ],
        "reconcile": [
            "-q", "reconcile", "--classify", str(work / "calls.tsv"),
            "--explain", str(work / "calls.explain.json"), "--copynumber", str(work / "cn.tsv"),
            "--cn-evidence", str(work / "cn.evidence.json"), "--out", str(work / "rec.tsv"),
            "--out-explain", str(work / "rec.explain.json"),
        ],
        "report": [
            "-q", "report", "samples", "--sheet", sheet, "--chunk", "0000",
            "--samples-per-job", "1000000", "--classify", str(work / "rec.tsv"),
            "--explain", str(work / "rec.explain.json"), "--copynumber", str(work / "cn.tsv"),
            "--cn-evidence", str(work / "cn.evidence.json"), "--risk", str(work / "risk.tsv"),
            "--traces", str(work / "risk.traces.json"), "--expression", str(work / "chunk.h5ad"),
            "--keys", str(work / "report_keys.json"), "--outdir", str(work / "samples"),
        ],
    }  # fmt: skip


#: the jobs in workflow order, and the jobs whose outputs each one reads
VERBS = ("import-expression", "classify", "copynumber", "risk", "reconcile", "report")
_NEEDS = {
    "copynumber": ("classify",),
    "risk": ("classify", "copynumber"),
    "reconcile": ("classify", "copynumber"),
    "report": ("classify", "copynumber", "risk", "reconcile"),
}


def chunk_inputs(args: argparse.Namespace, work: Path) -> Path:
    """The cohort (``--cohort`` reused, else simulated with ``--n`` / ``--seed``) and its
    expression imported as one chunk (``work/chunk.h5ad``), untimed; returns the cohort.
    """
    cohort = Path(args.cohort) if args.cohort else work / "cohort"
    if not (cohort / "samples.tsv").is_file():
        sim = ["simulate", "--n-samples", str(args.n), "--seed", str(args.seed)]
        _allstrat([*sim, "--layout", "cohort", "--out", str(cohort)], None)
    imp = ["import-expression", "--sheet", str(cohort / "samples.tsv"), "--chunk", "0000"]
    _allstrat([*imp, "--samples-per-job", "1000000", "--out", str(work / "chunk.h5ad")], None)
    return cohort


def setup(cohort: Path, work: Path, verbs: list[str]) -> None:
    """Run once (untimed, current code) the jobs that the picked ``verbs`` read from."""
    needed: set[str] = set()
    for v in verbs:
        needed |= set(_NEEDS.get(v, ()))
    commands = _commands(cohort, work)
    for v in VERBS:
        if v in needed and v not in verbs:
            _allstrat(commands[v], None)


def _fresh_report(work: Path) -> None:
    """Every sample rendered again: no previous reports or render keys."""
    shutil.rmtree(work / "samples", ignore_errors=True)
    (work / "report_keys.json").unlink(missing_ok=True)


def measure(
    res: dict, cohort: Path, work: Path, *, label: str, src: str | None, repeat: int, verbs: list
):
    """Time the chunk jobs ``verbs`` of one chunk (``label`` prefixes the figures)."""
    n = sum(1 for _ in (cohort / "samples.tsv").open()) - 1
    commands = _commands(cohort, work)
    for verb in [v for v in VERBS if v in verbs]:
        runs = []
        for _ in range(repeat):
            if verb == "report":
                _fresh_report(work)
            if verb == "risk":  # a first run: nothing to reuse, every sample stored
                (work / "risk.memo.json").unlink(missing_ok=True)
            runs.append(_allstrat(commands[verb], src))
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        load = f"load {os.getloadavg()[0]:.1f}, {n} samples"
        name = f"{label}_{verb.replace('-', '_')}"
        figure(res, f"{name}_wall", wall, "s", load)
        figure(res, f"{name}_cpu", cpu, "s", "user+sys")
        figure(res, f"{name}_cpu_per_sample", 1000 * cpu / n, "ms")
        figure(res, f"{name}_peak_rss", max(r[2] for r in runs), "MiB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2500, help="samples to simulate (one chunk)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--cohort", help="reuse (or write) the simulated cohort here")
    ap.add_argument("--before-src", help="another checkout's workflow/src to compare with")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--verbs", nargs="+", default=list(VERBS), choices=VERBS, help="jobs to time")
    args = ap.parse_args()
    res: dict = {}
    with tempfile.TemporaryDirectory(prefix="allstrat-bench-chunk-") as d:
        work = Path(d)
        cohort = chunk_inputs(args, work)
        setup(cohort, work, args.verbs)
        opts = {"repeat": args.repeat, "verbs": args.verbs}
        if args.before_src:
            measure(res, cohort, work, label="before", src=args.before_src, **opts)
        measure(res, cohort, work, label="now", src=None, **opts)
    save(res, "chunk_verbs")


if __name__ == "__main__":
    main()
