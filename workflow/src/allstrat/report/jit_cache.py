"""Keep umap-learn's numba-compiled functions on disk between runs (issue #14).

The cohort report draws a UMAP with umap-learn, whose numba functions are compiled on
first use in every process: ~5 s CPU of the report's ~14 s at 1,000 samples, paid again
on every rerun (one changed sample reruns the cohort report). numba can keep compiled
code on disk (``cache=True``), but umap-learn asks for it on one function only.
:func:`enable_umap_cache` turns numba's own caching on for the others before their first
use. numba keeps the files where it keeps any cached function (``__pycache__`` beside
the package, else the user's cache folder; ``NUMBA_CACHE_DIR`` overrides) and compiles
again when the source or numba changes. A cached function is the same machine code: the
cohort report is byte-identical with and without the cache.
"""

from __future__ import annotations

import logging
import warnings
from types import ModuleType

logger = logging.getLogger(__name__)

__all__ = ["enable_umap_cache"]


def _modules() -> list[ModuleType]:
    with warnings.catch_warnings():  # umap warns that TensorFlow (parametric UMAP) is absent
        warnings.simplefilter("ignore", ImportWarning)
        import umap.layouts
        import umap.spectral
        import umap.umap_
        import umap.utils

    return [umap.umap_, umap.layouts, umap.spectral, umap.utils]


def enable_umap_cache() -> int:
    """Turn on numba's on-disk cache for umap-learn's module-level jitted functions.

    Returns the number of functions switched on (0 when already on, or when this numba
    cannot cache them: the report then compiles as before, only slower).
    """
    try:
        from numba.core.caching import NullCache
        from numba.core.dispatcher import Dispatcher

        modules = _modules()
    except ImportError as exc:  # pragma: no cover - umap-learn / numba are dependencies
        logger.debug("numba cache for umap not enabled: %s", exc)
        return 0
    n = 0
    for mod in modules:
        for obj in vars(mod).values():
            if isinstance(obj, Dispatcher) and isinstance(getattr(obj, "_cache", None), NullCache):
                try:
                    obj.enable_caching()
                except (RuntimeError, AttributeError, OSError) as exc:  # no writable cache dir
                    logger.debug("numba cache for umap not enabled: %s", exc)
                    return n
                n += 1
    return n
