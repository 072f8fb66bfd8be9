"""Subtype-defining hotspot mutations from the sample's RNA variant calls.

Hotspots (DOMAIN.md §8; GRCh38 1-based positions from MD-ALL ``data/BALL.mutation.rda``
@b9cda0b, positions not independently verified):

=============  =================  =======  ============  ===========================
mutation       GRCh38 position    ref>alt  transcript    subtype
=============  =================  =======  ============  ===========================
PAX5 P80R      chr9:37,015,168    G>C      NM_016734.3   PAX5 P80R [S1, S4]
IKZF1 N159Y    chr7:50,382,593    A>T      NM_006060.6   IKZF1 N159Y [S5]
ZEB2 H1038R    chr2:144,389,983   T>C      NM_014795.4   ZEB2/CEBP signature [S5]
=============  =================  =======  ============  ===========================

Matching (DOMAIN.md §8): a VCF record matches by position and allele on the sample's
build, or by the protein change in a VEP ``CSQ`` / SnpEff ``ANN`` annotation
(``PAX5:p.Pro80Arg``); ``matched_by`` records which. No GRCh37 positions are available
from a source (DOMAIN.md §8: exon-level GRCh37 coordinates are not available), so on
GRCh37 only an annotation can show a mutation, and its absence is ``not_assessable`` —
never ``not_detected``.

Status per hotspot:

* ``detected`` — ALT reads ≥ ``min_alt_reads`` and VAF ≥ ``min_vaf`` at the site;
* ``not_detected`` — the file shows the site covered by ≥ ``min_depth`` reads (a record
  there, or a gVCF reference block) without the mutation; the depth is reported;
* ``not_assessable`` — site absent from the file (a variants-only VCF cannot show
  coverage), too shallow, or no coordinates on the sample's build.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Protocol

import pandas as pd

from allstrat.config import FROM_SCHEMA, schema_defaults

__all__ = [
    "HOTSPOTS",
    "Hotspot",
    "HotspotSettings",
    "ReadThresholds",
    "call_hotspots",
    "hotspot_positions",
    "judge_support",
]


class ReadThresholds(Protocol):
    """Read-support thresholds shared by every mutation call (hotspots, driver genes)."""

    @property
    def min_depth(self) -> int: ...  # noqa: D102
    @property
    def min_alt_reads(self) -> int: ...  # noqa: D102
    @property
    def min_vaf(self) -> float: ...  # noqa: D102


@dataclass(frozen=True)
class Hotspot:
    """One subtype-defining hotspot."""

    name: str
    gene: str
    protein: str  # HGVS 3-letter protein change
    subtype: str  # subtype label it defines / supports
    positions: Mapping[str, tuple[str, int, str, str]]  # build -> (chrom, pos, ref, alt)


HOTSPOTS: tuple[Hotspot, ...] = (
    Hotspot("PAX5 P80R", "PAX5", "p.Pro80Arg", "PAX5 P80R",
            {"GRCh38": ("chr9", 37_015_168, "G", "C")}),
    Hotspot("IKZF1 N159Y", "IKZF1", "p.Asn159Tyr", "IKZF1 N159Y",
            {"GRCh38": ("chr7", 50_382_593, "A", "T")}),
    Hotspot("ZEB2 H1038R", "ZEB2", "p.His1038Arg", "ZEB2/CEBP",
            {"GRCh38": ("chr2", 144_389_983, "T", "C")}),
)  # fmt: skip


@dataclass(frozen=True)
@schema_defaults("copynumber.hotspots")
class HotspotSettings:
    """Detection thresholds (config ``copynumber.hotspots``; UNVERIFIED)."""

    min_depth: int = FROM_SCHEMA
    min_alt_reads: int = FROM_SCHEMA
    min_vaf: float = FROM_SCHEMA

    def as_dict(self) -> dict:
        """JSON-ready copy."""
        return asdict(self)


def hotspot_positions(build: str) -> dict[str, list[int]]:
    """``chrom -> positions`` of the hotspots on ``build`` (for the reader's depth query)."""
    out: dict[str, list[int]] = {}
    for h in HOTSPOTS:
        if build in h.positions:
            c, p, _, _ = h.positions[build]
            out.setdefault(c, []).append(p)
    return out


def _one(
    h: Hotspot,
    sites: pd.DataFrame,
    coverage: Mapping[tuple[str, int], int],
    build: str,
    s: HotspotSettings,
) -> dict:
    key = f"{h.gene}:{h.protein}"
    annotated = sites[sites["protein"].str.contains(key, regex=False)] if len(sites) else sites
    pos = h.positions.get(build)
    rec: dict = {"subtype": h.subtype, "build": build}
    if pos is not None:
        c, p, ref, alt = pos
        rec["position"] = f"{c}:{p} {ref}>{alt}"
        at = sites[(sites["chrom"] == c) & (sites["pos"] == p)]
        hit = at[(at["ref"] == ref) & (at["alt"] == alt)]
        if len(hit):
            return judge_support(rec, hit.iloc[0], how="position_and_allele", s=s)
    if len(annotated):
        return judge_support(rec, annotated.iloc[0], how="protein_annotation", s=s)
    if pos is None:
        return {**rec, "status": "not_assessable",
                "reason": f"no {build} coordinates from a source; no {key} annotation"}  # fmt: skip
    depth = coverage.get((pos[0], pos[1]))
    if depth is None:
        why = "site not in the VCF (a variants-only file cannot show coverage)"
        return {**rec, "status": "not_assessable", "reason": why}
    if depth < s.min_depth:
        return {**rec, "status": "not_assessable", "depth": int(depth),
                "reason": f"depth {depth} < {s.min_depth}"}  # fmt: skip
    return {**rec, "status": "not_detected", "depth": int(depth)}


def judge_support(rec: dict, r: pd.Series, *, how: str, s: ReadThresholds) -> dict:
    """Judge one variant record's read support.

    ``detected`` when ALT reads >= ``min_alt_reads`` and VAF >= ``min_vaf``; else
    ``not_detected`` when REF+ALT reads >= ``min_depth``, else ``not_assessable``. Returns
    ``rec`` plus matched_by, alt_reads, depth, vaf, status (and reason).
    """
    n = int(r["ref_count"]) + int(r["alt_count"])
    vaf = int(r["alt_count"]) / n if n else 0.0
    out = {**rec, "matched_by": how, "alt_reads": int(r["alt_count"]), "depth": int(r["depth"]),
           "vaf": round(vaf, 4)}  # fmt: skip
    if int(r["alt_count"]) >= s.min_alt_reads and vaf >= s.min_vaf:
        return {**out, "status": "detected"}
    if n >= s.min_depth:
        return {**out, "status": "not_detected", "reason": "ALT support below thresholds"}
    return {**out, "status": "not_assessable", "reason": f"depth {n} < {s.min_depth}"}


def call_hotspots(
    sites: pd.DataFrame,
    coverage: Mapping[tuple[str, int], int],
    *,
    build: str,
    settings: HotspotSettings | None = None,
) -> dict[str, dict]:
    """Status of every hotspot for one sample (module docstring).

    Parameters
    ----------
    sites
        The sample's variant sites (:data:`allstrat.io.variants.VARIANT_COLUMNS`).
    coverage
        Depth at queried hotspot positions (``VariantCalls.coverage``).
    build
        The sample's genome build.
    settings
        Thresholds.

    Returns
    -------
    dict
        hotspot name -> {status, subtype, matched_by, alt_reads, depth, vaf, reason}.
    """
    s = settings or HotspotSettings()
    return {h.name: _one(h, sites, coverage, build, s) for h in HOTSPOTS}


def not_assessed(reason: str) -> dict[str, dict]:
    """Every hotspot ``not_assessable`` (no variants file)."""
    return {h.name: {"subtype": h.subtype, "status": "not_assessable", "reason": reason}
            for h in HOTSPOTS}  # fmt: skip
