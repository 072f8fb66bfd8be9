"""allstrat.memo: content digests and the per-sample memo of a chunk stage."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from allstrat import memo as memo_mod
from allstrat.memo import MEMO_FORMAT, SampleMemo, code_digest, digest


def test_digest_is_content_based_and_type_tagged():
    a = pd.DataFrame({"chrom": ["1", "2"], "log2": [0.1, np.nan]}, index=["x", "y"])
    b = a.copy()
    assert digest(a) == digest(b)
    b.loc["y", "log2"] = 0.0
    assert digest(a) != digest(b)
    assert digest(1) != digest(1.0) != digest("1")
    assert digest(float("nan")) == digest(np.float64("nan"))
    assert digest({"a": 1, "b": 2}) == digest({"b": 2, "a": 1})
    assert digest([1, 2]) != digest([2, 1])
    assert digest(["ab", "c"]) != digest(["a", "bc"])  # length-prefixed strings
    assert digest(np.arange(3, dtype="int64")) != digest(np.arange(3, dtype="int32"))
    assert digest(a.columns) != digest(list(a.columns))


@pytest.mark.parametrize(
    "values", [[3, -1, 2**70], ["1", 1], [1, True], [None, "a"], [1.5, "x"], ["a", np.nan]]
)
def test_object_arrays_digest_as_their_elements_one_by_one(values):
    """All-int object arrays are hashed in one update of the same bytes as one update per
    element (so the same digest); mixed ones element by element, type-tagged.
    """
    import hashlib

    arr = np.array(values, dtype=object)
    h = hashlib.sha256()
    h.update(f"a{arr.dtype.str}{arr.shape}:".encode())
    for x in values:
        memo_mod._feed(h, x)
    assert digest(arr) == h.hexdigest()


def test_string_arrays_digest_their_content():
    """All-str object arrays go by distinct strings + codes: still every element counts."""

    def obj(*xs):
        return np.array(xs, dtype=object)

    base = obj("chr1", "chr1", "chr2", "é")
    assert digest(base) == digest(obj("chr1", "chr1", "chr2", "é"))
    others = [
        obj("chr1", "chr2", "chr1", "é"),  # order
        obj("chr1", "chr1", "chr2", "e"),  # one element
        obj("chr1", "chr1", "chr2"),  # length
        obj("chr1", "chr1", "chr2", "é", "é"),
        obj("chr1", "chr1", "chr", "2é"),  # boundaries
        obj("chr1", "chr1", "chr2", 1),  # a non-string
        np.array(["chr1", "chr1", "chr2", "é"]),  # another dtype
    ]
    assert len({digest(base), *(digest(o) for o in others)}) == len(others) + 1
    assert digest(obj("ab", "c")) != digest(obj("a", "bc"))
    assert digest(obj("1", "2")) != digest(obj(1, 2))


def test_frame_digest_ignores_attrs_and_reads_every_column():
    a = pd.DataFrame({"chrom": ["chr1", "chr2"], "n": pd.array([1, None], dtype="Int64")})
    b = a.copy()
    b.attrs = {"source": "x.seg"}
    assert digest(a) == digest(b)
    assert b.attrs == {"source": "x.seg"}  # the caller's frame is left alone
    b.loc[1, "chrom"] = "chr3"
    assert digest(a) != digest(b)


def test_digest_ignores_timing_fields_of_dataclasses_and_rejects_unknown_types():
    @dataclasses.dataclass
    class Calls:
        path: str
        sites: pd.DataFrame
        seconds: float = 0.0

    sites = pd.DataFrame({"pos": [1, 2]})
    assert digest(Calls("v.vcf", sites, 1.5)) == digest(Calls("v.vcf", sites, 9.0))
    assert digest(Calls("v.vcf", sites)) != digest(Calls("w.vcf", sites))
    with pytest.raises(TypeError, match="no content hash for object"):
        digest(object())


def test_code_digest_is_stable_within_a_process_and_relative_to_the_checkout():
    assert code_digest() == code_digest()
    assert len(code_digest()) == 64


def test_memo_reuses_unchanged_samples_and_drops_samples_no_longer_present(tmp_path):
    path = tmp_path / "memo" / "chunk_0000.json"
    m = SampleMemo(path, stage="demo", context=({"threshold": 0.5},))
    for sid, value in (("S1", 1), ("S2", 2), ("S3", 3)):
        key = m.key(sid, value)
        assert m.get(sid, key) is None
        m.put(sid, key, {"value": value * 10})
    m.save()
    assert (m.hits, m.misses) == (0, 3)

    again = SampleMemo(path, stage="demo", context=({"threshold": 0.5},))
    assert again.get("S1", again.key("S1", 1)) == {"value": 10}
    assert again.get("S2", again.key("S2", 99)) is None  # its input changed
    again.put("S2", again.key("S2", 99), {"value": 990})
    again.save()  # S3 not asked for this run: dropped
    doc = json.loads(path.read_text())
    assert doc["format"] == MEMO_FORMAT
    assert sorted(doc["samples"]) == ["S1", "S2"]
    third = SampleMemo(path, stage="demo", context=({"threshold": 0.5},))
    assert third.get("S2", third.key("S2", 99)) == {"value": 990}
    assert third.get("S3", third.key("S3", 3)) is None


def test_memo_file_is_not_rewritten_when_every_sample_was_reused(tmp_path):
    path = tmp_path / "chunk.json"
    m = SampleMemo(path, stage="demo")
    for sid in ("S1", "S2"):
        m.put(sid, m.key(sid), sid)
    m.save()
    before = path.stat()
    again = SampleMemo(path, stage="demo")
    assert [again.get(s, again.key(s)) for s in ("S1", "S2")] == ["S1", "S2"]
    again.save()
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    fewer = SampleMemo(path, stage="demo")  # S2 left the chunk: rewritten without it
    assert fewer.get("S1", fewer.key("S1")) == "S1"
    fewer.save()
    assert sorted(json.loads(path.read_text())["samples"]) == ["S1"]


def test_memo_of_another_context_or_code_is_ignored(tmp_path, monkeypatch):
    path = tmp_path / "chunk.json"
    m = SampleMemo(path, stage="demo", context=("settings-a",))
    m.put("S1", m.key("S1"), "old")
    m.save()
    other = SampleMemo(path, stage="demo", context=("settings-b",))
    assert other.get("S1", other.key("S1")) is None
    monkeypatch.setattr(memo_mod, "code_digest", lambda: "edited-code")
    edited = SampleMemo(path, stage="demo", context=("settings-a",))
    assert edited.get("S1", edited.key("S1")) is None
    same = SampleMemo(path, stage="other-stage", context=("settings-a",))
    assert same.get("S1", same.key("S1")) is None


@pytest.mark.parametrize("content", [b"not json {", b'["wrong", "shape"]', b'{"format": 1}'])
def test_broken_or_foreign_memo_file_is_a_miss_and_is_replaced(tmp_path, content, caplog):
    path = tmp_path / "chunk.json"
    path.write_bytes(content)
    m = SampleMemo(path, stage="demo")
    assert m.get("S1", m.key("S1")) is None
    m.put("S1", m.key("S1"), 1)
    m.save()
    assert SampleMemo(path, stage="demo").get("S1", m.key("S1")) == 1
    assert not list(tmp_path.glob(".tmp-*"))


def test_results_come_back_as_json_values_with_non_finite_floats_kept(tmp_path):
    path = tmp_path / "chunk.json"
    m = SampleMemo(path, stage="demo")
    m.put("S1", m.key("S1"), {"x": np.float64("nan"), "n": np.int64(3), "t": (1, np.inf)})
    m.save()
    back = SampleMemo(path, stage="demo").get("S1", m.key("S1"))
    assert np.isnan(back["x"])
    assert back["n"] == 3
    assert back["t"] == [1, float("inf")]
    bad = SampleMemo(path, stage="demo")
    bad.put("S1", bad.key("S1"), object())
    with pytest.raises(TypeError, match="cannot store a object"):
        bad.save()


def test_memo_without_a_path_does_not_hash_the_package(monkeypatch):
    def refuse() -> str:
        raise AssertionError("code_digest called for a memo without a file")

    monkeypatch.setattr(memo_mod, "code_digest", refuse)
    m = SampleMemo(None, stage="demo", context=({"threshold": 0.5},))
    assert m.get("S1", m.key("S1")) is None


def test_memo_without_a_path_never_hits_and_writes_nothing(tmp_path):
    m = SampleMemo(None, stage="demo")
    m.put("S1", m.key("S1"), 1)
    assert m.get("S1", m.key("S1")) is None
    m.save()
    assert not list(tmp_path.iterdir())
