"""Every file of the bad-input corpus is refused loudly and leaves nothing in results/.

Each row of ``bad_inputs/MANIFEST.tsv`` is driven through the real CLI verb that reads
that kind of file (in-process, ``allstrat.cli.main``). A case passes when the verb exits
with status 2, prints one ``allstrat <verb>: error: ...`` line that names the file, the
line or sample (as the manifest says) and the expected fragment, and ``results/`` holds no
file afterwards (not even a temporary one). The valid originals the cases are made from
must be accepted, so a case cannot pass because its template was broken.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from .conftest import CORPUS, files_under, run_cli

MANIFEST = CORPUS / "MANIFEST.tsv"
SHEET_HEAD = (
    "sample_id\texpression\texpression_format\tcopy_number\tcopy_number_format\t"
    "fusions\tfusions_format\tgenome_build\tblast_fraction\tvariants\tvariants_format\t"
    "variants_sample\n"
)
VALID_MATRIX = "inputs/valid/matrix.tsv"


def _manifest() -> list[dict[str, str]]:
    with MANIFEST.open(newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


CASES = _manifest()


def _sheet(
    tmp: Path,
    *,
    expr: str = "",
    efmt: str = "",
    cn: str = "",
    cfmt: str = "",
    fus: str = "",
    ffmt: str = "",
    build: str = "GRCh38",
    var: str = "",
    vfmt: str = "",
    vsample: str = "",
) -> str:
    row = "\t".join(["S1", expr, efmt, cn, cfmt, fus, ffmt, build, "", var, vfmt, vsample])
    (tmp / "sheet.tsv").write_text(SHEET_HEAD + row + "\n")
    return "sheet.tsv"


def argv_for(verb: str, file: str, fmt: str, tmp: Path) -> list[str]:
    """The CLI call that reads ``file`` the way the workflow would."""
    if verb == "expression":
        sheet = _sheet(tmp, expr=file, efmt=fmt)
        return ["import-expression", "--sheet", sheet, "--out", "results/expression/c.h5ad"]
    if verb == "sheet":
        return ["import-expression", "--sheet", file, "--out", "results/expression/c.h5ad"]
    if verb in ("copynumber", "variants"):
        cfmt, _, build = fmt.partition(":")
        if verb == "copynumber":
            sheet = _sheet(tmp, cn=file, cfmt=cfmt, build=build or "GRCh38")
        else:
            sheet = _sheet(tmp, var=file, vfmt=cfmt, build=build or "GRCh38")
        return [
            "copynumber", "--sheet", sheet, "--out", "results/copynumber/c.tsv",
            "--evidence", "results/copynumber/c.evidence.json",
        ]  # fmt: skip
    classify_out = ["--out", "results/classify/c.tsv", "--explain", "results/classify/c.json"]
    if verb == "counts":
        return ["classify", "--counts", file, "--format", fmt, *classify_out]
    if verb == "fusions":
        sheet = _sheet(tmp, expr=VALID_MATRIX, efmt="matrix", fus=file, ffmt=fmt)
        return ["classify", "--counts", VALID_MATRIX, "--sheet", sheet, *classify_out]
    if verb == "model":
        return ["classify", "--counts", VALID_MATRIX, "--model", file, *classify_out]
    risk_out = ["--out", "results/risk/c.tsv", "--traces", "results/risk/c.traces.json"]
    if verb == "clinical":
        return ["risk", "--sample", "S1", "--clinical", file, *risk_out]
    if verb == "mrd":
        return ["risk", "--sample", "S1", "--mrd", file, *risk_out]
    if verb == "lab":
        return ["risk", "--sample", "S1", "--lab-genetics", file, *risk_out]
    if verb == "stage":
        return ["risk", "--classify", file, *risk_out]
    raise AssertionError(f"unknown verb {verb!r} in the manifest")


def test_manifest_is_large_and_consistent() -> None:
    """At least 40 cases, every file present, every row complete, no file listed twice."""
    assert len(CASES) >= 40
    files = [c["file"] for c in CASES]
    assert len(set(files)) == len(files)
    for c in CASES:
        assert (CORPUS / c["file"]).is_file(), c["file"]
        assert all(c[k] for k in ("category", "expected", "where", "names")), c
        assert c["where"] == "file" or c["where"].split(":")[0] in {"line", "sample"}, c
    on_disk = {
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.is_file()
        and p.parts[len(CORPUS.parts)] not in {"valid"}
        and p.suffix != ".py"
        and p.name not in {"MANIFEST.tsv", "README.md"}
    }
    assert on_disk == set(files), "corpus files without a manifest row (or vice versa)"


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_bad_input_is_refused(
    case: dict[str, str], workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2, one clear line naming file + line/sample + what was expected, no output."""
    file = f"inputs/{case['file']}"
    res = run_cli(argv_for(case["verb"], file, case["format"], workdir), capsys)
    lines = [ln for ln in res.stderr.splitlines() if ": error: " in ln]
    assert res.code == 2, f"exit {res.code}; stderr:\n{res.stderr}"
    assert len(lines) == 1, res.stderr
    msg = lines[0]
    assert "Traceback" not in res.stderr
    assert case["names"] in msg, f"message does not name {case['names']}: {msg}"
    assert case["expected"].lower() in msg.lower(), msg
    kind, _, value = case["where"].partition(":")
    if kind == "line":
        assert f"line {value}" in msg, msg
    elif kind == "sample":
        assert f"sample {value!r}" in msg, msg
    assert files_under(workdir / "results") == [], "partial output left in results/"


