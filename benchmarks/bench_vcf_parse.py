"""VCF parsing speed and memory through ``allstrat.io.variants`` (issue #11, benchmark c).

For each size (default 20,000 and 50,000 records: a typical RNA-seq germline VCF of one
sample after HaplotypeCaller / bcftools has 20-50k records) a simulated diploid sample
(:mod:`allstrat.simulate.variants`, GATK HaplotypeCaller layout GT:AD:DP:GQ:PL) is written
as plain VCF, bgzipped VCF and BCF, then read by :func:`allstrat.io.variants.read_vcf`
(the reader the workflow uses: pysam/htslib, sorted-order, chromosome-end and AD checks,
one row per record). Printed per layout and size:

* ``s_per_file`` — median wall time of one read (and the CPU time, which is what an idle
  machine would show as wall on this single-threaded work);
* ``records_per_s`` — records / median CPU time;
* ``raw_pysam_records_per_s`` — the same file iterated by pysam alone, reading GT and AD
  of each record (the floor any pysam-based reader pays);
* ``peak_rss_mib`` / ``read_rss_increase_mib`` — peak resident memory (VmHWM) of a fresh
  process that imports allstrat and pysam and reads the file once, and how much the read
  itself added.

Also: the allelic summary (:func:`allstrat.copynumber.allelic.summarise_sites`) of the
50k sample, i.e. the rest of the per-sample VCF cost in ``allstrat copynumber``.

Usage: ``python benchmarks/bench_vcf_parse.py [--sizes 20000 50000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import ROOT, figure, save

from allstrat.io.gene_table import load_gene_table
from allstrat.io.variants import read_vcf
from allstrat.simulate import variants as sv
from allstrat.simulate.genome import CHROM_LENGTHS, Genome

LAYOUTS = (("plain", ".vcf"), ("bgzip", ".vcf.gz"), ("bcf", ".bcf"))

_CHILD = """
import json, sys, time
import pysam
from allstrat.copynumber.resources import chromosomes_for_build
from allstrat.io.variants import read_vcf

chromosomes_for_build("GRCh38"), chromosomes_for_build("GRCh37")  # lazy loads, not the read

def hwm():  # peak RSS of this process image (VmHWM: not inherited across exec, unlike ru_maxrss)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

before = hwm()
t = time.process_time()
n = len(read_vcf(sys.argv[1], samples=["S"])["S"].sites)
cpu = time.process_time() - t
print(json.dumps({"before_kib": before, "after_kib": hwm(), "rows": n, "cpu": cpu}))
"""


def _diploid() -> Genome:
    segs = [(c, 10_001, n - 10_000, 2, 1) for c, n in CHROM_LENGTHS.items() if c != "chrY"]
    return Genome(sex="F", segments=segs, karyotype_class="diploid", modal_number=46)


def _write(folder: Path, n: int, seed: int) -> dict[str, Path]:
    rng = np.random.default_rng(seed)
    sites = sv.simulate_sites(
        rng, _diploid(), load_gene_table().table, blast_fraction=0.9, n_sites=n
    )
    text = sv.vcf_text(sites, sample="S", style="gatk")
    out = {}
    for name, ext in LAYOUTS:
        p = folder / f"S_{n}{ext}"
        sv.write_vcf(p, text)
        out[name] = p
    return out


def _times(path: Path, repeat: int) -> tuple[float, float, int]:
    walls, cpus, n = [], [], 0
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        calls = read_vcf(path, samples=["S"])["S"]
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
        n = calls.n_records
    return float(np.median(walls)), float(np.median(cpus)), n


def _raw_pysam(path: Path) -> tuple[float, int]:
    import pysam

    pysam.set_verbosity(0)  # no "could not retrieve index" notice: no index is needed
    c = time.process_time()
    n = 0
    with pysam.VariantFile(str(path)) as vf:
        for rec in vf:
            smp = rec.samples[0]
            smp.get("GT")
            smp.get("AD")
            n += 1
    return time.process_time() - c, n


def _memory(path: Path) -> dict:
    env = {"PYTHONPATH": str(ROOT / "workflow" / "src")}
    res = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[20_000, 50_000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    results: dict = {}
    with tempfile.TemporaryDirectory() as d:
        for n in args.sizes:
            files = _write(Path(d), n, seed=n)
            for layout, path in files.items():
                wall, cpu, records = _times(path, args.repeat)
                key = f"{layout}_{n // 1000}k"
                size = path.stat().st_size / 2**20
                figure(results, f"{key}.file_size", size, "MiB", f"{records} records")
                figure(results, f"{key}.s_per_file", wall, "s", f"wall; CPU {cpu:.3f} s")
                figure(results, f"{key}.records_per_s", records / cpu, "records/s", "per CPU s")
                raw_cpu, raw_n = _raw_pysam(path)
                figure(results, f"{key}.raw_pysam_records_per_s", raw_n / raw_cpu, "records/s")
                mem = _memory(path)
                figure(results, f"{key}.peak_rss_mib", mem["after_kib"] / 1024, "MiB",
                       "fresh process: imports + one read")  # fmt: skip
                figure(results, f"{key}.read_rss_increase_mib",
                       (mem["after_kib"] - mem["before_kib"]) / 1024, "MiB")  # fmt: skip
        from allstrat.copynumber.allelic import summarise_sites

        biggest = files["bgzip"]
        sites = read_vcf(biggest, samples=["S"])["S"].sites
        c = time.process_time()
        summary = summarise_sites(sites, blast_fraction=None)
        figure(results, f"allelic_summary_{max(args.sizes) // 1000}k.cpu_s",
               time.process_time() - c, "s",
               f"{summary['n_het_sites']} het sites, blast fraction profiled")  # fmt: skip
    save(results, "bench_vcf_parse")


if __name__ == "__main__":
    main()
