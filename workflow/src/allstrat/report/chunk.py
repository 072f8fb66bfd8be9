"""``report samples`` of one chunk: gather the stage outputs, add provenance, render.

:func:`report_chunk` reads what the classify, copy-number and risk stages wrote for a
chunk (:mod:`allstrat.io.stage_tables`, :mod:`allstrat.io.chunk`), builds each sample's
provenance (stage files, the sample's own input files with the checksums the import stage
recorded, models, rule sets), assembles the records
(:func:`allstrat.report.assemble.assemble_records`) and writes them
(:func:`allstrat.report.samples.write_sample_reports`).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from allstrat.io.fusions import split_sources
from allstrat.provenance import build_provenance, file_record

logger = logging.getLogger(__name__)

__all__ = ["ChunkOutputs", "report_chunk"]

_SHEET_FILE_COLUMNS = ("expression", "copy_number", "fusions")
#: role of each stage file (ChunkOutputs field -> provenance role)
_STAGE_ROLES = {
    "classify": "classify_table",
    "explain": "classify_explain",
    "copynumber": "copynumber_table",
    "cn_evidence": "copynumber_evidence",
    "risk": "risk_table",
    "traces": "risk_traces",
    "expression": "expression_h5ad",
}


@dataclass(frozen=True)
class ChunkOutputs:
    """The files the stages wrote for one chunk (``None`` = that stage did not run)."""

    classify: str
    explain: str | None = None
    copynumber: str | None = None
    cn_evidence: str | None = None
    risk: str | None = None
    traces: str | None = None
    expression: str | None = None


def report_chunk(
    rows: pd.DataFrame,
    outputs: ChunkOutputs,
    *,
    outdir: str | Path,
    config_hash: str = "",
    html: bool = True,
    keys: str | Path | None = None,
    default_genome_build: str = "GRCh38",
) -> list[Path]:
    """Write ``<outdir>/<sample>.json`` (+ ``.html``) for the sample-sheet ``rows``.

    ``keys``: render-key file of the previous run (unchanged samples are not rendered
    again; :func:`allstrat.report.samples.write_sample_reports`).
    ``default_genome_build``: build of a copy-number file whose sheet row gives none (config
    ``genome_build``), to read a shared file's rows as the copy-number stage did.
    Returns the files written.
    """
    from allstrat.io.gene_table import load_gene_table
    from allstrat.report.figures import SampleFigures, default_zoom_regions
    from allstrat.report.samples import write_sample_reports

    t0 = time.perf_counter()
    # reading the stage files builds millions of objects that live until the end: the
    # cyclic garbage collector's full passes over them while they were parsed took ~10%
    # of the job's CPU (JSON holds no cycles), and they are frozen out of its passes
    # while the reports are rendered
    with _gc_paused():
        records = _records(rows, outputs, config_hash, default_genome_build)
        gc.freeze()  # before collection resumes: its first pass would scan all of them
    figures = SampleFigures(
        zoom_regions=default_zoom_regions(_zoom_coordinates(load_gene_table().table))
    )
    try:
        written = write_sample_reports(
            records, outdir=outdir, figures=figures, html=html, keys=keys
        )
    finally:
        gc.unfreeze()
        figures.close()
    logger.info("report samples: %d samples in %.2f s", len(records), time.perf_counter() - t0)
    return written


def _records(
    rows: pd.DataFrame, outputs: ChunkOutputs, config_hash: str, default_genome_build: str
) -> dict[str, dict[str, Any]]:
    """The result records of the sample-sheet ``rows`` from the chunk's stage files."""
    from allstrat.io.chunk import expression_qc
    from allstrat.io.risk_traces import read_risk_traces
    from allstrat.io.stage_tables import (
        read_classify_table,
        read_copynumber_table,
        read_risk_table,
        read_sidecar,
    )
    from allstrat.report.assemble import assemble_records

    ids = [str(s) for s in rows.index]
    o = outputs
    classify = read_classify_table(o.classify)
    risk = read_risk_table(o.risk) if o.risk else None
    traces = read_risk_traces(o.traces)
    qc_metrics, upstream, recorded = expression_qc(o.expression)
    rulesets = _ruleset_versions(risk, traces)
    stage = {  # what the stages wrote, as the records and their provenance read it
        "classify": classify,
        "explain": read_sidecar(o.explain, what="classify explanation"),
        "copynumber": read_copynumber_table(o.copynumber) if o.copynumber else None,
        "cn_evidence": read_sidecar(o.cn_evidence, what="copy-number evidence"),
        "risk": risk,
        "traces": traces,
    }
    entries = _StageEntries(**stage, expression={"qc": qc_metrics, "file": recorded})
    shared_cn = shared_copy_number_records(rows, default_genome_build)
    per_sample: dict[str, dict[str, Any]] = {}
    for sid in ids:
        row = classify.loc[sid] if sid in classify.index else None
        known = {"expression": recorded[sid]} if sid in recorded else {}
        if sid in shared_cn:
            known["copy_number"] = shared_cn[sid]
        per_sample[sid] = build_provenance(
            stage="report samples",
            inputs=[*entries.records(o, sid), *_sample_inputs(rows.loc[sid], known)],
            models=[]
            if row is None
            else [{"model_id": row["model_id"], "sha256": row["model_sha256"]}],
            rulesets=rulesets,
            config_hash=config_hash,
            upstream={"expression": upstream} if upstream else None,
        )
    records = assemble_records(
        ids,
        **stage,
        qc_metrics=qc_metrics,
        # every sample gets its own record (provenance_by_sample): no chunk-wide fallback,
        # so the chunk's stage files are not hashed whole (~0.5 GB at 2,500 samples)
        provenance=build_provenance(stage="report samples", inputs=[]),
        provenance_by_sample=per_sample,
        sources={k: v for k in ("classify", "copynumber", "risk") if (v := getattr(o, k))},
        validate=False,  # write_sample_reports validates the records it writes
    )
    return records


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No automatic cyclic garbage collection inside the block (restored after)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _StageEntries:
    """One sample's entries in each of the chunk's stage files, for its provenance.

    A report's provenance names each stage file with the sha256 of *this sample's*
    entries in it (``scope: sample``), not of the whole chunk file: the file's checksum
    changes whenever any sample of the chunk changes, which would make every report of
    the chunk differ and be written again for one changed sample (issue #14). The
    content hashed is what the report read: the sample's table rows, its sidecar entry,
    its expression QC metrics and input-file record.
    """

    def __init__(self, **parts: Any) -> None:
        self.parts = parts
        self.rows = {k: _rows_by_sample(v) for k, v in parts.items() if isinstance(v, pd.DataFrame)}

    def _content(self, field: str, sid: str) -> Any:
        if field in self.rows:
            columns, rows = self.rows[field]
            mine = rows.get(sid)
            return None if mine is None else {"columns": columns, "data": mine}
        part = self.parts.get(field)
        if field == "expression":
            return {k: v.get(sid) for k, v in part.items()} if part else None
        return part.get(sid) if part else None

    def records(self, outputs: ChunkOutputs, sid: str) -> list[dict[str, str]]:
        """Path, role, ``scope: sample`` and sha256 of the sample's entries, per stage file."""
        out = []
        for field, role in _STAGE_ROLES.items():
            path = getattr(outputs, field)
            if not path:
                continue
            # stage files are written with sorted keys and fixed columns: the order is given
            out.append(sample_scope_record(path, role, self._content(field, sid)))
        return out


