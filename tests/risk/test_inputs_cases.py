"""Protocol cases through the real files and CLI (issue #13): explicit units, diagnostic
genetics from the lab, and completeness reporting (missing / orphan rows, MRD outside
every protocol window). Expected groups derived by hand from DOMAIN.md §6.
"""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest

from allstrat.cli import main
from allstrat.contracts import CLASSIFY_COLUMNS, COPYNUMBER_COLUMNS
from allstrat.risk.traces import expand_traces

# B-other patient (RNA: no subtype), diploid DNA, MRD negative at TP1 and TP2 unless stated.
CLS = dict.fromkeys(CLASSIFY_COLUMNS, "") | {
    "subtype": "unclassified",
    "confidence_tier": "none",
    "lineage": "B",
    "dux4": "no",
}
CN = dict.fromkeys(COPYNUMBER_COLUMNS, "") | {
    "cn_source": "DNA",
    **{c: "normal" for c in COPYNUMBER_COLUMNS if c.endswith("_status")},
    "ikzf1plus": "negative",
    "dux4_erg": "no",
    "modal_chromosome_number": "46",
    "karyotype_class": "diploid",
    "masked_hypodiploidy_warning": "no",
    "iamp21": "no",
}
CLIN_COLUMNS = (
    "sample_id",
    "age_years",
    "wbc_1e9_per_l",
    "prednisone_response",
    "induction_failure",
    "immunophenotype",
)
CLIN = "\t".join(CLIN_COLUMNS) + "\n"
MRD_HEAD = "sample_id\tday\ttissue\tmethod\tvalue\tunit\tsensitivity\n"
LAB_HEAD = "sample_id\tfinding\tresult\tmethod\tvalue\tdate\n"
LAB_NEG = "{s}\tBCR::ABL1\tnegative\tRT-PCR\t\t2025-03-02\n{s}\tKMT2A-r\tnegative\tFISH\t\t\n"


def _stage(tmp_path, samples, name, row):
    p = tmp_path / f"{name}.tsv"
    pd.DataFrame([row | {"sample_id": s} for s in samples]).to_csv(p, sep="\t", index=False)
    return p


def _run(tmp_path, samples, *, clinical, mrd="", lab="", extra=()):
    files = {"clinical": clinical, "mrd": mrd, "lab": lab}
    paths = {}
    for k, text in files.items():
        if text:
            paths[k] = tmp_path / f"in_{k}.tsv"
            paths[k].write_text(text)
    out, traces = tmp_path / "risk.tsv", tmp_path / "risk.json"
    argv = [
        "risk",
        "--classify", str(_stage(tmp_path, samples, "classify", CLS)),
        "--copynumber", str(_stage(tmp_path, samples, "copynumber", CN)),
        "--clinical", str(paths.get("clinical", "")),
        "--mrd", str(paths.get("mrd", "")),
        "--lab-genetics", str(paths.get("lab", "")),
        "--protocols", "nci_rome,dcog_all11",
        "--out", str(out), "--traces", str(traces), *extra,
    ]  # fmt: skip
    rc = main(argv)
    if rc != 0:
        return rc, None, None
    table = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)
    doc = expand_traces(json.loads(traces.read_text()))  # full per-rule traces, as reports read
    return rc, table.set_index(["sample_id", "protocol"]), doc


def _mrd(sid, tp2_value, unit, sens="1e-5", tp2_day=79):
    tp1 = f"{sid}\t33\tBM\tPCR\tnegative\tfraction\t1e-5\n"
    return tp1 + f"{sid}\t{tp2_day}\tBM\tPCR\t{tp2_value}\t{unit}\t{sens}\n"


def test_mrd_percent_is_not_read_as_fraction(tmp_path):
    """0.05 % at TP2 is 5e-4 (< 1e-3: MR); the same digits as a fraction are 5 % (HR)."""
    clin = CLIN + "A\t5\t10\tgood\tno\tB\nB\t5\t10\tgood\tno\tB\nC\t5\t10\tgood\tno\tB\n"
    mrd = MRD_HEAD + _mrd("A", "0.05", "percent", "0.001") + _mrd("B", "0.05", "fraction")
    mrd += _mrd("C", "-3.30103", "log10", "-5")
    lab = LAB_HEAD + LAB_NEG.format(s="A") + LAB_NEG.format(s="B") + LAB_NEG.format(s="C")
    rc, t, _ = _run(tmp_path, "ABC", clinical=clin, mrd=MRD_HEAD[:0] + mrd, lab=lab)
    assert rc == 0
    assert t.loc[("A", "dcog_all11"), "risk_group"] == "MR"
    assert t.loc[("B", "dcog_all11"), "risk_group"] == "HR"
    assert t.loc[("C", "dcog_all11"), "risk_group"] == "MR"  # log10(5e-4)


def test_mrd_one_percent_as_fraction_is_refused(tmp_path, capsys):
    clin = "sample_id\tage_years\nA\t5\n"
    mrd = MRD_HEAD + "A\t79\tBM\tPCR\t1.5\tfraction\t1e-4\n"
    rc, _, _ = _run(tmp_path, "A", clinical=clin, mrd=mrd)
    assert rc == 2
    err = capsys.readouterr().err
    assert "in_mrd.tsv, line 2, sample 'A'" in err
    assert "set unit to percent" in err


@pytest.mark.parametrize(
    ("header", "value", "nci"),
    [
        ("age_months", "8", "not_applicable"),  # an infant: not NCI standard risk
        ("age_months", "18", "SR"),  # 1.5 years
        ("age_years", "8", "SR"),  # the header says years: 8 years
        ("age_years", "0.67", "not_applicable"),
    ],
)
def test_age_unit_comes_from_the_header(tmp_path, header, value, nci):
    # 1,500/µL = 1.5 x10^9/L
    clin = f"sample_id\t{header}\twbc_per_ul\timmunophenotype\nA\t{value}\t1500\tB\n"
    rc, t, _ = _run(tmp_path, "A", clinical=clin)
    assert rc == 0
    assert t.loc[("A", "nci_rome"), "risk_group"] == nci


