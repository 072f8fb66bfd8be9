"""Negative-binomial RNA-seq counts for synthetic ALL samples.

Model, per sample *i* and gene *g*::

    leuk_ig   = base_g * 2**(programme_ig + latent_ig) * dosage_ig * batch_bg
    normal_ig = base_g * 2**normal_g * batch_bg
    p_ig      = f_i * leuk_ig / sum_g(leuk_ig) + (1 - f_i) * normal_ig / sum_g(normal_ig)
    count_ig  ~ NB(mean = L_i * p_ig, dispersion = phi_g)

* ``base_g``: per-gene median CPM of 10 real B-ALL samples
  (``resources/markers/baseline_expression.tsv.gz``, built by
  ``workflow/scripts/build_baseline_expression.py``; see resources/MANIFEST.tsv).
* ``programme``: literature markers of the sample's subtype
  (``resources/markers/subtype_markers.tsv``; T-ALL cases add the markers of their T-ALL
  subgroup from ``resources/markers/tall_markers.tsv``, one gene per ``alt_group`` -- e.g.
  LMO1 *or* LMO2), each log2 fold change scaled by a
  per-sample programme strength and a per-gene jitter, and dropped in some samples, so
  the classes are heterogeneous and overlap (Ph-like and BCR::ABL1 share the Ph
  programme; PAX5alt is weak by design).
* ``latent``: subtype-independent biological axes (maturation/proliferation-like gene
  sets with per-sample loadings) so that no class is trivially separable.
* ``dosage``: (tumour CN / normal CN) ** 0.9 at the gene -> about x1.45 per gained copy
  on a diploid background, x0.54 for a lost copy (MARKERS.md "about x1.5 per gained
  copy?"), diluted by blast fraction through the mixture.
* ``normal``: a bone-marrow background (myeloid/erythroid genes high, leukaemia genes
  such as DNTT/CD34/VPREB1 low) mixed in with weight 1 - blast fraction.
* ``batch``: gene-specific library-prep biases per batch.
* ``phi_g``: gene-wise dispersion with the usual mean-dispersion trend: an asymptotic
  biological CV^2 (log-normal around 0.1, i.e. CV ~0.2-0.6) plus 3 / expected count.
* DUX4 stays near zero in gene counts in every sample, as in real data (its reads are
  multi-mapped in the D4Z4 repeats; DOMAIN.md §4).
"""

from __future__ import annotations

import functools
import logging
import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtri

from allstrat.paths import resources_dir
from allstrat.simulate.genome import Genome, chrom_groups, copy_number_at, normal_cn_array

logger = logging.getLogger(__name__)

