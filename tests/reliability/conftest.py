"""Fixtures of the reliability suite: the bad-input corpus and a CLI runner."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "bad_inputs"


@dataclass
class CliResult:
    """Exit status and captured streams of one in-process CLI run."""

    code: int
    stderr: str


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> CliResult:
    """Run ``allstrat <argv>`` in-process; a SystemExit (argparse) counts as its code."""
    from allstrat.cli import main

    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    return CliResult(code, capsys.readouterr().err)


def files_under(folder: Path) -> list[Path]:
    """Every file (including hidden temporary files) below ``folder``."""
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tmp working directory holding a copy of the corpus under ``inputs/``."""
    shutil.copytree(CORPUS, tmp_path / "inputs", ignore=shutil.ignore_patterns("*.py"))
    monkeypatch.chdir(tmp_path)
    return tmp_path
