"""Build the bundled RNA dosage reference from 36 real diploid B-ALL RNA-seq samples.

Source: the diploid standard of RNAseqCNV (honzee/RNAseqCNV commit 12af689b,
``data/diploid_standard_hg38.rda``, 36 of its 44 samples as HTSeq counts in
``../shared/data/rnaseqcnv/``; Barinka et al., Leukemia 2022). MIT licence, Copyright (c)
2023 honzee: the notice is kept beside the outputs (``resources/copynumber/
RNASEQCNV_LICENSE``).

Writes
* ``resources/copynumber/rna_dosage_reference.tsv.gz`` — per gene: symbol, Ensembl ID,
  chromosome, arm, median log2(count+1) after size-factor normalisation, robust SD,
  weight, and the loadings of the diploid samples' main residual axes (pc1..pcK);
* ``resources/copynumber/rna_dosage_calibration.tsv`` — per chromosome and arm: the
  leave-one-out expected shift and SD of a real diploid sample, plus header lines with
  the sex-chromosome dosage contrast (female − male on chrX) used to bound the dosage
  slope;
and prints the ``resources/MANIFEST.tsv`` rows (sha256) to paste.

    python workflow/scripts/build_rna_dosage_reference.py [--data ../shared/data/rnaseqcnv]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.copynumber import rna_dosage as rd
from allstrat.io.output import atomic_path, write_text
from allstrat.io.rnaseqcnv import SOURCE, SOURCE_COMMIT, read_diploid_standard
from allstrat.paths import resources_dir

# Genes escaping X inactivation in most tissues (Tukiainen et al., Nature 2017; Carrel &
# Willard, Nature 2005): expressed from both X in females, from one X in males.
X_ESCAPE = (
    "KDM6A",
    "KDM5C",
    "DDX3X",
    "EIF1AX",
    "ZFX",
    "USP9X",
    "RPS4X",
    "TXLNG",
    "PRKX",
    "NLGN4X",
    "TMSB4X",
    "SMC1A",
    "EIF2S3",
    "UBA1",
    "JPX",
    "STS",
    "CA5B",
    "GEMIN8",
    "MED14",
    "CXorf38",
    "ZRSR2",
    "TRAPPC2",
    "OFD1",
    "PNPLA4",
)

NOTICE = """\
Files in this folder named rna_dosage_* are derived from the diploid standard of
RNAseqCNV (https://github.com/honzee/RNAseqCNV, commit 12af689b; Barinka et al.,
Leukemia 2022) by workflow/scripts/build_rna_dosage_reference.py. RNAseqCNV licence:

"""


def x_contrast(std, reference: pd.DataFrame) -> dict:
    """Female − male log2 expression on chrX (all genes; escape genes)."""
    idx = std.genes.set_index("symbol").index.get_indexer(reference["symbol"])
    x = np.log2(std.counts[:, idx] + 1.0) - reference["median"].to_numpy()
    auto = reference["chrom"].isin(rd.AUTOSOMES).to_numpy()
    x -= np.median(x[:, auto], axis=1, keepdims=True)
    fem = (std.sex == "female").to_numpy()
    diff = pd.Series(np.median(x[fem], 0) - np.median(x[~fem], 0), index=reference["symbol"])
    onx = (reference["chrom"] == "chrX").to_numpy()
    esc = diff[diff.index.isin(X_ESCAPE)]
    return {
        "x_female_minus_male_all_genes": round(float(diff[onx].median()), 3),
        "x_female_minus_male_escape_genes": round(float(esc.median()), 3),
        "x_escape_genes_n": len(esc),
        "females": int(fem.sum()),
        "males": int((~fem).sum()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "rnaseqcnv"
    ap.add_argument("--data", default=str(default), help="folder with the RNAseqCNV files")
    args = ap.parse_args()
    std = read_diploid_standard(args.data)
    counts_sha = hashlib.sha256(
        (Path(args.data) / "diploid_standard_hg38.counts.tsv.gz").read_bytes()
    )
    ref = rd.fit_reference(std.counts, std.genes)
    table, info = rd.calibrate(std.counts, std.genes)
    # the bounds on the slope need every expressed X gene, not only the low-variance ones
    xc = x_contrast(std, rd.fit_reference(std.counts, std.genes, max_sd_quantile=1.0))
    meta = {
        "source": f"{SOURCE}@{SOURCE_COMMIT} data/diploid_standard_hg38.rda (MIT)",
        "input_sha256": counts_sha.hexdigest(),
        "samples": len(std.samples),
        "genes": len(ref),
        "n_components": sum(c.startswith("pc") for c in ref.columns),
        "loo_gene_mad": round(info["gene_mad"], 4),
        **xc,
    }
    head = "".join(f"# {k}: {v}\n" for k, v in meta.items())
    head += (
        "# loo_mean/loo_sd: shift of each real diploid sample scored against a reference "
        "fitted without it (two-pass centring as at run time).\n"
    )
    cal = table.reset_index().to_csv(
        sep="\t", index=False, float_format="%.4f", lineterminator="\n"
    )
    dest = resources_dir() / rd.RNA_CALIBRATION
    write_text(dest, head + cal)
    cols = ["symbol", "ensembl_id", "chrom", "arm", "median", "sd", "weight"]
    cols += [c for c in ref.columns if c.startswith("pc")]
    body = ref[cols].to_csv(sep="\t", index=False, float_format="%.5f", lineterminator="\n")
    gz = resources_dir() / rd.RNA_REFERENCE
    text = (
        f"# RNA dosage reference from {len(std.samples)} real diploid B-ALL samples "
        f"({SOURCE}@{SOURCE_COMMIT}, MIT); workflow/scripts/build_rna_dosage_reference.py\n" + body
    )
    with atomic_path(gz) as tmp:
        tmp.write_bytes(gzip.compress(text.encode(), mtime=0))
    lic = (Path(args.data) / "LICENSE").read_text(encoding="utf-8")
    write_text(dest.parent / "RNASEQCNV_LICENSE", NOTICE + lic)
    for p in (gz, dest, dest.parent / "RNASEQCNV_LICENSE"):
        print(f"{p.relative_to(resources_dir())}\t{hashlib.sha256(p.read_bytes()).hexdigest()}")
    print(meta)


if __name__ == "__main__":
    main()
