"""The bundled GRCh38 gene table: provenance and coordinates of the DOMAIN.md §8 genes."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

# DOMAIN.md §8 (MD-ALL info_gtf_hg38, Ensembl spans over all isoforms, 1-based).
# Our table comes from another source (UCSC knownGene via org.Hs.eg.db), so spans may
# differ by alternative first/last exons; chromosome, strand and a large overlap must agree.
DOMAIN_S8 = [
    ("IKZF1", "chr7", 50_304_068, 50_405_101, "+", "ENSG00000185811"),
    ("CDKN2A", "chr9", 21_967_752, 21_995_301, "-", "ENSG00000147889"),
    ("CDKN2B", "chr9", 22_002_903, 22_009_305, "-", "ENSG00000147883"),
    ("MTAP", "chr9", 21_802_636, 21_937_651, "+", "ENSG00000099810"),
    ("PAX5", "chr9", 36_833_269, 37_034_268, "-", "ENSG00000196092"),
    ("ERG", "chr21", 38_380_027, 38_661_780, "-", "ENSG00000157554"),
    ("RUNX1", "chr21", 34_787_801, 36_004_667, "-", "ENSG00000159216"),
    ("ETV6", "chr12", 11_649_674, 11_895_377, "+", "ENSG00000139083"),
    ("BTG1", "chr12", 92_140_278, 92_145_846, "-", "ENSG00000133639"),
    ("EBF1", "chr5", 158_695_916, 159_099_916, "-", "ENSG00000164330"),
    ("RB1", "chr13", 48_303_744, 48_599_436, "+", "ENSG00000139687"),
    ("CRLF2", "chrX", 1_187_549, 1_212_723, "-", "ENSG00000205755"),
    ("CSF2RA", "chrX", 1_268_800, 1_310_381, "+", "ENSG00000198223"),
    ("IL3RA", "chrX", 1_336_616, 1_382_689, "+", "ENSG00000185291"),
    ("SLC25A6", "chrX", 1_386_152, 1_392_113, "-", "ENSG00000169100"),
    ("ASMTL", "chrX", 1_403_139, 1_453_762, "-", "ENSG00000169093"),
    ("P2RY8", "chrX", 1_462_581, 1_537_185, "-", "ENSG00000182162"),
    ("DUX4", "chr4", 190_173_774, 190_185_942, "+", "ENSG00000260596"),
    ("CLEC12A", "chr12", 9_951_316, 9_995_694, "+", "ENSG00000172322"),
    ("TPMT", "chr6", 18_128_311, 18_155_077, "-", "ENSG00000137364"),
    ("NUDT15", "chr13", 48_037_726, 48_047_221, "+", "ENSG00000136159"),
]


@pytest.mark.parametrize(("symbol", "chrom", "start", "end", "strand", "ensg"), DOMAIN_S8)
def test_domain_s8_coordinates(genes, symbol, chrom, start, end, strand, ensg):
    row = genes.table.loc[symbol]
    assert row.chrom == chrom
    assert row.strand == strand
    assert ensg in row.ensembl_ids.split("|")
    overlap = min(end, row.end) - max(start, row.start) + 1
    shorter = min(end - start, row.end - row.start) + 1
    assert overlap / shorter > 0.95, (symbol, row.start, row.end)
    # Ends may differ by alternative first/last exons (Ensembl adds read-through
    # transcripts: RUNX1 by ~1 Mb, MTAP and RB1 by ~100 kb), never by a different locus.
    assert abs(row.start - start) < 150_000
    union = max(end, row.end) - min(start, row.start) + 1
    if symbol != "RUNX1":
        assert abs(row.end - end) < 150_000
        assert overlap / union > 0.4


def test_exact_starts_where_sources_share_the_transcript(genes):
    # CDKN2A, ERG, P2RY8 and CRLF2 ends are the same transcript boundary in both sources.
    assert genes.table.loc["CDKN2A", "start"] == 21_967_752
    assert (
        genes.table.loc["ERG", "end"] == 38_661_783 or genes.table.loc["ERG", "end"] == 38_661_780
    )
    assert genes.table.loc["P2RY8", "end"] == 1_537_185
    assert genes.table.loc["CRLF2", "end"] == 1_212_723


def test_every_gene_has_grch38_coordinates(genes):
    t = genes.table
    assert len(t) > 25_000
    assert (t["start"] > 0).all()
    assert (t["end"] >= t["start"]).all()
    assert t["chrom"].str.match(r"^chr([0-9]{1,2}|X|Y|M)$").all()


def test_manifest_records_sha256(root, genes):
    manifest = pd.read_csv(root / "resources" / "MANIFEST.tsv", sep="\t", dtype=str)
    row = manifest.set_index("path").loc["genes/genes_grch38.tsv.gz"]
    digest = hashlib.sha256(
        (root / "resources" / "genes" / "genes_grch38.tsv.gz").read_bytes()
    ).hexdigest()
    assert row["sha256"] == digest == genes.sha256
    assert "org.Hs.eg.db" in row["source"]
    assert row["release"]
