"""Figures of the per-sample and cohort reports.

Per-sample figures (:class:`SampleFigures`) are inline SVG written as text: the parts
every sample shares (chromosome bands, axes, zoom panels) are built once per process and
each sample adds only a few ``<path>`` elements of its own values, so a chunk's reports
cost about as much as writing the files. The cohort report's matplotlib figures are
embedded as data URIs (:func:`figure_data_uri`). Either way a report is one
self-contained file that never fetches anything.

Nothing here computes a call: the functions only draw values that the stages wrote.
"""

from __future__ import annotations

import base64
import functools
import io
import itertools
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from allstrat.contracts import B_SUBTYPES, MULTIPLE, T_ALL, UNCLASSIFIED
from allstrat.copynumber.resources import load_chromosomes
from allstrat.report.svg import Axis, coord, esc, nice_ticks, path_d, text, tick_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

__all__ = [
    "SampleFigures",
    "ZoomRegion",
    "default_zoom_regions",
    "figure_data_uri",
    "subtype_colour",
]


@dataclass(frozen=True)
class _Genome:
    """GRCh38 layout of the genome-wide plot (chromosome names without ``chr``)."""

    lengths: dict[str, int]
    offsets: dict[str, int]
    total: int
    centromeres: dict[str, tuple[int, int]]


@functools.cache
def _genome() -> _Genome:
    """Lengths, plot offsets and centromere spans from ``resources/genome/`` (one table)."""
    table = load_chromosomes()
    lengths = {str(c).removeprefix("chr"): int(n) for c, n in table["length"].items()}
    starts = itertools.accumulate(lengths.values(), initial=0)
    offsets = dict(zip(lengths, starts, strict=False))  # the last start is the total
    centromeres = {
        str(c).removeprefix("chr"): (int(r.centromere_start), int(r.centromere_end))
        for c, r in table.iterrows()
    }
    return _Genome(lengths, offsets, sum(lengths.values()), centromeres)


_STATE_COLOURS = {
    "homozygous_deleted": "#08306b",
    "deleted": "#2171b5",
    "normal": "#525252",
    "gained": "#cb181d",
    "amplified": "#67000d",
    "not_assessable": "#bdbdbd",
}
_SAMPLE_COLOUR = "#d94801"

# 24 distinguishable colours (tab20 + 4 darker ones), assigned by label position in
# contracts.B_SUBTYPES so that a subtype has one colour in every report.
_PALETTE = (
    "#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728", "#ff9896",
    "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#7f7f7f", "#c7c7c7",
    "#bcbd22", "#dbdb8d", "#17becf", "#9edae5", "#393b79", "#637939", "#8c6d31", "#843c39",
)  # fmt: skip
_FIXED = {T_ALL: "#6b6ecf", UNCLASSIFIED: "#d9d9d9", MULTIPLE: "#636363"}


def subtype_colour(label: str) -> str:
    """Return the report colour of a subtype label (stable across reports)."""
    if label in _FIXED:
        return _FIXED[label]
    if label in B_SUBTYPES:
        return _PALETTE[B_SUBTYPES.index(label) % len(_PALETTE)]
    return _PALETTE[sum(map(ord, label)) % len(_PALETTE)]


@dataclass(frozen=True)
class ZoomRegion:
    """A locus drawn as a zoom panel of the copy-number plot.

    Attributes
    ----------
    name
        Panel title, e.g. ``"IKZF1 (7p12)"``.
    chrom
        Chromosome without ``chr`` prefix.
    start, end
        Window drawn (GRCh38, 1-based).
    highlights
        ``(label, start, end)`` spans shaded in the panel (the genes of interest).
    """

    name: str
    chrom: str
    start: int
    end: int
    highlights: tuple[tuple[str, int, int], ...]


#: Loci zoomed in every copy-number plot: (panel title, genes highlighted). PAR1 has no
#: gene of its own; its span is from MD-ALL's pseudoautosomal table (DOMAIN.md §8).
ZOOM_LOCI: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("IKZF1 (7p12)", ("IKZF1",)),
    ("CDKN2A/B (9p21)", ("CDKN2A", "CDKN2B")),
    ("PAX5 (9p13)", ("PAX5",)),
    ("ERG (21q22)", ("ERG",)),
    ("RUNX1 (21q22)", ("RUNX1",)),
    ("PAR1 (Xp22.33)", ("CRLF2", "P2RY8")),
)
PAR1_GRCH38 = ("X", 10_001, 2_781_479)


