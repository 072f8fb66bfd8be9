"""Assemble per-sample result records from the stage tables (no calls are computed here).

A record gathers, for one sample, the classify row and its explanation, the copy-number
row and its evidence, the risk rows with their decision traces, the QC flags and the
provenance. Records are validated against ``workflow/schemas/sample_result.schema.yaml``
and are the single source of the per-sample JSON, the per-sample HTML and the rows of
``results/calls.tsv``, so these three can never disagree.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import jsonschema
import pandas as pd

from allstrat import DISCLAIMER
from allstrat.contracts import CALLS_COLUMNS, LESION_GENES, RISK_PREFIX
from allstrat.errors import InputError
from allstrat.io.samples import load_schema
from allstrat.io.stage_tables import PROB_PREFIX
from allstrat.report.allelic import allelic_record
from allstrat.report.schema_check import Check, compile_check
from allstrat.tall.mutations import DRIVER_GENES

logger = logging.getLogger(__name__)

SCHEMA_NAME = "sample_result.schema.yaml"
SCHEMA_VERSION = "1"
NOT_ASSESSABLE = "not_assessable"

__all__ = [
    "SCHEMA_NAME",
    "assemble_records",
    "calls_table",
    "validate_record",
]


def _split(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return [v.strip() for v in str(value).split(";") if v.strip()]


def _float_or_none(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def _int_or_none(value: Any, *, path: str, sample: str, column: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        f = float(value)
    except ValueError:
        raise InputError(
            f"column {column!r}: {value!r} is not an integer", path=path, sample=sample
        ) from None
    if not f.is_integer():
        raise InputError(
            f"column {column!r}: {value!r} is not an integer", path=path, sample=sample
        )
    return int(f)


def _subtype_section(
    row: Mapping[str, Any], labels: Sequence[str], evidence: Any
) -> dict[str, Any]:
    probs = {}
    for label in labels:
        v = row.get(PROB_PREFIX + label)
        if v is not None and not (isinstance(v, float) and math.isnan(v)):
            probs[label] = float(v)
    section: dict[str, Any] = {
        "call": row["subtype"],
        "confidence_tier": row["confidence_tier"],
        "top_probability": _float_or_none(row["top_probability"]),
        "candidates": _split(row["candidates"]),
        "lineage": row["lineage"],
        "ph_group": row["ph_group"],
        "ph_like": row["ph_like"],
        "ph_like_kinase_class": row["ph_like_kinase_class"],
        "dux4": row["dux4"],
        "decided_by": row["decided_by"],
        "model_id": row["model_id"],
        "model_sha256": row["model_sha256"],
        "probabilities": probs,
    }
    if isinstance(evidence, Mapping):
        # the T-ALL second stage has its own section (t_all); the karyotype / hotspot
        # check of allstrat reconcile has its own section (consistency)
        section["evidence"] = {
            k: v for k, v in evidence.items() if k not in ("tall", "consistency")
        }
        cons = evidence.get("consistency")
        if isinstance(cons, Mapping):
            section["consistency"] = {
                "karyotype": dict(cons.get("karyotype", {})),
                "hotspot": dict(cons.get("hotspot", {})),
                "before": dict(cons.get("before", {})),
                "changed": bool(cons.get("changed", False)),
            }
    return section


def _tall_section(row: Mapping[str, Any], evidence: Any) -> dict[str, Any] | None:
    """The T-ALL second stage of a T-lineage sample (``None`` when not applicable)."""
    sub = row.get("tall_subgroup", "not_applicable")
    if sub in (None, "", "not_applicable") or (isinstance(sub, float) and math.isnan(sub)):
        return None
    section: dict[str, Any] = {
        "subgroup": sub,
        "confidence_tier": row["tall_confidence_tier"],
        "top_probability": _float_or_none(row["tall_top_probability"]),
        "decided_by": row["tall_decided_by"] or "",
        "model_id": row["tall_model_id"] or "",
        "etp_status": row["etp_status"],
        "etp_source": row["etp_source"] or "",
    }
    tall = evidence.get("tall") if isinstance(evidence, Mapping) else None
    if isinstance(tall, Mapping):
        section["evidence"] = dict(tall)
    return section


def _driver_section(row: Mapping[str, Any] | None, evidence: Any, lineage: str) -> dict[str, Any]:
    """NOTCH1/FBXW7/RAS/PTEN status (copy-number stage); the classifier for T lineage only."""
    summary = "" if row is None else str(row.get("driver_mutations", "") or "")
    if not summary:
        summary = ";".join(f"{g}={NOT_ASSESSABLE}" for g in DRIVER_GENES)
    status = dict(part.split("=", 1) for part in _split(summary) if "=" in part)
    status = {g: s.split("(", 1)[0] for g, s in status.items()}
    klass = NOT_ASSESSABLE if row is None else str(row.get("oncogenetic_class") or NOT_ASSESSABLE)
    section: dict[str, Any] = {
        "summary": summary,
        "status": status,
        "oncogenetic_class": klass if lineage == "T" else "not_applicable",
    }
    ev = evidence.get("driver_mutations") if isinstance(evidence, Mapping) else None
    if isinstance(ev, Mapping):
        ev = dict(ev)
        if lineage != "T":
            ev["oncogenetic_classifier"] = {
                "class": "not_applicable",
                "reason": "the classifier is defined for T-ALL only",
            }
        section["evidence"] = ev
    return section


def _copynumber_section(
    row: Mapping[str, Any] | None, evidence: Any, *, path: str
) -> dict[str, Any]:
    if row is None:
        return {
            "cn_source": "none",
            "lesions": dict.fromkeys(LESION_GENES, NOT_ASSESSABLE),
            "ikzf1_deletion_type": "",
            "ikzf1plus": NOT_ASSESSABLE,
            "dux4_erg": NOT_ASSESSABLE,
            "modal_chromosome_number": None,
            "karyotype_class": NOT_ASSESSABLE,
            "favourable_trisomies": [],
            "masked_hypodiploidy_warning": NOT_ASSESSABLE,
            "iamp21": NOT_ASSESSABLE,
            "ukall_cna_profile": NOT_ASSESSABLE,
            "allelic": allelic_record(None, evidence),
        }
    sid = str(row["sample_id"])
    section: dict[str, Any] = {
        "cn_source": row["cn_source"],
        "lesions": {g: row[f"{g.lower()}_status"] for g in LESION_GENES},
        "ikzf1_deletion_type": row["ikzf1_deletion_type"],
        "ikzf1plus": row["ikzf1plus"],
        "dux4_erg": row["dux4_erg"],
        "modal_chromosome_number": _int_or_none(
            row["modal_chromosome_number"], path=path, sample=sid, column="modal_chromosome_number"
        ),
        "karyotype_class": row["karyotype_class"],
        "favourable_trisomies": _split(row["favourable_trisomies"]),
        "masked_hypodiploidy_warning": row["masked_hypodiploidy_warning"],
        "iamp21": row["iamp21"],
        "ukall_cna_profile": row["ukall_cna_profile"],
        "allelic": allelic_record(dict(row), evidence),
    }
    if isinstance(evidence, Mapping):
        # the driver-gene status has its own section (driver_mutations)
        section["evidence"] = {k: v for k, v in evidence.items() if k != "driver_mutations"}
    return section


def _trace_for(traces: Any, protocol: str) -> Any:
    """Find one protocol's trace in a sample's ``.traces.json`` entry (several layouts)."""
    if not isinstance(traces, Mapping):
        return None
    for key in ("protocols", "traces"):
        inner = traces.get(key)
        if isinstance(inner, Mapping) and protocol in inner:
            return inner[protocol]
        if isinstance(inner, list):
            for item in inner:
                if isinstance(item, Mapping) and item.get("protocol") == protocol:
                    return item.get("trace", item)
    return traces.get(protocol)


def _risk_section(rows: list[dict[str, Any]] | None, traces: Any) -> list[dict[str, Any]]:
    """One item per risk-table row of the sample (by protocol), with its decision trace."""
    if rows is None:
        return []
    out = []
    for r in sorted(rows, key=lambda r: r["protocol"]):
        item: dict[str, Any] = {
            "protocol": r["protocol"],
            "ruleset_version": r["ruleset_version"],
            "risk_group": r["risk_group"],
            "minimum_group": r.get("minimum_group", ""),
            "possible_groups": _split(r.get("possible_groups", "")),
            "decided_by_rule": r["decided_by_rule"],
            "missing_inputs": _split(r["missing_inputs"]),
            "annotations": _split(r["annotations"]),
        }
        trace = _trace_for(traces, r["protocol"])
        if trace is not None:
            item["trace"] = trace
        out.append(item)
    return out


def _pharmacogenetics(traces: Any) -> Any:
    if isinstance(traces, Mapping):
        for key in ("pharmacogenetics", "pgx"):
            if key in traces:
                return traces[key]
    return None


def _risk_inputs(traces: Any) -> dict[str, Any] | None:
    """Completeness and lab-genetics section from a sample's risk traces (when present)."""
    if not isinstance(traces, Mapping) or "completeness" not in traces:
        return None
    comp = traces["completeness"]
    return {
        "missing": list(comp.get("missing", [])),
        "warnings": list(comp.get("warnings", [])),
        "mrd_not_used": list(comp.get("mrd_not_used", [])),
        "lab_genetics": list(traces.get("lab_genetics", [])),
        "discordances": list(traces.get("discordances", [])),
    }


