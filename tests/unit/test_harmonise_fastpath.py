"""Memoised harmonisation and the no-duplicate fast path give the same answers as before."""

from __future__ import annotations

import numpy as np
import pandas as pd

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