BASELINE = "markers/baseline_expression.tsv.gz"
MARKERS = "markers/subtype_markers.tsv"
# Floor CPM for genes never seen in the real baseline samples.
MIN_CPM = 0.02
# Genes (other than DUX4) added to the universe with a fixed CPM when the real baseline
# lacks them: XIST (female-specific; not in the baseline matrix) and DUX4 (near zero).
EXTRA_GENES_CPM = {"XIST": 40.0, "DUX4": 0.01}
DOSAGE_EXPONENT = 0.9
# log2 CPM from which an up-regulated but normally silent marker is switched on
# (about 8 CPM; on/off markers such as NUTM1 reach hundreds of CPM, MD: VST >= 9.5).
ON_FLOOR_LOG2 = 3.0
MARKER_DROPOUT = 0.15  # probability a marker gene is not moved in a given sample
MARKER_JITTER_SD = 0.3  # log-normal jitter of each marker's fold change
N_LATENT = 10
LATENT_GENES = 800
LATENT_SD = 0.45
BATCH_SD = 0.12
BATCH_STRONG_SHARE = 0.02
BATCH_STRONG_SD = 0.6
DISP_ASYMPTOTE_MEDIAN = 0.15
DISP_ASYMPTOTE_SD = 0.6
DISP_POISSON_EXTRA = 3.0
# Bone-marrow background: gene -> (log2 offset in pure blasts, log2 offset in normal
# marrow) relative to the real median sample (which itself contains some normal cells).
# Lineage facts: MPO marks myeloid cells, erythroid genes (HBB, GYPA, ALAS2, CA1) and
# neutrophil granule genes dominate normal marrow; DNTT/CD34/VPREB1/IGLL1 mark the
# immature lymphoblast (MARKERS.md, T-ALL row). Offsets are modelling choices.
NORMAL_MARROW: dict[str, tuple[float, float]] = {
    "HBB": (-4, 2.0), "HBA1": (-4, 2.0), "HBA2": (-4, 2.0), "HBD": (-4, 2.0),
    "CA1": (-4, 2.0), "ALAS2": (-4, 2.0), "GYPA": (-3, 2.0), "SLC4A1": (-3, 2.0),
    "MPO": (-2, 2.5), "ELANE": (-3, 2.5), "AZU1": (-3, 2.5), "PRTN3": (-3, 2.5),
    "CTSG": (-3, 2.0), "LYZ": (-3, 2.5), "S100A8": (-3, 3.0), "S100A9": (-3, 3.0),
    "CAMP": (-4, 3.0), "LTF": (-4, 3.0), "LCN2": (-4, 3.0), "MMP9": (-3, 2.0),
    "CD14": (-2, 2.0), "FCGR3B": (-3, 2.5), "NKG7": (-2, 2.0), "GNLY": (-2, 2.0),
    "CCL5": (-2, 2.0), "DNTT": (0.3, -5.0), "CD34": (0.2, -3.0), "VPREB1": (0.3, -4.0),
    "IGLL1": (0.3, -4.0), "SOX4": (0.1, -1.5), "CD19": (0.1, -1.5), "MME": (0.1, -1.5),
}  # fmt: skip


@dataclass
class ExpressionModel:
    """Gene universe and cohort-level parameters of the count model."""

    genes: np.ndarray  # canonical symbols
    chrom: np.ndarray
    pos: np.ndarray  # gene midpoint (GRCh38)
    log_base: np.ndarray  # log2 CPM of the leukaemic baseline
    log_normal: np.ndarray  # log2 CPM of the normal-marrow background
    disp: np.ndarray  # NB dispersion phi_g
    is_y: np.ndarray  # non-PAR chrY genes
    markers: dict[str, tuple[np.ndarray, np.ndarray]]  # subtype -> (gene idx, log2fc)
    latent_idx: list[np.ndarray]
    latent_w: list[np.ndarray]
    batch_bias: np.ndarray  # n_batches x genes, log2
    # T-ALL subgroup -> (gene idx, log2fc, alt_group labels)
    tall_markers: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)

    @property
    def shape(self) -> np.ndarray:
        """Gamma shape 1 / phi_g."""
        cached = self.__dict__.get("_shape")
        if cached is None:
            cached = 1.0 / self.disp
            self.__dict__["_shape"] = cached
        return cached

    def normal_cn(self, sex: str) -> np.ndarray:
        """Normal copy number per gene for ``sex`` (float)."""
        key = f"_ncn_{sex}"
        cached = self.__dict__.get(key)
        if cached is None:
            cached = normal_cn_array(self.chrom, self.pos, sex).astype(float)
            self.__dict__[key] = cached
        return cached

    @property
    def groups(self) -> dict[str, np.ndarray]:
        """Row indices per chromosome."""
        cached = self.__dict__.get("_groups")
        if cached is None:
            cached = chrom_groups(self.chrom)
            self.__dict__["_groups"] = cached
        return cached

    @property
    def index(self) -> dict[str, int]:
        """Symbol -> row index."""
        cached = self.__dict__.get("_index")
        if cached is None:
            cached = {g: i for i, g in enumerate(self.genes)}
            self.__dict__["_index"] = cached
        return cached


@functools.cache
def load_baseline() -> pd.DataFrame:
    """Read the committed per-gene baseline (see module docstring)."""
    return pd.read_csv(resources_dir() / BASELINE, sep="\t", comment="#")


@functools.cache
def load_markers() -> pd.DataFrame:
    """Read ``resources/markers/subtype_markers.tsv``."""
    return pd.read_csv(resources_dir() / MARKERS, sep="\t", keep_default_na=False)


