"""``allstrat classify`` / ``allstrat train`` end to end on tiny files."""

from __future__ import annotations

import json
import re

import anndata as ad
import numpy as np
import pandas as pd
import pytest

from allstrat.cli import main
from allstrat.contracts import CLASSIFY_COLUMNS
from allstrat.models import load_model, save_model
from allstrat.provenance import build_provenance

from .test_models import _card


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, tiny_model):
    d = tmp_path_factory.mktemp("models") / "tiny" / "0.0.1"
    return save_model(tiny_model, d, card=_card(), metrics={})


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, tiny_cohort):
    counts, _ = tiny_cohort
    p = tmp_path_factory.mktemp("in") / "counts.tsv"
    m = counts.iloc[:6].T
    m.index.name = "gene_symbol"
    m.to_csv(p, sep="\t")
    return p


def test_classify_matrix(tmp_path, model_dir, matrix):
    out, ex, h5 = tmp_path / "calls.tsv", tmp_path / "ex.json", tmp_path / "c.h5ad"
    rc = main(
        [
            "classify", "--counts", str(matrix), "--model", str(model_dir),
            "--out", str(out), "--explain", str(ex), "--h5ad", str(h5),
        ]
    )  # fmt: skip
    assert rc == 0
    calls = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)
    assert list(calls.columns[: len(CLASSIFY_COLUMNS)]) == list(CLASSIFY_COLUMNS)
    assert len(calls) == 6
    assert calls.loc[0, "subtype"] == "DUX4"
    assert calls.loc[0, "model_id"] == "tiny/0.0.1"
    explain = json.loads(ex.read_text())
    assert set(explain["samples"]) == set(calls["sample_id"])
    prov = explain["provenance"]  # the one provenance builder, as in every stage
    assert prov["stage"] == "classify"
    assert set(build_provenance(stage="x")) <= set(prov)
    assert prov["models"] == [{"model_id": "tiny/0.0.1", "sha256": calls.loc[0, "model_sha256"]}]
    adata = ad.read_h5ad(h5)
    assert adata.obsm["probabilities"].shape == (6, 4)
    assert "counts" in adata.layers
    assert adata.uns["allstrat"]["model_id"] == "tiny/0.0.1"
    assert json.loads(adata.uns["allstrat"]["provenance_json"]) == prov
    assert adata.uns["allstrat"]["stage"] == "classify"


def test_classify_htseq_files_with_ensembl_ids(tmp_path, model_dir, tiny_cohort, genes):
    counts, _ = tiny_cohort
    ens = genes.table["ensembl_ids"].str.split("|").str[0]
    files = []
    for sid in counts.index[:2]:
        s = counts.loc[sid]
        ids = [ens.get(g) or g for g in s.index]
        lines = [f"{i}.5\t{v}" for i, v in zip(ids, s.to_numpy(), strict=True) if i]
        lines += ["__no_feature\t123", "__ambiguous\t4"]
        f = tmp_path / f"{sid}.htseq.txt"
        f.write_text("\n".join(lines) + "\n")
        files.append(str(f))
    out = tmp_path / "calls.tsv"
    rc = main(
        ["classify", "--counts", *files, "--format", "htseq", "--model", str(model_dir),
         "--out", str(out)]
    )  # fmt: skip
    assert rc == 0
    calls = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)
    assert list(calls["sample_id"]) == list(counts.index[:2])
    assert calls.loc[0, "subtype"] == "DUX4"


def test_classify_h5ad_not_measured_is_missing(tmp_path, model_dir, tiny_cohort):
    import scipy.sparse as sp

    counts, _ = tiny_cohort
    sub = counts.iloc[:2]
    a = ad.AnnData(obs=pd.DataFrame(index=sub.index), var=pd.DataFrame(index=sub.columns))
    a.layers["counts"] = sub.to_numpy().astype(np.int32)
    nm = np.zeros(sub.shape, dtype=bool)
    nm[:, list(sub.columns).index("CLEC12A")] = True
    a.layers["not_measured"] = sp.csr_matrix(nm)
    p = tmp_path / "chunk.h5ad"
    a.write_h5ad(p)
    ex = tmp_path / "ex.json"
    rc = main(
        ["classify", "--expression", str(p), "--model", str(model_dir), "--out",
         str(tmp_path / "c.tsv"), "--explain", str(ex)]
    )  # fmt: skip
    assert rc == 0
    assert "CLEC12A" in json.loads(ex.read_text())["samples"]["S000"]["missing_panel_genes"]


def test_classify_bad_settings(tmp_path, model_dir, matrix, capsys):
    rc = main(
        ["classify", "--counts", str(matrix), "--model", str(model_dir), "--out",
         str(tmp_path / "c.tsv"), "--config-section", '{"margn": 0.1}']
    )  # fmt: skip
    assert rc == 2
    err = capsys.readouterr().err
    assert "config classify.margn = 0.1: unknown key; allowed keys: candidate_probability" in err
    assert not (tmp_path / "c.tsv").exists()


