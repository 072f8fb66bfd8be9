"""Config section <-> settings agreement; gene-level call input; no-data rows; dux4_erg."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from allstrat.config import load_section
from allstrat.contracts import COPYNUMBER_COLUMNS
from allstrat.copynumber import (
    CopyNumberSettings,
    call_from_gene_calls,
    call_without_copy_number,
    combine_dux4_erg,
)
from allstrat.errors import ConfigError, InputError


def test_shipped_config_section_is_valid(root):
    cfg = yaml.safe_load((root / "config/config.yaml").read_text())
    assert load_section("copynumber", cfg.get("copynumber")) == CopyNumberSettings()


def test_unknown_settings_key_refused():
    with pytest.raises(ConfigError, match=r"copynumber\.mlpa\.del_ration = 0.7: unknown key"):
        load_section("copynumber", {"mlpa": {"del_ration": 0.7}})


def test_gene_calls_input():
    df = pd.DataFrame(
        {
            "sample_id": "G1",
            "gene": [
                "IKZF1",
                "ERG",
                "CDKN2A",
                "CDKN2B",
                "PAX5",
                "PAR1",
                "ETV6",
                "RB1",
                "BTG1",
                "EBF1",
            ],
            "call": [
                "del",
                "normal",
                "homdel",
                "",
                "normal",
                "normal",
                "normal",
                "normal",
                "normal",
                "normal",
            ],
            "copy_number": ["", "", "", "1", "", "", "", "", "", ""],
        }
    )
    r = call_from_gene_calls(df, sample_id="G1")
    assert list(r.row) == list(COPYNUMBER_COLUMNS)
    assert r.row["cdkn2b_status"] == "deleted"
    assert r.row["ikzf1plus"] == "positive"
    assert r.row["ikzf1_deletion_type"] == ""
    assert "ikzf1_type_needs_exon_level_data" in r.row["cn_qc_flags"]


def test_gene_calls_unknown_call_refused():
    df = pd.DataFrame(
        {"sample_id": "G1", "gene": ["IKZF1"], "call": ["weird"], "copy_number": [""]}
    )
    with pytest.raises(InputError, match="unknown call 'weird'") as e:
        call_from_gene_calls(df, sample_id="G1", source="calls.tsv")
    assert "calls.tsv" in str(e.value)


def test_no_data_row_is_explicitly_not_assessable():
    r = call_without_copy_number("X1", dux4="yes")
    assert r.row["cn_source"] == "none"
    for col in COPYNUMBER_COLUMNS:
        if col.endswith("_status"):
            assert r.row[col] == "not_assessable"
    assert r.row["ikzf1plus"] == "not_assessable"
    assert r.row["dux4_erg"] == "DUX4-r/ERG-not_assessable"
    assert r.row["ukall_cna_profile"] == "not_assessable"


@pytest.mark.parametrize(
    ("dux4", "erg", "expected"),
    [
        ("yes", "deleted", "DUX4-r/ERG-deleted"),
        ("yes", "homozygous_deleted", "DUX4-r/ERG-deleted"),
        ("yes", "normal", "DUX4-r/ERG-intact"),
        ("yes", "not_assessable", "DUX4-r/ERG-not_assessable"),
        ("no", "deleted", "no"),
        ("no", "normal", "no"),
        (None, "deleted", "not_assessable"),
    ],
)
def test_dux4_erg(dux4, erg, expected):
    value, flags = combine_dux4_erg(dux4, erg)
    assert value == expected
    if dux4 != "yes" and erg == "deleted":
        assert "erg_deleted_without_dux4_expression_call" in flags
