"""``allstrat.report.chunk.report_chunk`` called as a library function (no CLI)."""

from __future__ import annotations

import json

import pytest

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


def test_stage_files_are_read_without_gc_passes_and_frozen_while_rendering(
    chunk_dir, tmp_path, monkeypatch
):
    # the cyclic collector's full passes over the parsed stage files took ~15% of a
    # 2,500-sample job: reading runs with collection off, rendering with them frozen,
    # and the collector is back to normal afterwards (also after an error)
    import gc

    from allstrat.io import stage_tables
    from allstrat.report import samples

    seen: dict[str, object] = {}
    read_sidecar = stage_tables.read_sidecar

    def reading(*args, **kwargs):
        seen.setdefault("reading", gc.isenabled())
        return read_sidecar(*args, **kwargs)

    def rendering(records, **kwargs):
        seen["rendering"] = (gc.isenabled(), gc.get_freeze_count() > 0)
        raise RuntimeError("stop")

    monkeypatch.setattr(stage_tables, "read_sidecar", reading)
    monkeypatch.setattr(samples, "write_sample_reports", rendering)
    rows = read_sample_sheet(chunk_dir / "config/samples.tsv")
    r = chunk_dir / "results"
    outputs = ChunkOutputs(
        classify=str(r / "classify/chunk_0000.tsv"),
        traces=str(r / "risk/chunk_0000.traces.json"),
        risk=str(r / "risk/chunk_0000.tsv"),
    )
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="stop"):
        report_chunk(rows, outputs, outdir=tmp_path)
    assert seen == {"reading": False, "rendering": (True, True)}
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
