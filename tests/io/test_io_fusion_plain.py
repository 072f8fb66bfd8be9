"""The fusion readers' plain-list parsing: the classify path equals the DataFrame path.

The readers parse each file into plain columns (``_common.Record``) and the classify verb
merges them without building a DataFrame per sample (a 2,500-sample job spent half its
time in per-file frames). These tests hold the two paths to the same calls, the fast
integer parsing to pandas' number parsing, and the error lines to the file's lines.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from allstrat.errors import InputError
from allstrat.io.fusions import merge_calls, read_fusion_sources, read_fusions, read_sample_fusions
from allstrat.io.fusions._common import Table, ints

DATA = Path(__file__).resolve().parents[1] / "data" / "formats" / "fusions"
ARRIBA = DATA / "PT201.arriba.fusions.tsv"
SOURCES = [
    ("PT201", [ARRIBA], ["arriba"]),
    ("PT202", [DATA / "PT202.arriba.fusions.tsv"], ["arriba"]),
    ("PT203", [DATA / "PT203.star-fusion.fusion_predictions.abridged.tsv"], ["starfusion"]),
    ("PT204", [DATA / "PT204/final-list_candidate-fusion-genes.txt"], ["fusioncatcher"]),
    ("PT205", [DATA / "PT205.fusioncatcher.no_coordinates.txt"], ["fusioncatcher"]),
    ("PT206", [DATA / "PT206.cicero.final_fusions.txt"], ["cicero"]),
    ("PT207", [DATA / "jaffa_results.csv"], ["jaffa"]),
    ("PT208", [DATA / "jaffa_results.csv"], ["jaffa"]),
]


def _sheet(entries: list[tuple[str, list[Path], list[str]]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "fusions": [";".join(map(str, ps)) for _, ps, _ in entries],
            "fusions_format": [";".join(fs) for _, _, fs in entries],
            "genome_build": "GRCh38",
        },
        index=pd.Index([s for s, _, _ in entries], name="sample_id"),
    )


def _via_frames(sid: str, paths: list[Path], fmts: list[str], genes) -> list[tuple]:
    """The calls as the DataFrame readers + merge_calls give them."""
    table = read_fusion_sources(";".join(map(str, paths)), ";".join(fmts), sample_id=sid,
                                genes=genes)  # fmt: skip
    m = merge_calls(table)
    return [
        (r.gene5, r.gene3, r.confidence, tuple(r.callers.split(";")),
         bool(r.gene5_in_table and r.gene3_in_table))
        for r in m.itertuples()
    ]  # fmt: skip


def test_classify_path_equals_the_frame_path(genes):
    got = read_sample_fusions(_sheet(SOURCES))
    n_calls = 0
    for sid, paths, fmts in SOURCES:
        want = _via_frames(sid, paths, fmts, genes)
        have = [(f.gene5, f.gene3, f.confidence, f.callers, f.in_gene_table) for f in got[sid]]
        assert have == want, sid
        n_calls += len(have)
    assert n_calls > 10  # the comparison is not vacuous


def test_classify_path_merges_several_callers(tmp_path, genes):
    """Arriba + FusionCatcher + JAFFA of one sample: merged as merge_calls merges them."""
    jaffa = tmp_path / "jaffa_results.csv"
    lines = (DATA / "jaffa_results.csv").read_text().splitlines()
    jaffa.write_text("\n".join([lines[0], *(ln for ln in lines[1:] if '"PT207"' in ln)]) + "\n")
    paths = [ARRIBA, DATA / "PT204/final-list_candidate-fusion-genes.txt", jaffa]
    fmts = ["arriba", "fusioncatcher", "jaffa"]
    got = read_sample_fusions(_sheet([("S", paths, fmts)]))["S"]
    want = _via_frames("S", paths, fmts, genes)
    assert [(f.gene5, f.gene3, f.confidence, f.callers, f.in_gene_table) for f in got] == want
    assert any(len(f.callers) > 1 for f in got)  # a fusion two callers report


def test_no_file_is_not_assessed_and_header_only_is_no_fusion():
    sheet = _sheet([("A", [DATA / "PT202.arriba.fusions.tsv"], ["arriba"])])
    sheet.loc["B"] = ["", "", "GRCh38"]
    assert read_sample_fusions(sheet) == {"A": [], "B": None}


VALUES = ["0", "7", "007", " 12 ", "1.0", "1e3", "+3", "-1", "1.5", "", "-", "NA", "x", "inf",
          "\u0663", "\u00b2", "12345678901234567", "99999999999999999999", "0x10"]  # fmt: skip


def _pandas_ints(values: list[str], dash_zero: bool) -> list[int] | tuple[int, str]:
    """The earlier pandas formulation of ``ints`` (the specification): the integers, or
    the (line, message) of the error.
    """
    s = pd.Series(values, dtype=object).str.strip()
    if dash_zero:
        s = s.replace({"-": "0", "": "0", "NA": "0"})
    num = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64")
    bad = np.isnan(num) | (num < 0) | (num != np.floor(num))
    if bad.any():
        k = int(np.argmax(bad))
        return k + 2, f"n {values[k]!r} is not a non-negative integer (truncated line?)"
    with np.errstate(invalid="ignore"):
        return [int(v) for v in num.astype("int64")]


@pytest.mark.parametrize("dash_zero", [False, True])
@pytest.mark.parametrize("value", VALUES)
def test_ints_as_pandas_number_parsing(value, dash_zero):
    values = ["3", value, "5"]
    t = Table(Path("f.tsv"), "arriba", ["n"], [[v] for v in values], [2, 3, 4])
    try:
        with np.errstate(invalid="ignore"):
            got: list[int] | tuple[int | None, str] = ints(values, t, "n", dash_zero=dash_zero)
    except InputError as exc:
        got = (exc.line, exc.detail)
    assert got == _pandas_ints(values, dash_zero)


def test_error_lines_count_blank_lines_and_long_files(tmp_path, genes):
    lines = ARRIBA.read_text().splitlines()
    row = lines[1].split("\t")
    body = ["\t".join(row)] * 300 + [""] + ["\t".join(row)] * 50
    bad = row.copy()
    bad[lines[0].lstrip("#").split("\t").index("confidence")] = "certain"
    p = tmp_path / "fusions.tsv"
    p.write_text("\n".join([lines[0], *body, "\t".join(bad)]) + "\n")
    with pytest.raises(InputError, match=r"fusions\.tsv, line 353: confidence 'certain'"):
        read_fusions(p, "arriba", sample_id="S", genes=genes)
    p.write_text("\n".join([lines[0], *body]) + "\n")
    assert len(read_fusions(p, "arriba", sample_id="S", genes=genes)) == 350


def test_superscript_position_is_an_input_error(tmp_path, genes):
    """``'²'.isdigit()`` is true but int() refuses it: a clear error, not a ValueError."""
    lines = (DATA / "PT206.cicero.final_fusions.txt").read_text().splitlines()
    header = lines[0].split("\t")
    row = lines[1].split("\t")
    row[header.index("posA")] = "\u00b2"
    p = tmp_path / "final_fusions.txt"
    p.write_text("\n".join([lines[0], "\t".join(row)]) + "\n")
    with pytest.raises(InputError, match=r"line 2: breakpoint position '²'"):
        read_fusions(p, "cicero", sample_id="PT206", genes=genes)


def test_a_used_column_named_twice_is_an_input_error(tmp_path, genes):
    lines = ARRIBA.read_text().splitlines()
    p = tmp_path / "fusions.tsv"
    p.write_text("\n".join(ln + ("\thigh" if k else "\tconfidence") for k, ln in
                           enumerate(lines)) + "\n")  # fmt: skip
    with pytest.raises(InputError, match=r"line 1: Arriba file: column 'confidence' appears twice"):
        read_fusions(p, "arriba", sample_id="S", genes=genes)
