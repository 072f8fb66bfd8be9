"""End-to-end scaling: simulated cohorts of 100 ... 10,000 samples through the workflow.

For each size N the script
1. simulates a cohort (``allstrat simulate --layout cohort``: one counts matrix, one SEG
   file, per-sample fusion files, clinical and MRD tables) — setup, not timed as pipeline;
2. times the raw parse of those inputs with plain pandas (the floor for per-sample cost);
3. runs the whole workflow (``snakemake --cores 2`` with the checkout's Snakefile, a
   config pointing at the cohort, ``batching.samples_per_job`` as given) and reports wall
   time, CPU time, peak memory of the whole process tree and of the largest process;
4. reruns it (nothing to do); after deleting one sample's report, reruns again (only
   that sample's chunk report job runs, and it renders only that sample); after changing
   one sample's own input file (its fusion file) and then its rows of a file the cohort
   shares (the SEG file), reruns again: the affected chunk's stage jobs rerun, but with
   the per-sample memo (``batching.memo``, :mod:`allstrat.memo`) the classify,
   copy-number and risk jobs compute only that sample and reuse the others' results;
   the script prints, per stage, how many samples the rerun computed (from the jobs'
   memo log lines).
At the end it fits the log-log slope of wall time against N (1 = linear) and times one
new sample through ``allstrat classify`` as a fresh process (``bench_single_sample.py``).
Every timing comes with its CPU time and the load average: on a shared machine wall time
mostly measures the neighbours.

Targets (issues #7, #14): 10,000 samples end to end < 5 min wall on 2 cores, < 4 GiB peak;
CPU per sample <= 20x the raw parse cost of its inputs; rerun with nothing to do < 10 s;
rerun after deleting one sample's report < 30 s; one sample classified < 1.5 s; slope ~1.

Usage: ``python benchmarks/bench_scale.py --sizes 100 1000 10000 [--samples-per-job 250]``.
Work folders go to a temporary directory (``--keep DIR`` keeps them).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, check, figure, run_measured, save
from bench_single_sample import measure_single

SNAKEFILE = str(ROOT / "Snakefile")


def simulate(n: int, out: Path, seed: int) -> float:
    """Write a cohort of ``n`` samples to ``out``; return the seconds it took."""
    t0 = time.perf_counter()
    check(
        run_measured(
            [
                "allstrat",
                "simulate",
                "--n-samples",
                str(n),
                "--seed",
                str(seed),
                "--out",
                str(out),
                "--layout",
                "cohort",
            ]
        ),
        f"simulate {n}",
    )
    return time.perf_counter() - t0


def tile_cohort(src: Path, dst: Path, k: int) -> None:
    """Write ``k`` renamed copies of the cohort in ``src`` to ``dst`` (fast setup for big N).

    Throughput does not depend on samples being distinct, and simulating 10,000 samples takes
    longer than analysing them. Copy ``r`` of sample ``S`` is ``S_r<r>``; the counts matrix,
    SEG, clinical and MRD rows are repeated with the new IDs; fusion files are symlinked.
    """
    sheet = pd.read_csv(src / "samples.tsv", sep="\t", dtype=str, keep_default_na=False)
    ids = list(sheet["sample_id"])
    for sub in ("expression", "copynumber", "fusions"):
        (dst / sub).mkdir(parents=True, exist_ok=True)
    rows = []
    for r in range(k):
        part = sheet.copy()
        part["sample_id"] = [f"{s}_r{r}" for s in ids]
        for col, sub in (("expression", "expression"), ("copy_number", "copynumber")):
            part[col] = [str(dst / sub / Path(v).name) if v else "" for v in part[col]]
        new_fus = []
        for sid, v in zip(part["sample_id"], sheet["fusions"], strict=True):
            if not v:
                new_fus.append("")
                continue
            link = dst / "fusions" / Path(v).name.replace(Path(v).name.split(".")[0], sid, 1)
            link.symlink_to(Path(v).resolve())
            new_fus.append(str(link))
        part["fusions"] = new_fus
        rows.append(part)
    pd.concat(rows).to_csv(dst / "samples.tsv", sep="\t", index=False)
    for matrix in sorted(set(sheet["expression"]) - {""}):
        if matrix.endswith(".h5ad"):
            import anndata as ad

            one = ad.read_h5ad(matrix)
            copies = []
            for r in range(k):
                c = one.copy()
                c.obs_names = [f"{s}_r{r}" for s in one.obs_names]
                copies.append(c)
            ad.concat(copies, merge="same", uns_merge="first").write_h5ad(
                dst / "expression" / Path(matrix).name
            )
            continue
        with Path(matrix).open() as fin, (dst / "expression" / Path(matrix).name).open("w") as fo:
            head = fin.readline().rstrip("\n").split("\t")
            fo.write("\t".join([head[0], *(f"{h}_r{r}" for r in range(k) for h in head[1:])]))
            fo.write("\n")
            for line in fin:
                gene, _, rest = line.rstrip("\n").partition("\t")
                fo.write(gene + ("\t" + rest) * k + "\n")
    seg_files = set(sheet["copy_number"]) - {""}
    tables = [(Path(v), dst / "copynumber" / Path(v).name) for v in seg_files]
    long_tables = ("clinical.tsv", "mrd.tsv", "lab_genetics.tsv")
    tables += [(src / n, dst / n) for n in long_tables if (src / n).is_file()]
    for a, b in tables:
        lines = a.read_text().splitlines()
        out = [lines[0]]
        for r in range(k):
            for line in lines[1:]:
                sid, _, rest = line.partition("\t")
                out.append(f"{sid}_r{r}\t{rest}")
        b.write_text("\n".join(out) + "\n")


def raw_parse_seconds(cohort: Path) -> float:
    """Parse every input file of the cohort once with plain pandas (no checks)."""
    sheet = pd.read_csv(cohort / "samples.tsv", sep="\t", dtype=str, keep_default_na=False)
    t0 = time.process_time()  # CPU: the machine may be shared
    for col in ("expression", "copy_number", "fusions"):
        for path in sorted(set(sheet[col]) - {""}):
            if path.endswith(".h5ad"):
                import anndata as ad

                ad.read_h5ad(path)
                continue
            skip = 1 if path.endswith(".txt") else 0
            pd.read_csv(path, sep="\t", comment=None, skiprows=skip, low_memory=False)
    for name in ("clinical.tsv", "mrd.tsv", "lab_genetics.tsv"):
        if (cohort / name).is_file():
            pd.read_csv(cohort / name, sep="\t", dtype=str)
    return time.process_time() - t0


def write_config(work: Path, cohort: Path, samples_per_job: int) -> None:
    """The checkout's config with the cohort's sheet / clinical / MRD tables swapped in."""
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    cfg["samples"] = str(cohort / "samples.tsv")
    if "clinical" in cfg:
        cfg["clinical"] = str(cohort / "clinical.tsv")
    for key in ("mrd", "lab_genetics"):
        if key in cfg:
            table = cohort / f"{key}.tsv"
            cfg[key] = str(table) if table.is_file() else ""
    cfg.setdefault("demo", {})["generate"] = False
    cfg.setdefault("batching", {})["samples_per_job"] = samples_per_job
    (work / "config").mkdir(parents=True, exist_ok=True)
    (work / "config" / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))


def snakemake(work: Path, *extra: str):
    """Run the checkout's Snakefile in ``work``; return (RunStats, CPU seconds of the tree)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    st = run_measured(
        ["snakemake", "-s", SNAKEFILE, "--cores", "2", "--quiet", "rules", *extra],
        cwd=work,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return check(st, f"snakemake in {work}"), cpu


