"""The one config loader (allstrat.config): schema defaults, validation, --config-section."""

from __future__ import annotations

import dataclasses
import json

import pytest
import yaml

from allstrat.classify.decide import CallSettings
from allstrat.cli import main
from allstrat.config import (
    FROM_SCHEMA,
    SECTIONS,
    ClassifySettings,
    RiskSettings,
    build_settings,
    load_section,
    read_section_text,
    schema_default,
    schema_defaults,
    section_schema,
)
from allstrat.copynumber.caller import CopyNumberSettings
from allstrat.errors import ConfigError
from allstrat.tall.etp import EtpSettings

#: keys config/config.yaml sets to something other than the schema default on purpose:
#: the inputs of the demo run and the switch that generates them.
RUN_KEYS = {"samples", "clinical", "mrd", "lab_genetics", "demo.generate"}


def _leaves(mapping, prefix=""):
    for key, value in mapping.items():
        if isinstance(value, dict) and value:
            yield from _leaves(value, f"{prefix}{key}.")
        else:
            yield prefix + key, value


def test_config_yaml_values_equal_schema_defaults(root):
    """config.yaml repeats no default with another value (the schema is the one source)."""
    config = yaml.safe_load((root / "config/config.yaml").read_text())
    differ = {
        key: (value, schema_default(key))
        for key, value in _leaves(config)
        if key not in RUN_KEYS and value != schema_default(key)
    }
    assert not differ, f"config.yaml values differ from the schema defaults: {differ}"


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_empty_section_builds_schema_defaults(name):
    settings = load_section(name, {})
    assert settings == load_section(name, None)
    for key, spec in section_schema(name)["properties"].items():
        if "properties" in spec:
            continue
        if name.startswith("train") and not hasattr(settings, key):
            continue  # cohort keys: read by the workflow rules, not by the verb
        if name == "classify" and not hasattr(settings, key):
            value = getattr(settings.calls, {"class_thresholds": "thresholds"}.get(key, key))
        else:
            value = getattr(settings, key)
        want = spec["default"]
        got = list(value) if isinstance(value, tuple) else value
        assert got == want, (name, key)


def test_dataclass_defaults_are_the_schema_defaults():
    """Plain construction (as library callers do) gives the same settings as the loader."""
    assert load_section("copynumber") == CopyNumberSettings()
    cfg = load_section("classify")
    assert cfg.calls == CallSettings()
    assert cfg.etp == EtpSettings()
    assert CallSettings().min_probability == schema_default("classify.min_probability")
    # YAML integers of float settings arrive as floats (recorded identically in provenance)
    assert isinstance(EtpSettings().negative_max_pct, float)
    assert CopyNumberSettings().ikzf1plus.pax5_states == ("deleted", "homozygous_deleted")


def test_train_sections_share_one_settings_class_with_their_own_defaults():
    assert load_section("train").name == "allstrat-bcp"
    assert load_section("train_tall").name == "allstrat-tall"
    assert load_section("train_tall", {"c_grid": [1]}).c_grid == (1.0,)


def test_a_field_without_a_schema_key_fails_at_definition():
    with pytest.raises(TypeError, match=r"Bad\.mnimum_probability: no key classify\.mnimum"):

        @dataclasses.dataclass
        @schema_defaults("classify")
        class Bad:
            mnimum_probability: float = FROM_SCHEMA


def test_mutable_defaults_are_not_shared():
    a, b = CallSettings(), CallSettings()
    a.thresholds["DUX4"] = 0.9
    assert b.thresholds == {}


