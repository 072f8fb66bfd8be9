"""Fusion readers on small files in the real Arriba / STAR-Fusion layouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from allstrat.errors import InputError
from allstrat.io.fusions import (
    EXTRA_COLUMNS,
    FUSION_COLUMNS,
    FUSION_READERS,
    read_fusions,
    starfusion_confidence,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "formats" / "fusions"
ARRIBA = DATA / "PT201.arriba.fusions.tsv"
STARF = DATA / "PT203.star-fusion.fusion_predictions.abridged.tsv"


def test_dispatch_covers_sample_sheet_formats(root):
    import yaml

    schema = yaml.safe_load((root / "workflow/schemas/samples.schema.yaml").read_text())
    pattern = schema["properties"]["fusions_format"]["pattern"]
    listed = pattern.split("(;(")[1].split(")")[0].split("|")
    assert set(listed) == set(FUSION_READERS)


def test_arriba(genes):
    f = read_fusions(ARRIBA, "arriba", sample_id="PT201", genes=genes)
    assert tuple(f.columns) == FUSION_COLUMNS + EXTRA_COLUMNS
    first = f.iloc[0]
    assert (first["gene5"], first["gene3"], first["confidence"]) == ("ETV6", "RUNX1", "high")
    assert first["junction_reads"] == 45 + 38
    assert first["spanning_reads"] == 61
    assert (first["breakpoint5"], first["breakpoint3"]) == ("chr12:11869969", "chr21:34859474")
    assert f.iloc[1][["gene5", "gene3", "fusion_type"]].tolist() == ["P2RY8", "CRLF2", "deletion"]
    # intergenic 5' partner: nearer gene, raw text kept
    assert f.iloc[2]["gene5"] == "RNU6-1"
    assert f.iloc[2]["gene5_raw"].startswith("RNU6-1(2341),")
    assert f.iloc[2]["confidence"] == "low"


def test_arriba_header_only_is_no_fusions(genes):
    f = read_fusions(DATA / "PT202.arriba.fusions.tsv", "arriba", sample_id="PT202", genes=genes)
    assert f.empty
    assert tuple(f.columns) == FUSION_COLUMNS + EXTRA_COLUMNS
    assert f["junction_reads"].dtype == "int64"


def test_starfusion(genes):
    f = read_fusions(STARF, "starfusion", sample_id="PT203", genes=genes)
    assert f["caller"].unique().tolist() == ["starfusion"]
    assert f[["gene5", "gene3"]].values.tolist() == [
        ["BCR", "ABL1"],
        ["EBF1", "PDGFRB"],
        ["TCF3", "PBX1"],
    ]
    assert f["breakpoint5"].tolist()[0] == "chr22:23290413"  # strand dropped
    assert f["confidence"].tolist() == ["high", "high", "low"]
    assert f["gene5_raw"].iloc[0] == "BCR^ENSG00000186716.21"


@pytest.mark.parametrize(
    ("j", "s", "ldas", "expected"),
    [
        (5, 1, "YES_LDAS", "high"),
        (4, 1, "YES_LDAS", "medium"),
        (2, 1, "YES_LDAS", "medium"),
        (2, 0, "YES_LDAS", "low"),
        (50, 20, "NO_LDAS", "low"),
    ],
)
def test_starfusion_confidence(j, s, ldas, expected):
    assert starfusion_confidence([j], [s], [ldas]).tolist() == [expected]


def test_empty_file_is_an_error(tmp_path, genes):
    p = tmp_path / "fusions.tsv"
    p.write_text("")
    with pytest.raises(InputError, match=r"fusions\.tsv: Arriba file is empty.*truncated"):
        read_fusions(p, "arriba", sample_id="S", genes=genes)


def test_wrong_caller_format(genes):
    with pytest.raises(InputError, match=r"line 1: this is a STAR-Fusion file .*'arriba'"):
        read_fusions(STARF, "arriba", sample_id="S", genes=genes)


def test_truncated_row(tmp_path, genes):
    lines = ARRIBA.read_text().splitlines()
    cut = lines[1].split("\t")[:10]
    p = tmp_path / "t.tsv"
    p.write_text("\n".join([lines[0], *lines[2:3], "\t".join(cut)]) + "\n")
    with pytest.raises(InputError, match=r"t\.tsv, line 3: .*line has 10 fields, the header 30"):
        read_fusions(p, "arriba", sample_id="S", genes=genes)


def test_bad_confidence_and_breakpoint(tmp_path, genes):
    lines = ARRIBA.read_text().splitlines()
    row = lines[1].split("\t")
    row[14] = "certain"
    p = tmp_path / "c.tsv"
    p.write_text(lines[0] + "\n" + "\t".join(row) + "\n")
    with pytest.raises(InputError, match=r"c\.tsv, line 2: confidence 'certain'"):
        read_fusions(p, "arriba", sample_id="S", genes=genes)
    row[14] = "high"
    row[4] = "chrUn_KI270742v1:100"
    p.write_text(lines[0] + "\n" + "\t".join(row) + "\n")
    with pytest.raises(InputError, match=r"c\.tsv, line 2: unknown chromosome"):
        read_fusions(p, "arriba", sample_id="S", genes=genes)


def test_unknown_format(genes):
    with pytest.raises(InputError, match="unknown fusions format 'defuse'"):
        read_fusions(ARRIBA, "defuse", sample_id="S", genes=genes)
