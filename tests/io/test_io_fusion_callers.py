"""FusionCatcher, CICERO and JAFFA readers, caller detection, build check and merging.

Fixtures under tests/data/formats/fusions use each tool's exact header (FusionCatcher
manual table 1 / v1.33 layout, CICERO ``rank_SVs.pl`` final_fusions.txt, JAFFA
``make_final_table.R`` with strand columns) and real GRCh38 (or GRCh37) breakpoints.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from allstrat.errors import InputError
from allstrat.io.fusions import (
    EXTRA_COLUMNS,
    FUSION_COLUMNS,
    detect_caller,
    ig_locus,
    merge_calls,
    read_fusion_sources,
    read_fusions,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "formats" / "fusions"
FC = DATA / "PT204" / "final-list_candidate-fusion-genes.txt"
FC19 = DATA / "PT204" / "final-list_candidate-fusion-genes.hg19.txt"
FC_NOCOORD = DATA / "PT205.fusioncatcher.no_coordinates.txt"
CICERO = DATA / "PT206.cicero.final_fusions.txt"
JAFFA = DATA / "jaffa_results.csv"
ARRIBA = DATA / "PT201.arriba.fusions.tsv"


def _rows(df):
    return [
        tuple(r) for r in df[["gene5", "gene3", "confidence", "passed"]].itertuples(index=False)
    ]


def test_fusioncatcher_grch38(genes):
    f = read_fusions(FC, "fusioncatcher", sample_id="PT204", genes=genes)
    assert tuple(f.columns) == FUSION_COLUMNS + EXTRA_COLUMNS
    assert _rows(f) == [
        ("ETV6", "RUNX1", "high", True),  # BOWTIE: 27 junction reads, 41 pairs
        ("ETV6", "RUNX1", "high", True),  # BOWTIE+BLAT report of the same junction
        ("HLA-DRB1", "HLA-DRB5", "high", False),  # banned, paralogs
        ("CTBS", "GNG5", "high", False),  # readthrough + healthy, no known label
        ("PAX5", "JAK2", "low", True),  # known but pairs only, no junction read
    ]
    assert f["filter_reason"].iloc[2].startswith("fusioncatcher:banned")
    assert "paralogs" in f["filter_reason"].iloc[2]
    assert f["filter_reason"].iloc[3] == "fusioncatcher:bodymap2,healthy,readthrough"
    first = f.iloc[0]
    assert (first["breakpoint5"], first["breakpoint3"], first["build"]) == (
        "chr12:11869969", "chr21:34859474", "GRCh38",
    )  # fmt: skip
    assert (first["junction_reads"], first["spanning_reads"]) == (27, 41)
    assert first["gene5_in_table"]
    assert first["gene3_in_table"]
    assert "known" in first["caller_confidence"]


def test_fusioncatcher_hg19_file_needs_a_grch37_sheet(genes):
    f = read_fusions(FC19, "fusioncatcher", sample_id="PT204", genes=genes, build="GRCh37")
    assert f["breakpoint5"].iloc[0] == "chr12:12022903"
    assert set(f["build"]) == {"GRCh37"}
    with pytest.raises(InputError, match=r"hg19\.txt: the file name states GRCh37 .* GRCh38"):
        read_fusions(FC19, "fusioncatcher", sample_id="PT204", genes=genes, build="GRCh38")


def test_grch37_coordinates_under_a_grch38_sheet_are_refused(tmp_path, genes):
    p = tmp_path / "final-list_candidate-fusion-genes.txt"  # hg19 content, neutral name
    shutil.copy(FC19, p)
    with pytest.raises(InputError, match=r"breakpoints lie outside .*ETV6 at chr12:12022903.*"
                       r"another genome build .* GRCh38"):  # fmt: skip
        read_fusions(p, "fusioncatcher", sample_id="PT204", genes=genes, build="GRCh38")


def test_fusioncatcher_without_coordinate_columns(genes):
    f = read_fusions(FC_NOCOORD, "fusioncatcher", sample_id="PT205", genes=genes)
    assert _rows(f)[0] == ("ETV6", "RUNX1", "high", True)
    assert set(f["breakpoint5"]) == {""}
    assert set(f["build"]) == {""}


def test_header_only_is_no_fusion_found(genes):
    f = read_fusions(
        DATA / "PT209.fusioncatcher.header_only.txt",
        "fusioncatcher",
        sample_id="PT209",
        genes=genes,
    )
    assert f.empty
    assert tuple(f.columns) == FUSION_COLUMNS + EXTRA_COLUMNS
    assert merge_calls(f).empty


def test_cicero(genes):
    f = read_fusions(CICERO, "cicero", sample_id="PT206", genes=genes)
    assert _rows(f) == [
        ("KMT2A", "AFF1", "high", True),  # HQ, medal 4 (known fusion)
        ("ETV6", "NCOA2", "medium", True),  # HQ, medal 1
        ("SSBP2", "CSF1R", "low", True),  # LQ
        ("CTBS", "GNG5", "low", False),  # RT read-through
        ("KMT2A", "KMT2A", "high", False),  # internal tandem duplication
        ("chr7:50304130", "IKZF1", "low", False),  # bad; intergenic partner kept
    ]
    assert f["filter_reason"].tolist()[3:] == [
        "cicero:read_through", "cicero:internal", "cicero:bad",
    ]  # fmt: skip
    assert f["junction_reads"].iloc[0] == 31  # max(readsA, readsB)
    assert f["breakpoint3"].iloc[0] == "chr4:87012825"
    assert not f["gene5_in_table"].iloc[5]  # NA partner: not a gene of the table
    assert f["caller_confidence"].iloc[0] == "rating=HQ;medal=4"


def test_jaffa_takes_the_sheet_sample(genes):
    f = read_fusions(JAFFA, "jaffa", sample_id="PT207", genes=genes)
    assert _rows(f) == [
        ("TCF3", "PBX1", "high", True),
        ("CTBS", "GNG5", "low", False),
        ("PAX5", "JAK2", "medium", True),
    ]
    assert f["filter_reason"].iloc[1] == "jaffa:PotentialRunThrough"
    assert (f["junction_reads"].iloc[2], f["spanning_reads"].iloc[2]) == (3, 0)  # "-" pairs
    g = read_fusions(JAFFA, "jaffa", sample_id="PT208", genes=genes)
    assert _rows(g) == [("ETV6", "RUNX1", "medium", True), ("ZNF384", "TAF15", "low", True)]
    with pytest.raises(InputError, match=r"jaffa_results\.csv, sample 'PT999': .*not this one"):
        read_fusions(JAFFA, "jaffa", sample_id="PT999", genes=genes)


def test_jaffa_error_names_the_line(tmp_path, genes):
    lines = JAFFA.read_text().splitlines()
    p = tmp_path / "jaffa_results.csv"
    p.write_text(
        "\n".join([lines[0], lines[1], lines[2].replace("PotentialRunThrough", "Maybe")]) + "\n"
    )
    with pytest.raises(InputError, match=r"line 3: classification 'Maybe'"):
        read_fusions(p, "jaffa", sample_id="PT207", genes=genes)


@pytest.mark.parametrize(
    ("path", "declared", "actual"),
    [
        (FC, "arriba", "FusionCatcher"),
        (CICERO, "fusioncatcher", "CICERO"),
        (JAFFA, "cicero", "JAFFA"),
        (ARRIBA, "jaffa", "Arriba"),
        (ARRIBA, "starfusion", "Arriba"),
    ],
)
def test_file_of_another_caller_is_named(path, declared, actual, genes):
    with pytest.raises(InputError, match=rf"line 1: this is an? {actual} file .*'{declared}'"):
        read_fusions(path, declared, sample_id="S", genes=genes)


def test_detect_caller_on_headers():
    assert detect_caller(FC.read_text().splitlines()[0].split("\t")) == "fusioncatcher"
    assert detect_caller(CICERO.read_text().splitlines()[0].split("\t")) == "cicero"
    assert detect_caller(["sample_id", "gene"]) is None


def test_unknown_gene_is_kept_and_marked(tmp_path, genes):
    text = FC_NOCOORD.read_text().replace("ETV6\tRUNX1", "ETV6\tNOTAGENE9", 1)
    text = text.replace("ENSG00000159216", "ENSG99999999999", 1)
    p = tmp_path / "final-list_candidate-fusion-genes.txt"
    p.write_text(text)
    f = read_fusions(p, "fusioncatcher", sample_id="S", genes=genes)
    assert f["gene3"].iloc[0] == "NOTAGENE9"
    assert not f["gene3_in_table"].iloc[0]
    m = merge_calls(f)
    assert ("ETV6", "NOTAGENE9") in set(zip(m["gene5"], m["gene3"], strict=True))
    assert not m.set_index("gene3").at["NOTAGENE9", "gene3_in_table"]


@pytest.mark.parametrize(
    ("name", "locus"),
    [("IGH", "IGH"), ("IGH@", "IGH"), ("IGHV3-21", "IGH"), ("IGHM", "IGH"), ("IGKC", "IGK"),
     ("IGLC2", "IGL"), ("IGLL1", None), ("IGHMBP2", None), ("IGF2BP1", None)],
)  # fmt: skip
def test_ig_locus(name, locus):
    assert ig_locus(name) == locus


def test_merge_two_callers_raises_confidence_and_records_callers(genes):
    fc = read_fusions(FC, "fusioncatcher", sample_id="S", genes=genes)
    ja = read_fusions(JAFFA, "jaffa", sample_id="PT207", genes=genes)
    ja["sample_id"] = "S"
    # JAFFA medium PAX5::JAK2 + FusionCatcher low PAX5::JAK2 -> agreement lifts to high
    m = merge_calls(pd.concat([fc, ja], ignore_index=True))
    row = m.set_index(["gene5", "gene3"]).loc[("PAX5", "JAK2")]
    assert row["callers"] == "fusioncatcher;jaffa"
    assert row["n_callers"] == 2
    assert row["confidence"] == "high"
    assert row["caller_confidences"] == "fusioncatcher:low;jaffa:medium"
    single = m.set_index(["gene5", "gene3"]).loc[("TCF3", "PBX1")]
    assert (single["callers"], single["confidence"]) == ("jaffa", "high")
    # filtered calls (banned, read-through) are never merged in
    assert ("HLA-DRB1", "HLA-DRB5") not in set(zip(m["gene5"], m["gene3"], strict=True))
    assert ("CTBS", "GNG5") not in set(zip(m["gene5"], m["gene3"], strict=True))
    # one caller reporting a fusion twice (two aligners) is not agreement
    etv6 = m.set_index(["gene5", "gene3"]).loc[("ETV6", "RUNX1")]
    assert (etv6["n_callers"], etv6["confidence"]) == (1, "high")


def test_read_fusion_sources(genes):
    t = read_fusion_sources(f"{ARRIBA};{FC}", "arriba;fusioncatcher", sample_id="S", genes=genes)
    assert set(t["caller"]) == {"arriba", "fusioncatcher"}
    m = merge_calls(t).set_index(["gene5", "gene3"])
    assert m.at[("ETV6", "RUNX1"), "callers"] == "arriba;fusioncatcher"
    with pytest.raises(
        InputError, match=r"sample 'S': fusions lists 2 file\(s\) but fusions_format 1"
    ):
        read_fusion_sources(f"{ARRIBA};{FC}", "arriba", sample_id="S", genes=genes)
    with pytest.raises(InputError, match=r"names caller\(s\) \['arriba'\] twice"):
        read_fusion_sources(f"{ARRIBA};{ARRIBA}", "arriba;arriba", sample_id="S", genes=genes)


@pytest.mark.parametrize(
    ("rating", "medal", "reads", "expected"),
    [("HQ", 4, 58, "high"), ("HQ", 2, 5, "high"), ("HQ", 1, 7, "medium"),
     ("HQ", 4, 2, "medium"), ("LQ", 3, 9, "low")],
)  # fmt: skip
def test_cicero_confidence(rating, medal, reads, expected):
    from allstrat.io.fusions.cicero import cicero_confidence

    assert cicero_confidence(rating, medal, reads) == expected
