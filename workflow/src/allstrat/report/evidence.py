"""Turn stage evidence (JSON sidecar entries) into rows and figures' inputs.

Stage sidecars are free-form JSON; these helpers read the layouts the stages write and
fall back to a generic key/value or table view for anything else, so that no evidence a
stage recorded is hidden from the reader.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["as_table", "marker_genes", "reference_stats", "scalar_text", "structured_tables"]

GENE_LIST_KEYS = ("top_features", "top_genes", "marker_genes", "markers", "genes")
_VALUE_KEYS = ("value", "log2_cpm", "sample_value", "expression", "sample")
_REF_KEYS = ("reference", "reference_distribution", "references", "by_subtype")
_FLAT_REF = ("reference_mean", "reference_sd")
#: columns shown first in tables of records (risk rules, lesion segments, features)
_LEADING_COLUMNS = (
    "id", "name", "gene", "feature", "chrom", "start", "end", "when", "outcome", "group",
    "why", "status", "state", "value", "log2", "cn", "missing",
)  # fmt: skip
#: group name of a single (not per-subtype) reference distribution
SINGLE_REFERENCE = "model reference"


def _f(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        out = float(v)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def reference_stats(ref: Any) -> tuple[float, float, float, float, float] | None:
    """Five-number summary ``(low, q1, median, q3, high)`` of a reference distribution.

    Accepts quantile keys (``q05``/``p5``/``min``, ``q25``/``q1``, ``median``/``q50``,
    ``q75``/``q3``, ``q95``/``p95``/``max``), ``mean`` + ``sd`` (drawn as mean ± 1 and
    ± 2 sd) or a plain list of values.

    Returns
    -------
    tuple or None
        ``None`` when the input cannot be read as a distribution.
    """
    if isinstance(ref, Sequence) and not isinstance(ref, str):
        vals = sorted(v for v in (_f(x) for x in ref) if v is not None)
        if not vals:
            return None
        n = len(vals) - 1

        def q(p: float) -> float:
            return vals[round(p * n)]

        return (q(0.05), q(0.25), q(0.5), q(0.75), q(0.95))
    if not isinstance(ref, Mapping):
        return None

    def first(*keys: str) -> float | None:
        for k in keys:
            v = _f(ref.get(k))
            if v is not None:
                return v
        return None

    med = first("median", "q50", "p50", "q0.5")
    q1, q3 = first("q25", "q1", "p25", "q0.25"), first("q75", "q3", "p75", "q0.75")
    lo, hi = first("q05", "q5", "p5", "p05", "q0.05", "min"), first("q95", "p95", "q0.95", "max")
    if med is not None and q1 is not None and q3 is not None:
        return (q1 if lo is None else lo, q1, med, q3, q3 if hi is None else hi)
    mean, sd = first("mean"), first("sd", "std")
    if mean is not None and sd is not None:
        return (mean - 2 * sd, mean - sd, mean, mean + sd, mean + 2 * sd)
    if med is not None:
        return (med, med, med, med, med)
    return None


def marker_genes(explanation: Any) -> list[dict[str, Any]]:
    """Extract marker-gene records from a sample's classify explanation.

    Parameters
    ----------
    explanation
        The sample's entry of ``results/classify/chunk_*.explain.json``: a mapping with a
        list of genes under ``top_genes`` (or ``marker_genes``/``markers``/``genes``),
        each with a gene name, the sample's value and a reference per subtype.

    Returns
    -------
    list of dict
        ``{"gene", "value", "reference": {group: five-number summary}, "unit", "extra"}``;
        ``extra`` keeps the other fields of the record for the evidence table.
    """
    if not isinstance(explanation, Mapping):
        return []
    items: Any = None
    for key in GENE_LIST_KEYS:
        if key in explanation:
            items = explanation[key]
            break
    if isinstance(items, Mapping):  # {gene: {...}}
        items = [
            {"gene": g, **(v if isinstance(v, Mapping) else {"value": v})} for g, v in items.items()
        ]
    if not isinstance(items, Sequence) or isinstance(items, str):
        return []
    out = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        if item.get("kind", "gene") != "gene":
            continue  # signature / chromosome / region features go to the evidence tables
        gene = item.get("gene", item.get("symbol", item.get("feature")))
        if gene is None:
            continue
        value = next((_f(item[k]) for k in _VALUE_KEYS if k in item), None)
        ref_raw: Any = next((item[k] for k in _REF_KEYS if k in item), None)
        if ref_raw is None and _FLAT_REF[0] in item:
            # one reference distribution (the model's reference cohort): mean +- sd
            ref_raw = {"mean": item.get(_FLAT_REF[0]), "sd": item.get(_FLAT_REF[1])}
        reference: dict[str, tuple[float, float, float, float, float]] = {}
        if isinstance(ref_raw, Mapping):
            stats = reference_stats(ref_raw)
            if stats is not None and not any(isinstance(v, Mapping) for v in ref_raw.values()):
                reference[SINGLE_REFERENCE] = stats
            else:
                for group, dist in ref_raw.items():
                    s = reference_stats(dist)
                    if s is not None:
                        reference[str(group)] = s
        used = {"gene", "symbol", "feature", "unit", "kind", *_VALUE_KEYS, *_REF_KEYS, *_FLAT_REF}
        default_unit = "log2 CPM" if "log2_cpm" in item else ""
        out.append(
            {
                "gene": str(gene),
                "value": value,
                "reference": reference,
                "unit": item.get("unit", explanation.get("unit", default_unit)),
                "extra": {k: v for k, v in item.items() if k not in used},
            }
        )
    return out


def scalar_text(value: Any, *, digits: int = 4) -> str:
    """Format a JSON scalar (or small structure) for a table cell."""
    # the usual cell types first, by exact type (a report formats thousands of cells)
    t = type(value)
    if t is str:
        return value
    if t is float:
        return f"{value:.{digits}g}"
    if t is int:
        return str(value)
    if value is None:
        return "—"
    if t is bool:
        return "yes" if value else "no"
    if t is list and all(type(v) is str for v in value):
        return "; ".join(value) or "—"
    if t is dict:  # decision traces: hundreds of small fact / setting mappings, many empty
        return _cell_json(value) if value else "{}"
    return _other_text(value, digits)


def _other_text(value: Any, digits: int) -> str:
    """:func:`scalar_text` of any value (the general rules, in order)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    if isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, Sequence) and all(isinstance(v, (str, int, float)) for v in value):
        return "; ".join(scalar_text(v, digits=digits) for v in value) or "—"
    return _cell_json(value)


