"""Fixtures for the report tests: one hand-made chunk of stage outputs (tests/data/report)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "report"
SAMPLES = ["RPT_01", "RPT_02", "RPT_03", "RPT_04"]


def _h5ad(path: Path, *, normalised: bool) -> None:
    import anndata as ad

    rng = np.random.default_rng(7)
    n_genes = 60
    genes = [f"GENE{i:03d}" for i in range(n_genes)]
    counts = rng.poisson(50, size=(len(SAMPLES), n_genes)).astype("int32")
    obs = pd.DataFrame(
        {
            "library_size": counts.sum(axis=1).astype(float),
            "n_genes_detected": (counts > 0).sum(axis=1),
            "expression_format": "matrix",
        },
        index=pd.Index(SAMPLES, name="sample_id"),
    )
    if normalised:
        X = np.log2(counts / counts.sum(axis=1, keepdims=True) * 1e6 + 1).astype("float32")
        adata = ad.AnnData(X=X, obs=obs[[]], var=pd.DataFrame(index=genes))
    else:
        adata = ad.AnnData(
            X=None, obs=obs, var=pd.DataFrame(index=genes), layers={"counts": counts}
        )
        adata.uns["allstrat"] = {"stage": "import_expression", "allstrat_version": "test"}
    adata.write_h5ad(path)


@pytest.fixture(scope="session")
def chunk_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory laid out like the workflow's results for chunk 0000."""
    d = tmp_path_factory.mktemp("chunk")
    (d / "results" / "classify").mkdir(parents=True)
    (d / "results" / "copynumber").mkdir(parents=True)
    (d / "results" / "risk").mkdir(parents=True)
    (d / "results" / "expression").mkdir(parents=True)
    (d / "config").mkdir()
    shutil.copy(DATA / "classify.tsv", d / "results/classify/chunk_0000.tsv")
    shutil.copy(DATA / "classify.explain.json", d / "results/classify/chunk_0000.explain.json")
    shutil.copy(DATA / "copynumber.tsv", d / "results/copynumber/chunk_0000.tsv")
    shutil.copy(
        DATA / "copynumber.evidence.json", d / "results/copynumber/chunk_0000.evidence.json"
    )
    shutil.copy(DATA / "risk.tsv", d / "results/risk/chunk_0000.tsv")
    shutil.copy(DATA / "risk.traces.json", d / "results/risk/chunk_0000.traces.json")
    shutil.copy(DATA / "counts.tsv", d / "counts.tsv")
    sheet = (
        (DATA / "samples.tsv")
        .read_text()
        .replace("tests/data/report/counts.tsv", str(d / "counts.tsv"))
    )
    (d / "config" / "samples.tsv").write_text(sheet)
    _h5ad(d / "results/expression/chunk_0000.h5ad", normalised=False)
    _h5ad(d / "results/classify/chunk_0000.h5ad", normalised=True)
    return d


@pytest.fixture(scope="session")
def sample_ids() -> list[str]:
    """The fixture chunk's samples."""
    return list(SAMPLES)


@pytest.fixture(scope="session")
def report_args():
    """Build the `allstrat report samples` arguments for a chunk dir and an output dir."""
    return sample_args


def sample_args(d: Path, outdir: Path) -> list[str]:
    """CLI arguments of `allstrat report samples` for the fixture chunk."""
    r = d / "results"
    return [
        "report",
        "samples",
        "--sheet",
        str(d / "config/samples.tsv"),
        "--chunk",
        "0000",
        "--classify",
        str(r / "classify/chunk_0000.tsv"),
        "--explain",
        str(r / "classify/chunk_0000.explain.json"),
        "--copynumber",
        str(r / "copynumber/chunk_0000.tsv"),
        "--cn-evidence",
        str(r / "copynumber/chunk_0000.evidence.json"),
        "--risk",
        str(r / "risk/chunk_0000.tsv"),
        "--traces",
        str(r / "risk/chunk_0000.traces.json"),
        "--expression",
        str(r / "expression/chunk_0000.h5ad"),
        "--config-sha256",
        "0" * 64,
        "--outdir",
        str(outdir),
    ]


@pytest.fixture(scope="session")
def rendered(chunk_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Per-sample reports, calls.tsv, cohort.h5ad and cohort.html of the fixture chunk."""
    from allstrat.cli import main

    out = tmp_path_factory.mktemp("rendered")
    assert main(sample_args(chunk_dir, out / "samples")) == 0
    r = chunk_dir / "results"
    assert (
        main(
            [
                "collect",
                "--sheet",
                str(chunk_dir / "config/samples.tsv"),
                "--classify",
                str(r / "classify/chunk_0000.tsv"),
                "--copynumber",
                str(r / "copynumber/chunk_0000.tsv"),
                "--risk",
                str(r / "risk/chunk_0000.tsv"),
                "--h5ad",
                str(r / "classify/chunk_0000.h5ad"),
                "--out-calls",
                str(out / "calls.tsv"),
                "--out-h5ad",
                str(out / "cohort.h5ad"),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "report",
                "cohort",
                "--calls",
                str(out / "calls.tsv"),
                "--cohort",
                str(out / "cohort.h5ad"),
                "--no-umap",
                "--out",
                str(out / "report" / "cohort.html"),
            ]
        )
        == 0
    )
    return out
