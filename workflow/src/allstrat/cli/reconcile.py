"""``allstrat reconcile``: final subtype calls checked against karyotype / hotspot evidence."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``reconcile`` verb (options and work: :mod:`allstrat.reconcile`)."""
    from allstrat.reconcile import add_arguments, run

    p = sub.add_parser("reconcile", help="check subtype calls against karyotype / hotspots")
    add_arguments(p)
    p.set_defaults(func=run)
