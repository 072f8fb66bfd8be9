"""Risk facts take the clinical reader's typed values; allowed values live in the schema."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from allstrat.errors import InputError
from allstrat.io.clinical import (
    _canonical_spellings,
    clinical_frame,
    mrd_frame,
    read_clinical,
    read_mrd,
)
from allstrat.io.samples import load_schema
from allstrat.risk.expr import UNKNOWN, Mrd
from allstrat.risk.facts import MrdTimepoint, build_facts, mrd_facts

RAW = {
    "sample_id": "P1",
    "age_months": "30",
    "wbc_per_ul": "12000",
    "sex": "f",
    "immunophenotype": "b",
    "down_syndrome": "Yes",
    "cns_status": "cns2",
    "testicular_involvement": "",
    "steroid_pretreatment": "no",
    "prednisone_response": "Poor",
    "induction_failure": "NO",
}


def _facts(clinical):
    return build_facts("P1", classify=None, copynumber=None, clinical=clinical)


def test_typed_row_gives_facts_without_reparsing(tmp_path):
    table = clinical_frame(pd.DataFrame([RAW]))
    path = tmp_path / "clinical.tsv"
    path.write_text("\t".join(RAW) + "\n" + "\t".join(RAW.values()) + "\n")
    pd.testing.assert_frame_equal(table, read_clinical(path), check_like=True)
    row = table.loc["P1"].to_dict()
    assert row["down_syndrome"] is True
    assert row["cns_status"] == "CNS2"
    f = _facts(row)
    assert f["age_years"].value == 2.5
    assert f["wbc_1e9_per_l"].value == 12.0
    assert f["sex"].value == "female"
    assert f["immunophenotype"].value == "B"
    assert f["down_syndrome"].value is True
    assert f["testicular_involvement"].value is UNKNOWN
    assert f["steroid_pretreatment"].value is False
    assert f["prednisone_response"].value == "poor"
    assert f["induction_failure"].value is False
    assert f["cns_status"].value == "CNS2"


@pytest.mark.parametrize(
    ("column", "value"),
    [("down_syndrome", "yes"), ("age_years", "5"), ("age_years", True), ("sex", 1)],
)
def test_untyped_clinical_values_are_a_programming_error(column, value):
    with pytest.raises(TypeError, match=rf"sample 'P1', clinical column {column}: expected"):
        _facts({column: value})


def test_missing_values_are_unknown_never_a_default():
    f = _facts({"age_years": math.nan, "down_syndrome": None})
    assert f["age_years"].value is UNKNOWN
    assert f["down_syndrome"].value is UNKNOWN


def test_allowed_values_come_from_the_schemas():
    clinical = _canonical_spellings(load_schema("clinical.schema.yaml"))
    schema = load_schema("clinical.schema.yaml")["properties"]
    assert clinical["cns_status"] == {"cns1": "CNS1", "cns2": "CNS2", "cns3": "CNS3"}
    assert set(clinical["sex"].values()) == set(schema["sex"]["enum"]) - {""}
    mrd = _canonical_spellings(load_schema("mrd.schema.yaml"))
    assert mrd["method"] == {"flow": "flow", "pcr": "PCR"}
    with pytest.raises(InputError, match=r"column sex: 'male' is not one of"):
        clinical_frame(pd.DataFrame([{**RAW, "sex": "male"}]))


MRD_RAW = [
    {"sample_id": "P1", "day": "15", "tissue": "bm", "method": "Flow", "value": "0.1",
     "unit": "percent", "sensitivity": ""},
    {"sample_id": "P1", "day": "33", "tissue": "BM", "method": "pcr", "value": "negative",
     "unit": "log10", "sensitivity": "-4"},
]  # fmt: skip
TPS = [MrdTimepoint("d15", "flow", "BM", 15, 15), MrdTimepoint("d33", "PCR", "BM", 33, 33)]


def _mrd(rows):
    return mrd_facts(rows, TPS, "P1", default_sensitivity=1e-3, positive_nq_max=1e-4)


def test_typed_mrd_rows_give_facts_without_reparsing(tmp_path):
    table = mrd_frame(pd.DataFrame(MRD_RAW))
    path = tmp_path / "mrd.tsv"
    path.write_text("\n".join("\t".join(r) for r in [MRD_RAW[0], *map(dict.values, MRD_RAW)]))
    pd.testing.assert_frame_equal(table, read_mrd(path))
    f = _mrd(table.to_dict("records"))
    assert f["mrd_d15"].value == Mrd.quantified(0.001)
    assert f["mrd_d33"].value == Mrd.negative(1e-4)  # the row's sensitivity, not the default


@pytest.mark.parametrize(("column", "value"), [("day", "15"), ("day", True), ("tissue", None)])
def test_untyped_mrd_values_are_a_programming_error(column, value):
    row = {**mrd_frame(pd.DataFrame(MRD_RAW)).to_dict("records")[0], column: value}
    with pytest.raises(TypeError, match=rf"sample 'P1', MRD column {column}: expected"):
        _mrd([row])


def test_timepoint_codes_are_the_mrd_schema_codes():
    mrd = load_schema("mrd.schema.yaml")["properties"]
    tp = load_schema("ruleset.schema.yaml")["$defs"]["timepoint"]["properties"]
    for col in ("method", "tissue"):
        assert tp[col]["enum"] == mrd[col]["enum"]
