"""RNA-derived chromosome and arm dosage, calibrated on real diploid samples.

When a sample has no DNA copy number, whole-chromosome gains and losses are estimated
from expression, as RNAseqCNV (Barinka et al., Leukemia 2022) and MD-ALL do (DOMAIN.md
§5): per-gene expression relative to a **diploid reference** fitted on real diploid
B-ALL samples, summarised per chromosome and per arm, and judged against how far real
diploid samples scatter — never against the other samples of the run.

Method (one sample)
-------------------
1. ``x_g = log2(count_g + 1)`` for the reference genes present in the sample.
2. Residual ``r_g = x_g − ref_median_g``; the sample's size factor is the weighted median
   of ``r_g`` over autosomal genes, subtracted from every residual (median-of-ratios
   normalisation restricted to the reference genes, so the gene universe of the input
   does not matter).
3. Region shift = weighted median of ``r_g`` over the region's genes (whole chromosome,
   p arm, q arm; acrocentric 13/14/15/21/22 have no p arm). Gene weight =
   ``1 / max(sd_g, sd_floor)²`` from the reference (RNAseqCNV weighs by expression and
   low variance; a dosage-correlation term needs aneuploid training data we do not
   have). The sample is re-centred once on the genes of the largest group of autosomes
   sharing one level (:func:`calm_chromosomes`), so many gains (high hyperdiploidy) do
   not drag the baseline.
4. ``z = (shift − loo_mean) / (loo_sd · noise_ratio)`` where ``loo_mean`` / ``loo_sd``
   are the region's shift mean and SD over the reference samples, each scored
   leave-one-out against a reference fitted without it (the expected shift and spread
   of a diploid sample), and ``noise_ratio = max(1, sample gene-level MAD / reference
   LOO gene-level MAD)`` widens the spread for a noisier sample (another lab, other
   library type) instead of calling its noise.
5. State: ``gain`` / ``loss`` only when ``|z| ≥ z_call`` **and** ``|shift − loo_mean|``
   reaches ``min_effect_fraction`` of the shift one copy would cause at the sample's
   blast fraction ``p`` (``dosage_slope · log2(1 ± p/2)``); ``indeterminate`` when
   ``|z| ≥ z_indeterminate`` otherwise; ``neutral`` below; ``not_assessed`` with fewer
   than ``min_genes`` genes. Gained copies: ``2 + round(2·(2^(Δ/slope) − 1)/p)``, ≥ 3.
6. Modal number = 46 + Σ autosomal whole-chromosome changes. Each indeterminate autosome
   widens the possible range by one in the direction of its shift; when the range spans
   two karyotype classes, modal number and class are **not assessable** (flag
   ``rna_karyotype_indeterminate``) rather than a confident wrong class. chrX is
   reported but not counted (X inactivation makes its expression uninformative of copy
   number without the sex; flag ``chrX_not_counted_from_rna``).
7. Which level is two copies is itself a choice (step 3). When a second group of
   autosomes at another common level is nearly as large as the baseline group
   (``baseline_ambiguity_ratio``) or the baseline group is not most autosomes, the
   class is not assessable (``rna_baseline_ambiguous``); when there are gains,
   ``modal.haploid_baseline_reading`` states the near-haploid / hypodiploid reading
   (gained = retained disomies) that only allele fractions can exclude.

Public API (used by the allele-fraction / LOH module to combine dosage with BAF)
-------------------------------------------------------------------------------
* :func:`load_reference` → :class:`RnaReference` (genes + calibration + metadata) or None.
* :func:`estimate_dosage(counts, symbols, reference, settings=..., blast_fraction=...)
  <estimate_dosage>` → :class:`DosageEstimate` with ``regions`` (DataFrame indexed by
  region ``chr1``, ``chr1p``, ``chr1q`` …; columns ``chrom``, ``arm`` (``whole``/``p``/
  ``q``), ``shift``, ``n_genes``, ``loo_mean``, ``loo_sd``, ``sd_used``, ``z``,
  ``expected_gain``, ``expected_loss``, ``state``, ``copies``), ``noise_ratio``,
  ``centre``, ``modal`` (number or None, range, class, flags) and :meth:`~DosageEstimate.
  evidence` (JSON-ready).
* :func:`fit_reference` / :func:`calibrate` build a reference from diploid count matrices
  (used by ``workflow/scripts/build_rna_dosage_reference.py`` and the LOO benchmark).

Limits (derived): expression-relative estimates are blind to uniform doubling (masked
hypodiploidy) and to focal deletions, and a near-haploid genome's retained disomies read
as gains against a haploid baseline; every lesion, IKZF1plus, iAMP21 and the masked
warning are ``not_assessable`` from RNA, and calls are flagged
``rna_derived_low_confidence``.

The bundled reference (``resources/copynumber/rna_dosage_reference.tsv.gz`` and
``rna_dosage_calibration.tsv``) is built from the 36 real diploid paediatric B-ALL
RNA-seq samples of RNAseqCNV (MIT, commit 12af689b; notice in
``resources/copynumber/RNASEQCNV_LICENSE``) by
``workflow/scripts/build_rna_dosage_reference.py``.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.config import FROM_SCHEMA, schema_defaults
from allstrat.copynumber.ploidy import PloidyCutoffs
from allstrat.copynumber.resources import AUTOSOMES
from allstrat.errors import ConfigError
from allstrat.paths import resources_dir
from allstrat.refnorm import log_cpm

logger = logging.getLogger(__name__)

RNA_REFERENCE = "copynumber/rna_dosage_reference.tsv.gz"
RNA_CALIBRATION = "copynumber/rna_dosage_calibration.tsv"
ACROCENTRIC: tuple[str, ...] = ("chr13", "chr14", "chr15", "chr21", "chr22")
DOSAGE_CHROMS: tuple[str, ...] = (*AUTOSOMES, "chrX")
STATES = ("gain", "loss", "neutral", "indeterminate", "not_assessed")


@dataclass(frozen=True)
@schema_defaults("copynumber.rna")
class RnaDosageSettings:
    """Thresholds of the RNA dosage call (config ``copynumber.rna``; see the schema).

    ``dosage_slope`` is UNVERIFIED: 0.5 is the middle of the −0.4 to −0.6 log2 shift of a
    real monosomy reported for B-ALL RNA-seq (issue #11; RNAseqCNV, Barinka et al. 2022)
    and close to the one data-derived figure the diploid reference offers, the
    female − male contrast of X-escape genes (0.46 log2 for a second, partly expressed
    X; a lower bound for a fully active extra copy; calibration file header).
    ``z_call`` / ``z_indeterminate`` are set against the leave-one-out spread of the real
    diploid samples (largest whole-chromosome |z| there: 3.4 of 792), not against
    simulation.
    """

    dosage_slope: float = FROM_SCHEMA
    z_call: float = FROM_SCHEMA
    z_indeterminate: float = FROM_SCHEMA
    min_effect_fraction: float = FROM_SCHEMA
    default_blast_fraction: float = FROM_SCHEMA
    min_genes: int = FROM_SCHEMA
    baseline_ambiguity_ratio: float = FROM_SCHEMA


@dataclass
class DiploidStandard:
    """Real diploid reference samples (read by :mod:`allstrat.io.rnaseqcnv`).

    Counts (samples x genes), the gene frame aligned with the columns, sample names and
    the sex inferred from chrY expression.
    """

    counts: np.ndarray
    genes: pd.DataFrame  # symbol, ensembl_id, chrom, start, end, arm
    samples: list[str]
    sex: pd.Series  # sample -> "male"/"female"
    y_cpm: pd.Series


@dataclass(frozen=True)
class RnaReference:
    """Per-gene diploid reference plus per-region leave-one-out calibration."""

    genes: pd.DataFrame  # symbol, ensembl_id, chrom, arm, median, sd, weight
    calibration: pd.DataFrame | None  # index region: chrom, arm, loo_mean, loo_sd, n_genes
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.genes)


def log_counts(counts: np.ndarray) -> np.ndarray:
    """log2(count + 1) of a genes vector or a samples x genes matrix."""
    return np.log2(np.asarray(counts, dtype=float) + 1.0)


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Weighted median (lower weighted median; NaN for empty input)."""
    ok = np.isfinite(values)
    v, w = values[ok], weights[ok]
    if v.size == 0:
        return float("nan")
    order = np.argsort(v)
    cw = np.cumsum(w[order])
    return float(v[order][np.searchsorted(cw, cw[-1] / 2.0)])


def fit_reference(
    counts: np.ndarray,
    genes: pd.DataFrame,
    *,
    min_count: float = 10.0,
    min_fraction: float = 0.8,
    min_mean_log_cpm: float = 3.0,
    max_sd_quantile: float = 0.8,
    sd_floor_quantile: float = 0.1,
    n_components: int = 6,
) -> pd.DataFrame:
    """Fit the per-gene diploid reference from raw counts of diploid samples.

    Parameters
    ----------
    counts
        Raw counts (samples x genes), columns aligned with ``genes``.
    genes
        One row per column of ``counts``: ``symbol``, ``chrom`` (``chr1``..``chrX``),
        ``arm`` (``p``/``q``/""); other columns (``ensembl_id``) are carried over.
    min_count, min_fraction
        Expressed: at least ``min_count`` reads in ``min_fraction`` of the samples (the
        RNAseqCNV read-count quantile filter).
    min_mean_log_cpm
        And a mean log2(CPM + 1) at least this.
    max_sd_quantile
        Genes whose robust SD across the diploid samples is above this quantile (per
        chromosome set) vary for reasons other than dosage (subtype programmes) and are
        dropped.
    sd_floor_quantile
        Weights are ``1 / max(sd, floor)²`` with the floor at this SD quantile, so a few
        very stable genes cannot dominate a chromosome.
    n_components
        Principal axes of the diploid samples' gene residuals stored as ``pc1`` ..
        ``pcK``; scoring removes a sample's projection on them (co-expression
        programmes and technical axes shared by genes across chromosomes, as exome
        CNV callers remove SVD components). Leave-one-out measures what remains.

    Returns
    -------
    DataFrame of kept genes: input columns plus ``median``, ``sd``, ``weight`` and
    ``pc1`` .. ``pcK``.
    """
    counts = np.asarray(counts, dtype=float)
    expressed = (counts >= min_count).mean(axis=0) >= min_fraction
    expressed &= log_cpm(counts).mean(axis=0) >= min_mean_log_cpm
    expressed &= genes["chrom"].isin(DOSAGE_CHROMS).to_numpy()
    x = log_counts(counts[:, expressed])
    g = genes.loc[expressed].reset_index(drop=True)
    auto = g["chrom"].isin(AUTOSOMES).to_numpy()
    # median-of-ratios size factors, then per-gene median / robust SD
    ref0 = np.median(x, axis=0)
    sf = np.median(x[:, auto] - ref0[auto], axis=1, keepdims=True)
    xn = x - sf
    med = np.median(xn, axis=0)
    sd = 1.4826 * np.median(np.abs(xn - med), axis=0)
    keep = sd <= np.quantile(sd, max_sd_quantile)
    out = g.loc[keep].copy()
    out["median"] = med[keep]
    out["sd"] = sd[keep]
    floor = max(float(np.quantile(out["sd"], sd_floor_quantile)), 1e-3)
    out["weight"] = 1.0 / np.maximum(out["sd"].to_numpy(), floor) ** 2
    out = out.reset_index(drop=True)
    if n_components > 0:
        resid = xn[:, keep] - med[keep]
        auto_k = auto[keep]
        resid -= np.median(resid[:, auto_k], axis=1, keepdims=True)
        for i, axis in enumerate(principal_axes(resid, n_components)):
            out[f"pc{i + 1}"] = axis
    return out


def principal_axes(matrix: np.ndarray, k: int) -> np.ndarray:
    """Top ``k`` right singular vectors of the column-centred samples x genes matrix.

    Computed from the small samples x samples Gram matrix (few samples, many genes).
    """
    a = matrix - matrix.mean(axis=0)
    k = min(k, a.shape[0] - 1)
    vals, vecs = np.linalg.eigh(a @ a.T)
    order = np.argsort(vals)[::-1][:k]
    axes = vecs[:, order].T @ a
    norms = np.linalg.norm(axes, axis=1, keepdims=True)
    return axes / np.where(norms > 0, norms, 1.0)


def _regions(genes: pd.DataFrame) -> dict[str, np.ndarray]:
    """Boolean masks of every assessable region (whole chromosomes and arms)."""
    chrom = genes["chrom"].to_numpy()
    arm = genes["arm"].fillna("").to_numpy()
    out: dict[str, np.ndarray] = {}
    for c in DOSAGE_CHROMS:
        on = chrom == c
        out[c] = on
        for a in ("q",) if c in ACROCENTRIC else ("p", "q"):
            out[f"{c}{a}"] = on & (arm == a)
    return out


def _align(counts: np.ndarray, symbols, genes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Values of the reference genes in one sample (NaN where absent) and a presence mask."""
    s = pd.Series(np.asarray(counts, dtype=float), index=pd.Index(symbols))
    s = s[~s.index.duplicated()]
    v = s.reindex(genes["symbol"]).to_numpy()
    return v, np.isfinite(v)


def region_shifts(
    counts: np.ndarray,
    symbols,
    genes: pd.DataFrame,
    *,
    calm: list[str] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Per-region weighted-median shift of one sample against a gene reference.

    Parameters
    ----------
    counts, symbols
        Raw counts of one sample and their gene symbols.
    genes
        Output of :func:`fit_reference`.
    calm
        Autosomes that look two-copy; when given (at least 8), the sample is re-centred
        on their genes instead of on all autosomes.

    Returns
    -------
    (DataFrame indexed by region with ``shift`` and ``n_genes``, info dict with the
    centre and the gene-level noise: median over autosomes of the MAD of the gene
    residuals around their chromosome's shift, so aneuploidy does not read as noise).
    """
    v, present = _align(counts, symbols, genes)
    r = np.log2(np.where(present, v, 0.0) + 1.0) - genes["median"].to_numpy()
    w = genes["weight"].to_numpy()
    masks = _regions(genes)
    chrom = genes["chrom"].to_numpy()
    auto = np.isin(chrom, AUTOSOMES)
    size = weighted_median(r[auto & present], w[auto & present])
    r = np.where(present, r - size, 0.0)
    pcs = [c for c in genes.columns if c.startswith("pc") and c[2:].isdigit()]
    if pcs:
        vt = genes[pcs].to_numpy().T
        r = r - (r @ vt.T) @ vt
    r[~present] = np.nan
    on = auto
    recentred_on: list[str] = []
    if calm is not None and len(calm) >= 8:
        on = np.isin(chrom, calm)
        recentred_on = list(calm)
    centre = weighted_median(r[on], w[on])
    r = r - centre
    rows = {}
    for name, m in masks.items():
        mm = m & present
        rows[name] = (weighted_median(r[mm], w[mm]), int(mm.sum()))
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["shift", "n_genes"])
    mads = []
    for c in AUTOSOMES:
        rc = r[(chrom == c) & present]
        if rc.size >= 10:
            mads.append(float(np.median(np.abs(rc - np.median(rc)))))
    mad = float(np.median(mads)) if mads else float("nan")
    info = {"centre": size + centre, "gene_mad": mad, "recentred_on": recentred_on}
    return out, info


def _largest_group(d: pd.Series, sd: pd.Series, width: float) -> list[str]:
    med = float(d.median()) if len(d) else 0.0
    best: tuple[int, float, list[str]] = (-1, 0.0, [])
    for cand in d.to_numpy():
        inside = list(d.index[((d - cand).abs() <= width * sd).to_numpy()])
        key = (len(inside), -abs(cand - med))
        if key > best[:2]:
            best = (key[0], key[1], inside)
    return best[2]


def calm_chromosomes(
    shifts: pd.DataFrame, calibration: pd.DataFrame, width: float = 2.0
) -> tuple[list[str], list[str]]:
    """The largest set of autosomes consistent with one common level, and the next one.

    Mode-seeking: every autosome's shift is tried as the baseline and the one that puts
    most autosomes within ``width`` diploid SDs wins (ties: nearest the median). With
    many gains (high hyperdiploidy) the two-copy chromosomes still form the largest
    group; with most chromosomes lost (near haploidy) the largest group is the one-copy
    set — that ambiguity is inherent to expression and is left to allele data. The
    second group (largest among the rest) tells how ambiguous the choice was.
    """
    auto = [c for c in AUTOSOMES if c in shifts.index and pd.notna(shifts.loc[c, "shift"])]
    if not auto:
        return [], []
    d = shifts.loc[auto, "shift"] - calibration.loc[auto, "loo_mean"]
    sd = calibration.loc[auto, "loo_sd"]
    calm = _largest_group(d, sd, width)
    rest = [c for c in auto if c not in calm]
    return calm, _largest_group(d[rest], sd[rest], width) if rest else []


def _score(
    counts: np.ndarray, symbols, genes: pd.DataFrame, calibration: pd.DataFrame | None
) -> tuple[pd.DataFrame, dict]:
    """Two-pass shifts: centre on all autosomes, then on the chromosomes that look calm."""
    first, info = region_shifts(counts, symbols, genes)
    if calibration is None:
        return first, info
    calm, second = calm_chromosomes(first, calibration)
    out, info = region_shifts(counts, symbols, genes, calm=calm)
    info["second_group"] = second
    return out, info


def calibrate(counts: np.ndarray, genes: pd.DataFrame, **fit_kwargs) -> tuple[pd.DataFrame, dict]:
    """Leave-one-out calibration: each diploid sample scored against the others' reference.

    Returns the per-region table (``chrom``, ``arm``, ``loo_mean``, ``loo_sd``,
    ``n_genes`` of the full reference) and ``{"gene_mad": median LOO gene-level MAD,
    "loo_shifts": samples x regions DataFrame}``.
    """
    counts = np.asarray(counts, dtype=float)
    n = counts.shape[0]
    shifts, mads = [], []
    refs = [fit_reference(np.delete(counts, i, axis=0), genes, **fit_kwargs) for i in range(n)]
    for i, ref in enumerate(refs):
        s, info = region_shifts(counts[i], genes["symbol"], ref)
        shifts.append(s["shift"])
        mads.append(info["gene_mad"])
    loo = pd.DataFrame(shifts).reset_index(drop=True)
    first = pd.DataFrame({"loo_mean": loo.mean(), "loo_sd": loo.std(ddof=1)})
    # second pass, as scoring does: re-centre on the chromosomes that look neutral
    shifts = []
    for i, ref in enumerate(refs):
        s, _ = _score(counts[i], genes["symbol"], ref, first)
        shifts.append(s["shift"])
    loo = pd.DataFrame(shifts).reset_index(drop=True)
    full = fit_reference(counts, genes, **fit_kwargs)
    table = region_table(full, loo)
    return table, {"gene_mad": float(np.median(mads)), "loo_shifts": loo}


def region_table(reference_genes: pd.DataFrame, loo: pd.DataFrame) -> pd.DataFrame:
    """Per-region calibration rows from LOO shifts (samples x regions)."""
    n_genes = {k: int(m.sum()) for k, m in _regions(reference_genes).items()}
    rows = []
    for region in loo.columns:
        chrom = region if region in DOSAGE_CHROMS else region[:-1]
        rows.append(
            {
                "region": region,
                "chrom": chrom,
                "arm": "whole" if region == chrom else region[-1],
                "loo_mean": float(loo[region].mean()),
                "loo_sd": float(loo[region].std(ddof=1)),
                "loo_max_abs": float((loo[region] - loo[region].mean()).abs().max()),
                "n_genes": n_genes.get(region, 0),
            }
        )
    return pd.DataFrame(rows).set_index("region")


@functools.lru_cache(maxsize=2)
def load_reference(path: str | Path | None = None) -> RnaReference | None:
    """The bundled RNA dosage reference (genes + calibration), or None when not installed.

    ``path`` names the gene table; the calibration is read from the sibling
    ``rna_dosage_calibration.tsv`` (None when absent: shifts without z-scores).
    """
    p = Path(path) if path is not None else resources_dir() / RNA_REFERENCE
    if not p.is_file():
        return None
    cal_path = p.parent / Path(RNA_CALIBRATION).name
    try:
        genes = pd.read_csv(
            p, sep="\t", comment="#", dtype={"symbol": str, "chrom": str, "arm": str}
        )
        genes["arm"] = genes["arm"].fillna("")
        for col in ("median", "sd", "weight"):
            genes[col] = genes[col].astype(float)
        cal = None
        meta: dict = {"reference": p.name}
        if cal_path.is_file():
            cal = pd.read_csv(cal_path, sep="\t", comment="#").set_index("region")
            for col in ("loo_mean", "loo_sd"):
                cal[col] = cal[col].astype(float)
            meta.update(_header_meta(cal_path))
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(f"{p}: cannot read the RNA dosage reference ({exc})") from None
    return RnaReference(genes=genes, calibration=cal, meta=meta)


def _header_meta(path: Path) -> dict:
    """``# key: value`` lines at the top of the calibration file."""
    meta = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("#"):
                break
            key, sep, value = line[1:].partition(":")
            if sep and key.strip() and " " not in key.strip():
                meta[key.strip()] = value.strip()
    return meta


def _alternative_baseline(
    table: pd.DataFrame, info: dict, s: RnaDosageSettings, cutoffs: PloidyCutoffs
) -> tuple[dict, bool]:
    """What expression cannot decide: which level is two copies.

    * ``haploid_baseline_reading``: if the gained autosomes were the retained disomies of
      a near-haploid / hypodiploid genome and every other autosome one copy (the
      reading allele fractions must exclude; DOMAIN.md §5), its count and class.
    * ``baseline_second_group``: the largest group of autosomes at another common level;
      when it is at least ``baseline_ambiguity_ratio`` of the baseline group, or the
      baseline group is not most of the autosomes, the class is not assessable from
      expression (flag ``rna_baseline_ambiguous``).
    """
    whole = table[(table["arm"] == "whole") & table["chrom"].isin(AUTOSOMES)]
    gained = [c for c in whole.index if whole.loc[c, "state"] == "gain"]
    out: dict = {
        "baseline_group": info.get("recentred_on", []),
        "baseline_second_group": info.get("second_group", []),
    }
    if gained:
        n = 22 + len(gained)
        out["haploid_baseline_reading"] = {
            "retained_disomies": gained,
            "autosome_count": n,
            "karyotype_class_without_sex_chromosomes": cutoffs.classify(n + 1)[0],
        }
    n1, n2 = len(out["baseline_group"]), len(out["baseline_second_group"])
    n_assessed = int(whole["shift"].notna().sum())
    minority = n1 * 2 <= n_assessed  # the level taken as two copies is not most autosomes
    return out, bool(n1 and (minority or n2 >= s.baseline_ambiguity_ratio * n1))


@dataclass
class DosageEstimate:
    """Calibrated per-region dosage of one sample (see the module docstring)."""

    regions: pd.DataFrame
    noise_ratio: float
    centre: float
    blast_fraction: float
    blast_fraction_source: str
    modal: dict
    recentred_on: list[str]
    settings: RnaDosageSettings

    def whole(self) -> pd.DataFrame:
        """Whole-chromosome rows only (index ``chr1`` .. ``chrX``)."""
        return self.regions[self.regions["arm"] == "whole"]

    def evidence(self) -> dict:
        """JSON-ready evidence: every region with shift, z, state and copies."""

        def num(v, nd=4):
            return None if v is None or pd.isna(v) else round(float(v), nd)

        regions = {}
        for name, r in self.regions.iterrows():
            regions[name] = {
                "shift_log2": num(r["shift"]),
                "n_genes": int(r["n_genes"]),
                "expected_shift_diploid": num(r["loo_mean"]),
                "diploid_sd": num(r["loo_sd"]),
                "sd_used": num(r["sd_used"]),
                "z": num(r["z"], 2),
                "expected_shift_one_copy_gain": num(r["expected_gain"]),
                "expected_shift_one_copy_loss": num(r["expected_loss"]),
                "state": r["state"],
                "copies": None if pd.isna(r["copies"]) else int(r["copies"]),
            }
        return {
            "regions": regions,
            "noise_ratio": round(self.noise_ratio, 3),
            "centre_log2": round(self.centre, 4),
            "recentred_on": self.recentred_on,
            "blast_fraction": self.blast_fraction,
            "blast_fraction_source": self.blast_fraction_source,
            "modal": self.modal,
        }


def _states(
    table: pd.DataFrame, s: RnaDosageSettings, purity: float
) -> tuple[list[str], list[object]]:
    states: list[str] = []
    copies: list[object] = []
    for r in table.itertuples():
        if pd.isna(r.shift) or r.n_genes < s.min_genes or pd.isna(r.z):
            states.append("not_assessed")
            copies.append(pd.NA)
            continue
        delta = r.shift - r.loo_mean
        big = delta >= s.min_effect_fraction * r.expected_gain or (
            delta <= s.min_effect_fraction * r.expected_loss
        )
        if abs(r.z) >= s.z_call and big:
            if delta > 0:
                cn = 2 + round(2 * (2 ** (delta / s.dosage_slope) - 1) / purity)
                states.append("gain")
                copies.append(int(min(max(cn, 3), 6)))
            else:
                states.append("loss")
                copies.append(1)
        elif abs(r.z) >= s.z_indeterminate or abs(r.z) >= s.z_call:
            states.append("indeterminate")
            copies.append(pd.NA)
        else:
            states.append("neutral")
            copies.append(2)
    return states, copies


def modal_from_states(whole: pd.DataFrame, cutoffs: PloidyCutoffs) -> dict:
    """Conservative modal number and karyotype class from whole-chromosome states.

    Indeterminate autosomes widen the range by one copy in the direction of their shift;
    the class is given only when both ends of the range fall in the same class.
    """
    n = 46
    lo = hi = 0
    deltas: dict[str, int] = {}
    flags: list[str] = []
    for c in AUTOSOMES:
        if c not in whole.index or whole.loc[c, "state"] == "not_assessed":
            return {
                "modal_chromosome_number": None,
                "range": None,
                "karyotype_class": "not_assessable",
                "changes": deltas,
                "flags": [f"{c}_not_assessed"],
            }
        r = whole.loc[c]
        if r["state"] in ("gain", "loss"):
            d = int(r["copies"]) - 2
            deltas[c] = d
            n += d
        elif r["state"] == "indeterminate":
            if r["shift"] - r["loo_mean"] > 0:
                hi += 1
            else:
                lo -= 1
    klass, kflags = cutoffs.classify(n)
    k_lo, _ = cutoffs.classify(n + lo)
    k_hi, _ = cutoffs.classify(n + hi)
    flags.extend(kflags)
    if k_lo != klass or k_hi != klass:
        flags.append("rna_karyotype_indeterminate")
        return {
            "modal_chromosome_number": None,
            "point_estimate": n,
            "range": [n + lo, n + hi],
            "karyotype_class": "not_assessable",
            "classes_in_range": sorted({k_lo, klass, k_hi}),
            "changes": deltas,
            "flags": flags,
        }
    return {
        "modal_chromosome_number": n,
        "range": [n + lo, n + hi],
        "karyotype_class": klass,
        "changes": deltas,
        "flags": flags,
    }


def estimate_dosage(
    counts: np.ndarray,
    symbols,
    reference: RnaReference,
    *,
    settings: RnaDosageSettings | None = None,
    blast_fraction: float | None = None,
    cutoffs: PloidyCutoffs | None = None,
) -> DosageEstimate:
    """Calibrated per-chromosome and per-arm dosage of one sample.

    Parameters
    ----------
    counts, symbols
        Raw counts of the sample and their canonical gene symbols.
    reference
        :func:`load_reference` (must carry a calibration).
    settings
        Thresholds (:class:`RnaDosageSettings`).
    blast_fraction
        Tumour fraction 0–1; None → ``settings.default_blast_fraction`` (recorded as
        assumed).
    cutoffs
        Karyotype-class cut-offs for the modal summary.

    Returns
    -------
    DosageEstimate
    """
    s = settings or RnaDosageSettings()
    if reference.calibration is None:
        raise ConfigError("the RNA dosage reference has no calibration table")
    cal = reference.calibration
    shifts, info = _score(counts, symbols, reference.genes, cal)
    ref_mad = float(reference.meta.get("loo_gene_mad", "nan"))
    ratio = info["gene_mad"] / ref_mad if np.isfinite(ref_mad) and ref_mad > 0 else 1.0
    noise = max(1.0, ratio) if np.isfinite(ratio) else 1.0
    source = "sheet"
    if blast_fraction is None or not np.isfinite(blast_fraction):
        blast_fraction, source = s.default_blast_fraction, "assumed"
    p = float(min(max(blast_fraction, 0.05), 1.0))
    t = shifts.join(cal[["chrom", "arm", "loo_mean", "loo_sd"]], how="left")
    t["sd_used"] = t["loo_sd"] * noise
    t["z"] = (t["shift"] - t["loo_mean"]) / t["sd_used"]
    t["expected_gain"] = s.dosage_slope * np.log2(1 + p / 2)
    t["expected_loss"] = s.dosage_slope * np.log2(1 - p / 2)
    t["state"], t["copies"] = _states(t, s, p)
    t["copies"] = t["copies"].astype("Int64")
    cut = cutoffs or PloidyCutoffs()
    modal = modal_from_states(t[t["arm"] == "whole"], cut)
    alt, ambiguous = _alternative_baseline(t, info, s, cut)
    modal.update(alt)
    if ambiguous and modal["karyotype_class"] != "not_assessable":
        modal["point_estimate"] = modal["modal_chromosome_number"]
        modal.update(modal_chromosome_number=None, karyotype_class="not_assessable")
        modal["flags"] = [*modal["flags"], "rna_baseline_ambiguous"]
    return DosageEstimate(
        regions=t,
        noise_ratio=float(noise),
        centre=float(info["centre"]),
        blast_fraction=round(p, 4),
        blast_fraction_source=source,
        modal=modal,
        recentred_on=info["recentred_on"],
        settings=s,
    )
