"""Gene-ID harmonisation on realistic identifiers."""

from __future__ import annotations

import pandas as pd
import pytest

from allstrat.harmonise import harmonise_counts, harmonise_ids


def test_ensembl_with_and_without_version(genes):
    keys, rep = harmonise_ids(
        ["ENSG00000185811.19", "ENSG00000157554", "ENSG00000205755.12_PAR_Y"], genes
    )
    assert list(keys) == ["IKZF1", "ERG", "CRLF2"]
    assert rep.n_ensembl == 3
    assert rep.id_type == "ensembl"


def test_previous_symbols_and_aliases(genes):
    keys, rep = harmonise_ids(["AML1", "DSCR6", "GPR110", "IGJ", "TEL"], genes)
    assert list(keys) == ["RUNX1", "RIPPLY3", "ADGRF1", "JCHAIN", "ETV6"]
    assert rep.n_alias == 5


def test_alias_never_overrides_official_row(genes):
    keys, rep = harmonise_ids(["IKZF1", "IKAROS"], genes)
    assert list(keys) == ["IKZF1", ""]
    assert rep.n_unmapped == 1


def test_non_gene_rows_and_foreign_ids_are_reported(genes):
    ids = [
        "__no_feature",
        "__ambiguous",
        "N_unmapped",
        "ERCC-00002",
        "ENST00000331340.8",
        "ENSMUSG00000018654",
        "IKZF1",
    ]
    keys, rep = harmonise_ids(ids, genes)
    assert list(keys) == ["", "", "", "", "", "", "IKZF1"]
    assert rep.n_non_gene == 4
    assert rep.wrong_species_or_level == ["ENST00000331340.8", "ENSMUSG00000018654"]


def test_counts_collapse_duplicates_by_summing(genes):
    counts = pd.DataFrame(
        {"s1": [5, 7, 1, 3]},
        index=["ENSG00000205755.12", "ENSG00000205755.12_PAR_Y", "__no_feature", "PAX5"],
    )
    out, rep = harmonise_counts(counts, genes)
    assert out.loc["CRLF2", "s1"] == 12
    assert out.loc["PAX5", "s1"] == 3
    assert rep.n_collapsed == 1
    assert list(out.index) == ["PAX5", "CRLF2"]  # gene-table order: chr9 before chrX


@pytest.mark.shared_data
def test_real_allcatchr_symbols_harmonise(shared_data, genes):
    counts = pd.read_csv(shared_data / "allcatchr_test_counts.tsv", sep="\t", index_col=0)
    out, rep = harmonise_counts(counts, genes)
    assert rep.n_mapped / rep.n_input > 0.9
    for marker in ["CRLF2", "CLEC12A", "PBX1", "HOXA9", "EPOR", "NUTM1", "CDX2", "IKZF1", "ERG"]:
        assert marker in out.index
    # library sizes are kept (only unmapped rows drop out)
    assert (out.sum() / counts.sum() > 0.85).all()