def _rows_by_sample(table: pd.DataFrame, ids: list[str]) -> dict[str, dict[str, Any]]:
    """``{sample_id: row as a dict}`` of the rows of ``ids`` in ``table`` (indexed by sample)."""
    wanted = table.index.intersection(pd.Index(ids, dtype=object))
    if len(wanted) == len(table.index):
        return table.to_dict("index")
    return table.loc[wanted].to_dict("index")


def assemble_records(  # noqa: PLR0913 - one keyword-only argument per stage output
    sample_ids: Iterable[str],
    *,
    classify: pd.DataFrame,
    explain: Mapping[str, Any] | None = None,
    copynumber: pd.DataFrame | None = None,
    cn_evidence: Mapping[str, Any] | None = None,
    risk: pd.DataFrame | None = None,
    traces: Mapping[str, Any] | None = None,
    qc_metrics: Mapping[str, Mapping[str, float | None]] | None = None,
    provenance: Mapping[str, Any],
    provenance_by_sample: Mapping[str, Mapping[str, Any]] | None = None,
    sources: Mapping[str, str] | None = None,
    validate: bool = True,
) -> dict[str, dict[str, Any]]:
    """Build one validated result record per sample.

    Parameters
    ----------
    sample_ids
        Samples to report (order kept).
    classify
        Classify table (:func:`~allstrat.io.stage_tables.read_classify_table`).
    explain
        ``{sample_id: explanation}`` from the classify ``.explain.json``.
    copynumber
        Copy-number table, or ``None`` when no copy-number stage ran (every lesion is
        then ``not_assessable``).
    cn_evidence
        ``{sample_id: evidence}`` from the copy-number ``.evidence.json``.
    risk
        Long risk table, or ``None`` (no risk assignment; the report says so).
    traces
        ``{sample_id: traces}`` from the risk ``.traces.json``.
    qc_metrics
        ``{sample_id: {metric: value}}`` numeric QC metrics (e.g. from the expression
        AnnData's ``obs``).
    provenance
        Provenance record (:func:`allstrat.provenance.build_provenance`) of this step.
    provenance_by_sample
        Per-sample provenance records (e.g. with the sample's own input files); a
        sample listed here gets its record instead of ``provenance``.
    sources
        ``{"classify"|"copynumber"|"risk": path}`` for error messages.
    validate
        Validate every record against the schema (default). The gathered call table
        turns it off for speed; the per-sample JSON always validates.

    Returns
    -------
    dict
        ``{sample_id: record}``, each valid against the sample-result schema.

    Raises
    ------
    InputError
        A sample is missing from a stage table that was given, or a value breaks the
        contract.
    """
    sources = dict(sources or {})
    explain = explain or {}
    cn_evidence = cn_evidence or {}
    traces = traces or {}
    qc_metrics = qc_metrics or {}
    labels = [c[len(PROB_PREFIX) :] for c in classify.columns if c.startswith(PROB_PREFIX)]
    # plain dicts, not pandas rows: a Series per sample and section cost ~1 ms per sample
    risk_groups: dict[str, list[dict[str, Any]]] = {}
    for r in risk.to_dict("records") if risk is not None else ():
        risk_groups.setdefault(r["sample_id"], []).append(r)
    ids = list(sample_ids)
    classify_rows = _rows_by_sample(classify, ids)
    cn_rows = _rows_by_sample(copynumber, ids) if copynumber is not None else {}
    records: dict[str, dict[str, Any]] = {}
    for sid in ids:
        if sid not in classify_rows:
            raise InputError(
                "sample has no row in the classify table", path=sources.get("classify"), sample=sid
            )
        cn_row = None
        if copynumber is not None:
            if sid not in cn_rows:
                raise InputError(
                    "sample has no row in the copy-number table",
                    path=sources.get("copynumber"),
                    sample=sid,
                )
            cn_row = cn_rows[sid]
        risk_rows = None
        if risk is not None:
            if sid not in risk_groups:
                raise InputError(
                    "sample has no row in the risk table", path=sources.get("risk"), sample=sid
                )
            risk_rows = risk_groups[sid]
        row = classify_rows[sid]
        cls = _subtype_section(row, labels, explain.get(sid))
        cn = _copynumber_section(
            cn_row, cn_evidence.get(sid), path=sources.get("copynumber", "copy-number table")
        )
        flags = [f"classify:{f}" for f in _split(row["qc_flags"])]
        if cn_row is not None:
            flags += [f"copynumber:{f}" for f in _split(cn_row["cn_qc_flags"])]
        else:
            flags.append("copynumber:not_run")
        if risk_rows is None:
            flags.append("risk:not_run")
        inputs = _risk_inputs(traces.get(sid))
        if inputs is not None and inputs["discordances"]:
            flags.append("risk:lab_pipeline_discordance")
        qc: dict[str, Any] = {"flags": flags}
        metrics = qc_metrics.get(sid)
        if metrics:
            qc["metrics"] = {k: _float_or_none(v) for k, v in metrics.items()}
        rec: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "sample_id": sid,
            "disclaimer": DISCLAIMER,
            "subtype": cls,
            "copy_number": cn,
            **({"t_all": t} if (t := _tall_section(row, explain.get(sid))) is not None else {}),
            "driver_mutations": _driver_section(cn_row, cn_evidence.get(sid), str(row["lineage"])),
            "risk": _risk_section(risk_rows, traces.get(sid)),
            "qc": qc,
            "provenance": dict((provenance_by_sample or {}).get(sid, provenance)),
        }
        pgx = _pharmacogenetics(traces.get(sid))
        if pgx is not None:
            rec["pharmacogenetics"] = pgx
        if inputs is not None:
            rec["risk_inputs"] = inputs
        if validate:
            validate_record(rec)
        records[sid] = rec
    return records


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = load_schema(SCHEMA_NAME)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


