"""Cohort outputs at scale: ``allstrat collect`` and ``allstrat report cohort`` (prints figures).

The two jobs that every rerun repeats (issue #14): after one changed sample the workflow
redoes that sample's chunk jobs, then ``collect`` (results/calls.tsv + results/cohort.h5ad)
and the cohort report (PCA + UMAP + figures). This script times each as a fresh process:
wall, CPU (user + system of the process and its children) and peak RSS of its process tree.

Input: the chunk outputs of a real workflow run on a small simulated cohort, tiled to
``--n`` samples in ``--chunks`` chunks (chunk ``k`` of the big cohort repeats the samples of
chunk ``k mod K`` of the small run under new IDs). Tiling keeps the files' real shapes
(genes, obs columns, obsm, counts layer) at a fraction of the cost of a 10,000-sample run;
repeated samples get a little noise in ``X`` (exact duplicates would split the UMAP graph).

    python benchmarks/bench_cohort.py --n 10000 --chunks 4 [--source DIR] [--keep DIR] [--repeat]

``--source DIR`` is a finished workflow folder (``DIR/results/...``, ``DIR/config/``); without
it the script simulates ``--n-source`` samples and runs the workflow on them (several
minutes). ``--before-src DIR`` also times another checkout's ``workflow/src`` on the same
input (e.g. ``git archive <commit>`` unpacked) for a before/after on the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, check, figure, run_measured, save
from bench_scale import simulate, write_config

from allstrat.batching import split_chunks

TABLES = ("reconcile", "copynumber", "risk")


def source_run(base: Path, n: int, chunks: int) -> Path:
    """Simulate ``n`` samples and run the workflow on them up to results/calls.tsv."""
    work = base / "source"
    if (work / "results" / "calls.tsv").is_file():
        return work
    simulate(n, work / "cohort", seed=1)
    write_config(work, (work / "cohort").resolve(), max(1, -(-n // chunks)))
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--cores", "2"]
    check(run_measured([*cmd, "--quiet", "rules", "results/calls.tsv"], cwd=work), "workflow")
    return work


def _tile_table(src: Path, dst: Path, mapping: list[tuple[str, str]]) -> None:
    """Rows of ``src`` for each (new ID, source ID), in that order, under the new ID."""
    t = pd.read_csv(src, sep="\t", dtype=str, keep_default_na=False)
    groups = dict(list(t.groupby("sample_id", sort=False)))
    parts = []
    for new, old in mapping:
        g = groups[old].copy()
        g["sample_id"] = new
        parts.append(g)
    pd.concat(parts).to_csv(dst, sep="\t", index=False)


def tile(source: Path, dest: Path, n: int, n_chunks: int) -> dict[str, list[str]]:
    """Write ``n`` samples in ``n_chunks`` chunks built from the chunk outputs in ``source``."""
    res = source / "results"
    src_chunks = sorted(p.name[6:10] for p in (res / "classify").glob("chunk_*.h5ad"))
    ids = [f"T{i:06d}" for i in range(n)]
    chunks = split_chunks(ids, samples_per_job=-(-n // n_chunks))
    for sub in (*TABLES, "classify"):
        (dest / "results" / sub).mkdir(parents=True, exist_ok=True)
    for k, (c, members) in enumerate(chunks.items()):
        sc = src_chunks[k % len(src_chunks)]
        one = ad.read_h5ad(res / f"classify/chunk_{sc}.h5ad")
        rows = [i % one.n_obs for i in range(len(members))]
        mapping = [(m, str(one.obs_names[r])) for m, r in zip(members, rows, strict=True)]
        for stage in TABLES:
            _tile_table(
                res / f"{stage}/chunk_{sc}.tsv", dest / f"results/{stage}/chunk_{c}.tsv", mapping
            )
        with warnings.catch_warnings():  # repeated names until they are replaced below
            warnings.simplefilter("ignore", UserWarning)
            big = one[rows].copy()
        big.obs_names = pd.Index(members, name=one.obs_names.name)
        # copies of a sample get a little noise: exact duplicates would make the UMAP
        # graph fall apart into many tiny components, which a real cohort does not
        rng = np.random.default_rng(int(c))
        copy = np.array([i >= one.n_obs for i in range(len(members))])
        x = np.asarray(big.X)
        x[copy] += rng.normal(0, 0.2, (int(copy.sum()), x.shape[1])).astype(x.dtype)
        big.X = x
        big.write_h5ad(dest / f"results/classify/chunk_{c}.h5ad")
    sheet = pd.DataFrame({"sample_id": ids, "expression": "", "expression_format": "matrix"})
    sheet.to_csv(dest / "samples.tsv", sep="\t", index=False)
    return chunks


def verbs(dest: Path, chunks: dict[str, list[str]], section: str) -> dict[str, list[str]]:
    r = dest / "results"
    ks = sorted(chunks)
    collect = ["collect", "--sheet", str(dest / "samples.tsv")]
    for flag, stage in (("--classify", "reconcile"), ("--copynumber", "copynumber")):
        collect += [flag, *(str(r / f"{stage}/chunk_{k}.tsv") for k in ks)]
    collect += ["--risk", *(str(r / f"risk/chunk_{k}.tsv") for k in ks)]
    collect += ["--h5ad", *(str(r / f"classify/chunk_{k}.h5ad") for k in ks)]
    collect += ["--out-calls", str(r / "calls.tsv"), "--out-h5ad", str(r / "cohort.h5ad")]
    cohort = ["report", "cohort", "--calls", str(r / "calls.tsv")]
    cohort += ["--cohort", str(r / "cohort.h5ad"), "--config-section", section]
    cohort += ["--out", str(r / "report/cohort.html")]
    return {"collect": collect, "report_cohort": cohort}


def measure(label: str, argv: list[str], src: Path, res: dict, n: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-c", "import sys; from allstrat.cli import main; sys.exit(main())"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    st = check(run_measured([*cmd, *argv], env=env), label)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    note = f"load {os.getloadavg()[0]:.2f}"
    figure(res, f"n{n}_{label}_wall", st.wall_s, "s", note)
    figure(res, f"n{n}_{label}_cpu", cpu, "s CPU")
    figure(res, f"n{n}_{label}_peak_rss", st.peak_tree_rss_mib, "MiB")


def repeat_report(
    dest: Path, chunks: dict[str, list[str]], section: str, res: dict, n: int
) -> None:
    """Run the cohort report a second time on the same inputs: it must be the same bytes
    (the UMAP of a 10,000-sample cohort was not, before ARPACK's restarts were seeded).
    """
    html = dest / "results/report/cohort.html"
    first = html.read_bytes()
    measure(
        "report_cohort_repeat",
        verbs(dest, chunks, section)["report_cohort"],
        ROOT / "workflow" / "src",
        res,
        n,
    )
    same = html.read_bytes() == first
    figure(res, f"n{n}_report_cohort_repeat_identical", int(same), "(1 = same bytes)")
    if not same:
        raise SystemExit("the cohort report differs between two runs on the same inputs")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=10_000, help="samples of the tiled cohort")
    p.add_argument("--chunks", type=int, default=4, help="chunks of the tiled cohort")
    p.add_argument("--source", type=Path, help="finished workflow folder to tile from")
    p.add_argument("--n-source", type=int, default=200, help="samples simulated without --source")
    p.add_argument("--keep", type=Path, help="work folder kept (and reused) instead of a temp one")
    p.add_argument("--before-src", type=Path, help="another checkout's workflow/src to compare")
    p.add_argument(
        "--repeat", action="store_true", help="run the cohort report again: same bytes or fail"
    )
    a = p.parse_args()
    base = a.keep or Path(tempfile.mkdtemp(prefix="allstrat-bench-cohort-"))
    try:
        source = a.source or source_run(base, a.n_source, a.chunks)
        cfg = yaml.safe_load((source / "config" / "config.yaml").read_text())
        section = json.dumps(cfg["report"], sort_keys=True)
        dest = base / f"n{a.n}"
        shutil.rmtree(dest, ignore_errors=True)
        chunks = tile(source, dest, a.n, a.chunks)
        print(f"tiled {a.n} samples in {len(chunks)} chunks from {source}", flush=True)
        res: dict = {}
        runs = [("", ROOT / "workflow" / "src")]
        if a.before_src:
            runs.insert(0, ("before_", a.before_src.resolve()))
        for prefix, src in runs:
            for label, argv in verbs(dest, chunks, section).items():
                measure(prefix + label, argv, src, res, a.n)
        calls = pd.read_csv(dest / "results/calls.tsv", sep="\t", dtype=str)
        assert calls["sample_id"].nunique() == a.n, "calls.tsv does not hold every sample"
        html = dest / "results/report/cohort.html"
        figure(res, f"n{a.n}_cohort_html", html.stat().st_size / 2**20, "MiB")
        h5 = dest / "results/cohort.h5ad"
        figure(res, f"n{a.n}_cohort_h5ad", h5.stat().st_size / 2**20, "MiB")
        if a.repeat:
            repeat_report(dest, chunks, section, res, a.n)
        save(res, "bench_cohort")
    finally:
        if not a.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
