"""The one converter of nested results to JSON / h5ad-storable values, and the sheet's
blast-fraction parser (each used to exist in two to four copies with different rules).
"""

from __future__ import annotations

import json
import math

import anndata as ad
import numpy as np
import pytest

from allstrat.io.samples import blast_fraction
from allstrat.serialise import to_plain


def test_json_target_gives_strict_json():
    obj = {
        1: (np.float64(0.5), np.int32(3), np.bool_(True)),
        "nan": float("nan"),
        "inf": np.float32("inf"),
        "arr": np.array([[1, 2], [3, 4]]),
        "nested": [{"x": -math.inf}],
    }
    out = to_plain(obj)
    assert out == {
        "1": [0.5, 3, True],
        "nan": None,
        "inf": None,
        "arr": [[1, 2], [3, 4]],
        "nested": [{"x": None}],
    }
    assert type(out["1"][1]) is int
    json.dumps(out, allow_nan=False)  # would raise on any NaN left


def test_h5_target_is_writable_to_h5ad(tmp_path):
    report = {"ids": ("ENSG1", 2), "empty": [], "none": None, "n": np.int64(4), "f": 0.25}
    out = to_plain({"S1": report}, target="h5")
    assert out == {"S1": {"ids": ["ENSG1", "2"], "empty": "", "none": "", "n": 4, "f": 0.25}}
    adata = ad.AnnData(np.zeros((1, 1)))
    adata.uns["allstrat"] = out
    adata.write_h5ad(tmp_path / "x.h5ad")
    back = ad.read_h5ad(tmp_path / "x.h5ad").uns["allstrat"]["S1"]
    assert list(back["ids"]) == ["ENSG1", "2"]
    assert back["none"] == ""


def test_h5_target_keeps_non_finite_floats():
    """h5py stores NaN; only JSON needs it replaced."""
    assert math.isnan(to_plain({"a": float("nan")}, target="h5")["a"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.85, 0.85),
        ("0.85", 0.85),
        (" 1 ", 1.0),
        (0.0, 0.0),
        (float("nan"), None),
        ("", None),
        (None, None),
        ("NA", None),
        ("none", None),
        ("nan", None),
    ],
)
def test_blast_fraction(value, expected):
    assert blast_fraction(value) == expected


def test_blast_fraction_from_a_read_sheet(tmp_path):
    """The sheet reader types the column; the parser then sees floats and NaN."""
    from allstrat.io.samples import read_sample_sheet

    p = tmp_path / "samples.tsv"
    p.write_text(
        "sample_id\texpression\texpression_format\tblast_fraction\n"
        "A\ta.tsv\tfeaturecounts\t0.9\nB\tb.tsv\tfeaturecounts\t\n"
    )
    rows = read_sample_sheet(p)
    assert {s: blast_fraction(v) for s, v in rows["blast_fraction"].items()} == {
        "A": 0.9,
        "B": None,
    }


def test_plain_values_come_back_as_they_are():
    """Plain JSON values (the bulk of an explanation) keep their value and exact type."""
    src = {"a": True, "b": 1, "c": 1.5, "d": "x", "e": None, "f": [False, 0, -0.0, ""]}
    out = to_plain(src)
    assert out == src
    assert [type(v) for v in out.values()] == [type(v) for v in src.values()]
    assert [type(v) for v in out["f"]] == [bool, int, float, str]
    assert to_plain({"e": None}, target="h5") == {"e": ""}
