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
        (HEAD + "A\t4\t52000\tM\n", r"line 2, sample 'A': column wbc_1e9_per_l: 52000 .*per µL"),
        # 1,500/µL typed as 1500 into the ×10⁹/L column
        (HEAD + "A\t4\t1500\tM\n", r"line 2, sample 'A': column wbc_1e9_per_l: 1500 .*wbc_per_ul"),
        # 15 ×10⁹/L typed into the per-µL column
        ("sample_id\twbc_per_ul\nA\t15\n", r"line 2, sample 'A': column wbc_per_ul: 15 .*"),
        ("sample_id\tage_months\nA\t400\n", r"line 2, sample 'A': column age_months: 400"),
        (
            "sample_id\tage_years\tage_months\nA\t1.5\t18\n",
            r"line 1: columns \['age_years', 'age_months'\] both give",
        ),
        (
            "sample_id\twbc_1e9_per_l\twbc_per_ul\nA\t1.5\t1500\n",
            r"line 1: columns \['wbc_1e9_per_l', 'wbc_per_ul'\] both give",
        ),
        ("sample_id\tage\nA\t18\n", r"line 1: column 'age': name the unit .*age_months"),
        ("sample_id\twbc\nA\t1500\n", r"line 1: column 'wbc': name the unit .*wbc_per_ul"),
        (HEAD + "A\t4\t-3\tM\n", r"line 2, sample 'A': column wbc_1e9_per_l"),
        (HEAD + "A\t4\t12\tmale\n", r"line 2, sample 'A': column sex"),
        (HEAD + "A\t4\t12\tM\nA\t5\t12\tF\n", r"line 3, sample 'A': duplicate sample_id"),
        (
            "sample_id\tWBC (cells/µL)\nA\t52000\n",
            r"line 1: column 'WBC \(cells/µL\)' \(it looks like a count per µL\): name the unit",
        ),
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


MRD_HEAD = "sample_id\tday\ttissue\tmethod\tvalue\tunit\tsensitivity\n"


