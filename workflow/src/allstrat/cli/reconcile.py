"""``allstrat reconcile``: final subtype calls checked against karyotype / hotspot evidence."""

from __future__ import annotations

import argparse

from allstrat.cli._common import add_config_section, config_section

_FILES = {"--classify": "classify table", "--explain": "classify .explain.json",
          "--copynumber": "copy-number table", "--cn-evidence": "copy-number .evidence.json",
          "--out": "output call table", "--out-explain": "output explanation JSON"}  # fmt: skip


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``reconcile`` verb (rules: allstrat.classify.consistency)."""
    p = sub.add_parser("reconcile", help="check subtype calls against karyotype / hotspots")
    for opt, what in _FILES.items():
        p.add_argument(opt, required=opt in ("--classify", "--out", "--out-explain"), help=what)
    add_config_section(p, "consistency")
    p.set_defaults(func=lambda a: reconcile_chunk(a, config_section(a, "consistency", {})) or 0)


def reconcile_chunk(args: argparse.Namespace, settings: object) -> None:
    """Lazy import of the library step."""
    from allstrat.reconcile import reconcile_chunk as run

    run(args, settings)  # type: ignore[arg-type]
