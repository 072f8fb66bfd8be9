"""Snakemake's own cost at 1,000 ... 10,000 samples: DAG build and "nothing to do" reruns.

No analysis job runs here, so the figures can be taken at 10,000 samples on a shared
machine in a minute. For each size N the script
1. writes an N-sample sheet whose rows point at the files of one small simulated cohort
   (the DAG depends on the sheet, not on the data);
2. times ``snakemake -n`` with nothing built yet (the DAG of every job);
3. creates every output of the workflow as an empty file, older inputs first, and times
   ``snakemake --cores 2`` (nothing to do: the "rerun with nothing to do" of
   ``bench_scale.py`` without its analysis), and ``snakemake -n`` after deleting one
   sample's report (only that sample's chunk report job is planned);
4. for comparison, times the DAG of a one-job-per-sample report rule (the alternative to
   one job per chunk, see ``workflow/rules/report.smk``) and one ``allstrat report``
   process start, the fixed cost each such job would pay.

Every timing comes with its CPU time (this process's children) and the load average.
Usage: ``python benchmarks/bench_dag.py --sizes 1000 10000 [--samples-per-job 2500]``.

``--workdir DIR`` instead measures a folder the workflow has really been run in (e.g. a
``cp -a`` of ``bench_scale.py --keep``'s ``n10000``; its ``.snakemake`` metadata is what a
real "nothing to do" rerun reads, about six times per per-sample report: Snakemake's
metadata cache holds 128 records): "nothing to do" (wall, CPU, and Snakemake's main thread
split into on-CPU, waiting for a CPU (run queue: other processes) and blocked / sleeping
(I/O, sleeps), from /proc schedstat), ``snakemake -n``, and the rerun after deleting one
sample's report (which jobs run; the report is back). It changes only that one report.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, check, figure, run_measured, save

from allstrat.batching import split_chunks

SNAKEFILE = str(ROOT / "Snakefile")

#: the toy per-sample report rule (one job per sample, as the alternative design)
PER_SAMPLE_SNAKEFILE = """
import pandas as pd
from allstrat.batching import split_chunks

configfile: "config/config.yaml"
IDS = sorted(pd.read_csv(config["samples"], sep="\\t", dtype=str)["sample_id"])
CHUNKS = split_chunks(IDS, samples_per_job=config["batching"]["samples_per_job"])
CHUNK_OF = {s: c for c, ids in CHUNKS.items() for s in ids}

rule all:
    input: expand("results/samples/{sample}.{ext}", sample=IDS, ext=["json", "html"])

rule sample_report:
    input:
        classify=lambda w: f"results/classify/chunk_{CHUNK_OF[w.sample]}.tsv",
        risk=lambda w: f"results/risk/chunk_{CHUNK_OF[w.sample]}.tsv",
    output: "results/samples/{sample}.json", "results/samples/{sample}.html"
    shell: "allstrat report samples --sample {wildcards.sample} ..."
"""


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run ``cmd``; return (wall s, CPU s of the process tree, stdout + stderr)."""
    cpu0 = _children_cpu()
    st = check(run_measured(cmd, cwd=cwd), " ".join(cmd[:4]))
    return st.wall_s, _children_cpu() - cpu0, st.stdout + st.stderr


def base_cohort(base: Path) -> Path:
    """A 20-sample simulated cohort whose files every synthetic sheet row points at."""
    cohort = base / "cohort"
    if not (cohort / "samples.tsv").is_file():
        cmd = ["allstrat", "simulate", "--n-samples", "20", "--seed", "7", "--out", str(cohort)]
        check(run_measured([*cmd, "--layout", "cohort"]), "simulate")
    return cohort


