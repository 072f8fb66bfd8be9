"""The cohort UMAP is the same on every run: ARPACK's restart vectors are seeded.

A 10,000-sample cohort's UMAP differed between two runs on the same inputs: its 5,000-point
graph had tiny components (repeated samples: complete graphs of 6 points) on which ARPACK
asks for random restart vectors, drawn by SciPy from operating-system entropy.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from allstrat.report import cohort
from allstrat.report.seeded_arpack import arpack_params_classes, seeded_arpack


def _graph() -> sp.coo_matrix:
    """A UMAP-like graph with a 6-point complete component (ARPACK restarts on it)."""
    rng = np.random.default_rng(0)
    big = rng.uniform(0.1, 1.0, (30, 30))
    big = np.triu(big, 1) + np.triu(big, 1).T
    return sp.block_diag([sp.coo_matrix(big), sp.coo_matrix(np.ones((6, 6)) - np.eye(6))]).tocoo()


def _spectral(graph: sp.coo_matrix) -> np.ndarray:
    data = np.random.default_rng(1).normal(size=(graph.shape[0], 4))
    with warnings.catch_warnings():  # umap: no TensorFlow; ARPACK: spectral start failed
        warnings.simplefilter("ignore")
        from umap.spectral import spectral_layout

        return spectral_layout(data, graph, 2, np.random.RandomState(0))


def test_scipy_arpack_driver_is_found():
    """A SciPy whose eigsh takes an rng must have its driver classes found.

    (A SciPy that moves them fails here instead of silently drawing from entropy again.)
    """
    import inspect

    from scipy.sparse.linalg import eigsh

    if "rng" in inspect.signature(eigsh).parameters:
        assert arpack_params_classes()


def test_spectral_start_is_the_same_in_every_run():
    graph = _graph()
    with seeded_arpack(0):
        first = _spectral(graph)
    with seeded_arpack(0):
        second = _spectral(graph)
    np.testing.assert_array_equal(first, second)


def test_the_driver_is_restored_after_the_block():
    before = [cls.__dict__["__init__"] for cls in arpack_params_classes()]
    inside = []

    def fail() -> None:
        with seeded_arpack(3):
            inside.extend(cls.__dict__["__init__"] for cls in arpack_params_classes())
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail()
    assert inside != before
    assert [cls.__dict__["__init__"] for cls in arpack_params_classes()] == before


def test_a_run_without_restarts_is_unchanged():
    """A well-posed eigenproblem never asks for a random vector: same bits as without."""
    from scipy.sparse.linalg import eigsh

    a = np.random.default_rng(2).normal(size=(60, 60))
    a = a + a.T
    v0 = np.ones(60)
    plain = eigsh(a, 3, v0=v0)
    with seeded_arpack(0):
        seeded = eigsh(a, 3, v0=v0)
    np.testing.assert_array_equal(plain[0], seeded[0])
    np.testing.assert_array_equal(plain[1], seeded[1])


def _limited(pool: dict) -> bool:
    """The BLAS pools and scikit-learn's OpenMP (its kNN splits work by thread count)."""
    return pool["user_api"] == "blas" or "scikit_learn" in pool["filepath"]


def test_cohort_pca_and_umap_run_with_seeded_arpack_and_one_thread(monkeypatch):
    import scanpy as sc
    from threadpoolctl import threadpool_info

    plain = [cls.__dict__["__init__"] for cls in arpack_params_classes()]
    seen: list[str] = []

    def recorder(name, real):
        def run(*args, **kwargs):
            now = [cls.__dict__["__init__"] for cls in arpack_params_classes()]
            seen.append(name if now != plain or not plain else f"{name} unseeded")
            pools = {i["num_threads"] for i in threadpool_info() if _limited(i)}
            seen.append(f"threads {sorted(pools)}")
            return real(*args, **kwargs)

        return run

    monkeypatch.setattr(sc.tl, "pca", recorder("pca", sc.tl.pca))
    monkeypatch.setattr(sc.tl, "umap", recorder("umap", sc.tl.umap))
    x = np.random.default_rng(4).normal(size=(40, 30)).astype("float32")
    ids = [f"S{i:02d}" for i in range(40)]

    class Matrix:
        obs_names = pd.Index(ids)
        var_names = pd.Index([f"G{i}" for i in range(30)])
        n_obs, n_vars, counts, matrix = 40, 30, False, x

        def rows(self, idx):
            return x[idx]

    calls = pd.DataFrame({"sample_id": ids, "subtype": ["A", "B"] * 20})
    coords, _ = cohort._embedding(
        Matrix(), calls, reference=None, max_points=100, seed=0, umap=True
    )
    assert coords is not None
    assert "UMAP1" in coords
    pools = ["threads [1]"] if any(_limited(i) for i in threadpool_info()) else ["threads []"]
    assert [s for s in seen if not s.startswith("threads")] == ["pca", "umap"]
    assert [s for s in seen if s.startswith("threads")] == pools * 2