def build_expression_model(genes: pd.DataFrame, *, seed: int, n_batches: int) -> ExpressionModel:
    """Assemble the gene universe and draw gene-level parameters.

    Gene-level "biology" (dispersions, latent axes) is drawn from a fixed stream so it is
    the same in every cohort; batch biases come from the cohort ``seed``.

    Parameters
    ----------
    genes
        ``GeneTable.table``.
    seed
        Cohort seed (batch biases).
    n_batches
        Number of library-prep batches.
    """
    base = load_baseline()
    base = base[base["gene"].isin(genes.index)]
    keep_types = genes.loc[base["gene"], "gene_type"].isin(["protein-coding", "ncRNA"]).to_numpy()
    base = base[keep_types]
    sym = base["gene"].tolist()
    cpm = base["median_cpm"].to_numpy(dtype=float)
    zero = cpm <= 0
    cpm[zero] = np.maximum(base["mean_cpm"].to_numpy()[zero] / 4, MIN_CPM)
    markers = load_markers()
    from allstrat.tall.markers import load_tall_markers

    tall = load_tall_markers()
    # the gene universe (and so every cohort's draws) is fixed by the baseline + B-ALL
    # markers; T-ALL markers outside it (HLA-DRA) are not simulated
    extra = [g for g in markers["gene"].unique() if g not in set(sym) and g in genes.index]
    for g in EXTRA_GENES_CPM:
        if g not in sym and g not in extra and g in genes.index:
            extra.append(g)
    sym = sym + extra
    cpm = np.concatenate([cpm, [EXTRA_GENES_CPM.get(g, 1.0) for g in extra]])
    if "DUX4" in sym:
        cpm[sym.index("DUX4")] = EXTRA_GENES_CPM["DUX4"]
    # order by gene table position for tidy outputs
    tbl = genes.loc[sym]
    order = np.lexsort((tbl["start"].to_numpy(), tbl["chrom"].map(_chrom_rank).to_numpy()))
    sym = [sym[i] for i in order]
    cpm = cpm[order]
    tbl = genes.loc[sym]
    chrom = tbl["chrom"].to_numpy(dtype=object)
    pos = ((tbl["start"].to_numpy() + tbl["end"].to_numpy()) // 2).astype(np.int64)
    is_y = (chrom == "chrY") & (tbl["par"].to_numpy() != "1")
    idx = {g: i for i, g in enumerate(sym)}
    log_base = np.log2(cpm)
    log_normal = log_base.copy()
    for g, (leuk_off, norm_off) in NORMAL_MARROW.items():
        if g in idx:
            log_base[idx[g]] += leuk_off
            log_normal[idx[g]] += norm_off
    bio = np.random.default_rng([20261121, 7])  # fixed "biology" stream
    n = len(sym)
    asym = np.exp(np.log(DISP_ASYMPTOTE_MEDIAN) + bio.normal(0, DISP_ASYMPTOTE_SD, n))
    asym = np.clip(asym, 0.02, 0.8)
    ref_count = 2.0**log_base * 30.0  # expected count at 30 M reads
    disp = asym + DISP_POISSON_EXTRA / (ref_count + 0.5)
    latent_idx = [np.sort(bio.choice(n, LATENT_GENES, replace=False)) for _ in range(N_LATENT)]
    latent_w = [bio.normal(0, 1, LATENT_GENES) for _ in range(N_LATENT)]
    coh = np.random.default_rng([seed, 99, 1])
    bias = coh.normal(0, BATCH_SD, (n_batches, n))
    strong = coh.random((n_batches, n)) < BATCH_STRONG_SHARE
    bias[strong] += coh.normal(0, BATCH_STRONG_SD, int(strong.sum()))
    mk: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for sub, grp in markers.groupby("subtype", sort=True):
        ok = grp["gene"].isin(idx)
        mk[str(sub)] = (
            np.array([idx[g] for g in grp["gene"][ok]], dtype=np.int64),
            grp["log2fc_mean"][ok].to_numpy(dtype=float),
        )
    tall_mk: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for sub, grp in tall.groupby("subgroup", sort=True):
        ok = grp["gene"].isin(idx)
        tall_mk[str(sub)] = (
            np.array([idx[g] for g in grp["gene"][ok]], dtype=np.int64),
            grp["log2fc_mean"][ok].to_numpy(dtype=float),
            grp["alt_group"][ok].to_numpy(dtype=object),
        )
    return ExpressionModel(
        tall_markers=tall_mk,
        genes=np.array(sym, dtype=object),
        chrom=chrom,
        pos=pos,
        log_base=log_base,
        log_normal=log_normal,
        disp=disp,
        is_y=is_y,
        markers=mk,
        latent_idx=latent_idx,
        latent_w=latent_w,
        batch_bias=bias,
    )


def _chrom_rank(c: str) -> int:
    c = c.removeprefix("chr")
    return int(c) if c.isdigit() else {"X": 23, "Y": 24, "M": 25}.get(c, 26)


def programme_log2(
    model: ExpressionModel, rng: np.random.Generator, design: dict, genome: Genome
) -> np.ndarray:
    """Per-gene log2 effects of the leukaemic programme of one sample."""
    e = np.zeros(len(model.genes))
    sub = design["subtype"]
    strength = design["programme_strength"]
    if sub in model.markers:
        gi, lfc = model.markers[sub]
        jitter = np.exp(rng.normal(0, MARKER_JITTER_SD, len(gi)))
        # strong defining markers (|log2fc| >= 3: fusion 3' partners, lineage genes)
        # are never dropped; the others are missing in some samples
        on = (rng.random(len(gi)) >= MARKER_DROPOUT) | (np.abs(lfc) >= 3.0)
        if sub == "KMT2A" and rng.random() < 0.2:
            # a subset of t(4;11) cases lacks HOXA expression (MARKERS.md)
            on &= ~np.isin(model.genes[gi], ["HOXA9", "HOXA10", "MEIS1"])
        strong = np.abs(lfc) >= 3.0
        scale = np.where(strong, 0.5 + 0.5 * strength, strength)
        e[gi] += lfc * scale * jitter * on
    tall_sub = design.get("tall_subgroup", "")
    if tall_sub in model.tall_markers:
        e += _tall_programme(model, rng, tall_sub, strength)
    ix = model.index
    fusion = design.get("fusion", "")
    partner3 = fusion.split("::")[1] if "::" in fusion else ""
    if "CRLF2" in partner3 or "PAR1" in genome.lesions:
        e[ix["CRLF2"]] += rng.normal(4.0, 0.5)  # CRLF2-r: very high CRLF2 (MD: VST >= 9)
    if partner3 == "EPOR":
        e[ix["EPOR"]] += rng.normal(3.0, 0.5)
    if partner3 in ("ABL1", "ABL2", "CSF1R", "PDGFRB", "JAK2") and partner3 in ix:
        e[ix[partner3]] += rng.normal(1.0, 0.3)  # 3' kinase partner, partly captured
    # Up-regulated markers of genes that are silent in the baseline (NUTM1, HOXA9,
    # CRLF2, HLF ...) are switched on from an "on" floor instead of multiplying ~0.
    up = e > 0
    e[up] += np.maximum(0.0, ON_FLOOR_LOG2 - model.log_base[up]) * np.minimum(1.0, e[up] / 2.0)
    if sub == "DUX4" and "DUX4" in ix:
        e[ix["DUX4"]] += 2.0  # still near zero in gene counts
    for gi, w in zip(model.latent_idx, model.latent_w, strict=True):
        e[gi] += rng.normal(0, LATENT_SD) * w
    return e


def _tall_programme(
    model: ExpressionModel, rng: np.random.Generator, subgroup: str, strength: float
) -> np.ndarray:
    """log2 effects of a T-ALL subgroup programme (on top of the T-ALL lineage programme).

    Same scheme as the subtype programmes (strength, jitter, dropout of weaker markers);
    genes sharing an ``alt_group`` are alternative drivers: one of them is moved per case.
    """
    e = np.zeros(len(model.genes))
    gi, lfc, alt = model.tall_markers[subgroup]
    jitter = np.exp(rng.normal(0, MARKER_JITTER_SD, len(gi)))
    strong = np.abs(lfc) >= 3.0
    on = (rng.random(len(gi)) >= MARKER_DROPOUT) | strong
    for key in sorted({a for a in alt if a}):
        members = np.flatnonzero(alt == key)
        keep = members[int(rng.integers(len(members)))]
        on[members[members != keep]] = False
    scale = np.where(strong, 0.5 + 0.5 * strength, strength)
    np.add.at(e, gi, lfc * scale * jitter * on)
    return e


def _background(model: ExpressionModel, sex: str, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """Cached (linear leukaemic baseline, normal-marrow proportions) for sex x batch."""
    key = f"_bg_{sex}_{batch}"
    hit = model.__dict__.get(key)
    if hit is None:
        sexf = np.zeros(len(model.genes))
        if sex == "F":
            sexf[model.is_y] = -14.0
        else:
            sexf[model.is_y] = 1.0  # the baseline median mixes both sexes
            if "XIST" in model.index:
                sexf[model.index["XIST"]] = -9.0
        b = model.batch_bias[batch]
        leuk = 2.0 ** (model.log_base + sexf + b)
        normal = 2.0 ** (model.log_normal + sexf + b)
        hit = (leuk, normal / normal.sum())
        model.__dict__[key] = hit
    return hit


def simulate_sample_counts(
    model: ExpressionModel,
    rng: np.random.Generator,
    *,
    design: dict,
    genome: Genome,
    batch: int,
) -> np.ndarray:
    """Draw one sample's integer counts (int32, one per model gene)."""
    return simulate_sample_expression(model, rng, design=design, genome=genome, batch=batch)[0]


def simulate_sample_expression(
    model: ExpressionModel,
    rng: np.random.Generator,
    *,
    design: dict,
    genome: Genome,
    batch: int,
) -> tuple[np.ndarray, np.ndarray]:
    """One sample's counts and, per gene, the expected share of its reads from blasts.

    The blast share (``f·leuk / (f·leuk + (1 − f)·normal)`` of the model, dosage
    included) is what the variant simulator mixes allele fractions with
    (:mod:`allstrat.simulate.variants`); the counts are the same draws as
    :func:`simulate_sample_counts`.
    """
    e = programme_log2(model, rng, design, genome)
    base, normal = _background(model, genome.sex, batch)
    leuk = base.copy()
    nz = np.flatnonzero(e)
    leuk[nz] *= 2.0 ** e[nz]
    cn = copy_number_at(genome.segments, model.chrom, model.pos, groups=model.groups)
    ncn = model.normal_cn(genome.sex)
    changed = np.flatnonzero((cn != ncn) & (ncn > 0))
    if len(changed):
        ratio = np.maximum(cn[changed] / ncn[changed], 0.005)
        leuk[changed] *= ratio**DOSAGE_EXPONENT
    f = design["blast_fraction"]
    blast = f * leuk / leuk.sum()
    mix = blast + (1 - f) * normal
    mu = design["library_size_target"] * mix
    shape = model.shape
    counts = rng.poisson(rng.gamma(shape, mu / shape)).astype(np.int32)
    return counts, np.divide(blast, mix, out=np.zeros_like(mix), where=mix > 0)


def gene_lengths(symbols: np.ndarray) -> np.ndarray:
    """Deterministic synthetic exonic gene lengths (bp), log-normal around 2.5 kb.

    Synthetic: the bundled gene table has spans (introns included), not exonic lengths;
    the value feeds the Length/TPM columns of featureCounts and salmon files and the
    read depth of simulated variant sites (:mod:`allstrat.simulate.variants`).
    """
    u = np.array([(zlib.crc32(str(s).encode()) + 0.5) / 2**32 for s in symbols])
    return np.clip(2500 * np.exp(0.7 * ndtri(u)), 300, 40_000).astype(np.int64)
