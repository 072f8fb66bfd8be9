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


@dataclass
class _Checker:
    """What a condition of one file may name: its sources, settings and known facts."""

    path: Path
    sources: Mapping[str, str]
    settings: Mapping[str, Any] = field(default_factory=dict)
    known: set[str] = field(default_factory=lambda: set(BASE_FACTS))

    def fail(self, msg: str) -> ConfigError:
        """A ConfigError naming the file."""
        return ConfigError(f"{self.path}: {msg}")

    def condition(self, text: str, where: str, *, also: frozenset[str] = frozenset()) -> Node:
        """Compile ``text`` and check the facts (``known`` + ``also``) and settings it names."""
        try:
            node = parse(text)
        except ExprError as exc:
            raise self.fail(f"at {where}: invalid condition {text!r}: {exc}") from None
        for name in names_in(node):
            if name not in self.known and name not in also:
                raise self.fail(
                    f"at {where}: condition {text!r} uses unknown fact {name!r} "
                    f"(known: base facts, MRD time points, derived facts defined above)"
                )
        for name in settings_in(node):
            if name not in self.settings:
                raise self.fail(f"at {where}: condition {text!r} uses undefined setting ${name}")
        return node

    def check_sources(self, srcs: list[str], where: str) -> None:
        """Every source an item cites is in the file's ``sources``."""
        for s in srcs:
            if s not in self.sources:
                raise self.fail(f"at {where}/sources: source {s!r} is not in `sources`")


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


