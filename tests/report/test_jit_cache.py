"""umap-learn's numba functions are cached on disk; a numba that cannot cache is tolerated."""

from __future__ import annotations

import types

import numba
import pytest
from numba.core.caching import NullCache
from numba.core.dispatcher import Dispatcher

from allstrat.report import jit_cache


def _double(x):
    return 2 * x


@pytest.fixture
def fake_module(monkeypatch):
    mod = types.ModuleType("fake_umap")
    mod.double = numba.njit(_double)
    mod.not_jitted = _double
    monkeypatch.setattr(jit_cache, "_modules", lambda: [mod])
    return mod


def test_jitted_functions_get_a_disk_cache_once(fake_module):
    assert isinstance(fake_module.double._cache, NullCache)
    assert jit_cache.enable_umap_cache() == 1
    assert not isinstance(fake_module.double._cache, NullCache)
    assert jit_cache.enable_umap_cache() == 0  # already on
    assert fake_module.double(21) == 42


def test_a_numba_that_cannot_cache_leaves_the_functions_as_they_were(fake_module, monkeypatch):
    def refuse(self):
        raise RuntimeError("cannot cache function: no locator available")

    monkeypatch.setattr(Dispatcher, "enable_caching", refuse)
    assert jit_cache.enable_umap_cache() == 0
    assert isinstance(fake_module.double._cache, NullCache)


def test_umap_neighbour_and_layout_functions_are_covered():
    jit_cache.enable_umap_cache()  # imports umap (quietening its TensorFlow ImportWarning)
    import umap.layouts
    import umap.umap_

    for fn in (umap.umap_.smooth_knn_dist, umap.umap_.compute_membership_strengths):
        assert not isinstance(fn._cache, NullCache)
    assert not isinstance(umap.layouts._nb_optimize_layout_euclidean_single_epoch._cache, NullCache)
