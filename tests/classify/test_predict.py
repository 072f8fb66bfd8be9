"""``allstrat.predict.classify_samples``: the classify stage as a library call."""

from __future__ import annotations

import pytest

from allstrat.config import load_section
from allstrat.contracts import CLASSIFY_COLUMNS
from allstrat.errors import ModelError
from allstrat.models import save_model
from allstrat.predict import classify_samples

from .test_models import _card


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, tiny_model):
    d = tmp_path_factory.mktemp("models") / "tiny" / "0.0.1"
    return save_model(tiny_model, d, card=_card(), metrics={})


def test_b_lineage_only_uses_one_model_and_no_clinical(model_dir, tiny_cohort):
    counts, _ = tiny_cohort
    settings = load_section("classify", {"model": str(model_dir)})
    pred = classify_samples(
        counts.iloc[:5], settings, fusions={}, blast={}, clinical="never-read.tsv"
    )
    assert list(pred.result.calls.columns[: len(CLASSIFY_COLUMNS)]) == list(CLASSIFY_COLUMNS)
    assert len(pred.result.calls) == 5
    assert [m["model_id"] for m in pred.models] == ["tiny/0.0.1"]
    assert pred.inputs == []  # no T-lineage sample: the clinical table is not read
    assert pred.etp_settings == settings.etp.__dict__


def test_unknown_model_is_a_model_error(tiny_cohort, tmp_path):
    counts, _ = tiny_cohort
    settings = load_section("classify", {"model": str(tmp_path / "absent")})
    with pytest.raises(ModelError):
        classify_samples(counts.iloc[:2], settings, fusions={}, blast={})
