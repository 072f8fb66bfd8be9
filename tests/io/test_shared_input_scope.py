"""Input files shared by several samples are recorded per sample (provenance ``scope: sample``).

A cohort count matrix or SEG file changed for one sample must leave every other sample's
input record as it was (issue #14: their reports are then not written again), while a file
of one sample keeps its whole-file checksum.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from allstrat.io.cohort import read_expression_cohort
from allstrat.io.gene_table import load_gene_table
from allstrat.io.samples import SHARED_FILES, select_sheet_rows, shared_input_files
from allstrat.report.chunk import shared_copy_number_records

FORMATS = Path(__file__).resolve().parents[1] / "data" / "formats"


def _sheet(tmp_path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    lines = ["sample_id\texpression\texpression_format\tcopy_number\tcopy_number_format"]
    lines += ["\t".join(r) + ("\tseg" if r[3] else "\t") for r in rows]
    p = tmp_path / "samples.tsv"
    p.write_text("\n".join(lines) + "\n")
    return p


def _cohort(tmp_path: Path) -> tuple[Path, Path, Path]:
    matrix = tmp_path / "cohort.csv"
    shutil.copy(FORMATS / "expression" / "cohort_symbols.csv", matrix)
    seg = tmp_path / "cohort.seg"
    shutil.copy(FORMATS / "copynumber" / "cohort.seg", seg)
    own = tmp_path / "PT008.csv"  # PT008's column alone: a file of one sample
    table = pd.read_csv(matrix)
    table[["gene_id", "gene_name", "PT008"]].to_csv(own, index=False)
    sheet = _sheet(
        tmp_path,
        [
            ("PT006", str(matrix), "matrix", str(seg)),
            ("PT007", str(matrix), "matrix", str(seg)),
            ("PT008", str(own), "matrix", ""),
        ],
    )
    return sheet, matrix, seg


def _seg_ids(tmp_path: Path) -> None:
    """Give the SEG file's two samples the sheet's sample IDs."""
    seg = tmp_path / "cohort.seg"
    seg.write_text(seg.read_text().replace("PT102", "PT006").replace("PT103", "PT007"))


def test_shared_input_files_counts_the_whole_sheet(tmp_path):
    sheet, matrix, seg = _cohort(tmp_path)
    rows = select_sheet_rows(sheet, samples=["PT008"])
    # decided on the whole sheet, so the record does not depend on the chunk
    assert rows.attrs[SHARED_FILES] == frozenset({str(matrix), str(seg)})
    assert shared_input_files(rows.iloc[:0]) == frozenset()


def test_shared_matrix_gets_a_per_sample_digest_of_the_sample_column(tmp_path):
    sheet, matrix, _ = _cohort(tmp_path)
    genes = load_gene_table()

    def obs() -> pd.DataFrame:
        return read_expression_cohort(select_sheet_rows(sheet), genes).obs

    before = obs()
    own = before["expression_sample_sha256"].astype(str)
    assert own["PT008"] == ""  # its own file: whole-file checksum only
    assert len({own["PT006"], own["PT007"]}) == 2
    assert all(len(own[s]) == 64 for s in ("PT006", "PT007"))
    # the same sample's column under another chunking gives the same digest
    alone = read_expression_cohort(select_sheet_rows(sheet, samples=["PT006"]), genes).obs
    assert alone.loc["PT006", "expression_sample_sha256"] == own["PT006"]

    table = pd.read_csv(matrix)
    table.loc[0, "PT007"] += 5  # one sample's count changes
    table.to_csv(matrix, index=False)
    after = obs()
    changed = after["expression_sample_sha256"].astype(str) != own
    assert changed.to_dict() == {"PT006": False, "PT007": True, "PT008": False}
    whole = after["expression_sha256"].astype(str) != before["expression_sha256"].astype(str)
    assert whole.to_dict() == {"PT006": True, "PT007": True, "PT008": False}


def test_shared_seg_rows_get_a_per_sample_record(tmp_path):
    sheet, _, seg = _cohort(tmp_path)
    _seg_ids(tmp_path)
    rows = select_sheet_rows(sheet)
    before = shared_copy_number_records(rows, "GRCh38")
    assert sorted(before) == ["PT006", "PT007"]  # PT008 has no copy-number file
    rec = before["PT006"]
    assert (rec["path"], rec["role"], rec["scope"]) == (str(seg), "copy_number", "sample")
    assert before["PT006"]["sha256"] != before["PT007"]["sha256"]

    lines = seg.read_text().splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("PT007\t"))
    *head, value = lines[i].split("\t")
    lines[i] = "\t".join([*head, f"{float(value) - 0.5:.4f}"])
    seg.write_text("\n".join(lines) + "\n")
    after = shared_copy_number_records(select_sheet_rows(sheet), "GRCh38")
    assert after["PT006"] == before["PT006"]
    assert after["PT007"]["sha256"] != before["PT007"]["sha256"]


def test_a_file_of_one_sample_is_not_scoped(tmp_path):
    sheet, _, _ = _cohort(tmp_path)
    _seg_ids(tmp_path)
    rows = select_sheet_rows(sheet)
    rows.attrs[SHARED_FILES] = frozenset()  # as if each sample had its own SEG file
    assert shared_copy_number_records(rows, "GRCh38") == {}
