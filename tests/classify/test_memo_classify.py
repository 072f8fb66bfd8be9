"""``allstrat classify --memo``: a rerun recomputes only the samples whose inputs changed.

On a small simulated cohort (30 samples, two of them T lineage, fusion files, a clinical
table): the outputs (calls TSV, explanations JSON, AnnData) of a run with an empty or a
full memo, and after one sample's fusion file, counts or immunophenotype changed, are
compared with a run without memo on the same inputs. A spy on
``allstrat.predict.classify_samples`` and on the fusion parser records which samples went
through prediction.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import pytest

import allstrat.io.fusions
import allstrat.models
import allstrat.predict
from allstrat.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cohort(tmp_path_factory) -> Path:
    """A simulated 30-sample cohort and its expression chunk (absolute paths)."""
    d = tmp_path_factory.mktemp("memo_cohort")
    sim = ["simulate", "--n-samples", "30", "--seed", "5", "--layout", "cohort"]
    assert main(["-q", *sim, "--out", str(d / "cohort")]) == 0
    imp = ["import-expression", "--sheet", str(d / "cohort" / "samples.tsv"), "--chunk", "0000"]
    assert main(["-q", *imp, "--samples-per-job", "1000", "--out", str(d / "chunk.h5ad")]) == 0
    return d


def _classify(inputs: Path, out: Path, memo: Path | None = None, *extra: str) -> Path:
    """Run the classify chunk job on ``inputs`` (sheet, chunk, clinical) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    args = [
        "-q", "classify", "--expression", str(inputs / "chunk.h5ad"),
        "--sheet", str(inputs / "cohort" / "samples.tsv"), "--chunk", "0000",
        "--samples-per-job", "1000", f"--clinical={inputs / 'cohort' / 'clinical.tsv'}",
        "--out", str(out / "calls.tsv"), "--explain", str(out / "explain.json"),
        "--h5ad", str(out / "calls.h5ad"), *extra,
    ]  # fmt: skip
    if memo is not None:
        args += ["--memo", str(memo)]
    assert main(args) == 0
    return out


def _assert_same_outputs(a: Path, b: Path) -> None:
    """Calls TSV byte for byte; explanations JSON but for its creation time; AnnData content."""
    assert (a / "calls.tsv").read_bytes() == (b / "calls.tsv").read_bytes()
    ja, jb = (json.loads((d / "explain.json").read_text()) for d in (a, b))
    for doc in (ja, jb):
        doc["provenance"].pop("created", None)
    assert ja == jb
    xa, xb = (ad.read_h5ad(d / "calls.h5ad") for d in (a, b))
    assert np.array_equal(xa.X, xb.X, equal_nan=True)
    pd.testing.assert_frame_equal(xa.obs, xb.obs)
    assert list(xa.var_names) == list(xb.var_names)
    for key in ("probabilities", "features"):
        assert np.array_equal(xa.obsm[key], xb.obsm[key], equal_nan=True), key
    assert np.array_equal(xa.layers["counts"], xb.layers["counts"], equal_nan=True)
    ua, ub = (dict(x.uns["allstrat"]) for x in (xa, xb))
    assert ua.keys() == ub.keys()
    for k in ua:
        if k != "provenance_json":  # holds the creation time
            assert np.array_equal(np.asarray(ua[k], object), np.asarray(ub[k], object)), k


@pytest.fixture
def spy(monkeypatch) -> dict[str, list[list[str]]]:
    """Samples passed to prediction (``classify_samples``) and to the fusion parser."""
    seen: dict[str, list[list[str]]] = {"predicted": [], "fusions_parsed": []}
    predict, parse = allstrat.predict.classify_samples, allstrat.io.fusions.read_sample_fusions

    def classify_spy(counts, *a, **k):
        seen["predicted"].append([str(s) for s in counts.index])
        return predict(counts, *a, **k)

    def parse_spy(rows):
        seen["fusions_parsed"].append([str(s) for s in rows.index])
        return parse(rows)

    monkeypatch.setattr(allstrat.predict, "classify_samples", classify_spy)
    monkeypatch.setattr(allstrat.io.fusions, "read_sample_fusions", parse_spy)
    return seen


@pytest.fixture
def inputs(cohort, tmp_path) -> Path:
    """A private copy of the cohort (tests change its files); the sheet points at the copy."""
    d = tmp_path / "inputs"
    shutil.copytree(cohort, d)
    sheet = d / "cohort" / "samples.tsv"
    sheet.write_text(sheet.read_text().replace(str(cohort), str(d)))
    return d


def _all_ids(inputs: Path) -> list[str]:
    return list(pd.read_csv(inputs / "cohort" / "samples.tsv", sep="\t")["sample_id"])