def change_own_input(cohort: Path, samples: list[str]) -> str:
    """Change one sample's own input file: the first of ``samples`` whose fusion-caller
    file still has calls loses them (a cohort kept by ``--keep`` from an earlier run has
    its earlier victims emptied already: writing them again would change nothing).
    """
    sheet = pd.read_csv(cohort / "samples.tsv", sep="\t", dtype=str, keep_default_na=False)
    paths = sheet.set_index("sample_id")["fusions"]
    for sample in samples:
        fus = Path(paths[sample].split(";")[0])
        lines = fus.read_text().splitlines()
        if len(lines) > 1:
            fus.unlink()  # a symlink into the tiled base: replace it, leave the base alone
            fus.write_text(lines[0] + "\n")
            return sample
    raise SystemExit("no sample with fusion calls left to change")


def change_shared_input(cohort: Path, sample: str) -> None:
    """Change one sample's rows of a file shared by the cohort: a deeper loss in the SEG file
    (log2 ratio of its first segment lowered by 0.5, so a kept cohort changes again).
    """
    sheet = pd.read_csv(cohort / "samples.tsv", sep="\t", dtype=str, keep_default_na=False)
    seg = Path(sheet.set_index("sample_id").loc[sample, "copy_number"])
    lines = seg.read_text().splitlines()
    i = next(i for i, line in enumerate(lines) if line.startswith(sample + "\t"))
    *head, value = lines[i].split("\t")
    lines[i] = "\t".join([*head, f"{float(value) - 0.5:.4f}"])
    seg.write_text("\n".join(lines) + "\n")


