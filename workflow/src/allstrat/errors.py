"""Error types. Every user-facing failure is an :class:`AllstratError` with a clear message."""

from __future__ import annotations

from pathlib import Path


class AllstratError(Exception):
    """Base class: the CLI prints the message (no traceback) and exits with status 2."""


class InputError(AllstratError):
    """Malformed or inconsistent user input.

    The message always names the file, and the line, column or sample when known, and
    says what was expected. The parts are kept as attributes so that a caller knowing
    more (e.g. which file a ``table`` came from) can re-raise with the location added:
    ``detail`` (the message without location), ``path``, ``line``, ``sample`` and
    ``table`` (the input table the offending value came from, e.g. ``"classify"``, when
    the raiser worked on an in-memory table).
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        sample: str | None = None,
        table: str | None = None,
    ) -> None:
        self.detail = message
        self.table = table
        self.path = None if path is None else str(path)
        self.line = line
        self.sample = sample
        where = []
        if self.path is not None:
            where.append(self.path if line is None else f"{self.path}, line {line}")
        elif line is not None:
            where.append(f"line {line}")
        if sample is not None:
            where.append(f"sample {sample!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class ModelError(AllstratError):
    """A model file that is missing, tampered with, or incompatible."""


class ConfigError(AllstratError):
    """Invalid configuration or rule-set file."""


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM so that writers clean up their temp files."""


def raise_terminated(signum: int, frame: object) -> None:
    """SIGTERM handler: raise :class:`Terminated` (the CLI turns it into exit status 143)."""
    raise Terminated