_CELL_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)
_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_CELL_MARKERS: dict[int, Any] = {}
_CELL_ENC = (
    None
    if _C_ENCODER is None
    else _C_ENCODER(
        _CELL_MARKERS, str, json.encoder.encode_basestring, None, ": ", ", ", True, False, True
    )
)


def _cell_json(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)``, calling the
    standard library's C encoder directly (what ``json.dumps`` does for these options,
    without its per-call Python set-up; one encoder serves every call).
    """
    if _CELL_ENC is None:
        return _CELL_JSON.encode(value)
    try:
        return "".join(_CELL_ENC(value, 0))
    except BaseException:
        _CELL_MARKERS.clear()  # an interrupted encode leaves its cycle markers behind
        raise


_RANK = {k: i for i, k in enumerate(_LEADING_COLUMNS)}


def _union_of_keys(items: Sequence[Mapping[Any, Any]]) -> list[str]:
    """The keys of ``items`` as text, first-seen order, each once (a key that is not a
    string is compared before it is turned into text, as before).
    """
    header: list[str] = []
    seen: set[str] = set()  # == set(header)
    for x in items:
        for k in x:
            if type(k) is str:
                if k not in seen:
                    seen.add(k)
                    header.append(k)
            elif k not in header:
                header.append(str(k))
                seen.add(header[-1])
    return header


def as_table(obj: Any) -> tuple[list[str], list[list[str]]] | None:
    """Lay out a list of records (or a mapping) as ``(header, rows)`` of text cells.

    A list of mappings becomes one row per item with the union of keys (first-seen
    order); a mapping becomes two columns (key, value); anything else returns ``None``.
    """
    if isinstance(obj, Mapping):
        if obj and _all_mappings(obj.values()):
            inner: list[str] = []
            for v in obj.values():
                inner += [str(k) for k in v if str(k) not in inner]
            # (text cells as they are: scalar_text returns a str unchanged)
            rows = [
                [str(k), *[c if type(c := v.get(h)) is str else scalar_text(c) for h in inner]]
                for k, v in obj.items()
            ]
            return ["", *inner], rows
        return ["field", "value"], [
            [str(k), v if type(v) is str else scalar_text(v)] for k, v in obj.items()
        ]
    if isinstance(obj, Sequence) and not isinstance(obj, str):
        if not obj:
            return None
        if _all_mappings(obj):
            header = _union_of_keys(obj)
            # stages write sorted keys; put what a reader scans first (rule, outcome) first
            header.sort(key=lambda k: _RANK.get(k, len(_RANK)))
            rows = [
                [v if type(v := x.get(k)) is str else scalar_text(v) for k in header] for x in obj
            ]
            return header, rows
        return ["step"], [[scalar_text(x)] for x in obj]
    return None


def _all_mappings(items: Iterable[Any]) -> bool:
    """Every item is a mapping (plain dicts, as stages write them, checked in one pass)."""
    items = list(items)
    if set(map(type, items)) == {dict}:
        return True
    return all(isinstance(x, (dict, Mapping)) for x in items)


def _holds_mapping(items: Sequence[Any]) -> bool:
    """Some item is a mapping (plain JSON values checked by type in one pass)."""
    types = set(map(type, items))
    if dict in types:
        return True
    if types <= _PLAIN_LEAVES:
        return False
    return any(isinstance(x, (dict, Mapping)) for x in items)


_PLAIN_LEAVES = {str, int, float, bool, type(None), list}


def structured_tables(
    obj: Any, *, first: Sequence[str] = (), skip: Sequence[str] = ()
) -> list[tuple[str, tuple[list[str], list[list[str]]]]]:
    """Lay out a JSON object as titled tables: one per nested list/mapping, one for scalars.

    Parameters
    ----------
    obj
        A stage's evidence / trace object.
    first
        Keys shown first, in this order (e.g. ``("rules", "facts")`` of a risk trace).
    skip
        Keys left out (shown elsewhere, e.g. drawn as a figure).

    Returns
    -------
    list of (title, (header, rows))
        The scalar fields come first as a ``summary`` table.
    """
    if not isinstance(obj, Mapping):
        t = as_table(obj)
        return [("evidence", t)] if t else []
    keys = [k for k in first if k in obj] + [k for k in obj if k not in first]
    scalars: dict[str, Any] = {}
    out: list[tuple[str, tuple[list[str], list[list[str]]]]] = []
    for k in keys:
        if k in skip:
            continue
        v = obj[k]
        kind = type(v)
        if kind is dict:
            nested = True
        elif kind is list:
            nested = _holds_mapping(v)
        elif kind is str:
            nested = False
        else:
            nested = isinstance(v, Mapping) or (
                isinstance(v, Sequence) and not isinstance(v, str) and _holds_mapping(v)
            )
        if nested:
            t = as_table(v)
            if t is not None and t[1]:
                out.append((str(k).replace("_", " "), t))
        else:
            scalars[str(k)] = v
    if scalars:
        summary = as_table(scalars)
        if summary is not None:
            out.insert(0, ("summary", summary))
    return out
