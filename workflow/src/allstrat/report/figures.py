"""Figures of the per-sample and cohort reports, embedded as data URIs.

One :class:`SampleFigures` per process draws every sample of a chunk: the matplotlib
figures and axes are created once and cleared between samples (creating a figure costs
more than drawing into it), and :meth:`SampleFigures.close` releases them. Figures are
rendered as SVG (text stays sharp, files stay small) and base64-embedded, so a report is
one self-contained file that never fetches anything.

Nothing here computes a call: the functions only draw values that the stages wrote.
"""

from __future__ import annotations

import base64
import functools
import io
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure  # pyplot-free: no GUI backend, no global state
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from PIL import Image

from allstrat.contracts import B_SUBTYPES, MULTIPLE, T_ALL, UNCLASSIFIED
from allstrat.copynumber.resources import load_chromosomes

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
    offsets = dict(zip(lengths, np.cumsum([0, *lengths.values()])[:-1].tolist(), strict=True))
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
            hl = [("PAR1", s, e)]
            hl += [(g, *gene_coords[g][1:]) for g in genes if g in gene_coords]
            regions.append(ZoomRegion(title, chrom, 1, e + 300_000, tuple(hl)))
            continue
        if not all(g in gene_coords for g in genes):
            logger.warning("zoom %s skipped: gene coordinates missing", title)
            continue
        chrom = str(gene_coords[genes[0]][0]).removeprefix("chr")
        s = min(gene_coords[g][1] for g in genes)
        e = max(gene_coords[g][2] for g in genes)
        hl = tuple((g, gene_coords[g][1], gene_coords[g][2]) for g in genes)
        regions.append(ZoomRegion(title, chrom, max(1, s - flank), e + flank, hl))
    return regions


def figure_data_uri(fig: Figure, *, fmt: str = "svg", dpi: int = 96) -> str:
    """Render a figure to a base64 data URI (``image/svg+xml`` or ``image/png``)."""
    buf = io.BytesIO()
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
            if k in keys and isinstance(v, list):
                out += [x for x in v if isinstance(x, Mapping)]
            else:
                out += _walk(v, keys)
    elif isinstance(obj, list):
        for v in obj:
            out += _walk(v, keys)
    return out


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
            v = _num(rec, ("shift_log2", "log2"))
            st = _num(rec, ("state",))
            if v is not None:
                state = "" if st is None else _state_name(st)
                out.append((chrom, 1, lengths[chrom], v, state))
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


