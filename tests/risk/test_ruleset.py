"""Rule-set loading: schema, semantic checks, overrides; bad files are refused clearly."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allstrat.errors import ConfigError
from allstrat.paths import resources_dir
from allstrat.risk.ruleset import available_protocols, load_ruleset, load_rulesets

RISK_DIR = resources_dir() / "risk"
PROTOCOLS = ["aieop_bfm_2009", "aieop_bfm_2017", "cog", "dcog_all10", "dcog_all11", "nci_rome"]


def test_all_bundled_rulesets_load():
    assert available_protocols() == PROTOCOLS
    for rs in load_rulesets():
        assert rs.rules[-1].when.strip() == "true"
        assert len(set(rs.groups)) == len(rs.groups) >= 2
        assert len(rs.sha256) == 64
        # every UNVERIFIED setting is documented with a source
        for name, spec in rs.setting_specs.items():
            assert spec["description"], name
            assert spec["sources"], name


def _write(tmp_path: Path, data: dict, name: str = "dcog_all11") -> Path:
    d = tmp_path / "risk"
    (d / "common").mkdir(parents=True, exist_ok=True)
    shutil.copy(RISK_DIR / "common" / "annotations.yaml", d / "common" / "annotations.yaml")
    p = d / f"{name}.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def all11() -> dict:
    return yaml.safe_load((RISK_DIR / "dcog_all11.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.pop("groups"), r"at \(top level\): 'groups' is a required property"),
        (lambda d: d["rules"][2].pop("sources"), r"at rules/2: 'sources' is a required"),
        (lambda d: d["rules"][1].update(when=5), r"at rules/1/when: 5 is not of type 'string'"),
        (lambda d: d["rules"][0].update(colour="red"), r"at rules/0: Additional properties"),
        (lambda d: d.update(version="1.0"), r"at version: '1.0' does not match"),
        (lambda d: d["rules"][1].update(group="XR"), r"at rules/1/group: 'XR' is not one of"),
        (
            lambda d: d["rules"][1].update(when="unfavourable and"),
            r"at rules/1/when: invalid condition .*position",
        ),
        (
            lambda d: d["rules"][1].update(when="unfavorable"),
            r"at rules/1/when: .*unknown fact 'unfavorable'",
        ),
        (
            lambda d: d["rules"][1].update(when="age_years > $nope"),
            r"at rules/1/when: .*undefined setting \$nope",
        ),
        (lambda d: d["rules"][1].update(id=d["rules"][0]["id"]), r"at rules/1/id: duplicate"),
        (lambda d: d["rules"].pop(), r"the last rule must be the catch-all"),
        (lambda d: d["rules"][1].update(sources=["S99"]), r"at rules/1/sources: source 'S99'"),
        (lambda d: d.update(protocol="dcog_all12"), r"at protocol: 'dcog_all12' differs"),
        (
            lambda d: d["settings"]["hr_mrd_tp2"].update(value="high"),
            r"setting 'hr_mrd_tp2' \(default\): 'high' is not one of",
        ),
    ],
)
def test_bad_rulesets_are_refused_with_file_and_path(tmp_path, all11, mutate, expected):
    data = copy.deepcopy(all11)
    mutate(data)
    p = _write(tmp_path, data)
    with pytest.raises(ConfigError, match=expected) as info:
        load_ruleset(p)
    assert str(p) in str(info.value)


def test_invalid_yaml_names_the_line(tmp_path):
    p = _write(tmp_path, {})
    p.write_text("protocol: dcog_all11\ngroups: [SR, MR\nrules: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"dcog_all11.yaml:\d+: invalid YAML"):
        load_ruleset(p)


def test_overrides_only_for_unverified_settings():
    rs = load_ruleset(RISK_DIR / "dcog_all11.yaml", overrides={"hr_mrd_tp2": 5e-4})
    assert rs.settings["hr_mrd_tp2"] == 5e-4
    assert rs.version.startswith("1.1.0+o")
    assert rs.overridden == {"hr_mrd_tp2": 5e-4}
    same = load_ruleset(RISK_DIR / "dcog_all11.yaml", overrides={"hr_mrd_tp2": 1e-3})
    assert same.version == "1.1.0"
    assert same.overridden == {}
    with pytest.raises(ConfigError, match="verified protocol fact"):
        load_ruleset(RISK_DIR / "dcog_all10.yaml", overrides={"hr_mrd_tp2": 5e-4})
    with pytest.raises(ConfigError, match="unknown setting 'hr_mrd'"):
        load_ruleset(RISK_DIR / "dcog_all11.yaml", overrides={"hr_mrd": 5e-4})
    with pytest.raises(ConfigError, match="not one of"):
        load_ruleset(RISK_DIR / "dcog_all11.yaml", overrides={"hr_mrd_tp2": 2e-3})
    with pytest.raises(ConfigError, match="expected a bool"):
        load_ruleset(RISK_DIR / "cog.yaml", overrides={"vhr_cns3": "no"})
    with pytest.raises(ConfigError, match="unknown protocol"):
        load_rulesets(["dcog_all12"])


_MUTATIONS = st.sampled_from(
    [
        ("drop", "id"),
        ("drop", "when"),
        ("drop", "group"),
        ("drop", "description"),
        ("type", "when"),
        ("type", "id"),
        ("type", "sources"),
        ("bad", "group"),
        ("bad", "when"),
        ("bad", "id"),
        ("extra", "x"),
    ]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    proto=st.sampled_from(PROTOCOLS),
    index=st.integers(min_value=0, max_value=20),
    mutation=_MUTATIONS,
)
def test_property_schema_violations_are_refused(tmp_path_factory, proto, index, mutation):
    """Any single structural corruption of a rule is refused, naming file and rule path."""
    data = yaml.safe_load((RISK_DIR / f"{proto}.yaml").read_text(encoding="utf-8"))
    i = index % len(data["rules"])
    rule = data["rules"][i]
    kind, key = mutation
    if kind == "drop":
        rule.pop(key)
    elif kind == "type":
        rule[key] = 42
    elif kind == "bad":
        rule[key] = {"group": "NOT A GROUP", "when": "age_years >>= 3", "id": "lower-case"}[key]
    else:
        rule[key] = "surplus"
    p = _write(tmp_path_factory.mktemp("rs"), data, proto)
    with pytest.raises(ConfigError) as info:
        load_ruleset(p)
    msg = str(info.value)
    assert str(p) in msg
    assert f"rules/{i}" in msg
