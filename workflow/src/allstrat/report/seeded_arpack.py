"""Seeded ARPACK restarts, so the cohort embedding is the same on every run (issue #14).

ARPACK (the eigensolver behind PCA, UMAP's spectral initialisation and scikit-learn's
spectral embedding) sometimes asks its driver for a new random start vector: when the
Krylov subspace becomes invariant, which happens on the tiny disconnected components of
a UMAP graph (a 5,000-point graph of a 10,000-sample cohort had 120 of them). SciPy's
driver (since ARPACK's C port in SciPy 1.15) draws that vector from the ``rng`` given to
``eigsh``, and umap-learn, scikit-learn (``SpectralEmbedding``) and ``svds`` call it
without one: a fresh generator seeded from operating-system entropy, so the UMAP of the
same cohort differed from run to run. :func:`seeded_arpack` gives every ARPACK run
started inside it a generator seeded with ``seed``. A run that never asks for a random
vector does not touch it: its result is bit for bit what it was.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
from collections.abc import Iterator
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

__all__ = ["arpack_params_classes", "seeded_arpack"]


def arpack_params_classes() -> list[type]:
    """SciPy's ARPACK driver classes whose constructor takes the ``rng`` of a run
    (empty for a SciPy without them: its Fortran ARPACK seeds restarts itself).
    """
    try:
        from scipy.sparse.linalg._eigen.arpack import arpack
    except ImportError:  # pragma: no cover - moved in some SciPy
        return []
    found = []
    for name in ("_SymmetricArpackParams", "_UnsymmetricArpackParams"):
        cls = getattr(arpack, name, None)
        if isinstance(cls, type) and "rng" in inspect.signature(cls).parameters:
            found.append(cls)
    return found


@contextlib.contextmanager
def seeded_arpack(seed: int) -> Iterator[None]:
    """Within the block, every ARPACK run draws its restart vectors from
    ``numpy.random.default_rng(seed)`` (a new generator per run, so a run's result does
    not depend on the runs before it). Not thread-safe: it swaps a class attribute.
    """
    classes = arpack_params_classes()
    if not classes:
        logger.debug("SciPy's ARPACK driver takes no rng; restarts left as they are")
    saved = [(cls, cls.__dict__["__init__"]) for cls in classes]
    try:
        for cls, init in saved:
            cls.__init__ = _seeded_init(init, seed)  # type: ignore[misc]
        yield
    finally:
        for cls, init in saved:
            cls.__init__ = init  # type: ignore[misc]


def _seeded_init(init: Any, seed: int) -> Any:
    signature = inspect.signature(init)

    def seeded(*args: Any, **kwargs: Any) -> None:
        bound = signature.bind(*args, **kwargs)
        bound.arguments["rng"] = np.random.default_rng(seed)
        init(*bound.args, **bound.kwargs)

    return seeded
