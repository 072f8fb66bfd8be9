"""Clinical and MRD table readers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from allstrat.errors import InputError
from allstrat.io.clinical import CLINICAL_COLUMNS, MRD_COLUMNS, read_clinical, read_mrd

DATA = Path(__file__).resolve().parents[1] / "data" / "formats" / "clinical"
HEAD = "sample_id\tage_years\twbc_1e9_per_l\tsex\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_clinical_types_and_missing():
    c = read_clinical(DATA / "clinical.tsv")
    assert tuple(c.columns) == CLINICAL_COLUMNS
    assert list(c.index) == ["PT301", "PT302", "PT303", "PT304", "PT305"]
    assert c.loc["PT302", "wbc_1e9_per_l"] == 85.0
    assert c.loc["PT301", "age_years"] == pytest.approx(4.2)
    assert c.loc["PT303", "down_syndrome"] is True
    assert c.loc["PT304", "testicular_involvement"] is True  # "Yes" normalised
    assert c.loc["PT301", "induction_failure"] is False
    assert c.loc["PT304", "cns_status"] == "CNS3"
    assert c.loc["PT302", "tpmt_diplotype"] == "*1/*3A"
    # empty cells are missing, never a default
    assert math.isnan(c.loc["PT303", "wbc_1e9_per_l"])
    assert c.loc["PT303", "testicular_involvement"] is None
    assert c.loc["PT303", "nudt15_diplotype"] is None
    row = c.loc["PT305"]
    assert row.drop("sample_id").isna().all()


def test_clinical_absent_columns_are_missing(tmp_path):
    c = read_clinical(_write(tmp_path, "c.tsv", "sample_id\tage_years\nA\t3\n"))
    assert tuple(c.columns) == CLINICAL_COLUMNS
    assert c.loc["A", "sex"] is None
    assert math.isnan(c.loc["A", "wbc_1e9_per_l"])


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (
            HEAD + "A\t4\t12\tM\nB\t31\t12\tF\n",
            r"line 3, sample 'B': column age_years: 31 is outside",
        ),
        (HEAD + "A\t-1\t12\tM\n", r"line 2, sample 'A': column age_years"),
        (HEAD + "A\t4\t52000\tM\n", r"line 2, sample 'A': column wbc_1e9_per_l: 52000 .*cells/µL"),
        (HEAD + "A\t4\t-3\tM\n", r"line 2, sample 'A': column wbc_1e9_per_l"),
        (HEAD + "A\t4\t12\tmale\n", r"line 2, sample 'A': column sex"),
        (HEAD + "A\t4\t12\tM\nA\t5\t12\tF\n", r"line 3, sample 'A': duplicate sample_id"),
        ("sample_id\twbc_per_ul\nA\t52000\n", r"line 1: column 'wbc_per_ul' holds WBC per µL"),
        ("sample_id\tWBC (cells/µL)\nA\t52000\n", r"line 1: column 'WBC \(cells/µL\)' holds WBC"),
        ("sample_id\tbmi\nA\t18\n", r"line 1: unknown column\(s\) \['bmi'\]"),
        ("sample_id,age_years\nA,4\n", r"line 1: clinical table looks comma"),
        ("", r"clinical table is empty"),
        ("sample_id\ttpmt_diplotype\nA\t1/3A\n", r"line 2, sample 'A': column tpmt_diplotype"),
        ("sample_id\tdown_syndrome\nA\tmaybe\n", r"line 2, sample 'A': column down_syndrome"),
    ],
)
def test_clinical_bad_input(tmp_path, text, pattern):
    p = _write(tmp_path, "clin.tsv", text)
    with pytest.raises(InputError, match=r"clin\.tsv, " + pattern if text else pattern):
        read_clinical(p)


def test_mrd_types():
    m = read_mrd(DATA / "mrd.tsv")
    assert tuple(m.columns) == MRD_COLUMNS
    assert m["day"].dtype == "Int64"
    r = m.set_index(["sample_id", "day"])
    assert r.loc[("PT301", 8), "fraction"] == pytest.approx(4e-4)
    assert r.loc[("PT301", 8), "value"] == pytest.approx(4e-4)
    assert r.loc[("PT301", 29), "result"] == "negative"
    assert r.loc[("PT301", 29), "sensitivity"] == pytest.approx(1e-4)
    assert math.isnan(r.loc[("PT301", 29), "fraction"])
    assert r.loc[("PT302", 78), "result"] == "positive_nq"
    assert r.loc[("PT302", 33), "method"] == "PCR"
    assert r.loc[("PT303", 78), "result"] == "not_done"


MRD_HEAD = "sample_id\tday\ttissue\tmethod\tvalue\tsensitivity\n"


@pytest.mark.parametrize(
    ("rows", "pattern"),
    [
        ("A\t29\tBM\tflow\tnegative\t\n", r"line 2, sample 'A': value 'negative' needs the assay"),
        ("A\t29\tBM\tflow\t5\t1e-4\n", r"line 2, sample 'A': value 5 is not a fraction"),
        ("A\t29\tBM\tflow\t-0.1\t1e-4\n", r"line 2, sample 'A': column value"),
        ("A\t29\tBM\tflow\tNaN\t1e-4\n", r"line 2, sample 'A': column value"),
        ("A\t29\tCSF\tflow\t0.01\t1e-4\n", r"line 2, sample 'A': column tissue"),
        ("A\tday29\tBM\tflow\t0.01\t1e-4\n", r"line 2, sample 'A': column day"),
        ("A\t29\tBM\tflow\t0.01\t10\n", r"line 2, sample 'A': sensitivity 10 is not a fraction"),
        (
            "A\t29\tBM\tflow\t0.01\t1e-4\nA\t29\tBM\tflow\t0.02\t1e-4\n",
            r"line 3, sample 'A': day 29 BM flow is given twice",
        ),
    ],
)
def test_mrd_bad_input(tmp_path, rows, pattern):
    p = _write(tmp_path, "mrd.tsv", MRD_HEAD + rows)
    with pytest.raises(InputError, match=r"mrd\.tsv, " + pattern):
        read_mrd(p)


def test_mrd_case_normalised_and_repeat_identical_ok(tmp_path):
    p = _write(
        tmp_path,
        "m.tsv",
        MRD_HEAD + "A\t33\tbm\tpcr\t0.001\t1e-4\nA\t33\tBM\tPCR\t0.001\t1e-4\n",
    )
    m = read_mrd(p)
    assert m["tissue"].tolist() == ["BM", "BM"]
    assert m["method"].tolist() == ["PCR", "PCR"]


def test_risk_fact_builder_accepts_reader_output():
    """The risk stage reads these frames row by row; booleans / None must pass through."""
    facts = pytest.importorskip("allstrat.risk.facts")
    if not hasattr(facts, "_clinical_facts"):
        pytest.skip("risk fact builder API changed")
    c = read_clinical(DATA / "clinical.tsv")
    row = c.loc["PT303"].to_dict()
    out = facts._clinical_facts(row, "PT303")
    assert out["down_syndrome"].value is True
    assert not out["testicular_involvement"].known
