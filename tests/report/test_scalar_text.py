"""scalar_text's exact-type shortcuts give the text of its general rules."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

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
