"""The chunk h5ad writer and reader (allstrat.io.chunk): not_measured applied once."""

from __future__ import annotations

import json

import numpy as np
import pytest

from allstrat.errors import InputError
from allstrat.io.chunk import read_expression_chunk, write_expression_chunk
from allstrat.io.cohort import read_expression_cohort, read_expression_files


def _files(tmp_path):
    a = tmp_path / "A.htseq.txt"
    a.write_text("IKZF1\t5\nERG\t0\nPAX5\t7\n__no_feature\t3\n")
    b = tmp_path / "B.htseq.txt"
    b.write_text("IKZF1\t2\nERG\t9\n")
    return a, b


def test_round_trip_not_measured_is_nan_zero_stays_zero(tmp_path, genes):
    a, b = _files(tmp_path)
    adata = read_expression_files([a, b], "htseq", genes)
    out = tmp_path / "chunk.h5ad"
    write_expression_chunk(out, adata)
    chunk = read_expression_chunk(out)
    assert list(chunk.counts.index) == ["A", "B"]
    assert chunk.counts.loc["A", "ERG"] == 0  # measured, zero reads
    assert np.isnan(chunk.counts.loc["B", "PAX5"])  # not in B's file: missing
    assert chunk.counts.loc["A", "PAX5"] == 7
    notes = json.loads(chunk.meta["file_notes_json"])
    assert notes["A"]["non_gene_counts"] == {"__no_feature": 3}
    assert "harmonisation" not in chunk.meta
    light = read_expression_chunk(out, counts=False)
    assert light.counts is None
    assert light.obs.loc["B", "n_genes_measured"] == 2
    sub = read_expression_chunk(out, samples=["B"])
    assert list(sub.counts.index) == ["B"]
    # all samples in the chunk's order (taken as read) or in another order (reordered)
    same = read_expression_chunk(out, samples=["A", "B"])
    assert same.counts.equals(chunk.counts)
    assert same.obs.equals(light.obs)
    swapped = read_expression_chunk(out, samples=["B", "A"])
    assert swapped.counts.equals(chunk.counts.loc[["B", "A"]])
    assert list(swapped.obs.index) == ["B", "A"]
    with pytest.raises(InputError, match=r"chunk\.h5ad.*\['Z'\] not in the expression chunk"):
        read_expression_chunk(out, samples=["Z"])
    with pytest.raises(InputError, match="not found"):
        read_expression_chunk(tmp_path / "absent.h5ad")


def test_command_line_files_and_sheet_rows_give_the_same_chunk(tmp_path, genes):
    import pandas as pd

    a, b = _files(tmp_path)
    sheet = pd.DataFrame(
        {"sample_id": ["A", "B"], "expression": [str(a), str(b)], "expression_format": "htseq"}
    )
    x = read_expression_cohort(sheet, genes)
    y = read_expression_files([a, b], "htseq", genes)
    assert (x.layers["counts"] == y.layers["counts"]).all()
    assert (x.layers["not_measured"] != y.layers["not_measured"]).nnz == 0
    assert x.obs.equals(y.obs)


def test_command_line_files_refuse_a_sample_twice(tmp_path, genes):
    a, _ = _files(tmp_path)
    copy = tmp_path / "sub"
    copy.mkdir()
    (copy / a.name).write_text(a.read_text())
    with pytest.raises(InputError, match=r"sample 'A'.*more than one input file"):
        read_expression_files([a, copy / a.name], "htseq", genes)
