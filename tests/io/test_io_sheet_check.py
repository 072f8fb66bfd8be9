"""The sample sheet's quick cell check answers as jsonschema does (text cells)."""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allstrat.io.samples import _text_cell_check, load_schema

_SCHEMA = load_schema("samples.schema.yaml")
_RULES = {
    col: {k: v for k, v in rule.items() if k != "description"}
    for col, rule in _SCHEMA["properties"].items()
}
#: values near the rules' edges: the enums, the refused names, pattern corners
_EDGES = [
    "", ".", "..", "...", "a", "S1", "S 1", "S/1", "x.y", "-", "_", "é", "S1\n", "\nS1",
    "featurecounts", "FeatureCounts", "h5ad ", "GRCh38", "grch38", "vcf", "arriba",
    "arriba;starfusion", "arriba;", ";arriba", "0", "1", "1.0", "1.00", "0.5", "0.", "1.5",
    ".5", "2", "seg", "mlpa", "cnvkit",
]  # fmt: skip


def _both(col: str):
    quick = _text_cell_check(_RULES[col])
    return quick, jsonschema.Draft202012Validator(_RULES[col]).is_valid


def test_the_quick_check_covers_the_constrained_columns():
    constrained = [c for c, r in _RULES.items() if r != {"type": "string"}]
    assert constrained
    assert all(_text_cell_check(_RULES[c]) is not None for c in constrained)


@pytest.mark.parametrize("col", sorted(_RULES))
def test_edge_values_answer_as_jsonschema(col):
    quick, full = _both(col)
    if quick is None:
        return
    for v in _EDGES:
        assert quick(v) == full(v), (col, v)


@settings(max_examples=300, deadline=None)
@given(
    col=st.sampled_from(sorted(_RULES)), v=st.one_of(st.text(max_size=12), st.sampled_from(_EDGES))
)
def test_random_text_answers_as_jsonschema(col, v):
    quick, full = _both(col)
    if quick is not None:
        assert quick(v) == full(v)


@pytest.mark.parametrize(
    "rule",
    [
        {"type": "string", "minLength": 2},
        {"type": "integer"},
        {"type": "string", "enum": ["a", 1]},
        {"type": "string", "not": {"pattern": "x"}},
    ],
)
def test_other_rules_are_left_to_jsonschema(rule):
    assert _text_cell_check(rule) is None
