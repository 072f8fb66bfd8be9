"""MLPA probe-ratio calls with blast-fraction-aware thresholds (DOMAIN.md §2).

Input contract (``allstrat.io.copynumber_readers``): ``sample_id, probe, gene, exon,
ratio, chrom, position``.

Thresholds. The usual "< 0.75 deletion, < 0.25 homozygous, > 1.25 gain" are UNVERIFIED
(``mode="fixed"`` uses them as configured). With blast fraction *f* the expected ratio
is ``1 − f/2`` for a heterozygous and ``1 − f`` for a homozygous loss, ``1 + f/2`` for a
single-copy gain (derived). ``mode="purity_adjusted"`` (default) puts the cut-offs
half-way between the expectations: deletion ``< 1 − f/4``, homozygous ``< 1 − 3f/4``,
gain ``> 1 + f/4`` — at ``f = 1`` exactly the usual 0.75 / 0.25 / 1.25 — but never
closer to 1 than ``max_del_ratio`` (homozygous: that minus ``f/2``; default 0.9, two
noise SDs of ~0.05; at low blast fractions the midpoint would sit inside the probe noise
and call false losses). With *f*
unknown the fixed cut-offs are used (flagged). Below ``min_blast_fraction`` (MLPA cannot see
clones under ~20 % [S26]) a "normal" probe is not evidence of absence: such genes are
``not_assessable`` unless a loss is seen. Single-probe calls need orthogonal
confirmation [S23]: they are flagged.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import pandas as pd

from allstrat.config import FROM_SCHEMA, schema_defaults
from allstrat.copynumber.lesions import ORDER, PAR1_INTERIOR, LesionCall, par1_from_states
from allstrat.errors import InputError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
@schema_defaults("copynumber.mlpa")
class MlpaThresholds:
    """MLPA ratio cut-offs (see module docstring; fixed values UNVERIFIED)."""

    mode: str = FROM_SCHEMA
    del_ratio: float = FROM_SCHEMA
    homdel_ratio: float = FROM_SCHEMA
    gain_ratio: float = FROM_SCHEMA
    amp_ratio: float = FROM_SCHEMA
    min_blast_fraction: float = FROM_SCHEMA
    min_probes_per_call: int = FROM_SCHEMA
    position_margin_bp: int = FROM_SCHEMA
    max_del_ratio: float = FROM_SCHEMA

    def resolve(self, blast_fraction: float | None) -> dict:
        """The cut-offs used for a sample (recorded in the evidence)."""
        f = blast_fraction
        if self.mode == "purity_adjusted" and f is not None and not math.isnan(f) and f > 0:
            return {
                "mode": "purity_adjusted",
                "blast_fraction": f,
                "homdel_below": round(
                    min(1 - 3 * f / 4, min(1 - f / 4, self.max_del_ratio) - f / 2), 4
                ),
                "del_below": round(min(1 - f / 4, self.max_del_ratio), 4),
                "gain_above": round(max(1 + f / 4, 2 - self.max_del_ratio), 4),
                "amp_at_or_above": self.amp_ratio,
            }
        return {
            "mode": "fixed",
            "blast_fraction": None if f is None or math.isnan(f) else f,
            "homdel_below": self.homdel_ratio,
            "del_below": self.del_ratio,
            "gain_above": self.gain_ratio,
            "amp_at_or_above": self.amp_ratio,
        }


def probe_state(ratio: float, cut: dict) -> str:
    """Lesion state of one probe ratio under resolved cut-offs."""
    if math.isnan(ratio):
        return "not_assessable"
    if ratio < cut["homdel_below"]:
        return "homozygous_deleted"
    if ratio < cut["del_below"]:
        return "deleted"
    if ratio >= cut["amp_at_or_above"]:
        return "amplified"
    if ratio > cut["gain_above"]:
        return "gained"
    return "normal"


def check_probe_positions(
    probes: pd.DataFrame,
    genes: pd.DataFrame,
    *,
    sample_id: str,
    margin_bp: int = 10_000,
    source: str | None = None,
) -> None:
    """Refuse probe positions that do not lie in their gene on GRCh38 (e.g. GRCh37).

    Raises
    ------
    InputError
        Naming the first probe whose position is outside its gene's GRCh38 span ± margin.
    """
    for r in probes.itertuples(index=False):
        pos = pd.to_numeric(r.position, errors="coerce")
        if pd.isna(pos) or r.gene not in genes.index:
            continue
        g = genes.loc[r.gene]
        chrom = str(r.chrom) if str(r.chrom).startswith("chr") else f"chr{r.chrom}"
        if chrom != g["chrom"] or not (
            int(g["start"]) - margin_bp <= pos <= int(g["end"]) + margin_bp
        ):
            raise InputError(
                f"MLPA probe {r.probe!r} ({r.gene}) at {chrom}:{int(pos):,} is outside "
                f"{r.gene} on GRCh38 ({g['chrom']}:{int(g['start']):,}-{int(g['end']):,}); "
                "probe positions look like another genome build (vendor sheets are often "
                "GRCh37) — lift them over to GRCh38",
                path=source,
                sample=sample_id,
            )


def call_probes(probes: pd.DataFrame, cut: dict) -> pd.DataFrame:
    """Add a ``state`` column (per-probe call) to one sample's probes."""
    out = probes.copy()
    out["ratio"] = pd.to_numeric(out["ratio"], errors="coerce")
    out["state"] = [probe_state(float(x), cut) for x in out["ratio"]]
    return out


