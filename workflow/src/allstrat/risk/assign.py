"""Batch risk assignment over stage tables: one row per sample x protocol + traces."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from allstrat import DISCLAIMER
from allstrat.contracts import RISK_COLUMNS
from allstrat.errors import InputError
from allstrat.risk.completeness import mrd_not_used, orphans
from allstrat.risk.engine import (
    RiskResult,
    evaluate_compact,
    fact_traces,
    protocol_template,
    referenced_facts,
)
from allstrat.risk.facts import build_facts
from allstrat.risk.lab import lab_facts, lab_summary, merge_lab
from allstrat.risk.pgx import assess_thiopurine
from allstrat.risk.ruleset import RuleSet
from allstrat.risk.traces import TRACES_FORMAT

__all__ = ["SampleMemoLike", "assign_risk", "results_table"]

logger = logging.getLogger(__name__)


class SampleMemoLike(Protocol):
    """What :func:`assign_risk` uses of a per-sample memo (:class:`allstrat.memo.SampleMemo`)."""

    def key(self, *parts: Any) -> str:
        """Content digest of ``parts``."""

    def get(self, sample: str, key: str) -> Any | None:
        """The JSON value stored for ``sample`` under ``key``, else ``None``."""

    def put(self, sample: str, key: str, result: Any) -> None:
        """Store ``result`` (a JSON value) for ``sample`` under ``key``."""


def _rows_by_sample(
    table: pd.DataFrame | None,
    what: str,
    *,
    unique: bool = True,
    wanted: set[str] | None = None,
) -> tuple[dict[str, list[dict[str, Any]]], set[str]]:
    """The rows (as dicts) of the ``wanted`` samples (default: all) by sample, and the
    ids of every sample of the table.

    The clinical, MRD and lab tables hold the whole cohort while a job assigns one chunk:
    only its samples' rows are turned into dicts; the one-row-per-sample check covers
    every row.
    """
    if table is None:
        return {}, set()
    if "sample_id" not in table.columns:
        if table.index.name == "sample_id":
            table = table.reset_index()
        else:
            raise InputError(f"{what} table has no sample_id column")
    sids = [str(s).strip() for s in table["sample_id"].tolist()]
    if unique:
        dups = sorted(s for s, n in Counter(sids).items() if n > 1)
        if dups:
            raise InputError(
                f"{what} table has more than one row for sample(s) {dups[:5]}; expected one",
                sample=dups[0],
            )
    keep = range(len(sids)) if wanted is None else [i for i, s in enumerate(sids) if s in wanted]
    rows = table if wanted is None else table.iloc[list(keep)]
    out: dict[str, list[dict[str, Any]]] = {}
    for i, rec in zip(keep, rows.to_dict("records"), strict=True):
        out.setdefault(sids[i], []).append(rec)
    return out, set(sids)


def assign_risk(  # noqa: PLR0913 - one keyword-only argument per input table or policy
    rulesets: Sequence[RuleSet],
    *,
    classify: pd.DataFrame | None,
    copynumber: pd.DataFrame | None,
    clinical: pd.DataFrame | None,
    mrd: pd.DataFrame | None,
    samples: Sequence[str] | None = None,
    accepted_tiers: Sequence[str] = ("high", "medium"),
    unassessed_masking: str = "unknown",
    lab: pd.DataFrame | None = None,
    lab_discordance: str = "review",
    known_samples: Sequence[str] | None = None,
    memo: SampleMemoLike | None = None,
) -> tuple[list[RiskResult], dict[str, Any]]:
    """Assign every sample's risk group under every protocol.

    Parameters
    ----------
    rulesets
        Compiled rule sets (:func:`allstrat.risk.ruleset.load_rulesets`).
    classify, copynumber
        Stage tables (``contracts.CLASSIFY_COLUMNS`` / ``COPYNUMBER_COLUMNS``), one row per
        sample; ``None`` = not available (the facts they give are unknown).
    clinical
        Clinical table (one row per sample) or ``None``.
    mrd
        Long MRD table (sample_id, day, tissue, method, value, sensitivity) or ``None``.
    samples
        Samples to assign; default: every sample of the classify and copy-number tables.
    accepted_tiers
        Subtype-call confidence tiers counted as known genetics.
    unassessed_masking
        ``"unknown"`` or ``"assume_absent"`` (:func:`allstrat.risk.facts.build_facts`).
    lab
        Diagnostic-genetics table (:func:`allstrat.io.lab_genetics.read_lab_genetics`) or
        ``None``; combined with the pipeline's facts by :func:`allstrat.risk.lab.merge_lab`.
    lab_discordance
        ``"review"`` (a lab/pipeline discordance makes the fact unknown) or
        ``"lab_decides"``; discordances are always listed.
    known_samples
        Every sample of the run (the sample sheet), for the orphan check of the clinical,
        MRD and lab tables; default: the samples assigned here.
    memo
        Per-sample memo (:class:`allstrat.memo.SampleMemo`) or ``None``: a sample whose
        rows, the rule sets and the policies are unchanged reuses its stored results,
        trace entry and log messages; the returned values are the same either way.

    Returns
    -------
    results, traces
        One :class:`~allstrat.risk.engine.RiskResult` per sample x protocol (samples
        sorted, protocols in the given order) and the JSON-ready traces document.
    """
    t0 = time.perf_counter()
    given = {"clinical": clinical, "MRD": mrd, "diagnostic-genetics": lab}
    cls, _ = _rows_by_sample(classify, "classify")
    cn, _ = _rows_by_sample(copynumber, "copynumber")
    ids = sorted(set(cls) | set(cn)) if samples is None else sorted(dict.fromkeys(samples))
    wanted = set(ids)
    clin, clin_ids = _rows_by_sample(clinical, "clinical", wanted=wanted)
    mrd_rows, mrd_ids = _rows_by_sample(mrd, "MRD", unique=False, wanted=wanted)
    lab_rows, lab_ids = _rows_by_sample(lab, "diagnostic-genetics", unique=False, wanted=wanted)
    ch = _Chunk(
        rulesets=rulesets,
        cls=cls,
        cn=cn,
        clin=clin,
        mrd_rows=mrd_rows,
        lab_rows=lab_rows,
        given={k: t is not None for k, t in given.items()},
        warnings={k: _attr_warnings(t) for k, t in given.items()},
        accepted_tiers=tuple(accepted_tiers),
        unassessed_masking=unassessed_masking,
        lab_discordance=lab_discordance,
        referenced=referenced_facts(rulesets),
    )
    logger.info("assigning risk for %d sample(s) under %d protocol(s)", len(ids), len(rulesets))
    for name, table in given.items():
        if table is None:
            logger.warning("no %s table given: the facts it would give are unknown", name)
    orphan = orphans(
        {"clinical": clin_ids, "MRD": mrd_ids, "diagnostic-genetics": lab_ids},
        set(known_samples) if known_samples is not None else set(ids),
    )
    _log_orphans(orphan)
    results: list[RiskResult] = []
    sample_traces: dict[str, Any] = {}
    context = "" if memo is None else memo.key(*ch.context())
    for sid in ids:
        if memo is None:
            res, sample_traces[sid] = _assign_sample(sid, ch)
        else:
            res, sample_traces[sid] = _assign_memoised(sid, ch, memo, context)
        results.extend(res)
    traces = {
        "format": TRACES_FORMAT,
        "disclaimer": DISCLAIMER,
        "accepted_confidence_tiers": list(accepted_tiers),
        "unassessed_masked_hypodiploidy": unassessed_masking,
        "lab_discordance": lab_discordance,
        "orphan_rows": orphan,
        "rulesets": _rulesets_trace(rulesets),
        "samples": sample_traces,
    }
    n_ind = sum(r.risk_group == "indeterminate" for r in results)
    logger.info(
        "risk assigned: %d row(s), %d indeterminate, in %.2f s",
        len(results),
        n_ind,
        time.perf_counter() - t0,
    )
    return results, traces


@dataclass(frozen=True)
class _Chunk:
    """Everything the per-sample work reads besides the sample id (rows keyed by sample)."""

    rulesets: Sequence[RuleSet]
    cls: dict[str, list[dict[str, Any]]]
    cn: dict[str, list[dict[str, Any]]]
    clin: dict[str, list[dict[str, Any]]]
    mrd_rows: dict[str, list[dict[str, Any]]]
    lab_rows: dict[str, list[dict[str, Any]]]
    given: dict[str, bool]
    warnings: dict[str, dict[str, list[str]]]
    accepted_tiers: tuple[str, ...]
    unassessed_masking: str
    lab_discordance: str
    referenced: frozenset[str]  # facts the conditions of any rule set refer to

    def context(self) -> tuple[Any, ...]:
        """What every sample's result depends on besides its rows.

        The rule sets (whole, compiled), the policies and which tables were given; code
        and resources are in the memo's own context.
        """
        return (
            _MEMO_LAYOUT,
            list(self.rulesets),
            self.accepted_tiers,
            self.unassessed_masking,
            self.lab_discordance,
            self.given,
        )

    def sample_inputs(self, sid: str) -> tuple[Any, ...]:
        """The sample's own inputs: its rows of every table and the readers' warnings."""
        return (
            sid,
            self.cls.get(sid),
            self.cn.get(sid),
            self.clin.get(sid),
            self.mrd_rows.get(sid),
            self.lab_rows.get(sid),
            [per.get(sid) for per in self.warnings.values()],
        )


#: layout of a memo entry (bumped when :func:`_assign_memoised` stores something else)
_MEMO_LAYOUT = "risk-sample/2"  # 2: compact traces (allstrat-risk-traces/2)


def _assign_memoised(
    sid: str, ch: _Chunk, memo: SampleMemoLike, context: str
) -> tuple[list[RiskResult], dict[str, Any]]:
    """:func:`_assign_sample`, or what it gave last time for the same inputs and context.

    A hit rebuilds the results and trace entry from their JSON values and logs the
    sample's messages again; a miss computes them, capturing the messages for the memo.
    """
    key = memo.key(context, _inputs_text(ch.sample_inputs(sid)))
    hit = memo.get(sid, key)
    if hit is not None:
        for name, level, msg in hit["log"]:
            logging.getLogger(name).log(level, "%s", msg)
        entry = hit["trace"]
        results = [
            RiskResult.from_plain(r, trace=entry["protocols"][r["protocol"]])
            for r in hit["results"]
        ]
        return results, entry
    capture = _LogCapture()
    parent = logging.getLogger(_LOG_ROOT)
    parent.addHandler(capture)
    try:
        results, entry = _assign_sample(sid, ch)
    finally:
        parent.removeHandler(capture)
    stored = {"results": [r.to_plain() for r in results], "trace": entry, "log": capture.messages}
    memo.put(sid, key, stored)
    return results, entry


def _inputs_text(inputs: tuple[Any, ...]) -> str:
    """The sample's inputs as one JSON text for its memo key (the C encoder: ~50x faster
    than hashing the rows value by value, ~1 ms per sample).

    Content-faithful like :func:`allstrat.memo.digest`: ``1``, ``1.0``, ``"1"`` and
    ``True`` differ, NaN equals NaN, keys are sorted; a value JSON has no form for
    (``pd.NA``, a numpy scalar) is written with its type name and ``repr``.
    """
    return json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=_tagged)


def _tagged(value: Any) -> dict[str, Any]:
    kind = f"{type(value).__module__}.{type(value).__qualname__}"
    if isinstance(value, (set, frozenset)):  # no repr: its order varies between processes
        return {"__type__": kind, "items": sorted(map(_inputs_text, value))}
    return {"__type__": kind, "repr": repr(value)}


#: the logger whose descendants' messages a memo entry keeps (the risk core's modules)
_LOG_ROOT = __name__.rpartition(".")[0]


class _LogCapture(logging.Handler):
    """Keeps (logger name, level, message) of every record it sees, in order."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.messages: list[list[Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append([record.name, record.levelno, record.getMessage()])