def sample_scope_record(path: str | Path, role: str, content: Any) -> dict[str, str]:
    """Input record of one sample's entries in a multi-sample file (``scope: sample``):
    the sha256 of their JSON text (``{"columns", "data"}`` for table rows).
    """
    sha = hashlib.sha256(json.dumps(content, default=str).encode()).hexdigest()
    return {"path": str(path), "role": role, "scope": "sample", "sha256": sha}


def shared_copy_number_records(
    rows: pd.DataFrame, default_genome_build: str
) -> dict[str, dict[str, str]]:
    """Sample -> its copy-number input record, for files the sheet lists for several samples.

    Such a file (a cohort SEG, a multi-sample MLPA or gene-level table) is recorded by the
    sha256 of *this sample's* rows as the copy-number reader returns them (``scope:
    sample``; JSON of the column names and row values, as for the stage tables), not of the
    whole file: a change to another sample's rows leaves this record, and this report, as
    they were (issue #14). Files of one sample keep their whole-file checksum.
    """
    from allstrat.io.copynumber_readers import read_copy_number_for_samples
    from allstrat.io.samples import SHARED_FILES

    shared = rows.attrs.get(SHARED_FILES, frozenset())
    if not shared or "copy_number" not in rows.columns:
        return {}
    mine = rows[rows["copy_number"].astype(str).isin(shared)]
    if mine.empty:
        return {}
    out: dict[str, dict[str, str]] = {}
    data = read_copy_number_for_samples(mine, genome_build=default_genome_build)
    for sid, (_fmt, table) in data.items():
        content = {
            "columns": [str(c) for c in table.columns],
            "data": table.to_numpy(dtype=object).tolist(),
        }
        out[sid] = sample_scope_record(mine.at[sid, "copy_number"], "copy_number", content)
    return out


