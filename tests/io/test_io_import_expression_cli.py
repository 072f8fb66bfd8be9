"""`allstrat import-expression` and the `import_expression` rule on the format fixtures."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import anndata as ad
import pytest

from allstrat.cli import main
from allstrat.provenance import build_provenance

DATA = Path(__file__).resolve().parents[1] / "data" / "formats" / "expression"
ROOT = Path(__file__).resolve().parents[2]


def _sheet(tmp_path: Path) -> Path:
    rows = [
        ("PT001", "PT001.featureCounts.txt", "featurecounts"),
        ("PT002", "PT002.htseq.txt", "htseq"),
        ("PT003", "PT003.ReadsPerGene.out.tab", "star"),
        ("PT005", "PT005.quant.genes.sf", "salmon"),
        ("PT006", "cohort_symbols.csv", "matrix"),
        ("PT007", "cohort_symbols.csv", "matrix"),
    ]
    lines = ["sample_id\texpression\texpression_format"]
    lines += [f"{s}\t{DATA / f}\t{fmt}" for s, f, fmt in rows]
    p = tmp_path / "samples.tsv"
    p.write_text("\n".join(lines) + "\n")
    return p


def test_cli_writes_chunk_h5ad(tmp_path):
    sheet = _sheet(tmp_path)
    out = tmp_path / "results" / "chunk_0000.h5ad"
    rc = main(
        [
            *("import-expression", "--sheet", str(sheet), "--chunk", "0000"),
            *("--samples-per-job", "4", "--star-strandedness", "reverse", "--out", str(out)),
        ]
    )
    assert rc == 0
    a = ad.read_h5ad(out)
    assert list(a.obs_names) == ["PT001", "PT002", "PT003", "PT005"]
    assert a.uns["allstrat"]["parameters"]["star_strandedness"] == "reverse"
    prov = json.loads(a.uns["allstrat"]["provenance_json"])  # the one provenance builder
    assert prov["stage"] == a.uns["allstrat"]["stage"] == "import_expression"
    assert set(build_provenance(stage="x")) <= set(prov)
    assert prov["settings"]["star_strandedness"] == "reverse"
    files = {i["path"]: i["sha256"] for i in prov["inputs"] if i["role"] == "expression"}
    assert files == dict(zip(a.obs["expression_file"], a.obs["expression_sha256"], strict=True))
    assert a.to_df(layer="counts").loc["PT003", "IKZF1"] == 1484
    assert not list(out.parent.glob(".tmp-*"))


def test_cli_bad_input_is_one_line_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.htseq"
    bad.write_text("IKZF1\t5\nERG\t-1\n")
    sheet = tmp_path / "s.tsv"
    sheet.write_text(f"sample_id\texpression\texpression_format\nX1\t{bad}\thtseq\n")
    out = tmp_path / "o.h5ad"
    rc = main(["import-expression", "--sheet", str(sheet), "--out", str(out)])
    assert rc == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "bad.htseq, line 2: negative count -1" in err
    assert not out.exists()


@pytest.mark.slow
def test_import_expression_rule_runs(tmp_path):
    sheet = _sheet(tmp_path)
    (tmp_path / "config.yaml").write_text(
        f"samples: {sheet}\nbatching:\n  samples_per_job: 4\n"
        "expression:\n  star_strandedness: auto\n  min_mapped_fraction: 0.25\n"
    )
    (tmp_path / "Snakefile").write_text(
        f'configfile: "config.yaml"\n\n\ninclude: "{ROOT}/workflow/rules/common.smk"\n'
        f'include: "{ROOT}/workflow/rules/expression.smk"\n'
    )
    snakemake = shutil.which("snakemake") or str(Path(sys.executable).parent / "snakemake")
    targets = ["results/expression/chunk_0000.h5ad", "results/expression/chunk_0001.h5ad"]
    proc = subprocess.run(
        [snakemake, "-c1", *targets, "--quiet", "all"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    b = ad.read_h5ad(tmp_path / targets[1])
    assert list(b.obs_names) == ["PT006", "PT007"]
    assert (tmp_path / "logs/expression/import_expression_0001.log").is_file()