def gene_call(called: pd.DataFrame, gene: str, cut: dict, th: MlpaThresholds) -> LesionCall:
    """Gene-level call from its probes (worst loss seen with enough probes)."""
    p = called[called["gene"] == gene]
    recs = [
        {
            "probe": str(r.probe),
            "exon": None if pd.isna(r.exon) or r.exon == "" else str(r.exon),
            "ratio": None if math.isnan(r.ratio) else round(float(r.ratio), 4),
            "state": r.state,
        }
        for r in p.itertuples(index=False)
    ]
    ev = {"source": "mlpa", "thresholds": cut, "probes": recs}
    flags: list[str] = []
    assessed = [r for r in recs if r["state"] != "not_assessable"]
    if not assessed:
        return LesionCall(gene, "not_assessable", ev, flags)
    counts: dict[str, int] = {}
    for r in assessed:
        counts[r["state"]] = counts.get(r["state"], 0) + 1
    losses = counts.get("homozygous_deleted", 0) + counts.get("deleted", 0)
    if losses >= th.min_probes_per_call:
        status = (
            "homozygous_deleted"
            if counts.get("homozygous_deleted", 0) >= min(th.min_probes_per_call, losses)
            else "deleted"
        )
        if losses == 1:
            flags.append(f"{gene.lower()}_single_probe_call")
        return LesionCall(gene, status, ev, flags)
    f = cut.get("blast_fraction")
    if f is not None and f < th.min_blast_fraction:
        ev["reason"] = (
            f"blast fraction {f} below {th.min_blast_fraction}: normal ratios uninformative"
        )
        return LesionCall(gene, "not_assessable", ev, flags)
    gains = {k: v for k, v in counts.items() if k in ("gained", "amplified")}
    if gains and sum(gains.values()) > len(assessed) / 2:
        return LesionCall(gene, max(gains, key=lambda k: ORDER[k]), ev, flags)
    return LesionCall(gene, "normal", ev, flags)


def exon_numbers(values: pd.Series) -> pd.Series:
    """Integer exon numbers from an ``exon`` column (``"4"``, ``"exon 4"``, ``"ex4"``)."""
    return pd.to_numeric(
        values.astype(str).str.extract(r"(\d+)", expand=False), errors="coerce"
    ).astype("Int64")


def ikzf1_exon_states(called: pd.DataFrame) -> dict[int, str]:
    """Per-exon IKZF1 state (worst probe per exon)."""
    p = called[called["gene"] == "IKZF1"].copy()
    p["exon_n"] = exon_numbers(p["exon"])
    out: dict[int, str] = {}
    for ex, grp in p.dropna(subset=["exon_n"]).groupby("exon_n"):
        states = [s for s in grp["state"] if s != "not_assessable"]
        out[int(ex)] = min(states, key=lambda s: ORDER[s]) if states else "not_assessable"
    return out


def par1_call(called: pd.DataFrame, cut: dict, th: MlpaThresholds) -> LesionCall:
    """PAR1 deletion from CRLF2 / CSF2RA / IL3RA (and other PAR1) probes."""
    states = {}
    ev: dict = {"source": "mlpa", "thresholds": cut, "genes": {}}
    for g in ("CRLF2", *PAR1_INTERIOR):
        c = gene_call(called, g, cut, th)
        if c.status != "not_assessable" or (called["gene"] == g).any():
            states[g] = c.status
            ev["genes"][g] = {"state": c.status, "probes": c.evidence["probes"]}
    # any interior PAR1 gene probed stands in for CSF2RA / IL3RA when those are absent
    key: dict[str, str] = {g: states[g] for g in ("CSF2RA", "IL3RA") if g in states}
    if not key:
        interior = [states[g] for g in PAR1_INTERIOR if g in states]
        if interior:
            key = {"CSF2RA": min(interior, key=lambda s: ORDER.get(s, 9))}
    status, flags = par1_from_states({**key, "CRLF2": states.get("CRLF2", "not_assessable")})
    return LesionCall("PAR1", status, ev, flags)
