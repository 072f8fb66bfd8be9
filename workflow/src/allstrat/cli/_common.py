"""Argument helpers shared by the verbs (sample selection, config sections, types)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

import pandas as pd

from allstrat.config import load_section, merge_overrides, read_section_text, schema_default
from allstrat.io.samples import select_sheet_rows


def add_sample_selection(p: argparse.ArgumentParser, *, required: bool = True) -> None:
    """Add ``--sheet`` (unless ``required``, optional), ``--chunk``, ``--sample`` and the size."""
    g = p.add_argument_group("sample selection")
    g.add_argument("--sheet", required=required, help="sample sheet TSV")
    g.add_argument("--chunk", help="chunk id (e.g. 0003) of the workflow's batching")
    g.add_argument("--samples-per-job", type=int, default=250, help="chunk size (default 250)")
    g.add_argument(
        "--sample", action="append", default=[], help="restrict to this sample (repeatable)"
    )


def select_samples(args: argparse.Namespace) -> pd.DataFrame:
    """The sheet rows of the selected chunk / samples (:func:`io.samples.select_sheet_rows`)."""
    return select_sheet_rows(
        args.sheet, chunk=args.chunk, samples_per_job=args.samples_per_job, samples=args.sample
    )


def add_config_section(p: argparse.ArgumentParser, name: str) -> None:
    """Add ``--config-section``: how every verb receives its section of the config."""
    p.add_argument(
        "--config-section",
        metavar="JSON|FILE",
        default="",
        help=f"config section {name}: a JSON object, or a YAML/JSON file holding the section "
        f"or a whole workflow config (its {name}: key is used). Missing keys take the schema "
        "defaults (config/README.md); options given on the command line override it",
    )


def section_options(
    p: argparse.ArgumentParser,
    name: str,
    options: Mapping[str, tuple[Callable[[str], Any] | None, str]],
) -> None:
    """Add ``--config-section`` and one option ``--<key>`` per config key it may override.

    ``options``: key -> (argparse type, help); the help names the key's schema default.
    :func:`config_section` reads the options given.
    """
    add_config_section(p, name)
    g = p.add_argument_group(f"{name} settings (override --config-section)")
    for key, (kind, text) in options.items():
        flag = f"--{key.replace('_', '-')}"
        g.add_argument(flag, type=kind or str, help=schema_help(f"{name}.{key}", text))
    p.set_defaults(section_keys=tuple(options))


def config_section(
    args: argparse.Namespace, name: str, overrides: Mapping[str, Any] | None = None
) -> Any:
    """The verb's settings: ``--config-section`` + command-line overrides, validated.

    The options of :func:`section_options` and ``overrides`` map section keys to values;
    ``None`` (option not given) keeps the section's value. A mapping value is merged into
    the section's mapping.
    """
    given = {key: getattr(args, key) for key in getattr(args, "section_keys", ())}
    section = read_section_text(args.config_section, name)
    return load_section(name, merge_overrides(section, {**given, **(overrides or {})}))


def comma_list(text: str) -> list[str]:
    """Argparse type of a comma-separated list (empty items dropped)."""
    return [v.strip() for v in text.split(",") if v.strip()]


def schema_help(path: str, text: str = "") -> str:
    """Option help naming the schema default of config key ``path``."""
    default = schema_default(path)
    shown = default if default != "" else "''"
    return f"{text} (config {path}; default {shown})".strip()


def safe_name(text: str) -> str:
    """Argparse type of a name that becomes a file or folder name (model, sample prefix)."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", text) or text.startswith("."):
        msg = f"{text!r}: use letters, digits, '_', '.', '-' only (not starting with '.')"
        raise argparse.ArgumentTypeError(msg)
    return text


def at_least(low: int) -> Callable[[str], int]:
    """Argparse type of an integer ``>= low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be >= {low}, got {value}")
        return value

    return parse


def label_number(
    labels: Collection[str] | None = None,
    *,
    name: str = "WEIGHT",
    low: float = 0.0,
    high: float | None = None,
) -> Callable[[str], tuple[str, float]]:
    """Argparse type of ``LABEL=NUMBER`` (``LABEL`` one of ``labels`` when given)."""

    def parse(item: str) -> tuple[str, float]:
        label, sep, value = item.rpartition("=")
        if not sep or not label or (labels is not None and label not in labels):
            known = f" with LABEL one of {sorted(labels)}" if labels is not None else ""
            raise argparse.ArgumentTypeError(f"{item!r}: expected LABEL={name}{known}")
        try:
            v = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{item!r}: {name} is not a number") from None
        if v < low or (high is not None and v > high):
            bounds = f">= {low:g}" + (f" and <= {high:g}" if high is not None else "")
            raise argparse.ArgumentTypeError(f"{item!r}: {name} must be {bounds}")
        return label, v

    return parse