def _assign_sample(sid: str, ch: _Chunk) -> tuple[list[RiskResult], dict[str, Any]]:
    """One sample's results under every protocol and its trace entry."""
    clin_row = ch.clin.get(sid, [None])[0]
    mrd_rows = ch.mrd_rows.get(sid, [])
    lab_rows = ch.lab_rows.get(sid, [])
    facts = build_facts(
        sid,
        classify=ch.cls.get(sid, [None])[0],
        copynumber=ch.cn.get(sid, [None])[0],
        clinical=clin_row,
        accepted_tiers=ch.accepted_tiers,
        unassessed_masking=ch.unassessed_masking,
    )
    lab_ev = lab_facts(lab_rows)
    facts, discordances = merge_lab(facts, lab_ev, ch.lab_discordance)
    _log_discordances(sid, discordances)
    not_used, unused = mrd_not_used(mrd_rows, ch.rulesets)
    for msg in unused:
        logger.warning("%s: %s", sid, msg)
    completeness = _completeness(sid, ch)
    completeness["mrd_not_used"] = unused
    pgx = assess_thiopurine(
        None if clin_row is None else clin_row.get("tpmt_diplotype"),
        None if clin_row is None else clin_row.get("nudt15_diplotype"),
        sample=sid,
    )
    results = []
    per_protocol = {}
    for rs in ch.rulesets:
        res = evaluate_compact(rs, sid, facts, mrd_rows=mrd_rows)
        res = _decorate(res, not_used.get(rs.protocol), pgx)
        results.append(res)
        per_protocol[rs.protocol] = res.trace
    entry = {
        "facts": fact_traces(facts, ch.referenced),
        "inputs": {
            "classify": sid in ch.cls,
            "copynumber": sid in ch.cn,
            "clinical": sid in ch.clin,
            "mrd_rows": len(mrd_rows),
            "lab_genetics_rows": len(lab_rows),
        },
        "completeness": completeness,
        "lab_genetics": lab_summary(lab_rows, lab_ev, facts),
        "discordances": discordances,
        "pharmacogenetics": pgx,
        "protocols": per_protocol,
    }
    return results, entry