VALID_CASES = [
    ("expression", "valid/matrix.tsv", "matrix"),
    ("expression", "valid/S1.htseq.counts", "htseq"),
    ("expression", "valid/S1.featureCounts.txt", "featurecounts"),
    ("expression", "valid/S1.quant.genes.sf", "salmon"),
    ("expression", "valid/S1.ReadsPerGene.out.tab", "star"),
    ("copynumber", "valid/S1.seg", "seg"),
    ("copynumber", "valid/S1.cns", "cnvkit"),
    ("copynumber", "valid/S1.mlpa.tsv", "mlpa"),
    ("copynumber", "valid/S1.gene_calls.tsv", "gene_calls"),
    ("sheet", "valid/samples.tsv", ""),
    ("fusions", "valid/S1.arriba.fusions.tsv", "arriba"),
    ("fusions", "valid/S1.final-list_candidate-fusion-genes.txt", "fusioncatcher"),
    ("fusions", "valid/S1.header_only.final-list_candidate-fusion-genes.txt", "fusioncatcher"),
    ("fusions", "valid/S1.cicero.final_fusions.txt", "cicero"),
    ("fusions", "valid/jaffa_results.csv", "jaffa"),
    ("clinical", "valid/clinical.tsv", ""),
    ("mrd", "valid/mrd.tsv", ""),
    ("lab", "valid/lab_genetics.tsv", ""),
]