def _rows_by_sample(table: pd.DataFrame) -> tuple[list[str], dict[str, list[list[Any]]]]:
    """Column names and each sample's rows (lists of values) of a stage table, in one pass."""
    ids = table["sample_id"] if "sample_id" in table.columns else table.index.to_series()
    rows: dict[str, list[list[Any]]] = {}
    for sid, values in zip(ids.astype(str), table.to_numpy(dtype=object).tolist(), strict=True):
        rows.setdefault(sid, []).append(values)
    return [str(c) for c in table.columns], rows


def _ruleset_versions(risk: pd.DataFrame | None, traces: Mapping[str, Any]) -> dict[str, str]:
    """Protocol -> rule-set version(s) of the risk table, with the file sha256 of the traces."""
    rulesets: dict[str, str] = {}
    if risk is not None:
        for proto, versions in risk.groupby("protocol")["ruleset_version"]:
            rulesets[str(proto)] = ";".join(sorted({v for v in versions if v}))
    # the risk stage records each rule-set file's sha256 in its traces: keep it with the version
    meta_rulesets = traces.get("__meta__", {}).get("rulesets", {})
    for proto, info in meta_rulesets.items() if isinstance(meta_rulesets, Mapping) else ():
        if proto in rulesets and isinstance(info, Mapping) and info.get("sha256"):
            rulesets[proto] += f" sha256:{info['sha256']}"
    return rulesets


def _sample_inputs(
    row: Mapping[str, Any], known: Mapping[str, dict[str, str]]
) -> list[dict[str, str]]:
    """Input-file records of one sample: checksums the import stage recorded, else hashed."""
    out = []
    for col in _SHEET_FILE_COLUMNS:
        value = str(row.get(col, "") or "")
        if not value:
            continue
        if col in known:
            out.append(known[col])
            continue
        # fusions may list several caller files (';'-separated)
        paths = split_sources(value) if col == "fusions" else [value]
        for path in paths:
            if Path(path).is_file():
                out.append(file_record(path, role=col))
            else:
                logger.warning(
                    "sample %s: %s file %s not found; not checksummed", row["sample_id"], col, path
                )
    return out


def _zoom_coordinates(genes: pd.DataFrame) -> dict[str, tuple[str, int, int]]:
    """(chrom, start, end) of the genes of the zoomed loci that the gene table holds."""
    from allstrat.report.figures import ZOOM_LOCI

    wanted = [g for _, locus in ZOOM_LOCI for g in locus if g in genes.index]
    return {
        g: (str(genes.at[g, "chrom"]), int(genes.at[g, "start"]), int(genes.at[g, "end"]))
        for g in wanted
    }
