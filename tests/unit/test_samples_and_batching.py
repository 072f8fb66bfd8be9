"""Sample sheet validation and chunking."""

from __future__ import annotations

import pytest

from allstrat.batching import missing_sample_files, split_chunks
from allstrat.errors import InputError
from allstrat.io.samples import read_sample_sheet

HEADER = "sample_id\texpression\texpression_format\tcopy_number\tcopy_number_format\n"


def _sheet(tmp_path, body: str):
    p = tmp_path / "samples.tsv"
    p.write_text(HEADER + body)
    return p


def test_valid_sheet(tmp_path):
    p = _sheet(tmp_path, "P1\tc.tsv\tmatrix\tx.seg\tseg\nP2\tc.tsv\tmatrix\t\t\n")
    df = read_sample_sheet(p)
    assert list(df.index) == ["P1", "P2"]
    assert df.loc["P2", "copy_number"] == ""


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("P/1\tc.tsv\tmatrix\t\t\n", "line 2"),
        ("..\tc.tsv\tmatrix\t\t\n", "line 2"),
        ("P 1\tc.tsv\tmatrix\t\t\n", "line 2"),
        ("P1;rm\tc.tsv\tmatrix\t\t\n", "line 2"),
        ("P1\tc.tsv\tmatrix\t\t\nP1\tc.tsv\tmatrix\t\t\n", "duplicate sample_id"),
        ("P1\tc.tsv\tcsv\t\t\n", "expression_format"),
        ("P1\tc.tsv\tmatrix\tx.seg\t\n", "copy_number_format is empty"),
    ],
)
def test_bad_sheets_name_line_and_problem(tmp_path, body, needle):
    p = _sheet(tmp_path, body)
    with pytest.raises(InputError, match=r"samples\.tsv") as exc:
        read_sample_sheet(p)
    assert needle in str(exc.value)


def test_unknown_column_and_comma_separated(tmp_path):
    p = tmp_path / "samples.tsv"
    p.write_text("sample_id\texpression\texpression_format\tcolour\nP1\tc\tmatrix\tred\n")
    with pytest.raises(InputError, match="unknown column"):
        read_sample_sheet(p)
    p.write_text("sample_id,expression,expression_format\nP1,c,matrix\n")
    with pytest.raises(InputError, match="tab-separated"):
        read_sample_sheet(p)


def test_empty_and_missing_sheet(tmp_path):
    p = tmp_path / "samples.tsv"
    p.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_sample_sheet(p)
    with pytest.raises(InputError, match="not found"):
        read_sample_sheet(tmp_path / "nope.tsv")


def test_split_chunks_is_stable_and_complete():
    ids = [f"S{i:03d}" for i in range(7)]
    chunks = split_chunks(reversed(ids), samples_per_job=3)
    assert chunks == {"0000": ids[:3], "0001": ids[3:6], "0002": ids[6:]}
    assert split_chunks(ids, samples_per_job=100) == {"0000": ids}
    with pytest.raises(ValueError, match="samples_per_job"):
        split_chunks(ids, samples_per_job=0)


def test_sheet_rows_of_a_chunk_and_of_named_samples(tmp_path):
    from allstrat.io.samples import select_sheet_rows

    body = "".join(f"P{i}\tc.tsv\tmatrix\t\t\n" for i in (5, 1, 4, 2, 3))
    p = _sheet(tmp_path, body)
    assert list(select_sheet_rows(p).index) == ["P1", "P2", "P3", "P4", "P5"]
    assert list(select_sheet_rows(p, chunk="0001", samples_per_job=2).index) == ["P3", "P4"]
    assert list(select_sheet_rows(p, chunk="0001", samples_per_job=2, samples=["P4"]).index) == [
        "P4"
    ]
    with pytest.raises(InputError, match="no chunk '0009'"):
        select_sheet_rows(p, chunk="0009", samples_per_job=2)
    with pytest.raises(InputError, match=r"\['P9'\] not in the sample sheet"):
        select_sheet_rows(p, samples=["P9"])


def test_first_bad_row_of_a_long_sheet_is_named(tmp_path):
    """Cells are validated per distinct value; the error still names the first bad row."""
    rows = [f"P{i}\tc.tsv\tmatrix\t\t\n" for i in range(500)]
    rows[300] = "P300\tc.tsv\tcsv\t\t\n"  # bad format
    rows[400] = "P 400\tc.tsv\tmatrix\t\t\n"  # bad id, later
    p = _sheet(tmp_path, "".join(rows))
    with pytest.raises(InputError, match="expression_format") as exc:
        read_sample_sheet(p)
    assert "line 302" in str(exc.value)
    assert exc.value.sample == "P300"


def test_missing_sample_files_lists_reports_of_built_chunks_only(tmp_path):
    out, keys = tmp_path / "samples", tmp_path / "keys"
    out.mkdir()
    keys.mkdir()
    chunks = {"0000": ["A", "B"], "0001": ["C"]}
    for name in ("A.json", "A.html", "B.json"):
        (out / name).write_text("x")
    (keys / "chunk_0000.json").write_text("{}")  # chunk 0001 not built yet
    done = str(keys / "chunk_{chunk}.json")
    missing = missing_sample_files(chunks, outdir=str(out), done=done)
    assert missing == [f"{out}/B.html"]
    assert missing_sample_files(chunks, outdir=str(tmp_path / "none"), done=done) == [
        f"{tmp_path / 'none'}/{s}.{e}" for s in ("A", "B") for e in ("json", "html")
    ]
