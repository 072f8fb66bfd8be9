"""A model file that is not ours is refused before it is unpickled.

Every hostile case puts a pickle whose ``__reduce__`` writes a marker file in place of
``model.joblib``: if anything unpickled it, the marker would appear. The checks that must
fire first (all in :func:`allstrat.models.load_model`): the card's sha256 of
``model.joblib`` (tampered / swapped file), the recorded scikit-learn and allstrat
major.minor versions, and the card's feature list (well formed, canonical gene symbols of
the bundled gene table, equal to the caller's expected features). Only an attacker who
also rewrites the card with a matching checksum and versions gets past these checks;
the model folder must therefore be as trusted as the code (see the README).
"""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from allstrat.errors import ModelError
from allstrat.models import load_model, save_model
from allstrat.provenance import sha256_file

from .conftest import files_under, run_cli

GENES = ["IKZF1", "ERG", "CRLF2", "PAX5", "ETV6", "RUNX1", "CDKN2A", "CD19"]
CLASSES = ["DUX4", "ETV6::RUNX1"]


class _Exploit:
    """Unpickling this object runs ``os.system`` (writes ``marker``)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _card() -> dict:
    from allstrat.io.gene_table import load_gene_table

    return {
        "name": "rel-test",
        "version": "1.0.0",
        "created": "2026-01-01T00:00:00Z",
        "git_commit": "unknown",
        "model_features": [f"expr:{g}" for g in GENES],
        "genome_build": "GRCh38",
        "gene_id_type": "HGNC symbol",
        "gene_table_sha256": load_gene_table().sha256,
        "training_cohort": {
            "id": "tiny",
            "sha256": "0" * 64,
            "n_samples": 20,
            "n_per_class": dict.fromkeys(CLASSES, 10),
            "description": "20 random synthetic samples (reliability test)",
        },
        "cv": {
            "scheme": "none",
            "outer_folds": 2,
            "inner_folds": 2,
            "param_grid": {},
            "scores": {},
        },
        "random_state": 0,
        "intended_use": "tests only",
        "limitations": "random synthetic data; not a classifier",
        "training_command": "pytest",
    }


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    """A genuine, loadable model folder (tiny logistic regression)."""
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.normal(size=(20, len(GENES))), columns=GENES)
    y = np.array(CLASSES * 10)
    est = LogisticRegression().fit(x, y)
    return save_model(est, tmp_path / "models" / "rel-test" / "1.0.0", card=_card(), metrics={})


def _swap_in_exploit(d: Path, marker: Path, *, update_card: dict | None = None) -> None:
    """Replace model.joblib by a code-executing pickle; optionally rewrite the card."""
    (d / "model.joblib").write_bytes(pickle.dumps(_Exploit(marker)))
    if update_card is not None:
        card = json.loads((d / "model.json").read_text())
        card["model_sha256"] = sha256_file(d / "model.joblib")
        for k, v in update_card.items():
            if isinstance(v, dict) and isinstance(card.get(k), dict):
                card[k].update(v)
            else:
                card[k] = v
        (d / "model.json").write_text(json.dumps(card))


def test_genuine_model_loads(model_dir: Path) -> None:
    """Control: the untouched folder loads and predicts."""
    m = load_model(model_dir)
    assert list(m.estimator.classes_) == CLASSES
    assert m.sha256 == sha256_file(model_dir / "model.joblib")


def test_exploit_pickle_really_runs_code(tmp_path: Path) -> None:
    """Control: the hostile pickle does execute when unpickled blindly (so the tests mean it)."""
    marker = tmp_path / "pwned"
    pickle.loads(pickle.dumps(_Exploit(marker)))  # noqa: TID251 - the point of the control
    assert marker.exists()


def test_tampered_model_refused(model_dir: Path) -> None:
    """One appended byte changes the checksum: refused, naming the file."""
    with (model_dir / "model.joblib").open("ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelError, match=r"model\.joblib: sha256 .* does not match"):
        load_model(model_dir)


def test_swapped_pickle_refused_before_unpickling(model_dir: Path, tmp_path: Path) -> None:
    """A foreign pickle under the genuine card: checksum mismatch, code never runs."""
    marker = tmp_path / "pwned"
    _swap_in_exploit(model_dir, marker)
    with pytest.raises(ModelError, match="does not match"):
        load_model(model_dir)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"dependencies": {"scikit-learn": "0.24.2"}}, "trained with scikit-learn 0.24.2"),
        ({"dependencies": {"scikit-learn": "99.1.0"}}, "trained with scikit-learn 99.1.0"),
        ({"package_version": "0.0.1"}, "trained with allstrat 0.0.1"),
        ({"feature_names": ["IKZF1", "IKZF1"]}, "duplicate names in feature_names"),
        ({"feature_names": ["ENSMUSG00000018654", "Ikzf1"]}, "not canonical gene symbols"),
        ({"model_file": "evil.pkl"}, "invalid model card"),
    ],
    ids=["old-sklearn", "future-sklearn", "old-allstrat", "dup-features", "mouse-features", "card"],
)
def test_card_mismatch_refused_before_unpickling(
    model_dir: Path, tmp_path: Path, change: dict, message: str
) -> None:
    """Even with a matching checksum, a wrong card stops loading before the pickle runs."""
    marker = tmp_path / "pwned"
    _swap_in_exploit(model_dir, marker, update_card=change)
    with pytest.raises(ModelError, match=message):
        load_model(model_dir)
    assert not marker.exists()


def test_expected_features_mismatch_refused_before_unpickling(
    model_dir: Path, tmp_path: Path
) -> None:
    """A caller that knows its features refuses a model built on others, unpickling nothing."""
    marker = tmp_path / "pwned"
    _swap_in_exploit(model_dir, marker, update_card={})
    with pytest.raises(ModelError, match="feature list differs"):
        load_model(model_dir, expected_features=[*GENES[:-1], "MYC"])
    assert not marker.exists()


def test_card_features_differ_from_estimator(model_dir: Path) -> None:
    """A genuine pickle whose card lists other genes (same checksum) is refused after load."""
    card = json.loads((model_dir / "model.json").read_text())
    card["feature_names"] = [*GENES[:-1], "MYC"]
    (model_dir / "model.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="features differ"):
        load_model(model_dir)


@pytest.mark.parametrize("broken", ["missing-card", "not-json", "missing-joblib", "empty-dir"])
def test_broken_model_folder_refused(model_dir: Path, broken: str) -> None:
    """Missing or unreadable parts of a model folder give a ModelError naming the file."""
    if broken == "missing-card":
        (model_dir / "model.json").unlink()
    elif broken == "not-json":
        (model_dir / "model.json").write_text("{not json")
    elif broken == "missing-joblib":
        (model_dir / "model.joblib").unlink()
    else:
        for f in model_dir.iterdir():
            f.unlink()
    with pytest.raises(ModelError, match=r"model\.(json|joblib)"):
        load_model(model_dir)


def test_classify_cli_refuses_swapped_model(
    model_dir: Path, tmp_path: Path, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through ``allstrat classify``: exit 2, one error line, no output, no code run."""
    marker = tmp_path / "pwned"
    _swap_in_exploit(model_dir, marker)
    res = run_cli(
        [
            "classify",
            "--counts",
            "inputs/valid/matrix.tsv",
            "--model",
            str(model_dir),
            "--out",
            "results/classify/c.tsv",
            "--explain",
            "results/classify/c.explain.json",
        ],
        capsys,
    )
    assert res.code == 2, res.stderr
    assert "allstrat classify: error:" in res.stderr
    assert "model.joblib" in res.stderr
    assert "does not match" in res.stderr
    assert not marker.exists()
    assert files_under(workdir / "results") == []
