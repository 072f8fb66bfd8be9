"""Read the RNAseqCNV diploid standard (real diploid B-ALL counts) for the RNA dosage reference.

The 36 real diploid paediatric B-ALL RNA-seq profiles of RNAseqCNV (honzee/RNAseqCNV
commit 12af689b, ``data/diploid_standard_hg38.rda``; Barinka et al., Leukemia 2022; MIT,
Copyright (c) 2023 honzee) are HTSeq counts keyed by Ensembl gene ID. This module maps
them onto the bundled gene table (canonical symbols, GRCh38 chromosome) and assigns each
gene to a chromosome arm with the RNAseqCNV GRCh38 gene coordinates and the bundled
centromeres. Genes in the pseudoautosomal regions, on chrY or chrM are left out (PAR
genes have two copies in both sexes; RNAseqCNV removes them too).

Used by ``workflow/scripts/build_rna_dosage_reference.py``, the leave-one-out test and
``benchmarks/bench_rna_dosage_loo.py``; the raw files are never copied into the project.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.copynumber.resources import load_chromosomes
from allstrat.copynumber.rna_dosage import DiploidStandard
from allstrat.errors import InputError
from allstrat.io.gene_table import load_gene_table

COUNTS_FILE = "diploid_standard_hg38.counts.tsv.gz"
ANNOT_FILE = "gene_annot_hg38.tsv.gz"
SOURCE = "honzee/RNAseqCNV"
SOURCE_COMMIT = "12af689b"

# chrY genes that are expressed in male B-ALL (NLGN4Y excluded: weak); sum CPM ≥ 50 = male
Y_GENES = ("RPS4Y1", "DDX3Y", "KDM5D", "UTY", "EIF1AY", "ZFY", "USP9Y")


def arm_of(chrom: pd.Series, start: pd.Series, end: pd.Series) -> pd.Series:
    """``p`` / ``q`` / "" (spanning the centromere or unknown) from GRCh38 coordinates."""
    chroms = load_chromosomes()
    cs = chrom.map(chroms["centromere_start"])
    ce = chrom.map(chroms["centromere_end"])
    arm = np.where(end < cs, "p", np.where(start > ce, "q", ""))
    return pd.Series(arm, index=chrom.index)


def read_diploid_standard(folder: str | Path) -> DiploidStandard:
    """Read the counts and GRCh38 annotation from ``folder`` (``../shared/data/rnaseqcnv``)."""
    folder = Path(folder)
    cpath, apath = folder / COUNTS_FILE, folder / ANNOT_FILE
    try:
        raw = pd.read_csv(cpath, sep="\t", index_col=0)
        annot = pd.read_csv(apath, sep="\t", dtype={"chr": str})
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the RNAseqCNV diploid standard: {exc}", path=cpath) from None
    raw.index = raw.index.str.replace(r"\.\d+$", "", regex=True)
    table = load_gene_table().table
    ens = table[["symbol", "chrom", "par", "ensembl_ids"]].copy()
    ens["ensembl_id"] = ens["ensembl_ids"].str.split("|")
    ens = ens.explode("ensembl_id")
    ens = ens[ens["ensembl_id"] != ""].drop_duplicates("ensembl_id", keep=False)
    annot = annot.drop_duplicates("ENSG", keep=False).set_index("ENSG")
    g = ens.set_index("ensembl_id").join(annot, how="inner")
    g = g[g.index.isin(raw.index)]
    # the annotation's chromosome must agree with the gene table (ambiguous IDs dropped)
    g = g[("chr" + g["chr"].astype(str)) == g["chrom"]]
    g = g[(g["par"] != "1") & ~g["chrom"].isin(["chrY", "chrM"])]
    g = g[~g["symbol"].duplicated(keep=False)]
    y_ids = ens[ens["symbol"].isin(Y_GENES)]["ensembl_id"]
    lib = raw.sum(axis=0)
    y_cpm = (raw.loc[raw.index.isin(y_ids)].sum(axis=0) / lib * 1e6).round(1)
    sex = pd.Series(np.where(y_cpm >= 50, "male", "female"), index=raw.columns)
    genes = pd.DataFrame(
        {
            "symbol": g["symbol"].to_numpy(),
            "ensembl_id": g.index.to_numpy(),
            "chrom": g["chrom"].to_numpy(),
            "start": g["start"].astype("int64").to_numpy(),
            "end": g["end"].astype("int64").to_numpy(),
        }
    )
    genes["arm"] = arm_of(genes["chrom"], genes["start"], genes["end"]).to_numpy()
    counts = raw.loc[genes["ensembl_id"]].to_numpy(dtype=float).T
    return DiploidStandard(counts, genes, list(raw.columns), sex, y_cpm)
