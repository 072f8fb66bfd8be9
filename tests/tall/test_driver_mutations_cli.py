"""End to end through the CLI: a simulated T-ALL cohort whose sheet gives a VCF per sample.

simulate -> import-expression -> classify -> copynumber -> report samples -> collect;
the NOTCH1 / FBXW7 / RAS / PTEN status reaches the copy-number table, the per-sample JSON
(valid against the schema), the HTML T-ALL section and calls.tsv.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from allstrat.cli import main
from allstrat.tall.mutations import DRIVER_GENES

from .vcf_builder import Var, build_vcf


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("tallmut")
    sim = d / "sim"
    argv = ["simulate", "--n-samples", "3", "--seed", "16", "--subtype-balance", "tall",
            "--layout", "cohort", "--out", str(sim), "--sample-prefix", "TM"]  # fmt: skip
    assert main(argv) == 0
    sheet = pd.read_csv(sim / "samples.tsv", sep="\t", dtype=str, keep_default_na=False)
    ids = sorted(sheet["sample_id"])
    mutated = build_vcf(
        d / "TM_mut.vcf.gz",
        [Var("NOTCH1", "Leu1594Pro", alt=30, ref=32), Var("FBXW7", "Arg479Gln", alt=10, ref=35)],
        blocks=dict.fromkeys(DRIVER_GENES, 55),
    )
    plain = build_vcf(d / "TM_plain.vcf.gz", [Var("KRAS", "Gly12Asp")], annotated=False)
    sheet["variants"] = sheet["sample_id"].map({ids[0]: str(mutated), ids[1]: str(plain)})
    sheet["variants"] = sheet["variants"].fillna("")
    sheet["variants_format"] = sheet["variants"].map(lambda v: "vcf" if v else "")
    sheet.to_csv(d / "samples.tsv", sep="\t", index=False)
    r = d / "results"
    s = ["--sheet", str(d / "samples.tsv")]
    assert main(["import-expression", *s, "--out", str(r / "expr.h5ad")]) == 0
    assert main(["classify", "--expression", str(r / "expr.h5ad"), *s,
                 "--out", str(r / "classify.tsv"), "--explain", str(r / "classify.json"),
                 "--h5ad", str(r / "classify.h5ad")]) == 0  # fmt: skip
    assert main(["copynumber", *s, "--expression", str(r / "expr.h5ad"),
                 "--classify", str(r / "classify.tsv"), "--out", str(r / "cn.tsv"),
                 "--evidence", str(r / "cn.json")]) == 0  # fmt: skip
    cn = ["--copynumber", str(r / "cn.tsv")]
    report = ["report", "samples", *s, "--classify", str(r / "classify.tsv"),
              "--explain", str(r / "classify.json"), *cn,
              "--cn-evidence", str(r / "cn.json"), "--outdir", str(r / "samples")]  # fmt: skip
    assert main(report) == 0
    assert main(["collect", *s, "--classify", str(r / "classify.tsv"), *cn,
                 "--out-calls", str(r / "calls.tsv")]) == 0  # fmt: skip
    return d


@pytest.mark.slow
def test_status_reaches_json_html_and_calls(run_dir: Path) -> None:
    r = run_dir / "results"
    calls = pd.read_csv(r / "calls.tsv", sep="\t", dtype=str, keep_default_na=False)
    calls = calls.set_index("sample_id")
    ids = sorted(calls.index)
    mut, plain, none = ids
    cn = pd.read_csv(r / "cn.tsv", sep="\t", dtype=str, keep_default_na=False).set_index(
        "sample_id"
    )
    assert cn.at[mut, "driver_mutations"].startswith(
        "NOTCH1=mutated(p.Leu1594Pro,VAF=0.4839);FBXW7=mutated(p.Arg479Gln,VAF=0.2222);"
        "KRAS=not_found;NRAS=not_found;PTEN=not_found"
    )
    assert cn.at[mut, "oncogenetic_class"] == "low"
    assert set(cn.at[plain, "driver_mutations"].split(";")) == {
        f"{g}=not_assessable_without_annotation" for g in DRIVER_GENES
    }
    assert cn.at[none, "oncogenetic_class"] == "not_assessable"
    assert calls.at[mut, "driver_mutations"] == cn.at[mut, "driver_mutations"]

    rec = json.loads((r / "samples" / f"{mut}.json").read_text())
    d = rec["driver_mutations"]
    notch = d["evidence"]["genes"]["NOTCH1"]["variants"][0]
    assert (notch["alt_reads"], notch["depth"]) == (30, 62)
    assert d["evidence"]["genes"]["KRAS"]["covered_bases"] == 1000
    assert "driver_mutations" not in rec["copy_number"].get("evidence", {})
    html = (r / "samples" / f"{mut}.html").read_text()
    # simulated T-ALL: the first stage calls T lineage, so the T-ALL section shows it all
    assert set(calls["lineage"]) == {"T"}
    assert d["oncogenetic_class"] == "low"
    assert calls.at[mut, "tall_oncogenetic_class"] == "low"
    assert calls.at[none, "tall_oncogenetic_class"] == "not_assessable"
    section = html.split('<section id="t-all">', 1)[1].split("</section>", 1)[0]
    assert "NOTCH1 / FBXW7 / RAS / PTEN mutation status" in section
    assert "p.Leu1594Pro: 30 ALT of 62 reads" in section
    assert "no implemented protocol uses it" in section
    plain_rec = json.loads((r / "samples" / f"{plain}.json").read_text())
    kras = plain_rec["driver_mutations"]["evidence"]["genes"]["KRAS"]
    assert kras["unannotated_variants_in_span"][0].startswith("chr12:25245350 G>T")
