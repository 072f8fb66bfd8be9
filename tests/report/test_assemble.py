"""Record assembly from stage tables: schema validity, explicit not-assessable, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from allstrat import contracts
from allstrat.errors import InputError
from allstrat.io.stage_tables import (
    read_classify_table,
    read_copynumber_table,
    read_risk_table,
    read_sidecar,
)
from allstrat.report.assemble import assemble_records, calls_table, validate_record

DATA = Path(__file__).resolve().parents[1] / "data" / "report"
IDS = ["RPT_01", "RPT_02", "RPT_03", "RPT_04"]
PROV = {
    "provenance_schema_version": "1",
    "stage": "test",
    "allstrat_version": "0",
    "dependencies": {},
    "models": [],
    "rulesets": {},
    "inputs": [],
    "config_sha256": "",
}


@pytest.fixture(scope="module")
def tables():
    return {
        "classify": read_classify_table(DATA / "classify.tsv"),
        "explain": read_sidecar(DATA / "classify.explain.json", what="explain"),
        "copynumber": read_copynumber_table(DATA / "copynumber.tsv"),
        "cn_evidence": read_sidecar(DATA / "copynumber.evidence.json", what="evidence"),
        "risk": read_risk_table(DATA / "risk.tsv"),
        "traces": read_sidecar(DATA / "risk.traces.json", what="traces"),
    }


def test_records_are_schema_valid_and_complete(tables):
    recs = assemble_records(IDS, provenance=PROV, **tables)
    assert list(recs) == IDS
    r1 = recs["RPT_01"]
    assert r1["subtype"]["call"] == "Ph-like"
    assert r1["subtype"]["probabilities"]["Ph-like"] == pytest.approx(0.91)
    assert r1["copy_number"]["lesions"]["CDKN2A"] == "homozygous_deleted"
    assert r1["copy_number"]["ikzf1plus"] == "positive"
    assert r1["copy_number"]["modal_chromosome_number"] == 46
    assert [x["protocol"] for x in r1["risk"]] == ["aieop_bfm_2017", "dcog_all11", "nci_rome"]
    assert r1["risk"][0]["trace"]["rules"][1]["id"] == "bfm17.ikzf1plus"
    assert r1["pharmacogenetics"]["TPMT"] == "NM"
    assert r1["subtype"]["evidence"]["top_features"][0]["gene"] == "CRLF2"
    r3 = recs["RPT_03"]
    assert r3["copy_number"]["favourable_trisomies"] == ["+4", "+10", "+17"]
    assert "copynumber:rna_derived" in r3["qc"]["flags"]
    r4 = recs["RPT_04"]
    assert r4["copy_number"]["modal_chromosome_number"] is None
    assert {x["risk_group"] for x in r4["risk"]} == {"indeterminate"}
    assert r4["risk"][2]["missing_inputs"] == ["age_years", "wbc"]
    assert r4["risk"][2]["possible_groups"] == ["SR", "HR"]
    json.dumps(recs, allow_nan=False)  # JSON-serialisable as written


def test_without_copynumber_and_risk_everything_is_explicit(tables):
    recs = assemble_records(IDS, classify=tables["classify"], provenance=PROV)
    cn = recs["RPT_01"]["copy_number"]
    assert cn["cn_source"] == "none"
    assert set(cn["lesions"].values()) == {"not_assessable"}
    assert cn["ikzf1plus"] == "not_assessable"
    assert recs["RPT_01"]["risk"] == []
    assert "risk:not_run" in recs["RPT_01"]["qc"]["flags"]
    calls = calls_table(recs.values())
    assert set(calls["ikzf1plus"]) == {"not_assessable"}
    assert not [c for c in calls.columns if c.startswith(contracts.RISK_PREFIX)]


def test_calls_table_columns_and_values(tables):
    recs = assemble_records(IDS, provenance=PROV, **tables)
    calls = calls_table(recs.values())
    assert list(calls.columns[: len(contracts.CALLS_COLUMNS)]) == list(contracts.CALLS_COLUMNS)
    assert [c for c in calls.columns if c.startswith("risk:")] == [
        "risk:aieop_bfm_2017",
        "risk:dcog_all11",
        "risk:nci_rome",
    ]
    row = calls.set_index("sample_id").loc["RPT_01"]
    assert row["ph_like_kinase_class"] == "CRLF2-r"
    assert row["dux4_erg"] == "no"
    assert calls.set_index("sample_id").loc["RPT_02", "dux4_erg"] == "DUX4-r/ERG-deleted"
    assert calls.set_index("sample_id").loc["RPT_04", "risk:nci_rome"] == "indeterminate"


def test_driver_status_and_classifier_only_for_t_lineage(tables):
    """A B-lineage sample keeps the gene status; the T-ALL classifier is not_applicable."""
    cn = tables["copynumber"].copy()
    cn.loc["RPT_01", "driver_mutations"] = (
        "NOTCH1=mutated(p.Leu1594Pro,VAF=0.4);FBXW7=not_found;KRAS=not_found;"
        "NRAS=not_found;PTEN=not_found"
    )
    cn.loc["RPT_01", "oncogenetic_class"] = "low"
    ev = {**tables["cn_evidence"]}
    ev["RPT_01"] = {**ev["RPT_01"], "driver_mutations": {"genes": {}, "oncogenetic_classifier":
                                                         {"class": "low"}}}  # fmt: skip
    recs = assemble_records(IDS, provenance=PROV, **{**tables, "copynumber": cn, "cn_evidence": ev})
    d = recs["RPT_01"]["driver_mutations"]
    assert recs["RPT_01"]["subtype"]["lineage"] == "B"
    assert d["status"]["NOTCH1"] == "mutated"
    assert d["oncogenetic_class"] == "not_applicable"
    assert d["evidence"]["oncogenetic_classifier"]["class"] == "not_applicable"
    assert "driver_mutations" not in recs["RPT_01"]["copy_number"]["evidence"]
    row = calls_table(recs.values()).set_index("sample_id").loc["RPT_01"]
    assert row["driver_mutations"].startswith("NOTCH1=mutated(p.Leu1594Pro")
    assert row["tall_oncogenetic_class"] == "not_applicable"
    none = assemble_records(IDS, classify=tables["classify"], provenance=PROV)["RPT_02"]
    assert set(none["driver_mutations"]["status"].values()) == {"not_assessable"}


def test_missing_protocol_for_one_sample_is_indeterminate_not_empty(tables):
    risk = tables["risk"]
    risk = risk[~((risk["sample_id"] == "RPT_02") & (risk["protocol"] == "nci_rome"))]
    recs = assemble_records(IDS, provenance=PROV, **{**tables, "risk": risk})
    calls = calls_table(recs.values()).set_index("sample_id")
    assert calls.loc["RPT_02", "risk:nci_rome"] == "indeterminate"


@settings(max_examples=20, deadline=None)
@given(st.permutations(IDS))
def test_permuting_samples_permutes_outputs(perm):
    t = {
        "classify": read_classify_table(DATA / "classify.tsv"),
        "copynumber": read_copynumber_table(DATA / "copynumber.tsv"),
        "risk": read_risk_table(DATA / "risk.tsv"),
    }
    base = assemble_records(IDS, provenance=PROV, **t)
    perm_recs = assemble_records(list(perm), provenance=PROV, **t)
    assert list(perm_recs) == list(perm)
    for sid in IDS:
        assert perm_recs[sid] == base[sid]
    a = calls_table(base.values()).set_index("sample_id").loc[list(perm)]
    b = calls_table(perm_recs.values()).set_index("sample_id")
    pd.testing.assert_frame_equal(a, b)


def test_sample_missing_from_a_stage_is_named(tables):
    cn = tables["copynumber"].drop(index="RPT_03")
    with pytest.raises(InputError, match=r"RPT_03.*copy-number"):
        assemble_records(IDS, provenance=PROV, **{**tables, "copynumber": cn})


def test_schema_labels_follow_contracts(root):
    schema = yaml.safe_load((root / "workflow/schemas/sample_result.schema.yaml").read_text())
    enum = set(schema["properties"]["subtype"]["properties"]["call"]["enum"])
    labels = {*contracts.B_SUBTYPES, contracts.T_ALL, contracts.UNCLASSIFIED, contracts.MULTIPLE}
    labels |= {*contracts.GROUP_LABELS, *contracts.LIKE_LABELS}
    assert labels == enum
    lesions = schema["properties"]["copy_number"]["properties"]["lesions"]["properties"]
    assert set(lesions) == set(contracts.LESION_GENES)
    assert schema["$defs"]["lesion_state"]["enum"] == list(contracts.LESION_STATES)
    tiers = schema["properties"]["subtype"]["properties"]["confidence_tier"]["enum"]
    assert tiers == list(contracts.CONFIDENCE_TIERS)


def test_invalid_record_names_sample_and_field(tables):
    rec = assemble_records(["RPT_01"], provenance=PROV, **tables)["RPT_01"]
    rec["copy_number"]["lesions"]["IKZF1"] = "maybe"
    with pytest.raises(InputError, match=r"RPT_01.*copy_number/lesions/IKZF1"):
        validate_record(rec)


def test_unknown_label_breaks_the_schema(tables):
    cls = tables["classify"].copy()
    cls.loc["RPT_01", "subtype"] = "Ph-liek"
    with pytest.raises(InputError, match="subtype/call"):
        assemble_records(["RPT_01"], provenance=PROV, **{**tables, "classify": cls})


def _copy_with(tmp_path: Path, name: str, old: str, new: str) -> Path:
    p = tmp_path / name
    shutil.copy(DATA / name, p)
    p.write_text(p.read_text().replace(old, new, 1))
    return p


def test_probability_out_of_range_names_line(tmp_path):
    p = _copy_with(tmp_path, "classify.tsv", "\t0.91\tB", "\t0.91\tB")
    text = p.read_text().splitlines()
    cells = text[1].split("\t")
    cells[-1] = "1.7"
    text[1] = "\t".join(cells)
    p.write_text("\n".join(text) + "\n")
    with pytest.raises(InputError, match=r"classify\.tsv(:|, line )2.*prob:KMT2A.*\[0, 1\]"):
        read_classify_table(p)


def test_missing_contract_column_is_named(tmp_path):
    p = _copy_with(tmp_path, "copynumber.tsv", "ikzf1plus", "ikzf1_plus")
    with pytest.raises(InputError, match=r"copynumber\.tsv(:|, line )1.*ikzf1plus"):
        read_copynumber_table(p)


def test_duplicate_risk_row_is_named(tmp_path):
    p = tmp_path / "risk.tsv"
    lines = (DATA / "risk.tsv").read_text().splitlines()
    p.write_text("\n".join([*lines, lines[1]]) + "\n")
    with pytest.raises(InputError, match=r"risk\.tsv(:|, line )\d+.*RPT_01.*duplicate"):
        read_risk_table(p)


def test_non_integer_modal_number_is_input_error(tmp_path, tables):
    cn = tables["copynumber"].copy()
    cn.loc["RPT_01", "modal_chromosome_number"] = "46.5"
    with pytest.raises(InputError, match="modal_chromosome_number"):
        assemble_records(["RPT_01"], provenance=PROV, **{**tables, "copynumber": cn})


@pytest.mark.parametrize(
    "obj",
    [
        {"samples": {"A": {"x": 1}}},
        {"samples": [{"sample_id": "A", "x": 1}]},
        [{"sample_id": "A", "x": 1}],
        {"A": {"x": 1}},
    ],
)
def test_sidecar_layouts(tmp_path, obj):
    p = tmp_path / "s.json"
    p.write_text(json.dumps(obj))
    assert read_sidecar(p, what="x")["A"]["x"] == 1


def test_sidecar_not_json(tmp_path):
    p = tmp_path / "s.json"
    p.write_text("{nope")
    with pytest.raises(InputError, match=r"s\.json.*not valid JSON"):
        read_sidecar(p, what="risk traces")


def test_segments_are_read_from_every_layout():
    from allstrat.report.figures import _segments

    ev = json.loads((DATA / "copynumber.evidence.json").read_text())["samples"]
    s1 = _segments(ev["RPT_01"])
    # 23 chromosomes x 2 arms (all have centromeres in the resource) + 4 lesion segments
    assert len([s for s in s1 if s[4] == "homozygous_deleted"]) == 1
    arms9 = [s for s in s1 if s[0] == "9" and s[1] > 40_000_000 and s[4] == "deleted"]
    assert arms9  # 9q arm at one copy, drawn as log2(1/2)
    assert arms9[0][3] == pytest.approx(-1.0)
    s2 = _segments(ev["RPT_02"])
    assert any(s[0] == "21" and s[4] == "deleted" for s in s2)
    assert _segments(ev["RPT_04"]) == []


def test_marker_genes_from_both_layouts():
    from allstrat.report.evidence import marker_genes

    ex = json.loads((DATA / "classify.explain.json").read_text())["samples"]
    g1 = marker_genes(ex["RPT_01"])
    assert [g["gene"] for g in g1] == ["CRLF2", "MUC4"]  # the signature feature is not a gene
    _, q1, med, q3, _ = g1[0]["reference"]["model reference"]
    assert (med, q1, q3) == pytest.approx((4.6, 3.1, 6.1))  # mean +- 1 sd
    assert g1[0]["value"] == pytest.approx(11.4)
    assert g1[0]["unit"] == "log2 CPM"
    assert g1[0]["extra"]["z"] == pytest.approx(4.53)
    g2 = marker_genes(ex["RPT_02"])
    assert set(g2[0]["reference"]) == {"DUX4", "other B-ALL"}
    assert g2[0]["reference"]["DUX4"] == pytest.approx((6.0, 7.2, 8.0, 8.8, 9.9))
