"""``allstrat reconcile``: a chunk's final subtype calls, checked against karyotype evidence.

Hotspot evidence too; the rules are in :mod:`allstrat.classify.consistency`.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

import pandas as pd

from allstrat.classify.consistency import ConsistencySettings, reconcile_call
from allstrat.cli._common import add_config_section, config_section
from allstrat.contracts import CLASSIFY_COLUMNS, COPYNUMBER_COLUMNS
from allstrat.errors import InputError
from allstrat.io.output import write_json, write_tsv
from allstrat.io.stage_tables import read_sidecar, read_stage_table
from allstrat.provenance import build_provenance, file_record
from allstrat.serialise import to_plain

logger = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``reconcile`` verb."""
    p = sub.add_parser(
        "reconcile",
        help="check subtype calls against karyotype / hotspot evidence (final call table)",
        description="Read a chunk's classify table + explanation and its copy-number table + "
        "evidence; check Hyperdiploid / Near haploid / Low hypodiploid / iAMP21 calls against "
        "the karyotype evidence (RNA dosage, allele fractions, DNA segments) and "
        "mutation-defined calls against the VCF hotspot status; write the same table with "
        "confidence_tier, decided_by and qc_flags rewritten, and the explanation with a "
        "'consistency' record per sample. Risk, reports and calls.tsv read this table.",
    )
    p.add_argument("--classify", required=True, help="classify chunk table (TSV)")
    p.add_argument("--explain", help="classify .explain.json of the chunk")
    p.add_argument("--copynumber", help="copy-number chunk table (absent: not assessable)")
    p.add_argument("--cn-evidence", help="copy-number .evidence.json of the chunk")
    add_config_section(p, "consistency")
    p.add_argument("--out", required=True, help="output table (classify columns)")
    p.add_argument("--out-explain", required=True, help="output explanation JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Reconcile every sample of the chunk and write both outputs atomically."""
    settings: ConsistencySettings = config_section(args, "consistency", {})
    table = read_stage_table(args.classify, "classify", CLASSIFY_COLUMNS)
    assert table is not None
    cn = read_stage_table(args.copynumber, "copynumber", COPYNUMBER_COLUMNS)
    cn_rows = {} if cn is None else {r["sample_id"]: r for r in cn.to_dict("records")}
    evidence = read_sidecar(args.cn_evidence, what="copy-number evidence")
    explain = read_sidecar(args.explain, what="classify explanation")
    meta = explain.pop("__meta__", {})
    rows: list[dict[str, Any]] = []
    samples: dict[str, Any] = {}
    changed = 0
    for row in table.to_dict("records"):
        sid = row["sample_id"]
        if cn is not None and sid not in cn_rows:
            raise InputError(
                "sample has no row in the copy-number table", path=args.copynumber, sample=sid
            )
        exp = dict(explain.get(sid) or {})
        new, record = reconcile_call(
            row,
            cn_rows.get(sid),
            evidence=evidence.get(sid),
            decision=exp.get("decision"),
            settings=settings,
        )
        changed += bool(record["changed"])
        rows.append(new)
        for key in ("confidence_tier", "decided_by", "qc_flags"):
            if key in exp:
                exp[key] = new[key]
        samples[sid] = {**exp, "consistency": record}
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
    return 0
