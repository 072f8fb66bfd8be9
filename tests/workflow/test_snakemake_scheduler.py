"""Snakemake's scheduler loop is woken for its job rate limit only when the limit held."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace
from typing import Any

import pytest

from allstrat import snakemake_scheduler
from allstrat.snakemake_scheduler import wake_only_when_rate_limited

job_scheduler = pytest.importorskip("snakemake.scheduling.job_scheduler")
JobScheduler = job_scheduler.JobScheduler
MaxJobsPerTimespan = pytest.importorskip("snakemake.settings.types").MaxJobsPerTimespan


@pytest.fixture
def patched(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apply the patch to JobScheduler; the fixture puts the original methods back."""
    for name in ("job_selector", "_schedule_reevalutation"):
        monkeypatch.setattr(JobScheduler, name, getattr(JobScheduler, name))
    monkeypatch.setattr(JobScheduler, snakemake_scheduler._PATCHED, False, raising=False)
    assert wake_only_when_rate_limited()
    assert wake_only_when_rate_limited()  # idempotent


def _scheduler(max_jobs: int, selected: int) -> Any:
    """A JobScheduler with just the state job_selector and the wake timer use."""
    s = object.__new__(JobScheduler)
    s.workflow = SimpleNamespace(
        async_run=asyncio.run, dag=SimpleNamespace(needrun_jobs=lambda: [])
    )
    s._validated_jobs = set()
    s._input_sizes = {}
    s._lock = threading.Lock()
    s.global_resources = {}
    s.resources = {"_cores": 2, "_job_count": max_jobs}
    s.job_rate_limiter = job_scheduler.JobRateLimiter(MaxJobsPerTimespan(max_jobs))
    s._job_selector = lambda jobs, remaining, resources, sizes: ["job"] * selected
    s._open_jobs = threading.Semaphore(0)
    return s


def _one_pass(s: Any) -> bool:
    """job_selector then the rate-limit wake, as in JobScheduler.schedule; True if woken."""
    s.job_selector(set())
    s._schedule_reevalutation(0.01)
    return s._open_jobs.acquire(timeout=1.0)


@pytest.mark.usefixtures("patched")
def test_no_wake_after_a_pass_the_rate_limit_did_not_hold_back() -> None:
    assert not _one_pass(_scheduler(max_jobs=100, selected=1))


@pytest.mark.usefixtures("patched")
def test_wake_when_the_rate_limit_held_jobs_back() -> None:
    assert _one_pass(_scheduler(max_jobs=1, selected=1))  # every free slot used
    s = _scheduler(max_jobs=1, selected=0)
    s.job_rate_limiter.register_jobs(1)  # no free slot: nothing selected
    assert _one_pass(s)


@pytest.mark.usefixtures("patched")
def test_other_wakes_are_kept() -> None:
    s = _scheduler(max_jobs=100, selected=1)
    s._schedule_reevalutation(0.01)  # e.g. waiting for queue input: no selection before
    assert s._open_jobs.acquire(timeout=1.0)
    assert not _one_pass(s)
    s._schedule_reevalutation(0.01)  # the skip is used up by the pass it belongs to
    assert s._open_jobs.acquire(timeout=1.0)


def test_an_unknown_scheduler_is_left_alone() -> None:
    class Other:
        def schedule(self) -> None:
            self._schedule_reevalutation(1)

        def job_selector(self, jobs: object) -> None:
            pass

        def _schedule_reevalutation(self, delay: float) -> None:
            pass

    assert not snakemake_scheduler._looks_as_expected(Other)
    assert snakemake_scheduler._looks_as_expected(JobScheduler)