def default_zoom_regions(
    gene_coords: Mapping[str, tuple[str, int, int]], *, flank: int = 1_500_000
) -> list[ZoomRegion]:
    """Build the standard zoom panels from gene coordinates.

    Parameters
    ----------
    gene_coords
        ``{symbol: (chrom, start, end)}`` for at least the genes in :data:`ZOOM_LOCI`
        (e.g. from :func:`allstrat.io.gene_table.load_gene_table`).
    flank
        Bases drawn either side of the highlighted genes.

    Returns
    -------
    list of ZoomRegion
        One region per locus whose genes are all known; the PAR1 panel spans PAR1.
    """
    regions = []
    for title, genes in ZOOM_LOCI:
        if title.startswith("PAR1"):
            chrom, s, e = PAR1_GRCH38
            hl = [("PAR1", s, e)] + [(g, *gene_coords[g][1:]) for g in genes if g in gene_coords]
            regions.append(ZoomRegion(title, chrom, 1, e + 300_000, tuple(hl)))
            continue
        if not all(g in gene_coords for g in genes):
            logger.warning("zoom %s skipped: gene coordinates missing", title)
            continue
        chrom = str(gene_coords[genes[0]][0]).removeprefix("chr")
        s = min(gene_coords[g][1] for g in genes)
        e = max(gene_coords[g][2] for g in genes)
        hl = [(g, gene_coords[g][1], gene_coords[g][2]) for g in genes]
        regions.append(ZoomRegion(title, chrom, max(1, s - flank), e + flank, tuple(hl)))
    return regions


def figure_data_uri(fig: Figure, *, fmt: str = "svg", dpi: int = 96) -> str:
    """Render a figure to a base64 data URI (``image/svg+xml`` or ``image/png``)."""
    import matplotlib

    buf = io.BytesIO()
    # a fixed salt: the SVG clip-path / marker ids are otherwise random per process, and
    # reruns must give byte-identical reports
    with matplotlib.rc_context({"svg.hashsalt": "allstrat"}):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=_metadata(fmt))
    mime = "image/svg+xml" if fmt == "svg" else "image/png"
    return f"data:{mime};base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _metadata(fmt: str) -> dict[str, Any]:
    # No creation date: reruns must give byte-identical reports.
    if fmt == "svg":
        return {"Date": None}
    if fmt == "png":
        return {"Software": None}
    return {}


def _num(d: Mapping[str, Any], keys: Sequence[str]) -> float | None:
    for k in keys:
        v = d.get(k)
        if v is None or isinstance(v, bool):
            continue
        try:
            f = float(v)
        except (TypeError, ValueError):
            continue
        if math.isfinite(f):
            return f
    return None


def _chrom(value: Any) -> str:
    return str(value).removeprefix("chr")


_LOG2_KEYS = ("log2", "log2_ratio", "log2r", "log2R", "value", "mean")
_RATIO_KEYS = ("ratio", "probe_ratio", "value")


Seg = tuple[str, int, int, float, str]


def _walk(obj: Any, keys: tuple[str, ...]) -> list[Mapping[str, Any]]:
    """Every mapping inside a list stored under one of ``keys``, at any depth."""
    out: list[Mapping[str, Any]] = []
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            kind = type(v)
            if kind in _SCALARS:  # most values: skipped without an ABC check
                continue
            if k in keys and isinstance(v, list):
                out += [x for x in v if type(x) is dict or isinstance(x, Mapping)]
            elif kind is dict or kind is list or isinstance(v, (list, Mapping)):
                out += _walk(v, keys)
    elif isinstance(obj, list):
        for v in obj:
            kind = type(v)
            if (
                kind is dict
                or kind is list
                or (kind not in _SCALARS and isinstance(v, (list, Mapping)))
            ):
                out += _walk(v, keys)
    return out


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _state_name(cn: float) -> str:
    return "normal" if cn == 2 else ("deleted" if cn < 2 else "gained")


