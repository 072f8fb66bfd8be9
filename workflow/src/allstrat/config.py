"""The workflow configuration: one schema, one loader.

``workflow/schemas/config.schema.yaml`` is the single source of every setting's default,
type and allowed values:

* Settings dataclasses of the library take their defaults from it with the
  :func:`schema_defaults` class decorator (a field of the dataclass without a key in the
  schema fails at import, so the two cannot drift apart).
* :func:`load_section` validates one section (``classify``, ``copynumber``,
  ``consistency``, ``risk``, ``expression``, ``report``, ``train``, ``train_tall``)
  against its part of the schema, fills the defaults and builds the section's settings
  object. Errors name the key, the value and what is allowed.
* :func:`read_section_text` reads what a CLI verb gets as ``--config-section``: a JSON
  object, or a YAML / JSON file holding the section or a whole workflow config.

Library code never reads Snakemake's ``config``; the verbs pass their section here.

Examples
--------
>>> load_section("copynumber", {"mlpa": {"mode": "fixed"}}).mlpa.mode
'fixed'
>>> load_section("risk").min_confidence_tier
'medium'
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import jsonschema
import yaml

from allstrat.errors import ConfigError
from allstrat.paths import project_root

if TYPE_CHECKING:  # the section records name library settings; imported lazily below
    from allstrat.classify.decide import CallSettings
    from allstrat.tall.etp import EtpSettings

__all__ = [
    "FROM_SCHEMA",
    "SECTIONS",
    "ClassifySettings",
    "ExpressionSettings",
    "ReportSettings",
    "RiskSettings",
    "TrainSettings",
    "build_settings",
    "config_schema",
    "describe_allowed",
    "load_section",
    "merge_overrides",
    "read_section_text",
    "schema_default",
    "schema_defaults",
    "section_schema",
    "validate_section",
]

SCHEMA_FILE = Path("workflow") / "schemas" / "config.schema.yaml"

T = TypeVar("T")


@functools.cache
def config_schema() -> dict[str, Any]:
    """The config JSON schema (``workflow/schemas/config.schema.yaml``), read once."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (project_root() / SCHEMA_FILE).open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)


def section_schema(path: str) -> dict[str, Any]:
    """The schema of a section or key, by dotted path (``"copynumber.mlpa"``)."""
    spec = config_schema()
    for part in path.split("."):
        props = spec.get("properties", {})
        if part not in props:
            raise ConfigError(f"the config schema has no key {path!r}")
        spec = props[part]
    return spec


def schema_default(path: str) -> Any:
    """The schema default of one key (``"classify.min_probability"``), a fresh copy."""
    return _fill(copy.deepcopy(section_schema(path).get("default")), section_schema(path))


def describe_allowed(
    spec: Mapping[str, Any],
    *,
    quote: Callable[[str], str] | None = None,
    type_fallback: bool = True,
) -> str:
    """Allowed values of a schema key in words (enum, range, pattern, item rule).

    ``quote`` wraps each enum value and pattern (the config README renders them as code);
    ``type_fallback`` names the type when nothing else restricts the value.
    """
    q = quote or (lambda text: text)
    parts = []
    if "enum" in spec:
        parts.append(", ".join(q(_text(e)) for e in spec["enum"]))
    for key, sym in (
        ("minimum", "≥"),
        ("exclusiveMinimum", ">"),
        ("maximum", "≤"),
        ("exclusiveMaximum", "<"),
    ):
        if key in spec:
            parts.append(f"{sym} {spec[key]}")
    if "pattern" in spec:
        parts.append(f"pattern {q(spec['pattern'])}")
    if spec.get("type") == "array" and isinstance(spec.get("items"), dict):
        inner = describe_allowed(spec["items"], quote=quote, type_fallback=type_fallback)
        if inner:
            parts.append(f"items: {inner}")
    if not parts and type_fallback and "type" in spec:
        typ = spec["type"]
        parts.append("/".join(typ) if isinstance(typ, list) else str(typ))
    return "; ".join(parts)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _fill(value: Any, spec: Mapping[str, Any]) -> Any:
    """``value`` with the defaults of missing keys filled in, recursively."""
    if isinstance(value, dict) and "properties" in spec:
        for key, sub in spec["properties"].items():
            if key in value:
                value[key] = _fill(value[key], sub)
            elif "default" in sub:
                value[key] = _fill(copy.deepcopy(sub["default"]), sub)
    return value


