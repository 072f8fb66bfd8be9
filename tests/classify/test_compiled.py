"""Prediction from exported parameters equals the scikit-learn pipeline, bit for bit.

``model.params.npz`` is derived from ``model.joblib`` (the one source of truth): the shipped
file must equal a fresh export of its pickle, and features, probabilities, OOD scores,
contributions and whole ``classify_counts`` results must be identical (``np.array_equal``,
not ``allclose``) to the scikit-learn estimator on counts with unmeasured genes.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from allstrat.classify.compiled import CompiledModel, export_params, load_params
from allstrat.classify.core import classify_counts
from allstrat.errors import ModelError
from allstrat.models import load_model
from allstrat.paths import models_dir

SHIPPED = ("allstrat-bcp/1.0.0", "allstrat-tall/1.0.0")


@pytest.fixture(scope="module", params=SHIPPED)
def shipped(request):
    if not (models_dir() / request.param / "model.json").is_file():
        pytest.skip("shipped model not present")
    return load_model(request.param)


def _counts(genes: list[str], *, seed: int, n: int = 30) -> pd.DataFrame:
    """NB counts with a few unmeasured genes, one sample with a whole panel unmeasured."""
    rng = np.random.default_rng(seed)
    base = np.exp(rng.normal(3.0, 2.0, len(genes)))
    mu = base / base.sum() * 3e7 * rng.lognormal(0, 0.5, (n, 1))
    x = rng.negative_binomial(5, 5 / (5 + mu)).astype(float)
    x[rng.random(x.shape) < 0.01] = np.nan
    if n > 2:
        x[2, : len(genes) // 2] = np.nan
    return pd.DataFrame(x, index=[f"S{i}" for i in range(n)], columns=genes)


def test_shipped_model_predicts_from_exported_parameters(shipped):
    assert isinstance(shipped.predictor, CompiledModel)
    assert shipped.card["params_file"] == "model.params.npz"


def test_shipped_parameters_equal_a_fresh_export_of_the_pickle(shipped):
    fresh = export_params(shipped.estimator, source_sha256=shipped.sha256)
    stored = load_params(shipped.directory / shipped.card["params_file"])
    assert fresh is not None
    assert sorted(fresh) == sorted(stored)
    for key, value in fresh.items():
        assert np.array_equal(np.asarray(value), stored[key]), key


def test_features_probabilities_ood_contributions_identical(shipped):
    est, comp = shipped.estimator, shipped.predictor
    counts = _counts([str(g) for g in est.feature_names_in_], seed=1)
    fe, fc = est.named_steps["features"], comp.named_steps["features"]
    ce, cc = est.named_steps["classifier"], comp.named_steps["classifier"]
    f = fe.transform(counts)
    assert np.array_equal(f, fc.transform(counts))
    assert np.array_equal(ce.predict_proba(f), cc.predict_proba(f))
    assert np.array_equal(ce.ood_score(f), cc.ood_score(f))
    assert np.array_equal(ce.contributions(f), cc.contributions(f))
    assert np.array_equal(ce.decision_function(f), cc.decision_function(f))
    assert list(ce.predict(f)) == list(cc.predict(f))
    assert fe.missing_panel_genes(counts) == fc.missing_panel_genes(counts)
    for a, b in zip(fe.reference_values(counts), fc.reference_values(counts), strict=True):
        assert np.array_equal(a, b, equal_nan=True)
    for name in fe.get_feature_names_out()[-3:]:
        assert fe.reference_quantile(name, 0.99) == fc.reference_quantile(name, 0.99)
    for step in (fe, fc):  # features and normalised output from one reference log-CPM
        f1, y1 = step.transform_with_reference(counts)
        assert np.array_equal(f1, f)
        assert np.array_equal(y1, step.reference_values(counts)[0], equal_nan=True)
    assert list(fe.get_feature_names_out()) == list(fc.get_feature_names_out())


def test_classify_counts_identical():
    m = load_model(SHIPPED[0])
    counts = _counts([str(g) for g in m.estimator.feature_names_in_], seed=2, n=12)
    kw = {"model_id": m.model_id, "model_sha256": m.sha256}
    a = classify_counts(counts, m.estimator, **kw)
    b = classify_counts(counts, m.predictor, **kw)
    pd.testing.assert_frame_equal(a.calls, b.calls, check_exact=True)
    pd.testing.assert_frame_equal(a.features, b.features, check_exact=True)
    assert json.dumps(a.explanations, sort_keys=True) == json.dumps(b.explanations, sort_keys=True)


def test_saved_model_gets_parameters_and_they_are_checked(tmp_path, tiny_model):
    from allstrat.models import save_model
    from tests.classify.test_models import _card

    d = save_model(tiny_model, tmp_path / "tiny" / "0.0.1", card=_card(), metrics={})
    loaded = load_model(d)
    assert isinstance(loaded.predictor, CompiledModel)
    assert loaded._estimator is None  # nothing unpickled for prediction
    genes = [str(g) for g in tiny_model.feature_names_in_]
    counts = _counts(genes, seed=3, n=5)
    assert np.array_equal(loaded.predictor.predict_proba(counts), tiny_model.predict_proba(counts))
    (d / "model.params.npz").write_bytes((d / "model.params.npz").read_bytes()[:-10] + b"0" * 10)
    with pytest.raises(ModelError, match="params_sha256"):
        load_model(d)


def test_single_sample_classify_imports_neither_sklearn_nor_anndata(tmp_path):
    """The CLI's single-sample path: no scikit-learn, anndata, scanpy or scipy import."""
    m = load_model(SHIPPED[0])
    counts = _counts([str(g) for g in m.card["feature_names"]], seed=4, n=1).T
    counts.index.name = "gene_symbol"
    path = tmp_path / "one.tsv"
    counts.fillna(0).astype(int).to_csv(path, sep="\t")
    code = (
        "import sys; from allstrat.cli import main; "
        f"rc = main(['-q', 'classify', '--counts', {str(path)!r}, '--out', "
        f"{str(tmp_path / 'calls.tsv')!r}, '--explain', {str(tmp_path / 'e.json')!r}]); "
        "print(sorted(m for m in ('sklearn', 'anndata', 'scanpy', 'scipy') if m in sys.modules)); "
        "sys.exit(rc)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    assert len((tmp_path / "calls.tsv").read_text().splitlines()) == 2
