"""``allstrat.io.counts_input``: what ``allstrat classify`` reads, in either mode."""

from __future__ import annotations

import pytest

from allstrat.errors import InputError
from allstrat.io.counts_input import read_counts_input


@pytest.fixture
def matrix(tmp_path, genes):
    symbols = list(genes.table.index[:50])
    lines = ["gene\tA\tB\tC"] + [f"{g}\t{i}\t{2 * i}\t{3 * i}" for i, g in enumerate(symbols)]
    p = tmp_path / "counts.tsv"
    p.write_text("\n".join(lines) + "\n")
    return p


def test_count_files_with_sheet_samples_in_sheet_order(matrix):
    data = read_counts_input(counts=[matrix], samples=["C", "A"])
    assert list(data.counts.index) == ["C", "A"]
    assert data.files == [(str(matrix), "counts")]
    assert data.upstream == {}


def test_sheet_sample_missing_from_the_counts_is_named(matrix):
    with pytest.raises(InputError, match=r"\['Z'\] of the sheet are not in --counts"):
        read_counts_input(counts=[matrix], samples=["A", "Z"])


def test_no_sample_left_is_refused(matrix):
    with pytest.raises(InputError, match="no samples to classify"):
        read_counts_input(counts=[matrix], samples=[])
