"""The risk stage's per-sample memo (issue #14): outputs byte-identical with and without it,
and a rerun recomputes exactly the samples whose inputs (or the rule sets) changed.

The chunk is every hand-built case of tests/risk/cases.yaml as one sample each (all
protocols, default settings): definite and indeterminate groups, case analysis, lab
discordances, MRD outside every window, missing rows, pharmacogenetics.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import allstrat.risk.assign as assign_mod
from allstrat.cli import main
from allstrat.io.output import json_text, write_tsv
from allstrat.memo import SampleMemo
from allstrat.risk import assign_risk, load_rulesets, results_table

from ._cases import case_tables, load_cases

BASELINE, CASES = load_cases()
N = len(CASES)


def _sid(i: int) -> str:
    return f"S{i:03d}"


@pytest.fixture(scope="module")
def rulesets():
    return load_rulesets(None)


def _chunk() -> dict[str, Any]:
    """Every case as one sample of one chunk (a table a case leaves out: no row there)."""
    per = [case_tables(c, BASELINE, sample=_sid(i)) for i, c in enumerate(CASES)]
    out: dict[str, Any] = {}
    for name in ("classify", "copynumber", "clinical", "mrd", "lab"):
        frames = [t[name] for t in per if t[name] is not None]
        out[name] = pd.concat(frames, ignore_index=True)
    mrd = out["mrd"]  # an MRD row outside every protocol's windows
    late = mrd[mrd.sample_id == _sid(1)].iloc[:1].assign(day=200)
    out["mrd"] = pd.concat([mrd, late], ignore_index=True)
    # a reader's per-sample warning (it feeds the sample's completeness record)
    out["clinical"].attrs["warnings"] = {_sid(3): ["wbc_1e9_per_l rounded"]}
    return out


def _run(rulesets, tables, tmp_path: Path, memo=None, **options) -> tuple[bytes, bytes]:
    """Stage table and traces as the CLI writes them (bytes)."""
    results, traces = assign_risk(rulesets, **tables, memo=memo, **options)
    write_tsv(tmp_path / "risk.tsv", results_table(results))
    return (tmp_path / "risk.tsv").read_bytes(), json_text(traces).encode()


def _risk_log(caplog) -> list[tuple[str, int, str]]:
    """The risk core's log records (the elapsed time of the run left out)."""
    return [
        (r.name, r.levelno, re.sub(r" in [0-9.]+ s$", "", r.getMessage()))
        for r in caplog.records
        if r.name.startswith("allstrat.risk")
    ]


def _memo(path: Path) -> SampleMemo:
    return SampleMemo(path, stage="risk")


def test_chunk_is_varied(rulesets, tmp_path):
    """The chunk exercises what a memo entry must reproduce (else the test proves little)."""
    results, traces = assign_risk(rulesets, **_chunk())
    groups = {r.risk_group for r in results}
    assert "indeterminate" in groups
    assert len(groups) >= 5
    samples = traces["samples"].values()
    assert any(s["discordances"] for s in samples)
    assert any(s["completeness"]["mrd_not_used"] for s in samples)
    assert any(s["completeness"]["missing"] for s in samples)
    assert any(s["completeness"]["warnings"] for s in samples)
    assert any(p["case_analysis"] for s in samples for p in s["protocols"].values()), (
        "no case analysis in the chunk"
    )
    assert any(r.annotations for r in results)


def test_no_memo_empty_memo_and_full_memo_give_the_same_bytes_and_log(
    rulesets, tmp_path, caplog, monkeypatch
):
    tables = _chunk()
    caplog.set_level(logging.INFO, logger="allstrat.risk")
    plain = _run(rulesets, tables, tmp_path)
    log_plain = _risk_log(caplog)
    assert any("discordance" in m for _, _, m in log_plain)

    caplog.clear()
    memo = _memo(tmp_path / "memo.json")
    assert _run(rulesets, tables, tmp_path, memo) == plain  # empty memo: all computed
    assert (memo.hits, memo.misses) == (0, N)
    assert _risk_log(caplog) == log_plain
    memo.save()

    # rerun from the file: every sample reused, no protocol evaluated, same bytes and log
    def no_evaluation(*args, **kwargs):
        raise AssertionError("a protocol was evaluated although the memo had every sample")

    monkeypatch.setattr(assign_mod, "evaluate_compact", no_evaluation)
    caplog.clear()
    memo = _memo(tmp_path / "memo.json")
    assert _run(rulesets, tables, tmp_path, memo) == plain
    assert (memo.hits, memo.misses) == (N, 0)
    assert _risk_log(caplog) == log_plain


def _rerun_after(rulesets, tmp_path, change, **options) -> SampleMemo:
    """Fill a memo on the chunk, ``change`` the tables, rerun with the memo: assert the
    outputs equal a memo-less run on the changed tables; return the rerun's memo.
    """
    tables = _chunk()
    memo = _memo(tmp_path / "memo.json")
    _run(rulesets, tables, tmp_path, memo)
    memo.save()
    change(tables)
    expected = _run(rulesets, tables, tmp_path, **options)
    memo = _memo(tmp_path / "memo.json")
    assert _run(rulesets, tables, tmp_path, memo, **options) == expected
    return memo


