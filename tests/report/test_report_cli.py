"""`allstrat report samples|cohort` and `allstrat collect` on the fixture chunk."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pandas as pd
import pytest
import yaml

from allstrat import DISCLAIMER, contracts
from allstrat.cli import main
from allstrat.provenance import sha256_file

SAMPLES = ["RPT_01", "RPT_02", "RPT_03", "RPT_04"]
SECTIONS = (
    "summary", "subtype", "markers", "copy-number", "allelic", "risk", "qc", "provenance",
)  # fmt: skip


def _schema(root: Path) -> dict:
    return yaml.safe_load((root / "workflow/schemas/sample_result.schema.yaml").read_text())


def test_every_sample_gets_schema_valid_json_and_html(rendered, root):
    validator = jsonschema.Draft202012Validator(_schema(root))
    for sid in SAMPLES:
        rec = json.loads((rendered / "samples" / f"{sid}.json").read_text())
        validator.validate(rec)
        assert rec["sample_id"] == sid
        assert rec["disclaimer"] == DISCLAIMER
        html = (rendered / "samples" / f"{sid}.html").read_text()
        for section in SECTIONS:
            assert f'id="{section}"' in html, (sid, section)
        assert DISCLAIMER in html


def test_html_is_self_contained(rendered):
    for sid in SAMPLES:
        html = (rendered / "samples" / f"{sid}.html").read_text()
        # no fetch of anything: every src is a data URI, no stylesheet/script links
        srcs = re.findall(r'\bsrc="([^"]*)"', html)
        assert all(s.startswith("data:image/") for s in srcs)
        assert "<link" not in html
        assert "<script" not in html
        assert "http://" not in html.replace("http://www.w3.org", "")


def test_style_sheet_is_embedded_verbatim(rendered):
    """The CSS reaches the page unescaped (an escaped ``.bar &gt; span`` rule is dropped by
    the browser and the probability bars draw empty).
    """
    html = (rendered / "samples" / f"{SAMPLES[0]}.html").read_text()
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    assert "&gt;" not in style
    assert "&amp;" not in style
    assert ".bar > span" in style


def test_figures_are_drawn_when_evidence_exists(rendered):
    # RPT_01: stage layouts (marker genes under top_features, segments nested per lesion
    # plus arm states); RPT_02: per-subtype reference quantiles and a flat segment list
    for sid in ("RPT_01", "RPT_02", "RPT_03"):
        h = (rendered / "samples" / f"{sid}.html").read_text()
        figs = re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" class="fig".*?</svg>', h)
        assert len(figs) == 2, sid  # markers + copy number, inline
        for svg in figs:  # well-formed XML with the sample's own data drawn
            root = ElementTree.fromstring(svg)
            assert sid in root.get("aria-label", "")
            assert root.findall(".//{http://www.w3.org/2000/svg}path")
        assert "IKZF1 (7p12)" in figs[1]
        assert "PAR1 (Xp22.33)" in figs[1]
        assert "this sample" in figs[0]
    h4 = (rendered / "samples" / "RPT_04.html").read_text()
    assert "<svg" not in h4  # no segments, no marker genes: said, not drawn
    assert "No segment or probe values were recorded" in h4
    assert "not assessable" in h4


def test_html_shows_the_calls_of_the_json(rendered):
    rec = json.loads((rendered / "samples" / "RPT_01.json").read_text())
    html = (rendered / "samples" / "RPT_01.html").read_text()
    assert rec["subtype"]["call"] in html
    assert "CRLF2-r" in html
    assert "bfm17.ikzf1plus" in html  # decision trace row
    assert "fired" in html
    assert "non-gene features among the top contributors" in html  # sig:Ph-like
    assert "sig:Ph-like" in html
    assert "IKZF1-deleted: maintenance +1 year" in html  # treatment annotation
    assert "homozygous_deleted" in html


def test_provenance_carries_checksums_and_versions(rendered, chunk_dir):
    rec = json.loads((rendered / "samples" / "RPT_02.json").read_text())
    prov = rec["provenance"]
    roles = {i["role"]: i for i in prov["inputs"]}
    # stage files of the chunk: the sha256 of this sample's entries (scope "sample")
    stage = ("classify_table", "classify_explain", "copynumber_table", "copynumber_evidence")
    for role in (*stage, "risk_table", "risk_traces"):
        assert roles[role]["scope"] == "sample", role
        assert roles[role]["sha256"] != sha256_file(roles[role]["path"]), role
    # the sample's own input file: the whole file
    assert "scope" not in roles["expression"]
    assert roles["expression"]["sha256"] == sha256_file(chunk_dir / "counts.tsv")
    assert prov["models"] == [{"model_id": "allstrat-bcell/0.1.0", "sha256": "ab" * 32}]
    assert prov["rulesets"] == {
        "aieop_bfm_2017": "2026.1 sha256:" + "1" * 64,
        "dcog_all11": "2026.1 sha256:" + "2" * 64,
        "nci_rome": "2026.1 sha256:" + "3" * 64,
    }
    assert prov["config_sha256"] == "0" * 64
    assert rec["qc"]["metrics"]["library_size"] > 0


def test_rerun_is_byte_identical(chunk_dir, rendered, tmp_path, report_args):
    assert main(report_args(chunk_dir, tmp_path)) == 0
    for sid in SAMPLES:
        for ext in ("json", "html"):
            a = (rendered / "samples" / f"{sid}.{ext}").read_bytes()
            assert a == (tmp_path / f"{sid}.{ext}").read_bytes(), (sid, ext)


def test_another_samples_change_leaves_a_report_as_it_was(chunk_dir, tmp_path, report_args):
    """Provenance hashes a sample's own entries of the chunk's stage files (issue #14): a
    change of RPT_01's risk rows rewrites RPT_01's report only, with a new checksum.
    """
    import shutil

    work = tmp_path / "chunk"
    shutil.copytree(chunk_dir, work)
    first, second = tmp_path / "first", tmp_path / "second"
    assert main(report_args(work, first)) == 0
    risk = work / "results/risk/chunk_0000.tsv"
    table = pd.read_csv(risk, sep="\t", dtype=str, keep_default_na=False)
    assert (table["sample_id"] == "RPT_01").any()
    table.loc[table["sample_id"] == "RPT_01", "annotations"] = "edited for the test"
    table.to_csv(risk, sep="\t", index=False)
    assert main(report_args(work, second)) == 0

    def role_sha(d: Path, sid: str) -> str:
        rec = json.loads((d / f"{sid}.json").read_text())
        return {i["role"]: i["sha256"] for i in rec["provenance"]["inputs"]}["risk_table"]

    assert role_sha(first, "RPT_01") != role_sha(second, "RPT_01")
    for sid in ("RPT_02", "RPT_03", "RPT_04"):
        for ext in ("json", "html"):
            a, b = (first / f"{sid}.{ext}").read_bytes(), (second / f"{sid}.{ext}").read_bytes()
            assert a == b, (sid, ext)


def test_single_sample_selection(chunk_dir, tmp_path, report_args):
    args = [*report_args(chunk_dir, tmp_path), "--sample", "RPT_03", "--no-html"]
    assert main(args) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["RPT_03.json"]


def test_bad_stage_table_is_one_clear_error(chunk_dir, tmp_path, capsys, report_args):
    bad = tmp_path / "classify.tsv"
    bad.write_text("sample_id\tsubtype\nRPT_01\tDUX4\n")
    args = report_args(chunk_dir, tmp_path / "out")
    args[args.index("--classify") + 1] = str(bad)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "classify table lacks column(s)" in err
    assert str(bad) in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_calls_tsv_and_cohort_h5ad(rendered):
    import anndata as ad

    calls = pd.read_csv(rendered / "calls.tsv", sep="\t", dtype=str, keep_default_na=False)
    assert list(calls["sample_id"]) == SAMPLES
    assert list(calls.columns[: len(contracts.CALLS_COLUMNS)]) == list(contracts.CALLS_COLUMNS)
    # calls.tsv and the per-sample JSON agree
    for _, row in calls.iterrows():
        rec = json.loads((rendered / "samples" / f"{row['sample_id']}.json").read_text())
        assert row["subtype"] == rec["subtype"]["call"]
        assert row["ikzf1plus"] == rec["copy_number"]["ikzf1plus"]
        for r in rec["risk"]:
            assert row[f"risk:{r['protocol']}"] == r["risk_group"]
    adata = ad.read_h5ad(rendered / "cohort.h5ad")
    assert list(adata.obs_names) == SAMPLES
    assert adata.obs.loc["RPT_01", "subtype"] == "Ph-like"
    assert adata.obs.loc["RPT_01", "cn_cdkn2a_status"] == "homozygous_deleted"
    prov = json.loads(adata.uns["allstrat"]["provenance_json"])
    assert prov["stage"] == "collect"
    assert {i["role"] for i in prov["inputs"]} == {
        "classify_table",
        "copynumber_table",
        "risk_table",
    }


def test_collect_refuses_a_sample_missing_from_the_chunks(chunk_dir, tmp_path, capsys):
    sheet = tmp_path / "samples.tsv"
    text = (chunk_dir / "config/samples.tsv").read_text()
    sheet.write_text(text + "RPT_05\tx.tsv\tmatrix\n")
    r = chunk_dir / "results"
    rc = main(
        [
            "collect",
            "--sheet",
            str(sheet),
            "--classify",
            str(r / "classify/chunk_0000.tsv"),
            "--out-calls",
            str(tmp_path / "calls.tsv"),
        ]
    )
    assert rc == 2
    assert "RPT_05" in capsys.readouterr().err
    assert not (tmp_path / "calls.tsv").exists()


def test_cohort_report_sections(rendered):
    html = (rendered / "report" / "cohort.html").read_text()
    for section in ("embedding", "subtypes", "risk", "qc", "provenance"):
        assert f'id="{section}"' in html
    assert "PCA of the cohort" in html
    assert "RPT_04" in html  # the flagged sample is listed in the QC table
    assert DISCLAIMER in html
    srcs = re.findall(r'\bsrc="([^"]*)"', html)
    assert srcs
    assert all(s.startswith("data:image/") for s in srcs)


def test_sample_reports_do_not_import_a_plotting_library():
    """Per-sample figures are SVG text: the report path never pays matplotlib's import."""
    code = (
        "import sys, allstrat.cli.report, allstrat.report.samples, allstrat.report.html;"
        "bad = sorted(m for m in ('matplotlib', 'PIL', 'scanpy') if m in sys.modules);"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def _data_paths(svg: object) -> dict[str, str]:
    """``{stroke colour: path data}`` of the data lines of a copy-number figure."""
    root = ElementTree.fromstring(str(svg))
    paths = root.iter("{http://www.w3.org/2000/svg}path")
    out: dict[str, str] = {}
    for p in paths:
        if p.get("stroke-width") == "2.5":  # one path per colour and panel
            out[p.get("stroke")] = out.get(p.get("stroke"), "") + p.get("d")
    return out


def test_copy_number_figure_draws_each_segment_where_it_lies():
    """A 7p deletion is drawn genome-wide and in IKZF1's zoom; a big gain is clipped."""
    from allstrat.report.figures import SampleFigures, ZoomRegion

    figs = SampleFigures(
        zoom_regions=[ZoomRegion("IKZF1 (7p12)", "7", 49_000_000, 52_000_000, ())],
        y_limits=(-2.5, 2.0),
    )
    seg = {"chrom": "chr7", "start": 50_300_000, "end": 50_400_000, "log2": -1.0}
    gain = {"chrom": "chr1", "start": 1, "end": 248_000_000, "state": "gained"}
    paths = _data_paths(figs.copy_number({"segments": [seg, {**gain, "log2": 5.0}]}))
    assert set(paths) == {"#2171b5", "#cb181d"}  # deleted (log2 <= -0.3) and gained
    assert paths["#2171b5"].count("M") == 2  # genome-wide + zoom panel
    assert paths["#cb181d"].count("M") == 1  # chr1 is not in the zoom window
    at_limit = _data_paths(figs.copy_number({"segments": [{**gain, "log2": 2.0}]}))
    assert paths["#cb181d"] == at_limit["#cb181d"]  # +5 drawn at the border (+2)
    inside = _data_paths(figs.copy_number({"segments": [{**gain, "log2": 1.0}]}))
    assert inside["#cb181d"] != at_limit["#cb181d"]
    assert figs.copy_number({"segments": []}) is None


@pytest.mark.slow
def test_cohort_report_with_umap_and_subsample(rendered, tmp_path):
    """UMAP path (numba compile makes it slow) and the subsample note."""
    assert (
        main(
            [
                "report",
                "cohort",
                "--calls",
                str(rendered / "calls.tsv"),
                "--cohort",
                str(rendered / "cohort.h5ad"),
                "--max-points",
                "3",
                "--out",
                str(tmp_path / "c.html"),
            ]
        )
        == 0
    )
    html = (tmp_path / "c.html").read_text()
    assert "3 of 4 samples drawn" in html
    assert "UMAP needs at least 10 samples" in html


def test_rerun_renders_only_samples_whose_record_changed(chunk_dir, tmp_path, report_args):
    from allstrat.report.samples import render_key

    keys = tmp_path / "keys.json"
    args = [*report_args(chunk_dir, tmp_path / "out"), "--keys", str(keys)]
    assert main(args) == 0
    out = tmp_path / "out"
    inodes = {p.name: p.stat().st_ino for p in out.iterdir()}
    recorded = json.loads(keys.read_text())
    for sid in SAMPLES:
        rec = json.loads((out / f"{sid}.json").read_text())
        assert recorded[sid] == render_key(rec)
    (out / "RPT_03.html").unlink()
    assert main(args) == 0
    now = {p.name: p.stat().st_ino for p in out.iterdir()}
    rewritten = sorted(n for n in now if now[n] != inodes.get(n))
    # RPT_03.json was rendered again (a rewrite gets a new inode while the old file still
    # exists); every other sample's files are the very same files. The deleted HTML is back
    # (its inode number may be reused, so it is checked by existence).
    assert "RPT_03.json" in rewritten
    assert set(rewritten) <= {"RPT_03.html", "RPT_03.json"}
    assert (out / "RPT_03.html").stat().st_size > 5000
    # a changed record (here: another config hash) renders everything again
    other = [a if a != "0" * 64 else "1" * 64 for a in args]
    assert main(other) == 0
    assert all(p.stat().st_ino != now[p.name] for p in out.iterdir())


def test_allelic_section_shows_the_vcf_evidence_per_chromosome(rendered):
    """RPT_03 carries the allelic module's summary of a hyperdiploid RNA VCF (trisomies
    4, 6, 10, 14, 17, 18, X at 1:2): JSON field, table row and BAF histogram per chromosome.
    """
    trisomies = {"chr4", "chr6", "chr10", "chr14", "chr17", "chr18", "chrX"}
    rec = json.loads((rendered / "samples" / "RPT_03.json").read_text())
    al = rec["copy_number"]["allelic"]
    assert al["status"] == "assessed"
    assert al["loh_chromosomes"] == []
    assert al["build_check"]["status"] == "consistent"
    chroms = al["chromosomes"]
    assert {c for c, v in chroms.items() if v["state"] == "imbalanced"} == trisomies
    for c in trisomies:
        assert 0.25 < chroms[c]["median_mirrored_baf"] < 0.42
    assert chroms["chr1"]["median_mirrored_baf"] > 0.42
    h = (rendered / "samples" / "RPT_03.html").read_text()
    table = re.search(r'<table id="allelic-chromosomes">.*?</table>', h, re.S)
    assert table is not None
    rows = re.findall(r"<tr><td>(chr[0-9XY]+)</td>(.*?)</tr>", table.group(0), re.S)
    assert [c for c, _ in rows][:3] == ["chr1", "chr2", "chr3"]  # genome order, not text
    assert len(rows) == 23
    by_chrom = dict(rows)
    assert "imbalanced" in by_chrom["chr4"]
    assert "heterozygous" in by_chrom["chr1"]
    svgs = re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" class="baf".*?</svg>', h)
    assert len(svgs) == 23
    root = ElementTree.fromstring(svgs[3])
    assert root.get("aria-label", "").startswith("chr4: mirrored BAF histogram")
    assert len(root.findall(".//{http://www.w3.org/2000/svg}rect")) >= 3
    for sid in ("RPT_01", "RPT_04"):  # no variants file: said, not drawn
        other = json.loads((rendered / "samples" / f"{sid}.json").read_text())
        assert other["copy_number"]["allelic"]["status"] == "not_given"
        assert "allele evidence not given" in (rendered / "samples" / f"{sid}.html").read_text()


def test_only_records_written_are_validated(chunk_dir, tmp_path, report_args, monkeypatch):
    """Schema validation (most of a no-change chunk rerun's work) is done for the records
    written; a skipped sample's unchanged key stands for a record that passed when written.
    """
    import allstrat.report.assemble as assemble

    seen: list[str] = []
    real = assemble.validate_record
    monkeypatch.setattr(
        assemble, "validate_record", lambda rec: (seen.append(rec["sample_id"]), real(rec))
    )
    keys = tmp_path / "keys.json"
    args = [*report_args(chunk_dir, tmp_path / "out"), "--keys", str(keys)]
    assert main(args) == 0
    assert sorted(seen) == SAMPLES
    seen.clear()
    (tmp_path / "out" / "RPT_02.json").unlink()
    assert main(args) == 0
    assert seen == ["RPT_02"]
    # a record that breaks the schema is still refused when it is written
    seen.clear()
    (tmp_path / "out" / "RPT_04.json").unlink()
    monkeypatch.setattr(assemble, "_validator", lambda: _RejectAll())
    assert main(args) == 2
    assert not (tmp_path / "out" / "RPT_04.json").exists()


class _RejectAll:
    def iter_errors(self, record):
        yield jsonschema.ValidationError("rejected", path=["subtype"])


def test_render_key_covers_the_result_schema(tmp_path, monkeypatch, root):
    """Changing the schema renders (and so validates) every sample again."""
    import allstrat.report.samples as samples

    rec = {"sample_id": "S1", "schema_version": "1"}
    samples._renderer_fingerprint.cache_clear()
    before = samples.render_key(rec)
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    text = (root / "workflow/schemas/sample_result.schema.yaml").read_text()
    (schemas / "sample_result.schema.yaml").write_text(text + "\n# changed\n")
    monkeypatch.setattr(samples, "SCHEMA_DIR", schemas)
    samples._renderer_fingerprint.cache_clear()
    try:
        assert samples.render_key(rec) != before
    finally:
        samples._renderer_fingerprint.cache_clear()
