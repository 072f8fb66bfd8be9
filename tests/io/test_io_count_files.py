"""``read_count_files`` (classify --counts) equals the chunk path without building AnnData."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from allstrat.io.chunk import counts_from_anndata
from allstrat.io.cohort import read_count_files, read_expression_files

DATA = Path(__file__).resolve().parents[1] / "data" / "formats" / "expression"


@pytest.mark.parametrize(
    ("files", "fmt"),
    [
        (["PT001.featureCounts.txt"], "featurecounts"),
        (["PT002.htseq.txt"], "htseq"),
    ],
)
def test_same_counts_and_reports_as_the_anndata_path(files, fmt, genes, tmp_path):
    paths = [DATA / f for f in files]
    if fmt == "htseq":  # a second file measuring fewer genes: "not measured" stays NaN
        text = (DATA / "PT002.htseq.txt").read_text().splitlines()
        short = tmp_path / "PT009.htseq.txt"
        short.write_text("\n".join(text[: len(text) // 2] + text[-5:]) + "\n")
        paths.append(short)
    direct, reports = read_count_files(paths, fmt, genes)
    adata = read_expression_files(paths, fmt, genes)
    pd.testing.assert_frame_equal(direct, counts_from_anndata(adata), check_exact=True)
    assert reports == dict(adata.uns["allstrat"]["harmonisation"])
    if fmt == "htseq":
        assert np.isnan(direct.loc["PT009"]).any()
        assert not np.isnan(direct.loc["PT002"]).any()


@pytest.mark.shared_data
def test_same_counts_for_a_real_matrix(shared_data, genes):
    path = shared_data / "allcatchr_test_counts.tsv"
    direct, _ = read_count_files([path], "matrix", genes)
    adata = read_expression_files([path], "matrix", genes)
    pd.testing.assert_frame_equal(direct, counts_from_anndata(adata), check_exact=True)
