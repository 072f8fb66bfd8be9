"""`allstrat classify` runs the T-ALL second stage on T-lineage samples: subgroup columns,
ETP status with its source, explanations; B-lineage rows say not_applicable.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from allstrat.cli import main
from allstrat.contracts import CLASSIFY_COLUMNS, MULTIPLE, TALL_SUBGROUPS, UNCLASSIFIED
from allstrat.simulate import simulate_cohort


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, tall_model):
    """24 cases, most of them T-ALL, with counts, clinical and truth on disk."""
    d = tmp_path_factory.mktemp("mixed")
    c = simulate_cohort(24, seed=404, class_weights={"T-ALL": 40}, sample_prefix="MX")
    counts = c.counts.copy()
    counts.index.name = "gene_symbol"
    counts.to_csv(d / "counts.tsv", sep="\t")
    c.clinical.to_csv(d / "clinical.tsv", sep="\t", index=False)
    return d, c


def _classify(d, *extra) -> tuple[pd.DataFrame, dict]:
    out = d / f"calls{len(extra)}.tsv"
    args = ["classify", "--counts", str(d / "counts.tsv"), "--out", str(out),
            "--explain", str(out) + ".json", *extra]  # fmt: skip
    assert main(args) == 0
    calls = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)
    return calls.set_index("sample_id"), json.loads((d / (out.name + ".json")).read_text())


def test_t_lineage_rows_get_subgroup_and_etp(mixed):
    d, c = mixed
    calls, explain = _classify(d, "--clinical", str(d / "clinical.tsv"))
    assert list(calls.reset_index().columns[: len(CLASSIFY_COLUMNS)]) == list(CLASSIFY_COLUMNS)
    t = calls[calls["lineage"] == "T"]
    b = calls[calls["lineage"] == "B"]
    assert len(t) >= 15
    assert t["tall_subgroup"].isin([*TALL_SUBGROUPS, UNCLASSIFIED, MULTIPLE]).all()
    assert (t["tall_model_id"] == "allstrat-tall/1.0.0").all()
    assert (b["tall_subgroup"] == "not_applicable").all()
    assert (b["etp_status"] == "not_applicable").all()
    truth = c.truth.set_index("sample_id")
    called = t[~t["tall_subgroup"].isin([UNCLASSIFIED, MULTIPLE])]
    agree = (called["tall_subgroup"] == truth.loc[called.index, "tall_subgroup"]).mean()
    assert agree > 0.7
    # ETP: immunophenotype decides where the panel was given, expression otherwise
    clin = c.clinical.set_index("sample_id")
    has_panel = clin.loc[t.index, "cd1a_pct"] != ""
    src = t["etp_source"]
    assert set(src[has_panel]) <= {"immunophenotype", "expression", ""}
    assert set(src[~has_panel]) <= {"expression", ""}
    decided = t[src == "immunophenotype"]
    assert len(decided) > 0
    assert (decided["etp_status"] == truth.loc[decided.index, "etp_all"]).all()
    sid = t.index[0]
    tall = explain["samples"][sid]["tall"]
    assert tall["top_features"]
    assert tall["etp"]["source"] == t.at[sid, "etp_source"]


def test_without_model_etp_from_immunophenotype_only(mixed):
    d, _ = mixed
    calls, _ = _classify(d, "--clinical", str(d / "clinical.tsv"), "--tall-model", "none")
    t = calls[calls["lineage"] == "T"]
    assert (t["tall_subgroup"] == "not_assessed").all()
    assert set(t["etp_source"]) <= {"immunophenotype", ""}


def test_a_b_all_model_is_refused_as_t_all_model(mixed, capsys):
    d, _ = mixed
    args = ["classify", "--counts", str(d / "counts.tsv"), "--out", str(d / "x.tsv"),
            "--tall-model", "allstrat-bcp/1.0.0"]  # fmt: skip
    assert main(args) == 2
    assert "not a T-ALL" in capsys.readouterr().err
    assert not (d / "x.tsv").exists()
