"""``allstrat simulate`` end to end: determinism, layout, the committed demo sheet."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from allstrat.cli import main


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_same_seed_gives_byte_identical_files(tmp_path):
    for name in ("a", "b"):
        args = ["-q", "simulate", "--n-samples", "14", "--seed", "5", "--out", str(tmp_path / name)]
        assert main([*args, "--sheet-prefix", "demo"]) == 0
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert a == b
    assert "truth.tsv" in a
    assert "samples.tsv" in a
    main(["-q", "simulate", "--n-samples", "14", "--seed", "6", "--out", str(tmp_path / "c")])
    assert _digests(tmp_path / "c")["truth.tsv"] != a["truth.tsv"]


def test_sheet_paths_exist_and_validate(tmp_path, monkeypatch):
    from allstrat.io.samples import read_sample_sheet

    monkeypatch.chdir(tmp_path)
    assert main(["-q", "simulate", "--n-samples", "30", "--seed", "2", "--out", "demo"]) == 0
    sheet = read_sample_sheet("demo/samples.tsv")
    assert len(sheet) == 30
    for col in ("expression", "copy_number", "fusions"):
        if col not in sheet.columns:
            continue
        for value in sheet[col]:
            for p in value.split(";") if col == "fusions" else [value]:
                if p:
                    assert p.startswith("demo/")
                    assert Path(p).is_file(), p
    fmts = set(sheet["expression_format"])
    assert {"matrix", "featurecounts", "htseq", "star", "salmon"} <= fmts
    callers = {c for v in sheet["fusions_format"] for c in v.split(";") if c}
    assert callers == {"arriba", "starfusion", "fusioncatcher", "cicero", "jaffa"}
    assert any(";" in v for v in sheet["fusions_format"])  # some samples with two callers


def test_expression_layouts_look_like_the_tools(tmp_path):
    main(["-q", "simulate", "--n-samples", "30", "--seed", "2", "--out", str(tmp_path)])
    ex = tmp_path / "expression"
    fc = next(ex.glob("*.featureCounts.txt")).read_text().splitlines()
    assert fc[0].startswith("# Program:featureCounts")
    assert fc[1].split("\t")[:6] == ["Geneid", "Chr", "Start", "End", "Strand", "Length"]
    assert fc[1].split("\t")[6].endswith(".bam")
    star = next(ex.glob("*.ReadsPerGene.out.tab")).read_text().splitlines()
    assert [ln.split("\t")[0] for ln in star[:4]] == [
        "N_unmapped",
        "N_multimapping",
        "N_noFeature",
        "N_ambiguous",
    ]
    assert all(len(ln.split("\t")) == 4 for ln in star)
    ht = next(ex.glob("*.htseq.counts")).read_text().splitlines()
    assert ht[-5].startswith("__no_feature")
    assert all(len(ln.split("\t")) == 2 for ln in ht)
    sf = pd.read_csv(next(ex.glob("*.quant.genes.sf")), sep="\t")
    assert list(sf.columns) == ["Name", "Length", "EffectiveLength", "TPM", "NumReads"]
    assert abs(sf["TPM"].sum() - 1e6) < 10
    m = pd.read_csv(ex / "counts.tsv", sep="\t", index_col=0)
    assert m.index.name == "gene_symbol"
    assert m.shape[0] > 15_000


@pytest.mark.slow
def test_demo_sheet_matches_committed_config(tmp_path, root):
    """config/samples.tsv is exactly what the demo command writes (config demo.*)."""
    import yaml

    cfg = yaml.safe_load((root / "config" / "config.yaml").read_text())["demo"]
    args = ["-q", "simulate", "--n-samples", str(cfg["n_samples"]), "--seed", str(cfg["seed"])]
    args += ["--out", str(tmp_path), "--sheet-prefix", cfg["out"]]
    assert main(args) == 0
    assert (tmp_path / "samples.tsv").read_bytes() == (root / "config" / "samples.tsv").read_bytes()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--class-weight", "Phlike=2"], "expected LABEL=WEIGHT"),
        (["--class-weight", "NUTM1=x"], "not a number"),
        (["--class-weight", "NUTM1=-1"], ">= 0"),
        (["--class-weight", "NUTM1"], "expected LABEL=WEIGHT"),
    ],
)
def test_bad_class_weight_is_a_clear_error(tmp_path, capsys, extra, message):
    with pytest.raises(SystemExit) as exc:  # refused while parsing: exit status 2
        main(["simulate", "--n-samples", "3", "--seed", "1", "--out", str(tmp_path), *extra])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("n", "seed"), [("0", "1"), ("2", "-1"), ("two", "1")])
def test_n_samples_and_seed_are_checked(tmp_path, capsys, n, seed):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "--n-samples", n, "--seed", seed, "--out", str(tmp_path)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert ("--n-samples" if seed == "1" else "--seed") in err


def test_cohort_layout_for_big_cohorts(tmp_path, genes, monkeypatch):
    from allstrat.io.cohort import read_expression_cohort
    from allstrat.io.samples import read_sample_sheet

    monkeypatch.chdir(tmp_path)
    args = ["-q", "simulate", "--n-samples", "12", "--seed", "4", "--out", "big"]
    assert main([*args, "--layout", "cohort", "--jobs", "2"]) == 0
    sheet = read_sample_sheet("big/samples.tsv")
    assert set(sheet["expression_format"]) == {"h5ad"}
    assert set(sheet["copy_number_format"]) == {"seg"}
    assert set(sheet["fusions_format"]) == {"arriba"}
    assert (sheet["blast_fraction"].notna()).all()
    adata = read_expression_cohort(sheet, genes)
    assert adata.n_obs == 12
    truth = pd.read_csv("big/truth.tsv", sep="\t")
    lib = pd.Series(adata.layers["counts"].sum(axis=1).ravel(), index=adata.obs_names)
    assert (lib.loc[truth["sample_id"]].to_numpy() == truth["library_size"].to_numpy()).all()
