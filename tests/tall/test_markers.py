"""The T-ALL marker table: complete, sourced, consistent with the gene table and contracts."""

from __future__ import annotations

from allstrat.contracts import TALL_SUBGROUPS
from allstrat.tall.markers import load_tall_markers, signatures, tall_panel_genes


def test_every_subgroup_has_a_sourced_up_programme():
    df = load_tall_markers()
    up, _ = signatures()
    assert set(df["subgroup"]) == set(TALL_SUBGROUPS)
    for sg in TALL_SUBGROUPS:
        assert up[sg], sg
    assert (df["source"].str.len() > 0).all()
    assert set(df["evidence"]) <= {"✔", "?", "(p)", "†"}


def test_genes_are_canonical_symbols(genes):
    missing = [g for g in tall_panel_genes() if g not in genes.table.index]
    assert missing == []


def test_driver_genes_are_strong_and_named_by_the_review():
    """The S1 drivers (DOMAIN.md §1.3) are the strongest up marker of their subgroup."""
    df = load_tall_markers()
    drivers = {"TAL1": "TAL1", "TAL2": "TAL2", "LYL1": "LYL1", "TLX1": "TLX1", "TLX3": "TLX3"}
    for sg, gene in drivers.items():
        rows = df[df["subgroup"] == sg]
        top = rows.loc[rows["log2fc_mean"].idxmax()]
        assert top["gene"] == gene
        assert "S1" in top["source"]


def test_alternative_drivers_share_an_alt_group():
    df = load_tall_markers().set_index(["subgroup", "gene"])
    assert df.loc[("LMO1/LMO2", "LMO1"), "alt_group"] == df.loc[("LMO1/LMO2", "LMO2"), "alt_group"]
    assert df.loc[("NKX2-1/NKX2-5", "NKX2-1"), "alt_group"] != ""