def test_classify_missing_model(tmp_path, matrix, capsys):
    rc = main(
        ["classify", "--counts", str(matrix), "--model", str(tmp_path / "nope"), "--out",
         str(tmp_path / "c.tsv")]
    )  # fmt: skip
    assert rc == 2
    assert "not found" in capsys.readouterr().err


@pytest.mark.slow
def test_train_cli_writes_new_version_only(tmp_path, tiny_cohort):
    counts, labels = tiny_cohort
    m = counts.T
    m.index.name = "gene_symbol"
    m.to_csv(tmp_path / "counts.tsv", sep="\t")
    labels.replace({"Ph group": "BCR::ABL1"}).rename_axis("sample_id").reset_index().to_csv(
        tmp_path / "labels.tsv", sep="\t", index=False
    )
    args = [
        "train", "--counts", str(tmp_path / "counts.tsv"), "--labels",
        str(tmp_path / "labels.tsv"), "--out-dir", str(tmp_path / "models"), "--name", "t",
        "--cv-folds", "3", "--inner-folds", "2", "--c-grid", "0.1",
    ]  # fmt: skip
    assert main(args) == 0
    loaded = load_model(tmp_path / "models" / "t" / "1.0.0")
    assert loaded.card["training_cohort"]["label_mapping"]["BCR::ABL1"] == "Ph group"
    assert loaded.card["cv"]["outer_folds"] == 3
    metrics = json.loads((tmp_path / "models" / "t" / "1.0.0" / "metrics.json").read_text())
    assert "confusion_matrix" in metrics
    assert main(args) == 0  # next free version
    assert (tmp_path / "models" / "t" / "1.0.1" / "model.json").is_file()
    assert main([*args, "--version", "1.0.0"]) == 2  # never overwritten


def test_classify_merges_several_fusion_callers(tmp_path, model_dir, matrix, root):
    """Two callers of one sample: evidence merged, callers recorded, unknown gene flagged."""
    data = root / "tests" / "data" / "formats" / "fusions"
    fc = (data / "PT205.fusioncatcher.no_coordinates.txt").read_text()
    fc_path = tmp_path / "S000.final-list_candidate-fusion-genes.txt"
    # a partner the gene table lacks: kept and flagged, never dropped
    fc_path.write_text(fc.replace("PAX5\tJAK2", "PAX5\tNOTAGENE9").replace(
        "ENSG00000096968", "ENSG99999999999"
    ).replace("\t2\t0\t0\tBOWTIE", "\t9\t6\t30\tBOWTIE"))  # fmt: skip
    arriba = data / "PT201.arriba.fusions.tsv"
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text(
        "sample_id\texpression\texpression_format\tfusions\tfusions_format\n"
        f"S000\t{matrix}\tmatrix\t{arriba};{fc_path}\tarriba;fusioncatcher\n"
        f"S001\t{matrix}\tmatrix\t\t\n"
    )
    out, ex = tmp_path / "calls.tsv", tmp_path / "ex.json"
    rc = main(
        [
            "classify", "--counts", str(matrix), "--model", str(model_dir), "--sheet",
            str(sheet), "--out", str(out), "--explain", str(ex),
        ]
    )  # fmt: skip
    assert rc == 0
    samples = json.loads(ex.read_text())["samples"]
    dec = samples["S000"]["decision"]
    assert dec["fusion_data"] == "given"
    assert dec["fusion_evidence"]["ETV6::RUNX1"] == {
        "confidence": "high",
        "callers": ["arriba", "fusioncatcher"],
    }
    assert dec["fusion_evidence"]["PAX5::NOTAGENE9"]["callers"] == ["fusioncatcher"]
    assert "fusion_gene_not_in_gene_table:PAX5::NOTAGENE9" in samples["S000"]["qc_flags"]
    assert samples["S001"]["decision"]["fusion_data"] == "not_given"


def test_classify_counts_applies_the_cohort_checks(tmp_path, model_dir, capsys):
    """``--counts`` goes through the same cohort assembly as the workflow: a file of mouse
    IDs fails the mapped-fraction check and one gene under an Ensembl ID *and* a symbol is
    refused, each naming the file and the sample, with no output written.
    """
    mouse = tmp_path / "M1.htseq.txt"
    mouse.write_text("".join(f"ENSMUSG000000{i:05d}\t{i}\n" for i in range(1, 30)) + "IKZF1\t3\n")
    mixed = tmp_path / "X1.htseq.txt"
    mixed.write_text("ENSG00000185811.19\t10\nIKZF1\t10\nERG\t4\n")
    out = tmp_path / "c.tsv"
    for path, expected in (
        (mouse, r"M1\.htseq\.txt, sample 'M1': only 1 of 30 .*min_mapped_fraction"),
        (mixed, r"X1\.htseq\.txt, line 2, sample 'X1'.*IKZF1 is given twice"),
    ):
        rc = main(
            ["classify", "--counts", str(path), "--format", "htseq", "--model",
             str(model_dir), "--out", str(out)]
        )  # fmt: skip
        assert rc == 2
        assert re.search(expected, capsys.readouterr().err)
        assert not out.exists()