_QUICK: list[Any] = [None, None]  # the last validator and its compiled check


def _quick_check(validator: Any) -> Check | None:
    """``validator``'s schema compiled to a yes/no check (:mod:`allstrat.report.schema_check`),
    once per validator; ``None`` for a validator without a schema (always ask it).
    """
    if _QUICK[0] is not validator:
        schema = getattr(validator, "schema", None)
        _QUICK[:] = [validator, compile_check(schema) if isinstance(schema, Mapping) else None]
    return _QUICK[1]


def validate_record(record: Mapping[str, Any]) -> None:
    """Validate a record against the sample-result schema.

    A record the quick check accepts is valid; any other goes through ``jsonschema``,
    which finds the offending field (the quick check is ~13x faster than ``jsonschema``
    and never accepts what it rejects).

    Raises
    ------
    InputError
        Naming the sample and the first offending field (stage outputs broke the
        contract).
    """
    validator = _validator()
    quick = _quick_check(validator)
    if quick is not None and quick(record):
        return
    err = next(iter(sorted(validator.iter_errors(record), key=lambda e: list(e.path))), None)
    if err is not None:
        field = "/".join(str(x) for x in err.absolute_path) or "record"
        raise InputError(
            f"result record breaks {SCHEMA_NAME} at {field}: {err.message}",
            sample=str(record.get("sample_id", "?")),
        )


