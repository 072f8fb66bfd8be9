"""Workflow-level reliability: determinism, interrupted runs, bad inputs and hostile paths.

Every test runs the real Snakemake workflow (``Snakefile`` of the checkout) in a tmp
directory on a small simulated cohort (8 samples, 2 chunks of 4; ``allstrat simulate``
seed 7, every input format of the demo) with a small model: the shipped default model
when the checkout has one, else one trained here on a simulated, class-balanced cohort.

What "identical" means (determinism and interrupted runs): every ``.tsv`` and ``.json``
under ``results/`` must be byte-identical between runs. ``.h5ad`` files are HDF5
containers whose bytes can differ with library-internal object ordering, so their
*content* is compared instead (obs, var names, X, every layer and obsm array). HTML
reports are not compared: they embed figures whose SVG ids may be random; their data
come from the per-sample JSON, which is compared.

Targets: the default target (``rule all``) once the report stage is part of the
Snakefile; before that, the per-chunk outputs of the stages the Snakefile includes.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SNAKEFILE = ROOT / "Snakefile"
SHIPPED_MODEL = ROOT / "models" / "allstrat-bcp" / "1.0.0"
N_SAMPLES, PER_JOB, SEED = 8, 4, 7
CHUNKS = ["0000", "0001"]

pytestmark = pytest.mark.slow


def _included() -> set[str]:
    return set(re.findall(r'include:\s*"workflow/rules/(\w+)\.smk"', SNAKEFILE.read_text()))


def workflow_targets() -> list[str]:
    """The outputs to build: ``all`` when complete, else the included stages' chunk files."""
    inc = _included()
    if "report" in inc:
        return []
    out: list[str] = []
    for c in CHUNKS:
        if "expression" in inc:
            out.append(f"results/expression/chunk_{c}.h5ad")
        if "classify" in inc:
            out += [f"results/classify/chunk_{c}.{e}" for e in ("tsv", "explain.json", "h5ad")]
        if {"classify", "copynumber"} <= inc:
            out += [f"results/copynumber/chunk_{c}.{e}" for e in ("tsv", "evidence.json")]
        if {"classify", "copynumber", "risk"} <= inc:
            out += [f"results/risk/chunk_{c}.{e}" for e in ("tsv", "traces.json")]
    return out


#: Fixed at import so that every run of one session builds the same targets, even if the
#: Snakefile is edited while the tests run.
TARGETS = workflow_targets()


def _run(cmd: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, **kw)


@pytest.fixture(scope="session")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped default model, or a small one trained on a simulated cohort."""
    if (SHIPPED_MODEL / "model.json").is_file():
        return SHIPPED_MODEL
    d = tmp_path_factory.mktemp("model")
    sim = _run(
        [
            "allstrat", "simulate", "--n-samples", "90", "--seed", "3",
            "--subtype-balance", "uniform", "--layout", "cohort", "--out", "train",
        ],
        d,
    )  # fmt: skip
    assert sim.returncode == 0, sim.stderr
    tr = _run(
        [
            "allstrat", "train", "--sheet", "train/samples.tsv", "--labels", "train/truth.tsv",
            "--out-dir", "models", "--cv-folds", "2", "--inner-folds", "2", "--c-grid", "1.0",
        ],
        d,
    )  # fmt: skip
    assert tr.returncode == 0, tr.stderr
    return d / "models" / "allstrat-bcp" / "1.0.0"


@pytest.fixture(scope="session")
def cohort(tmp_path_factory: pytest.TempPathFactory, model_path: Path) -> Path:
    """A workflow directory template: simulated inputs + config (not run)."""
    d = tmp_path_factory.mktemp("cohort")
    sim = _run(
        ["allstrat", "simulate", "--n-samples", str(N_SAMPLES), "--seed", str(SEED),
         "--out", "resources/demo"],
        d,
    )  # fmt: skip
    assert sim.returncode == 0, sim.stderr
    (d / "config").mkdir()
    shutil.copy(d / "resources/demo/samples.tsv", d / "config/samples.tsv")
    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    cfg["samples"] = "config/samples.tsv"
    cfg["demo"]["generate"] = False
    cfg["batching"]["samples_per_job"] = PER_JOB
    cfg["clinical"] = "resources/demo/clinical.tsv"
    cfg["mrd"] = "resources/demo/mrd.tsv" if (d / "resources/demo/mrd.tsv").is_file() else ""
    if "classify" in cfg:
        cfg["classify"]["model"] = str(model_path)
    if "report" in cfg:
        cfg["report"]["umap"] = False
    (d / "config/config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    return d


def copy_cohort(cohort: Path, dest: Path) -> Path:
    """A fresh copy of the cohort template."""
    shutil.copytree(cohort, dest)
    return dest


def snakemake_cmd(wd: Path, *extra: str) -> list[str]:
    """The workflow command line for directory ``wd``."""
    return [
        sys.executable, "-m", "snakemake", "-s", str(SNAKEFILE), "--directory", str(wd),
        "--cores", "2", "--nolock", *extra, *TARGETS,
    ]  # fmt: skip


def run_workflow(wd: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run the workflow to completion in ``wd``."""
    return _run(snakemake_cmd(wd, *extra), wd, timeout=900)