def _rulesets_trace(rulesets: Sequence[RuleSet]) -> dict[str, Any]:
    """Title, version, checksum, groups and settings of every rule set used."""
    return {
        rs.protocol: {
            "title": rs.title,
            "version": rs.version,
            "file": rs.path,
            "sha256": rs.sha256,
            "groups": list(rs.groups),
            "overridden_settings": rs.overridden,
            "settings": {
                k: {
                    "value": v,
                    "verified": rs.setting_specs[k]["verified"],
                    "overridden": k in rs.overridden,
                    "description": rs.setting_specs[k]["description"],
                }
                for k, v in rs.settings.items()
            },
            "sources": rs.sources,
            "trace_template": protocol_template(rs),
        }
        for rs in rulesets
    }


def _log_orphans(orphan: dict[str, list[str]]) -> None:
    for name, extra in orphan.items():
        logger.warning(
            "%s table: %d row(s) for sample(s) not in this run, not used: %s",
            name,
            len(extra),
            ", ".join(extra[:20]) + (" ..." if len(extra) > 20 else ""),
        )


def _log_discordances(sid: str, discordances: list[dict[str, Any]]) -> None:
    for d in discordances:
        logger.warning(
            "%s: lab/pipeline discordance on %s: lab (%s) says %s, pipeline (%s) says %s; %s",
            sid,
            d["fact"],
            d["lab_source"],
            d["lab"],
            d["pipeline_source"],
            d["pipeline"],
            d["resolution"],
        )


