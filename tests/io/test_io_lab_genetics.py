"""Diagnostic-genetics table reader."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from allstrat.contracts import LAB_GENETICS_COLUMNS
from allstrat.errors import InputError
from allstrat.io.lab_genetics import read_lab_genetics

DATA = Path(__file__).resolve().parents[1] / "data" / "formats" / "lab"
HEAD = "sample_id\tfinding\tresult\tmethod\tvalue\tdate\n"


def test_lab_table_types_aliases_and_failed():
    t = read_lab_genetics(DATA / "lab_genetics.tsv")
    assert tuple(t.columns) == (*LAB_GENETICS_COLUMNS, "line")
    assert t["finding"].tolist()[2] == "ETV6::RUNX1"  # "ETV6-RUNX1" alias mapped
    assert t.loc[3, "value"] == pytest.approx(1.0)
    assert t.loc[4, "value"] == 56.0
    assert math.isnan(t.loc[0, "value"])
    assert t.loc[0, "date"] == "2025-03-02"
    assert t.loc[6, "result"] == "failed"
    assert t["line"].tolist() == [2, 3, 4, 5, 6, 7, 8]


def test_lab_table_optional_columns(tmp_path):
    p = tmp_path / "lab.tsv"
    p.write_text("sample_id\tfinding\tresult\tmethod\nA\tKMT2A\tnegative\tFISH\n")
    t = read_lab_genetics(p)
    assert t.loc[0, "finding"] == "KMT2A-r"
    assert t.loc[0, "date"] == ""


@pytest.mark.parametrize(
    ("rows", "pattern"),
    [
        (
            "A\tBCR::ABL1\tpositive\tMLPA\t\t\n",
            r"line 2, sample 'A': finding BCR::ABL1 cannot be established by method MLPA",
        ),
        ("A\tETV6::RUNX1\tnegative\tkaryotype\t\t\n", r"cannot be established by method karyotype"),
        ("A\tBCR::ABL1\tmaybe\tFISH\t\t\n", r"line 2, sample 'A': column result"),
        ("A\tBCR::ABL1\tmeasured\tFISH\t\t\n", r"takes result positive, negative or failed"),
        ("A\tBCR::ABL1\tpositive\tFISH\t1\t\n", r"value is only for DNA_index and modal_number"),
        (
            "A\tDNA_index\tpositive\tflow_DNA_index\t\t\n",
            r"DNA_index is a number: result must be measured",
        ),
        ("A\tDNA_index\tmeasured\tflow_DNA_index\t\t\n", r"result measured needs column value"),
        (
            "A\tDNA_index\tmeasured\tflow_DNA_index\t56\t\n",
            r"DNA_index 56 is outside 0.3-3 .*modal_number",
        ),
        (
            "A\tmodal_number\tmeasured\tkaryotype\t1.16\t\n",
            r"modal_number 1.16 is not a whole .*DNA_index",
        ),
        ("A\tmodal_number\tmeasured\tkaryotype\t46.5\t\n", r"modal_number 46.5 is not a whole"),
        ("A\tmodal_number\tfailed\tkaryotype\t46\t\n", r"a failed test has no value"),
        ("A\tPh+\tpositive\tFISH\t\t\n", r"line 2, sample 'A': column finding"),
        ("A\tBCR::ABL1\tpositive\tPCR\t\t\n", r"line 2, sample 'A': column method"),
        ("A\tBCR::ABL1\tpositive\tFISH\t\t03/02/2025\n", r"line 2, sample 'A': column date"),
    ],
)
def test_lab_table_bad_input(tmp_path, rows, pattern):
    p = tmp_path / "lab.tsv"
    p.write_text(HEAD + rows)
    with pytest.raises(
        InputError, match=r"lab\.tsv, " + pattern if pattern.startswith("line") else pattern
    ):
        read_lab_genetics(p)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("sample_id\tfinding\tresult\n", r"line 1: .*required column\(s\) \['method'\]"),
        (
            "sample_id\tfinding\tresult\tmethod\tcomment\n",
            r"line 1: unknown column\(s\) \['comment'\]",
        ),
    ],
)
def test_lab_table_bad_header(tmp_path, text, pattern):
    p = tmp_path / "lab.tsv"
    p.write_text(text + "A\tKMT2A-r\tnegative\tFISH\tx\n"[: -1 if "comment" in text else None])
    with pytest.raises(InputError, match=pattern):
        read_lab_genetics(p)
