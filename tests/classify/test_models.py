"""save_model / load_model: card validation, checksum before unpickling, version checks."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from allstrat.errors import ModelError
from allstrat.models import card_schema, load_model, save_model


def _card() -> dict:
    return {
        "name": "tiny",
        "version": "0.0.1",
        "created": "2026-11-21T00:00:00Z",
        "git_commit": "unknown",
        "model_features": [],
        "genome_build": "GRCh38",
        "gene_id_type": "HGNC symbol",
        "gene_table_sha256": "0" * 64,
        "training_cohort": {
            "id": "tiny",
            "sha256": "0" * 64,
            "n_samples": 60,
            "n_per_class": {"DUX4": 15},
            "description": "hand-made test cohort",
        },
        "cv": {
            "scheme": "none",
            "outer_folds": 2,
            "inner_folds": 2,
            "param_grid": {},
            "scores": {},
        },
        "random_state": 0,
        "intended_use": "tests",
        "limitations": "tests only",
        "training_command": "pytest",
    }


@pytest.fixture
def saved(tmp_path, tiny_model) -> Path:
    return save_model(
        tiny_model, tmp_path / "tiny" / "0.0.1", card=_card(), metrics={"macro_f1": 1.0}
    )


def test_roundtrip(saved, tiny_model):
    m = load_model(saved)
    assert m.model_id == "tiny/0.0.1"
    assert list(m.estimator.classes_) == list(tiny_model.classes_)
    card = json.loads((saved / "model.json").read_text())
    assert card["feature_names"] == list(tiny_model.feature_names_in_)
    assert (saved / "metrics.json").is_file()


def test_never_overwrites(saved, tiny_model):
    with pytest.raises(ModelError, match="never overwritten"):
        save_model(tiny_model, saved, card=_card(), metrics={})


class _Exploit:
    """Unpickling this would create a marker file (code execution)."""

    marker: Path

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_malicious_pickle_refused_before_loading(saved, tmp_path):
    marker = tmp_path / "pwned"
    _Exploit.marker = marker
    (saved / "model.joblib").write_bytes(pickle.dumps(_Exploit()))
    with pytest.raises(ModelError, match="sha256"):
        load_model(saved)
    assert not marker.exists()


def test_sklearn_version_mismatch_refused(saved):
    card = json.loads((saved / "model.json").read_text())
    card["dependencies"]["scikit-learn"] = "1.4.2"
    (saved / "model.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match=r"scikit-learn 1\.4\.2"):
        load_model(saved)


def test_allstrat_version_mismatch_refused(saved):
    card = json.loads((saved / "model.json").read_text())
    card["package_version"] = "9.9.0"
    (saved / "model.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match=r"allstrat 9\.9\.0"):
        load_model(saved)


def test_feature_list_checked(saved):
    with pytest.raises(ModelError, match="feature list"):
        load_model(saved, expected_features=["A", "B"])
    card = json.loads((saved / "model.json").read_text())
    card["feature_names"] = card["feature_names"][:-1]
    (saved / "model.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="features differ"):
        load_model(saved)


def test_invalid_card_refused(saved):
    card = json.loads((saved / "model.json").read_text())
    del card["limitations"]
    (saved / "model.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="invalid model card"):
        load_model(saved)


def test_missing_model_dir():
    with pytest.raises(ModelError, match="not found"):
        load_model("no/such/model")


def test_schema_requires_every_card_field():
    req = set(card_schema()["required"])
    assert {"model_sha256", "feature_names", "training_cohort", "cv", "limitations"} <= req
