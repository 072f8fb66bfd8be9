"""Speed of the report stage at cohort scale (prints figures; not a test).

Builds a synthetic 10,000-sample cohort of stage outputs from the hand-made fixture chunk
(tests/data/report, rows recycled under new sample IDs) in a temporary folder, then times
``allstrat collect`` (calls.tsv + cohort.h5ad), ``allstrat report cohort`` (PCA + UMAP on
a 5,000-sample subsample) and ``allstrat report samples`` for one 250-sample chunk.

    python benchmarks/bench_report.py [--n-samples 10000] [--n-genes 5000]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd

from allstrat.batching import split_chunks
from allstrat.cli import main

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "report"


def build(d: Path, n: int, n_genes: int, per_job: int) -> dict[str, list[str]]:
    ids = [f"S{i:05d}" for i in range(n)]
    chunks = split_chunks(ids, samples_per_job=per_job)
    cls = pd.read_csv(DATA / "classify.tsv", sep="\t", dtype=str, keep_default_na=False)
    cn = pd.read_csv(DATA / "copynumber.tsv", sep="\t", dtype=str, keep_default_na=False)
    rk = pd.read_csv(DATA / "risk.tsv", sep="\t", dtype=str, keep_default_na=False)
    ex = json.loads((DATA / "classify.explain.json").read_text())["samples"]
    ev = json.loads((DATA / "copynumber.evidence.json").read_text())["samples"]
    tr = json.loads((DATA / "risk.traces.json").read_text())["samples"]
    src = sorted(ex)
    (d / "config").mkdir(parents=True)
    pd.DataFrame({"sample_id": ids, "expression": "", "expression_format": "matrix"}).to_csv(
        d / "config/samples.tsv", sep="\t", index=False
    )
    rng = np.random.default_rng(0)
    genes = [f"G{i:05d}" for i in range(n_genes)]
    for c, members in chunks.items():
        pick = [src[i % 4] for i in range(len(members))]
        m = dict(zip(members, pick, strict=True))
        out = d / "results"
        for name, table in (("classify", cls), ("copynumber", cn)):
            t = table.set_index("sample_id").loc[pick].reset_index()
            t["sample_id"] = members
            (out / name).mkdir(parents=True, exist_ok=True)
            t.to_csv(out / f"{name}/chunk_{c}.tsv", sep="\t", index=False)
        rows = []
        for sid, s in m.items():
            r = rk[rk["sample_id"] == s].copy()
            r["sample_id"] = sid
            rows.append(r)
        (out / "risk").mkdir(parents=True, exist_ok=True)
        pd.concat(rows).to_csv(out / f"risk/chunk_{c}.tsv", sep="\t", index=False)
        (out / f"classify/chunk_{c}.explain.json").write_text(
            json.dumps({"samples": {sid: ex[s] for sid, s in m.items()}})
        )
        (out / f"copynumber/chunk_{c}.evidence.json").write_text(
            json.dumps({"samples": {sid: ev[s] for sid, s in m.items()}})
        )
        (out / f"risk/chunk_{c}.traces.json").write_text(
            json.dumps({"samples": {sid: tr[s] for sid, s in m.items()}})
        )
        centres = {s: rng.normal(0, 2, n_genes) for s in src}
        x = np.stack([centres[s] + rng.normal(0, 1, n_genes) for s in pick]).astype("float32")
        ad.AnnData(X=x, obs=pd.DataFrame(index=members), var=pd.DataFrame(index=genes)).write_h5ad(
            out / f"classify/chunk_{c}.h5ad"
        )
    return chunks


def timed(label: str, argv: list[str]) -> float:
    t0, c0 = time.perf_counter(), time.process_time()
    assert main(["-q", *argv]) == 0
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    # CPU time as well: on a shared, loaded machine wall time overstates the cost
    print(f"{label}: {dt:.1f} s wall, {cpu:.1f} s CPU")
    return cpu


def run() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n-samples", type=int, default=10_000)
    p.add_argument("--n-genes", type=int, default=5000)
    p.add_argument("--samples-per-job", type=int, default=250)
    a = p.parse_args()
    d = Path(tempfile.mkdtemp(prefix="allstrat-bench-report-"))
    try:
        t0 = time.perf_counter()
        chunks = build(d, a.n_samples, a.n_genes, a.samples_per_job)
        print(
            f"built {a.n_samples} samples x {a.n_genes} genes in {len(chunks)} chunks: "
            f"{time.perf_counter() - t0:.1f} s"
        )
        r = d / "results"
        first = sorted(chunks)[0]
        dt = timed(
            f"report samples (chunk {first}, {len(chunks[first])} samples)",
            [
                "report",
                "samples",
                "--sheet",
                str(d / "config/samples.tsv"),
                "--chunk",
                first,
                "--samples-per-job",
                str(a.samples_per_job),
                "--classify",
                str(r / f"classify/chunk_{first}.tsv"),
                "--explain",
                str(r / f"classify/chunk_{first}.explain.json"),
                "--copynumber",
                str(r / f"copynumber/chunk_{first}.tsv"),
                "--cn-evidence",
                str(r / f"copynumber/chunk_{first}.evidence.json"),
                "--risk",
                str(r / f"risk/chunk_{first}.tsv"),
                "--traces",
                str(r / f"risk/chunk_{first}.traces.json"),
                "--outdir",
                str(r / "samples"),
            ],
        )
        print(f"  = {dt / len(chunks[first]):.3f} s CPU per sample incl. reading the chunk")
        ks = sorted(chunks)
        timed(
            "collect (calls.tsv + cohort.h5ad)",
            [
                "collect",
                "--sheet",
                str(d / "config/samples.tsv"),
                "--classify",
                *[str(r / f"classify/chunk_{k}.tsv") for k in ks],
                "--copynumber",
                *[str(r / f"copynumber/chunk_{k}.tsv") for k in ks],
                "--risk",
                *[str(r / f"risk/chunk_{k}.tsv") for k in ks],
                "--h5ad",
                *[str(r / f"classify/chunk_{k}.h5ad") for k in ks],
                "--out-calls",
                str(r / "calls.tsv"),
                "--out-h5ad",
                str(r / "cohort.h5ad"),
            ],
        )
        timed(
            "report cohort (PCA + UMAP, 5000-sample subsample)",
            [
                "report",
                "cohort",
                "--calls",
                str(r / "calls.tsv"),
                "--cohort",
                str(r / "cohort.h5ad"),
                "--out",
                str(r / "report/cohort.html"),
            ],
        )
        size = (r / "report/cohort.html").stat().st_size / 1e6
        print(f"cohort.html: {size:.1f} MB")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process: {rss:.0f} MB")
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    run()
