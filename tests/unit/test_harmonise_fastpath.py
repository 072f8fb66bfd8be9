"""Memoised harmonisation and the no-duplicate fast path give the same answers as before."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from allstrat import harmonise
from allstrat.harmonise import harmonise_counts, harmonise_ids

IDS = ["ENSG00000185811.19", "__no_feature", "PAX5", "ENSG00000157554", "IGJ", "NOT_A_GENE"]


def _reference_counts(counts: pd.DataFrame, genes) -> pd.DataFrame:
    """The straightforward group-and-sum implementation the fast path must match."""
    keys, _ = harmonise_ids(list(counts.index), genes)
    sub = counts.loc[keys != ""]
    sub.index = keys[keys != ""]
    summed = sub.groupby(level=0).sum()
    order = [g for g in genes.symbols if g in set(summed.index)]
    return summed.loc[order]


def test_memoised_results_are_private_copies(genes):
    keys1, rep1 = harmonise_ids(IDS, genes)
    keys1[:] = "X"
    rep1.unmapped_examples.append("mutated")
    rep1.n_symbol = -1
    keys2, rep2 = harmonise_ids(IDS, genes)
    assert list(keys2) == ["IKZF1", "", "PAX5", "ERG", "JCHAIN", ""]
    assert rep2.n_symbol == 1
    assert "mutated" not in rep2.unmapped_examples


def test_whitespace_variants_share_one_answer(genes):
    keys, _ = harmonise_ids([f" {i} " for i in IDS], genes)
    assert list(keys) == list(harmonise_ids(IDS, genes)[0])


def test_memo_stays_bounded(genes):
    for k in range(3 * harmonise._MEMO_SIZE):
        harmonise_ids([*IDS, f"UNMAPPED{k}"], genes)
    assert len(harmonise._memo) <= harmonise._MEMO_SIZE


def test_fast_path_equals_group_and_sum(genes):
    rng = np.random.default_rng(3)
    counts = pd.DataFrame(
        rng.integers(0, 1000, size=(len(IDS), 3)), index=IDS, columns=["a", "b", "c"]
    )
    out, rep = harmonise_counts(counts, genes)
    assert rep.n_collapsed == 0
    expected = _reference_counts(counts, genes)
    np.testing.assert_array_equal(out.to_numpy(), expected.to_numpy())
    assert list(out.index) == list(expected.index)
    assert sorted(out.index) == ["ERG", "IKZF1", "JCHAIN", "PAX5"]
    assert list(out.columns) == ["a", "b", "c"]
    # repeated call (memo hit) is identical
    again, _ = harmonise_counts(counts, genes)
    pd.testing.assert_frame_equal(out, again)


def _htseq(path, rows):
    path.write_text("".join(f"{gene}\t{count}\n" for gene, count in rows))
    return path


def _sheet(path):
    return pd.DataFrame(
        {"sample_id": ["S1"], "expression": [str(path)], "expression_format": ["htseq"]}
    )


def test_conflict_check_still_refuses_one_gene_under_two_id_types(tmp_path, genes):
    """The fast conflict check (only rows sharing a gene) keeps refusing mixed ID types."""
    from allstrat.errors import InputError
    from allstrat.io.cohort import read_expression_cohort

    rows = [("ENSG00000157554", 5), ("ENSG00000185811.19", 7), ("PAX5", 1), ("IKZF1", 3)]
    bad = _htseq(tmp_path / "S1.counts", rows)
    with pytest.raises(InputError, match="given twice under different IDs"):
        read_expression_cohort(_sheet(bad), genes)


def test_par_y_copy_is_summed_not_refused(tmp_path, genes):
    from allstrat.io.cohort import read_expression_cohort

    rows = [("ENSG00000205755.12", 5), ("ENSG00000205755.12_PAR_Y", 7), ("ENSG00000157554", 2)]
    ok = _htseq(tmp_path / "S1.counts", rows)
    adata = read_expression_cohort(_sheet(ok), genes)
    counts = pd.Series(adata.layers["counts"][0], index=adata.var_names)
    assert counts["CRLF2"] == 12
    assert counts["ERG"] == 2