@pytest.mark.parametrize(
    ("section", "mapping", "message"),
    [
        ("classify", {"margn": 0.1}, "config classify.margn = 0.1: unknown key; allowed keys:"),
        (
            "classify",
            {"min_probability": 1.5},
            "config classify.min_probability = 1.5: 1.5 is greater than the maximum of 1; "
            "allowed: ≥ 0; ≤ 1",
        ),
        (
            "classify",
            {"marrow_quantile": 0.5},
            "config classify.marrow_quantile = 0.5: not an allowed value; "
            "allowed: 0.9, 0.95, 0.99, 0.999",
        ),
        ("classify", {"top_genes": "ten"}, "config classify.top_genes = ten: expected integer"),
        ("classify", {"etp": {"cd5": 1}}, "config classify.etp.cd5 = 1: unknown key"),
        (
            "risk",
            {"min_confidence_tier": "hgih"},
            "config risk.min_confidence_tier = hgih: not an allowed value; "
            "allowed: high, medium, low",
        ),
        ("risk", {"settings": {"ukall": {}}}, "config risk.settings: unknown key ukall"),
        (
            "copynumber",
            {"mlpa": {"mode": "magic"}},
            "config copynumber.mlpa.mode = magic: not an allowed value; "
            "allowed: purity_adjusted, fixed",
        ),
        ("expression", {"min_mapped_fraction": 2}, "expression.min_mapped_fraction = 2"),
        ("report", {"umap": "yes"}, "config report.umap = yes: expected boolean"),
        ("nonsense", {}, "no loader for config section 'nonsense'"),
    ],
)
def test_errors_name_key_value_and_allowed_values(section, mapping, message):
    with pytest.raises(ConfigError) as info:
        load_section(section, mapping)
    assert message in str(info.value)


def test_section_values_are_built_and_typed():
    cfg = load_section(
        "classify", {"class_thresholds": {"DUX4": 1}, "etp": {"negative_max_pct": 10}}
    )
    assert isinstance(cfg, ClassifySettings)
    assert cfg.calls.thresholds == {"DUX4": 1.0}
    assert cfg.calls.threshold("DUX4") == 1.0
    assert cfg.etp.negative_max_pct == 10.0
    risk = load_section("risk", {"protocols": ["cog"], "min_confidence_tier": "low"})
    assert isinstance(risk, RiskSettings)
    assert risk.protocols == ("cog",)
    assert risk.accepted_tiers() == ["high", "medium", "low"]
    cn = load_section("copynumber", {"karyotype": {"retained_disomies": ["chr21"]}})
    assert cn.karyotype.retained_disomies == ("chr21",)
    assert cn.mlpa == CopyNumberSettings().mlpa
    assert build_settings(EtpSettings, {"unrelated": 1}) == EtpSettings()


def test_read_section_text_json_section_file_and_whole_config(tmp_path, root):
    assert read_section_text("", "risk") == {}
    assert read_section_text('{"lab_discordance": "lab_decides"}', "risk") == {
        "lab_discordance": "lab_decides"
    }
    section = tmp_path / "risk.yaml"
    section.write_text("lab_discordance: lab_decides\n")
    assert read_section_text(str(section), "risk") == {"lab_discordance": "lab_decides"}
    whole = tmp_path / "config.yaml"
    whole.write_text("samples: s.tsv\nrisk:\n  min_confidence_tier: high\n")
    assert read_section_text(str(whole), "risk") == {"min_confidence_tier": "high"}
    assert load_section("risk", read_section_text(str(root / "config/config.yaml"), "risk"))
    with pytest.raises(ConfigError, match="neither a JSON object nor an existing file"):
        read_section_text("no/such/file.yaml", "risk")
    with pytest.raises(ConfigError, match="not a valid JSON object"):
        read_section_text("{not json", "risk")
    listing = tmp_path / "list.yaml"
    listing.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        read_section_text(str(listing), "risk")


def test_cli_bad_section_exits_2_naming_the_key(tmp_path, capsys):
    section = json.dumps({"unassessed_masked_hypodiploidy": "ignore"})
    rc = main(
        ["risk", "--classify", "x.tsv", "--out", str(tmp_path / "r.tsv"),
         "--traces", str(tmp_path / "t.json"), "--config-section", section]
    )  # fmt: skip
    assert rc == 2
    err = capsys.readouterr().err
    assert "config risk.unassessed_masked_hypodiploidy = ignore: not an allowed value" in err
    assert "allowed: unknown, assume_absent" in err
    assert not (tmp_path / "r.tsv").exists()


def test_cli_options_override_the_section_and_help_names_schema_defaults(capsys):
    from allstrat.cli import build_parser

    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["classify", "--help"])
    out = capsys.readouterr().out
    assert "config classify.min_probability; default 0.5" in " ".join(out.split())
