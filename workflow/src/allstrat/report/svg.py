"""Minimal SVG building blocks for the per-sample report figures (no plotting library).

The per-sample figures are a few dozen lines, boxes and labels: writing them as SVG text
costs well under a millisecond per sample, where a plotting library spends tens of
milliseconds per figure. Everything here returns SVG source text; coordinates are in
the ``viewBox`` user space and rounded to 0.1 so that the output is deterministic and
compact.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape

__all__ = ["Axis", "esc", "nice_ticks", "path_d", "text", "tick_label"]


def esc(value: object) -> str:
    """Escape text for SVG/XML content and attribute values."""
    return escape(str(value), quote=True)


def _r(v: float) -> str:
    """Coordinate text: one decimal, no trailing ``.0``, no ``-0``."""
    s = f"{v:.1f}"
    if s.endswith(".0"):
        s = s[:-2]
    return "0" if s == "-0" else s


def nice_ticks(lo: float, hi: float, *, target: int = 5) -> list[float]:
    """Round tick positions (steps of 1, 2 or 5 x 10^k) inside ``[lo, hi]``."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9)
    out = []
    k = first
    while k * step <= hi + 1e-9 * step:
        out.append(round(k * step, 12))
        k += 1
    return out


def tick_label(v: float) -> str:
    """Short tick text (``-2``, ``0.5``, ``37.5``)."""
    s = f"{v:.6g}"
    return "0" if s in ("-0", "0") else s


class Axis:
    """Linear map of data values onto a pixel span (``lo`` -> ``p0``, ``hi`` -> ``p1``)."""

    __slots__ = ("_k", "hi", "lo", "p0", "p1")

    def __init__(self, lo: float, hi: float, p0: float, p1: float) -> None:
        self.lo, self.hi, self.p0, self.p1 = lo, hi, p0, p1
        self._k = (p1 - p0) / (hi - lo) if hi != lo else 0.0

    def __call__(self, v: float) -> float:
        """Map a data value to its pixel coordinate."""
        return self.p0 + (v - self.lo) * self._k

    def clip(self, v: float) -> float:
        """Pixel of ``v`` clipped to the axis range."""
        return self(min(max(v, self.lo), self.hi))


def text(
    x: float, y: float, s: object, *, size: float = 11, anchor: str = "start", **attrs: str
) -> str:
    """One ``<text>`` element (``attrs`` keys use ``_`` for ``-``)."""
    extra = "".join(f' {k.replace("_", "-")}="{esc(v)}"' for k, v in attrs.items())
    a = "" if anchor == "start" else f' text-anchor="{anchor}"'
    return f'<text x="{_r(x)}" y="{_r(y)}" font-size="{_r(size)}"{a}{extra}>{esc(s)}</text>'


def path_d(segments: Iterable[Sequence[float]]) -> str:
    """Path data of horizontal or general line segments ``(x0, y0, x1, y1)``."""
    parts = []
    for x0, y0, x1, y1 in segments:
        if y0 == y1:
            parts.append(f"M{_r(x0)} {_r(y0)}H{_r(x1)}")
        else:
            parts.append(f"M{_r(x0)} {_r(y0)}L{_r(x1)} {_r(y1)}")
    return "".join(parts)


coord = _r
