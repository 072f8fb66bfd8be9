"""Allelic state per chromosome and arm: heterozygous, LOH or imbalanced (pure functions).

One module serves both allele sources:

* **RNA variant calls** (sheet column ``variants``; :mod:`allstrat.io.variants`):
  per-site REF / ALT read counts of germline SNVs in expressed genes
  (:func:`summarise_sites`).
* **DNA B-allele fraction** already read from CNVkit ``.cns`` files (segment ``baf``,
  mirrored 0–0.5; :func:`summarise_segment_baf`).

Mixture model (derived; DOMAIN.md §2 "Store f with every ratio", §5 "RNA allele
ratios"). A sample is a mixture of blasts (fraction ``f``) carrying ``c`` copies of a
chromosome of which ``b`` carry the minor allele, and normal cells carrying one copy of
each allele. With expression proportional to copies, a germline heterozygous SNV shows the
mirrored B-allele fraction::

    m(c, b, f) = (f·b + (1 − f)) / (f·c + 2·(1 − f))

so an LOH chromosome is not at BAF 0 unless f = 1: a near-haploid monosomy
(c=1, b=0) sits at (1 − f)/(2 − f) (0.17 at f = 0.8, 0.33 at f = 0.5), a doubled
(copy-neutral) LOH chromosome (c=2, b=0) at (1 − f)/2, a trisomy (3, 1) at 1/(2 + f)
(1/3 at f = 1), a 3:1 tetrasomy at 1/(2 + 2f) and a 2:2 tetrasomy at 1/2. The same
formula is ``segments.expected_minor_fraction``.

Method for RNA sites (per chromosome; per arm with the same rules):

1. **Sites**: biallelic SNVs, FILTER PASS, depth ≥ ``min_depth``, not flagged somatic,
   not at a hotspot position, alt reads ≥ ``min_alt_reads`` (RNA-editing / error calls
   below that are dropped). Indels and multi-allelic records are excluded (their AD is
   biased by alignment). The mirrored fraction ``min(VAF, 1 − VAF)`` of each site is used.
2. **Heterozygous-like** sites have mirrored fraction ≥ ``het_floor``; the rest are
   germline homozygous ALT calls (the file does not show homozygous REF sites) or
   LOH-converted hets. ``het_fraction`` = heterozygous-like / all sites.
3. **Not assessable** with fewer than ``min_sites`` sites, and for the whole sample when
   fewer than ``min_het_sites_sample`` heterozygous-like sites exist genome-wide (e.g. a
   somatic-only VCF): lack of heterozygous sites is then lack of data, never "LOH".
4. **LOH by loss of heterozygous sites**: a chromosome whose het_fraction is below
   ``loh_relative_het_fraction`` × the sample's reference het fraction (the highest
   chromosome het fraction among well-covered autosomes, at least
   ``expected_het_fraction``·``loh_relative_het_fraction``...) is LOH — at high blast
   fraction the retained allele makes former hets look homozygous.
5. **Otherwise** the heterozygous-like sites are fitted by a folded beta-binomial
   (over-dispersion ``ase_overdispersion`` for allele-specific expression noise, a
   ``noise_weight`` uniform component for editing / mapping artefacts, truncated at
   ``het_floor``) under each candidate state (c, b) with its m(c, b, f); the best state
   names the class: b = 0 → ``LOH``, 2b = c → ``heterozygous``, else ``imbalanced`` with
   the allelic ratio ``b:(c − b)``. ``f`` is the sheet's blast fraction; when unknown it
   is profiled over ``blast_fraction_grid``. A dosage copy number (from segments or the
   RNA dosage estimate) restricts the candidates to that ``c`` — the allele data alone
   cannot tell an LOH monosomy at f = 0.5 from a trisomy at f = 1 (both ~1/3).
6. **Not separable from balanced** (RNA allelic bias: allele-specific expression and
   reference bias pull balanced sites to a median mirrored fraction near 0.42, and over
   thousands of sites any state expected near 0.45 would win the fit): a fitted LOH /
   imbalanced state expected at or above ``near_half`` (one-copy LOH at 20 % blasts:
   0.44), or a region whose median mirrored fraction is not at least
   ``min_shift_vs_balanced`` below the sample's balanced level (highest median among
   well-covered chromosomes), is ``not_assessable`` with the ``fitted_class`` and reason
   kept; such states never choose the estimated blast fraction. With a sheet blast
   fraction the fitted-LOH autosomes together report ``loh_copies`` (1 or 2 when the best
   one-copy and two-copy fits, sharing one f within ``blast_fraction_tolerance`` of the
   sheet's, differ by ``min_delta_loglik`` and the observed median fraction is not
   reachable by both within that range; else None) for the masked-hypodiploidy call.

Thresholds are configuration (``copynumber.allelic`` in the config schema); all defaults
are UNVERIFIED modelling choices (no real RNA VCFs with known karyotype were available to
calibrate them); RNAseqCNV (Barinka et al., Leukemia 2022; DOMAIN.md §5, S5) uses the
same signal (MAF density of common SNPs per arm, peak near 0.5 when diploid) with depth
filtering.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import special

from allstrat.config import FROM_SCHEMA, schema_defaults
from allstrat.copynumber.resources import AUTOSOMES
from allstrat.copynumber.segments import SegmentArrays

logger = logging.getLogger(__name__)

__all__ = [
    "ALLELIC_CLASSES",
    "BAF_BINS",
    "AllelicSettings",
    "baf_histogram",
    "candidate_states",
    "expected_minor_fraction",
    "filter_sites",
    "summarise_segment_baf",
    "summarise_sites",
]

ALLELIC_CLASSES = ("heterozygous", "LOH", "imbalanced", "not_assessable")


@dataclass(frozen=True)
@schema_defaults("copynumber.allelic")
class AllelicSettings:
    """Thresholds of the allelic-state calls (config ``copynumber.allelic``; UNVERIFIED)."""

    min_depth: int = FROM_SCHEMA
    min_alt_reads: int = FROM_SCHEMA
    het_floor: float = FROM_SCHEMA
    min_sites: int = FROM_SCHEMA
    min_het_sites_sample: int = FROM_SCHEMA
    expected_het_fraction: float = FROM_SCHEMA
    loh_relative_het_fraction: float = FROM_SCHEMA
    ase_overdispersion: float = FROM_SCHEMA
    noise_weight: float = FROM_SCHEMA
    max_copies: int = FROM_SCHEMA
    blast_fraction_grid: tuple[float, ...] = FROM_SCHEMA
    near_half: float = FROM_SCHEMA
    near_zero: float = FROM_SCHEMA
    dna_baf_margin: float = FROM_SCHEMA
    min_delta_loglik: float = FROM_SCHEMA
    min_shift_vs_balanced: float = FROM_SCHEMA
    blast_fraction_tolerance: float = FROM_SCHEMA

    def as_dict(self) -> dict:
        """JSON-ready copy."""
        return asdict(self)


def expected_minor_fraction(c: int, b: int, f: float) -> float:
    """Mirrored BAF of a germline het site for ``b`` minor of ``c`` copies at blast fraction f.

    Examples
    --------
    >>> round(expected_minor_fraction(1, 0, 0.8), 3), expected_minor_fraction(3, 1, 1.0)
    (0.167, 0.3333333333333333)
    """
    denom = f * c + 2.0 * (1.0 - f)
    if denom <= 0:
        return math.nan
    return min((f * b + (1.0 - f)) / denom, 0.5)


def candidate_states(max_copies: int = 4, copies: int | None = None) -> list[tuple[int, int]]:
    """(c, b) states with b ≤ c/2; only copy number ``copies`` when given."""
    cs = [copies] if copies is not None else list(range(1, max_copies + 1))
    return [(c, b) for c in cs if c >= 1 for b in range(c // 2 + 1)]


def state_class(c: int, b: int) -> str:
    """Allelic class of a state."""
    if b == 0:
        return "LOH"
    return "heterozygous" if 2 * b == c else "imbalanced"


def filter_sites(
    sites: pd.DataFrame,
    settings: AllelicSettings,
    *,
    exclude: Sequence[tuple[str, int]] = (),
) -> tuple[pd.DataFrame, dict]:
    """Keep germline-candidate biallelic SNVs with enough depth; return (sites, counts).

    ``sites`` follows :data:`allstrat.io.variants.VARIANT_COLUMNS`. The returned frame adds
    ``minor`` (mirrored fraction of REF/ALT reads) and ``n`` (REF + ALT reads).
    """
    s = sites
    why: dict[str, int] = {"records": len(s)}
    steps = [
        ("not_biallelic_snv", s["is_snv"].astype(bool) & (s["n_alt"] == 1)),
        ("filtered", s["filter_pass"].astype(bool)),
        ("somatic", ~s["somatic"].astype(bool)),
        ("hotspot_position", ~pd.Series(list(zip(s["chrom"], s["pos"], strict=True)),
                                        index=s.index).isin(set(exclude))),
        ("low_depth", (s["ref_count"] + s["alt_count"]) >= settings.min_depth),
        ("few_alt_reads", s["alt_count"] >= settings.min_alt_reads),
    ]  # fmt: skip
    keep = pd.Series(True, index=s.index)
    for name, ok in steps:
        why[name] = int((keep & ~ok).sum())
        keep &= ok
    out = s[keep].copy()
    n = (out["ref_count"] + out["alt_count"]).to_numpy(dtype=float)
    v = out["alt_count"].to_numpy(dtype=float) / n
    out["n"] = n.astype(int)
    out["minor"] = np.minimum(v, 1.0 - v)
    why["kept"] = len(out)
    return out, why


def _bb_logpmf(k: np.ndarray, n: np.ndarray, p: float, rho: float) -> np.ndarray:
    """Beta-binomial log pmf with mean p and intra-class correlation rho."""
    p = min(max(p, 1e-4), 1 - 1e-4)
    a = p * (1 - rho) / rho
    b = (1 - p) * (1 - rho) / rho
    return (
        special.gammaln(n + 1)
        - special.gammaln(k + 1)
        - special.gammaln(n - k + 1)
        + special.betaln(k + a, n - k + b)
        - special.betaln(a, b)
    )


class _Likelihood:
    """Folded, truncated beta-binomial log likelihoods with a per-(m, depth) cache."""

    def __init__(self, s: AllelicSettings) -> None:
        self.s = s
        self._trunc: dict[tuple[float, int], float] = {}

    def _mix(self, k: np.ndarray, n: np.ndarray, m: float) -> np.ndarray:
        rho = self.s.ase_overdispersion
        like = 0.5 * np.exp(_bb_logpmf(k, n, m, rho)) + 0.5 * np.exp(_bb_logpmf(k, n, 1 - m, rho))
        return (1 - self.s.noise_weight) * like + self.s.noise_weight / (n + 1)

    def _truncation(self, m: float, d: int) -> float:
        key = (round(m, 6), d)
        if key not in self._trunc:
            ks = np.arange(d + 1, dtype=float)
            ok = np.minimum(ks, d - ks) / d >= self.s.het_floor
            self._trunc[key] = float(self._mix(ks[ok], np.full(int(ok.sum()), float(d)), m).sum())
        return self._trunc[key]

    def _fill(self, m: float, depths: np.ndarray) -> None:
        """Cache the truncation mass of many depths at once (one vectorised pmf call).

        The mixture pmf sums to 1 over 0..d, so the mass at mirrored fraction
        >= ``het_floor`` is 1 minus the (much shorter) tails below it.
        """
        mk = round(m, 6)
        todo = [int(d) for d in depths if (mk, int(d)) not in self._trunc]
        if not todo:
            return
        ks = [np.arange(d + 1, dtype=float) for d in todo]
        tail = [np.minimum(k, d - k) / d < self.s.het_floor for k, d in zip(ks, todo, strict=True)]
        kk = np.concatenate([k[t] for k, t in zip(ks, tail, strict=True)])
        sizes = np.array([int(t.sum()) for t in tail])
        mix = self._mix(kk, np.repeat(np.array(todo, dtype=float), sizes), m)
        ends = np.cumsum(sizes)
        cum = np.concatenate([[0.0], np.cumsum(mix)])
        for d, a, b in zip(todo, ends - sizes, ends, strict=True):
            self._trunc[(mk, d)] = float(1.0 - (cum[b] - cum[a]))

    def loglik(self, alt: np.ndarray, n: np.ndarray, m: float) -> float:
        """Log likelihood of het-like sites (minor counts ``alt`` of ``n``) at fraction m."""
        like = self._mix(alt, n, m)
        uniq, inv = np.unique(n.astype(int), return_inverse=True)
        self._fill(m, uniq)
        trunc = np.array([self._truncation(m, int(d)) for d in uniq])[inv]
        return float(np.sum(np.log(np.maximum(like, 1e-300)) - np.log(np.maximum(trunc, 1e-300))))


def _fit_states(
    het: pd.DataFrame,
    lik: _Likelihood,
    *,
    grid: Sequence[float],
    copies: int | None,
) -> list[dict]:
    """Log likelihood of every candidate (c, b, f) state of one region."""
    alt = np.minimum(het["alt_count"], het["ref_count"]).to_numpy(dtype=float)
    n = het["n"].to_numpy(dtype=float)
    fits = []
    for c, b in candidate_states(lik.s.max_copies, copies):
        for f in grid:
            m = expected_minor_fraction(c, b, f)
            fits.append({"copies": c, "minor": b, "blast_fraction": f, "expected_minor": m,
                         "loglik": lik.loglik(alt, n, m)})  # fmt: skip
    return fits


def _penalised(fit: dict, s: AllelicSettings) -> float:
    """Parsimony: a state must beat the balanced one by ``min_delta_loglik`` per step.

    Balanced states (1:1, 2:2) cost nothing; a single-copy change from a balanced state
    (monosomy 0:1, copy-neutral LOH 0:2, trisomy 1:2) one step; rarer states (1:3, 0:3,
    0:4) two steps.
    """
    c, b = fit["copies"], fit["minor"]
    if 2 * b == c:
        steps = 0
    elif (c, b) in ((1, 0), (2, 0), (3, 1)):
        steps = 1
    else:
        steps = 2
    return fit["loglik"] - steps * s.min_delta_loglik


def _separable(fit: dict, s: AllelicSettings) -> bool:
    """A balanced state, or one whose expected mirrored fraction is below ``near_half``.

    RNA allele-specific expression and reference bias pull balanced sites below 0.5 (a
    median near 0.42 is usual), so a state expected at or above ``near_half`` (one-copy
    LOH at 20 % blasts: 0.44) cannot be told from balanced by allele data; such states
    neither name a class nor choose the sample's blast fraction.
    """
    balanced = 2 * fit["minor"] == fit["copies"]
    return balanced or fit["expected_minor"] < s.near_half - 1e-9


def _best_blast_fraction(fits_by_region: Mapping[str, list[dict]], s: AllelicSettings) -> float:
    """Sample-wide blast fraction maximising the summed best penalised fit per region."""
    grid = sorted({f["blast_fraction"] for fs in fits_by_region.values() for f in fs})
    score = {
        g: sum(
            max(_penalised(f, s) for f in fs if f["blast_fraction"] == g and _separable(f, s))
            for fs in fits_by_region.values()
            if fs
        )
        for g in grid
    }
    return max(grid, key=lambda g: (score[g], g))


def _describe(sub: pd.DataFrame, s: AllelicSettings) -> dict:
    het = sub[sub["minor"] >= s.het_floor]
    return {
        "n_sites": len(sub),
        "n_het_sites": len(het),
        "het_fraction": round(len(het) / len(sub), 4) if len(sub) else None,
        "median_mirrored_baf": round(float(het["minor"].median()), 4) if len(het) else None,
        "fraction_near_half": round(float((het["minor"] >= s.near_half).mean()), 4)
        if len(het)
        else None,
        "fraction_near_0_or_1": round(float((sub["minor"] < s.near_zero).mean()), 4)
        if len(sub)
        else None,
        "mirrored_baf_histogram": baf_histogram(sub["minor"].to_numpy(dtype=float)),
    }


#: Bin edges of :func:`baf_histogram` (mirrored BAF 0-0.5 in steps of 0.05).
BAF_BINS = tuple(round(0.05 * k, 2) for k in range(11))


def baf_histogram(minor: np.ndarray) -> list[int]:
    """Site counts per mirrored-BAF bin of :data:`BAF_BINS` (0.5 falls in the last bin).

    Examples
    --------
    >>> baf_histogram(np.array([0.0, 0.04, 0.33, 0.5]))
    [2, 0, 0, 0, 0, 0, 1, 0, 0, 1]
    """
    counts, _ = np.histogram(np.clip(minor, 0.0, 0.5), bins=BAF_BINS)
    return [int(c) for c in counts]


def _loh_by_site_loss(rec: dict, n_het: int, s: AllelicSettings, ref_het: float) -> bool:
    return rec["het_fraction"] < s.loh_relative_het_fraction * ref_het or n_het < s.min_sites // 3


def _unresolved(best: dict, rec: dict, s: AllelicSettings, balanced: float | None) -> str:
    """Why a fitted LOH / imbalanced state cannot be told from balanced ('' = it can)."""
    if not _separable(best, s):
        return (f"fitted {best['minor']}:{best['copies'] - best['minor']} state expects "
                f"mirrored fraction {best['expected_minor']:.3f} >= near_half {s.near_half}: "
                "not separable from balanced under RNA allelic bias")  # fmt: skip
    med = rec["median_mirrored_baf"]
    if balanced is not None and med is not None and med > balanced - s.min_shift_vs_balanced:
        return (f"median mirrored fraction {med} is within min_shift_vs_balanced "
                f"{s.min_shift_vs_balanced} of the sample's balanced level {balanced} "
                "(most balanced well-covered chromosome): no allelic contrast")  # fmt: skip
    return ""


def _loh_copies(hets: Sequence[pd.DataFrame], lik: _Likelihood, f: float) -> dict:
    """One or two copies of the fitted-LOH chromosomes together (one blast fraction).

    Doubling is genome-wide, so the LOH chromosomes share one copy number and one blast
    fraction: each copy number takes its best summed log likelihood over blast fractions
    within ``blast_fraction_tolerance`` of the sheet's (a reported blast fraction is a
    measurement); the winner must lead by ``min_delta_loglik``, else ``copies`` is None.
    ``copies`` is also None when the observed median minor-allele fraction lies within
    what both one and two copies reach over that blast-fraction range (the likelihood
    over thousands of sites then only reflects RNA allelic bias, not the copy number).
    """
    s = lik.s
    data = [
        (np.minimum(h["alt_count"], h["ref_count"]).to_numpy(dtype=float),
         h["n"].to_numpy(dtype=float))
        for h in hets
        if not h.empty
    ]  # fmt: skip
    if not data:
        return {"copies": None, "delta_loglik": None, "n_chromosomes": 0}
    fs = np.unique(np.clip(f + np.linspace(-1, 1, 9) * s.blast_fraction_tolerance, 0.05, 1.0))
    ll = {
        c: max(
            sum(lik.loglik(a, n, expected_minor_fraction(c, 0, float(x))) for a, n in data)
            for x in fs
        )
        for c in (1, 2)
    }
    d = ll[1] - ll[2]
    copies = 1 if d >= s.min_delta_loglik else 2 if d <= -s.min_delta_loglik else None
    observed = float(np.median(np.concatenate([a / n for a, n in data])))
    reach = {c: (expected_minor_fraction(c, 0, float(fs.max())),
                 expected_minor_fraction(c, 0, float(fs.min()))) for c in (1, 2)}  # fmt: skip
    both = all(lo <= observed <= hi for lo, hi in reach.values())
    if both:
        # thousands of sites make any likelihood difference look decisive, but a blast
        # fraction off by the tolerance moves one copy onto the other's expectation
        copies = None
    return {
        "copies": copies,
        "delta_loglik": round(d, 3),
        "n_chromosomes": len(data),
        "observed_median_minor_fraction": round(observed, 4),
        "both_reachable_within_tolerance": both,
    }


def _classify_region(
    sub: pd.DataFrame,
    s: AllelicSettings,
    *,
    ref_het_fraction: float,
    fits: list[dict] | None,
    blast_fraction: float,
    balanced: float | None = None,
) -> dict:
    """Class of one chromosome / arm from its sites and its state fits (module docstring)."""
    rec = _describe(sub, s)
    if rec["n_sites"] < s.min_sites:
        return {**rec, "class": "not_assessable", "reason": f"fewer than {s.min_sites} sites"}
    if fits is None or _loh_by_site_loss(rec, rec["n_het_sites"], s, ref_het_fraction):
        return {**rec, "class": "LOH", "allelic_ratio": "", "rule": "heterozygous sites lost",
                "reference_het_fraction": round(ref_het_fraction, 4)}  # fmt: skip
    at_f = [f for f in fits if f["blast_fraction"] == blast_fraction]
    at_f.sort(key=lambda f: -_penalised(f, s))
    best = at_f[0]
    cls = state_class(best["copies"], best["minor"])
    other = next((x for x in at_f if state_class(x["copies"], x["minor"]) != cls), None)
    out = {
        **rec,
        "class": cls,
        "allelic_ratio": f"{best['minor']}:{best['copies'] - best['minor']}",
        "rule": "beta-binomial state fit",
        "best_state": {k: round(v, 4) if isinstance(v, float) else v for k, v in best.items()},
        "delta_loglik_vs_other_class": None
        if other is None
        else round(_penalised(best, s) - _penalised(other, s), 3),
    }
    why = "" if cls == "heterozygous" else _unresolved(best, rec, s, balanced)
    if why:
        out.update({"class": "not_assessable", "fitted_class": cls, "allelic_ratio": "",
                    "reason": why})  # fmt: skip
    return out


def _balanced_level(per: Mapping[str, pd.DataFrame], s: AllelicSettings) -> float | None:
    """Highest median mirrored fraction of het-like sites among well-covered chromosomes.

    The sample's own balanced level: it carries the allele-specific-expression and
    reference bias of the sample's RNA (a balanced chromosome rarely reaches 0.5).
    """
    meds = [
        float(h.median())
        for c, d in per.items()
        if c in AUTOSOMES or c == "chrX"
        for h in [d.loc[d["minor"] >= s.het_floor, "minor"]]
        if len(h) >= 3 * s.min_sites
    ]
    return round(max(meds), 4) if meds else None


def _reference_het_fraction(per: Mapping[str, pd.DataFrame], s: AllelicSettings) -> float:
    fracs = [
        float((d["minor"] >= s.het_floor).mean())
        for c, d in per.items()
        if c in AUTOSOMES or c == "chrX"
        if len(d) >= 3 * s.min_sites
    ]
    top = max(fracs) if fracs else s.expected_het_fraction
    return max(top, s.expected_het_fraction * s.loh_relative_het_fraction)


def summarise_sites(
    sites: pd.DataFrame,
    *,
    settings: AllelicSettings | None = None,
    blast_fraction: float | None = None,
    copies: Mapping[str, int | None] | None = None,
    arms: pd.DataFrame | None = None,
    exclude: Sequence[tuple[str, int]] = (),
) -> dict:
    """Per-chromosome (and arm) allelic state of one sample from RNA variant sites.

    Parameters
    ----------
    sites
        :data:`allstrat.io.variants.VARIANT_COLUMNS` table of one sample.
    settings
        Thresholds (module docstring).
    blast_fraction
        Blast fraction 0–1 or None (profiled over the grid).
    copies
        Optional chromosome -> dosage copy number (restricts the candidate states).
    arms
        Chromosome table with ``centromere_start`` / ``centromere_end`` / ``acrocentric``
        of the sample's build; None = per-chromosome only.
    exclude
        (chrom, pos) positions never used (hotspots).

    Returns
    -------
    dict
        ``status`` (``assessed`` / ``not_assessable``), ``reason``, ``filter`` counts,
        ``chromosomes`` {chrom: summary + class}, ``arms`` {chrom+arm: ...}, settings.
    """
    s = settings or AllelicSettings()
    kept, why = filter_sites(sites, s, exclude=exclude)
    n_het = int((kept["minor"] >= s.het_floor).sum())
    base = {"filter": why, "n_het_sites": n_het, "blast_fraction": blast_fraction,
            "settings": s.as_dict()}  # fmt: skip
    if n_het < s.min_het_sites_sample:
        return {
            **base,
            "status": "not_assessable",
            "reason": f"{n_het} heterozygous germline-candidate SNVs (< {s.min_het_sites_sample}"
            "); a somatic-only or sparse VCF cannot show LOH",
            "chromosomes": {},
            "arms": {},
        }
    per = {str(c): d for c, d in kept.groupby("chrom", sort=False)}
    ref = _reference_het_fraction(per, s)
    regions: dict[str, tuple[pd.DataFrame, int | None]] = {}
    for c in (*AUTOSOMES, "chrX"):
        regions[c] = (per.get(c, kept.iloc[0:0]), (copies or {}).get(c))
    if arms is not None:
        for c, info in arms.iterrows():
            if c not in per or c == "chrY":
                continue
            sub = per[c]
            regions[f"{c[3:]}q"] = (sub[sub["pos"] > int(info["centromere_end"])], None)
            if not bool(info["acrocentric"]):
                regions[f"{c[3:]}p"] = (sub[sub["pos"] < int(info["centromere_start"])], None)
    lik = _Likelihood(s)
    grid = (blast_fraction,) if blast_fraction is not None else s.blast_fraction_grid
    fits: dict[str, list[dict] | None] = {}
    for key, (sub, cp) in regions.items():
        rec = _describe(sub, s)
        het = sub[sub["minor"] >= s.het_floor]
        usable = rec["n_sites"] >= s.min_sites and not _loh_by_site_loss(rec, len(het), s, ref)
        fits[key] = _fit_states(het, lik, grid=grid, copies=cp) if usable else None
    chrom_fits = {k: v for k, v in fits.items() if k.startswith("chr") and v}
    f_used = blast_fraction if blast_fraction is not None else _best_blast_fraction(chrom_fits, s)
    balanced = _balanced_level(per, s)
    out = {
        key: _classify_region(sub, s, ref_het_fraction=ref, fits=fits[key], blast_fraction=f_used,
                              balanced=balanced)
        for key, (sub, _) in regions.items()
    }  # fmt: skip
    fitted_loh = [
        regions[k][0][regions[k][0]["minor"] >= s.het_floor]
        for k, rec in out.items()
        if k in AUTOSOMES and rec["class"] == "LOH" and "best_state" in rec
    ]
    loh_copies = (
        _loh_copies(fitted_loh, lik, blast_fraction)
        if blast_fraction is not None
        else {"copies": None, "delta_loglik": None, "n_chromosomes": len(fitted_loh)}
    )
    return {
        **base,
        "status": "assessed",
        "reason": "",
        "blast_fraction_used": f_used,
        "blast_fraction_source": "sheet" if blast_fraction is not None else "estimated",
        "reference_het_fraction": round(ref, 4),
        "balanced_level": balanced,
        "loh_copies": loh_copies,
        "chromosomes": {k: v for k, v in out.items() if k.startswith("chr")},
        "arms": {k: v for k, v in out.items() if not k.startswith("chr")},
    }


def summarise_segment_baf(
    segments: pd.DataFrame | SegmentArrays,
    *,
    purity: float,
    settings: AllelicSettings | None = None,
) -> dict:
    """Per-chromosome allelic class from DNA segment BAF (CNVkit ``.cns`` ``baf``).

    Each segment's mirrored BAF is compared with m(c, b, purity) of every b for its
    integer state ``cn_state``; the nearest expectation within ``dna_baf_margin`` names
    the class. A chromosome takes the length-weighted majority class of its segments.

    Returns
    -------
    dict
        ``status`` and ``chromosomes`` {chrom: {class, baf (weighted), n_segments,
        allelic_ratio}}; ``not_assessable`` without BAF.
    """
    s = settings or AllelicSettings()
    a = SegmentArrays.of(segments)
    assert a.cn_state is not None, "normalised segments expected"
    rows = np.flatnonzero(~np.isnan(a.baf))
    if not len(rows):
        return {"status": "not_assessable", "reason": "no BAF in the segments", "chromosomes": {}}
    baf = a.baf[rows]
    cn = np.maximum(a.cn_state[rows].astype(np.int64), 1)
    b, dist = _nearest_minor(baf, cn, purity)
    length = (a.end[rows] - a.start[rows] + 1).tolist()
    groups: dict[str, list[int]] = {}
    for i, c in enumerate(a.chrom[rows].tolist()):
        groups.setdefault(c, []).append(i)
    ok = (dist <= s.dna_baf_margin).tolist()
    b_l, cn_l = b.tolist(), cn.tolist()
    out: dict[str, dict] = {}
    for c, idx in groups.items():
        w: dict[tuple[str, str], float] = {}
        for i in idx:
            key = (state_class(cn_l[i], b_l[i]), f"{b_l[i]}:{cn_l[i] - b_l[i]}") if ok[i] else (
                "not_assessable", "")  # fmt: skip
            w[key] = w.get(key, 0.0) + float(length[i])
        (cls, ratio), _ = max(w.items(), key=lambda kv: kv[1])
        lengths = np.array([length[i] for i in idx], dtype=float)
        out[str(c)] = {
            "class": cls,
            "allelic_ratio": ratio,
            "mirrored_baf": round(float(np.average(baf[idx], weights=lengths)), 4),
            "n_segments": len(idx),
        }
    return {"status": "assessed", "source": "DNA segment BAF", "purity": purity,
            "chromosomes": out}  # fmt: skip


def _nearest_minor(baf: np.ndarray, cn: np.ndarray, purity: float) -> tuple[np.ndarray, np.ndarray]:
    """Per segment: the minor count b (0..cn//2) whose expected mirrored BAF
    (:func:`expected_minor_fraction`) is nearest its BAF (ties: the smaller b), and the
    distance; one array operation per distinct copy number.
    """
    b = np.zeros(len(cn), dtype=np.int64)
    dist = np.zeros(len(cn), dtype=float)
    for c in np.unique(cn).tolist():
        at = np.flatnonzero(cn == c)
        minor = np.arange(c // 2 + 1)
        denom = purity * c + 2.0 * (1.0 - purity)
        exp = np.minimum((purity * minor + (1.0 - purity)) / denom, 0.5)
        d = np.abs(baf[at][:, None] - exp[None, :])
        b[at] = np.argmin(d, axis=1)
        dist[at] = d[np.arange(len(at)), b[at]]
    return b, dist
