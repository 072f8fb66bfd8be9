"""Snakemake's metadata-record cache holds every output of a chunk report job."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from allstrat import snakemake_cache
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


class _Recorder(FilePersistence):
    """Only what ``PersistenceBase.finished`` touches; records go to ``self.records``."""

    def __init__(self) -> None:  # no .snakemake folder needed
        from snakemake_interface_executor_plugins.settings import ExecMode

        workflow = SimpleNamespace(
            execution_settings=SimpleNamespace(keep_metadata=True),
            exec_mode=ExecMode.DEFAULT,
            remote_execution_settings=SimpleNamespace(immediate_submit=False),
        )
        self.dag = SimpleNamespace(workflow=workflow)
        self.max_checksum_file_size = 1000
        self.records: dict[str, dict] = {}

    def _code(self, rule): ...
    def _input(self, job): ...
    def _log(self, job): ...
    def _params(self, job): ...
    def _conda_env(self, job): ...
    def _software_stack_hash(self, job): ...
    def _clear_cache(self): ...
    def _read_record(self, key): ...
    def _unmark_incomplete(self, key): ...

    def _get_recorded_starttime(self, key):
        return 1.0

    def _write_record(self, key, record):
        self.records[key] = dict(record.items())


class _Job(SimpleNamespace):
    __hash__ = object.__hash__


class _Output(str):
    async def exists(self) -> bool:
        return False


def test_each_input_is_hashed_once_per_finished_job(monkeypatch):
    """One checksum per input file per job, and the same record values as unpatched."""
    from snakemake import io as smk_io
    from snakemake.persistence import PersistenceBase

    monkeypatch.setattr(PersistenceBase, "finished", PersistenceBase.finished)
    monkeypatch.setattr(PersistenceBase, snakemake_cache._PATCHED, False, raising=False)
    hashed: list[str] = []

    async def counting_checksum(self, threshold=None, force=False, algorithm=None):
        hashed.append(str(self))
        return f"sha256:{self}:{threshold}"

    # what the patch wraps: a stand-in for the hashing of the file itself
    monkeypatch.setattr(smk_io._IOFile, "checksum", counting_checksum)
    inputs = [smk_io._IOFile(f"in{i}.tsv", None) for i in range(3)]
    job = _Job(
        output=[_Output(f"out{i}.json") for i in range(50)],
        input=inputs,
        rule=SimpleNamespace(name="r"),
        shellcmd="",
        container_img_url=None,
    )

    def checksums_recorded() -> dict:
        hashed.clear()
        p = _Recorder()
        p._get_key = str  # the outputs are plain strings here
        asyncio.run(p.finished(job))
        return {k: v["input_checksums"] for k, v in p.records.items()}

    before = checksums_recorded()
    assert len(before) == 50
    assert len(hashed) == 50 * 3  # once per output and input
    assert snakemake_cache.checksum_inputs_once_per_job()
    assert snakemake_cache.checksum_inputs_once_per_job()  # idempotent
    assert checksums_recorded() == before
    assert sorted(hashed) == ["in0.tsv", "in1.tsv", "in2.tsv"]
    asyncio.run(inputs[0].checksum(1000))  # outside ``finished``: not remembered
    asyncio.run(inputs[0].checksum(1000))
    assert hashed.count("in0.tsv") == 3
