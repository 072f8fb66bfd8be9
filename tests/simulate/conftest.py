"""Shared simulated cohorts for the simulator tests (built once per session)."""

from __future__ import annotations

import pytest

from allstrat.simulate import simulate_cohort


@pytest.fixture(scope="session")
def uniform_cohort():
    """A balanced cohort: ~16 samples of every B subtype and T-ALL."""
    return simulate_cohort(352, seed=11, subtype_balance="uniform")


@pytest.fixture(scope="session")
def realistic_cohort():
    """A cohort with paediatric subtype frequencies."""
    return simulate_cohort(200, seed=12)
