"""Outputs appear complete or not at all, also when the writer is killed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from allstrat.io.output import atomic_path, write_json, write_text, write_tsv


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    """An exception while writing: no destination, no temporary file."""
    dest = tmp_path / "results" / "x.tsv"

    def write() -> None:
        with atomic_path(dest) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write()
    assert list((tmp_path / "results").iterdir()) == []


def test_stale_temp_file_of_a_killed_writer_is_removed(tmp_path: Path) -> None:
    """A SIGKILLed writer's .tmp file is cleared by the next write of the same output only."""
    stale = tmp_path / ".tmp-x.json.ab12cd"
    other = tmp_path / ".tmp-y.json.ab12cd"
    stale.write_text("{half")
    other.write_text("{half")
    write_json(tmp_path / "x.json", {"a": 1})
    assert not stale.exists()
    assert other.exists()
    assert (tmp_path / "x.json").read_text() == '{\n  "a": 1\n}\n'


def test_rewrites_are_byte_identical(tmp_path: Path) -> None:
    """Writers are deterministic: the same table twice gives the same bytes."""
    df = pd.DataFrame({"sample_id": ["b", "a"], "p": [1 / 3, 2e-9]})
    write_tsv(tmp_path / "1.tsv", df)
    write_tsv(tmp_path / "2.tsv", df)
    write_text(tmp_path / "3.txt", "x")
    assert (tmp_path / "1.tsv").read_bytes() == (tmp_path / "2.tsv").read_bytes()


def test_sigterm_during_a_write_cleans_up(tmp_path: Path) -> None:
    """SIGTERM (scheduler kill) mid-write: exit 143, no output, no temporary file."""
    dest = tmp_path / "out" / "chunk.tsv"
    script = textwrap.dedent(
        f"""
        import argparse, os, signal, time
        from allstrat import cli
        from allstrat.io.output import atomic_path

        def run(args):
            with atomic_path({str(dest)!r}) as p:
                p.write_text("partial")
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(30)
            return 0

        def parser():
            ap = argparse.ArgumentParser(prog="allstrat")
            ap.add_argument("-v", "--verbose", action="count", default=0)
            ap.add_argument("-q", "--quiet", action="store_true")
            sub = ap.add_subparsers(dest="verb")
            sub.add_parser("write").set_defaults(func=run)
            return ap

        cli.build_parser = parser
        raise SystemExit(cli.main(["write"]))
        """
    )
    res = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert res.returncode == 143, res.stderr
    assert "terminated" in res.stderr
    assert list(dest.parent.iterdir()) == []


@pytest.mark.parametrize("prefix", ["../../x", "a/b", "x y", ".hidden", "$(id)"])
def test_simulate_refuses_a_sample_prefix_that_is_a_path(
    prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sample IDs name files: a prefix like '../../x' wrote outside --out; now refused."""
    from allstrat.cli import main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "--n-samples", "2", "--seed", "1", "--out", "out",
              "--sample-prefix", prefix])  # fmt: skip
    assert exc.value.code == 2
    assert list(tmp_path.rglob("*")) == []


@pytest.mark.parametrize(
    "option",
    [("--name", "../../evil"), ("--name", "a/b"), ("--name", ".hidden"), ("--version", "../1.0.0")],
)
def test_train_refuses_model_names_that_are_paths(
    option: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Model name / version become folders: paths are refused before any training or write."""
    from allstrat.cli import main

    monkeypatch.chdir(tmp_path)
    rc = main(["train", "--counts", "c.tsv", "--labels", "l.tsv", "--out-dir", "models", *option])
    assert rc == 2
    key = option[0].removeprefix("--")
    assert f"config train.{key} = {option[1]}: " in capsys.readouterr().err
    assert list(tmp_path.rglob("*")) == []


def test_every_file_write_in_the_package_goes_through_atomic_path() -> None:
    """No module writes a file directly: writes target the temp path of atomic_path.

    A guard against regressions: ``to_csv`` / ``write_h5ad`` / ``savefig`` / ``joblib.dump``
    must write to ``tmp`` (from :func:`allstrat.io.output.atomic_path`), an in-memory
    buffer, or return a string; ``open(..., "w")`` / ``write_text`` / ``write_bytes`` only
    on such a temp path.
    """
    import re

    pkg = Path(__file__).resolve().parents[2] / "workflow" / "src" / "allstrat"
    call = re.compile(r"\.(to_csv|write_h5ad|savefig|to_parquet)\(\s*([^,)\s]*)")
    dump = re.compile(r"joblib\.dump\([^,]+,\s*([^,)\s]+)")
    raw = re.compile(r"(\S*)\.(?:write_text|write_bytes)\(|(\S*)\.open\(\s*[\"'][wa]")
    offenders = []
    for f in sorted(pkg.rglob("*.py")):
        if f.name == "output.py" and f.parent.name == "io":
            continue
        for n, line in enumerate(f.read_text().splitlines(), start=1):
            for m in call.finditer(line):
                if m.group(2) not in {"tmp", "buf", "fh", ""} and not m.group(2).startswith(
                    ("sep=", "buf", "format=")
                ):
                    offenders.append(f"{f.name}:{n}: {line.strip()}")
            for m in dump.finditer(line):
                if m.group(1) != "tmp":
                    offenders.append(f"{f.name}:{n}: {line.strip()}")
            for m in raw.finditer(line):
                target = m.group(1) if m.group(1) is not None else m.group(2)
                if not target.endswith(("tmp", "fh")):
                    offenders.append(f"{f.name}:{n}: {line.strip()}")
    assert offenders == [], "direct (non-atomic) writes:\n" + "\n".join(offenders)