def rerun(work: Path, res: dict, name: str) -> None:
    """Dry-run (count the jobs), then rerun the workflow; print wall and CPU."""
    dry = run_measured(["snakemake", "-s", SNAKEFILE, "-n", "--cores", "2"], cwd=work)
    m = re.search(r"^total\s+(\d+)", dry.stdout + dry.stderr, flags=re.MULTILINE)
    n_jobs = int(m.group(1)) if m else -1
    started = time.time()
    st, cpu = snakemake(work)
    note = f"{n_jobs} jobs; CPU {cpu:.1f} s; load {os.getloadavg()[0]:.2f}"
    figure(res, name, st.wall_s, "s", note)
    for stage, (reused, computed) in sorted(memo_counts(work, since=started).items()):
        figure(res, f"{name}[{stage}_samples_computed]", computed, "", f"{reused} reused")


def memo_counts(work: Path, *, since: float) -> dict[str, tuple[int, int]]:
    """Stage -> (samples reused, samples computed), summed over the logs written since."""
    pattern = re.compile(r"(\w+) memo: (\d+) sample\(s\) reused, (\d+) computed")
    out: dict[str, tuple[int, int]] = {}
    for log in (work / "logs").rglob("*.log"):
        if log.stat().st_mtime < since:
            continue
        for m in pattern.finditer(log.read_text(errors="replace")):
            r, c = out.get(m.group(1), (0, 0))
            out[m.group(1)] = (r + int(m.group(2)), c + int(m.group(3)))
    return out