def _chromosome_level(evidence: Mapping[str, Any]) -> list[Seg]:
    """Arm / whole-chromosome levels of the copy-number stage's ploidy evidence."""
    out: list[Seg] = []
    ploidy = evidence.get("ploidy")
    chroms = ploidy.get("chromosomes") if isinstance(ploidy, Mapping) else None
    if isinstance(chroms, Mapping):
        genome = _genome()
        cen = genome.centromeres
        for c, rec in chroms.items():
            chrom = _chrom(c)
            if chrom not in genome.lengths or not isinstance(rec, Mapping):
                continue
            length = genome.lengths[chrom]
            p_state, q_state = _num(rec, ("p_state",)), _num(rec, ("q_state",))
            whole = _num(rec, ("whole_state", "state"))
            if chrom in cen and (p_state is not None or q_state is not None):
                arms = [(1, cen[chrom][0] - 1, p_state), (cen[chrom][1] + 1, length, q_state)]
            else:
                arms = [(1, length, whole)]
            for a, b, st in arms:
                if st is not None:
                    v = math.log2(st / 2) if st > 0 else -10.0
                    out.append((chrom, a, b, v, _state_name(st)))
    rna = evidence.get("rna_dosage")
    chroms = rna.get("chromosomes") if isinstance(rna, Mapping) else None
    if isinstance(chroms, Mapping):
        lengths = _genome().lengths
        for c, rec in chroms.items():
            chrom = _chrom(c)
            if chrom not in lengths or not isinstance(rec, Mapping):
                continue
            shift = _num(rec, ("shift_log2", "log2"))
            st = _num(rec, ("state",))
            if shift is not None:
                state = "" if st is None else _state_name(st)
                out.append((chrom, 1, lengths[chrom], shift, state))
    return out


def _segments(evidence: Mapping[str, Any]) -> list[Seg]:
    """(chrom, start, end, log2, state) to draw: chromosome levels first, then segments.

    Reads chromosome / arm levels (``ploidy.chromosomes``, ``rna_dosage.chromosomes``)
    and every ``segments`` / ``probes`` list at any depth (e.g. per lesion call), without
    duplicates.
    """
    out = _chromosome_level(evidence)
    seen: set[tuple[str, int, int]] = set()
    for seg in _walk(evidence, ("segments",)):
        v = _num(seg, _LOG2_KEYS)
        s, e = _num(seg, ("start",)), _num(seg, ("end",))
        if v is None or s is None or e is None or "chrom" not in seg:
            continue
        key = (_chrom(seg["chrom"]), int(s), int(e))
        if key not in seen:
            seen.add(key)
            out.append((*key, v, str(seg.get("state", ""))))
    for probe in _walk(evidence, ("probes",)):
        s, e = _num(probe, ("start",)), _num(probe, ("end",))
        if s is None or e is None or "chrom" not in probe:
            continue
        v = _num(probe, ("log2", "log2_ratio"))
        if v is None:
            r = _num(probe, _RATIO_KEYS)
            if r is None or r <= 0:
                continue
            v = math.log2(r)
        key = (_chrom(probe["chrom"]), int(s), int(e))
        if key not in seen:
            seen.add(key)
            out.append((*key, v, str(probe.get("state", ""))))
    return out


def _state_colour(state: str, value: float) -> str:
    if state in _STATE_COLOURS:
        return _STATE_COLOURS[state]
    if value <= -0.3:
        return _STATE_COLOURS["deleted"]
    if value >= 0.3:
        return _STATE_COLOURS["gained"]
    return _STATE_COLOURS["normal"]


_FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"'
_INK = "#1a1a1a"
_GREY = "#737373"


def _svg_open(width: float, height: float, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="fig" viewBox="0 0 {coord(width)} '
        f'{coord(height)}" width="{coord(width)}" height="{coord(height)}" role="img" '
        f'aria-label="{esc(label)}" {_FONT} fill="{_INK}"><title>{esc(label)}</title>'
    )


def _lines_by_colour(lines: list[tuple[float, float, float, float]], cols: list[str]) -> str:
    """One ``<path>`` per colour (first-seen order) holding all its line segments."""
    groups: dict[str, list[tuple[float, float, float, float]]] = {}
    for seg, col in zip(lines, cols, strict=True):
        groups.setdefault(col, []).append(seg)
    return "".join(
        f'<path d="{path_d(segs)}" stroke="{col}" stroke-width="2.5" fill="none"/>'
        for col, segs in groups.items()
    )


@dataclass(frozen=True)
class _Panel:
    """A zoom panel's place in the copy-number figure."""

    region: ZoomRegion
    x: Axis  # Mb -> px
    y: Axis  # log2 ratio -> px


