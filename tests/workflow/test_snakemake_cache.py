"""Snakemake's metadata-record cache holds every output of a chunk report job."""

from __future__ import annotations

import pytest

from allstrat.snakemake_cache import unbound_metadata_cache

FilePersistence = pytest.importorskip("snakemake.persistence.file").FilePersistence


def test_each_metadata_record_is_read_once_until_metadata_changes(monkeypatch, tmp_path):
    monkeypatch.setattr(FilePersistence, "_read_record_cached", FilePersistence._read_record_cached)
    assert unbound_metadata_cache()
    assert FilePersistence._read_record_cached.cache_info().maxsize is None
    assert unbound_metadata_cache()  # idempotent
    reads: list[str] = []

    class Fake(FilePersistence):
        def __init__(self) -> None:  # no .snakemake folder needed
            self._metadata_path = str(tmp_path)
            self._incomplete_cache = None

        def _io_read(self, subject, id):
            reads.append(id)
            return {}

    p = Fake()
    keys = [f"results/samples/S{i}.json" for i in range(300)]  # > the default 128
    for _ in range(3):
        for k in keys:
            p._read_record(k)
    assert len(reads) == 300
    p._clear_cache()  # what Snakemake calls when it writes or deletes metadata
    p._read_record(keys[0])
    assert len(reads) == 301
