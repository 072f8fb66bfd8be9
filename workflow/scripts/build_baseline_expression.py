"""Build resources/markers/baseline_expression.tsv.gz from a real public count matrix.

The simulator draws every synthetic sample around a per-gene baseline taken from real
B-ALL RNA-seq, so that the shape of the expression distribution (many low genes, a few
very high ones, realistic detection rates) is not invented. Input: the 10-sample
ALLCatchR test matrix (MIT licence; ``data/test_data.rda`` of ThomasBeder/ALLCatchR,
converted to TSV in ``../shared/data/allcatchr_test_counts.tsv``).

Per gene (after harmonising symbols to the bundled gene table): the median, mean and
coefficient of variation of counts-per-million across the samples, and the number of
samples with a non-zero count. Run from the checkout root::

    python workflow/scripts/build_baseline_expression.py \
        ../shared/data/allcatchr_test_counts.tsv resources/markers/baseline_expression.tsv.gz
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import sys
from pathlib import Path

import pandas as pd

from allstrat.harmonise import harmonise_counts
from allstrat.io.gene_table import load_gene_table
from allstrat.io.output import atomic_path


def main(argv: list[str] | None = None) -> int:
    """Build the baseline table; print its sha256."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("counts", help="genes x samples raw count TSV (first column gene_symbol)")
    ap.add_argument("out", help="output .tsv.gz")
    args = ap.parse_args(argv)
    src = Path(args.counts)
    raw = pd.read_csv(src, sep="\t", index_col=0)
    genes = load_gene_table()
    counts, rep = harmonise_counts(raw, genes)
    cpm = counts / counts.sum(axis=0) * 1e6
    table = pd.DataFrame(
        {
            "gene": counts.index,
            "median_cpm": cpm.median(axis=1).to_numpy(),
            "mean_cpm": cpm.mean(axis=1).to_numpy(),
            "cv_cpm": (cpm.std(axis=1, ddof=1) / cpm.mean(axis=1)).fillna(0).to_numpy(),
            "n_detected": (counts > 0).sum(axis=1).to_numpy(),
        }
    )
    src_sha = hashlib.sha256(src.read_bytes()).hexdigest()
    header = (
        f"# source: ALLCatchR data/test_data.rda (ThomasBeder/ALLCatchR @1fec6adc, MIT), "
        f"{counts.shape[1]} real B-ALL samples; input sha256 {src_sha}; "
        f"{rep.n_mapped} of {rep.n_input} gene rows mapped to the bundled gene table\n"
    )
    text = table.to_csv(sep="\t", index=False, float_format="%.6g", lineterminator="\n")
    # mtime=0 keeps the gzip bytes identical across rebuilds
    with (
        atomic_path(args.out) as tmp,
        tmp.open("wb") as fh,
        gzip.GzipFile(filename="", fileobj=fh, mode="wb", mtime=0) as gz,
    ):
        gz.write(header.encode())
        gz.write(text.encode())
    digest = hashlib.sha256(Path(args.out).read_bytes()).hexdigest()
    sys.stdout.write(f"{args.out}\t{len(table)} genes\tsha256 {digest}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
