"""cohort.h5ad is concatenated on disk chunk by chunk, with the same content as in memory."""

from __future__ import annotations

import anndata as ad
import numpy as np
import pandas as pd

from allstrat.report import cohort


def _split_chunks(chunk_dir, tmp_path):
    """The fixture chunk's classify h5ad cut into two chunk files (2 + 2 samples)."""
    whole = ad.read_h5ad(chunk_dir / "results/classify/chunk_0000.h5ad")
    paths = []
    for k, part in enumerate((whole[:2], whole[2:])):
        p = tmp_path / f"chunk_{k:04d}.h5ad"
        part.copy().write_h5ad(p)
        paths.append(p)
    return paths


def _collect(chunk_dir, h5ad, out):
    r = chunk_dir / "results"
    ids = list(ad.read_h5ad(r / "classify/chunk_0000.h5ad").obs_names)
    cohort.collect_cohort(
        ids,
        classify=[r / "classify/chunk_0000.tsv"],
        copynumber=[r / "copynumber/chunk_0000.tsv"],
        risk=[r / "risk/chunk_0000.tsv"],
        h5ad=h5ad,
        out_calls=out.with_suffix(".tsv"),
        out_h5ad=out,
        config_hash="0" * 64,
    )
    return ad.read_h5ad(out)


def _same(a, b):
    assert list(a.obs_names) == list(b.obs_names)
    assert list(a.var_names) == list(b.var_names)
    np.testing.assert_array_equal(np.asarray(a.X), np.asarray(b.X))
    assert set(a.layers) == set(b.layers)
    for k in a.layers:
        np.testing.assert_array_equal(np.asarray(a.layers[k]), np.asarray(b.layers[k]))
    assert set(a.obsm) == set(b.obsm)
    pd.testing.assert_frame_equal(a.obs, b.obs, check_categorical=False)
    assert a.uns["allstrat"]["provenance_json"] == b.uns["allstrat"]["provenance_json"]


def test_on_disk_concatenation_equals_the_in_memory_one(chunk_dir, tmp_path, monkeypatch):
    parts = _split_chunks(chunk_dir, tmp_path)
    calls: list[str] = []
    real = cohort._concat_on_disk

    def spy(*a, **k):
        calls.append("disk")
        return real(*a, **k)

    monkeypatch.setattr(cohort, "_concat_on_disk", spy)
    on_disk = _collect(chunk_dir, parts, tmp_path / "disk.h5ad")
    assert calls == ["disk"]
    assert "subtype" in on_disk.obs
    assert "cn_ikzf1_status" in on_disk.obs
    monkeypatch.setattr(cohort, "_concat_on_disk", lambda *a, **k: (False, None))
    in_memory = _collect(chunk_dir, parts, tmp_path / "mem.h5ad")
    _same(on_disk, in_memory)


def test_chunks_given_out_of_order_are_concatenated_in_sample_order(chunk_dir, tmp_path):
    parts = _split_chunks(chunk_dir, tmp_path)
    out = _collect(chunk_dir, parts[::-1], tmp_path / "rev.h5ad")
    assert list(out.obs_names) == sorted(out.obs_names)