@pytest.mark.parametrize(("verb", "file", "fmt"), VALID_CASES, ids=[v[1] for v in VALID_CASES])
def test_valid_original_is_accepted(
    verb: str, file: str, fmt: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The templates of the corpus are valid: the same call succeeds and writes output."""
    res = run_cli(argv_for(verb, f"inputs/{file}", fmt, workdir), capsys)
    assert res.code == 0, res.stderr
    assert files_under(workdir / "results")
    assert not [p for p in files_under(workdir / "results") if p.name.startswith(".tmp-")]


def _copynumber_result(workdir: Path) -> tuple[dict[str, str], dict]:
    import json

    with (workdir / "results/copynumber/c.tsv").open(newline="") as fh:
        row = next(csv.DictReader(fh, delimiter="\t"))
    evidence = json.loads((workdir / "results/copynumber/c.evidence.json").read_text())
    return row, evidence["samples"]["S1"]


VCF_LAYOUTS = ["S1.vcf", "S1.vcf.gz", "S1.bcf", "S1.bare_contigs.vcf", "S1.no_dp.vcf"]


@pytest.mark.parametrize("file", VCF_LAYOUTS)
def test_vcf_layouts_are_accepted(
    file: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Plain / bgzipped / BCF, ``chr1`` or ``1`` contigs, no FORMAT/DP: the same calls.

    The corpus VCF is a heterozygous diploid genome (24 SNVs per chromosome, every
    fifth homozygous ALT), so every chromosome must come out heterozygous, none LOH,
    with the same per-chromosome site counts whatever the layout.
    """
    res = run_cli(argv_for("variants", f"inputs/valid/{file}", "vcf", workdir), capsys)
    assert res.code == 0, res.stderr
    row, ev = _copynumber_result(workdir)
    assert row["allelic_evidence"] == "assessed"
    assert row["loh_chromosomes"] == ""
    chroms = ev["allelic"]["chromosomes"]
    assert len(chroms) == 23
    assert {v["class"] for v in chroms.values()} == {"heterozygous"}
    assert {v["n_sites"] for v in chroms.values()} == {24}
    assert {v["n_het_sites"] for v in chroms.values()} <= {19, 20}
    assert ev["allelic"]["input"]["caller"] == "GATK HaplotypeCaller"


def test_somatic_only_vcf_is_not_assessable_never_loh(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Mutect2 tumour/normal file has no germline het sites: not assessable, no LOH."""
    sheet = _sheet(workdir, var="inputs/valid/S1.somatic_only.vcf", vfmt="vcf", vsample="PT1_T")
    argv = [
        "copynumber", "--sheet", sheet, "--out", "results/copynumber/c.tsv",
        "--evidence", "results/copynumber/c.evidence.json",
    ]  # fmt: skip
    res = run_cli(argv, capsys)
    assert res.code == 0, res.stderr
    row, ev = _copynumber_result(workdir)
    assert row["allelic_evidence"] == "not_assessable"
    assert row["loh_chromosomes"] == ""
    assert row["karyotype_class"] == "not_assessable"
    assert "allele_data_not_assessable" in row["cn_qc_flags"].split(";")
    assert ev["allelic"]["input"]["somatic_caller_file"] is True
    assert "somatic-only" in ev["allelic"]["reason"]
    assert not any(v.get("class") == "LOH" for v in ev["allelic"].get("chromosomes", {}).values())


@pytest.mark.parametrize(("build", "flagged"), [("GRCh38", True), ("GRCh37", False)])
def test_hg19_positions_declared_grch38_are_flagged(
    build: str,
    flagged: bool,
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """hg19 positions (no ##contig lines to betray them) declared GRCh38: a QC flag, a
    warning naming sample and file, the check in the evidence, hotspots not assessable.
    Declared GRCh37, the same file is consistent.
    """
    file = "inputs/valid/S1.hg19_positions.vcf"
    res = run_cli(argv_for("variants", file, f"vcf:{build}", workdir), capsys)
    assert res.code == 0, res.stderr
    row, ev = _copynumber_result(workdir)
    chk = ev["allelic"]["build_check"]
    assert chk["file"] == file
    flags = row["cn_qc_flags"].split(";")
    if flagged:
        assert chk["status"] == "mismatch_suspected"
        assert chk["in_gene_fraction"]["GRCh37"] - chk["in_gene_fraction"]["GRCh38"] >= 0.2
        assert "genome_build_mismatch_suspected" in flags
        warn = [r.getMessage() for r in caplog.records if "looks like GRCh37" in r.getMessage()]
        assert warn
        assert "sample S1" in warn[0]
        assert "S1.hg19_positions.vcf" in warn[0]
        assert all(h["status"] == "not_assessable" for h in ev["hotspots"]["calls"].values())
    else:
        assert chk["status"] == "consistent"
        assert "genome_build_mismatch_suspected" not in flags
    assert row["allelic_evidence"] == "assessed"
