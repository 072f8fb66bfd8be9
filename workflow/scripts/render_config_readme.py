"""Render config/README.md from workflow/schemas/config.schema.yaml (the one source of truth).

Usage: ``python workflow/scripts/render_config_readme.py [--check]``; ``--check`` exits 1
when the committed README differs from what the schema renders (a test runs this).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from allstrat.config import describe_allowed

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
README = ROOT / "config" / "README.md"

INTRO = """# Configuration reference

`config/config.yaml` configures a workflow run; `config/samples.tsv` lists the samples.
Both are validated against JSON schemas (`workflow/schemas/config.schema.yaml`,
`workflow/schemas/samples.schema.yaml`) before anything reads them; an unknown or
misspelt key is an error. Settings marked **UNVERIFIED** rest on facts that could not be
confirmed against a primary source (see the domain brief): they are settings on purpose,
so a lab can set them to its own protocol.

This page is generated from the schema by `python workflow/scripts/render_config_readme.py`;
edit the schema, not this page.

## Sample sheet (`config/samples.tsv`)

Tab-separated, one row per sample, empty cell = not available. A file may hold many
samples (cohort matrix, multi-sample SEG / MLPA tables); its column or rows named by
`sample_id` are used.

| column | meaning |
|---|---|
"""

OTHER_INPUTS = """
## Other input tables

| table | schema | columns |
|---|---|---|
| clinical (`clinical:`) | `workflow/schemas/clinical.schema.yaml` | {clinical} |
| MRD (`mrd:`) | `workflow/schemas/mrd.schema.yaml` | {mrd} |
| diagnostic genetics (`lab_genetics:`) | `workflow/schemas/lab_genetics.schema.yaml` | {lab} |

Empty cells are missing values, never a default: a protocol that needs a missing value
reports `indeterminate` and lists what is missing. Units are named, never guessed: the
clinical header says `age_years` or `age_months`, `wbc_1e9_per_l` or `wbc_per_ul`, and
every MRD row has a `unit`.
{details}

## Workflow settings (`config/config.yaml`)

| key | type | default | allowed | description |
|---|---|---|---|---|
"""


def _fmt(v: object) -> str:
    text = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return "`" + _fmt(text) + "`"


def _allowed(spec: dict) -> str:
    return describe_allowed(spec, quote=_code, type_fallback=False)


def _rows(props: dict, prefix: str = "") -> list[str]:
    rows = []
    for key, spec in props.items():
        path = prefix + key
        typ = spec.get("type", "")
        typ = "/".join(typ) if isinstance(typ, list) else typ
        default = "" if typ == "object" else f"`{_fmt(spec.get('default', ''))}`"
        desc = _fmt(spec.get("description", ""))
        rows.append(f"| `{path}` | {typ} | {default} | {_allowed(spec)} | {desc} |")
        if typ == "object" and "properties" in spec:
            rows.extend(_rows(spec["properties"], path + "."))
    return rows


def _columns(schema_file: str) -> str:
    spec = yaml.safe_load((ROOT / "workflow" / "schemas" / schema_file).read_text())
    props = spec.get("properties") or spec.get("items", {}).get("properties", {})
    return ", ".join(f"`{k}`" for k in props)


def _column_details() -> str:
    out = []
    for title, schema_file in (
        ("Clinical table columns", "clinical.schema.yaml"),
        ("MRD table columns", "mrd.schema.yaml"),
        ("Diagnostic-genetics table columns", "lab_genetics.schema.yaml"),
    ):
        spec = yaml.safe_load((ROOT / "workflow" / "schemas" / schema_file).read_text())
        required = set(spec.get("required", []))
        out += ["", f"### {title}", "", "| column | required | description |", "|---|---|---|"]
        for k, v in spec["properties"].items():
            req = "yes" if k in required else ""
            out.append(f"| `{k}` | {req} | {_fmt(v.get('description', ''))} |")
    return "\n".join(out) + "\n"


def render() -> str:
    """Return the README text rendered from the schemas."""
    schema = yaml.safe_load(SCHEMA.read_text())
    samples = yaml.safe_load((ROOT / "workflow" / "schemas" / "samples.schema.yaml").read_text())
    lines = [INTRO.rstrip("\n")]
    for key, spec in samples["properties"].items():
        lines.append(f"| `{key}` | {_fmt(spec.get('description', ''))} |")
    lines.append(
        OTHER_INPUTS.format(
            clinical=_columns("clinical.schema.yaml"),
            mrd=_columns("mrd.schema.yaml"),
            lab=_columns("lab_genetics.schema.yaml"),
            details=_column_details(),
        ).rstrip("\n")
    )
    lines.extend(_rows(schema["properties"]))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) config/README.md."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    text = render()
    if args.check:
        if not README.is_file() or README.read_text() != text:
            sys.stderr.write(
                "config/README.md is stale: run workflow/scripts/render_config_readme.py\n"
            )
            return 1
        return 0
    README.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
