"""``json_text`` gives exactly ``json.dumps(indent=2, sort_keys=True, ensure_ascii=False)``.

It builds the text itself (the standard library's indented encoder is pure Python and
dominated large risk / classify jobs); these tests compare both on generated values and on
the values it hands back to ``json.dumps`` (same text or same error).
"""

from __future__ import annotations

import contextlib
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allstrat.io.output import json_text, sorted_json


def _nested(depth: int) -> list:
    out: list = [1]
    for _ in range(depth):
        out = [out]
    return out


def _reference(obj) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
_values = st.recursive(
    _leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
        | st.dictionaries(st.integers(-5, 5), inner, max_size=3)
        | st.dictionaries(st.floats(allow_nan=False, allow_infinity=False), inner, max_size=3)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_equals_json_dumps(obj):
    assert json_text(obj) == _reference(obj)


@pytest.mark.parametrize(
    "obj",
    [
        {"a": np.float64(0.1), "b": [np.float64(1e-05), 1e16, -0.0]},
        {"é": 'ü\n\t"\\', "x": {"": []}, "y": {}},
        {True: 1, False: 2},
        {None: [None]},
        {1.5: 3, 2: 4},
        ([[[[]]]], ()),
        {"deep": _nested(50)},
    ],
)
def test_equals_json_dumps_on_edge_cases(obj):
    assert json_text(obj) == _reference(obj)


@pytest.mark.parametrize(
    "obj",
    [
        {"x": math.nan},
        {"x": [math.inf]},
        {"x": np.int64(3)},
        {"x": {1: "a", "b": 2}},
        {"x": object()},
    ],
)
def test_same_error_as_json_dumps(obj):
    with pytest.raises((ValueError, TypeError)) as want:
        _reference(obj)
    with pytest.raises(want.type, match=str(want.value)[:20].replace("(", r"\(")):
        json_text(obj)


def test_a_cycle_is_refused_as_by_json_dumps():
    a: list = []
    a.append(a)
    with pytest.raises(ValueError, match="Circular reference"):
        json_text(a)


@pytest.mark.parametrize(
    "obj",
    [
        {"a,b": '[{"x\\\\"}]', "k\\": ["\\", '\\\\"', "}", "{", "]"], "": {"\\\\": {}}},
        ['"', "\\", '\\"', ",", "[]", "{}", {"\\": []}, [["\\\\\\"]]],
        'a string with , { [ ] } and \\ "',
        [{}, [], {"": [{}]}, [[], [[]]]],
    ],
)
def test_structure_characters_and_escapes_inside_strings(obj):
    # the layout step must skip , { } [ ] inside strings, after any run of backslashes
    assert json_text(obj) == _reference(obj)


@settings(max_examples=200, deadline=None)
@given(_values)
def test_sorted_json_is_json_dumps_on_one_line(obj):
    want = json.dumps(
        obj, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ": ")
    )
    assert sorted_json(obj) == want


@contextlib.contextmanager
def _window(n: int):
    from allstrat.io import output

    old = output._WINDOW
    output._WINDOW = n
    try:
        yield
    finally:
        output._WINDOW = old


@settings(max_examples=200, deadline=None)
@given(_values, st.integers(min_value=1, max_value=9))
def test_layout_in_small_windows(obj, window):
    # long texts are laid out window by window (nesting and in-string state carried):
    # tiny windows cut everywhere, also between "{" and "}" and inside strings / escapes
    with _window(window):
        assert json_text(obj) == _reference(obj)


@pytest.mark.parametrize("window", [1, 2, 3, 5])
def test_windows_cut_escapes_and_empty_containers(window):
    obj = {'a\\\\"b': [{}, [], {"": [[]]}], "c": '\\"{[,]}\\\\', "d": [1, {"e": {}}]}
    with _window(window):
        assert json_text(obj) == _reference(obj)
