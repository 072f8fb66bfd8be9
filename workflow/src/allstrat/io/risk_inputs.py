"""The tables the risk stage reads, and the file and line a core error points into.

:func:`read_risk_inputs` reads the classify and copy-number stage tables, the clinical and
long MRD tables, the lab's diagnostic-genetics table and the run's sample ids (each
optional). The risk core names the in-memory table an offending value came from
(``InputError.table``); :meth:`RiskInputs.locate` adds that table's file and the line of
the sample's row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from allstrat.contracts import CLASSIFY_COLUMNS, COPYNUMBER_COLUMNS
from allstrat.errors import InputError

if TYPE_CHECKING:
    from allstrat.memo import SampleMemo
    from allstrat.risk import RiskResult, RuleSet

__all__ = ["RiskInputs", "read_risk_inputs", "write_risk_outputs"]

#: provenance role of each table (the others: their name in lower case)
_ROLES = {"classify": "classify_table", "copynumber": "copynumber_table", "lab": "lab_genetics"}


@dataclass
class RiskInputs:
    """The risk stage's input tables (``None`` = not given) and their files."""

    classify: pd.DataFrame | None = None
    copynumber: pd.DataFrame | None = None
    clinical: pd.DataFrame | None = None
    mrd: pd.DataFrame | None = None
    lab: pd.DataFrame | None = None
    known_samples: list[str] | None = None
    paths: dict[str, str] = field(default_factory=dict)

    def tables(self) -> dict[str, Any]:
        """Keyword arguments of :func:`allstrat.risk.assign_risk` for the tables."""
        return {
            "classify": self.classify,
            "copynumber": self.copynumber,
            "clinical": self.clinical,
            "mrd": self.mrd,
            "lab": self.lab,
            "known_samples": self.known_samples,
        }

    def locate(self, exc: InputError) -> InputError:
        """``exc`` with the file and line of the offending sample's row of its table."""
        frames = {
            "classify": self.classify,
            "copynumber": self.copynumber,
            "clinical": self.clinical,
            "MRD": self.mrd,
            "lab": self.lab,
        }
        path, df = self.paths.get(exc.table or "", ""), frames.get(exc.table or "")
        if exc.path is not None or df is None or not path:
            return exc
        line = None
        if exc.sample is not None:
            hits = np.flatnonzero(df["sample_id"].astype(str).to_numpy() == exc.sample)
            line = int(hits[0]) + 2 if len(hits) else None
        return InputError(exc.detail, path=path, line=line, sample=exc.sample, table=exc.table)

    def records(self) -> list[dict[str, str]]:
        """Provenance records (path, role, sha256) of the tables read from files."""
        from allstrat.provenance import file_record

        return [file_record(p, role=_ROLES.get(n, n.lower())) for n, p in self.paths.items()]


def read_risk_inputs(
    *,
    classify: str | Path | None = None,
    copynumber: str | Path | None = None,
    clinical: str | Path | None = None,
    mrd: str | Path | None = None,
    lab: str | Path | None = None,
    sample_sheet: str | Path | None = None,
) -> RiskInputs:
    """Read the tables given (empty / ``None`` = not given).

    ``sample_sheet``: the run's sheet; clinical / MRD / lab rows of samples not in it are
    reported as orphans (default: the samples of the stage tables).
    """
    from allstrat.io.clinical import read_clinical, read_mrd
    from allstrat.io.lab_genetics import read_lab_genetics
    from allstrat.io.samples import read_table_str
    from allstrat.io.stage_tables import read_stage_table

    given = {"classify": classify, "copynumber": copynumber, "clinical": clinical}
    given |= {"MRD": mrd, "lab": lab}
    out = RiskInputs(
        classify=read_stage_table(classify, "classify", CLASSIFY_COLUMNS),
        copynumber=read_stage_table(copynumber, "copynumber", COPYNUMBER_COLUMNS),
        clinical=read_clinical(clinical) if clinical else None,
        mrd=read_mrd(mrd) if mrd else None,
        lab=read_lab_genetics(lab) if lab else None,
        paths={name: str(p) for name, p in given.items() if p},
    )
    if sample_sheet:
        sheet = read_table_str(sample_sheet, what="sample sheet")
        out.known_samples = list(sheet["sample_id"])
    return out


def write_risk_outputs(
    out: str | Path,
    traces_path: str | Path,
    *,
    results: Sequence[RiskResult],
    traces: dict[str, Any],
    inputs: RiskInputs,
    rulesets: Sequence[RuleSet],
    settings: dict[str, Any],
    memo: SampleMemo | None = None,
) -> None:
    """Write the risk stage table and the traces (with provenance) atomically.

    The traces (:mod:`allstrat.io.risk_traces`) are sorted, compact JSON (one line: a
    machine file, read back by the reports; the standard library's C encoder writes it).
    Then the per-sample memo (:class:`allstrat.memo.SampleMemo`) if there is one.
    """
    import json

    from allstrat.io.output import write_text, write_tsv
    from allstrat.provenance import build_provenance
    from allstrat.risk import results_table

    traces["provenance"] = build_provenance(
        stage="risk",
        inputs=inputs.records(),
        rulesets={rs.protocol: rs.version for rs in rulesets},
        settings=settings,
    )
    write_tsv(out, results_table(results))
    text = json.dumps(
        traces, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":")
    )
    write_text(traces_path, text + "\n")
    if memo is not None:
        memo.save()
