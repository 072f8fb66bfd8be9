"""The assign_risk rule runs the verb on a chunk's stage tables (real Snakemake run)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from allstrat.contracts import RISK_COLUMNS


@pytest.mark.slow
def test_assign_risk_rule(root: Path, tmp_path: Path):
    data = root / "tests" / "data" / "risk"
    (tmp_path / "config").mkdir()
    shutil.copy(root / "config" / "config.yaml", tmp_path / "config" / "config.yaml")
    # risk reads the reconciled call table (allstrat reconcile) and the copy-number table
    for stage, name in (("reconcile", "classify.tsv"), ("copynumber", "copynumber.tsv")):
        (tmp_path / "results" / stage).mkdir(parents=True)
        shutil.copy(data / name, tmp_path / "results" / stage / "chunk_0000.tsv")
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(data / "clinical.tsv", inp)
    shutil.copy(data / "mrd.tsv", inp)
    sheet = "sample_id\texpression\texpression_format\n" + "".join(
        f"R0{i}\tin/x.tsv\tmatrix\n" for i in range(1, 5)
    )
    (inp / "samples.tsv").write_text(sheet)
    cmd = [
        sys.executable, "-m", "snakemake",
        "--snakefile", str(root / "Snakefile"),
        "--directory", str(tmp_path),
        "--cores", "1",
        "--config", "samples=in/samples.tsv", "clinical=in/clinical.tsv", "mrd=in/mrd.tsv",
        "--", "results/risk/chunk_0000.tsv",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = pd.read_csv(
        tmp_path / "results" / "risk" / "chunk_0000.tsv", sep="\t", dtype=str,
        keep_default_na=False,
    )  # fmt: skip
    assert tuple(table.columns) == RISK_COLUMNS
    assert len(table) == 4 * 6
    assert (tmp_path / "results" / "risk" / "chunk_0000.traces.json").stat().st_size > 0
    assert (tmp_path / "logs" / "risk" / "assign_risk_0000.log").is_file()
    # batching.memo (default on): the chunk's per-sample memo, next to the outputs
    assert (tmp_path / "results" / "memo" / "risk" / "chunk_0000.json").stat().st_size > 0
