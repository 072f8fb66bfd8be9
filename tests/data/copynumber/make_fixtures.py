"""Regenerate the copy-number CLI fixtures (deterministic; run from the checkout root).

    python tests/data/copynumber/make_fixtures.py

Segments come from tests/copynumber/cn_builders.py (exact expected log2 ratios for the
stated copy numbers and blast fraction, median-centred like CNVkit, rounded to 4
decimals); MLPA ratios are the derived expectations 1 - f/2 (het) / 1 - f (hom).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "copynumber"))

from cn_builders import build_segments  # noqa: E402

from allstrat.io.gene_table import load_gene_table  # noqa: E402

genes = load_gene_table().table


def span(g: str, pad: int = 5_000) -> tuple[str, int, int]:
    r = genes.loc[g]
    return r["chrom"], int(r["start"]) - pad, int(r["end"]) + pad


def main() -> None:
    segs = [
        # high hyperdiploid 55, +4 +10 +17, blast fraction 0.8
        build_segments(
            whole={
                "chr4": 3,
                "chr6": 3,
                "chr10": 3,
                "chr14": 3,
                "chr17": 3,
                "chr18": 3,
                "chr21": 4,
                "chrX": 3,
            },
            purity=0.8,
            sample_id="CN_HEH",
        ),
        # IKZF1plus: IKZF1 whole-gene deletion + CDKN2A/B homozygous, ERG intact
        build_segments(
            events=[(*span("IKZF1", 20_000), 1), ("chr9", 21_900_000, 22_100_000, 0)],
            purity=0.9,
            sample_id="CN_PLUS",
        ),
        # DUX4-like: IKZF1 deletion + PAX5 deletion + intragenic ERG deletion -> negative
        build_segments(
            events=[
                (*span("IKZF1", 20_000), 1),
                (*span("PAX5"), 1),
                ("chr21", 38_450_000, 38_520_000, 1),
            ],
            purity=1.0,
            sample_id="CN_DUX4",
        ),
    ]
    seg = pd.concat(segs, ignore_index=True)
    seg["log2"] = seg["log2"].round(4)
    out = pd.DataFrame(
        {
            "ID": seg["sample_id"],
            "chrom": seg["chrom"],
            "loc.start": seg["start"],
            "loc.end": seg["end"],
            "num.mark": seg["n_probes"],
            "seg.mean": seg["log2"],
        }
    )
    out.to_csv(HERE / "cohort.seg", sep="\t", index=False)

    f = 0.6  # MLPA sample blast fraction
    rows = []
    panel = {
        "IKZF1": 8,
        "CDKN2A": 2,
        "CDKN2B": 2,
        "PAX5": 4,
        "ETV6": 3,
        "RB1": 3,
        "BTG1": 2,
        "EBF1": 2,
        "CRLF2": 2,
        "CSF2RA": 2,
        "IL3RA": 2,
    }
    for gene, n in panel.items():
        g = genes.loc[gene]
        step = (int(g["end"]) - int(g["start"])) // (n + 1)
        for k in range(1, n + 1):
            ratio = 1.0
            if gene == "IKZF1" and 4 <= k <= 7:
                ratio = 1 - f / 2
            if gene in ("CSF2RA", "IL3RA"):
                ratio = 1 - f / 2
            rows.append(
                {
                    "sample_id": "CN_MLPA",
                    "probe": f"{gene}_{k:02d}",
                    "gene": gene,
                    "exon": str(k) if gene == "IKZF1" else "",
                    "ratio": round(ratio, 3),
                    "chrom": g["chrom"],
                    "position": int(g["start"]) + k * step,
                }
            )
    pd.DataFrame(rows).to_csv(HERE / "mlpa_long.tsv", sep="\t", index=False)

    calls = pd.DataFrame(
        {
            "sample_id": "CN_CALLS",
            "gene": [
                "IKZF1",
                "CDKN2A",
                "CDKN2B",
                "PAX5",
                "ERG",
                "ETV6",
                "RB1",
                "BTG1",
                "EBF1",
                "PAR1",
            ],
            "call": [
                "normal",
                "deleted",
                "normal",
                "normal",
                "normal",
                "deleted",
                "normal",
                "normal",
                "normal",
                "normal",
            ],
            "copy_number": [""] * 10,
        }
    )
    calls.to_csv(HERE / "gene_calls.tsv", sep="\t", index=False)


if __name__ == "__main__":
    main()
