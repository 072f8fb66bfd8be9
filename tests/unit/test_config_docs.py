"""config.yaml validates, every schema key is documented, and config/README.md is current."""

from __future__ import annotations

import subprocess
import sys

import jsonschema
import yaml


def _walk(props, prefix=""):
    for key, spec in props.items():
        yield prefix + key, spec
        if spec.get("type") == "object" and "properties" in spec:
            yield from _walk(spec["properties"], prefix + key + ".")


def test_config_yaml_validates(root):
    schema = yaml.safe_load((root / "workflow/schemas/config.schema.yaml").read_text())
    config = yaml.safe_load((root / "config/config.yaml").read_text())
    jsonschema.Draft202012Validator(schema).validate(config)


def test_every_key_has_description_and_default_and_closed_objects(root):
    schema = yaml.safe_load((root / "workflow/schemas/config.schema.yaml").read_text())
    assert schema["additionalProperties"] is False
    for path, spec in _walk(schema["properties"]):
        assert spec.get("description"), path
        assert "default" in spec, path
        if spec.get("type") == "object" and "properties" in spec:
            assert spec.get("additionalProperties") is False, path


def test_misspelt_key_is_refused(root):
    schema = yaml.safe_load((root / "workflow/schemas/config.schema.yaml").read_text())
    config = yaml.safe_load((root / "config/config.yaml").read_text())
    config["batching"]["samples_per_jbo"] = 3
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(config))


def test_config_readme_is_rendered_from_schema(root):
    script = root / "workflow/scripts/render_config_readme.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
