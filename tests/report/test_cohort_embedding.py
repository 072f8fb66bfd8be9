"""The cohort report's embedding input: row subsets read from the h5ad, genes chosen a block
of columns at a time, with the same numbers as on the whole float64 matrix.
"""

from __future__ import annotations

import anndata as ad
import numpy as np
import pandas as pd
import pytest

from allstrat.errors import InputError
from allstrat.report import cohort


def _whole_matrix_choice(x: np.ndarray, n_top: int) -> np.ndarray:
    """The gene choice as computed before, on the whole float64 matrix at once."""
    measured = np.isfinite(x).all(axis=0)
    var = np.where(measured, np.nan_to_num(x).var(axis=0), -1.0)
    keep = np.argsort(-var)[: min(n_top, int(measured.sum()))]
    return np.sort(keep[var[keep] > 0])


@pytest.mark.parametrize("size", [1, 7, 64, 1000])
def test_blockwise_gene_choice_equals_the_whole_matrix_one(size):
    rng = np.random.default_rng(3)
    x = rng.normal(0, 1, (40, 90)) * rng.uniform(0, 3, 90)
    x[:, 5] = 1.0  # constant: never chosen
    x[3, 11] = np.nan  # not measured in one sample: never chosen
    keep, sub = cohort._top_variable_genes(lambda a, b: x[:, a:b], x.shape[1], 25, size=size)
    want = _whole_matrix_choice(x, 25)
    np.testing.assert_array_equal(keep, want)
    assert 5 not in keep
    assert 11 not in keep
    assert sub.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(sub, x[:, want])


def test_library_sizes_equal_the_float64_row_sums():
    rows = np.random.default_rng(0).poisson(50, (1100, 300)).astype("float32")
    want = np.asarray(rows, float).sum(axis=1, keepdims=True)
    np.testing.assert_array_equal(cohort._library_sizes(rows, size=97), want)


def _h5ad(path, *, counts_only: bool, n: int = 30, genes: int = 60):
    rng = np.random.default_rng(1)
    centres = rng.normal(0, 3, (3, genes))
    counts = rng.poisson(np.exp(centres[np.arange(n) % 3] / 2 + 3)).astype("float32")
    obs = pd.DataFrame(index=pd.Index([f"S{i:02d}" for i in range(n)], name="sample_id"))
    var = pd.DataFrame(index=[f"G{i}" for i in range(genes)])
    a = ad.AnnData(X=None if counts_only else np.log2(counts + 1), obs=obs, var=var)
    a.layers["counts"] = counts
    a.uns["allstrat"] = {"provenance_json": "{}"}
    a.write_h5ad(path)
    subtypes = np.array(["A", "B", "C"])[np.arange(n) % 3]
    return pd.DataFrame({"sample_id": obs.index, "subtype": subtypes})


def test_matrix_reader_reads_x_rows_and_names(tmp_path):
    calls = _h5ad(tmp_path / "c.h5ad", counts_only=False)
    m = cohort._CohortMatrix(tmp_path / "c.h5ad")
    try:
        assert not m.counts
        assert (m.n_obs, m.n_vars) == (30, 60)
        assert list(m.obs_names) == list(calls["sample_id"])
        full = ad.read_h5ad(tmp_path / "c.h5ad")
        np.testing.assert_array_equal(m.rows(np.array([2, 5, 29])), full.X[[2, 5, 29]])
        assert m.uns["allstrat"]["provenance_json"] == "{}"
    finally:
        m.close()


def test_counts_only_cohort_is_embedded_from_log_cpm(tmp_path):
    """A cohort h5ad without X (raw counts only) is drawn from log-CPM of its counts."""
    calls = _h5ad(tmp_path / "c.h5ad", counts_only=True)
    m = cohort._CohortMatrix(tmp_path / "c.h5ad")
    try:
        assert m.counts
        coords, note = cohort._embedding(
            m, calls, reference=None, max_points=20, seed=0, umap=False
        )
    finally:
        m.close()
    assert note == "20 of 30 samples drawn (seeded random subsample)"
    assert coords is not None
    assert len(coords) == 20
    # the three simulated groups separate on PC1/PC2
    centre = coords.groupby("subtype")[["PC1", "PC2"]].mean()
    spread = coords.groupby("subtype")[["PC1", "PC2"]].std().max().max()
    gaps = [np.hypot(*(centre.iloc[i] - centre.iloc[j])) for i, j in ((0, 1), (0, 2), (1, 2))]
    assert min(gaps) > 2 * spread


def test_matrix_reader_names_a_broken_file(tmp_path):
    bad = tmp_path / "bad.h5ad"
    bad.write_text("not hdf5")
    with pytest.raises(InputError, match="cannot read h5ad"):
        cohort._CohortMatrix(bad)
    with pytest.raises(InputError, match="not found"):
        cohort._CohortMatrix(tmp_path / "missing.h5ad")