def test_changed_clinical_row_recomputes_that_sample_only(rulesets, tmp_path):
    def change(tables):
        clin = tables["clinical"]
        clin.loc[clin.sample_id == _sid(5), "wbc_1e9_per_l"] = 123.0

    memo = _rerun_after(rulesets, tmp_path, change)
    assert (memo.hits, memo.misses) == (N - 1, 1)


def test_changed_mrd_rows_recompute_that_sample_only(rulesets, tmp_path):
    def change(tables):
        mrd = tables["mrd"]
        rows = mrd.index[mrd.sample_id == _sid(7)]
        tables["mrd"] = mrd.drop(rows[:1])  # one row less

    memo = _rerun_after(rulesets, tmp_path, change)
    assert (memo.hits, memo.misses) == (N - 1, 1)


def test_deleted_sample_and_reader_warning(rulesets, tmp_path):
    def change(tables):
        for name in ("classify", "copynumber", "clinical", "mrd"):
            t = tables[name]
            tables[name] = t[t.sample_id != _sid(2)]
        tables["clinical"].attrs["warnings"] = {_sid(4): ["age_years rounded"]}

    memo = _rerun_after(rulesets, tmp_path, change)
    assert (memo.hits, memo.misses) == (N - 3, 2)  # S003 and S004 lost / gained a warning


def test_lab_row_and_table_given_or_not(rulesets, tmp_path):
    def drop_lab_row(tables):
        lab = tables["lab"]
        tables["lab"] = lab.drop(lab.index[:1])

    memo = _rerun_after(rulesets, tmp_path, drop_lab_row)
    assert (memo.hits, memo.misses) == (N - 1, 1)

    def no_lab_table(tables):  # most samples have no lab rows: only their completeness changes
        tables["lab"] = None

    memo = _rerun_after(rulesets, tmp_path, no_lab_table)
    assert (memo.hits, memo.misses) == (0, N)


def test_settings_and_policies_recompute_everything(rulesets, tmp_path):
    tables = _chunk()
    memo = _memo(tmp_path / "memo.json")
    _run(rulesets, tables, tmp_path, memo)
    memo.save()
    changed = load_rulesets(None, overrides={"dcog_all11": {"mrd_default_sensitivity": 1e-3}})
    expected = _run(changed, tables, tmp_path)
    assert expected != _run(rulesets, tables, tmp_path)
    memo = _memo(tmp_path / "memo.json")
    assert _run(changed, tables, tmp_path, memo) == expected
    assert (memo.hits, memo.misses) == (0, N)
    for option in (
        {"lab_discordance": "lab_decides"},
        {"unassessed_masking": "assume_absent"},
        {"accepted_tiers": ("high",)},
    ):
        expected = _run(rulesets, tables, tmp_path, **option)
        memo = _memo(tmp_path / "memo.json")
        assert _run(rulesets, tables, tmp_path, memo, **option) == expected, option
        assert (memo.hits, memo.misses) == (0, N), option


def test_cli_memo(root, tmp_path, caplog):
    data = root / "tests" / "data" / "risk"
    clinical = tmp_path / "clinical.tsv"
    clinical.write_bytes((data / "clinical.tsv").read_bytes())

    def run(name: str, memo: str) -> tuple[bytes, bytes]:
        out, traces = tmp_path / f"{name}.tsv", tmp_path / f"{name}.json"
        argv = ["risk", "--classify", str(data / "classify.tsv")]
        argv += ["--copynumber", str(data / "copynumber.tsv"), f"--clinical={clinical}"]
        argv += [f"--mrd={data / 'mrd.tsv'}", "--out", str(out), "--traces", str(traces)]
        assert main([*argv, "--memo", memo]) == 0
        doc = traces.read_text().split('"provenance"')[0]  # provenance has times
        return out.read_bytes(), doc.encode()

    memo = str(tmp_path / "memo" / "risk.json")
    caplog.set_level(logging.INFO, logger="allstrat.memo")
    plain = run("plain", "")
    assert run("first", memo) == plain
    assert run("again", memo) == plain
    assert "risk memo: 4 sample(s) reused, 0 computed" in caplog.text
    text = clinical.read_text().splitlines()
    i = next(i for i, line in enumerate(text) if line.startswith("R02\t"))
    cols = text[0].split("\t")
    fields = text[i].split("\t")
    fields[cols.index("wbc_1e9_per_l")] = "77"
    text[i] = "\t".join(fields)
    clinical.write_text("\n".join(text) + "\n")
    assert run("changed", memo) == run("changed_plain", "")
    assert "risk memo: 3 sample(s) reused, 1 computed" in caplog.text