def write_workdir(work: Path, cohort: Path, n: int, samples_per_job: int) -> list[str]:
    """Sheet of ``n`` samples (renamed copies of the cohort's rows) and the config."""
    sheet = pd.read_csv(cohort / "samples.tsv", sep="\t", dtype=str, keep_default_na=False)
    reps = -(-n // len(sheet))
    rows = []
    for r in range(reps):
        part = sheet.copy()
        part["sample_id"] = [f"{s}_{r:04d}" for s in sheet["sample_id"]]
        rows.append(part)
    big = pd.concat(rows).iloc[:n]
    (work / "config").mkdir(parents=True, exist_ok=True)
    big.to_csv(work / "config" / "samples.tsv", sep="\t", index=False)
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    cfg["samples"] = "config/samples.tsv"
    for key in ("clinical", "mrd", "lab_genetics"):
        table = cohort / f"{key}.tsv"
        cfg[key] = str(table) if table.is_file() else ""
    cfg["demo"]["generate"] = False
    cfg["batching"]["samples_per_job"] = samples_per_job
    (work / "config" / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    return sorted(big["sample_id"])


def fake_outputs(work: Path, ids: list[str], samples_per_job: int) -> None:
    """Every workflow output as an empty file, each stage newer than the one before."""
    chunks = sorted(split_chunks(ids, samples_per_job=samples_per_job))
    stages = [
        [f"expression/chunk_{c}.h5ad" for c in chunks],
        [f"classify/chunk_{c}.{e}" for c in chunks for e in ("tsv", "explain.json", "h5ad")],
        [f"copynumber/chunk_{c}.{e}" for c in chunks for e in ("tsv", "evidence.json")],
        [f"risk/chunk_{c}.{e}" for c in chunks for e in ("tsv", "traces.json")],
        [f"samples/{s}.{e}" for s in ids for e in ("json", "html")]
        + [f"report/sample_keys/chunk_{c}.json" for c in chunks],
        ["calls.tsv", "cohort.h5ad"],
        ["report/cohort.html"],
    ]
    t = time.time() + 10
    for k, files in enumerate(stages):
        for name in files:
            p = work / "results" / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.touch()
            os.utime(p, (t + k, t + k))


def jobs_planned(out: str) -> int:
    m = re.search(r"^total\s+(\d+)", out, flags=re.MULTILINE)
    return int(m.group(1)) if m else 0


def one_size(n: int, base: Path, args: argparse.Namespace, res: dict) -> None:
    work = base / f"n{n}"
    ids = write_workdir(work, base_cohort(base), n, args.samples_per_job)
    sm = [sys.executable, "-m", "snakemake", "-s", SNAKEFILE, "--cores", "2"]
    load = f"load {os.getloadavg()[0]:.1f}"

    wall, cpu, out = timed([*sm, "-n", "--quiet", "rules"], work)
    figure(
        res, f"n{n}_dag_all_jobs", wall, "s", f"CPU {cpu:.1f} s; {jobs_planned(out)} jobs; {load}"
    )
    fake_outputs(work, ids, args.samples_per_job)
    wall, cpu, out = timed([*sm, "--quiet", "rules"], work)
    if jobs_planned(out):
        raise SystemExit(f"expected nothing to do at n={n}, got:\n{out[-2000:]}")
    figure(res, f"n{n}_rerun_nothing_to_do", wall, "s", f"CPU {cpu:.1f} s; {load}")
    (work / "results" / "samples" / f"{ids[len(ids) // 2]}.json").unlink()
    wall, cpu, out = timed([*sm, "-n", "--quiet", "rules"], work)
    note = f"CPU {cpu:.1f} s; {jobs_planned(out)} jobs planned; {load}"
    figure(res, f"n{n}_dag_one_sample_report_deleted", wall, "s", note)

    toy = work / "per_sample.smk"
    toy.write_text(PER_SAMPLE_SNAKEFILE)
    for p in (work / "results" / "samples").glob("*"):
        p.unlink()
    cmd = [sys.executable, "-m", "snakemake", "-s", str(toy), "--cores", "2", "-n", "--quiet"]
    wall, cpu, out = timed([*cmd, "rules"], work)
    note = f"CPU {cpu:.1f} s; {jobs_planned(out)} jobs; alternative design, DAG only"
    figure(res, f"n{n}_dag_per_sample_report_jobs", wall, "s", note)


#: runs ``python -m snakemake ARGS`` and prints its main thread's schedstat split at exit
SCHED = """
import atexit, os, runpy, sys, time
def st():
    with open(f"/proc/self/task/{os.getpid()}/schedstat") as fh:
        run, wait = fh.read().split()[:2]
    return int(run) / 1e9, int(wait) / 1e9
w0, (r0, q0) = time.perf_counter(), st()
def report():
    (r, q), w = st(), time.perf_counter() - w0
    print(f"SCHED {r - r0:.3f} {q - q0:.3f} {w - (r - r0) - (q - q0):.3f}", file=sys.stderr)
atexit.register(report)
sys.argv = ["snakemake", *sys.argv[1:]]
runpy.run_module("snakemake", run_name="__main__")
"""


def built_workdir(work: Path, res: dict) -> None:
    """Reruns of a folder the workflow was really run in (see the module docstring)."""
    sm = [sys.executable, "-c", SCHED, "-s", SNAKEFILE, "--cores", "2"]
    load = f"load {os.getloadavg()[0]:.1f}"
    wall, cpu, out = timed([*sm, "--quiet", "rules"], work)
    if jobs_planned(out):
        raise SystemExit(f"{work}: expected nothing to do, got:\n{out[-2000:]}")
    m = re.search(r"^SCHED (\S+) (\S+) (\S+)", out, flags=re.MULTILINE)
    on_cpu, runq, blocked = (float(x) for x in m.groups()) if m else (-1.0, -1.0, -1.0)
    note = f"CPU {cpu:.1f} s; {load}"
    figure(res, "built_rerun_nothing_to_do", wall, "s", note)
    figure(res, "built_rerun_nothing_to_do_main_on_cpu", on_cpu, "s", "Snakemake main thread")
    figure(res, "built_rerun_nothing_to_do_main_runqueue", runq, "s", "waiting for a CPU")
    figure(res, "built_rerun_nothing_to_do_main_blocked", blocked, "s", "I/O, sleeps, locks")
    wall, cpu, out = timed([*sm, "-n", "--quiet", "rules"], work)
    figure(res, "built_dry_run_nothing_to_do", wall, "s", f"CPU {cpu:.1f} s; {load}")
    reports = sorted((work / "results" / "samples").glob("*.json"))
    victim = reports[len(reports) // 2]
    victim.unlink()
    _, _, dry = timed([*sm, "-n", "--quiet", "rules"], work)
    rules = sorted(set(re.findall(r"^(\w+)\s+\d+$", dry, flags=re.MULTILINE)) - {"total", "job"})
    wall, cpu, out = timed([*sm, "--quiet", "rules"], work)
    if not victim.is_file():
        raise SystemExit(f"the rerun did not rebuild {victim}")
    note = f"CPU {cpu:.1f} s (Snakemake + jobs); jobs: {', '.join(rules)}; {load}"
    figure(res, "built_rerun_one_sample_report_deleted", wall, "s", note)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--samples-per-job", type=int, default=2500)
    ap.add_argument("--keep", help="keep the work folders under this directory")
    ap.add_argument("--workdir", help="measure reruns of this built workflow folder instead")
    args = ap.parse_args()
    res: dict = {}
    if args.workdir:
        built_workdir(Path(args.workdir).resolve(), res)
        save(res, "dag_built")
        return
    with tempfile.TemporaryDirectory(prefix="allstrat-bench-dag-") as d:
        base = Path(args.keep) if args.keep else Path(d)
        for n in sorted(args.sizes):
            one_size(n, base, args, res)
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    check(run_measured(["allstrat", "report", "samples", "--help"], cwd=ROOT), "allstrat start")
    start = time.perf_counter() - t0
    figure(res, "report_process_start", start, "s", f"CPU {_children_cpu() - cpu0:.2f} s")
    for n in sorted(args.sizes):
        figure(res, f"n{n}_per_sample_jobs_start_cost", n * start, "s", "N x one process start")
    save(res, "dag_" + "_".join(map(str, sorted(args.sizes))))


if __name__ == "__main__":
    main()