def _error_message(section: str, err: jsonschema.ValidationError) -> str:
    where = ".".join([section, *(str(p) for p in err.absolute_path)])
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        known = set(err.schema.get("properties", {}))
        extra = sorted(k for k in err.instance if k not in known)
        if known and extra:
            key = extra[0]
            return (
                f"config {where}.{key} = {_text(err.instance[key])}: unknown key; "
                f"allowed keys: {', '.join(sorted(known))}"
            )
    allowed = describe_allowed(err.schema)
    if "propertyNames" in err.absolute_schema_path:
        return f"config {where}: unknown key {_text(err.instance)}; allowed keys: {allowed}"
    if err.validator == "type":
        typ = err.validator_value
        typ = " or ".join(typ) if isinstance(typ, list) else typ
        tail = f" ({allowed})" if allowed and allowed != typ else ""
        return f"config {where} = {_text(err.instance)}: expected {typ}{tail}"
    reason = "not an allowed value" if err.validator == "enum" else err.message
    tail = f"; allowed: {allowed}" if allowed else ""
    return f"config {where} = {_text(err.instance)}: {reason}{tail}"


def validate_section(name: str, mapping: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Validate a config section and return a copy with every default filled in.

    Raises
    ------
    ConfigError
        Naming the key (dotted path), the value and the allowed values.
    """
    spec = section_schema(name)
    value = copy.deepcopy(dict(mapping)) if mapping is not None else {}
    validator = jsonschema.Draft202012Validator(spec)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise ConfigError(_error_message(name, errors[0]))
    return _fill(value, spec)


# ---------------------------------------------------------------------------------------
# settings dataclasses with schema defaults


def _coerce(annotation: Any, value: Any) -> Any:
    """A schema / config value as the field's type (YAML ``5`` for a float field is 5.0)."""
    ann = str(annotation).replace(" ", "")
    if value is None:
        return None
    if ann == "float":
        return float(value)
    if ann == "int":
        return int(value)
    if ann.startswith("tuple["):
        inner = ann[len("tuple[") :].split(",")[0]
        return tuple(_coerce(inner, v) for v in value)
    if ann == "dict[str,float]":
        return {str(k): float(v) for k, v in value.items()}
    return value


class _FromSchema:
    """Placeholder default of a settings field: :func:`schema_defaults` replaces it."""

    def __repr__(self) -> str:
        return "FROM_SCHEMA"


#: the default of a settings field whose value comes from the config schema
FROM_SCHEMA: Any = _FromSchema()


def schema_defaults(
    path: str, *, keys: Mapping[str, str] | None = None
) -> Callable[[type[T]], type[T]]:
    """Class decorator (below ``@dataclass``): field defaults from the config schema.

    Every field declared ``name: type = FROM_SCHEMA`` gets the default of the key of the
    same name (or ``keys[name]``) under ``path``; a field typed as another decorated
    settings class (a nested schema object) gets that class as its default factory.
    A field with no schema key is a programming error and fails at import.

    Examples
    --------
    >>> @dataclass(frozen=True)
    ... @schema_defaults("expression")
    ... class Import:
    ...     min_mapped_fraction: float = FROM_SCHEMA
    >>> Import()
    Import(min_mapped_fraction=0.25)

    Parameters
    ----------
    path
        Dotted schema path of the section (``"copynumber.mlpa"``).
    keys
        Field name -> schema key, where they differ.
    """
    renamed = dict(keys or {})

    def wrap(cls: type[T]) -> type[T]:
        props = section_schema(path).get("properties", {})
        namespace = vars(sys.modules[cls.__module__])
        for name, annotation in inspect.get_annotations(cls).items():
            if cls.__dict__.get(name) is not FROM_SCHEMA:
                continue  # not a setting (e.g. a source citation with its own default)
            key = renamed.get(name, name)
            if key not in props:
                msg = f"{cls.__name__}.{name}: no key {path}.{key} in the config schema"
                raise TypeError(msg)
            spec = props[key]
            nested = namespace.get(str(annotation))
            if spec.get("type") == "object" and "properties" in spec and nested is not None:
                setattr(cls, name, field(default_factory=nested))
                continue
            value = _coerce(annotation, copy.deepcopy(spec["default"]))
            if isinstance(value, list | dict):
                setattr(cls, name, field(default_factory=functools.partial(copy.deepcopy, value)))
            else:
                setattr(cls, name, value)
        cls.__schema_path__ = path  # type: ignore[attr-defined]
        cls.__schema_keys__ = renamed  # type: ignore[attr-defined]
        return cls

    return wrap


def build_settings(cls: type[T], mapping: Mapping[str, Any]) -> T:
    """Build a :func:`schema_defaults` dataclass from a (validated) section mapping.

    Keys of ``mapping`` that are not fields of ``cls`` are ignored (a section may feed
    several settings objects); missing keys keep the schema defaults.
    """
    renamed: Mapping[str, str] = getattr(cls, "__schema_keys__", {})
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        key = renamed.get(f.name, f.name)
        if not f.init or key not in mapping:
            continue
        factory = f.default_factory
        if isinstance(factory, type) and hasattr(factory, "__schema_path__"):
            kwargs[f.name] = build_settings(factory, mapping[key] or {})
        else:
            kwargs[f.name] = _coerce(f.type, copy.deepcopy(mapping[key]))
    return cls(**kwargs)


# ---------------------------------------------------------------------------------------
# section records of the verbs


@dataclass(frozen=True)
class ClassifySettings:
    """Config section ``classify``: call rules, ETP cut-offs, models, explanation size."""

    calls: CallSettings
    etp: EtpSettings
    model: str
    tall_model: str
    top_genes: int


@dataclass(frozen=True)
@schema_defaults("risk")
class RiskSettings:
    """Config section ``risk`` (see the schema for each key's meaning)."""

    protocols: tuple[str, ...] = FROM_SCHEMA
    min_confidence_tier: str = FROM_SCHEMA
    unassessed_masked_hypodiploidy: str = FROM_SCHEMA
    lab_discordance: str = FROM_SCHEMA
    settings: dict[str, dict[str, Any]] = FROM_SCHEMA

    def accepted_tiers(self) -> list[str]:
        """Confidence tiers counted as known genetics (``min_confidence_tier`` and above)."""
        from allstrat.contracts import CONFIDENCE_TIERS

        return list(CONFIDENCE_TIERS[: CONFIDENCE_TIERS.index(self.min_confidence_tier) + 1])

    def record(self) -> dict[str, Any]:
        """The assignment policy as the risk stage's provenance records it."""
        return {
            "accepted_confidence_tiers": self.accepted_tiers(),
            "unassessed_masked_hypodiploidy": self.unassessed_masked_hypodiploidy,
            "lab_discordance": self.lab_discordance,
        }


@dataclass(frozen=True)
@schema_defaults("expression")
class ExpressionSettings:
    """Config section ``expression`` (expression import)."""

    star_strandedness: str = FROM_SCHEMA
    min_mapped_fraction: float = FROM_SCHEMA


@dataclass(frozen=True)
@schema_defaults("report")
class ReportSettings:
    """Config section ``report`` (cohort report)."""

    max_points: int = FROM_SCHEMA
    umap: bool = FROM_SCHEMA
    seed: int = FROM_SCHEMA
    reference: str = FROM_SCHEMA


@dataclass(frozen=True)
@schema_defaults("train")
class TrainSettings:
    """Model-training keys of config sections ``train`` / ``train_tall`` (same keys).

    The sections' cohort keys (samples, labels, simulate, n_samples, seed) belong to the
    workflow rules that make the cohort; the verb reads the keys below.
    """

    out_dir: str = FROM_SCHEMA
    name: str = FROM_SCHEMA
    version: str = FROM_SCHEMA
    cv_folds: int = FROM_SCHEMA
    inner_folds: int = FROM_SCHEMA
    c_grid: tuple[float, ...] = FROM_SCHEMA
    seed_model: int = FROM_SCHEMA


def _classify(section: Mapping[str, Any]) -> ClassifySettings:
    from allstrat.classify.decide import CallSettings
    from allstrat.tall.etp import EtpSettings

    return ClassifySettings(
        calls=build_settings(CallSettings, section),
        etp=build_settings(EtpSettings, section["etp"]),
        model=section["model"],
        tall_model=section["tall_model"],
        top_genes=int(section["top_genes"]),
    )


def _copynumber(section: Mapping[str, Any]) -> Any:
    from allstrat.copynumber.caller import CopyNumberSettings

    return build_settings(CopyNumberSettings, section)


def _consistency(section: Mapping[str, Any]) -> Any:
    from allstrat.classify.consistency import ConsistencySettings

    return build_settings(ConsistencySettings, section)


#: section name -> builder of its settings object from the validated section
SECTIONS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "classify": _classify,
    "copynumber": _copynumber,
    "consistency": _consistency,
    "risk": functools.partial(build_settings, RiskSettings),
    "expression": functools.partial(build_settings, ExpressionSettings),
    "report": functools.partial(build_settings, ReportSettings),
    "train": functools.partial(build_settings, TrainSettings),
    "train_tall": functools.partial(build_settings, TrainSettings),
}


