"""A quick "is this valid?" check compiled from a JSON schema (the keywords allstrat uses).

Validating every per-sample record with ``jsonschema`` cost more than a millisecond per
sample (its validators are generic: one object per keyword and level). The reports only
need to know that a record is valid, and the error text only when it is not, so
:func:`compile_check` turns a schema into nested closures that answer ``True`` / ``False``
and the caller asks ``jsonschema`` for the message when the answer is ``False``.

The check never accepts what ``jsonschema`` (Draft 2020-12) rejects: it understands
``type``, ``enum``, ``const``, ``properties``, ``required``, ``additionalProperties``,
``propertyNames``, ``items`` (a schema), ``minimum``, ``maximum``, ``minLength``,
``pattern`` and local ``$ref`` to ``#/$defs/...``, plus the annotations (``description``
...); a schema with any other keyword compiles to ``None`` (use ``jsonschema``). Where in
doubt it answers ``False`` (e.g. an ``enum`` value of another type than the listed one),
which only costs the ``jsonschema`` call.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["compile_check"]

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "default", "examples", "$defs"}
)
_KNOWN = _ANNOTATIONS | {
    "type", "enum", "const", "properties", "required", "additionalProperties",
    "propertyNames", "items", "minimum", "maximum", "minLength", "pattern", "$ref",
}  # fmt: skip


class _Unsupported(Exception):
    """The schema uses a keyword (or form) the quick check does not implement."""


def _is_number(v: Any) -> bool:
    return type(v) in (int, float) or (isinstance(v, (int, float)) and not isinstance(v, bool))


def _is_integer(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return True
    return isinstance(v, float) and v.is_integer()


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "number": _is_number,
    "integer": _is_integer,
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def compile_check(schema: Mapping[str, Any]) -> Check | None:
    """``check(instance) -> bool`` for ``schema``; ``None`` if it uses unsupported keywords.

    ``check(x)`` is ``True`` only if ``jsonschema`` finds no error in ``x``; ``False`` means
    "ask ``jsonschema``" (it usually finds an error; it may not, when the check was
    conservative).
    """
    defs = schema.get("$defs", {})
    try:
        return _compile(schema, defs, {})
    except _Unsupported:
        return None


def _compile(schema: Any, defs: Mapping[str, Any], refs: dict[str, Check]) -> Check:
    if schema is True or schema == {}:
        return lambda v: True
    if schema is False:
        return lambda v: False
    if not isinstance(schema, Mapping) or not set(schema) <= _KNOWN:
        raise _Unsupported
    checks: list[Check] = []
    if "$ref" in schema:
        checks.append(_ref(schema["$ref"], defs, refs))
    if "type" in schema:
        checks.append(_type(schema["type"]))
    if "const" in schema:
        checks.append(_enum([schema["const"]]))
    if "enum" in schema:
        checks.append(_enum(schema["enum"]))
    checks += _number_checks(schema)
    checks += _string_checks(schema)
    if any(k in schema for k in ("properties", "required", "additionalProperties")):
        checks.append(_object(schema, defs, refs))
    if "propertyNames" in schema:
        names = _compile(schema["propertyNames"], defs, refs)
        checks.append(lambda v: not isinstance(v, dict) or all(names(k) for k in v))
    if "items" in schema:
        each = _compile(schema["items"], defs, refs)
        checks.append(lambda v: not isinstance(v, list) or all(each(x) for x in v))
    if len(checks) == 1:
        return checks[0]
    return lambda v: all(c(v) for c in checks)


def _ref(ref: Any, defs: Mapping[str, Any], refs: dict[str, Check]) -> Check:
    prefix = "#/$defs/"
    if not isinstance(ref, str) or not ref.startswith(prefix) or ref[len(prefix) :] not in defs:
        raise _Unsupported
    name = ref[len(prefix) :]
    if name not in refs:
        box: list[Check] = []
        refs[name] = lambda v: box[0](v)  # recursive definitions resolve through the box
        box.append(_compile(defs[name], defs, refs))
    return refs[name]


def _type(spec: Any) -> Check:
    names = [spec] if isinstance(spec, str) else spec
    if not isinstance(names, list) or not all(n in _TYPES for n in names):
        raise _Unsupported
    tests = [_TYPES[n] for n in names]
    if len(tests) == 1:
        return tests[0]
    return lambda v: any(t(v) for t in tests)


def _enum(values: Any) -> Check:
    if not isinstance(values, list):
        raise _Unsupported
    plain = [x for x in values if isinstance(x, str)]
    if len(plain) == len(values):
        allowed = frozenset(plain)
        return lambda v: isinstance(v, str) and v in allowed
    # other JSON values: equal and of the same Python type (True is not 1 here)
    return lambda v: any(type(v) is type(x) and v == x for x in values)


def _number_checks(schema: Mapping[str, Any]) -> list[Check]:
    out: list[Check] = []
    for key, ok in (("minimum", lambda v, m: v >= m), ("maximum", lambda v, m: v <= m)):
        if key not in schema:
            continue
        bound = schema[key]
        if not _is_number(bound):
            raise _Unsupported

        def check(v: Any, bound: float = bound, ok: Callable[[Any, Any], bool] = ok) -> bool:
            if not _is_number(v):
                return True
            return not (isinstance(v, float) and math.isnan(v)) and ok(v, bound)

        out.append(check)
    return out


def _string_checks(schema: Mapping[str, Any]) -> list[Check]:
    out: list[Check] = []
    if "minLength" in schema:
        n = schema["minLength"]
        if not _is_integer(n):
            raise _Unsupported
        out.append(lambda v: not isinstance(v, str) or len(v) >= n)
    if "pattern" in schema:
        if not isinstance(schema["pattern"], str):
            raise _Unsupported
        rx = re.compile(schema["pattern"])
        out.append(lambda v: not isinstance(v, str) or rx.search(v) is not None)
    return out


def _object(schema: Mapping[str, Any], defs: Mapping[str, Any], refs: dict[str, Check]) -> Check:
    props_raw = schema.get("properties", {})
    required = schema.get("required", [])
    if not isinstance(props_raw, Mapping) or not isinstance(required, list):
        raise _Unsupported
    props = {str(k): _compile(s, defs, refs) for k, s in props_raw.items()}
    need = tuple(required)
    extra_schema = schema.get("additionalProperties", True)
    extra = None if extra_schema is True else _compile(extra_schema, defs, refs)

    def check(v: Any) -> bool:
        if not isinstance(v, dict):
            return True
        for k in need:
            if k not in v:
                return False
        for k, x in v.items():
            c = props.get(k)
            if c is None:
                if extra is not None and not extra(x):
                    return False
            elif not c(x):
                return False
        return True

    return check