def one_size(n: int, base: Path, args: argparse.Namespace, res: dict) -> tuple[float, float]:
    work = base / f"n{n}"
    cohort = work / "cohort"
    work.mkdir(parents=True, exist_ok=True)
    if (cohort / "samples.tsv").is_file():  # --keep DIR from an earlier run: reuse it
        sheet = pd.read_csv(cohort / "samples.tsv", sep="\t", dtype=str)
        if len(sheet) != n:
            raise SystemExit(f"{cohort} holds {len(sheet)} samples, not {n}")
        for stale in ("results", ".snakemake"):
            shutil.rmtree(work / stale, ignore_errors=True)
    elif args.tile > 1:
        base = work / "base"
        t = 0.0 if (base / "samples.tsv").is_file() else simulate(n // args.tile, base, args.seed)
        t0 = time.perf_counter()
        tile_cohort(base, cohort, args.tile)
        note = f"{n // args.tile} simulated x {args.tile} renamed copies"
        figure(res, f"n{n}_simulate", t + time.perf_counter() - t0, "s", "setup only; " + note)
    else:
        figure(res, f"n{n}_simulate", simulate(n, cohort, args.seed), "s", "setup only")
    raw = raw_parse_seconds(cohort)
    figure(res, f"n{n}_raw_parse_inputs", raw, "s CPU", "pandas, all input files once")
    write_config(work, cohort, args.samples_per_job)
    load = os.getloadavg()[0]
    st, cpu = snakemake(work)
    calls = pd.read_csv(work / "results" / "calls.tsv", sep="\t", dtype=str)
    n_calls = calls["sample_id"].nunique()
    if n_calls != n:
        raise SystemExit(f"calls.tsv has {n_calls} samples, expected {n}")
    figure(res, f"n{n}_workflow_wall", st.wall_s, "s", f"{args.samples_per_job}/job, 2 cores")
    figure(res, f"n{n}_workflow_cpu", cpu, "s", "user+sys of all jobs")
    figure(res, f"n{n}_peak_tree_rss", st.peak_tree_rss_mib, "MiB", "all processes at once")
    figure(res, f"n{n}_peak_process_rss", st.peak_proc_rss_mib, "MiB", "largest process")
    figure(res, f"n{n}_cpu_per_sample", cpu / n * 1e3, "ms")
    figure(res, f"n{n}_raw_parse_per_sample", raw / n * 1e3, "ms")
    figure(res, f"n{n}_cpu_per_sample_vs_raw_parse", cpu / raw, "x", "incl. fixed start-up")
    figure(res, f"n{n}_load_average_before", load, "", "other work inflates times")
    figure(res, f"n{n}_load_average_after", os.getloadavg()[0], "", f"{os.cpu_count()} CPUs")
    for verb, mib in st.peak_by_verb_mib.items():
        figure(res, f"n{n}_peak_rss[{verb}]", mib, "MiB", "per job (sizes rule resources)")
    for verb, seconds in sorted(st.cpu_by_verb_s.items(), key=lambda kv: -kv[1]):
        per = f"{seconds / n * 1e3:.1f} ms/sample"
        figure(res, f"n{n}_cpu[{verb}]", seconds, "s", f"all its jobs; {per}; sampled")
    rest = cpu - sum(st.cpu_by_verb_s.values())
    note = f"{rest / n * 1e3:.1f} ms/sample; workflow CPU minus the allstrat jobs"
    figure(res, f"n{n}_cpu[snakemake and job start-up]", rest, "s", note)

    st2, cpu2 = snakemake(work)
    figure(res, f"n{n}_rerun_nothing_to_do", st2.wall_s, "s", f"CPU {cpu2:.1f} s")
    sample_json = sorted((work / "results" / "samples").glob("*.json"))
    if sample_json:
        victim = sample_json[len(sample_json) // 2]
        victim.unlink()
        rerun(work, res, f"n{n}_rerun_one_sample_output_deleted")
        if not victim.is_file():
            raise SystemExit(f"rerun did not restore {victim}")
        sheet = pd.read_csv(cohort / "samples.tsv", sep="\t", dtype=str, keep_default_na=False)
        with_fusions = sorted(sheet.loc[sheet["fusions"] != "", "sample_id"])
        change_own_input(cohort, with_fusions[len(with_fusions) // 3 :])
        rerun(work, res, f"n{n}_rerun_one_sample_input_changed")
        with_seg = sorted(sheet.loc[sheet["copy_number"] != "", "sample_id"])
        change_shared_input(cohort, with_seg[len(with_seg) // 4])
        rerun(work, res, f"n{n}_rerun_one_sample_rows_of_shared_file_changed")
    if not args.keep:
        shutil.rmtree(work)
    return st.wall_s, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--samples-per-job", type=int, default=250)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--keep", help="keep the work folders under this directory (and reuse cohorts there)"
    )
    ap.add_argument(
        "--tile", type=int, default=1, help="simulate N/TILE samples and repeat them TILE times"
    )
    ap.add_argument("--snakefile", default=SNAKEFILE, help="workflow to run (default: checkout)")
    ap.add_argument(
        "--no-single", action="store_true", help="skip the single-sample classify timing"
    )
    args = ap.parse_args()
    globals()["SNAKEFILE"] = str(Path(args.snakefile).resolve())
    res: dict = {}
    walls: dict[int, float] = {}
    cpus: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="allstrat-bench-scale-") as d:
        base = Path(args.keep) if args.keep else Path(d)
        for n in sorted(args.sizes):
            walls[n], cpus[n] = one_size(n, base, args, res)
    if len(walls) >= 2:
        x = np.log([float(k) for k in walls])
        big, small = max(walls), min(walls)
        for what, vals in (("wall", walls), ("cpu", cpus)):
            slope = float(np.polyfit(x, np.log(list(vals.values())), 1)[0])
            if not math.isfinite(slope):
                raise SystemExit("could not fit the scaling slope")
            figure(res, f"loglog_slope_{what}_vs_n", slope, "", "1 = linear")
            marginal = (vals[big] - vals[small]) / (big - small)
            note = f"between N={small} and N={big}"
            figure(res, f"marginal_{what}_per_sample", marginal * 1e3, "ms", note)
    if not args.no_single:
        measure_single(res, repeat=3)
    save(res, "scale_" + "_".join(map(str, sorted(args.sizes))))


if __name__ == "__main__":
    main()
