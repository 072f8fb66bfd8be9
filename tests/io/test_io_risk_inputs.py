"""``allstrat.io.risk_inputs``: the risk stage's tables and where a core error points."""

from __future__ import annotations

import pytest

from allstrat.errors import InputError
from allstrat.io.risk_inputs import read_risk_inputs


@pytest.fixture
def data(root):
    return root / "tests" / "data" / "risk"


def test_tables_given_are_read_and_recorded(data):
    inputs = read_risk_inputs(
        classify=data / "classify.tsv", clinical=data / "clinical.tsv", mrd=""
    )
    t = inputs.tables()
    assert t["copynumber"] is None
    assert t["mrd"] is None
    assert t["known_samples"] is None
    assert len(t["classify"])
    assert len(t["clinical"])
    roles = [r["role"] for r in inputs.records()]
    assert roles == ["classify_table", "clinical"]
    assert all(len(r["sha256"]) == 64 for r in inputs.records())


def test_core_error_gets_file_and_line_of_the_sample_row(data):
    inputs = read_risk_inputs(classify=data / "classify.tsv")
    sid = str(inputs.classify["sample_id"].iloc[2])
    err = inputs.locate(InputError("bad value", sample=sid, table="classify"))
    assert err.path is not None
    assert str(err.path).endswith("classify.tsv")
    assert err.line == 4  # header is line 1
    # a table that was not read from a file, or an error that names its file, stays as it is
    same = InputError("x", sample=sid, table="clinical")
    assert inputs.locate(same) is same