def _decorate(res: RiskResult, not_used: list[str] | None, pgx: dict[str, Any]) -> RiskResult:
    """Add the protocol's unused MRD rows and the CPIC annotation.

    The trace's discordances (the sample's, on the protocol's facts) are listed when the
    trace is expanded (:func:`allstrat.io.risk_traces.expand_protocol`).
    """
    if not_used:
        res.trace["mrd_not_used"] = not_used
    if pgx["recommendation"] == "not_assessed":
        return res
    annotation = f"mercaptopurine_start:{pgx['recommendation']}"
    return RiskResult(**{**res.__dict__, "annotations": (*res.annotations, annotation)})


def _attr_warnings(table: pd.DataFrame | None) -> dict[str, list[str]]:
    """Per-sample warnings a reader attached (``DataFrame.attrs["warnings"]``)."""
    if table is None:
        return {}
    return dict(table.attrs.get("warnings", {}))


def _completeness(sid: str, ch: _Chunk) -> dict[str, Any]:
    """The sample's missing inputs and reader warnings (nothing here changes a group)."""
    missing = []
    for name, rows in (
        ("clinical", ch.clin),
        ("MRD", ch.mrd_rows),
        ("diagnostic-genetics", ch.lab_rows),
    ):
        if not ch.given[name]:
            missing.append(f"no {name} table given")
        elif sid not in rows:
            missing.append(f"sample not in the {name} table")
    absent = [m for m in missing if m.startswith("sample not in")]
    if absent:  # a table not given at all is logged once, by the caller
        logger.warning("%s: %s", sid, "; ".join(absent))
    notes = [f"{name} table: {w}" for name, per in ch.warnings.items() for w in per.get(sid, [])]
    return {"missing": missing, "warnings": notes}


def results_table(results: Sequence[RiskResult]) -> pd.DataFrame:
    """The risk stage table (``contracts.RISK_COLUMNS``), one row per sample x protocol."""
    rows = [
        {
            "sample_id": r.sample_id,
            "protocol": r.protocol,
            "ruleset_version": r.ruleset_version,
            "risk_group": r.risk_group,
            "minimum_group": r.minimum_group,
            "possible_groups": ";".join(r.possible_groups),
            "decided_by_rule": r.decided_by_rule,
            "missing_inputs": ";".join(r.missing_inputs),
            "annotations": ";".join(r.annotations),
        }
        for r in results
    ]
    return pd.DataFrame(rows, columns=list(RISK_COLUMNS))
