"""Split a cohort into fixed-size sample chunks (one Snakemake job per chunk).

One Python job costs seconds of start-up (imports) but parsing one sample costs
milliseconds, so the workflow batches samples. The split depends only on the sorted
sample IDs and the chunk size, so the Snakefile and the CLI agree on it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence


def split_chunks(sample_ids: Iterable[str], *, samples_per_job: int) -> dict[str, list[str]]:
    """Return ``{"0000": [ids...], "0001": [...], ...}`` over the sorted sample IDs."""
    if samples_per_job < 1:
        raise ValueError("samples_per_job must be >= 1")
    ids = sorted(set(sample_ids))
    return {
        f"{k // samples_per_job:04d}": ids[k : k + samples_per_job]
        for k in range(0, len(ids), samples_per_job)
    }


def missing_sample_files(
    chunks: Mapping[str, Sequence[str]],
    *,
    outdir: str,
    done: str,
    exts: Sequence[str] = ("json", "html"),
) -> list[str]:
    """Per-sample files missing from chunks that were built (their ``done`` file exists).

    The workflow's default target asks for each chunk's render-key file (``done``, with
    ``{chunk}``), not for its 2 x N per-sample reports: Snakemake matches each requested
    file against the long output lists of the report rules, which is quadratic in N. A
    report deleted after its chunk was built is then asked for by name (this list), so
    its chunk's job runs again. One directory listing, no per-file stat.
    """
    try:
        present = {e.name for e in os.scandir(outdir)}
    except FileNotFoundError:
        present = set()
    missing = []
    for chunk, ids in chunks.items():
        if not os.path.exists(done.format(chunk=chunk)):
            continue  # not built yet: its job runs for the done file anyway
        missing += [
            f"{outdir}/{sid}.{ext}" for sid in ids for ext in exts if f"{sid}.{ext}" not in present
        ]
    return missing
