"""The quick schema check never accepts what jsonschema rejects (and accepts valid records)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allstrat.io.samples import load_schema
from allstrat.io.stage_tables import (
    read_classify_table,
    read_copynumber_table,
    read_risk_table,
    read_sidecar,
)
from allstrat.report.assemble import SCHEMA_NAME, assemble_records
from allstrat.report.schema_check import compile_check

DATA = Path(__file__).resolve().parents[1] / "data" / "report"
IDS = ["RPT_01", "RPT_02", "RPT_03", "RPT_04"]
PROV = {
    "provenance_schema_version": "1",
    "stage": "test",
    "allstrat_version": "0",
    "dependencies": {},
    "models": [],
    "rulesets": {},
    "inputs": [],
    "config_sha256": "",
}
SCHEMA = load_schema(SCHEMA_NAME)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
CHECK = compile_check(SCHEMA)


@pytest.fixture(scope="module")
def records() -> dict[str, dict[str, Any]]:
    return assemble_records(
        IDS,
        classify=read_classify_table(DATA / "classify.tsv"),
        explain=read_sidecar(DATA / "classify.explain.json", what="explain"),
        copynumber=read_copynumber_table(DATA / "copynumber.tsv"),
        cn_evidence=read_sidecar(DATA / "copynumber.evidence.json", what="evidence"),
        risk=read_risk_table(DATA / "risk.tsv"),
        traces=read_sidecar(DATA / "risk.traces.json", what="traces"),
        provenance=PROV,
        validate=False,
    )


def _valid(x: Any, validator: jsonschema.Draft202012Validator = VALIDATOR) -> bool:
    return next(iter(validator.iter_errors(x)), None) is None


def test_the_sample_result_schema_compiles_and_accepts_valid_records(records):
    assert CHECK is not None
    for rec in records.values():
        assert _valid(rec)
        assert CHECK(rec)


def _paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (keys / indices) to a value in ``obj``."""
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    return out


_REPLACEMENTS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "x", "maybe", "high", "deleted", "1", "chr23", "Ph-like", "a b"]),
    st.just([]),
    st.just({}),
    st.lists(st.integers(-1, 3), max_size=2),
    st.dictionaries(st.sampled_from(["x", "chr1", "call"]), st.integers(0, 2), max_size=2),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_mutated_record_is_accepted_only_if_jsonschema_accepts_it(records, data):
    rec = copy.deepcopy(records[data.draw(st.sampled_from(IDS))])
    paths = _paths(rec)[1:]
    path = data.draw(st.sampled_from(paths))
    parent = rec
    for k in path[:-1]:
        parent = parent[k]
    action = data.draw(st.sampled_from(["replace", "delete", "add"]))
    if action == "replace":
        parent[path[-1]] = data.draw(_REPLACEMENTS)
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[data.draw(st.sampled_from(["extra", "chrZ", "call", "1"]))] = data.draw(
            _REPLACEMENTS
        )
    if CHECK(rec):
        assert _valid(rec), json.dumps(path)


@pytest.mark.parametrize(
    ("schema", "instance"),
    [
        ({"type": "integer"}, True),
        ({"type": "integer"}, 2.5),
        ({"type": "number"}, False),
        ({"type": "number"}, "1"),
        ({"type": "array"}, (1, 2)),
        ({"type": "object"}, [("a", 1)]),
        ({"type": ["string", "null"]}, 0),
        ({"enum": ["a", "b"]}, "c"),
        ({"enum": [1, "a"]}, True),
        ({"const": "1"}, 1),
        ({"minimum": 0}, -0.5),
        ({"maximum": 1}, 1.5),
        ({"minLength": 1}, ""),
        ({"pattern": "^[a-z]+$"}, "A"),
        ({"required": ["a"]}, {"b": 1}),
        ({"properties": {"a": {"type": "string"}}}, {"a": 1}),
        ({"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": 2}),
        ({"additionalProperties": {"type": "integer"}}, {"x": "1"}),
        ({"propertyNames": {"pattern": "^chr"}}, {"x": 1}),
        ({"items": {"type": "integer", "minimum": 0}}, [1, -1]),
        ({"$defs": {"s": {"enum": ["a"]}}, "properties": {"x": {"$ref": "#/$defs/s"}}}, {"x": "b"}),
    ],
)
def test_each_keyword_rejects_what_jsonschema_rejects(schema, instance):
    check = compile_check(schema)
    assert check is not None
    assert not _valid(instance, jsonschema.Draft202012Validator(schema))
    assert not check(instance)


@pytest.mark.parametrize(
    ("schema", "instance"),
    [
        ({"type": "integer"}, 2.0),
        ({"type": "number"}, 3),
        ({"type": ["string", "null"]}, None),
        ({"minimum": 0, "maximum": 1}, "not a number"),
        ({"pattern": "^a"}, 5),
        ({"required": ["a"]}, [1]),
        ({"propertyNames": {"pattern": "^chr"}}, {"chr1": 1}),
        ({"$defs": {"s": {"enum": ["a"]}}, "items": {"$ref": "#/$defs/s"}}, ["a", "a"]),
    ],
)
def test_each_keyword_accepts_what_jsonschema_accepts(schema, instance):
    check = compile_check(schema)
    assert check is not None
    assert _valid(instance, jsonschema.Draft202012Validator(schema))
    assert check(instance)


@pytest.mark.parametrize(
    "schema",
    [
        {"oneOf": [{"type": "string"}]},
        {"items": [{"type": "string"}]},
        {"format": "date"},
        {"$ref": "other.yaml#/x"},
        {"properties": {"a": {"anyOf": []}}},
    ],
)
def test_unsupported_keywords_compile_to_none(schema):
    assert compile_check(schema) is None
