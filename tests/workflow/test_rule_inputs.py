"""Rule inputs: a sample's variant calls are inputs of its chunk's copy-number job.

A VCF named in the sheet must be part of the DAG, so that a missing one stops the run
before any job and a changed one reruns the chunk (Snakemake dry run on a small simulated
cohort).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _dry_run(
    wd: Path, target: str = "results/copynumber/chunk_0000.tsv", *extra: str
) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--directory",
           str(wd), "-n", "--nolock", *extra, target]  # fmt: skip
    return subprocess.run(cmd, cwd=wd, capture_output=True, text=True, check=False, timeout=300)


def _simulated_workdir(tmp_path: Path, *, mrd: str) -> None:
    """A 4-sample simulated cohort in resources/demo and a config pointing at it."""
    sim = subprocess.run(
        ["allstrat", "simulate", "--n-samples", "4", "--seed", "7", "--out", "resources/demo"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert sim.returncode == 0, sim.stderr
    (tmp_path / "config").mkdir()
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    cfg["demo"]["generate"] = False
    cfg["clinical"], cfg["lab_genetics"] = "resources/demo/clinical.tsv", ""
    cfg["mrd"] = mrd if mrd and (tmp_path / mrd).is_file() else ""
    (tmp_path / "config" / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))


def test_variant_calls_are_copynumber_inputs(tmp_path: Path) -> None:
    _simulated_workdir(tmp_path, mrd="resources/demo/mrd.tsv")
    sheet = pd.read_csv(tmp_path / "resources/demo/samples.tsv", sep="\t", dtype=str).fillna("")
    sheet["variants"] = ["resources/demo/S1.vcf", "", "", ""]
    sheet["variants_format"] = ["vcf", "", "", ""]
    sheet.to_csv(tmp_path / "config" / "samples.tsv", sep="\t", index=False)

    missing = _dry_run(tmp_path)
    assert missing.returncode != 0
    assert "resources/demo/S1.vcf" in missing.stderr + missing.stdout

    (tmp_path / "resources/demo/S1.vcf").write_text("##fileformat=VCFv4.2\n")
    ok = _dry_run(tmp_path)
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert "call_copynumber" in ok.stdout + ok.stderr


def test_risk_reads_the_reconciled_call(tmp_path: Path) -> None:
    """Risk and the reports use the call after the karyotype / hotspot check (#11 item 4)."""
    _simulated_workdir(tmp_path, mrd="")
    (tmp_path / "resources/demo/samples.tsv").replace(tmp_path / "config" / "samples.tsv")
    run = _dry_run(tmp_path, "results/risk/chunk_0000.tsv")
    assert run.returncode == 0, run.stderr[-2000:]
    out = run.stdout + run.stderr
    assert "reconcile_calls" in out
    assert "results/reconcile/chunk_0000.tsv" in out


def test_memoised_stages_keep_their_per_sample_memo_unless_switched_off(tmp_path: Path) -> None:
    """batching.memo (default on) gives classify, copy number and risk their memo file (#14)."""
    _simulated_workdir(tmp_path, mrd="")
    (tmp_path / "resources/demo/samples.tsv").replace(tmp_path / "config" / "samples.tsv")
    target = "results/risk/chunk_0000.tsv"
    run = _dry_run(tmp_path, target, "-p")
    assert run.returncode == 0, run.stderr[-2000:]
    for stage in ("classify", "copynumber", "risk"):
        assert f"--memo=results/memo/{stage}/chunk_0000.json" in run.stdout + run.stderr
    cfg_file = tmp_path / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_file.read_text())
    cfg["batching"]["memo"] = False
    cfg_file.write_text(yaml.safe_dump(cfg, sort_keys=False))
    off = _dry_run(tmp_path, target, "-p")
    assert off.returncode == 0, off.stderr[-2000:]
    out = off.stdout + off.stderr
    assert out.count("--memo= ") == 3  # an empty value, not a missing one
    assert "results/memo/" not in out
