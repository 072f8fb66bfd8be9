"""Gene- and exon-level lesion calls from normalised segments.

Each call returns a :class:`LesionCall`: the state (``contracts.LESION_STATES``) and
the evidence it rests on (segments with coordinates, log2, copy-number estimate) plus
the thresholds used. Copy-number thresholds are midpoints between integer states of
the purity-adjusted estimate (derived, DOMAIN.md §2): ``< 0.5`` homozygous deletion,
``< 1.5`` deletion, ``≥ 2.5`` gain, ``≥ 4.5`` amplification.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from allstrat.config import FROM_SCHEMA, schema_defaults
from allstrat.copynumber.resources import derived
from allstrat.copynumber.segments import SegmentArrays

logger = logging.getLogger(__name__)

# genes whose loss (with CRLF2 kept) makes the P2RY8::CRLF2-type PAR1 deletion
# (DOMAIN.md §8: both genes minus-strand, P2RY8 5' end at ~1.537 Mb)
PAR1_INTERIOR: tuple[str, ...] = ("CSF2RA", "IL3RA", "SLC25A6", "ASMTL", "P2RY8")
PAR1_KEY_GENES: tuple[str, ...] = ("CSF2RA", "IL3RA")
IKZF1_EXONS: tuple[int, ...] = tuple(range(1, 9))
ORDER = {"homozygous_deleted": 0, "deleted": 1, "normal": 2, "gained": 3, "amplified": 4}


@dataclass
class LesionCall:
    """One lesion call with its evidence (JSON-ready)."""

    gene: str
    status: str
    evidence: dict = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
@schema_defaults("copynumber.thresholds")
class CnThresholds:
    """Copy-number cut-offs on the purity-adjusted estimate (derived midpoints)."""

    homdel_cn_max: float = FROM_SCHEMA
    del_cn_max: float = FROM_SCHEMA
    gain_cn_min: float = FROM_SCHEMA
    amp_cn_min: float = FROM_SCHEMA
    min_gene_coverage: float = FROM_SCHEMA
    erg_focal_max_bp: int = FROM_SCHEMA

    def state(self, cn: float) -> str:
        """Map a copy-number estimate to a lesion state."""
        if cn < self.homdel_cn_max:
            return "homozygous_deleted"
        if cn < self.del_cn_max:
            return "deleted"
        if cn >= self.amp_cn_min:
            return "amplified"
        if cn >= self.gain_cn_min:
            return "gained"
        return "normal"


def overlapping(norm: pd.DataFrame, chrom: str, start: int, end: int) -> pd.DataFrame:
    """Segments of ``norm`` overlapping ``chrom:start-end`` (1-based inclusive)."""
    m = (norm["chrom"] == chrom) & (norm["start"] <= end) & (norm["end"] >= start)
    return norm[m]


def _seg_records(
    norm: pd.DataFrame | SegmentArrays, chrom: str, start: int, end: int, th: CnThresholds
) -> list[dict]:
    """Records of the segments overlapping ``chrom:start-end`` (as :func:`overlapping`).

    Works on the column arrays (:class:`SegmentArrays`, the rows of ``chrom`` only): a
    sample is queried once per lesion region, where building a filtered DataFrame per
    query cost more than the whole call.
    """
    a = SegmentArrays.of(norm)
    on = a.rows_on(chrom)
    s, e, cn = a.start[on], a.end[on], a.cn
    assert cn is not None, "normalised segments (cn) expected"
    hit = np.flatnonzero((s <= end) & (e >= start))
    if not len(hit):
        return []
    idx = np.arange(len(a))[on][hit]
    out = []
    rows = zip(idx.tolist(), s[hit].tolist(), e[hit].tolist(), strict=True)
    for (i, si, ei), lg, c in zip(rows, a.log2[idx].tolist(), cn[idx].tolist(), strict=True):
        si, ei = int(si), int(ei)
        out.append(
            {
                "chrom": a.chrom[i],
                "start": si,
                "end": ei,
                "log2": round(lg, 4),
                "cn": round(c, 3),
                "state": th.state(c),
                "overlap_bp": int(min(ei, end) - max(si, start) + 1),
            }
        )
    return out


def region_state(
    norm: pd.DataFrame | SegmentArrays,
    chrom: str,
    start: int,
    end: int,
    *,
    thresholds: CnThresholds,
    max_deletion_bp: int | None = None,
) -> tuple[str, dict]:
    """State of one region: the worst deletion seen, else the majority gain state.

    Parameters
    ----------
    norm
        Normalised segments (:func:`allstrat.copynumber.segments.normalise_segments`).
    chrom, start, end
        Region (GRCh38, 1-based inclusive).
    thresholds
        Copy-number cut-offs.
    max_deletion_bp
        When given, only deletions whose segment is at most this long count (focal /
        intragenic lesions such as ERG); longer losses are reported in the evidence.

    Returns
    -------
    (state, evidence)
        ``not_assessable`` when no deletion is seen and segments cover less than
        ``min_gene_coverage`` of the region.
    """
    recs = _seg_records(norm, chrom, start, end, thresholds)
    length = end - start + 1
    covered = sum(r["overlap_bp"] for r in recs) / length if length > 0 else 0.0
    ev: dict = {"region": f"{chrom}:{start}-{end}", "coverage": round(covered, 3), "segments": recs}
    dels = [r for r in recs if r["state"] in ("deleted", "homozygous_deleted")]
    if max_deletion_bp is not None:
        broad = [r for r in dels if r["end"] - r["start"] + 1 > max_deletion_bp]
        if broad:
            ev["broad_losses_not_counted"] = broad
            ev["max_deletion_bp"] = max_deletion_bp
        dels = [r for r in dels if r["end"] - r["start"] + 1 <= max_deletion_bp]
    if dels:
        worst = min(dels, key=lambda r: ORDER[r["state"]])["state"]
        return worst, ev
    if covered < thresholds.min_gene_coverage:
        return "not_assessable", ev
    by_state: dict[str, int] = {}
    for r in recs:
        st = r["state"] if r["state"] in ("gained", "amplified") else "normal"
        by_state[st] = by_state.get(st, 0) + r["overlap_bp"]
    return max(by_state, key=lambda k: (by_state[k], -abs(ORDER[k] - 2))), ev


def ikzf1_deletion_type(deleted: Iterable[int], assessed: Iterable[int]) -> str:
    """Name the IKZF1 deletion from the set of deleted exons (DOMAIN.md §2).

    Parameters
    ----------
    deleted
        Exon numbers (1–8) called deleted.
    assessed
        Exon numbers with data.

    Returns
    -------
    ``"whole gene (Δ1–8)"``, ``"Δ4–7"``, ``"Δ2–7"``, ``"Δ2–3"``, ``"Δ4–8"``, ``"other"``,
    or ``""`` when no exon is deleted. With unassessed exons a pattern is only named
    when the unassessed exons cannot change it; otherwise ``"other"``.

    Examples
    --------
    >>> ikzf1_deletion_type({4, 5, 6, 7}, range(1, 9))
    'Δ4–7'
    """
    d = set(deleted)
    a = set(assessed)
    if not d:
        return ""
    patterns = {
        "whole gene (Δ1–8)": set(range(1, 9)),
        "Δ4–7": {4, 5, 6, 7},
        "Δ2–7": set(range(2, 8)),
        "Δ2–3": {2, 3},
        "Δ4–8": set(range(4, 9)),
    }
    for name, exons in patterns.items():
        if d == exons and (set(range(1, 9)) - a).isdisjoint(
            {min(exons) - 1, max(exons) + 1} & set(range(1, 9))
        ):
            return name
    return "other"


def gene_span(genes: pd.DataFrame, gene: str) -> tuple[Any, int, int] | None:
    """(chrom, start, end) of ``gene`` in the gene table, None when it has no row.

    Looked up once per table (every sample of a chunk asks for the same genes).
    """
    spans: dict[str, tuple[Any, int, int] | None] = derived(genes, "lesion_spans", lambda t: {})
    if gene not in spans:
        if gene in genes.index:
            g = genes.loc[gene]
            spans[gene] = (g["chrom"], int(g["start"]), int(g["end"]))
        else:
            spans[gene] = None
    return spans[gene]


def call_gene(
    norm: pd.DataFrame | SegmentArrays,
    gene: str,
    genes: pd.DataFrame,
    *,
    thresholds: CnThresholds,
) -> LesionCall:
    """Call one lesion gene (not PAR1, not IKZF1 type) from normalised segments.

    A gene without coordinates in the sample's build (GRCh37 table) is not assessable.
    """
    span = gene_span(genes, gene)
    if span is None:
        why = {"source": "segments", "reason": "no coordinates for this gene in the build"}
        return LesionCall(gene, "not_assessable", why, [f"{gene.lower()}_no_build_coordinates"])
    max_bp = thresholds.erg_focal_max_bp if gene == "ERG" else None
    state, ev = region_state(norm, *span, thresholds=thresholds, max_deletion_bp=max_bp)
    call = LesionCall(gene, state, {"source": "segments", **ev})
    if gene == "ERG" and "broad_losses_not_counted" in ev:
        call.flags.append("erg_broad_loss_not_counted")
    return call


def call_ikzf1(
    norm: pd.DataFrame | SegmentArrays,
    genes: pd.DataFrame,
    exons: pd.DataFrame | None,
    *,
    thresholds: CnThresholds,
) -> tuple[LesionCall, str]:
    """IKZF1 state and deletion type from segments (exon-level when exons are known)."""
    call = call_gene(norm, "IKZF1", genes, thresholds=thresholds)
    if call.status not in ("deleted", "homozygous_deleted"):
        return call, ""
    ex = None if exons is None else derived(exons, "ikzf1", _ikzf1_exons)
    if not ex:
        recs = call.evidence["segments"]
        _, g_start, g_end = gene_span(genes, "IKZF1")  # type: ignore[misc]
        whole = any(
            r["start"] <= g_start
            and r["end"] >= g_end
            and r["state"] in ("deleted", "homozygous_deleted")
            for r in recs
        )
        call.flags.append("ikzf1_exon_table_missing")
        return call, "whole gene (Δ1–8)" if whole else ""
    per_exon = {}
    for exon, chrom, start, end in ex:
        st, _ = region_state(norm, chrom, start, end, thresholds=thresholds)
        per_exon[exon] = st
    call.evidence["exons"] = {str(k): v for k, v in sorted(per_exon.items())}
    deleted = {k for k, v in per_exon.items() if v in ("deleted", "homozygous_deleted")}
    assessed = {k for k, v in per_exon.items() if v != "not_assessable"}
    return call, ikzf1_deletion_type(deleted, assessed)


def _ikzf1_exons(exons: pd.DataFrame) -> list[tuple[int, Any, int, int]]:
    """(exon, chrom, start, end) of the IKZF1 rows of the exon table, in table order."""
    ex = exons[exons["gene"] == "IKZF1"]
    return [(int(r.exon), r.chrom, int(r.start), int(r.end)) for r in ex.itertuples(index=False)]


def par1_from_states(states: dict[str, str]) -> tuple[str, list[str]]:
    """PAR1 (P2RY8::CRLF2-type) deletion from per-gene states of the PAR1 genes.

    Deleted when CSF2RA or IL3RA is lost while CRLF2 is retained (DOMAIN.md §8). A loss
    that also takes CRLF2 cannot make the fusion: it is not counted (flagged).

    Parameters
    ----------
    states
        Lesion state per PAR1 gene symbol (``CRLF2``, ``CSF2RA``, ``IL3RA``, ...);
        missing genes count as not assessed.

    Returns
    -------
    (status, flags)
    """
    key = [states.get(g, "not_assessable") for g in PAR1_KEY_GENES]
    crlf2 = states.get("CRLF2", "not_assessable")
    lost = [s for s in key if s in ("deleted", "homozygous_deleted")]
    flags: list[str] = []
    if lost:
        if crlf2 in ("deleted", "homozygous_deleted"):
            return "normal", ["par1_loss_includes_crlf2"]
        if crlf2 == "not_assessable":
            flags.append("par1_crlf2_not_assessed")
        hom = all(s == "homozygous_deleted" for s in lost) and len(lost) == len(key)
        return ("homozygous_deleted" if hom else "deleted"), flags
    if all(s == "not_assessable" for s in key):
        return "not_assessable", flags
    if all(s in ("gained", "amplified") for s in [*key, crlf2]):
        return "gained", flags
    if "not_assessable" in key:
        flags.append("par1_partially_assessed")
    return "normal", flags


def call_par1(
    norm: pd.DataFrame | SegmentArrays, genes: pd.DataFrame, *, thresholds: CnThresholds
) -> LesionCall:
    """PAR1 deletion from segments over CRLF2, CSF2RA and IL3RA."""
    states: dict[str, str] = {}
    genes_ev: dict[str, dict] = {}
    ev: dict = {"source": "segments", "genes": genes_ev}
    for g in ("CRLF2", *PAR1_KEY_GENES):
        span = gene_span(genes, g)
        if span is None:
            raise KeyError(g)  # as genes.loc[g]
        st, e = region_state(norm, *span, thresholds=thresholds)
        states[g] = st
        genes_ev[g] = {"state": st, **e}
    status, flags = par1_from_states(states)
    return LesionCall("PAR1", status, ev, flags)
