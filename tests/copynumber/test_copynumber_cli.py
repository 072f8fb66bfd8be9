"""`allstrat copynumber` end to end on the fixture files (SEG, MLPA, gene calls, none)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from allstrat.cli import main
from allstrat.contracts import COPYNUMBER_COLUMNS
from allstrat.io.gene_table import load_gene_table
from allstrat.provenance import build_provenance, sha256_file

DATA = Path(__file__).resolve().parents[1] / "data" / "copynumber"

HEADER = "sample_id\texpression\texpression_format\tcopy_number\tcopy_number_format"
SHEET = (
    HEADER
    + """\tgenome_build\tblast_fraction
CN_HEH\t\t\tcohort.seg\tseg\tGRCh38\t0.8
CN_PLUS\t\t\tcohort.seg\tseg\t\t0.9
CN_DUX4\t\t\tcohort.seg\tseg\tGRCh38\t1.0
CN_MLPA\t\t\tmlpa_long.tsv\tmlpa\tGRCh38\t0.6
CN_CALLS\t\t\tgene_calls.tsv\tgene_calls\t\t
CN_NONE\t\t\t\t\t\t
"""
)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    for f in ("cohort.seg", "mlpa_long.tsv", "gene_calls.tsv"):
        shutil.copy(DATA / f, tmp_path / f)
    (tmp_path / "samples.tsv").write_text(SHEET)
    (tmp_path / "classify.tsv").write_text(
        "sample_id\tdux4\nCN_HEH\tno\nCN_PLUS\tno\nCN_DUX4\tyes\nCN_MLPA\tno\nCN_CALLS\tno\n"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*extra):
    return main(
        [
            "copynumber",
            "--sheet",
            "samples.tsv",
            "--out",
            "out/cn.tsv",
            "--evidence",
            "out/cn.evidence.json",
            *extra,
        ]
    )


def test_cli_end_to_end(workdir):
    assert _run("--classify", "classify.tsv", "--chunk", "0000") == 0
    t = pd.read_csv("out/cn.tsv", sep="\t", dtype=str, keep_default_na=False).set_index("sample_id")
    assert list(t.reset_index().columns) == list(COPYNUMBER_COLUMNS)
    heh = t.loc["CN_HEH"]
    assert (heh["modal_chromosome_number"], heh["karyotype_class"]) == ("55", "high_hyperdiploid")
    assert heh["favourable_trisomies"] == "+4;+10;+17"
    plus = t.loc["CN_PLUS"]
    assert plus["ikzf1plus"] == "positive"
    assert plus["ikzf1_deletion_type"] == "whole gene (Δ1–8)"
    assert plus["cdkn2a_status"] == "homozygous_deleted"
    dux = t.loc["CN_DUX4"]
    assert (dux["erg_status"], dux["ikzf1plus"]) == ("deleted", "negative")
    assert dux["dux4_erg"] == "DUX4-r/ERG-deleted"
    m = t.loc["CN_MLPA"]
    assert (m["ikzf1_deletion_type"], m["par1_status"]) == ("Δ4–7", "deleted")
    assert (m["erg_status"], m["ikzf1plus"]) == ("not_assessable", "not_assessable")
    c = t.loc["CN_CALLS"]
    assert (c["ukall_cna_profile"], c["ikzf1plus"]) == ("good", "negative")
    n = t.loc["CN_NONE"]
    # not in the classify table: no DUX4 call, so dux4_erg is not "no"
    assert (n["cn_source"], n["ikzf1plus"]) == ("none", "not_assessable")
    assert n["dux4_erg"] == "not_assessable"
    ev = json.loads(Path("out/cn.evidence.json").read_text())
    assert ev["samples"]["CN_MLPA"]["calls"]["IKZF1"]["thresholds"]["blast_fraction"] == 0.6
    assert ev["samples"]["CN_HEH"]["baseline"]["purity_source"] == "sheet"
    prov = ev["provenance"]  # the one provenance builder, as in every stage
    assert prov["settings"]["mlpa"]["del_ratio"] == 0.75
    assert prov["stage"] == "copynumber"
    assert set(build_provenance(stage="x")) <= set(prov)
    roles = {i["role"]: i for i in prov["inputs"]}
    assert roles["gene_table"]["path"] == "resources/genes/genes_grch38.tsv.gz"
    assert roles["gene_table"]["sha256"] == load_gene_table().sha256
    assert roles["classify_table"]["sha256"] == sha256_file("classify.tsv")


def test_one_sample_alone_equals_in_batch(workdir):
    assert _run() == 0
    batch = pd.read_csv("out/cn.tsv", sep="\t", dtype=str, keep_default_na=False)
    assert (
        main(
            [
                "copynumber",
                "--sheet",
                "samples.tsv",
                "--sample",
                "CN_PLUS",
                "--out",
                "out/one.tsv",
                "--evidence",
                "out/one.json",
            ]
        )
        == 0
    )
    one = pd.read_csv("out/one.tsv", sep="\t", dtype=str, keep_default_na=False)
    assert len(one) == 1
    assert (
        one.iloc[0].to_dict() == batch.set_index("sample_id", drop=False).loc["CN_PLUS"].to_dict()
    )
    a = json.loads(Path("out/one.json").read_text())["samples"]["CN_PLUS"]
    b = json.loads(Path("out/cn.evidence.json").read_text())["samples"]["CN_PLUS"]
    assert a == b


def test_grch37_sample_refused_with_clear_error(workdir, capsys):
    sheet = (workdir / "samples.tsv").read_text().replace("seg\tGRCh38\t0.8", "seg\tGRCh37\t0.8")
    (workdir / "samples.tsv").write_text(sheet)
    assert _run() == 2
    err = capsys.readouterr().err
    for word in ("CN_HEH", "GRCh37", "lift"):
        assert word in err
    assert not Path("out/cn.tsv").exists()


def test_bad_settings_refused(workdir, capsys):
    assert _run("--config-section", '{"mlpa": {"mode": "magic"}}') == 2
    err = capsys.readouterr().err
    assert "config copynumber.mlpa.mode = magic: not an allowed value" in err
    assert "allowed: purity_adjusted, fixed" in err


def test_rna_fallback_from_expression_chunk(workdir):
    """A sample without DNA copy number gets cn_source=RNA from the expression chunk."""
    import anndata as ad
    import numpy as np

    from allstrat.copynumber.rna_dosage import load_reference

    ref = load_reference()
    if ref is None:
        pytest.skip("RNA dosage reference not installed")
    rng = np.random.default_rng(3)
    genes = ref.genes
    level = 2.0 ** genes["median"].to_numpy()
    # trisomies 4, 6, 10 with a realistic sublinear dosage response (slope 0.6)
    gain = genes["chrom"].isin(["chr4", "chr6", "chr10"]).to_numpy()
    mu = level * np.where(gain, 1.5**0.6, 1.0)
    counts = rng.poisson(mu)[None, :]
    adata = ad.AnnData(
        X=counts.astype(float),
        obs=pd.DataFrame(index=["CN_NONE"]),
        var=pd.DataFrame(index=genes["symbol"].to_numpy()),
    )
    adata.layers["counts"] = counts
    adata.write_h5ad(workdir / "expr.h5ad")
    assert _run("--sample", "CN_NONE", "--expression", "expr.h5ad") == 0
    t = pd.read_csv("out/cn.tsv", sep="\t", dtype=str, keep_default_na=False)
    row = t.iloc[0]
    assert (row["cn_source"], row["modal_chromosome_number"]) == ("RNA", "49")
    assert row["karyotype_class"] == "low_hyperdiploid"
    assert row["favourable_trisomies"] == "+4;+10"
    assert "rna_derived_low_confidence" in row["cn_qc_flags"]
    assert "purity_unknown_assumed" in row["cn_qc_flags"]
    assert row["ikzf1plus"] == "not_assessable"


def test_rna_fallback_treats_not_measured_genes_as_missing(workdir):
    """Genes flagged not_measured in the chunk are missing, not zero reads (#15 bug fix).

    Half the chr1 genes are absent from the sample's input file (0 in ``counts``, True in
    ``not_measured``). Read as zeros they would pull chr1 down to a monosomy; read as
    missing, the measured half shows chr1 as disomic and the modal number stays 49.
    """
    import anndata as ad
    import numpy as np
    import scipy.sparse as sp

    from allstrat.copynumber.rna_dosage import load_reference

    ref = load_reference()
    if ref is None:
        pytest.skip("RNA dosage reference not installed")
    rng = np.random.default_rng(3)
    genes = ref.genes
    # trisomies 4, 6, 10 with a realistic sublinear dosage response (slope 0.6)
    gain = genes["chrom"].isin(["chr4", "chr6", "chr10"]).to_numpy()
    mu = 2.0 ** genes["median"].to_numpy() * np.where(gain, 1.5**0.6, 1.0)
    counts = rng.poisson(mu)[None, :]
    chr1 = np.flatnonzero(genes["chrom"].to_numpy() == "chr1")
    absent = chr1[::2]
    counts[0, absent] = 0
    nm = np.zeros(counts.shape, dtype=bool)
    nm[0, absent] = True
    adata = ad.AnnData(
        obs=pd.DataFrame(index=["CN_NONE"]), var=pd.DataFrame(index=genes["symbol"].to_numpy())
    )
    adata.layers["counts"] = counts.astype(np.int32)
    adata.layers["not_measured"] = sp.csr_matrix(nm)
    adata.write_h5ad(workdir / "expr.h5ad")
    assert _run("--sample", "CN_NONE", "--expression", "expr.h5ad") == 0
    row = pd.read_csv("out/cn.tsv", sep="\t", dtype=str, keep_default_na=False).iloc[0]
    assert (row["cn_source"], row["modal_chromosome_number"]) == ("RNA", "49")
    assert row["favourable_trisomies"] == "+4;+10"
