"""Provenance records: checksums, config hash, record layout."""

from __future__ import annotations

import hashlib
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allstrat import __version__
from allstrat.errors import InputError
from allstrat.provenance import (
    build_provenance,
    config_sha256,
    dependency_versions,
    file_record,
    h5ad_provenance,
    merge_model_records,
    resource_record,
    sha256_file,
)


def test_sha256_file_matches_hashlib(tmp_path):
    p = tmp_path / "x.txt"
    p.write_bytes(b"allstrat\n" * 1000)
    assert sha256_file(p) == hashlib.sha256(b"allstrat\n" * 1000).hexdigest()


def test_sha256_file_sees_changes(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("a")
    first = sha256_file(p)
    p.write_text("bb")  # different size: the cache key changes
    assert sha256_file(p) != first


def test_sha256_file_without_reuse_reads_the_bytes(tmp_path):
    """Same size, same mtime, other bytes: only ``reuse=False`` (model loading) sees it."""
    p = tmp_path / "model.bin"
    p.write_bytes(b"aaaa")
    st_ = p.stat()
    first = sha256_file(p)
    p.write_bytes(b"bbbb")
    os.utime(p, ns=(st_.st_atime_ns, st_.st_mtime_ns))
    assert sha256_file(p) == first  # the per-process cache trusts (path, size, mtime)
    assert sha256_file(p, reuse=False) == hashlib.sha256(b"bbbb").hexdigest()


def test_dependency_versions_names_missing_packages():
    got = dependency_versions(("numpy", "no-such-package-allstrat"))
    assert list(got) == ["numpy", "no-such-package-allstrat"]
    assert got["no-such-package-allstrat"] == "not installed"
    assert got["numpy"][0].isdigit()


def test_missing_file_is_input_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        sha256_file(tmp_path / "absent.tsv")


def test_file_record_keeps_path_as_given(tmp_path):
    p = tmp_path / "f.tsv"
    p.write_text("x")
    rec = file_record(p, role="classify_table")
    assert rec == {"path": str(p), "role": "classify_table", "sha256": sha256_file(p)}


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(st.dictionaries(st.text(max_size=6), _json, max_size=6))
def test_config_hash_ignores_key_order(cfg):
    reordered = dict(reversed(list(cfg.items())))
    assert config_sha256(cfg) == config_sha256(reordered)


def test_config_hash_sees_values():
    assert config_sha256({"a": 1}) != config_sha256({"a": 2})
    assert len(config_sha256({})) == 64


def test_merge_model_records_dedups_and_skips_empty():
    recs = [
        {"model_id": "m/1", "sha256": "aa"},
        {"model_id": "m/1", "sha256": "aa"},
        {"model_id": "", "sha256": ""},
        {"model_id": "a/2", "sha256": "bb"},
    ]
    assert merge_model_records(recs) == [
        {"model_id": "a/2", "sha256": "bb"},
        {"model_id": "m/1", "sha256": "aa"},
    ]


def test_build_provenance_layout(tmp_path):
    p = tmp_path / "in.tsv"
    p.write_text("x")
    prov = build_provenance(
        stage="report samples",
        inputs=[file_record(p, role="risk_table")],
        models=[{"model_id": "m/1", "sha256": "cc"}],
        rulesets={"nci_rome": "2026.1"},
        config_hash="f" * 64,
    )
    assert prov["allstrat_version"] == __version__
    assert prov["models"] == [{"model_id": "m/1", "sha256": "cc"}]
    assert prov["rulesets"] == {"nci_rome": "2026.1"}
    assert prov["inputs"][0]["sha256"] == sha256_file(p)
    assert "scikit-learn" in prov["dependencies"]
    assert prov["stage"] == "report samples"
    assert "upstream" not in prov
    assert "settings" not in prov
    # no wall-clock time: reruns give byte-identical outputs
    assert not any("time" in k or "date" in k for k in prov)


def test_one_key_set_for_every_stage():
    """``stage`` (never ``step``) and ``allstrat_version`` (never ``package_version``)."""
    prov = build_provenance(stage="classify", settings={"min_top": 0.5})
    assert {"stage", "allstrat_version", "settings"} <= set(prov)
    assert not {"step", "package_version"} & set(prov)
    assert prov["settings"] == {"min_top": 0.5}


def test_h5ad_provenance_round_trips(tmp_path):
    import json

    import anndata as ad
    import numpy as np

    prov = build_provenance(
        stage="collect",
        inputs=[resource_record("genome/chromosomes_grch38.tsv", role="chromosome_table")],
    )
    adata = ad.AnnData(np.zeros((1, 1)))
    adata.uns["allstrat"] = h5ad_provenance(prov)
    adata.write_h5ad(tmp_path / "x.h5ad")
    back = ad.read_h5ad(tmp_path / "x.h5ad").uns["allstrat"]
    assert back["stage"] == "collect"
    assert json.loads(back["provenance_json"]) == prov
    assert prov["inputs"][0]["path"] == "resources/genome/chromosomes_grch38.tsv"
