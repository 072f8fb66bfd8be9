"""Batched atomic writes (allstrat.io.output.write_texts): all-or-nothing per file."""

from __future__ import annotations

import pytest

from allstrat.io.output import write_texts


def test_writes_every_file_and_removes_leftovers_of_killed_writers(tmp_path):
    out = tmp_path / "samples"
    out.mkdir()
    (out / ".tmp-A.html.x1y2z3ab").write_text("half")  # a killed writer's leftover
    (out / ".tmp-other.json.abcdefgh").write_text("kept")  # not ours to remove
    files = {out / f"{s}.{ext}": f"{s} {ext}\n" for s in ("A", "B") for ext in ("json", "html")}
    write_texts(files, batch=3)
    for path, text in files.items():
        assert path.read_text() == text
        assert (path.stat().st_mode & 0o777) == 0o644
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".tmp-")) == [
        ".tmp-other.json.abcdefgh"
    ]


def test_a_failure_leaves_no_half_written_or_temporary_file(tmp_path):
    files = {tmp_path / "ok.txt": "fine\n", tmp_path / "bad.txt": 42}  # 42: not text
    with pytest.raises(TypeError):
        write_texts(files)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []  # the batch's first file was not renamed either


def test_rewrite_replaces_content(tmp_path):
    p = tmp_path / "x.html"
    write_texts({p: "one"})
    write_texts({p: "two"})
    assert p.read_text() == "two"
