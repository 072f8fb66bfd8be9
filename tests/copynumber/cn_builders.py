"""Builders of hand-checkable copy-number inputs (imported by the copy-number tests)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from allstrat.copynumber.resources import load_chromosomes
from allstrat.copynumber.segments import expected_minor_fraction, expected_ratio


def build_segments(
    *,
    events: list[tuple[str, int, int, int]] = (),
    whole: dict[str, int] | None = None,
    purity: float = 1.0,
    sex: str = "female",
    baf: bool = False,
    loh: set[str] = frozenset(),
    centre: str = "median",
    sample_id: str = "S1",
) -> pd.DataFrame:
    """Segments of a synthetic genome.

    ``whole`` sets whole-chromosome copy numbers (default 2; X 1 and Y 1 for males),
    ``events`` are focal (chrom, start, end, cn) changes, ``loh`` chromosomes carry no
    heterozygosity. log2 ratios follow ``expected_ratio`` at ``purity`` and are centred
    on the length-weighted median (like CNVkit) unless ``centre="none"``.
    """
    chroms = load_chromosomes()
    whole = dict(whole or {})
    rows = []
    for chrom, info in chroms.iterrows():
        if chrom == "chrY" and sex == "female":
            continue
        normal = 1 if sex == "male" and chrom in ("chrX", "chrY") else 2
        base = whole.get(chrom, normal)
        pos = 1
        for _c, s, e, cn in sorted((ev for ev in events if ev[0] == chrom), key=lambda t: t[1]):
            if s > pos:
                rows.append((chrom, pos, s - 1, base))
            rows.append((chrom, s, e, cn))
            pos = e + 1
        if pos <= int(info["length"]):
            rows.append((chrom, pos, int(info["length"]), base))
    df = pd.DataFrame(rows, columns=["chrom", "start", "end", "cn"])
    df["log2"] = np.log2(np.clip(expected_ratio(df["cn"].to_numpy(), purity), 1e-3, None))
    if centre == "median":
        w = (df["end"] - df["start"] + 1).to_numpy()
        order = np.argsort(df["log2"].to_numpy())
        cw = np.cumsum(w[order])
        df["log2"] -= df["log2"].to_numpy()[order][np.searchsorted(cw, cw[-1] / 2)]
    if baf:
        vals = []
        for r in df.itertuples(index=False):
            minor = 0 if r.chrom in loh or r.cn < 2 else (1 if r.cn == 3 else r.cn // 2)
            vals.append(expected_minor_fraction(int(r.cn), minor, purity) if r.cn > 0 else np.nan)
        df["baf"] = vals
    else:
        df["baf"] = np.nan
    df["sample_id"] = sample_id
    df["n_probes"] = 50
    return df[["sample_id", "chrom", "start", "end", "log2", "n_probes", "baf"]]


def gene_span(genes: pd.DataFrame, symbol: str) -> tuple[str, int, int]:
    """(chrom, start, end) of a gene."""
    r = genes.loc[symbol]
    return r["chrom"], int(r["start"]), int(r["end"])


def exon_span(exons: pd.DataFrame, gene: str, first: int, last: int) -> tuple[int, int]:
    """Start of exon ``first`` and end of exon ``last`` (genomic order)."""
    ex = exons[(exons["gene"] == gene) & exons["exon"].between(first, last)]
    return int(ex["start"].min()), int(ex["end"].max())


# A hand-made IKZF1 exon layout inside the GRCh38 gene span (test fixture only: exon
# positions are evenly spaced, not an annotation), so exon-level tests do not depend on
# the bundled resource.
TEST_IKZF1_EXONS = pd.DataFrame(
    {
        "gene": "IKZF1",
        "exon": list(range(1, 9)),
        "chrom": "chr7",
        "start": [50_305_000 + 12_000 * i for i in range(8)],
        "end": [50_305_200 + 12_000 * i for i in range(8)],
    }
)
