"""figures._walk's exact-type shortcuts find what the general rules found."""

from __future__ import annotations

from collections import OrderedDict, UserList
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from allstrat.report.figures import _walk


def _general(obj: Any, keys: tuple[str, ...]) -> list:
    """_walk as it was before the shortcuts (the reference)."""
    out: list = []
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            if k in keys and isinstance(v, list):
                out += [x for x in v if isinstance(x, Mapping)]
            elif isinstance(v, (dict, list, Mapping)):
                out += _general(v, keys)
    elif isinstance(obj, list):
        for v in obj:
            if isinstance(v, (dict, list, Mapping)):
                out += _general(v, keys)
    return out


class _List(UserList):
    pass


class _SubList(list):
    pass


_KEYS = st.sampled_from(["segments", "probes", "calls", "x"])
_LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=3)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(_SubList)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(_KEYS, inner, max_size=4)
        | st.dictionaries(_KEYS, inner, max_size=3).map(OrderedDict)
        | st.dictionaries(_KEYS, inner, max_size=3).map(MappingProxyType)
        | st.lists(inner, max_size=2).map(_List)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_walk_finds_what_the_general_rules_found(obj):
    for keys in (("segments",), ("probes",), ("segments", "calls")):
        assert [id(x) for x in _walk(obj, keys)] == [id(x) for x in _general(obj, keys)]


def test_walk_enters_list_subclasses_and_other_mappings():
    seg = {"chrom": "9", "start": 1, "end": 2}
    obj = {
        "a": _SubList([{"segments": [seg]}]),
        "b": MappingProxyType({"segments": [OrderedDict(seg), 3]}),
        "c": [_SubList([{"segments": _SubList([seg])}])],
        "d": ({"segments": [seg]},),  # tuples are not entered (as before)
    }
    found = _walk(obj, ("segments",))
    assert [id(x) for x in found] == [id(x) for x in _general(obj, ("segments",))]
    assert len(found) == 3