def result_files(wd: Path) -> dict[str, Path]:
    """Relative path -> file for every file under results/."""
    r = wd / "results"
    return {str(p.relative_to(r)): p for p in sorted(r.rglob("*")) if p.is_file()}


def assert_same_results(a: Path, b: Path) -> None:
    """Every .tsv/.json byte-identical, every .h5ad equal in content, same file set."""
    import anndata as ad

    fa, fb = result_files(a), result_files(b)
    assert sorted(fa) == sorted(fb)
    compared = 0
    for rel, pa in fa.items():
        pb = fb[rel]
        if pa.suffix in {".tsv", ".json"}:
            assert pa.read_bytes() == pb.read_bytes(), f"{rel} differs between runs"
            compared += 1
        elif pa.suffix == ".h5ad":
            x, y = ad.read_h5ad(pa), ad.read_h5ad(pb)
            assert x.obs.equals(y.obs), rel
            assert list(x.var_names) == list(y.var_names), rel
            for name in ("X", *[f"layers:{k}" for k in x.layers], *[f"obsm:{k}" for k in x.obsm]):
                kind, _, key = name.partition(":")
                u = x.X if kind == "X" else getattr(x, kind)[key]
                v = y.X if kind == "X" else getattr(y, kind)[key]
                if u is None:
                    assert v is None, rel
                    continue
                u = u.toarray() if hasattr(u, "toarray") else np.asarray(u)
                v = v.toarray() if hasattr(v, "toarray") else np.asarray(v)
                np.testing.assert_array_equal(u, v, err_msg=f"{rel} {name}")
            compared += 1
    assert compared >= 2 * len(CHUNKS)


def assert_no_partial_files(wd: Path) -> None:
    """Every output present is complete: tables parse, JSON loads, h5ad opens; no temp files."""
    import json

    import anndata as ad
    import pandas as pd

    for rel, p in result_files(wd).items():
        assert not p.name.startswith(".tmp-"), f"temporary file left: {rel}"
        if p.suffix == ".tsv":
            df = pd.read_csv(p, sep="\t", dtype=str)
            assert "sample_id" in df.columns, rel
        elif p.suffix == ".json":
            json.loads(p.read_text())
        elif p.suffix == ".h5ad":
            ad.read_h5ad(p)


