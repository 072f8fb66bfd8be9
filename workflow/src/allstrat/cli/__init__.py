"""Command-line interface: ``allstrat <verb> ...``.

Each verb lives in its own module of this package and defines
``register(subparsers) -> None``, which adds a sub-parser whose ``func`` default takes the
parsed ``argparse.Namespace`` and returns an exit status. Verbs parse, read, call the
core and write; no logic lives here.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import signal
import sys
import threading
from collections.abc import Sequence

from allstrat import DISCLAIMER, __version__
from allstrat.errors import AllstratError, Terminated, raise_terminated

logger = logging.getLogger("allstrat")


__all__ = ["build_parser", "main"]


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Top-level parser with every verb module, or ``only`` that one (fast single verbs)."""
    parser = argparse.ArgumentParser(
        prog="allstrat",
        description="Childhood ALL subtype calls and protocol risk assignment. " + DISCLAIMER,
    )
    parser.add_argument("--version", action="version", version=f"allstrat {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    sub.required = True
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if mod.name.startswith("_") or (only is not None and mod.name != only):
            continue
        module = importlib.import_module(f"{__name__}.{mod.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; user errors print one clear line and exit with status 2."""
    argv = list(sys.argv[1:] if argv is None else argv)
    verb = _named_verb(argv)
    parser = build_parser(only=verb) if verb else build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING if args.quiet else (logging.DEBUG if args.verbose else logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, raise_terminated) if main_thread else None
    try:
        return int(args.func(args) or 0)
    except AllstratError as exc:
        sys.stderr.write(f"allstrat {args.verb}: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write(f"allstrat {args.verb}: interrupted\n")
        return 130
    except Terminated:
        sys.stderr.write(f"allstrat {args.verb}: terminated\n")
        return 143
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


def _named_verb(argv: list[str]) -> str | None:
    """The verb module the command line names (first non-option word), if it exists."""
    words = [a for a in argv if not a.startswith("-")]
    if not words:
        return None
    name = words[0].replace("-", "_")
    known = {m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")}
    return name if name in known else None
