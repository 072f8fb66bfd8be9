# Validation of config and sample sheet (before anything reads them), the sample chunks,
# and input functions. No computation beyond that happens at parse time.

from pathlib import Path

from snakemake.utils import validate

from allstrat.batching import missing_sample_files, split_chunks
from allstrat.io.samples import read_sample_sheet
from allstrat import snakemake_cache, snakemake_scheduler

# Snakemake's bookkeeping sized for per-sample outputs and many input files per job
# (each a no-op on a Snakemake that does not look as expected; see the modules)
snakemake_cache.unbound_metadata_cache()
snakemake_cache.checksum_inputs_once_per_job()
snakemake_scheduler.wake_only_when_rate_limited()

validate(config, schema="../schemas/config.schema.yaml")

SAMPLES = read_sample_sheet(config["samples"])
CHUNKS = split_chunks(
    SAMPLES.index, samples_per_job=config["batching"]["samples_per_job"]
)


wildcard_constraints:
    sample=r"[A-Za-z0-9_.-]+",
    chunk=r"\d{4}",


def memo_file(stage):
    """Per-sample memo file of a chunk stage ('' when batching.memo is off; allstrat.memo)."""
    if not config["batching"].get("memo", True):
        return ""
    return f"results/memo/{stage}/chunk_{{chunk}}.json"


def final_outputs():
    """The default target: every user-facing output.

    Per-sample reports are asked for through their chunk's render-key file (matching 2 x N
    target files against the report rules' output lists is quadratic in N), plus by name
    any report missing from a chunk already built (allstrat.batching.missing_sample_files).
    """
    return [
        *expand("results/report/sample_keys/chunk_{chunk}.json", chunk=sorted(CHUNKS)),
        *missing_sample_files(
            CHUNKS,
            outdir="results/samples",
            done="results/report/sample_keys/chunk_{chunk}.json",
        ),
        "results/calls.tsv",
        "results/cohort.h5ad",
        "results/report/cohort.html",
    ]


def demo_outputs():
    """Files under config demo.out that the sheet and config name (the simulator writes them)."""
    out = Path(config["demo"]["out"])
    files = set()
    for col in ("expression", "copy_number", "fusions", "variants"):
        if col in SAMPLES.columns:
            files.update(
                f.strip() for v in SAMPLES[col] for f in v.split(";") if f.strip()
            )
    files.update(config.get(key, "") for key in ("clinical", "mrd", "lab_genetics"))
    files.add(str(out / "truth.tsv"))
    return sorted(
        f for f in files if f and Path(f).parts[: len(out.parts)] == out.parts
    )
