"""Gene-level genome-build check of a variants file (pure functions).

RNA-seq variant calls come from transcribed sequence, so nearly every site lies inside
an annotated gene body of the build the reads were aligned to. hg19 positions read as
GRCh38 (or the reverse) land in a gene only by chance — between GRCh37 and GRCh38 most
positions move by kilobases to megabases, so about half of the sites fall outside any
gene, while the other build's gene table still contains nearly all of them.

:func:`check_build` measures, over the sites of one sample, the fraction inside a gene
body of the **stated** build and of the **other** build, using only genes that have a
locus in both bundled tables (``resources/genes/genes_grch38.tsv.gz`` and
``genes_grch37.tsv.gz``) so that neither build is favoured by a larger table. The
build is suspected wrong when the stated build's fraction is at most
``max_in_gene_fraction`` and the other build's is higher by at least ``min_margin``.
Positions past a chromosome end of the stated build are refused earlier, by the reader
(:mod:`allstrat.io.variants`), as are ``##contig`` lengths of the other build.

Thresholds are configuration (``copynumber.build_check``): UNVERIFIED defaults from
the expected behaviour above (no real mis-declared RNA VCFs were available; on the
simulated and corpus VCFs the right build gives 1.0 and the wrong one 0.5-0.6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from allstrat.config import FROM_SCHEMA, schema_defaults

__all__ = ["BuildCheckSettings", "check_build", "common_gene_spans", "in_gene_mask"]

BUILDS = ("GRCh38", "GRCh37")


@dataclass(frozen=True)
@schema_defaults("copynumber.build_check")
class BuildCheckSettings:
    """Thresholds of the gene-level build check (config ``copynumber.build_check``)."""

    min_sites: int = FROM_SCHEMA
    max_in_gene_fraction: float = FROM_SCHEMA
    min_margin: float = FROM_SCHEMA

    def as_dict(self) -> dict:
        """JSON-ready copy."""
        return asdict(self)


def common_gene_spans(grch38: pd.DataFrame, grch37: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``build -> (chrom, start, end)`` of the genes located on the same chromosome in both.

    Both tables are indexed by gene symbol with ``chrom``, ``start``, ``end``.
    """
    a = grch38[["chrom", "start", "end"]]
    b = grch37[["chrom", "start", "end"]]
    a = a[~a.index.duplicated()]
    b = b[~b.index.duplicated()]
    both = a.index.intersection(b.index)
    same = both[(a.loc[both, "chrom"].to_numpy() == b.loc[both, "chrom"].to_numpy())]
    return {
        "GRCh38": a.loc[same].reset_index(drop=True),
        "GRCh37": b.loc[same].reset_index(drop=True),
    }


def in_gene_mask(chrom: pd.Series, pos: pd.Series, spans: pd.DataFrame) -> np.ndarray:
    """True where (chrom, pos) lies inside any span (1-based inclusive)."""
    out = np.zeros(len(chrom), dtype=bool)
    c_arr = chrom.to_numpy()
    p_arr = pos.to_numpy(dtype=np.int64)
    for c, g in spans.groupby("chrom", sort=False):
        rows = np.flatnonzero(c_arr == c)
        if not len(rows):
            continue
        order = np.argsort(g["start"].to_numpy(), kind="stable")
        st = g["start"].to_numpy(dtype=np.int64)[order]
        reach = np.maximum.accumulate(g["end"].to_numpy(dtype=np.int64)[order])
        k = np.searchsorted(st, p_arr[rows], side="right") - 1
        out[rows] = (k >= 0) & (reach[np.maximum(k, 0)] >= p_arr[rows])
    return out


def check_build(
    sites: pd.DataFrame,
    declared: str,
    *,
    spans: Mapping[str, pd.DataFrame],
    settings: BuildCheckSettings | None = None,
) -> dict:
    """Compare the sites' in-gene fraction under the stated and the other build.

    Parameters
    ----------
    sites
        Variant sites with ``chrom`` (``chrN``) and ``pos``.
    declared
        Build the sample sheet states.
    spans
        :func:`common_gene_spans` output.
    settings
        Thresholds (module docstring).

    Returns
    -------
    dict
        ``status`` (``consistent`` / ``mismatch_suspected`` / ``not_assessable``),
        ``declared``, ``other``, ``n_sites``, ``in_gene_fraction`` per build, ``message``
        and the settings.
    """
    s = settings or BuildCheckSettings()
    other = "GRCh37" if declared == "GRCh38" else "GRCh38"
    uniq = sites[["chrom", "pos"]].drop_duplicates()
    base = {"declared": declared, "other": other, "n_sites": len(uniq), "settings": s.as_dict()}
    if len(uniq) < s.min_sites:
        return {**base, "status": "not_assessable", "in_gene_fraction": {},
                "message": f"fewer than {s.min_sites} sites to check the genome build"}  # fmt: skip
    frac = {
        b: round(float(in_gene_mask(uniq["chrom"], uniq["pos"], spans[b]).mean()), 4)
        for b in (declared, other)
    }
    wrong = (
        frac[declared] <= s.max_in_gene_fraction and frac[other] - frac[declared] >= s.min_margin
    )
    if wrong:
        msg = (
            f"only {frac[declared]:.0%} of {len(uniq)} variant positions fall in {declared} "
            f"genes but {frac[other]:.0%} fall in {other} genes: the file looks like "
            f"{other} coordinates; check the sheet's genome_build"
        )
    else:
        msg = f"{frac[declared]:.0%} of {len(uniq)} variant positions fall in {declared} genes"
    return {**base, "status": "mismatch_suspected" if wrong else "consistent",
            "in_gene_fraction": frac, "message": msg}  # fmt: skip