class SampleFigures:
    """Reusable per-sample figures (copy number, marker-gene evidence).

    The copy-number figure's static parts (chromosome bands, axes, zoom highlights) are
    drawn once; per sample only the data artists are added, saved and removed again,
    which keeps a chunk's rendering at a few tens of milliseconds per sample.

    Parameters
    ----------
    zoom_regions
        Loci drawn as zoom panels under the genome-wide copy-number plot.
    fmt
        ``"png"`` (default: the copy-number figure's static background is rendered once
        and only each sample's data are drawn over it) or ``"svg"`` (vector, every figure
        fully redrawn; about 3x slower).
    y_limits
        log2-ratio range drawn; values outside are clipped to the border.
    max_marker_genes
        At most this many marker genes are drawn.
    """

    def __init__(
        self,
        *,
        zoom_regions: Sequence[ZoomRegion],
        fmt: str = "png",
        y_limits: tuple[float, float] = (-2.5, 2.0),
        max_marker_genes: int = 12,
    ) -> None:
        self.zoom_regions = list(zoom_regions)
        self.fmt = fmt
        self.y_limits = y_limits
        self.max_marker_genes = max_marker_genes
        self._cn_fig: Figure | None = None
        self._cn_background: Any = None
        self._marker_fig: Figure | None = None

    def _save(self, fig: Figure) -> str:
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "allstrat"}):
            return figure_data_uri(fig, fmt=self.fmt)

    # --- copy number -------------------------------------------------------------------
    def _cn_axes(self) -> tuple[Figure, Any, list[Any]]:
        if self._cn_fig is not None:
            axes = self._cn_fig.axes
            return self._cn_fig, axes[0], axes[1:]
        n = len(self.zoom_regions)
        ncol = 3
        nrow = math.ceil(n / ncol)
        height = 2.6 + 2.0 * nrow
        fig = Figure(figsize=(10, height))
        grid = fig.add_gridspec(
            1 + nrow,
            ncol,
            height_ratios=[1.4] + [1] * nrow,
            left=0.07,
            right=0.99,
            top=1 - 0.3 / height,
            bottom=0.45 / height,
            hspace=0.75,
            wspace=0.22,
        )
        ax = fig.add_subplot(grid[0, :])
        lo, hi = self.y_limits
        genome = _genome()
        for k, (c, length) in enumerate(genome.lengths.items()):
            if k % 2 == 0:
                ax.axvspan(genome.offsets[c], genome.offsets[c] + length, color="#f0f0f0", lw=0)
        ax.axhline(0, color="#737373", lw=0.6)
        ax.set_xlim(0, genome.total)
        ax.set_ylim(lo - 0.1, hi + 0.1)
        ax.set_xticks([genome.offsets[c] + length / 2 for c, length in genome.lengths.items()])
        ax.set_xticklabels(list(genome.lengths), fontsize=7)
        ax.tick_params(axis="x", length=0)
        ax.tick_params(axis="y", labelsize=7)
        ax.set_ylabel("log2 ratio", fontsize=8)
        ax.set_title("Genome-wide copy number (GRCh38)", fontsize=10, loc="left")
        for i, region in enumerate(self.zoom_regions):
            zax = fig.add_subplot(grid[1 + i // ncol, i % ncol])
            for k, (label, s, e) in enumerate(region.highlights):
                zax.axvspan(s / 1e6, e / 1e6, color="#fee391", lw=0)
                # stagger labels so that neighbouring genes (CDKN2A/B) stay readable
                zax.text((s + e) / 2e6, hi - 0.45 * k, label, fontsize=6.5, ha="center", va="top")
            zax.axhline(0, color="#737373", lw=0.6)
            zax.set_xlim(region.start / 1e6, region.end / 1e6)
            zax.set_ylim(lo - 0.1, hi + 0.1)
            zax.set_title(region.name, fontsize=9, loc="left")
            zax.set_xlabel(f"chr{region.chrom} (Mb)", fontsize=7)
            zax.tick_params(labelsize=7)
        FigureCanvasAgg(fig)
        self._cn_fig = fig
        self._cn_background = None
        return fig, fig.axes[0], fig.axes[1:]

    def copy_number(self, evidence: Mapping[str, Any] | None) -> str | None:
        """Draw the genome-wide log2-ratio plot with zoom panels.

        Parameters
        ----------
        evidence
            A sample's copy-number evidence with ``segments`` (``chrom``, ``start``,
            ``end``, log2 ratio, optional ``state``) and/or ``probes`` (``chrom``,
            ``start``, ``end``, ``ratio`` or log2), at the top level or nested (e.g.
            per lesion).

        Returns
        -------
        str or None
            Data URI, or ``None`` when the evidence has no drawable segment or probe.
        """
        if not isinstance(evidence, Mapping):
            return None
        segs = [s for s in _segments(evidence) if s[0] in _genome().offsets]
        if not segs:
            return None
        fig, ax, zooms = self._cn_axes()
        lo, hi = self.y_limits
        added = [self._draw_genome(ax, segs, lo, hi)]
        for zax, region in zip(zooms, self.zoom_regions, strict=False):
            added += self._draw_zoom(zax, region, segs, lo, hi)
        try:
            if self.fmt == "png":
                return self._blit_png(fig, added)
            return self._save(fig)
        finally:
            for artist in added:
                artist.remove()

    def _blit_png(self, fig: Figure, added: list[Any]) -> str:
        """PNG of the cached background plus this sample's artists (no full redraw)."""
        canvas = fig.canvas
        if self._cn_background is None:
            hidden = [(a, a.get_visible()) for a in added]
            for a, _ in hidden:
                a.set_visible(False)
            canvas.draw()  # axes, ticks, bands and labels: rendered once per process
            self._cn_background = canvas.copy_from_bbox(fig.bbox)
            for a, vis in hidden:
                a.set_visible(vis)
        canvas.restore_region(self._cn_background)
        for artist in added:
            artist.axes.draw_artist(artist)
        buf = io.BytesIO()
        Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buf, format="PNG")
        return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")

    def _draw_genome(
        self, ax: Any, segs: list[tuple[str, int, int, float, str]], lo: float, hi: float
    ) -> Any:
        lines = []
        cols = []
        genome = _genome()
        for chrom, s, e, v, state in segs:
            off = genome.offsets[chrom]
            y = min(max(v, lo), hi)
            # tiny segments / probes get a minimum visible width
            half = max((e - s) / 2, genome.total / 700)
            mid = off + (s + e) / 2
            lines.append(((mid - half, y), (mid + half, y)))
            cols.append(_state_colour(state, v))
        coll = LineCollection(lines, colors=cols, linewidths=2.5)
        ax.add_collection(coll)
        return coll

    def _draw_zoom(
        self,
        ax: Any,
        region: ZoomRegion,
        segs: list[tuple[str, int, int, float, str]],
        lo: float,
        hi: float,
    ) -> list[Any]:
        span = (region.end - region.start) / 1e6
        lines, cols = [], []
        for chrom, s, e, v, state in segs:
            if chrom != region.chrom or e < region.start or s > region.end:
                continue
            y = min(max(v, lo), hi)
            xs, xe = max(s, region.start) / 1e6, min(e, region.end) / 1e6
            if xe - xs < span / 150:
                mid = (xs + xe) / 2
                xs, xe = mid - span / 300, mid + span / 300
            lines.append(((xs, y), (xe, y)))
            cols.append(_state_colour(state, v))
        if not lines:
            return [
                ax.text(
                    0.5,
                    0.5,
                    "no data in this region",
                    transform=ax.transAxes,
                    ha="center",
                    fontsize=8,
                    color="#737373",
                )
            ]
        coll = LineCollection(lines, colors=cols, linewidths=2.5)
        ax.add_collection(coll)
        return [coll]

    # --- marker genes ------------------------------------------------------------------
    def markers(self, genes: Sequence[Mapping[str, Any]], *, called: str = "") -> str | None:
        """Draw each marker gene's sample value against the reference per subtype.

        Parameters
        ----------
        genes
            Normalised marker records (see :func:`allstrat.report.evidence.marker_genes`):
            ``{"gene", "value", "reference": {group: (lo, q1, median, q3, hi)}}``.
        called
            The sample's call; its reference group is drawn in its subtype colour.

        Returns
        -------
        str or None
            Data URI, or ``None`` when no gene has both a value and a reference.
        """
        genes = [g for g in genes if g.get("reference") and g.get("value") is not None]
        genes = genes[: self.max_marker_genes]
        if not genes:
            return None
        groups: list[str] = []
        for g in genes:
            for name in g["reference"]:
                if name not in groups:
                    groups.append(name)
        if self._marker_fig is None:
            self._marker_fig = Figure(figsize=(10, 3.4))
            self._marker_fig.add_axes((0.07, 0.2, 0.91, 0.7))
        fig = self._marker_fig
        ax = fig.axes[0]
        ax.cla()
        width = 0.8 / max(len(groups), 1)
        whiskers, medians, boxes, box_cols, whisker_cols = [], [], [], [], []
        for i, g in enumerate(genes):
            for j, name in enumerate(groups):
                stats = g["reference"].get(name)
                if stats is None:
                    continue
                lo_, q1, med, q3, hi_ = stats
                x = i - 0.4 + width * (j + 0.5)
                col = subtype_colour(name) if name == called else "#9e9e9e"
                whiskers.append(((x, lo_), (x, hi_)))
                whisker_cols.append(col)
                medians.append(((x - width * 0.35, med), (x + width * 0.35, med)))
                boxes.append(Rectangle((x - width * 0.35, q1), width * 0.7, max(q3 - q1, 1e-9)))
                box_cols.append(col)
        ax.add_collection(LineCollection(whiskers, colors=whisker_cols, linewidths=0.8))
        ax.add_collection(PatchCollection(boxes, facecolors=box_cols, alpha=0.55, lw=0))
        ax.add_collection(LineCollection(medians, colors="black", linewidths=0.8))
        ax.plot(
            range(len(genes)),
            [g["value"] for g in genes],
            ls="",
            marker="D",
            ms=6,
            color=_SAMPLE_COLOUR,
            zorder=5,
        )
        ax.autoscale_view()
        ax.set_xlim(-0.6, len(genes) - 0.4)
        ax.set_xticks(range(len(genes)))
        ax.set_xticklabels([g["gene"] for g in genes], fontsize=8)
        unit = next((g.get("unit") for g in genes if g.get("unit")), "normalised expression")
        ax.set_ylabel(str(unit), fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
        handles: list[Any] = [
            Line2D([], [], marker="D", ls="", color=_SAMPLE_COLOUR, label="this sample")
        ]
        handles += [
            Patch(
                color=subtype_colour(name) if name == called else "#9e9e9e",
                alpha=0.55,
                label=f"reference: {name}",
            )
            for name in groups
        ]
        ax.legend(handles=handles, fontsize=7, loc="best", frameon=False)
        ax.set_title(
            "Marker genes: this sample (◆) vs reference distributions"
            " (box: middle 50% or ±1 sd; whisker: 5–95% or ±2 sd)",
            fontsize=10,
            loc="left",
        )
        return self._save(fig)

    def close(self) -> None:
        """Release the figures (call once after the last sample)."""
        self._cn_fig = None
        self._cn_background = None
        self._marker_fig = None
