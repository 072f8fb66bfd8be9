"""Segment normalisation: diploid baseline, purity adjustment, absolute copy number.

Input contract (``allstrat.io.copynumber_readers``): one row per segment with
``sample_id, chrom ("chr7"), start, end (1-based inclusive), log2, n_probes, baf``
(``baf`` may be NaN; it is read as the mirrored B-allele fraction, 0–0.5).

Model (derived; DOMAIN.md §2, §5). A tumour fraction ``p`` of cells carries ``c`` copies
and ``1 − p`` are normal diploid, so the expected ratio to a diploid reference is
``(p·c + 2(1 − p)) / 2``. Callers such as CNVkit centre log2 ratios on the genome median,
which a hyperdiploid genome with many gained chromosomes shifts. We therefore search the
length-weighted density of segment log2 values for peaks, score every peak as the
candidate diploid level by how well *all* segments then fit integer copy-number states
(and, with BAF, the allele fractions those states allow), and keep the best. Because
gains are spaced more tightly than losses (log2 3/2 = 0.585 vs log2 1/2 = −1), the wrong
"loss" interpretation of a gained majority fits badly even when purity is unknown.

Ambiguity that no log2/BAF data can resolve (a near-haploid genome vs its doubled form)
is reported, never hidden: the caller flags it and the masked-hypodiploidy test reads
genome-wide loss of heterozygosity.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from allstrat.copynumber.resources import AUTOSOMES, derived, load_chromosomes
from allstrat.errors import InputError

logger = logging.getLogger(__name__)

PURITY_GRID: tuple[float, ...] = tuple(round(0.2 + 0.05 * k, 2) for k in range(17))
SEGMENT_COLUMNS: tuple[str, ...] = (
    "sample_id",
    "chrom",
    "start",
    "end",
    "log2",
    "n_probes",
    "baf",
)


def expected_ratio(cn: np.ndarray | float, purity: float) -> np.ndarray | float:
    """Expected copy ratio to diploid of ``cn`` copies at tumour fraction ``purity``.

    Parameters
    ----------
    cn
        Copy number(s) in the tumour cells.
    purity
        Tumour (blast) fraction, 0 < purity ≤ 1.

    Returns
    -------
    ``(purity·cn + 2·(1 − purity)) / 2``.

    Examples
    --------
    >>> expected_ratio(1, 0.5)
    0.75
    """
    ratio = (purity * np.asarray(cn, dtype=float) + 2.0 * (1.0 - purity)) / 2.0
    return float(ratio) if ratio.ndim == 0 else ratio


def copy_number_from_log2(log2: np.ndarray, purity: float) -> np.ndarray:
    """Invert :func:`expected_ratio`: tumour copy number from a centred log2 ratio.

    Parameters
    ----------
    log2
        log2 copy ratios already centred on the diploid level.
    purity
        Tumour (blast) fraction, 0 < purity ≤ 1.

    Returns
    -------
    Estimated copy number in the tumour cells, clipped at 0.
    """
    ratio = np.power(2.0, np.asarray(log2, dtype=float))
    return np.clip(2.0 * (ratio - (1.0 - purity)) / purity, 0.0, None)


def expected_minor_fraction(cn: int, minor: int, purity: float) -> float:
    """Mirrored B-allele fraction expected for ``minor`` of ``cn`` copies at ``purity``."""
    denom = purity * cn + 2.0 * (1.0 - purity)
    if denom <= 0:
        return math.nan
    return (purity * minor + (1.0 - purity)) / denom


@dataclass(frozen=True)
class Baseline:
    """Result of the diploid-baseline search (all values recorded in the evidence)."""

    offset: float  # log2 value of the diploid level in the input (subtract to centre)
    purity: float
    purity_source: str  # "sheet", "estimated" or "assumed"
    score: float
    ambiguous: bool
    candidates: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        """JSON-ready summary."""
        return {
            "diploid_log2_offset": round(self.offset, 4),
            "purity": round(self.purity, 4),
            "purity_source": self.purity_source,
            "fit_score": round(self.score, 5),
            "ambiguous": self.ambiguous,
            "candidates": self.candidates,
        }


@dataclass
class SegmentArrays:
    """One sample's segments as column arrays: what the per-sample calls read.

    A DataFrame column access costs more than the numpy work on a sample's few dozen (or
    few hundred) segments, so the caller validates a sample's rows once into these
    arrays (:func:`validate_segment_arrays`) and every call after reads them. The public
    functions also take a DataFrame (:meth:`of`). ``rank`` (the row of each segment's
    chromosome in ``order``, the chromosome table's index) is set when the segments are
    sorted by (chromosome, start), as validated segments are; ``cn``, ``cn_state`` and
    ``log2_centred`` when normalised.
    """

    chrom: np.ndarray  # object: "chr7"
    start: np.ndarray  # int64, 1-based inclusive
    end: np.ndarray  # int64
    log2: np.ndarray  # float
    baf: np.ndarray  # float, mirrored 0-0.5 (NaN: none)
    rank: np.ndarray | None = None
    order: tuple[str, ...] = ()
    log2_centred: np.ndarray | None = None
    cn: np.ndarray | None = None
    cn_state: np.ndarray | None = None
    _bounds: np.ndarray | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.start)

    @classmethod
    def of(cls, segments: pd.DataFrame | SegmentArrays) -> SegmentArrays:
        """The arrays of a segment table (unchanged when already arrays)."""
        if isinstance(segments, SegmentArrays):
            return segments
        n = len(segments)
        col = {c: segments[c] for c in segments.columns}  # one column access each
        opt = {c: col[c].to_numpy() for c in ("log2_centred", "cn", "cn_state") if c in col}
        nan = np.full(n, np.nan)
        return cls(
            chrom=col["chrom"].to_numpy(),
            start=col["start"].to_numpy(),
            end=col["end"].to_numpy(),
            log2=col["log2"].to_numpy(dtype=float) if "log2" in col else nan,
            baf=col["baf"].to_numpy(dtype=float) if "baf" in col else nan,
            **opt,
        )

    def rows_on(self, chrom: str) -> slice | np.ndarray:
        """The rows on ``chrom``, in row order (a slice when sorted by chromosome)."""
        if self.rank is None:
            return np.flatnonzero(self.chrom == chrom)
        try:
            r = self.order.index(chrom)
        except ValueError:
            return slice(0, 0)
        if self._bounds is None:
            self._bounds = np.searchsorted(self.rank, np.arange(len(self.order) + 1))
        return slice(int(self._bounds[r]), int(self._bounds[r + 1]))

    def in_set(self, names: tuple[str, ...] | frozenset[str]) -> np.ndarray:
        """Boolean mask of the rows whose chromosome is one of ``names``."""
        if self.rank is None:
            return np.isin(self.chrom, list(names))
        table = np.fromiter((c in names for c in self.order), bool, len(self.order))
        return table[self.rank]


def _checked_order(
    segments: pd.DataFrame,
    chromosomes: pd.DataFrame,
    *,
    sample_id: str,
    genome_build: str,
    source: str | None,
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Checks of :func:`validate_segments`; (rows kept in sorted order, chromosome rank of
    each kept row, numeric start / end / log2 of each kept row, chromosome names).
    """
    if genome_build not in ("GRCh38", "GRCh37"):
        raise InputError(
            f"copy-number coordinates are {genome_build}; expected GRCh38 or GRCh37",
            path=source,
            sample=sample_id,
        )
    missing = [c for c in ("chrom", "start", "end", "log2") if c not in segments.columns]
    if missing:
        raise InputError(f"segment table lacks columns {missing}", path=source, sample=sample_id)
    # numpy over the sample's rows and one take at the end: pandas per-column operations
    # cost more than the checks themselves on a few dozen segments; chromosome names are
    # mapped once per distinct name, not once per segment
    rank = _chrom_ranks(segments["chrom"].to_numpy(), chromosomes)
    keep = np.flatnonzero(rank >= 0)
    if not len(keep):
        raise InputError(
            "no segments on chr1-22, X or Y; expected chromosome names like 'chr7' or '7'",
            path=source,
            sample=sample_id,
        )
    names = chromosomes.index.to_numpy()
    chrom = names[rank[keep]]
    num = {c: _numeric(segments[c].to_numpy()[keep]) for c in _NUMERIC}
    start, end = num["start"], num["end"]
    bad = np.flatnonzero(pd.isna(start) | pd.isna(end) | (end < start))
    if len(bad):
        i = bad[0]
        raise InputError(
            f"segment {chrom[i]}:{start[i]}-{end[i]} has missing or reversed coordinates",
            path=source,
            sample=sample_id,
        )
    beyond = np.flatnonzero(end > _lengths(chromosomes)[rank[keep]])
    if len(beyond):
        i = beyond[0]
        line = segments["_line"].iloc[keep[i]] if "_line" in segments.columns else None
        where: dict[str, Any] = {"line": line, "genome_build": genome_build, "source": source}
        _raise_beyond_end(chrom[i], start[i], end[i], chromosomes, sample_id=sample_id, **where)
    ok = np.flatnonzero(~pd.isna(num["log2"]))
    order = ok[np.lexsort((start[ok], rank[keep[ok]]))]  # stable: sort_values on (rank, start)
    return keep[order], rank[keep[order]], {c: v[order] for c, v in num.items()}, names


def _numeric(values: np.ndarray) -> np.ndarray:
    """``pd.to_numeric(values, errors="coerce")`` (numbers pass through unchanged)."""
    if values.dtype.kind in "iuf":
        return values
    return np.asarray(pd.to_numeric(values, errors="coerce"))


def _lengths(chromosomes: pd.DataFrame) -> np.ndarray:
    return derived(chromosomes, "length", lambda t: t["length"].to_numpy())


def _chrom_ranks(values: np.ndarray, chromosomes: pd.DataFrame) -> np.ndarray:
    """Row of each value's chromosome in the table ('7', 'chr7', 'chr23' = chrX); -1 if none."""
    rank_of = derived(chromosomes, "rank", lambda t: {c: i for i, c in enumerate(t.index)})
    codes, uniques = pd.factorize(values)
    rename = {"chr23": "chrX", "chr24": "chrY"}
    mapped = []
    for c in uniques.tolist():
        name = c if str(c).startswith("chr") else f"chr{c}"
        mapped.append(rank_of.get(rename.get(name, name), -1))
    return np.asarray([*mapped, -1], dtype=np.int64)[codes]  # code -1 (NaN): the last


def _mirrored_baf(values: np.ndarray) -> np.ndarray:
    baf = _numeric(values).astype(float)
    return np.where(baf > 0.5, 1.0 - baf, baf)


def validate_segment_arrays(
    segments: pd.DataFrame,
    *,
    chromosomes: pd.DataFrame,
    sample_id: str,
    genome_build: str = "GRCh38",
    source: str | None = None,
) -> SegmentArrays:
    """:func:`validate_segments` as :class:`SegmentArrays` (same checks, same rows)."""
    if segments.attrs:  # reader metadata: pandas deep-copies it into every column access
        segments = segments.copy(deep=False)
        segments.attrs = {}
    rows, rank, num, names = _checked_order(
        segments, chromosomes, sample_id=sample_id, genome_build=genome_build, source=source
    )
    baf = segments.get("baf")
    return SegmentArrays(
        chrom=names[rank],
        start=num["start"].astype("int64"),
        end=num["end"].astype("int64"),
        log2=num["log2"].astype(float),
        baf=np.full(len(rows), np.nan) if baf is None else _mirrored_baf(baf.to_numpy()[rows]),
        rank=rank,
        order=derived(chromosomes, "order", lambda t: tuple(t.index)),
    )


def validate_segments(
    segments: pd.DataFrame,
    *,
    chromosomes: pd.DataFrame,
    sample_id: str,
    genome_build: str = "GRCh38",
    source: str | None = None,
) -> pd.DataFrame:
    """Check one sample's segments and return them sorted, with typed columns.

    Parameters
    ----------
    segments
        Segment table (:data:`SEGMENT_COLUMNS`).
    chromosomes
        The chromosome table (:func:`allstrat.copynumber.resources.load_chromosomes`).
    sample_id
        The sample, named in every error.
    genome_build
        Build stated by the sample sheet. Only ``GRCh38`` is supported for calling.
    source
        File name for error messages.

    Raises
    ------
    InputError
        GRCh37 (or any non-GRCh38) build, coordinates beyond GRCh38 chromosome ends,
        unknown chromosomes, end < start, or non-numeric log2.
    """
    rows, rank, num, names = _checked_order(
        segments, chromosomes, sample_id=sample_id, genome_build=genome_build, source=source
    )
    seg = segments.take(rows).reset_index(drop=True)
    seg.attrs = {}  # reader metadata: pandas would deep-copy it on every later operation
    seg["chrom"] = names[rank]
    seg["start"] = num["start"].astype("int64")
    seg["end"] = num["end"].astype("int64")
    seg["log2"] = num["log2"]
    if "baf" not in seg.columns:
        seg["baf"] = np.nan
    seg["baf"] = _mirrored_baf(seg["baf"].to_numpy())
    if "n_probes" not in seg.columns:
        seg["n_probes"] = np.nan
    return seg


_NUMERIC = ("start", "end", "log2")


def _raise_beyond_end(
    chrom: str,
    start: Any,
    end: Any,
    chromosomes: pd.DataFrame,
    *,
    line: Any,
    genome_build: str,
    source: str | None,
    sample_id: str,
) -> None:
    """Segment past its chromosome's end: name the build it looks like (lift-over hint)."""
    length = int(chromosomes.loc[chrom, "length"])
    other, other_len = (
        ("GRCh37", int(chromosomes.loc[chrom, "grch37_length"]))
        if "grch37_length" in chromosomes.columns
        else ("GRCh38", int(load_chromosomes().loc[chrom, "length"]))
    )
    hint = (
        f" ({other} {chrom} is {other_len:,} bp: the file looks like {other} — set the "
        f"sheet's genome_build to {other} or lift it over)"
        if end <= other_len
        else ""
    )
    where = f" (line {int(line)})" if line is not None else ""
    raise InputError(
        f"segment {chrom}:{int(start)}-{int(end)}{where} ends beyond the "
        f"{genome_build} chromosome end {length:,}{hint}",
        path=source,
        sample=sample_id,
    )


def _density_peaks(x: np.ndarray, w: np.ndarray, *, bandwidth: float) -> list[tuple[float, float]]:
    """Length-weighted Gaussian density peaks of ``x``: [(position, relative height)].

    The weights are binned on a grid of ``bandwidth / 10`` and smoothed with the kernel
    (linear in the number of segments, so CNVkit bin files stay fast).
    """
    step = bandwidth / 10
    lo = float(x.min()) - 4 * bandwidth
    n = int(np.ceil((float(x.max()) + 4 * bandwidth - lo) / step)) + 1
    grid = lo + step * np.arange(n)
    hist = np.bincount(np.rint((x - lo) / step).astype(int), weights=w, minlength=n)[:n]
    k = np.arange(-40, 41) * step
    dens = np.convolve(hist, np.exp(-0.5 * (k / bandwidth) ** 2), mode="same")
    if dens.max() <= 0:
        return [(float(np.average(x, weights=w)), 1.0)]
    dens /= dens.max()
    inner = (dens[1:-1] > dens[:-2]) & (dens[1:-1] >= dens[2:])
    idx = np.flatnonzero(inner) + 1
    return [(float(grid[i]), float(dens[i])) for i in idx]


@functools.lru_cache(maxsize=256)
def _minor_table(max_state: int, purity: float) -> np.ndarray:
    """Expected mirrored BAF for every (state, minor count); NaN where impossible
    (read-only: cached, as every sample of a chunk asks for the same few purities).
    """
    table = np.full((max_state + 1, max_state // 2 + 1), np.nan)
    for c in range(max_state + 1):
        for m in range(c // 2 + 1):
            table[c, m] = expected_minor_fraction(c, m, purity)
    table[np.all(np.isnan(table), axis=1), 0] = 0.5
    table.setflags(write=False)
    return table


def _fit(
    x: np.ndarray,
    w: np.ndarray,
    baf: np.ndarray,
    *,
    offset: float,
    purity: float,
    max_state: int,
    residual_cap: float,
    baf_weight: float,
) -> tuple[float, np.ndarray]:
    """Score a candidate diploid offset: weighted mean absolute residual to integer states."""
    states = np.arange(0, max_state + 1)
    ratios = np.clip(expected_ratio(states, purity), 1e-3, None)
    levels = offset + np.log2(ratios)
    dist = np.abs(x[:, None] - levels[None, :])
    assigned = states[np.argmin(dist, axis=1)]
    r = np.minimum(dist.min(axis=1), residual_cap)
    score = float(np.sum(w * r) / np.sum(w))
    has_baf = ~np.isnan(baf)
    if has_baf.any() and baf_weight > 0:
        expected = _minor_table(max_state, purity)[assigned[has_baf]]
        diff = np.abs(baf[has_baf, None] - expected)
        rb = np.minimum(np.nanmin(np.where(np.isnan(diff), np.inf, diff), axis=1), 0.25)
        score += baf_weight * float(np.sum(w[has_baf] * rb) / np.sum(w))
    return score, assigned


def find_diploid_baseline(  # noqa: PLR0913 - every threshold of the baseline search is a keyword-only setting
    segments: pd.DataFrame | SegmentArrays,
    *,
    purity: float | None = None,
    bandwidth: float = 0.05,
    min_peak_height: float = 0.05,
    max_state: int = 8,
    residual_cap: float = 0.5,
    baf_weight: float = 2.0,
    tie_tolerance: float = 0.002,
    default_purity: float = 1.0,
    virtual_min_height: float = 0.5,
    purity_grid: tuple[float, ...] = PURITY_GRID,
) -> Baseline:
    """Find the log2 level of the diploid state of one sample (robust to hyperdiploidy).

    Parameters
    ----------
    segments
        Validated segments of one sample (:func:`validate_segments`).
    purity
        Blast fraction from the sample sheet; ``None`` = unknown: purity is then fitted
        jointly over ``purity_grid`` (reported as ``estimated`` when the data constrain
        it, else ``default_purity`` is ``assumed``).
    bandwidth
        Gaussian kernel width (log2 units) of the length-weighted density.
    min_peak_height
        Peaks lower than this fraction of the highest are not candidates.
    max_state
        Highest copy-number state in the integer ladder.
    residual_cap
        Absolute residuals are capped here so a few outlier segments do not decide.
    baf_weight
        Weight of the B-allele-fraction residual relative to the log2 residual.
    tie_tolerance
        Hypotheses whose mean absolute residual is within this of the best are ties;
        the one putting most of the genome at two copies wins (parsimony) and, when a
        tie implies a different diploid level, ``ambiguous`` is set.
    default_purity
        Purity assumed when none is given and the data do not constrain it.
    virtual_min_height
        Peaks at least this high are also tried as 1, 3 or 4 copies, so a genome whose
        diploid part is too small to form a peak can still be placed (by BAF; only when
        at least half of the autosomal length has BAF).
    purity_grid
        Purities tried when ``purity`` is unknown.

    Returns
    -------
    Baseline
        Offset to subtract, purity used and the scored hypotheses.
    """
    a = SegmentArrays.of(segments)
    auto = a.in_set(AUTOSOMES)  # masks: no per-sample sub-frame
    if not auto.any():
        auto = np.ones(len(a), dtype=bool)
    x = np.clip(a.log2[auto], -4, 4)
    w = (a.end[auto] - a.start[auto] + 1).astype(float)
    baf = a.baf[auto]
    known = purity is not None and purity > 0
    grid = [float(purity)] if known else [float(p) for p in purity_grid]  # type: ignore[arg-type]
    peaks = [
        (pos, h) for pos, h in _density_peaks(x, w, bandwidth=bandwidth) if h >= min_peak_height
    ]
    hypotheses = [(pos, h, 2) for pos, h in peaks]
    # reading a peak as 1, 3 or 4 copies needs allele fractions to say so: without BAF
    # such a reading can only win by a coincidence of noise and purity
    baf_share = float(w[~np.isnan(baf)].sum() / w.sum())
    if baf_share >= 0.5:
        hypotheses += [
            (pos, h, c) for pos, h in peaks if h >= virtual_min_height for c in (1, 3, 4)
        ]
    cands = []
    for pos, h, read_as in hypotheses:
        fits = []
        for p in grid:
            offset = pos - float(np.log2(expected_ratio(read_as, p)))
            score, assigned = _fit(
                x,
                w,
                baf,
                offset=offset,
                purity=p,
                max_state=max_state,
                residual_cap=residual_cap,
                baf_weight=baf_weight,
            )
            fits.append((score, p, offset, float(w[assigned == 2].sum() / w.sum())))
        score, p, offset, mass = min(fits, key=lambda t: (t[0], -t[1]))
        spread = max(f[0] for f in fits) - score
        cands.append(
            {
                "peak_log2": round(pos, 4),
                "peak_read_as": read_as,
                "height": round(h, 4),
                "diploid_log2": offset,
                "purity": p,
                "purity_constrained": bool(known or spread > tie_tolerance),
                "score": score,
                "mass": mass,
            }
        )
    best = min(c["score"] for c in cands)
    ties = [c for c in cands if c["score"] <= best + tie_tolerance]
    chosen = max(ties, key=lambda c: (c["mass"], c["height"]))
    # a whole genome read one state up or down (uniform polyploidy) is invisible to
    # relative data for every sample; only competing real peaks make a call ambiguous
    ambiguous = any(
        abs(c["diploid_log2"] - chosen["diploid_log2"]) > 2 * bandwidth
        for c in ties
        if c["peak_read_as"] == 2
    )
    p_used = float(chosen["purity"])
    if known:
        purity_source = "sheet"
    elif chosen["purity_constrained"]:
        purity_source = "estimated"
    else:
        p_used, purity_source = default_purity, "assumed"
    offset = float(chosen["diploid_log2"])
    # refine: the length-weighted median of the segments assigned to the diploid state
    _, assigned = _fit(
        x,
        w,
        baf,
        offset=offset,
        purity=p_used,
        max_state=max_state,
        residual_cap=residual_cap,
        baf_weight=0.0,
    )
    dip = (assigned == 2) & (np.abs(x - offset) < 2 * bandwidth)
    if dip.any():
        order = np.argsort(x[dip])
        cw = np.cumsum(w[dip][order])
        offset = float(x[dip][order][np.searchsorted(cw, cw[-1] / 2)])
    for c in cands:
        for k in ("diploid_log2", "score", "mass"):
            c[k] = round(c[k], 5)
    return Baseline(
        offset=offset,
        purity=p_used,
        purity_source=purity_source,
        score=float(chosen["score"]),
        ambiguous=ambiguous,
        candidates=cands,
    )


def normalise_segments(
    segments: pd.DataFrame,
    *,
    purity: float | None = None,
    **baseline_kw: Any,
) -> tuple[pd.DataFrame, Baseline]:
    """Re-centre one sample's segments on the diploid level and estimate copy number.

    Parameters
    ----------
    segments
        Validated segments of one sample (:func:`validate_segments`).
    purity
        Blast fraction (0–1) or ``None`` when unknown.
    **baseline_kw
        Passed to :func:`find_diploid_baseline`.

    Returns
    -------
    (table, baseline)
        ``table`` adds ``log2_centred``, ``cn`` (purity-adjusted copy-number estimate)
        and ``cn_state`` (nearest integer) to the segments.

    Examples
    --------
    >>> seg = pd.DataFrame({"sample_id": "S", "chrom": ["chr1", "chr2"],
    ...                     "start": [1, 1], "end": [10**8, 10**8],
    ...                     "log2": [0.1, 0.1], "n_probes": 10, "baf": np.nan})
    >>> table, base = normalise_segments(seg, purity=1.0)
    >>> table["cn_state"].tolist()
    [2, 2]
    """
    base = find_diploid_baseline(segments, purity=purity, **baseline_kw)
    out = segments.copy()
    out["log2_centred"] = out["log2"].to_numpy(dtype=float) - base.offset
    out["cn"] = copy_number_from_log2(out["log2_centred"].to_numpy(), base.purity)
    out["cn_state"] = np.rint(out["cn"]).astype(int)
    return out, base


def normalise_segment_arrays(
    segments: SegmentArrays,
    *,
    purity: float | None = None,
    **baseline_kw: Any,
) -> tuple[SegmentArrays, Baseline]:
    """:func:`normalise_segments` on :class:`SegmentArrays` (the same values)."""
    base = find_diploid_baseline(segments, purity=purity, **baseline_kw)
    centred = segments.log2 - base.offset
    cn = copy_number_from_log2(centred, base.purity)
    out = dataclasses.replace(
        segments, log2_centred=centred, cn=cn, cn_state=np.rint(cn).astype(int), _bounds=None
    )
    return out, base
