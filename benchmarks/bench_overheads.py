"""Fixed costs that decide how allstrat batches work: parsing, imports, Snakemake jobs.

Prints:
- raw parse of one 20,000-gene featureCounts file with pandas (the floor), and with
  allstrat's validating reader;
- per-sample cost of ``read_expression_cohort`` (parse + validate + harmonise) on a chunk of
  250 such files, and its ratio to the raw parse (target: within 2x);
- start-up of a fresh Python process importing scanpy, anndata and the allstrat CLI;
- Snakemake's overhead per (trivial) local job.

Usage: ``python benchmarks/bench_overheads.py [--n-files 250]``. Needs no network and no
external data: the count files are synthetic (gene IDs from the bundled gene table).
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import cpu_seconds, figure, median_time, save

N_GENES = 20_000


def write_featurecounts(path: Path, ids: list[str], rng: np.random.Generator) -> None:
    """A featureCounts-shaped file with one BAM column of negative-binomial counts."""
    n = len(ids)
    counts = rng.negative_binomial(2, 2 / (2 + rng.lognormal(3, 2, n)))
    body = pd.DataFrame(
        {
            "Geneid": ids,
            "Chr": "chr1",
            "Start": 1,
            "End": 1000,
            "Strand": "+",
            "Length": 1000,
            path.stem + ".bam": counts,
        }
    )
    with path.open("w") as fh:
        fh.write("# Program:featureCounts v2.0.6; Command:synthetic benchmark input\n")
        body.to_csv(fh, sep="\t", index=False)


def cold_start(code: str, *, repeat: int = 3) -> float:
    """Median wall time (s) of ``python -c code`` in a fresh interpreter."""

    def once() -> None:
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)

    return median_time(once, repeat=repeat, warmup=1, cpu=True)


def snakemake_job_overhead(tmp: Path, *, n_jobs: int) -> tuple[float, float]:
    """(CPU seconds per trivial job, fixed start-up CPU seconds) of a local Snakemake run."""
    snakefile = tmp / "Snakefile"
    snakefile.write_text(
        "rule all:\n"
        f"    input: expand('out/{{i}}.txt', i=range({n_jobs}))\n"
        "rule one:\n"
        "    output: 'out/{i}.txt'\n"
        "    shell: 'echo {wildcards.i} > {output}'\n"
    )
    one = tmp / "one"
    one.mkdir()
    (one / "Snakefile").write_text(snakefile.read_text().replace(f"range({n_jobs})", "range(1)"))

    def run(where: Path) -> float:
        t0 = cpu_seconds()
        subprocess.run(
            ["snakemake", "--cores", "2", "--quiet", "all", "--forceall"],
            cwd=where,
            check=True,
            capture_output=True,
        )
        return cpu_seconds() - t0

    t1 = min(run(one) for _ in range(2))
    tn = min(run(tmp) for _ in range(2))
    return (tn - t1) / (n_jobs - 1), t1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n-files", type=int, default=250, help="files in the chunk (default 250)")
    ap.add_argument("--snakemake-jobs", type=int, default=200, help="trivial jobs (default 200)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from allstrat.io.cohort import read_expression_cohort
    from allstrat.io.expression import read_featurecounts
    from allstrat.io.gene_table import load_gene_table

    res: dict = {}
    genes = load_gene_table()
    ids_all = sorted({e.split("|")[0] for e in genes.table["ensembl_ids"] if e})
    rng = np.random.default_rng(7)
    ids = list(rng.choice(ids_all, size=N_GENES, replace=False))
    with tempfile.TemporaryDirectory(prefix="allstrat-bench-") as d:
        tmp = Path(d)
        files = []
        for i in range(args.n_files):
            f = tmp / f"S{i:05d}.featurecounts.txt"
            write_featurecounts(f, ids, rng)
            files.append(f)
        f0 = files[0]
        t_raw = median_time(
            lambda: pd.read_csv(f0, sep="\t", skiprows=1, dtype={"Geneid": str}),
            repeat=20,
            cpu=True,
        )
        figure(res, "parse_raw_pandas_20k_genes", t_raw * 1e3, "ms CPU", "pd.read_csv, no checks")
        t_rd = median_time(lambda: read_featurecounts(f0), repeat=20, cpu=True)
        figure(res, "parse_allstrat_reader_20k_genes", t_rd * 1e3, "ms CPU", "read_featurecounts")

        sheet = pd.DataFrame(
            {
                "sample_id": [f.name.split(".")[0] for f in files],
                "expression": [str(f) for f in files],
                "expression_format": "featurecounts",
            }
        )
        t_chunk = median_time(lambda: read_expression_cohort(sheet, genes), repeat=3, cpu=True)
        per = t_chunk / len(files)
        figure(res, "import_chunk_cpu", t_chunk, "s CPU", f"{len(files)} samples")
        figure(res, "import_per_sample", per * 1e3, "ms CPU", "parse + validate + harmonise")
        figure(res, "import_per_sample_vs_raw_parse", per / t_raw, "x", "target <= 2")

        for name, code in [
            ("startup_python_bare", "pass"),
            ("startup_import_pandas", "import pandas"),
            ("startup_import_anndata", "import anndata"),
            ("startup_import_scanpy", "import scanpy"),
            ("startup_allstrat_cli", "import allstrat.cli as c; c.main(['--help'])"),
        ]:
            figure(res, name, cold_start(code), "s CPU")

        sm = tmp / "smk"
        sm.mkdir()
        per_job, fixed = snakemake_job_overhead(sm, n_jobs=args.snakemake_jobs)
        figure(res, "snakemake_startup", fixed, "s CPU", "1-job workflow")
        figure(res, "snakemake_per_job_overhead", per_job * 1e3, "ms CPU", "trivial shell job")
    save(res, "overheads")


if __name__ == "__main__":
    main()
