"""Snakemake's per-output metadata bookkeeping made cheap for per-sample outputs (issue #14).

Metadata record cache: Snakemake (file persistence backend) keeps the metadata records it reads from
``.snakemake/metadata`` in an ``lru_cache`` of 128 entries and walks every output of a job
once per rerun trigger (has metadata, outdated, params, input, code, software env). A
chunk report job has 2 x 2,500 per-sample outputs, so each record was read from disk and
parsed about six times: ~120,000 reads, a third of a 10,000-sample "nothing to do" rerun
(10.0 -> 6.7 s wall, benchmarks/bench_dag.py --workdir). The unbounded cache keeps the same
invalidation: Snakemake clears it (``cache_clear``) whenever it writes or deletes metadata.
A Snakemake without this internal is left as it is.

Input checksums: when a job finishes, Snakemake writes one metadata record per output and
puts the checksum of every input file up to ``--max-checksum-file-size`` (1 MB) into each
(``PersistenceBase.finished``), hashing each input once per output: a chunk report job
with 2 x 2,500 outputs hashed its ~0.9 MB copy-number table 5,000 times (~4.6 GB, about
3 s CPU per chunk). :func:`checksum_inputs_once_per_job` hashes each input once per
finished job; the records are the same (the inputs of a finished job do not change while
its records are written). A Snakemake whose ``finished`` does not look like this is left
as it is.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from typing import Any

#: checksums of the job being recorded (``None`` outside ``PersistenceBase.finished``)
_JOB_CHECKSUMS: contextvars.ContextVar[dict[tuple[Any, ...], Any] | None] = contextvars.ContextVar(
    "allstrat_job_checksums", default=None
)
_PATCHED = "_allstrat_checksum_once_per_job"


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


def checksum_inputs_once_per_job() -> bool:
    """Hash each input file once per finished job, not once per output; True if patched."""
    try:
        from snakemake.io import _IOFile
        from snakemake.persistence import PersistenceBase
    except ImportError:
        return False
    finished: Any = getattr(PersistenceBase, "finished", None)
    checksum: Any = getattr(_IOFile, "checksum", None)
    if getattr(PersistenceBase, _PATCHED, False):
        return True
    if not (inspect.iscoroutinefunction(finished) and inspect.iscoroutinefunction(checksum)):
        return False
    try:
        source = inspect.getsource(finished)
    except (OSError, TypeError):
        return False
    if "await infile.checksum(self.max_checksum_file_size)" not in source:
        return False

    @functools.wraps(finished)
    async def finished_once(self: Any, job: Any) -> Any:
        token = _JOB_CHECKSUMS.set({})
        try:
            return await finished(self, job)
        finally:
            _JOB_CHECKSUMS.reset(token)

    @functools.wraps(checksum)
    async def checksum_once(
        self: Any, threshold: Any = None, force: bool = False, algorithm: Any = None
    ) -> Any:
        memo = _JOB_CHECKSUMS.get()
        if memo is None:
            return await checksum(self, threshold, force, algorithm)
        key = (str(self), threshold, force, algorithm)
        if key not in memo:
            memo[key] = await checksum(self, threshold, force, algorithm)
        return memo[key]

    PersistenceBase.finished = finished_once  # type: ignore[method-assign]
    _IOFile.checksum = checksum_once  # type: ignore[method-assign]
    setattr(PersistenceBase, _PATCHED, True)
    return True
