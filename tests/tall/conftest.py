"""T-ALL fixtures: the shipped second-stage model and an independent simulated cohort."""

from __future__ import annotations

import pytest

from allstrat.models import load_model
from allstrat.paths import models_dir

TALL_MODEL = "allstrat-tall/1.0.0"


@pytest.fixture(scope="session")
def tall_model():
    if not (models_dir() / TALL_MODEL / "model.json").is_file():
        pytest.skip("shipped T-ALL model not present")
    return load_model(TALL_MODEL)


@pytest.fixture(scope="session")
def tall_cohort():
    """240 simulated T-ALL cases, uniform over subgroups, seed unused in training."""
    from allstrat.simulate import simulate_cohort

    return simulate_cohort(240, seed=77, subtype_balance="tall", sample_prefix="TV")
