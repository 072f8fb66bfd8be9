"""scalar_text's exact-type shortcuts give the text of its general rules."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allstrat.report.evidence import scalar_text


def _general(value: Any, digits: int = 4) -> str:
    """scalar_text as it was before the shortcuts (the reference)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    if isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, Sequence) and all(isinstance(v, (str, int, float)) for v in value):
        return "; ".join(_general(v, digits=digits) for v in value) or "—"
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


_LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=3), inner, max_size=3)
        | st.sets(st.integers(0, 3), max_size=2)
    ),
    max_leaves=10,
)


@settings(max_examples=400, deadline=None)
@given(value=_VALUES, digits=st.sampled_from([3, 4]))
def test_scalar_text_equals_the_general_rules(value, digits):
    assert scalar_text(value, digits=digits) == _general(value, digits)


def test_cells_of_a_decision_trace():
    assert scalar_text({}) == "{}"
    assert scalar_text({"b": 1, "a": [True, None]}) == '{"a": [true, null], "b": 1}'
    assert scalar_text(["x", "y"]) == "x; y"
    assert scalar_text([]) == "—"
    assert scalar_text(0.000123456) == "0.0001235"


def test_cell_json_after_a_failed_encode():
    # one encoder serves every cell: a refused value must not leave its cycle markers
    # behind (the same containers, fixed, would then be refused as circular)
    from allstrat.report.evidence import _cell_json

    d: dict = {"k": []}
    d["k"].append(d)
    with pytest.raises(ValueError, match="Circular"):
        _cell_json(d)
    d["k"].clear()
    assert _cell_json(d) == '{"k": []}'
    assert _cell_json({"b": 1, "a": [1.5, None]}) == '{"a": [1.5, null], "b": 1}'


def test_tables_of_plain_and_other_mappings_agree():
    # the exact-type fast paths (dict, list) and the general ones give the same tables
    from collections import OrderedDict
    from types import MappingProxyType

    from allstrat.report.evidence import structured_tables

    plain = {
        "rules": [{"id": "R1", "facts": {"a": 1}}, {"id": "R2", "x": None}],
        "derived": {"f": {"v": 1.5}, "g": {"v": "x", "w": True}},
        "steps": ["a", "b"],
        "n": 3,
    }
    other = MappingProxyType(
        {
            "rules": tuple(OrderedDict(r) for r in plain["rules"]),
            "derived": OrderedDict((k, MappingProxyType(v)) for k, v in plain["derived"].items()),
            "steps": ("a", "b"),
            "n": 3,
        }
    )
    assert structured_tables(other, first=("rules",)) == structured_tables(plain, first=("rules",))