@pytest.fixture(scope="session")
def reference_run(cohort: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One uninterrupted run (the reference for the other tests)."""
    wd = copy_cohort(cohort, tmp_path_factory.mktemp("ref") / "wd")
    res = run_workflow(wd)
    assert res.returncode == 0, res.stderr[-4000:]
    return wd


def test_two_runs_are_identical(reference_run: Path, cohort: Path, tmp_path: Path) -> None:
    """Same inputs and seeds in another directory: identical tables and JSON."""
    wd = copy_cohort(cohort, tmp_path / "second")
    res = run_workflow(wd)
    assert res.returncode == 0, res.stderr[-4000:]
    assert_same_results(reference_run, wd)
    assert_no_partial_files(wd)


def _wait_for_first_output(wd: Path, proc: subprocess.Popen, timeout: float = 300) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if any(not k.startswith(".") for k in result_files(wd)):
            return
        if proc.poll() is not None:
            pytest.fail(f"workflow ended before any output (exit {proc.returncode})")
        time.sleep(0.2)
    pytest.fail("no output appeared in time")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=str)
def test_interrupted_run_completes_correctly_on_rerun(
    sig: signal.Signals, reference_run: Path, cohort: Path, tmp_path: Path
) -> None:
    """Kill the whole run (Ctrl-C / scheduler / node loss) after the first output; rerun."""
    wd = copy_cohort(cohort, tmp_path / "wd")
    log = (tmp_path / "first.log").open("w")
    proc = subprocess.Popen(
        snakemake_cmd(wd), cwd=wd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        _wait_for_first_output(wd, proc)
        os.killpg(proc.pid, sig)
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
    time.sleep(0.5)  # let killed children go
    assert proc.returncode != 0 or sig == signal.SIGINT
    # whatever survived the kill is complete (atomic writes); temp files may remain
    for rel, p in result_files(wd).items():
        if not p.name.startswith(".tmp-"):
            assert_no_partial_files_one(p, rel)
    res = run_workflow(wd, "--rerun-incomplete")
    assert res.returncode == 0, res.stderr[-4000:]
    assert_no_partial_files(wd)
    assert_same_results(reference_run, wd)


def assert_no_partial_files_one(p: Path, rel: str) -> None:
    """One output is complete (parses)."""
    import json

    import anndata as ad
    import pandas as pd

    if p.suffix == ".tsv":
        assert "sample_id" in pd.read_csv(p, sep="\t", dtype=str).columns, rel
    elif p.suffix == ".json":
        json.loads(p.read_text())
    elif p.suffix == ".h5ad":
        ad.read_h5ad(p)


def test_bad_expression_file_fails_the_workflow_cleanly(cohort: Path, tmp_path: Path) -> None:
    """A corrupt input: the job fails, its log names file + line, no chunk output exists."""
    wd = copy_cohort(cohort, tmp_path / "wd")
    target = wd / "resources/demo/expression/SIM0002.htseq.counts"
    lines = target.read_text().splitlines()
    lines[5] = lines[5].split("\t")[0] + "\t-7"
    target.write_text("\n".join(lines) + "\n")
    res = run_workflow(wd, "--keep-going")
    assert res.returncode != 0
    log = (wd / "logs/expression/import_expression_0000.log").read_text()
    assert "SIM0002.htseq.counts, line 6" in log, log
    assert "negative count" in log
    assert "Traceback" not in log
    assert not (wd / "results/expression/chunk_0000.h5ad").exists()
    assert not list((wd / "results").rglob(".tmp-*"))


@pytest.mark.parametrize(
    "sample_id", ["../escape", "a/b", "x;touch PWNED", "$(touch PWNED)", "s p"], ids=str
)
def test_unsafe_sample_id_stops_the_workflow_before_any_job(
    sample_id: str, cohort: Path, tmp_path: Path
) -> None:
    """The sheet is validated at parse time: nothing runs, nothing is written anywhere."""
    wd = copy_cohort(cohort, tmp_path / "wd")
    sheet = wd / "config/samples.tsv"
    sheet.write_text(sheet.read_text().replace("SIM0003", sample_id, 1))
    before = set(wd.rglob("*"))
    res = run_workflow(wd)
    assert res.returncode != 0
    assert "sample_id" in res.stderr
    created = set(wd.rglob("*")) - before
    assert not [p for p in created if ".snakemake" not in p.parts], created
    assert not list(tmp_path.rglob("PWNED"))


def test_hostile_file_names_cannot_inject_or_escape(cohort: Path, tmp_path: Path) -> None:
    """Input paths with shell metacharacters are data, never code; all writes stay inside."""
    wd = copy_cohort(cohort, tmp_path / "wd")
    demo = wd / "resources/demo"
    hostile = {
        "expression/SIM0002.htseq.counts": "expression/x;touch PWNED1;.counts",
        "expression/SIM0001.featureCounts.txt": "expression/$(touch PWNED2) `touch PWNED3`.txt",
        "clinical.tsv": "clin'$(touch PWNED4)'.tsv",
    }
    sheet = wd / "config/samples.tsv"
    text = sheet.read_text()
    for old, new in hostile.items():
        if (demo / old).is_file():
            (demo / old).rename(demo / new)
            text = text.replace(f"resources/demo/{old}", f"resources/demo/{new}")
    sheet.write_text(text)
    cfg_path = wd / "config/config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["clinical"] = f"resources/demo/{hostile['clinical.tsv']}"
    hostile_sheet = wd / "config/s;touch PWNED5;'x'.tsv"
    sheet.rename(hostile_sheet)
    cfg["samples"] = str(hostile_sheet.relative_to(wd))
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    before = set(tmp_path.rglob("*"))
    res = run_workflow(wd)
    assert not list(tmp_path.rglob("PWNED*")), "a file name was executed as shell code"
    assert not list(Path.cwd().glob("PWNED*"))
    created = set(tmp_path.rglob("*")) - before
    outside = [
        p
        for p in created
        if p.is_file()
        and (
            not p.is_relative_to(wd)
            or p.relative_to(wd).parts[0] not in {"results", "logs", ".snakemake"}
        )
    ]
    assert outside == [], outside
    assert res.returncode == 0, res.stderr[-4000:]
