"""Load, validate and compile protocol rule sets (``resources/risk/<protocol>.yaml``).

A rule set is data: ordered rules (id, condition, outcome group, description, sources),
derived facts, MRD time points, named settings (each marked verified or UNVERIFIED with
its source) and treatment annotations. :func:`load_ruleset` validates the file against
``workflow/schemas/ruleset.schema.yaml``, then checks what a schema cannot: conditions
parse, every fact / setting / source they name exists, rule ids are unique, outcome
groups are declared, and the last rule is the catch-all ``true`` (so every sample gets
exactly one outcome). Errors are :class:`~allstrat.errors.ConfigError` naming the file
and the path inside it (``rules/3/when``).

Overrides from the workflow configuration may change only UNVERIFIED settings; the
rule-set version then carries a ``+o<hash>`` suffix so that results record it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from allstrat.errors import ConfigError
from allstrat.paths import project_root, resources_dir
from allstrat.risk.expr import ExprError, Node, names_in, parse, settings_in
from allstrat.risk.facts import BASE_FACTS, MrdTimepoint

__all__ = [
    "NOT_APPLICABLE",
    "UNSOURCED",
    "Annotation",
    "Derived",
    "Rule",
    "RuleSet",
    "available_protocols",
    "load_ruleset",
    "load_rulesets",
]

logger = logging.getLogger(__name__)

NOT_APPLICABLE = "not_applicable"
#: rule group for cases the rule set's sources do not cover (e.g. T-ALL in a protocol whose
#: T-ALL criteria are not sourced): the result is ``indeterminate`` with every group possible
#: and the rule's description as the reason -- never another population's rules applied.
UNSOURCED = "indeterminate"
SCHEMA_PATH = Path("workflow") / "schemas" / "ruleset.schema.yaml"


@dataclass(frozen=True)
class Rule:
    """One ordered rule."""

    id: str
    when: str
    node: Node
    group: str
    description: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Derived:
    """A named derived fact."""

    name: str
    when: str
    node: Node
    description: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Annotation:
    """A treatment annotation."""

    id: str
    name: str
    when: str
    node: Node
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class RuleSet:
    """A compiled, validated protocol rule set."""

    protocol: str
    title: str
    version: str
    path: str
    sha256: str
    groups: tuple[str, ...]
    sources: dict[str, str]
    settings: dict[str, Any]
    setting_specs: dict[str, dict[str, Any]]
    overridden: dict[str, Any]
    timepoints: tuple[MrdTimepoint, ...]
    derived: tuple[Derived, ...]
    rules: tuple[Rule, ...]
    annotations: tuple[Annotation, ...]
    description: str = ""
    common_version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def rank(self, group: str) -> int:
        """Position of ``group`` in the risk order (0 = lowest risk)."""
        return self.groups.index(group)

    @property
    def unverified_settings(self) -> dict[str, Any]:
        """Settings marked UNVERIFIED, with their current values."""
        return {k: self.settings[k] for k, s in self.setting_specs.items() if not s["verified"]}


def risk_dir() -> Path:
    """The folder of the bundled rule sets."""
    return resources_dir() / "risk"


def available_protocols(folder: str | Path | None = None) -> list[str]:
    """Protocol ids of the rule-set files in ``folder`` (default: the bundled ones)."""
    d = Path(folder) if folder is not None else risk_dir()
    return sorted(p.stem for p in d.glob("*.yaml"))


@functools.cache
def _schema() -> dict[str, Any]:
    with (project_root() / SCHEMA_PATH).open() as fh:
        return yaml.safe_load(fh)


def _read_yaml(path: Path) -> tuple[Any, str]:
    if not path.is_file():
        raise ConfigError(f"{path}: rule-set file not found")
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: invalid YAML: {problem}") from None
    return data, hashlib.sha256(raw).hexdigest()


def _validate(data: Any, path: Path, schema: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.path), list(e.path)))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.path) or "(top level)"
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise ConfigError(f"{path}: at {where}: {err.message}{more}")


def _compile(text: str, path: Path, where: str) -> Node:
    try:
        return parse(text)
    except ExprError as exc:
        raise ConfigError(f"{path}: at {where}: invalid condition {text!r}: {exc}") from None


def _check_refs(  # noqa: PLR0917 - private validator, called with the same six values throughout
    node: Node,
    text: str,
    path: Path,
    where: str,
    known_facts: set[str],
    settings: Mapping[str, Any],
) -> None:
    for name in names_in(node):
        if name not in known_facts:
            raise ConfigError(
                f"{path}: at {where}: condition {text!r} uses unknown fact {name!r} "
                f"(known: base facts, MRD time points, derived facts defined above)"
            )
    for name in settings_in(node):
        if name not in settings:
            raise ConfigError(
                f"{path}: at {where}: condition {text!r} uses undefined setting ${name}"
            )


def _check_sources(srcs: list[str], sources: Mapping[str, str], path: Path, where: str) -> None:
    for s in srcs:
        if s not in sources:
            raise ConfigError(f"{path}: at {where}/sources: source {s!r} is not in `sources`")


def _setting_value(name: str, spec: Mapping[str, Any], value: Any, path: Path, origin: str) -> Any:
    default = spec["value"]
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int | float):
        if isinstance(value, str):  # YAML 1.1 reads "5e-4" (no dot) as a string
            with contextlib.suppress(ValueError):
                value = float(value)
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value
    else:
        ok = isinstance(value, str)
    if not ok:
        raise ConfigError(
            f"{path}: setting {name!r} ({origin}): expected a {type(default).__name__} "
            f"like the default {default!r}, got {value!r}"
        )
    if "allowed" in spec and value not in spec["allowed"]:
        raise ConfigError(
            f"{path}: setting {name!r} ({origin}): {value!r} is not one of {spec['allowed']}"
        )
    if "minimum" in spec and value < spec["minimum"]:
        raise ConfigError(f"{path}: setting {name!r} ({origin}): {value!r} < {spec['minimum']}")
    if "maximum" in spec and value > spec["maximum"]:
        raise ConfigError(f"{path}: setting {name!r} ({origin}): {value!r} > {spec['maximum']}")
    return value


def _annotations(  # noqa: PLR0917 - private validator, called once
    items: list[dict[str, Any]],
    path: Path,
    prefix: str,
    known: set[str],
    settings: Mapping[str, Any],
    sources: Mapping[str, str],
) -> list[Annotation]:
    out = []
    for i, a in enumerate(items):
        where = f"{prefix}/{i}"
        node = _compile(a["when"], path, f"{where}/when")
        _check_refs(node, a["when"], path, f"{where}/when", known | {"group"}, settings)
        _check_sources(a["sources"], sources, path, where)
        out.append(Annotation(a["id"], a["name"], a["when"], node, a["text"], tuple(a["sources"])))
    return out


def load_ruleset(  # noqa: C901 - one check per rule-set field; split pending (#15 item 7)
    path: str | Path,
    *,
    overrides: Mapping[str, Any] | None = None,
    common_annotations: str | Path | None = None,
) -> RuleSet:
    """Load and compile one rule-set file.

    Parameters
    ----------
    path
        The YAML file (``resources/risk/<protocol>.yaml``).
    overrides
        Setting name -> value; only UNVERIFIED settings may be overridden.
    common_annotations
        The shared annotations file (default ``resources/risk/common/annotations.yaml``
        next to the rule set's folder).

    Returns
    -------
    RuleSet

    Raises
    ------
    ConfigError
        On any problem, naming the file and the path inside it.
    """
    p = Path(path)
    data, sha = _read_yaml(p)
    schema = _schema()
    _validate(data, p, schema)
    if data["protocol"] != p.stem:
        raise ConfigError(
            f"{p}: at protocol: {data['protocol']!r} differs from the file name {p.stem!r}"
        )
    sources: dict[str, str] = dict(data["sources"])
    groups = tuple(data["groups"])

    specs: dict[str, dict[str, Any]] = data["settings"]
    settings: dict[str, Any] = {}
    for name, spec in specs.items():
        _check_sources(spec["sources"], sources, p, f"settings/{name}")
        settings[name] = _setting_value(name, spec, spec["value"], p, "default")
    overridden: dict[str, Any] = {}
    for name, value in (overrides or {}).items():
        if name not in specs:
            raise ConfigError(
                f"{p}: override of unknown setting {name!r}; settings: {sorted(specs)}"
            )
        if specs[name]["verified"]:
            raise ConfigError(
                f"{p}: setting {name!r} is a verified protocol fact and cannot be overridden "
                f"from the configuration; edit the rule set and bump its version instead"
            )
        settings[name] = _setting_value(name, specs[name], value, p, "override")
        if settings[name] != specs[name]["value"]:
            overridden[name] = settings[name]

    timepoints = []
    known: set[str] = set(BASE_FACTS)
    for name, tp in (data.get("mrd_timepoints") or {}).items():
        if tp["day_min"] > tp["day_max"]:
            raise ConfigError(f"{p}: at mrd_timepoints/{name}: day_min > day_max")
        _check_sources(tp["sources"], sources, p, f"mrd_timepoints/{name}")
        timepoints.append(
            MrdTimepoint(
                name, tp["method"], tp["tissue"], tp["day_min"], tp["day_max"], tp["description"]
            )
        )
        known |= {f"mrd_{name}", f"mrd_{name}_not_done"}

    if timepoints:
        for need in ("mrd_default_sensitivity", "mrd_positive_nq_max"):
            if need not in settings:
                raise ConfigError(
                    f"{p}: at settings: rule sets with mrd_timepoints need the setting {need!r}"
                )
    derived = []
    for i, d in enumerate(data.get("derived") or []):
        where = f"derived/{i}"
        if d["name"] in known:
            raise ConfigError(f"{p}: at {where}/name: {d['name']!r} is already a fact")
        node = _compile(d["when"], p, f"{where}/when")
        _check_refs(node, d["when"], p, f"{where}/when", known, settings)
        _check_sources(d["sources"], sources, p, where)
        derived.append(Derived(d["name"], d["when"], node, d["description"], tuple(d["sources"])))
        known.add(d["name"])

    rules = []
    seen_ids: dict[str, str] = {}
    for i, r in enumerate(data["rules"]):
        where = f"rules/{i}"
        if r["id"] in seen_ids:
            raise ConfigError(
                f"{p}: at {where}/id: duplicate rule id {r['id']!r} (also {seen_ids[r['id']]})"
            )
        seen_ids[r["id"]] = where
        if r["group"] not in groups and r["group"] not in (NOT_APPLICABLE, UNSOURCED):
            raise ConfigError(
                f"{p}: at {where}/group: {r['group']!r} is not one of the declared groups "
                f"{list(groups)} (or {NOT_APPLICABLE!r}, or {UNSOURCED!r} for cases the "
                "protocol's sources do not cover)"
            )
        node = _compile(r["when"], p, f"{where}/when")
        _check_refs(node, r["when"], p, f"{where}/when", known, settings)
        _check_sources(r["sources"], sources, p, where)
        rules.append(
            Rule(r["id"], r["when"], node, r["group"], r["description"], tuple(r["sources"]))
        )
    last = rules[-1]
    if not (last.node.kind == "lit" and last.node.value is True):
        raise ConfigError(
            f'{p}: at rules/{len(rules) - 1}/when: the last rule must be the catch-all "true" '
            f"so that every sample gets exactly one outcome (got {last.when!r})"
        )
    if last.group == NOT_APPLICABLE:
        raise ConfigError(f"{p}: at rules/{len(rules) - 1}/group: the catch-all needs a risk group")

    annotations = _annotations(
        data.get("annotations") or [], p, "annotations", known, settings, sources
    )
    common_version = ""
    if data.get("include_common_annotations", True):
        cpath = (
            Path(common_annotations)
            if common_annotations is not None
            else p.parent / "common" / "annotations.yaml"
        )
        cdata, _ = _read_yaml(cpath)
        _validate(
            cdata, cpath, {"$defs": schema["$defs"], "$ref": "#/$defs/common_annotations_file"}
        )
        csources = dict(cdata["sources"])
        annotations += _annotations(
            cdata["annotations"], cpath, "annotations", set(BASE_FACTS), {}, csources
        )
        for k, v in csources.items():
            sources.setdefault(k, v)
        common_version = cdata["version"]
    for i, a in enumerate(annotations):
        if a.id in seen_ids:
            raise ConfigError(f"{p}: annotation id {a.id!r} duplicates a rule or annotation id")
        seen_ids[a.id] = f"annotations/{i}"

    version = data["version"]
    if overridden:
        digest = hashlib.sha256(json.dumps(overridden, sort_keys=True).encode()).hexdigest()[:8]
        version = f"{version}+o{digest}"
    return RuleSet(
        protocol=data["protocol"],
        title=data["title"],
        version=version,
        path=p.name,
        sha256=sha,
        groups=groups,
        sources=sources,
        settings=settings,
        setting_specs={k: dict(v) for k, v in specs.items()},
        overridden=overridden,
        timepoints=tuple(timepoints),
        derived=tuple(derived),
        rules=tuple(rules),
        annotations=tuple(annotations),
        description=data.get("description", ""),
        common_version=common_version,
    )


def load_rulesets(
    protocols: list[str] | None = None,
    *,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    folder: str | Path | None = None,
) -> list[RuleSet]:
    """Load several protocols' rule sets (default: every bundled one).

    Parameters
    ----------
    protocols
        Protocol ids; ``None`` = all files in ``folder``.
    overrides
        Protocol id -> {setting -> value} (the ``risk.settings`` config section).
    folder
        Folder of the rule-set files (default ``resources/risk``).
    """
    d = Path(folder) if folder is not None else risk_dir()
    avail = available_protocols(d)
    wanted = avail if protocols is None else list(protocols)
    unknown = [x for x in wanted if x not in avail]
    if unknown:
        raise ConfigError(f"unknown protocol(s) {unknown}; available: {avail}")
    extra = [x for x in (overrides or {}) if x not in wanted]
    if extra:
        logger.warning(
            "setting overrides for protocol(s) %s are ignored: not selected (%s)", extra, wanted
        )
    out = []
    for proto in wanted:
        rs = load_ruleset(d / f"{proto}.yaml", overrides=(overrides or {}).get(proto))
        logger.debug("loaded rule set %s %s (%s)", rs.protocol, rs.version, rs.sha256[:12])
        out.append(rs)
    return out