def test_wbc_1500_per_ul_typed_into_1e9_column_is_refused(tmp_path, capsys):
    rc, _, _ = _run(tmp_path, "A", clinical="sample_id\tage_years\twbc_1e9_per_l\nA\t4\t1500\n")
    assert rc == 2
    err = capsys.readouterr().err
    assert "in_clinical.tsv, line 2, sample 'A'" in err
    assert "wbc_per_ul" in err


def test_implausible_values_warned_in_log_and_report(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    clin = "sample_id\tage_years\twbc_1e9_per_l\nA\t20\t650\n"
    rc, t, traces = _run(tmp_path, "A", clinical=clin)
    assert rc == 0
    assert t.loc[("A", "dcog_all11"), "risk_group"] == "not_applicable"  # 20 years
    warn = traces["samples"]["A"]["completeness"]["warnings"]
    assert any("age_years = 20" in w for w in warn)
    assert any("wbc_1e9_per_l = 650" in w for w in warn)
    assert "extreme hyperleukocytosis" in caplog.text


def test_b_other_with_lab_negative_fusions_is_definite(tmp_path):
    clin = CLIN + "A\t5\t10\tgood\tno\tB\nB\t5\t10\tgood\tno\tB\n"
    mrd = MRD_HEAD + _mrd("A", "negative", "fraction") + _mrd("B", "negative", "fraction")
    rc, t, traces = _run(
        tmp_path, "AB", clinical=clin, mrd=mrd, lab=LAB_HEAD + LAB_NEG.format(s="A")
    )
    assert rc == 0
    assert t.loc[("A", "dcog_all11"), "risk_group"] == "SR"
    b = t.loc[("B", "dcog_all11")]
    assert b.risk_group == "indeterminate"
    assert b.minimum_group == "SR"
    assert set(b.missing_inputs.split(";")) >= {"bcr_abl1", "kmt2a"}
    facts = traces["samples"]["A"]["protocols"]["dcog_all11"]["facts"]
    assert facts["bcr_abl1"]["source"] == "lab:RT-PCR"
    assert facts["kmt2a"]["source"] == "lab:FISH"
    assert all(f["source"] for f in facts.values())  # every fact names its source
    lab = traces["samples"]["A"]["lab_genetics"]
    assert [(g["finding"], g["facts"]) for g in lab] == [
        ("BCR::ABL1", ["bcr_abl1"]),
        ("KMT2A-r", ["kmt2a"]),
    ]
    assert traces["samples"]["B"]["completeness"]["missing"] == [
        "sample not in the diagnostic-genetics table"
    ]


def test_completeness_missing_orphans_and_mrd_outside_windows(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text("sample_id\nA\nB\n")
    clin = "sample_id\tage_years\nA\t5\nZ1\t4\n"  # B missing; Z1 unknown
    mrd = (
        MRD_HEAD
        + _mrd("A", "negative", "fraction", tp2_day=90)
        + "Z2\t33\tBM\tPCR\t0.01\tfraction\t1e-4\n"
    )
    lab = LAB_HEAD + LAB_NEG.format(s="Z3")
    rc, t, traces = _run(
        tmp_path, "AB", clinical=clin, mrd=mrd, lab=lab, extra=("--sample-sheet", str(sheet))
    )
    assert rc == 0
    assert traces["orphan_rows"] == {
        "clinical": ["Z1"],
        "MRD": ["Z2"],
        "diagnostic-genetics": ["Z3"],
    }
    msg = (
        "not used by dcog_all11: MRD PCR BM day 90, outside time point pcr_tp2 (PCR BM days 72–86)"
    )
    assert traces["samples"]["A"]["protocols"]["dcog_all11"]["mrd_not_used"] == [msg]
    assert traces["samples"]["A"]["completeness"]["mrd_not_used"] == [
        "not used by any protocol: MRD PCR BM day 90 (nearest window: dcog_all11 pcr_tp2: "
        "PCR BM days 72–86)"
    ]
    # day 90 is not TP2: TP2 unknown, so the patient is not called SR
    assert t.loc[("A", "dcog_all11"), "risk_group"] == "indeterminate"
    assert "sample not in the clinical table" in traces["samples"]["B"]["completeness"]["missing"]
    log = caplog.text
    assert "clinical table: 1 row(s) for sample(s) not in this run, not used: Z1" in log
    assert "A: not used by any protocol: MRD PCR BM day 90" in log
    assert "B: sample not in the clinical table" in log


def test_whole_cohort_tables_checked_beyond_the_chunk():
    """Only the chunk's rows become dicts, but every row counts for the checks."""
    import pandas as pd

    from allstrat.errors import InputError
    from allstrat.risk import assign_risk, load_rulesets

    rs = load_rulesets(["dcog_all11"])
    cls = pd.DataFrame({c: [""] for c in CLASSIFY_COLUMNS}).assign(sample_id="A")
    clin = pd.DataFrame({"sample_id": ["A", "Z", "Z"], "age_years": [5.0, 4.0, 4.0]})
    with pytest.raises(InputError, match="more than one row") as exc:
        assign_risk(rs, classify=cls, copynumber=None, clinical=clin, mrd=None)
    assert exc.value.sample == "Z"
    results, traces = assign_risk(
        rs, classify=cls, copynumber=None, clinical=clin.iloc[:2], mrd=None
    )
    assert traces["orphan_rows"] == {"clinical": ["Z"]}
    assert [r.sample_id for r in results] == ["A"]