def load_section(name: str, mapping: Mapping[str, Any] | None = None) -> Any:
    """Validate config section ``name`` and build its settings object.

    Parameters
    ----------
    name
        A key of :data:`SECTIONS`.
    mapping
        The section as given (missing keys take the schema defaults; ``None`` = all).

    Returns
    -------
    object
        :class:`ClassifySettings`, :class:`~allstrat.copynumber.caller.CopyNumberSettings`,
        :class:`~allstrat.classify.consistency.ConsistencySettings`, :class:`RiskSettings`,
        :class:`ExpressionSettings`, :class:`ReportSettings` or :class:`TrainSettings`.

    Raises
    ------
    ConfigError
        An unknown key, a value of the wrong type or outside the allowed values.
    """
    if name not in SECTIONS:
        raise ConfigError(f"no loader for config section {name!r}; known: {sorted(SECTIONS)}")
    return SECTIONS[name](validate_section(name, mapping))


def merge_overrides(section: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``section`` with ``overrides`` applied (in place): ``None`` keeps the section's value,
    a mapping is merged into the section's mapping, anything else replaces it.
    """
    for key, value in overrides.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            section[key] = {**(section.get(key) or {}), **value}
        else:
            section[key] = value
    return section


def read_section_text(text: str | None, name: str) -> dict[str, Any]:
    """The mapping a verb's ``--config-section`` names (not yet validated).

    ``text`` is a JSON object (it starts with ``{``), or the path of a YAML / JSON file
    holding either the section itself or a whole workflow config (then its ``name`` key
    is used). Empty = ``{}`` (every key at its schema default).
    """
    text = (text or "").strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"config section {name}: not a valid JSON object: {exc}") from None
    else:
        path = Path(text)
        if not path.is_file():
            raise ConfigError(
                f"config section {name}: {text!r} is neither a JSON object nor an existing file"
            )
        try:
            value = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not a valid YAML / JSON file: {exc}") from None
        props = section_schema(name).get("properties", {})
        if isinstance(value, dict) and isinstance(value.get(name), dict) and name not in props:
            value = value[name]  # a whole workflow config
    if not isinstance(value, dict):
        raise ConfigError(f"config section {name} must be a mapping, got {_text(value)}")
    return value