@pytest.mark.parametrize(
    ("rows", "pattern"),
    [
        ("A\t29\tBM\tflow\tnegative\tfraction\t\n", r"line 2, sample 'A': value 'negative' needs"),
        # MRD above 1 as a fraction: refused (1 % typed as 1 with unit fraction is 100 %)
        (
            "A\t29\tBM\tflow\t5\tfraction\t1e-4\n",
            r"line 2, sample 'A': value 5 is outside 0-1 .*percent",
        ),
        (
            "A\t29\tBM\tflow\t150\tpercent\t0.01\n",
            r"line 2, sample 'A': value 150 is outside 0-100",
        ),
        ("A\t29\tBM\tflow\t0.5\tlog10\t-4\n", r"line 2, sample 'A': value 0.5 as log10 is above 0"),
        ("A\t29\tBM\tflow\t-0.1\tfraction\t1e-4\n", r"line 2, sample 'A': value -0.1 is outside"),
        ("A\t29\tBM\tflow\tNaN\tfraction\t1e-4\n", r"line 2, sample 'A': column value"),
        ("A\t29\tCSF\tflow\t0.01\tfraction\t1e-4\n", r"line 2, sample 'A': column tissue"),
        ("A\tday29\tBM\tflow\t0.01\tfraction\t1e-4\n", r"line 2, sample 'A': column day"),
        ("A\t29\tBM\tflow\t0.01\t%\t1e-4\n", r"line 2, sample 'A': column unit"),
        ("A\t29\tBM\tflow\t0.01\tfraction\t10\n", r"line 2, sample 'A': sensitivity 10 is outside"),
        ("A\t29\tBM\tflow\t0.01\tlog10\t-4\n", r"line 2, sample 'A': value 0.01 as log10 is above"),
        (
            "A\t29\tBM\tflow\t0.01\tfraction\t1e-4\nA\t29\tBM\tflow\t0.02\tfraction\t1e-4\n",
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
        MRD_HEAD + "A\t33\tbm\tpcr\t0.001\tfraction\t1e-4\nA\t33\tBM\tPCR\t0.1\tpercent\t0.01\n",
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


def test_mrd_without_unit_column_is_refused(tmp_path):
    p = _write(tmp_path, "mrd.tsv", "sample_id\tday\ttissue\tmethod\tvalue\nA\t33\tBM\tPCR\t0.05\n")
    with pytest.raises(InputError, match=r"mrd\.tsv, line 1: .*required column\(s\) \['unit'\]"):
        read_mrd(p)


def test_mrd_units_convert_to_the_same_fraction(tmp_path):
    """0.05 % is 5e-4 whatever the unit it is written in; never read as 5 %."""
    rows = (
        "A\t33\tBM\tPCR\t0.0005\tfraction\t1e-5\n"
        "B\t33\tBM\tPCR\t0.05\tpercent\t0.001\n"
        "C\t33\tBM\tPCR\t-3.30103\tlog10\t-5\n"
        "D\t33\tBM\tPCR\tnegative\tpercent\t0.01\n"
    )
    m = read_mrd(_write(tmp_path, "mrd.tsv", MRD_HEAD + rows)).set_index("sample_id")
    for sid in "ABC":
        assert m.loc[sid, "fraction"] == pytest.approx(5e-4, rel=1e-5)
        assert m.loc[sid, "sensitivity"] == pytest.approx(1e-5, rel=1e-5)
    assert m.loc["D", "sensitivity"] == pytest.approx(1e-4)
    assert m.attrs["warnings"] == {}


def test_mrd_value_below_sensitivity_is_warned(tmp_path, caplog):
    p = _write(tmp_path, "mrd.tsv", MRD_HEAD + "A\t33\tBM\tPCR\t0.00001\tfraction\t1e-4\n")
    m = read_mrd(p)
    assert m.loc[0, "fraction"] == pytest.approx(1e-5)  # kept
    assert "below the stated sensitivity" in m.attrs["warnings"]["A"][0]
    assert "line 2" in m.attrs["warnings"]["A"][0]
    assert "below the stated sensitivity" in caplog.text


def test_clinical_unit_headers_convert(tmp_path):
    c = read_clinical(
        _write(tmp_path, "c.tsv", "sample_id\tage_months\twbc_per_ul\nA\t18\t1500\nB\t8\t52000\n")
    )
    assert c.loc["A", "age_years"] == pytest.approx(1.5)
    assert c.loc["A", "wbc_1e9_per_l"] == pytest.approx(1.5)
    assert c.loc["B", "age_years"] == pytest.approx(8 / 12)  # an infant, not 8 years
    assert c.loc["B", "wbc_1e9_per_l"] == pytest.approx(52.0)
    assert c.attrs["units"] == {"age": "age_months", "wbc": "wbc_per_ul"}


def test_clinical_implausible_values_are_warned_not_refused(tmp_path, caplog):
    c = read_clinical(_write(tmp_path, "c.tsv", HEAD + "A\t22\t650\tM\nB\t4\t12\tF\n"))
    assert c.loc["A", "age_years"] == 22.0
    assert c.loc["A", "wbc_1e9_per_l"] == 650.0
    w = c.attrs["warnings"]
    assert set(w) == {"A"}
    assert any("age_years = 22" in x and "age_months" in x for x in w["A"])
    assert any("wbc_1e9_per_l = 650" in x and "wbc_per_ul" in x for x in w["A"])
    assert "extreme hyperleukocytosis" in caplog.text


@pytest.mark.parametrize(
    "schema_name", ["clinical.schema.yaml", "mrd.schema.yaml", "lab_genetics.schema.yaml"]
)
def test_invalid_rows_are_the_rows_jsonschema_rejects(schema_name):
    """The column-wise screen flags exactly the rows a row-by-row validation rejects."""
    import random

    import jsonschema
    import pandas as pd

    from allstrat.io.samples import invalid_rows, load_schema

    schema = load_schema(schema_name)
    props = schema["properties"]
    # per column: the values of a pool the schema accepts, and sometimes a pool value
    pool = ["", "A1", "b.2", "C-3_x", "8", "33", "4.5", "18", "1.5e2", "-3", "negative",
            "1e-4", "*1/*3A", "*1/*3", "2024-01-31", "x y", "*1", "1,5", "12 ", "NEGATIVE",
            "-", "é", "1.", "yes\n", "12\n"]  # fmt: skip
    accepts = {
        c: [v for v in pool + [e for e in props[c].get("enum", []) if isinstance(e, str)]
            if jsonschema.Draft202012Validator(props[c]).is_valid(v)]
        for c in props
    }  # fmt: skip
    rng = random.Random(7)
    cols = list(props)
    rows = []
    for _ in range(300):
        row = {c: rng.choice(accepts[c]) if rng.random() > 0.02 else rng.choice(pool) for c in cols}
        rows.append(row)
    df = pd.DataFrame(rows, columns=cols)
    validator = jsonschema.Draft202012Validator(schema)
    expected = [i for i, r in enumerate(df.to_dict("records")) if not validator.is_valid(r)]
    assert 0 < len(expected) < len(df)
    assert invalid_rows(df, schema).tolist() == expected