def _settings(
    specs: Mapping[str, Mapping[str, Any]], overrides: Mapping[str, Any], ck: _Checker
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Setting values (defaults, then overrides of UNVERIFIED ones) and the overridden ones."""
    p = ck.path
    settings: dict[str, Any] = {}
    for name, spec in specs.items():
        ck.check_sources(spec["sources"], f"settings/{name}")
        settings[name] = _setting_value(name, spec, spec["value"], p, "default")
    overridden: dict[str, Any] = {}
    for name, value in overrides.items():
        if name not in specs:
            raise ck.fail(f"override of unknown setting {name!r}; settings: {sorted(specs)}")
        if specs[name]["verified"]:
            raise ck.fail(
                f"setting {name!r} is a verified protocol fact and cannot be overridden "
                f"from the configuration; edit the rule set and bump its version instead"
            )
        settings[name] = _setting_value(name, specs[name], value, p, "override")
        if settings[name] != specs[name]["value"]:
            overridden[name] = settings[name]
    return settings, overridden


def _timepoints(items: Mapping[str, Mapping[str, Any]], ck: _Checker) -> list[MrdTimepoint]:
    """MRD time points; each adds the facts ``mrd_<name>`` and ``mrd_<name>_not_done``."""
    out = []
    for name, tp in items.items():
        if tp["day_min"] > tp["day_max"]:
            raise ck.fail(f"at mrd_timepoints/{name}: day_min > day_max")
        ck.check_sources(tp["sources"], f"mrd_timepoints/{name}")
        out.append(
            MrdTimepoint(
                name, tp["method"], tp["tissue"], tp["day_min"], tp["day_max"], tp["description"]
            )
        )
        ck.known |= {f"mrd_{name}", f"mrd_{name}_not_done"}
    if out:
        for need in ("mrd_default_sensitivity", "mrd_positive_nq_max"):
            if need not in ck.settings:
                raise ck.fail(
                    f"at settings: rule sets with mrd_timepoints need the setting {need!r}"
                )
    return out


def _derived(items: list[dict[str, Any]], ck: _Checker) -> list[Derived]:
    """Derived facts in order; each may use the facts defined above it (and becomes one)."""
    out = []
    for i, d in enumerate(items):
        where = f"derived/{i}"
        if d["name"] in ck.known:
            raise ck.fail(f"at {where}/name: {d['name']!r} is already a fact")
        node = ck.condition(d["when"], f"{where}/when")
        ck.check_sources(d["sources"], where)
        out.append(Derived(d["name"], d["when"], node, d["description"], tuple(d["sources"])))
        ck.known.add(d["name"])
    return out


def _rules(
    items: list[dict[str, Any]], groups: tuple[str, ...], ck: _Checker, seen_ids: dict[str, str]
) -> list[Rule]:
    """Ordered rules: unique ids, declared groups, and a catch-all ``true`` last rule."""
    rules = []
    for i, r in enumerate(items):
        where = f"rules/{i}"
        if r["id"] in seen_ids:
            raise ck.fail(
                f"at {where}/id: duplicate rule id {r['id']!r} (also {seen_ids[r['id']]})"
            )
        seen_ids[r["id"]] = where
        if r["group"] not in groups and r["group"] not in (NOT_APPLICABLE, UNSOURCED):
            raise ck.fail(
                f"at {where}/group: {r['group']!r} is not one of the declared groups "
                f"{list(groups)} (or {NOT_APPLICABLE!r}, or {UNSOURCED!r} for cases the "
                "protocol's sources do not cover)"
            )
        node = ck.condition(r["when"], f"{where}/when")
        ck.check_sources(r["sources"], where)
        rules.append(
            Rule(r["id"], r["when"], node, r["group"], r["description"], tuple(r["sources"]))
        )
    last = rules[-1]
    if not (last.node.kind == "lit" and last.node.value is True):
        raise ck.fail(
            f'at rules/{len(rules) - 1}/when: the last rule must be the catch-all "true" '
            f"so that every sample gets exactly one outcome (got {last.when!r})"
        )
    if last.group == NOT_APPLICABLE:
        raise ck.fail(f"at rules/{len(rules) - 1}/group: the catch-all needs a risk group")
    return rules


def _annotations(items: list[dict[str, Any]], ck: _Checker) -> list[Annotation]:
    """Treatment annotations; their conditions may also name the decided ``group``."""
    out = []
    for i, a in enumerate(items):
        where = f"annotations/{i}"
        node = ck.condition(a["when"], f"{where}/when", also=frozenset({"group"}))
        ck.check_sources(a["sources"], where)
        out.append(Annotation(a["id"], a["name"], a["when"], node, a["text"], tuple(a["sources"])))
    return out


def _common_annotations(path: Path, sources: dict[str, str]) -> tuple[list[Annotation], str]:
    """The shared annotations file's annotations and version; its sources join ``sources``."""
    cdata, _ = _read_yaml(path)
    schema = _schema()
    _validate(cdata, path, {"$defs": schema["$defs"], "$ref": "#/$defs/common_annotations_file"})
    csources = dict(cdata["sources"])
    annotations = _annotations(cdata["annotations"], _Checker(path, csources))
    for k, v in csources.items():
        sources.setdefault(k, v)
    return annotations, cdata["version"]


def load_ruleset(
    path: str | Path,
    *,
    overrides: Mapping[str, Any] | None = None,
    common_annotations: str | Path | None = None,
) -> RuleSet:
    """Load and compile one rule-set file.

    Steps: YAML read and validated against the schema, the protocol id checked against
    the file name; settings with their overrides (:func:`_settings`); MRD time points
    (:func:`_timepoints`); derived facts (:func:`_derived`); rules (:func:`_rules`);
    the file's own and the shared annotations (:func:`_annotations`,
    :func:`_common_annotations`), ids unique across rules and annotations; the version,
    suffixed ``+o<hash>`` when a setting is overridden.

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
    _validate(data, p, _schema())
    if data["protocol"] != p.stem:
        raise ConfigError(
            f"{p}: at protocol: {data['protocol']!r} differs from the file name {p.stem!r}"
        )
    sources: dict[str, str] = dict(data["sources"])
    groups = tuple(data["groups"])
    specs: dict[str, dict[str, Any]] = data["settings"]
    ck = _Checker(p, sources)
    ck.settings, overridden = _settings(specs, overrides or {}, ck)
    timepoints = _timepoints(data.get("mrd_timepoints") or {}, ck)
    derived = _derived(data.get("derived") or [], ck)
    seen_ids: dict[str, str] = {}
    rules = _rules(data["rules"], groups, ck, seen_ids)
    annotations = _annotations(data.get("annotations") or [], ck)
    common_version = ""
    if data.get("include_common_annotations", True):
        cpath = (
            Path(common_annotations)
            if common_annotations is not None
            else p.parent / "common" / "annotations.yaml"
        )
        common, common_version = _common_annotations(cpath, sources)
        annotations += common
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
        settings=ck.settings,
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
