"""Nested results as plain Python values that JSON and HDF5 can hold (one cleaner).

Stage outputs carry nested records (explanations, harmonisation reports, provenance read
back from an h5ad) that mix numpy scalars and arrays, tuples, non-string keys and
non-finite floats. :func:`to_plain` turns them into what :func:`json.dumps` (with
``allow_nan=False``, as :func:`allstrat.io.output.write_json` writes) or an AnnData
``uns`` mapping written by h5py accepts. It is the only such converter in allstrat.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

__all__ = ["to_plain"]


def to_plain(obj: Any, *, target: Literal["json", "h5"] = "json") -> Any:
    """Convert a nested structure to plain Python values, recursively.

    Always: a mapping becomes a ``dict`` with ``str`` keys; a numpy array, list or
    tuple becomes a ``list``; a numpy scalar becomes the Python scalar.

    Parameters
    ----------
    obj
        Any nesting of mappings, sequences and scalars.
    target
        ``"json"``: NaN and ±inf become ``None`` (JSON has no non-finite numbers).
        ``"h5"``: what h5py cannot store in ``uns`` is replaced: ``None`` becomes
        ``""``, a list becomes the list of its items' text and an empty list ``""``
        (h5py stores neither empty nor mixed-type lists); floats are kept as they are.

    Returns
    -------
    Any
        The converted structure (``obj`` itself when nothing needed converting).

    Examples
    --------
    >>> to_plain({1: (np.float64("nan"), np.int64(2))})
    {'1': [None, 2]}
    >>> to_plain({"a": None, "b": [], "c": [1, "x"]}, target="h5")
    {'a': '', 'b': '', 'c': ['1', 'x']}
    """
    t = type(obj)
    if t is str or t is int or t is bool:  # the usual leaves first (explanations hold 100,000s)
        return obj
    if t is float and (target == "h5" or math.isfinite(obj)):
        return obj
    if t is dict or isinstance(obj, Mapping):
        return {str(k): to_plain(v, target=target) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        obj = obj.tolist()
    if isinstance(obj, list | tuple):
        if target == "h5":
            return [str(x) for x in obj] if obj else ""
        return [to_plain(v, target=target) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if obj is None and target == "h5":
        return ""
    if target == "json" and isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj
