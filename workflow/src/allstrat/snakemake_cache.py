"""Snakemake's per-output metadata cache sized for per-sample outputs (issue #14).

Snakemake (file persistence backend) keeps the metadata records it reads from
``.snakemake/metadata`` in an ``lru_cache`` of 128 entries and walks every output of a job
once per rerun trigger (has metadata, outdated, params, input, code, software env). A
chunk report job has 2 x 2,500 per-sample outputs, so each record was read from disk and
parsed about six times: ~120,000 reads, a third of a 10,000-sample "nothing to do" rerun
(10.0 -> 6.7 s wall, benchmarks/bench_dag.py --workdir). The unbounded cache keeps the same
invalidation: Snakemake clears it (``cache_clear``) whenever it writes or deletes metadata.
A Snakemake without this internal is left as it is.
"""

from __future__ import annotations

import functools
from typing import Any


def unbound_metadata_cache() -> bool:
    """Make Snakemake's metadata-record cache unbounded; True if it was changed."""
    try:
        from snakemake.persistence.file import FilePersistence
    except ImportError:
        return False
    cached: Any = getattr(FilePersistence, "_read_record_cached", None)
    inner = getattr(cached, "__wrapped__", None)
    if cached is None or inner is None or not hasattr(cached, "cache_info"):
        return False
    if cached.cache_info().maxsize is None:
        return True
    FilePersistence._read_record_cached = functools.lru_cache(maxsize=None)(inner)  # type: ignore[method-assign]
    return True
