"""Reconcile one chunk: read the classify and copy-number stage outputs, apply
:func:`allstrat.classify.consistency.reconcile_table`, write the final call table and its
explanation through :mod:`allstrat.io` (the ``allstrat reconcile`` verb's work).
"""

from __future__ import annotations

import argparse
import logging

import pandas as pd

from allstrat.classify.consistency import ConsistencySettings, reconcile_table
from allstrat.contracts import CLASSIFY_COLUMNS, COPYNUMBER_COLUMNS
from allstrat.errors import InputError
from allstrat.io.output import write_json, write_tsv
from allstrat.io.stage_tables import read_sidecar, read_stage_table
from allstrat.provenance import build_provenance, file_record
from allstrat.serialise import to_plain

logger = logging.getLogger(__name__)

__all__ = ["add_arguments", "reconcile_chunk", "run"]

_FILES = {"--classify": True, "--explain": False, "--copynumber": False, "--cn-evidence": False,
          "--out": True, "--out-explain": True}  # fmt: skip


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``allstrat reconcile``: stage files in and out, the config section."""
    for opt, required in _FILES.items():
        p.add_argument(opt, required=required, help=f"{opt[2:]} file of the chunk")
    p.add_argument("--config-section", default="", help="config section consistency (JSON|FILE)")


def run(args: argparse.Namespace) -> int:
    """The verb: settings from ``--config-section``, then :func:`reconcile_chunk`."""
    from allstrat.config import load_section, read_section_text

    reconcile_chunk(
        args, load_section("consistency", read_section_text(args.config_section, "consistency"))
    )
    return 0


def reconcile_chunk(args: argparse.Namespace, settings: ConsistencySettings) -> None:
    """Reconcile every sample of the chunk and write both outputs atomically."""
    table = read_stage_table(args.classify, "classify", CLASSIFY_COLUMNS)
    assert table is not None
    cn = read_stage_table(args.copynumber, "copynumber", COPYNUMBER_COLUMNS)
    cn_rows = {} if cn is None else {r["sample_id"]: r for r in cn.to_dict("records")}
    evidence = read_sidecar(args.cn_evidence, what="copy-number evidence")
    explain = read_sidecar(args.explain, what="classify explanation")
    meta = explain.pop("__meta__", {})
    missing = [
        r["sample_id"]
        for r in table.to_dict("records")
        if cn is not None and r["sample_id"] not in cn_rows
    ]
    if missing:
        raise InputError(
            "sample has no row in the copy-number table", path=args.copynumber, sample=missing[0]
        )
    rows, samples, changed = reconcile_table(
        table.to_dict("records"), cn_rows, evidence=evidence, explain=explain, settings=settings
    )
    write_tsv(args.out, pd.DataFrame(rows, columns=list(table.columns)))
    inputs = [
        file_record(p, role=r)
        for p, r in (
            (args.classify, "classify_table"),
            (args.explain, "classify_explain"),
            (args.copynumber, "copynumber_table"),
            (args.cn_evidence, "copynumber_evidence"),
        )
        if p
    ]
    prov = build_provenance(
        stage="reconcile",
        inputs=inputs,
        settings=settings.as_dict(),
        upstream={"classify": meta.get("provenance", {})} if meta.get("provenance") else None,
    )
    out = {**{k: v for k, v in meta.items() if k != "provenance"}, "provenance": prov}
    write_json(args.out_explain, to_plain({**out, "samples": samples}))
    logger.info("reconcile: %d samples, %d calls changed", len(rows), changed)
