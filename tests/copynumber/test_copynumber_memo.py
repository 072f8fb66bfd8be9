"""``allstrat copynumber --memo``: a rerun recomputes only the samples whose inputs changed.

On a simulated chunk (SEG, CNVkit and MLPA copy number, VCF/BCF variant calls, blast
fractions) the TSV and evidence JSON are byte-identical without a memo, with an empty
memo, with a full one (nothing computed) and, after one sample's SEG rows, VCF or blast
fraction changed, to a run without a memo on the changed inputs, with only that sample
computed. Which samples are computed is recorded by wrapping ``chunk._call_sample``.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from allstrat.cli import main
from allstrat.copynumber import CopyNumberSettings, chunk
from allstrat.memo import SampleMemo
from allstrat.simulate import simulate_cohort
from allstrat.simulate.writers import write_cohort


@pytest.fixture(scope="module")
def cohort_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cn_memo") / "cohort"
    write_cohort(simulate_cohort(12, seed=5, variants="demo"), out)
    return out


@pytest.fixture
def work(cohort_dir, tmp_path, monkeypatch):
    """A fresh copy of the cohort (inputs are edited), cwd there, computed samples recorded."""
    wd = tmp_path / "w"
    shutil.copytree(cohort_dir, wd)
    sheet = pd.read_csv(wd / "samples.tsv", sep="\t", dtype=str, keep_default_na=False)
    for col in ("copy_number", "variants"):  # paths relative to the copy
        sheet[col] = [str(Path(p).relative_to(cohort_dir)) if p else "" for p in sheet[col]]
    # two samples keep their variant calls (a plain VCF and a bgzipped one): allele
    # evidence costs ~1 s CPU per sample
    gz = sheet["variants"].str.endswith(".vcf.gz")
    keep = sheet["variants"].str.endswith(".vcf") | (gz & (gz.cumsum() == 1))
    sheet.loc[~keep, ["variants", "variants_format"]] = ""
    sheet.to_csv(wd / "samples.tsv", sep="\t", index=False)
    monkeypatch.chdir(wd)
    computed: list[str] = []
    real = chunk._call_sample

    def recording(inputs, stage):
        computed.append(inputs.sid)
        return real(inputs, stage)

    monkeypatch.setattr(chunk, "_call_sample", recording)
    return computed


def _run(name: str, *extra: str) -> tuple[bytes, bytes]:
    out, ev = f"out/{name}.tsv", f"out/{name}.evidence.json"
    args = ["copynumber", "--sheet", "samples.tsv", "--out", out, "--evidence", ev, *extra]
    assert main(args) == 0
    return Path(out).read_bytes(), Path(ev).read_bytes()


def _sheet() -> pd.DataFrame:
    return pd.read_csv("samples.tsv", sep="\t", dtype=str, keep_default_na=False)


def test_memo_empty_full_and_one_changed_sample(work, caplog):
    sheet = _sheet()
    assert {"seg", "cnvkit", "mlpa"} <= set(sheet["copy_number_format"])
    assert sheet["variants"].str.len().gt(0).sum() == 2
    ids = list(sheet["sample_id"])

    plain = _run("plain")
    assert sorted(work) == sorted(ids)
    work.clear()
    assert _run("empty", "--memo", "memo.json") == plain
    assert sorted(work) == sorted(ids)
    work.clear()
    with caplog.at_level(logging.INFO, logger="allstrat.memo"):
        assert _run("full", "--memo", "memo.json") == plain
    assert work == []  # every sample reused, nothing computed
    assert f"copynumber memo: {len(ids)} sample(s) reused, 0 computed" in caplog.text

    # one sample's rows of the shared SEG file: only that sample is recomputed
    seg_ids = sheet.loc[sheet["copy_number_format"] == "seg", "sample_id"]
    sid = seg_ids.iloc[1]
    seg_path = sheet.loc[sheet["sample_id"] == sid, "copy_number"].iloc[0]
    seg = pd.read_csv(seg_path, sep="\t", dtype=str, keep_default_na=False)
    mine = np.flatnonzero(seg.iloc[:, 0].to_numpy() == sid)
    col = seg.columns[-1]  # the log2 ratio (seg.mean) column
    seg.loc[mine[0], col] = f"{float(seg.loc[mine[0], col]) - 1.5:.4f}"
    seg.to_csv(seg_path, sep="\t", index=False)
    _expect_only(work, sid, "seg")

    # one sample's VCF (a plain-text one: its last record removed)
    vcf_row = sheet[sheet["variants"].str.endswith(".vcf")].iloc[0]
    lines = Path(vcf_row["variants"]).read_text().splitlines(keepends=True)
    Path(vcf_row["variants"]).write_text("".join(lines[:-1]))
    _expect_only(work, vcf_row["sample_id"], "vcf")

    # one sample's blast fraction in the sheet
    sheet = _sheet()
    other = ids[-1]
    sheet.loc[sheet["sample_id"] == other, "blast_fraction"] = "0.31"
    sheet.to_csv("samples.tsv", sep="\t", index=False)
    _expect_only(work, other, "blast")

    # a setting: the memo's context changes, every sample is recomputed
    section = json.dumps({"thresholds": {"gain_cn_min": 2.7}})
    base = _run("settings_plain", "--config-section", section)
    work.clear()
    assert _run("settings_memo", "--config-section", section, "--memo", "memo.json") == base
    assert sorted(work) == sorted(ids)


def _expect_only(computed: list[str], sid: str, what: str) -> None:
    """Run without and with the memo: equal outputs, only ``sid`` computed with the memo."""
    plain = _run(f"{what}_plain")
    computed.clear()
    assert _run(f"{what}_memo", "--memo", "memo.json") == plain
    assert computed == [sid], what


def test_rna_path_keys_on_the_samples_counts_row(monkeypatch, genes, tmp_path):
    """Samples without DNA copy number: a changed counts row redoes that sample only."""
    from allstrat.copynumber.rna_dosage import load_reference

    ref = load_reference()
    if ref is None:
        pytest.skip("RNA dosage reference not installed")
    rng = np.random.default_rng(4)
    mu = 2.0 ** ref.genes["median"].to_numpy()
    ids = ["R1", "R2", "R3"]
    counts = pd.DataFrame(
        rng.poisson(mu, size=(3, len(mu))).astype(float),
        index=ids,
        columns=ref.genes["symbol"].to_numpy(),
    )
    rows = pd.DataFrame({"copy_number": [""] * 3}, index=pd.Index(ids, name="sample_id"))
    settings = CopyNumberSettings()
    computed: list[str] = []
    real = chunk._call_sample

    def recording(inputs, stage):
        computed.append(inputs.sid)
        return real(inputs, stage)

    monkeypatch.setattr(chunk, "_call_sample", recording)

    def run(c: pd.DataFrame, memo_path: Path | None):
        rna = (c, "expr.h5ad")
        kw = {"settings": settings, "exons": None, "regions": {}, "rna": rna}
        kw["default_build"] = "GRCh38"
        memo = SampleMemo(memo_path, stage="copynumber", context=chunk.memo_context("g", **kw))
        args = {"data": {}, "variants": {}, "dux4": None, "blast": dict.fromkeys(ids, 0.9)}
        table, evidence = chunk.call_chunk(rows, genes=genes.table, memo=memo, **args, **kw)
        memo.save()
        return table.to_csv(sep="\t", index=False), json.dumps(evidence, sort_keys=True)

    memo_path = tmp_path / "memo.json"
    first = run(counts, memo_path)
    assert set(json.loads(first[1])) == set(ids)
    assert "RNA" in first[0]
    computed.clear()
    assert run(counts, memo_path) == first
    assert computed == []
    changed = counts.copy()
    changed.loc["R2"] = changed.loc["R2"] * 3.0
    plain = run(changed, None)
    computed.clear()
    assert run(changed, memo_path) == plain
    assert computed == ["R2"]
