"""Ensembl IDs the bundled gene table gives to more than one symbol (found by the
expression property test: RUNX1 vanished from Ensembl-keyed count files).
"""

from __future__ import annotations

from allstrat.harmonise import harmonise_ids


def test_shared_ensembl_ids_resolve_to_the_real_gene(genes):
    keys, rep = harmonise_ids(
        [
            "ENSG00000159216.20",  # RUNX1 (+ LOC100506403 placeholder)
            "ENSG00000158747",  # NBL1 (+ MICOS10-NBL1 read-through)
            "ENSG00000163156",  # SCNM1 (+ TNFAIP8L2-SCNM1 read-through)
        ],
        genes,
    )
    assert list(keys) == ["RUNX1", "NBL1", "SCNM1"]
    assert rep.n_unmapped == 0


def test_genuinely_ambiguous_ensembl_ids_stay_unmapped(genes):
    # DDX11L1/L2/L5/L16/L17 pseudogenes and OPN3/CHML (two protein-coding genes) share IDs
    keys, rep = harmonise_ids(["ENSG00000223972.5", "ENSG00000203668"], genes)
    assert list(keys) == ["", ""]
    assert rep.n_unmapped == 2