def calls_table(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Flatten records into ``results/calls.tsv`` rows (contracts.CALLS_COLUMNS + risk).

    One ``risk:<protocol>`` column per protocol seen, sorted; a sample without an
    assignment for a protocol gets ``indeterminate`` there, never an empty cell.

    Parameters
    ----------
    records
        Result records from :func:`assemble_records`.

    Returns
    -------
    pandas.DataFrame
        One row per record, in the given order.
    """
    rows = []
    protocols: set[str] = set()
    for rec in records:
        s, cn = rec["subtype"], rec["copy_number"]
        top = s["top_probability"]
        row: dict[str, Any] = {
            "sample_id": rec["sample_id"],
            "subtype": s["call"],
            "confidence_tier": s["confidence_tier"],
            "top_probability": "" if top is None else top,
            "lineage": s["lineage"],
            "ph_like": s.get("ph_like", ""),
            "ph_like_kinase_class": s.get("ph_like_kinase_class", ""),
            "dux4_erg": cn["dux4_erg"],
            "ikzf1plus": cn["ikzf1plus"],
            "ikzf1_deletion_type": cn.get("ikzf1_deletion_type", ""),
            "karyotype_class": cn["karyotype_class"],
            "modal_chromosome_number": (
                "" if cn.get("modal_chromosome_number") is None else cn["modal_chromosome_number"]
            ),
            "iamp21": cn.get("iamp21", NOT_ASSESSABLE),
            "cn_source": cn["cn_source"],
            "qc_flags": ";".join(rec["qc"]["flags"]),
            "model_id": s["model_id"],
            "tall_subgroup": rec.get("t_all", {}).get("subgroup", "not_applicable"),
            "tall_confidence_tier": rec.get("t_all", {}).get("confidence_tier", "none"),
            "etp_status": rec.get("t_all", {}).get("etp_status", "not_applicable"),
            "etp_source": rec.get("t_all", {}).get("etp_source", ""),
            "driver_mutations": rec["driver_mutations"]["summary"],
            "tall_oncogenetic_class": rec["driver_mutations"]["oncogenetic_class"],
        }
        for r in rec["risk"]:
            row[RISK_PREFIX + r["protocol"]] = r["risk_group"]
            protocols.add(r["protocol"])
        rows.append(row)
    risk_cols = [RISK_PREFIX + p for p in sorted(protocols)]
    table = pd.DataFrame(rows, columns=[*CALLS_COLUMNS, *risk_cols])
    if risk_cols:
        table[risk_cols] = table[risk_cols].fillna("indeterminate")
    return table
