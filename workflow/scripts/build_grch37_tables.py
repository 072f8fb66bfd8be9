"""Build the GRCh37 gene-coordinate and genome tables from RNAseqCNV's hg19 annotation.

Source: honzee/RNAseqCNV commit 12af689b (MIT, Copyright (c) 2023 honzee), files
``gene_annot_hg19.tsv.gz``, ``centromeres_hg19.tsv``, ``pseudoautosomal_regions_hg19.tsv``
in ``../shared/data/rnaseqcnv/`` (converted from the package's ``data/*.rda``).

Writes
* ``resources/genes/genes_grch37.tsv.gz`` — GRCh37 coordinates of the bundled gene table's
  symbols, joined by Ensembl gene ID (a separate table: the GRCh38 gene table, whose
  sha256 model cards record, is unchanged). Genes whose ID maps to several symbols or
  several hg19 loci are left out.
* ``resources/genome/chromosomes_grch37.tsv`` — GRCh37 chromosome lengths (UCSC hg19
  chromInfo, already in ``chromosomes_grch38.tsv`` as ``grch37_length``), RNAseqCNV hg19
  centromeres, PAR1/PAR2 on chrX.
* ``resources/genome/RNASEQCNV_LICENSE`` — the MIT notice.
and prints the sha256 for ``resources/MANIFEST.tsv``. IKZF1 exon coordinates have no
GRCh37 source here: GRCh37 samples get no exon-level IKZF1 typing (not assessable).

    python workflow/scripts/build_grch37_tables.py [--data ../shared/data/rnaseqcnv]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.copynumber.resources import load_chromosomes
from allstrat.io.gene_table import load_gene_table
from allstrat.io.output import atomic_path, write_text
from allstrat.paths import resources_dir

NOTICE = """\
genes/genes_grch37.tsv.gz and genome/chromosomes_grch37.tsv are derived from RNAseqCNV
(https://github.com/honzee/RNAseqCNV, commit 12af689b: gene_annot_hg19, centromeres_hg19,
pseudoautosomal_regions_hg19) by workflow/scripts/build_grch37_tables.py. RNAseqCNV licence:

"""


def gene_table_grch37(annot: pd.DataFrame) -> pd.DataFrame:
    """GRCh37 coordinates per bundled symbol, joined by unversioned Ensembl ID."""
    t = load_gene_table().table
    ens = t[["symbol", "ensembl_ids"]].copy()
    ens["ensembl_id"] = ens["ensembl_ids"].str.split("|")
    ens = ens.explode("ensembl_id")
    ens = ens[ens["ensembl_id"] != ""].reset_index(drop=True)
    # an ID shared by a named gene and LOC placeholders belongs to the named gene
    named = ~ens["symbol"].str.startswith("LOC")
    n_named = ens["ensembl_id"].map(ens[named].groupby("ensembl_id").size()).fillna(0)
    ens = pd.concat([ens[named & (n_named == 1)], ens[~named & (n_named == 0)]])
    ens = ens.drop_duplicates("ensembl_id", keep="first")
    a = annot.drop_duplicates("ENSG", keep=False).rename(columns={"ENSG": "ensembl_id"})
    a["chrom"] = "chr" + a["chr"].astype(str)
    g = ens.merge(a[["ensembl_id", "chrom", "start", "end"]], on="ensembl_id")
    g = g[~g["symbol"].duplicated(keep=False)]
    g = g[g["chrom"].isin(load_chromosomes().index)]
    # the same gene must sit on the same chromosome with a similar span in both builds;
    # otherwise (e.g. a read-through annotation) its GRCh37 locus is not trusted
    g38 = t.set_index("symbol").loc[g["symbol"]]
    span37 = (g["end"] - g["start"] + 1).to_numpy()
    span38 = (g38["end"] - g38["start"] + 1).to_numpy()
    ok = (g38["chrom"].to_numpy() == g["chrom"].to_numpy()) & (span37 <= 2 * span38)
    g = g[ok & (span37 >= span38 / 2)]
    return g[["symbol", "ensembl_id", "chrom", "start", "end"]].sort_values(
        ["chrom", "start"], key=lambda s: s.map(_order) if s.name == "chrom" else s
    )


def _order(chrom: str) -> int:
    return list(load_chromosomes().index).index(chrom)


def chromosome_table(cen: pd.DataFrame, par: pd.DataFrame) -> pd.DataFrame:
    """GRCh37 lengths + centromeres (+ PAR spans on chrX)."""
    g38 = load_chromosomes()
    cen = cen.assign(chrom="chr" + cen["chr"].astype(str)).set_index("chrom")
    out = pd.DataFrame(
        {
            "chrom": g38.index,
            "length": g38["grch37_length"].to_numpy(),
            "centromere_start": cen.loc[g38.index, "cstart"].astype("int64").to_numpy(),
            "centromere_end": cen.loc[g38.index, "cend"].astype("int64").to_numpy(),
            "acrocentric": g38["acrocentric"].astype(int).to_numpy(),
        }
    )
    p = par.set_index("reg")
    on_x = (out["chrom"] == "chrX").to_numpy()
    for reg, name in (("chrX_par1", "par1"), ("chrX_par2", "par2")):
        out[f"{name}_start"] = np.where(on_x, int(p.loc[reg, "parstart"]), 0)
        out[f"{name}_end"] = np.where(on_x, int(p.loc[reg, "parend"]), 0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "rnaseqcnv"
    ap.add_argument("--data", default=str(default), help="folder with the RNAseqCNV files")
    args = ap.parse_args()
    d = Path(args.data)
    annot = pd.read_csv(d / "gene_annot_hg19.tsv.gz", sep="\t", dtype={"chr": str})
    genes = gene_table_grch37(annot)
    gz = resources_dir() / "genes" / "genes_grch37.tsv.gz"
    head = (
        "# GRCh37 coordinates (1-based inclusive) of the bundled gene table's symbols, joined by "
        "Ensembl ID from RNAseqCNV@12af689b gene_annot_hg19 (MIT); "
        "workflow/scripts/build_grch37_tables.py\n"
    )
    body = genes.to_csv(sep="\t", index=False, lineterminator="\n")
    with atomic_path(gz) as tmp:
        tmp.write_bytes(gzip.compress((head + body).encode(), mtime=0))
    cen = pd.read_csv(d / "centromeres_hg19.tsv", sep="\t", dtype={"chr": str})
    par = pd.read_csv(d / "pseudoautosomal_regions_hg19.tsv", sep="\t")
    chroms = chromosome_table(cen, par)
    dest = resources_dir() / "genome" / "chromosomes_grch37.tsv"
    text = (
        "# GRCh37 chromosome lengths (UCSC hg19 chromInfo); centromeres and PAR1/PAR2 from "
        "RNAseqCNV@12af689b centromeres_hg19 / pseudoautosomal_regions_hg19 (MIT); "
        "workflow/scripts/build_grch37_tables.py\n"
    ) + chroms.to_csv(sep="\t", index=False, lineterminator="\n")
    write_text(dest, text)
    lic = resources_dir() / "genome" / "RNASEQCNV_LICENSE"
    write_text(lic, NOTICE + (d / "LICENSE").read_text(encoding="utf-8"))
    for p in (gz, dest, lic):
        print(f"{p.relative_to(resources_dir())}\t{hashlib.sha256(p.read_bytes()).hexdigest()}")
    print(f"{len(genes)} genes with GRCh37 coordinates")


if __name__ == "__main__":
    main()
