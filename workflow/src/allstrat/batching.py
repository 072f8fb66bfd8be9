"""Split a cohort into fixed-size sample chunks (one Snakemake job per chunk).

One Python job costs seconds of start-up (imports) but parsing one sample costs
milliseconds, so the workflow batches samples. The split depends only on the sorted
sample IDs and the chunk size, so the Snakefile and the CLI agree on it.
"""

from __future__ import annotations

from collections.abc import Iterable


def split_chunks(sample_ids: Iterable[str], *, samples_per_job: int) -> dict[str, list[str]]:
    """Return ``{"0000": [ids...], "0001": [...], ...}`` over the sorted sample IDs."""
    if samples_per_job < 1:
        raise ValueError("samples_per_job must be >= 1")
    ids = sorted(set(sample_ids))
    return {
        f"{k // samples_per_job:04d}": ids[k : k + samples_per_job]
        for k in range(0, len(ids), samples_per_job)
    }
