"""What the risk stage could not use: missing rows, orphan rows, MRD outside every window.

Nothing here changes a risk group (missing data already make results indeterminate); it
makes the gaps visible in the run log, the traces and the per-sample report, e.g.
``not used by dcog_all11: MRD PCR BM day 90, outside time point pcr_tp2 (PCR BM days
72-86)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from allstrat.risk.ruleset import RuleSet

__all__ = ["mrd_not_used", "orphans"]


def mrd_not_used(
    rows: Sequence[Mapping[str, Any]], rulesets: Sequence[RuleSet]
) -> tuple[dict[str, list[str]], list[str]]:
    """MRD rows a protocol's time points do not cover.

    Parameters
    ----------
    rows
        One sample's MRD rows as :func:`allstrat.io.clinical.read_mrd` types them
        (``method``, ``tissue``: the schema's codes; ``day``: int).
    rulesets
        The protocols assigned (those without MRD time points are skipped).

    Returns
    -------
    per_protocol, unused
        ``{protocol: [message, ...]}`` for rows a protocol could not use, and the messages
        for rows that no protocol used at all.
    """
    per: dict[str, list[str]] = {}
    unused: list[str] = []
    with_tps = [rs for rs in rulesets if rs.timepoints]
    for row in rows:
        method, tissue, day = str(row["method"]), str(row["tissue"]), int(row["day"])
        what = f"MRD {method} {tissue} day {day}"
        used_by = []
        nearest: tuple[int, str] | None = None
        for rs in with_tps:
            same = [tp for tp in rs.timepoints if tp.method == method and tp.tissue == tissue]
            if any(tp.day_min <= day <= tp.day_max for tp in same):
                used_by.append(rs.protocol)
                continue
            if same:
                tp = min(same, key=lambda t: min(abs(day - t.day_min), abs(day - t.day_max)))
                window = f"{tp.method} {tp.tissue} days {tp.day_min}–{tp.day_max}"
                msg = f"not used by {rs.protocol}: {what}, outside time point {tp.name} ({window})"
                dist = min(abs(day - tp.day_min), abs(day - tp.day_max))
                if nearest is None or dist < nearest[0]:
                    nearest = (dist, f"{rs.protocol} {tp.name}: {window}")
            else:
                msg = f"not used by {rs.protocol}: {what} (no {method} {tissue} time point)"
            per.setdefault(rs.protocol, []).append(msg)
        if with_tps and not used_by:
            hint = f" (nearest window: {nearest[1]})" if nearest else ""
            unused.append(f"not used by any protocol: {what}{hint}")
    return per, unused


def orphans(tables: Mapping[str, Iterable[str]], known: set[str]) -> dict[str, list[str]]:
    """Sample ids of each input table that are not among the run's samples."""
    out = {}
    for name, ids in tables.items():
        extra = sorted(set(ids) - known)
        if extra:
            out[name] = extra
    return out