def test_memo_outputs_equal_a_run_without_memo(inputs, tmp_path, spy):
    plain = _classify(inputs, tmp_path / "plain")
    memo = tmp_path / "memo.json"
    empty = _classify(inputs, tmp_path / "empty", memo)
    assert memo.is_file()
    assert spy["predicted"][-1] == _all_ids(inputs)  # empty memo: every sample computed
    n_calls = len(spy["predicted"])
    full = _classify(inputs, tmp_path / "full", memo)
    assert len(spy["predicted"]) == n_calls  # full memo: no prediction at all
    assert len(spy["fusions_parsed"]) == n_calls  # ... and no fusion file parsed
    _assert_same_outputs(plain, empty)
    _assert_same_outputs(plain, full)
    off = _classify(inputs, tmp_path / "off", None, "--memo=")  # the rule with batching.memo off
    assert spy["predicted"][-1] == _all_ids(inputs)
    _assert_same_outputs(plain, off)
    t_lineage = pd.read_csv(full / "calls.tsv", sep="\t").query("lineage == 'T'")
    assert len(t_lineage) >= 1  # the T-ALL stage's results come from the memo too
    assert set(t_lineage["tall_model_id"]) == {"allstrat-tall/1.0.0"}


def _fusion_file(inputs: Path, sid: str) -> Path:
    sheet = pd.read_csv(inputs / "cohort" / "samples.tsv", sep="\t", index_col=0)
    return Path(sheet.at[sid, "fusions"])


def test_changed_fusion_file_recomputes_that_sample_only(inputs, tmp_path, spy):
    memo = tmp_path / "memo.json"
    _classify(inputs, tmp_path / "first", memo)
    sid = "SIM0003"
    f = _fusion_file(inputs, sid)
    lines = f.read_text().splitlines(keepends=True)
    f.write_text(lines[0])  # header only: assessed, no fusion
    spy["predicted"].clear()
    spy["fusions_parsed"].clear()
    again = _classify(inputs, tmp_path / "again", memo)
    assert spy == {"predicted": [[sid]], "fusions_parsed": [[sid]]}
    _assert_same_outputs(again, _classify(inputs, tmp_path / "plain"))


def test_changed_counts_recompute_that_sample_only(inputs, tmp_path, spy):
    memo = tmp_path / "memo.json"
    first = _classify(inputs, tmp_path / "first", memo)
    chunk = ad.read_h5ad(inputs / "chunk.h5ad")
    i = list(chunk.obs_names).index("SIM0007")
    layer = np.asarray(chunk.layers["counts"]).copy()
    layer[i, : layer.shape[1] // 2] *= 3  # half of its genes up three-fold
    chunk.layers["counts"] = layer
    chunk.write_h5ad(inputs / "chunk.h5ad")
    spy["predicted"].clear()
    again = _classify(inputs, tmp_path / "again", memo)
    assert spy["predicted"] == [["SIM0007"]]
    _assert_same_outputs(again, _classify(inputs, tmp_path / "plain"))
    xa, xb = (ad.read_h5ad(d / "calls.h5ad") for d in (first, again))
    assert not np.array_equal(xa.X[i], xb.X[i], equal_nan=True)  # X was recomputed


def test_changed_immunophenotype_recomputes_that_t_sample_only(inputs, tmp_path, spy):
    memo = tmp_path / "memo.json"
    first = _classify(inputs, tmp_path / "first", memo)
    calls = pd.read_csv(first / "calls.tsv", sep="\t", index_col=0)
    t_ids = list(calls.index[calls["lineage"] == "T"])
    clinical = pd.read_csv(inputs / "cohort" / "clinical.tsv", sep="\t", dtype=str)
    sid = t_ids[0]
    clinical.loc[clinical["sample_id"] == sid, ["cd1a_pct", "cd8_pct", "cd5_pct"]] = "1"
    clinical.loc[clinical["sample_id"] == sid, ["cd117_pct", "cd34_pct", "cd13_pct"]] = "90"
    clinical.to_csv(inputs / "cohort" / "clinical.tsv", sep="\t", index=False)
    spy["predicted"].clear()
    again = _classify(inputs, tmp_path / "again", memo)
    assert spy["predicted"] == [[sid]]
    _assert_same_outputs(again, _classify(inputs, tmp_path / "plain"))


def test_settings_or_model_change_recomputes_every_sample(inputs, tmp_path, spy, monkeypatch):
    memo = tmp_path / "memo.json"
    _classify(inputs, tmp_path / "first", memo)
    everyone = _all_ids(inputs)
    spy["predicted"].clear()
    changed = _classify(inputs, tmp_path / "top5", memo, "--top-genes", "5")
    assert spy["predicted"] == [everyone]
    _assert_same_outputs(changed, _classify(inputs, tmp_path / "plain", None, "--top-genes", "5"))

    load = allstrat.models.load_model

    def retrained(*a, **k):  # the same name, another checksum
        m = load(*a, **k)
        m.card = {**m.card, "model_sha256": "0" * 64}
        return m

    monkeypatch.setattr(allstrat.models, "load_model", retrained)
    spy["predicted"].clear()
    _classify(inputs, tmp_path / "retrained", memo, "--top-genes", "5")
    assert spy["predicted"] == [everyone]
