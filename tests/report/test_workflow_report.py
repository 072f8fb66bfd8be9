"""The report rules (with the reconcile step before them) run in Snakemake on pre-made stage
outputs of two chunks.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "report"
CHUNKS = {"0000": ["RPT_01", "RPT_02"], "0001": ["RPT_03", "RPT_04"]}


def _split_tsv(src: Path, dest: Path, ids: list[str]) -> None:
    df = pd.read_csv(src, sep="\t", dtype=str, keep_default_na=False)
    dest.parent.mkdir(parents=True, exist_ok=True)
    df[df["sample_id"].isin(ids)].to_csv(dest, sep="\t", index=False)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory, chunk_dir: Path) -> Path:
    d = tmp_path_factory.mktemp("wf")
    (d / "config").mkdir()
    shutil.copy(chunk_dir / "config" / "samples.tsv", d / "config" / "samples.tsv")
    (d / "config" / "config.yaml").write_text(
        "samples: config/samples.tsv\nbatching:\n  samples_per_job: 2\nreport:\n  umap: false\n"
    )
    for chunk, ids in CHUNKS.items():
        r = d / "results"
        _split_tsv(DATA / "classify.tsv", r / f"classify/chunk_{chunk}.tsv", ids)
        _split_tsv(DATA / "copynumber.tsv", r / f"copynumber/chunk_{chunk}.tsv", ids)
        _split_tsv(DATA / "risk.tsv", r / f"risk/chunk_{chunk}.tsv", ids)
        shutil.copy(DATA / "classify.explain.json", r / f"classify/chunk_{chunk}.explain.json")
        shutil.copy(
            DATA / "copynumber.evidence.json", r / f"copynumber/chunk_{chunk}.evidence.json"
        )
        shutil.copy(DATA / "risk.traces.json", r / f"risk/chunk_{chunk}.traces.json")
        for stage in ("expression", "classify"):
            import anndata as ad

            full = ad.read_h5ad(chunk_dir / f"results/{stage}/chunk_0000.h5ad")
            (r / stage).mkdir(parents=True, exist_ok=True)
            full[ids].copy().write_h5ad(r / f"{stage}/chunk_{chunk}.h5ad")
    (d / "Snakefile").write_text(
        f'configfile: "config/config.yaml"\n\n\n'
        f'include: "{ROOT}/workflow/rules/common.smk"\n'
        f'include: "{ROOT}/workflow/rules/reconcile.smk"\n'
        f'include: "{ROOT}/workflow/rules/report.smk"\n\n\n'
        "rule all:\n"
        "    input:\n"
        '        expand("results/samples/{s}.{e}", s=SAMPLES.index, e=["json", "html"]),\n'
        '        "results/calls.tsv",\n'
        '        "results/cohort.h5ad",\n'
        '        "results/report/cohort.html",\n'
    )
    return d


def _snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_report_rules_run(workdir: Path) -> None:
    res = _snakemake(workdir)
    assert res.returncode == 0, res.stderr[-3000:]
    for sid in ("RPT_01", "RPT_02", "RPT_03", "RPT_04"):
        rec = json.loads((workdir / f"results/samples/{sid}.json").read_text())
        assert rec["sample_id"] == sid
        assert len(rec["provenance"]["config_sha256"]) == 64
        assert (workdir / f"results/samples/{sid}.html").stat().st_size > 5000
    calls = pd.read_csv(workdir / "results/calls.tsv", sep="\t", dtype=str)
    assert list(calls["sample_id"]) == ["RPT_01", "RPT_02", "RPT_03", "RPT_04"]
    assert (workdir / "results/report/cohort.html").is_file()
    assert (workdir / "logs/report/write_sample_reports_0001.log").is_file()
    # one job per chunk renders all of its samples
    log = (workdir / "logs/report/write_sample_reports_0000.log").read_text()
    assert "writing reports of 2 samples" in log, log
    # nothing left to do: outputs are complete and up to date
    again = _snakemake(workdir, "-n")
    assert again.returncode == 0
    assert "Nothing to be done" in again.stdout + again.stderr, again.stdout + again.stderr
    # deleting one sample's report re-renders that sample only (the chunk job runs, the
    # other sample's files are kept as they are: same inode, only touched)
    kept = workdir / "results/samples/RPT_02.html"
    inode = kept.stat().st_ino
    (workdir / "results/samples/RPT_01.html").unlink()
    res = _snakemake(workdir)
    assert res.returncode == 0, res.stderr[-3000:]
    assert (workdir / "results/samples/RPT_01.html").stat().st_size > 5000
    assert kept.stat().st_ino == inode
    log = (workdir / "logs/report/write_sample_reports_0000.log").read_text()
    assert "1 unchanged, not rendered again" in log, log
    again = _snakemake(workdir, "-n")
    assert "Nothing to be done" in again.stdout + again.stderr, again.stdout + again.stderr


# The project installs its software with pip (README); it deliberately sets no per-rule
# conda/container directive, so that one lint is expected.
_ACCEPTED_LINTS: tuple[str, ...] = ()


@pytest.mark.slow
def test_report_rules_have_no_lints(workdir: Path) -> None:
    res = _snakemake(workdir, "--lint")
    text = res.stdout + res.stderr
    # only the blocks about report.smk (the test's own Snakefile uses absolute includes)
    assert res.returncode == 0 or "Lints for " in text, text[-3000:]
    blocks = [b for b in text.split("Lints for ")[1:] if "report.smk" in b.splitlines()[0]]
    lints = [
        line.strip()[2:].rstrip(":")
        for b in blocks
        for line in b.splitlines()
        if line.strip().startswith("* ")
    ]
    unexpected = [x for x in lints if x not in _ACCEPTED_LINTS]
    assert unexpected == [], text[-3000:]
