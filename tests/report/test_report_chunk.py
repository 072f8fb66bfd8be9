"""``allstrat.report.chunk.report_chunk`` called as a library function (no CLI)."""

from __future__ import annotations

import json

from allstrat.io.chunk import expression_qc
from allstrat.io.samples import read_sample_sheet
from allstrat.report.chunk import ChunkOutputs, report_chunk


def test_report_chunk_without_optional_stages_writes_json_only(chunk_dir, tmp_path):
    rows = read_sample_sheet(chunk_dir / "config/samples.tsv")
    r = chunk_dir / "results"
    outputs = ChunkOutputs(classify=str(r / "classify/chunk_0000.tsv"))
    written = report_chunk(rows, outputs, outdir=tmp_path, html=False, config_hash="ab" * 32)
    assert sorted(p.name for p in written) == sorted(f"{s}.json" for s in rows.index)
    rec = json.loads(written[0].read_text())
    prov = rec["provenance"]
    assert prov["config_sha256"] == "ab" * 32
    assert [i["role"] for i in prov["inputs"]][:1] == ["classify_table"]
    assert rec["risk"] == []  # no risk stage: no assignment, never a default group


def test_expression_qc_reads_metrics_and_recorded_checksums(chunk_dir):
    metrics, upstream, recorded = expression_qc(chunk_dir / "results/expression/chunk_0000.h5ad")
    assert metrics
    assert all(isinstance(v, float) or v is None for m in metrics.values() for v in m.values())
    assert "harmonisation_json" not in upstream
    assert expression_qc(None) == ({}, {}, {})
    assert all(r["role"] == "expression" for r in recorded.values())
