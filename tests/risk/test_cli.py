"""`allstrat risk` end to end on the fixtures in tests/data/risk (see its README)."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from allstrat.cli import main
from allstrat.contracts import RISK_COLUMNS
from allstrat.provenance import build_provenance
from allstrat.risk.traces import TRACES_FORMAT, expand_traces


@pytest.fixture
def data(root):
    return root / "tests" / "data" / "risk"


def _run(data, tmp_path, *extra, classify=None, copynumber=None):
    out, traces = tmp_path / "risk.tsv", tmp_path / "risk.traces.json"
    argv = [
        "risk",
        "--classify", str(classify or data / "classify.tsv"),
        "--copynumber", str(copynumber or data / "copynumber.tsv"),
        "--clinical", str(data / "clinical.tsv"),
        "--mrd", str(data / "mrd.tsv"),
        "--out", str(out),
        "--traces", str(traces),
        *extra,
    ]  # fmt: skip
    return main(argv), out, traces


def test_end_to_end(data, tmp_path):
    rc, out, traces = _run(data, tmp_path)
    assert rc == 0
    table = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)
    assert tuple(table.columns) == RISK_COLUMNS
    assert len(table) == 4 * 6
    assert not table.duplicated(["sample_id", "protocol"]).any()
    g = table.set_index(["sample_id", "protocol"])["risk_group"]
    expected = {
        ("R01", "nci_rome"): "SR",
        ("R01", "cog"): "LOW",
        ("R01", "aieop_bfm_2009"): "SR",
        ("R01", "dcog_all11"): "SR",
        ("R02", "dcog_all10"): "HR",  # PPR is HR in ALL10
        ("R02", "dcog_all11"): "MR",  # ... and MR in ALL11
        ("R02", "aieop_bfm_2009"): "HR",
        ("R03", "nci_rome"): "indeterminate",  # no WBC
        ("R03", "dcog_all11"): "indeterminate",  # unclassified + no copy number
        ("R04", "cog"): "not_applicable",  # T-ALL
        ("R04", "aieop_bfm_2009"): "HR",
    }
    for key, group in expected.items():
        assert g[key] == group, key
    r03 = table[(table.sample_id == "R03") & (table.protocol == "dcog_all11")].iloc[0]
    assert r03.minimum_group == "MR"  # PCR day 33 positive: SR is ruled out
    assert "kmt2a" in r03.missing_inputs.split(";")
    r02 = table[(table.sample_id == "R02") & (table.protocol == "dcog_all11")].iloc[0]
    assert "tki_eligible" in r02.annotations.split(";")
    assert "extended_maintenance" in r02.annotations.split(";")
    r01 = table[(table.sample_id == "R01") & (table.protocol == "cog")].iloc[0]
    assert "mercaptopurine_start:reduce_to_30_80pct" in r01.annotations.split(";")

    doc = json.loads(traces.read_text())
    assert doc["format"] == TRACES_FORMAT
    doc = expand_traces(doc)  # the full per-rule traces, as the reports read them
    prov = doc["provenance"]  # the one provenance builder, as in every stage
    assert prov["stage"] == "risk"
    assert set(build_provenance(stage="x")) <= set(prov)
    assert prov["rulesets"]["dcog_all11"] == doc["rulesets"]["dcog_all11"]["version"]
    assert {i["role"] for i in prov["inputs"]} >= {"classify_table", "copynumber_table"}
    t = doc["samples"]["R02"]["protocols"]["dcog_all11"]
    assert [e["id"] for e in t["rules"]][:3] == [
        "DCOG11-NA-AGE",
        "DCOG11-T-UNSOURCED",
        "DCOG11-HR-UNFAV",
    ]
    fired = [e for e in t["rules"] if e["outcome"] == "fired"]
    assert [e["id"] for e in fired] == ["DCOG11-MR-PPR"]
    assert fired[0]["facts"] == {"prednisone_response": "poor"}
    hr_mrd = next(e for e in t["rules"] if e["id"] == "DCOG11-HR-MRD")
    assert hr_mrd["settings"] == {"$hr_mrd_tp2": 0.001}
    assert hr_mrd["facts"]["mrd_pcr_tp2"] == "0.0002"
    spec = doc["rulesets"]["dcog_all11"]["settings"]["hr_mrd_tp2"]
    assert (spec["value"], spec["verified"], spec["overridden"]) == (0.001, False, False)
    assert doc["samples"]["R01"]["pharmacogenetics"]["TPMT"]["phenotype"] == "IM"
    assert doc["rulesets"]["dcog_all11"]["sha256"]


def test_rerun_is_byte_identical(data, tmp_path):
    _, out1, tr1 = _run(data, tmp_path / "a")
    _, out2, tr2 = _run(data, tmp_path / "b")
    assert out1.read_bytes() == out2.read_bytes()
    assert tr1.read_bytes() == tr2.read_bytes()


def test_protocol_selection_and_override(data, tmp_path):
    rc, out, _ = _run(
        data,
        tmp_path,
        "--protocols", "dcog_all11",
        "--config-section", '{"settings": {"dcog_all11": {"hr_mrd_tp2": 0.0005}}}',
    )  # fmt: skip
    assert rc == 0
    table = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)
    assert set(table.protocol) == {"dcog_all11"}
    assert all(v.startswith("1.1.0+o") for v in table.ruleset_version)


def test_bad_inputs_exit_2_with_clear_messages(data, tmp_path, capsys):
    # a copy-number state outside the contract names file, line and sample
    bad = tmp_path / "cn.tsv"
    text = (data / "copynumber.tsv").read_text().replace("\tdeleted\t", "\tlost\t", 1)
    bad.write_text(text)
    rc, out, _ = _run(data, tmp_path, copynumber=bad)
    err = capsys.readouterr().err
    assert rc == 2
    assert str(bad) in err
    assert "line 2" in err or f"{bad}:2" in err
    assert "sample 'R01'" in err
    assert "etv6_status" in err
    assert "'lost'" in err
    assert not out.exists()

    # a missing contract column
    bad2 = tmp_path / "cls.tsv"
    df = pd.read_csv(data / "classify.tsv", sep="\t", dtype=str, keep_default_na=False)
    df.drop(columns=["confidence_tier"]).to_csv(bad2, sep="\t", index=False)
    rc, out, _ = _run(data, tmp_path, classify=bad2)
    err = capsys.readouterr().err
    assert rc == 2
    assert str(bad2) in err
    assert "confidence_tier" in err

    # an unknown protocol / a verified setting override
    rc, *_ = _run(data, tmp_path, "--protocols", "ukall2003")
    assert rc == 2
    err = capsys.readouterr().err
    assert "config risk.protocols.0 = ukall2003: not an allowed value" in err
    assert "allowed: nci_rome, cog" in err
    rc, *_ = _run(
        data, tmp_path, "--config-section", '{"settings": {"dcog_all10": {"hr_mrd_tp2": 5e-4}}}'
    )
    assert rc == 2
    assert "verified protocol fact" in capsys.readouterr().err


def test_custom_ruleset_dir(data, tmp_path, root):
    rules = tmp_path / "rules"
    shutil.copytree(root / "resources" / "risk", rules)
    (rules / "nci_rome.yaml").write_text("protocol: [unterminated\n")
    rc, *_ = _run(data, tmp_path, "--ruleset-dir", str(rules), "--protocols", "nci_rome")
    assert rc == 2


def test_core_error_located_by_its_table_not_its_text(data, tmp_path, capsys):
    """The risk core names the table a bad value came from (InputError.table); the verb
    adds that table's file and the sample's line without parsing the message.
    """
    from allstrat.errors import InputError
    from allstrat.risk.facts import build_facts

    with pytest.raises(InputError) as info:
        build_facts("R9", classify={"confidence_tier": "sure"}, copynumber=None, clinical=None)
    assert (info.value.table, info.value.sample, info.value.path) == ("classify", "R9", None)
    assert info.value.detail.startswith("classify column confidence_tier")

    bad = tmp_path / "cls.tsv"
    df = pd.read_csv(data / "classify.tsv", sep="\t", dtype=str, keep_default_na=False)
    df.loc[2, "confidence_tier"] = "sure"
    df.to_csv(bad, sep="\t", index=False)
    rc, out, _ = _run(data, tmp_path, classify=bad)
    err = capsys.readouterr().err
    assert rc == 2
    assert f"{bad}, line 4, sample {df.loc[2, 'sample_id']!r}: classify column " in err
    assert not out.exists()