class SampleFigures:
    """Per-sample figures (copy number, marker-gene evidence) as inline SVG text.

    Everything that is the same for every sample (chromosome bands, axes, ticks, zoom
    panels and their highlighted genes) is built once per process; per sample only the
    sample's segments / values are written as a few ``<path>`` elements. No plotting
    library is imported, so a chunk's reports cost little more than writing the files.

    Parameters
    ----------
    zoom_regions
        Loci drawn as zoom panels under the genome-wide copy-number plot.
    y_limits
        log2-ratio range drawn; values outside are clipped to the border.
    max_marker_genes
        At most this many marker genes are drawn.
    """

    WIDTH = 1000.0
    LEFT, RIGHT = 56.0, 990.0

    def __init__(
        self,
        *,
        zoom_regions: Sequence[ZoomRegion],
        y_limits: tuple[float, float] = (-2.5, 2.0),
        max_marker_genes: int = 12,
    ) -> None:
        self.zoom_regions = list(zoom_regions)
        self.y_limits = y_limits
        self.max_marker_genes = max_marker_genes
        self._cn_static: tuple[str, float, Axis, Axis, list[_Panel]] | None = None

    # --- copy number -------------------------------------------------------------------
    def _y_axis(self, ax: Axis, x0: float, x1: float, *, size: float = 9) -> list[str]:
        frame = f"M{coord(x0)} {coord(ax.p1)}V{coord(ax.p0)}H{coord(x1)}V{coord(ax.p1)}z"
        out = [f'<path d="{frame}" stroke="{_INK}" stroke-width="0.8" fill="none"/>']
        lo, hi = self.y_limits
        for t in nice_ticks(lo, hi, target=5):
            y = ax(t)
            out.append(f'<path d="M{coord(x0 - 4)} {coord(y)}H{coord(x0)}" stroke="{_INK}"/>')
            out.append(text(x0 - 6, y + size / 3, tick_label(t), size=size, anchor="end"))
        out.append(
            f'<path d="M{coord(x0)} {coord(ax(0))}H{coord(x1)}" stroke="{_GREY}" '
            'stroke-width="0.6"/>'
        )
        return out

    def _cn_background(self) -> tuple[str, float, Axis, Axis, list[_Panel]]:
        """The copy-number figure without data (built once), with its axes."""
        if self._cn_static is not None:
            return self._cn_static
        lo, hi = self.y_limits
        left, right = self.LEFT, self.RIGHT
        genome = _genome()
        gx = Axis(0, genome.total, left, right)
        gy = Axis(lo - 0.1, hi + 0.1, 196, 26)
        parts = [text(left, 16, "Genome-wide copy number (GRCh38)", size=13)]
        for k, (c, length) in enumerate(genome.lengths.items()):
            a, b = gx(genome.offsets[c]), gx(genome.offsets[c] + length)
            if k % 2 == 0:
                parts.append(
                    f'<rect x="{coord(a)}" y="{coord(gy.p1)}" width="{coord(b - a)}" '
                    f'height="{coord(gy.p0 - gy.p1)}" fill="#f0f0f0"/>'
                )
            parts.append(text((a + b) / 2, 208, c, size=9, anchor="middle"))
        parts += self._y_axis(gy, left, right)
        parts.append(
            text(14, (gy.p0 + gy.p1) / 2, "log2 ratio", size=10, anchor="middle",
                 transform=f"rotate(-90 14 {coord((gy.p0 + gy.p1) / 2)})")
        )  # fmt: skip
        ncol, gap = 3, 50.0
        width = (right - left - gap * (ncol - 1)) / ncol
        panels = []
        for i, region in enumerate(self.zoom_regions):
            x0 = left + (i % ncol) * (width + gap)
            top = 232 + (i // ncol) * 175
            px = Axis(region.start / 1e6, region.end / 1e6, x0, x0 + width)
            py = Axis(lo - 0.1, hi + 0.1, top + 123, top + 8)
            parts.append(text(x0, top, region.name, size=12))
            for k, (label, s, e) in enumerate(region.highlights):
                a, b = px.clip(s / 1e6), px.clip(e / 1e6)
                parts.append(
                    f'<rect x="{coord(a)}" y="{coord(py.p1)}" width="{coord(max(b - a, 0.5))}" '
                    f'height="{coord(py.p0 - py.p1)}" fill="#fee391"/>'
                )
                # stagger labels so that neighbouring genes (CDKN2A/B) stay readable
                parts.append(
                    text((a + b) / 2, py.p1 + 10 + 10 * k, label, size=8.5, anchor="middle")
                )
            parts += self._y_axis(py, x0, x0 + width, size=8.5)
            for t in nice_ticks(px.lo, px.hi, target=4):
                x = px(t)
                parts.append(f'<path d="M{coord(x)} {coord(py.p0)}v4" stroke="{_INK}"/>')
                parts.append(text(x, py.p0 + 14, tick_label(t), size=8.5, anchor="middle"))
            parts.append(
                text(x0 + width / 2, py.p0 + 28, f"chr{region.chrom} (Mb)", size=9, anchor="middle")
            )
            panels.append(_Panel(region, px, py))
        height = 232 + math.ceil(len(self.zoom_regions) / ncol) * 175 - 10
        self._cn_static = ("".join(parts), max(height, 222.0), gx, gy, panels)
        return self._cn_static

    def copy_number(
        self, evidence: Mapping[str, Any] | None, *, label: str = "genome-wide copy number"
    ) -> Markup | None:
        """Draw the genome-wide log2-ratio plot with zoom panels.

        Parameters
        ----------
        evidence
            A sample's copy-number evidence with ``segments`` (``chrom``, ``start``,
            ``end``, log2 ratio, optional ``state``) and/or ``probes`` (``chrom``,
            ``start``, ``end``, ``ratio`` or log2), at the top level or nested (e.g.
            per lesion).
        label
            Accessible name of the figure.

        Returns
        -------
        markupsafe.Markup or None
            Inline SVG, or ``None`` when the evidence has no drawable segment or probe.
        """
        if not isinstance(evidence, Mapping):
            return None
        offsets = _genome().offsets
        segs = [s for s in _segments(evidence) if s[0] in offsets]
        if not segs:
            return None
        static, height, gx, gy, panels = self._cn_background()
        lo, hi = self.y_limits
        lines, cols = [], []
        min_half = _genome().total / 700  # tiny segments / probes get a minimum visible width
        for chrom, s, e, v, state in segs:
            mid, half = offsets[chrom] + (s + e) / 2, max((e - s) / 2, min_half)
            y = gy(min(max(v, lo), hi))
            lines.append((gx(mid - half), y, gx(mid + half), y))
            cols.append(_state_colour(state, v))
        body = [_lines_by_colour(lines, cols)]
        for p in panels:
            body.append(self._zoom_data(p, segs))
        return Markup(_svg_open(self.WIDTH, height, label) + static + "".join(body) + "</svg>")

    def _zoom_data(self, p: _Panel, segs: list[Seg]) -> str:
        region, lo, hi = p.region, *self.y_limits
        span = (region.end - region.start) / 1e6
        lines, cols = [], []
        for chrom, s, e, v, state in segs:
            if chrom != region.chrom or e < region.start or s > region.end:
                continue
            xs, xe = max(s, region.start) / 1e6, min(e, region.end) / 1e6
            if xe - xs < span / 150:
                mid = (xs + xe) / 2
                xs, xe = mid - span / 300, mid + span / 300
            y = p.y(min(max(v, lo), hi))
            lines.append((p.x.clip(xs), y, p.x.clip(xe), y))
            cols.append(_state_colour(state, v))
        if not lines:
            mid_x, mid_y = (p.x.p0 + p.x.p1) / 2, (p.y.p0 + p.y.p1) / 2
            return text(
                mid_x, mid_y, "no data in this region", size=10, anchor="middle", fill=_GREY
            )
        return _lines_by_colour(lines, cols)

    # --- marker genes ------------------------------------------------------------------
    def markers(
        self,
        genes: Sequence[Mapping[str, Any]],
        *,
        called: str = "",
        label: str = "marker genes against the reference distributions",
    ) -> Markup | None:
        """Draw each marker gene's sample value against the reference per subtype.

        Parameters
        ----------
        genes
            Normalised marker records (see :func:`allstrat.report.evidence.marker_genes`):
            ``{"gene", "value", "reference": {group: (lo, q1, median, q3, hi)}}``.
        called
            The sample's call; its reference group is drawn in its subtype colour.
        label
            Accessible name of the figure.

        Returns
        -------
        markupsafe.Markup or None
            Inline SVG, or ``None`` when no gene has both a value and a reference.
        """
        genes = [g for g in genes if g.get("reference") and g.get("value") is not None]
        genes = genes[: self.max_marker_genes]
        if not genes:
            return None
        groups: list[str] = []
        for g in genes:
            groups += [name for name in g["reference"] if name not in groups]
        colour = {n: subtype_colour(n) if n == called else "#9e9e9e" for n in groups}
        legend, legend_h = self._marker_legend(groups, colour)
        top, bottom = 34.0, 262.0
        height = bottom + 34 + legend_h
        vals = [float(g["value"]) for g in genes]
        for g in genes:
            for st in g["reference"].values():
                vals += [float(st[0]), float(st[4])]
        vmin, vmax = min(vals), max(vals)
        pad = (vmax - vmin) * 0.05 or 1.0
        x = Axis(-0.6, len(genes) - 0.4, 64, self.RIGHT)
        y = Axis(vmin - pad, vmax + pad, bottom, top)
        unit = next((g.get("unit") for g in genes if g.get("unit")), "normalised expression")
        frame = f"M64 {coord(top)}V{coord(bottom)}H{coord(self.RIGHT)}"
        parts = [
            text(64, 16, "Marker genes: this sample (◆) vs reference distributions"
                 " (box: middle 50% or ±1 sd; whisker: 5–95% or ±2 sd)", size=12),
            f'<path d="{frame}" stroke="{_INK}" fill="none"/>',
            text(14, (top + bottom) / 2, unit, size=10, anchor="middle",
                 transform=f"rotate(-90 14 {coord((top + bottom) / 2)})"),
        ]  # fmt: skip
        for t in nice_ticks(y.lo, y.hi, target=5):
            parts.append(f'<path d="M60 {coord(y(t))}H64" stroke="{_INK}"/>')
            parts.append(text(58, y(t) + 3, tick_label(t), size=9, anchor="end"))
        width = 0.8 / max(len(groups), 1)
        for i, g in enumerate(genes):
            parts.append(text(x(i), bottom + 14, g["gene"], size=10, anchor="middle"))
            for j, name in enumerate(groups):
                st = g["reference"].get(name)
                if st is None:
                    continue
                lo_, q1, med, q3, hi_ = (float(v) for v in st)
                xc = i - 0.4 + width * (j + 0.5)
                a, b = x(xc - width * 0.35), x(xc + width * 0.35)
                col = colour[name]
                parts.append(
                    f'<path d="M{coord(x(xc))} {coord(y(lo_))}V{coord(y(hi_))}" stroke="{col}" '
                    f'stroke-width="0.8"/><rect x="{coord(a)}" y="{coord(y(q3))}" '
                    f'width="{coord(b - a)}" height="{coord(max(y(q1) - y(q3), 0.3))}" '
                    f'fill="{col}" fill-opacity="0.55"/><path d="M{coord(a)} {coord(y(med))}'
                    f'H{coord(b)}" stroke="#000" stroke-width="0.8"/>'
                )
        d = "".join(
            f"M{coord(x(i))} {coord(y(v) - 6)}l6 6-6 6-6-6z"
            for i, v in enumerate(vals[: len(genes)])
        )
        parts.append(f'<path d="{d}" fill="{_SAMPLE_COLOUR}"/>')
        parts.append(f'<g transform="translate(64 {coord(bottom + 34)})">{legend}</g>')
        return Markup(_svg_open(self.WIDTH, height, label) + "".join(parts) + "</svg>")

    def _marker_legend(self, groups: list[str], colour: Mapping[str, str]) -> tuple[str, float]:
        """Legend items laid out left to right, wrapped at the figure width."""
        items = [("◆", _SAMPLE_COLOUR, "this sample")]
        items += [("■", colour[n], f"reference: {n}") for n in groups]
        parts, x, row = [], 0.0, 0
        for sym, col, name in items:
            w = 22 + 6.0 * len(name)
            if x > 0 and x + w > self.RIGHT - 64:
                x, row = 0.0, row + 1
            yy = 16 * row
            opacity = "1" if sym == "◆" else "0.55"
            parts.append(text(x, yy, sym, size=11, fill=col, fill_opacity=opacity))
            parts.append(text(x + 14, yy, name, size=10))
            x += w
        return "".join(parts), 16.0 * (row + 1)

    def close(self) -> None:
        """Release the cached figure parts (kept for the old interface; cheap)."""
        self._cn_static = None
