"""AnnData ``.h5ad`` as an expression *input*.

``obs`` = samples and ``var`` = genes; counts in ``layers["counts"]``, else ``X``. Read
with h5py, only the requested samples are loaded. (The workflow's own chunk h5ad is written
and read by :mod:`allstrat.io.chunk`.)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.errors import InputError
from allstrat.io.expression._common import (
    HTSEQ_COUNTERS,
    INT32_MAX,
    STAR_COUNTERS,
    ExpressionFile,
    _check_file,
    _split_non_gene,
)


def read_h5ad(path: str | Path, *, samples: Sequence[str] | None = None) -> ExpressionFile:
    """Read counts from an ``.h5ad`` (obs = samples, var = genes).

    Counts come from ``layers["counts"]`` when present, else ``X`` (dense or sparse).
    With ``samples`` only those observations are read from disk.
    """
    import h5py
    from anndata.io import read_elem, sparse_dataset

    p = _check_file(path)
    try:
        fh = h5py.File(p, "r")
    except OSError as exc:
        raise InputError(f"cannot read h5ad (not an HDF5 file?): {exc}", path=p) from None
    try:
        try:
            obs_names = pd.Index(read_elem(fh["obs"]).index.astype(str))
            var_names = pd.Index(read_elem(fh["var"]).index.astype(str))
        except (KeyError, ValueError, TypeError) as exc:
            raise InputError(f"not an AnnData h5ad (obs / var unreadable: {exc})", path=p) from None
        if obs_names.has_duplicates:
            d = obs_names[obs_names.duplicated()][0]
            raise InputError("duplicate observation (sample) name in obs", path=p, sample=d)
        if var_names.has_duplicates:
            d = var_names[var_names.duplicated()][0]
            raise InputError(
                f"gene ID {d!r} appears twice in var; expected one column per gene "
                "(is the matrix transposed? obs must be samples, var genes)",
                path=p,
            )
        if samples is not None:
            missing = [s for s in samples if s not in obs_names]
            if missing:
                raise InputError(
                    f"sample(s) {missing[:5]} not among obs_names "
                    f"({', '.join(obs_names[:5])}, ...)",
                    path=p,
                    sample=missing[0],
                )
            use = list(dict.fromkeys(samples))
        else:
            use = list(obs_names)
        if "layers" in fh and "counts" in fh["layers"]:
            source, node = "layers['counts']", fh["layers"]["counts"]
        elif "X" in fh:
            source, node = "X", fh["X"]
        else:
            raise InputError("h5ad has neither layers['counts'] nor X", path=p)
        rows = obs_names.get_indexer(use)
        order = np.argsort(rows)
        sel = rows[order]  # h5py needs increasing indices
        try:
            if isinstance(node, h5py.Dataset):
                block = node[sel] if len(sel) < len(obs_names) else node[()]
            else:
                mat = sparse_dataset(node)
                block = mat[sel].toarray() if len(sel) < len(obs_names) else mat[:].toarray()
        except (KeyError, ValueError, TypeError, OSError) as exc:
            raise InputError(f"cannot read {source} from h5ad: {exc}", path=p) from None
    finally:
        fh.close()
    block = np.asarray(block)
    if block.shape != (len(sel), len(var_names)):
        raise InputError(
            f"{source} has shape {block.shape[1:]} per sample but var has {len(var_names)} genes",
            path=p,
        )
    block = block[np.argsort(order)]  # samples x genes, in the requested order
    if np.issubdtype(block.dtype, np.integer):
        checks = [(block < 0, "negative count"), (block > INT32_MAX, "count above 2^31-1")]
    else:
        block = block.astype("float64", copy=False)
        checks = [
            (np.isnan(block), "missing (NaN) count"),
            (block < 0, "negative count"),
            (block > INT32_MAX, "count above 2^31-1"),
            (
                block != np.floor(block),
                "non-integer count (expected raw read counts in "
                f"{source}; store them in layers['counts'])",
            ),
        ]
    for bad, why in checks:
        if bad.any():
            i, g = np.unravel_index(int(np.argmax(bad)), bad.shape)
            raise InputError(f"{why} for gene {var_names[g]!r}", path=p, sample=use[i])
    values = block.astype(np.int32, copy=False).T  # genes x samples (a view)
    counts = pd.DataFrame(values, index=var_names, columns=use, copy=False)
    counts, _, _counters = _split_non_gene(
        counts, np.zeros(len(counts), int), (*HTSEQ_COUNTERS, *STAR_COUNTERS)
    )
    notes: dict[str, object] = {"counts_from": source}
    return ExpressionFile(str(path), "h5ad", counts, np.zeros(len(counts), int), notes)
