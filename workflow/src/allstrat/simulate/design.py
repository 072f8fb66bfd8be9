"""Per-sample design of a synthetic cohort: subtype, sex, blast fraction, library size,
batch, Ph-like kinase class and the defining fusion.

Every sample draws from its own random stream ``default_rng([seed, component, index])``,
so sample *i* of a cohort is the same whatever the cohort size, and adding a component
never changes the draws of another.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from allstrat.contracts import B_SUBTYPES, T_ALL, TALL_SUBGROUPS, UNCLASSIFIED

# Component ids of the per-sample random streams.
STREAM_DESIGN, STREAM_GENOME, STREAM_EXPRESSION, STREAM_FUSION, STREAM_CLINICAL = range(5)
STREAM_COPYNUMBER = 5
STREAM_TALL = 6  # T-ALL subgroup, its fusion and the ETP-ALL immunophenotype
STREAM_LAB = 7  # diagnostic genetics from the lab
STREAM_VARIANTS = 8  # RNA variant calls (germline SNVs, hotspots)
STREAM_COHORT = 99

# Share of all paediatric ALL (B + T). B-ALL subtype shares follow DOMAIN.md §1.2
# (HeH 20-30%, ETV6::RUNX1 20-25%, Ph-like 10-20%, TCF3::PBX1 ~5%, KMT2A ~5%,
# BCR::ABL1 ~3%, DUX4 4-7%, iAMP21 ~2%, PAX5alt ~7-11%, ETV6::RUNX1-like ~3%, rare
# types <1-2%), scaled to the 88% B-lineage share; T-ALL 10-15% of paediatric ALL
# [S17]. Exact values are modelling choices (UNVERIFIED); "unclassified" = B-other.
REALISTIC_FREQUENCIES: dict[str, float] = {
    "Hyperdiploid": 0.25,
    "ETV6::RUNX1": 0.22,
    "Ph-like": 0.12,
    "PAX5alt": 0.08,
    "TCF3::PBX1": 0.05,
    "DUX4": 0.05,
    "KMT2A": 0.04,
    "BCR::ABL1": 0.03,
    "ETV6::RUNX1-like": 0.025,
    "iAMP21": 0.02,
    "ZNF384": 0.02,
    "MEF2D": 0.015,
    "Near haploid": 0.01,
    "PAX5 P80R": 0.01,
    "NUTM1": 0.008,
    "CDX2/UBTF": 0.007,
    "Low hypodiploid": 0.005,
    "TCF3::HLF": 0.005,
    "ZEB2/CEBP": 0.005,
    "BCL2/MYC": 0.004,
    "IKZF1 N159Y": 0.003,
    UNCLASSIFIED: 0.04,
}
T_ALL_SHARE = 0.12

# Ph-like kinase classes (DOMAIN.md §3: ~50% CRLF2-r [S1], ABL-class ~10% [S35],
# JAK2/EPOR fusions a few %); the remainder has no detectable kinase fusion.
PH_LIKE_CLASSES: dict[str, float] = {
    "CRLF2-r": 0.5,
    "ABL-class": 0.12,
    "JAK-STAT": 0.22,  # JAK2 / EPOR fusions (0.12) + JAK-STAT mutations without fusion
    "unknown": 0.16,
}

# Defining fusions per subtype (5' gene, 3' gene, weight). Partner lists follow DOMAIN.md
# §1.2 / §3 and MARKERS.md; weights are modelling choices (UNVERIFIED).
FUSIONS: dict[str, list[tuple[str, str, float]]] = {
    "ETV6::RUNX1": [("ETV6", "RUNX1", 1.0)],
    "TCF3::PBX1": [("TCF3", "PBX1", 1.0)],
    "TCF3::HLF": [("TCF3", "HLF", 1.0)],
    "KMT2A": [("KMT2A", "AFF1", 0.5), ("KMT2A", "MLLT1", 0.2), ("KMT2A", "MLLT3", 0.2),
              ("KMT2A", "MLLT10", 0.05), ("KMT2A", "EPS15", 0.05)],
    "BCR::ABL1": [("BCR", "ABL1", 1.0)],
    "ZNF384": [("EP300", "ZNF384", 0.4), ("TCF3", "ZNF384", 0.3), ("TAF15", "ZNF384", 0.3)],
    "MEF2D": [("MEF2D", "BCL9", 0.6), ("MEF2D", "HNRNPUL1", 0.4)],
    "NUTM1": [("ACIN1", "NUTM1", 0.4), ("BRD9", "NUTM1", 0.3), ("CUX1", "NUTM1", 0.3)],
    "BCL2/MYC": [("IGH", "MYC", 0.5), ("IGH", "BCL2", 0.5)],
    "ZEB2/CEBP": [("IGH", "CEBPE", 1.0)],
    "CDX2/UBTF": [("UBTF", "ATXN7L3", 1.0)],
    "DUX4": [("IGH", "DUX4", 0.9), ("ERG", "DUX4", 0.1)],
    "PAX5alt": [("PAX5", "ETV6", 0.1), ("PAX5", "NOL4L", 0.1), ("PAX5", "AUTS2", 0.1)],
}  # fmt: skip

# T-ALL subgroups within T-ALL. Rough shares from Liu 2017 / Pölönen 2024 (TAL1 the largest,
# then TLX3, HOXA, TLX1, ETP-like, LMO, NKX2-1; the rest rare); exact values are modelling
# choices (UNVERIFIED).
TALL_FREQUENCIES: dict[str, float] = {
    "TAL1": 0.30, "TLX3": 0.18, "HOXA": 0.12, "TLX1": 0.08, "ETP-like": 0.10,
    "LMO1/LMO2": 0.07, "NKX2-1/NKX2-5": 0.05, "LYL1": 0.03, "BCL11B-activated": 0.03,
    "SPI1": 0.02, "MYB": 0.01, "TAL2": 0.01,
}  # fmt: skip
# Fusions an RNA caller can report per T-ALL subgroup (5' gene, 3' gene, weight; weights
# summing below 1 leave the rest without a detectable fusion: TCR-locus rearrangements and
# enhancer hijacks produce no chimeric transcript). STIL::TAL1 is the 1p33 deletion
# (S1/DOMAIN §1.3 drivers); HOXA: KMT2A-r, PICALM::MLLT10 / DDX3X::MLLT10, SET::NUP214
# (issue #16); SPI1: STMN1::SPI1, TCF7::SPI1 (Seki 2017). Weights: modelling choices.
TALL_FUSIONS: dict[str, list[tuple[str, str, float]]] = {
    "TAL1": [("STIL", "TAL1", 0.5)],
    "HOXA": [("KMT2A", "MLLT1", 0.25), ("PICALM", "MLLT10", 0.25), ("DDX3X", "MLLT10", 0.1),
             ("SET", "NUP214", 0.2)],
    "SPI1": [("STMN1", "SPI1", 0.5), ("TCF7", "SPI1", 0.4)],
}  # fmt: skip
# Probability that a case of the subgroup has the ETP-ALL immunophenotype (Coustan-Smith
# 2009: 12.6% of T-ALL; enriched in immature subgroups). Modelling choices (UNVERIFIED).
ETP_PROBABILITY: dict[str, float] = {
    "ETP-like": 0.8, "BCL11B-activated": 0.6, "LYL1": 0.3, "HOXA": 0.2, "SPI1": 0.2,
}  # fmt: skip
ETP_PROBABILITY_OTHER = 0.02
PH_LIKE_FUSIONS: dict[str, list[tuple[str, str, float]]] = {
    "CRLF2-r": [("P2RY8", "CRLF2", 0.5), ("IGH", "CRLF2", 0.5)],
    "ABL-class": [("EBF1", "PDGFRB", 0.3), ("ETV6", "ABL1", 0.15), ("NUP214", "ABL1", 0.15),
                  ("RANBP2", "ABL1", 0.1), ("ZMIZ1", "ABL2", 0.1), ("SSBP2", "CSF1R", 0.2)],
    "JAK-STAT": [("PAX5", "JAK2", 0.25), ("BCR", "JAK2", 0.1), ("IGH", "EPOR", 0.2),
                 ("", "", 0.45)],
}  # fmt: skip

# Blast fraction: most diagnostic marrows are blast-rich; a minority are not.
BLAST_BETA = (8.0, 2.0)  # mean 0.8 (modelling choice)
LOW_BLAST_PROB = 0.07  # share of low-blast samples, uniform 0.15-0.5 (modelling choice)
# Library size: log-normal, median 30 M reads, clipped to 8-120 M; real bulk B-ALL
# libraries span ~12-90 M (shared/data/README.md).
LIBSIZE_MEDIAN = 30e6
LIBSIZE_SIGMA = 0.45
LIBSIZE_CLIP = (8e6, 120e6)
MALE_SHARE = {"default": 0.55, T_ALL: 0.75}  # T-ALL male excess (modelling choice)


def label_weights(
    subtype_balance: str = "realistic", class_weights: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Return normalised sampling weights over truth labels.

    Parameters
    ----------
    subtype_balance
        ``"realistic"`` (paediatric frequencies incl. T-ALL and B-other) or ``"uniform"``
        (every B subtype and T-ALL equally often; no B-other), for training cohorts, or
        ``"tall"`` (T-ALL only; with :func:`tall_weights` uniform over its subgroups: the
        training cohort of the second-stage T-ALL model).
    class_weights
        Optional per-label multipliers applied on top (e.g. ``{"NUTM1": 5}`` to
        oversample a rare subtype); unknown labels raise ``ValueError``.
    """
    if subtype_balance == "realistic":
        w = {k: v * (1 - T_ALL_SHARE) for k, v in REALISTIC_FREQUENCIES.items()}
        total_b = sum(w.values())
        w = {k: v * (1 - T_ALL_SHARE) / total_b for k, v in w.items()}
        w[T_ALL] = T_ALL_SHARE
    elif subtype_balance == "uniform":
        w = dict.fromkeys((*B_SUBTYPES, T_ALL), 1.0)
    elif subtype_balance == "tall":
        w = {T_ALL: 1.0}
    else:
        msg = f"subtype_balance must be 'realistic', 'uniform' or 'tall', not {subtype_balance!r}"
        raise ValueError(msg)
    if class_weights:
        allowed = {*B_SUBTYPES, T_ALL, UNCLASSIFIED}
        bad = sorted(set(class_weights) - allowed)
        if bad:
            msg = f"unknown subtype label(s) in class_weights: {bad}; allowed: {sorted(allowed)}"
            raise ValueError(msg)
        for k, m in class_weights.items():
            if m < 0:
                msg = f"class weight for {k!r} must be >= 0"
                raise ValueError(msg)
            w[k] = w.get(k, 0.0) * m if k in w else float(m)
    total = sum(w.values())
    if total <= 0:
        msg = "class weights sum to zero"
        raise ValueError(msg)
    return {k: v / total for k, v in w.items() if v > 0}


def _pick(rng: np.random.Generator, options: list[tuple[str, str, float]]) -> tuple[str, str]:
    w = np.array([o[2] for o in options], dtype=float)
    k = int(rng.choice(len(options), p=w / w.sum()))
    return options[k][0], options[k][1]


def draw_sample(rng: np.random.Generator, weights: Mapping[str, float]) -> dict:
    """Draw one sample's design attributes from its own generator."""
    labels = list(weights)
    p = np.array([weights[k] for k in labels])
    subtype = labels[int(rng.choice(len(labels), p=p / p.sum()))]
    lineage = "T" if subtype == T_ALL else "B"
    male = MALE_SHARE.get(subtype, MALE_SHARE["default"])
    sex = "M" if rng.random() < male else "F"
    if rng.random() < LOW_BLAST_PROB:
        blast = float(rng.uniform(0.15, 0.5))
    else:
        blast = float(np.clip(rng.beta(*BLAST_BETA), 0.3, 0.99))
    libsize = float(np.clip(LIBSIZE_MEDIAN * np.exp(rng.normal(0, LIBSIZE_SIGMA)), *LIBSIZE_CLIP))
    kinase = ""
    fusion5, fusion3 = "", ""
    if subtype == "Ph-like":
        classes = list(PH_LIKE_CLASSES)
        pk = np.array(list(PH_LIKE_CLASSES.values()))
        kinase = classes[int(rng.choice(len(classes), p=pk / pk.sum()))]
        if kinase in PH_LIKE_FUSIONS:
            fusion5, fusion3 = _pick(rng, PH_LIKE_FUSIONS[kinase])
    elif subtype in FUSIONS:
        opts = FUSIONS[subtype]
        total = sum(o[2] for o in opts)
        if total >= 1.0 or rng.random() < total:
            fusion5, fusion3 = _pick(rng, opts)
    return {
        "subtype": subtype,
        "lineage": lineage,
        "sex": sex,
        "blast_fraction": round(blast, 4),
        "library_size_target": int(libsize),
        "ph_like_kinase_class": kinase,
        "fusion": f"{fusion5}::{fusion3}" if fusion5 else "",
        "programme_strength": float(rng.beta(5.0, 2.0)),
    }


def tall_weights(subtype_balance: str = "realistic") -> dict[str, float]:
    """Sampling weights over T-ALL subgroups: uniform for ``"tall"``, else realistic."""
    if subtype_balance == "tall":
        return dict.fromkeys(TALL_SUBGROUPS, 1.0 / len(TALL_SUBGROUPS))
    total = sum(TALL_FREQUENCIES.values())
    return {k: v / total for k, v in TALL_FREQUENCIES.items()}


def draw_tall(rng: np.random.Generator, weights: Mapping[str, float]) -> dict:
    """T-ALL subgroup, its caller-visible fusion and ETP-ALL immunophenotype of one case."""
    labels = list(weights)
    p = np.array([weights[k] for k in labels])
    sub = labels[int(rng.choice(len(labels), p=p / p.sum()))]
    fusion = ""
    opts = TALL_FUSIONS.get(sub, [])
    if opts and rng.random() < sum(o[2] for o in opts):
        g5, g3 = _pick(rng, opts)
        fusion = f"{g5}::{g3}"
    etp = rng.random() < ETP_PROBABILITY.get(sub, ETP_PROBABILITY_OTHER)
    return {"tall_subgroup": sub, "fusion": fusion, "etp_all": "yes" if etp else "no"}
