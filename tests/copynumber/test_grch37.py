"""GRCh37 segment input: each sample is called in the build its sheet states."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from allstrat.copynumber.caller import call_from_segments
from allstrat.copynumber.resources import chromosomes_for_build, load_gene_coordinates_grch37
from allstrat.copynumber.segments import validate_segments
from allstrat.errors import InputError


def _genome37(events=()):
    """Two-copy GRCh37 genome with focal (chrom, start, end, log2) events."""
    chroms = chromosomes_for_build("GRCh37")
    rows = []
    for chrom, info in chroms.iterrows():
        if chrom == "chrY":
            continue
        pos = 1
        for c, s, e, v in events:
            if c == chrom:
                rows.append((chrom, pos, s - 1, 0.0))
                rows.append((chrom, s, e, v))
                pos = e + 1
        rows.append((chrom, pos, int(info["length"]), 0.0))
    df = pd.DataFrame(rows, columns=["chrom", "start", "end", "log2"])
    df["sample_id"] = "S37"
    df["n_probes"] = 50
    df["baf"] = np.nan
    return df


def test_grch37_tables_are_built_and_runx1_is_not_guessed():
    chroms = chromosomes_for_build("GRCh37")
    assert chroms.loc["chr1", "length"] == 249_250_621
    assert chroms.loc["chr1", "centromere_start"] == 121_535_434
    genes = load_gene_coordinates_grch37()
    assert tuple(genes.loc["IKZF1", ["chrom", "start", "end"]]) == ("chr7", 50_343_720, 50_472_799)
    assert len(genes) > 20_000
    # RNAseqCNV's hg19 RUNX1 spans a 1.2 Mb read-through: no trusted locus, not guessed
    assert "RUNX1" not in genes.index


def test_grch37_sample_is_called_on_grch37_coordinates():
    ikzf1 = ("chr7", 50_343_720, 50_472_799, -1.0)  # whole-gene IKZF1 deletion, hg19
    cdkn2a = ("chr9", 21_900_000, 22_030_000, -3.0)  # CDKN2A/B biallelic, hg19
    res = call_from_segments(
        _genome37([ikzf1, cdkn2a]),
        sample_id="S37",
        genes=load_gene_coordinates_grch37(),
        chromosomes=chromosomes_for_build("GRCh37"),
        exons=None,
        blast_fraction=1.0,
        genome_build="GRCh37",
    )
    assert res.row["ikzf1_status"] == "deleted"
    assert res.row["ikzf1_deletion_type"] == "whole gene (Δ1–8)"
    assert res.row["cdkn2a_status"] == "homozygous_deleted"
    assert res.row["karyotype_class"] == "diploid"
    assert res.row["iamp21"] == "not_assessable"


def test_grch38_coordinates_declared_grch37_are_refused_with_the_line():
    df = _genome37()
    i = df.index[df["chrom"] == "chr17"][-1]
    df.loc[i, "end"] = 83_257_441  # GRCh38 chr17 end, past GRCh37's 81,195,210
    df["_line"] = np.arange(len(df)) + 2
    with pytest.raises(InputError, match=r"chr17.*beyond the GRCh37.*looks like GRCh38") as e:
        validate_segments(
            df,
            chromosomes=chromosomes_for_build("GRCh37"),
            sample_id="S37",
            genome_build="GRCh37",
            source="x.seg",
        )
    assert f"line {int(df.loc[i, '_line'])}" in str(e.value)
    assert "x.seg" in str(e.value)


def test_manifest_rows_match_the_grch37_files():
    import hashlib

    from allstrat.paths import resources_dir

    root = resources_dir()
    man = pd.read_csv(root / "MANIFEST.tsv", sep="\t", dtype=str).set_index("path")
    for rel in (
        "genes/genes_grch37.tsv.gz",
        "genome/chromosomes_grch37.tsv",
        "genome/RNASEQCNV_LICENSE",
    ):
        assert man.loc[rel, "sha256"] == hashlib.sha256((root / rel).read_bytes()).hexdigest()
        assert "MIT" in man.loc[rel, "licence"]
