"""Snakemake's scheduler wakes only when something can change (issue #14).

Snakemake 9 (``JobScheduler.schedule``) starts a one-second ``threading.Timer`` that wakes
the scheduler loop after *every* pass that had ready jobs, for its job rate limit
(``--max-jobs-per-timespan``, default 100/1s), also when the limit did not hold anything
back. Every wake starts one more timer, so while jobs wait for a core (4 chunks, 2 cores)
the wakes pile up (one chain per job that finished meanwhile), and each wake re-reads the
size of every input file of every ready job (``update_input_sizes``): thousands of
per-sample input files per chunk job. At 1,000 samples in 4 chunks that was 4,630 passes
and ~290,000 size look-ups: the Snakemake process spent 20 s CPU (8 s with one chunk).

The patch keeps the timer for passes in which the rate limit did hold jobs back (no free
slot, or as many jobs selected as there were slots) and drops it otherwise: a job that
finishes (or fails) wakes the loop itself (``_proceed`` / ``_error``). A Snakemake whose
scheduler does not look like this is left as it is.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

#: the call in ``JobScheduler.schedule`` that this patch makes conditional
_RATE_LIMIT_WAKE = "self._schedule_reevalutation(self.job_rate_limiter.timespan)"
_PATCHED = "_allstrat_wake_only_when_rate_limited"


def wake_only_when_rate_limited() -> bool:
    """Drop the scheduler's rate-limit wake after passes it did not limit; True if patched."""
    try:
        from snakemake.scheduling.job_scheduler import JobScheduler
    except ImportError:
        return False
    if getattr(JobScheduler, _PATCHED, False):
        return True
    selector = getattr(JobScheduler, "job_selector", None)
    reevaluate = getattr(JobScheduler, "_schedule_reevalutation", None)
    if selector is None or reevaluate is None or not _looks_as_expected(JobScheduler):
        return False

    @functools.wraps(selector)
    def job_selector(self: Any, jobs: Any) -> Any:
        limiter = getattr(self, "job_rate_limiter", None)
        free = limiter.get_free_jobs() if limiter is not None else None
        selected = selector(self, jobs)
        # False: this pass had free slots left, so its rate-limit wake can be skipped
        self._allstrat_rate_limited = None if free is None else free == 0 or len(selected) >= free
        return selected

    @functools.wraps(reevaluate)
    def schedule_reevaluation(self: Any, delay: Any) -> None:
        limited = getattr(self, "_allstrat_rate_limited", None)
        self._allstrat_rate_limited = None  # consumed by the call that follows the selection
        if limited is False:
            return
        reevaluate(self, delay)

    JobScheduler.job_selector = job_selector  # type: ignore[method-assign]
    JobScheduler._schedule_reevalutation = schedule_reevaluation  # type: ignore[method-assign]
    setattr(JobScheduler, _PATCHED, True)
    return True


def _looks_as_expected(scheduler: type) -> bool:
    """The scheduler loop wakes itself for the rate limit as in Snakemake 9.x."""
    try:
        schedule = inspect.getsource(scheduler.schedule)  # type: ignore[attr-defined]
        selector = inspect.getsource(scheduler.job_selector)  # type: ignore[attr-defined]
    except (AttributeError, OSError, TypeError):
        return False
    return (
        schedule.count("_schedule_reevalutation(") == 2  # rate limit + queue input
        and _RATE_LIMIT_WAKE in schedule
        and "self.job_rate_limiter.get_free_jobs()" in selector
    )
