"""Copy-number readers on small files in the real layouts (tests/data/formats/copynumber)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allstrat.errors import InputError
from allstrat.io.copynumber_readers import (
    COPY_NUMBER_READERS,
    GENE_CALL_COLUMNS,
    MLPA_COLUMNS,
    SEGMENT_COLUMNS,
    normalise_chrom,
    read_cnvkit,
    read_copy_number,
    read_copy_number_for_samples,
    read_gene_calls,
    read_mlpa,
    read_seg,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "formats" / "copynumber"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_dispatch_covers_sample_sheet_formats(root):
    import yaml

    schema = yaml.safe_load((root / "workflow/schemas/samples.schema.yaml").read_text())
    assert set(schema["properties"]["copy_number_format"]["enum"]) - {""} == set(
        COPY_NUMBER_READERS
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7", "chr7"),
        ("chr7", "chr7"),
        ("X", "chrX"),
        ("chrx", "chrX"),
        ("23", "chrX"),
        ("24", "chrY"),
        ("MT", "chrM"),
        ("chr7_KI270803v1_alt", None),
        ("GL000194.1", None),
        ("25", None),
    ],
)
def test_normalise_chrom(raw, expected):
    assert normalise_chrom(raw) == expected


def test_cnvkit_cns_converts_to_one_based():
    seg = read_cnvkit(DATA / "PT101.cns", sample_id="PT101")
    assert tuple(seg.columns) == SEGMENT_COLUMNS
    ikzf1 = seg[(seg["chrom"] == "chr7") & (seg["log2"] < -0.5)].iloc[0]
    # BED-like 50304063 (0-based) -> 50304064 (1-based) = IKZF1 start in GRCh38
    assert ikzf1["start"] == 50304064
    assert ikzf1["end"] == 50344200
    assert ikzf1["n_probes"] == 14
    assert seg.attrs["kind"] == "segments"
    assert seg.attrs["genome_build"] == "GRCh38"
    cdkn2a = seg[seg["log2"] < -4].iloc[0]
    assert np.isnan(cdkn2a["baf"])  # empty cell
    assert seg["baf"].max() <= 0.5  # mirrored
    assert list(seg["chrom"].unique()) == ["chr7", "chr9", "chr21", "chrX"]


def test_cnvkit_cnr_bins():
    bins = read_cnvkit(DATA / "PT101.cnr", sample_id="PT101", genome_build="GRCh37")
    assert bins.attrs["kind"] == "bins"
    assert bins.attrs["genome_build"] == "GRCh37"
    assert (bins["n_probes"] == 1).all()
    assert bins.loc[0, "start"] == 50304064


def test_seg_multi_sample_and_selection():
    seg = read_seg(DATA / "cohort.seg")
    assert sorted(seg["sample_id"].unique()) == ["PT102", "PT103"]
    one = read_seg(DATA / "cohort.seg", samples=["PT103"])
    assert set(one["sample_id"]) == {"PT103"}
    assert "chrX" in set(one["chrom"])  # GISTIC 23
    assert one[one["chrom"] == "chr9"]["start"].tolist() == [10001, 21950001, 22010001]
    assert one["n_probes"].dtype == "Int64"


def test_mlpa_long_and_wide():
    long = read_mlpa(DATA / "PT104.mlpa.tsv")
    assert tuple(long.columns) == MLPA_COLUMNS
    assert long.loc[long["gene"] == "CDKN2A", "ratio"].item() == pytest.approx(0.08)
    wide = read_mlpa(DATA / "coffalyser_wide.tsv")
    assert wide.attrs["layout"] == "wide"
    assert sorted(wide["sample_id"].unique()) == ["PT105", "PT106"]
    r = wide[(wide["sample_id"] == "PT106") & (wide["exon"] == "2")].iloc[0]
    assert (r["gene"], r["ratio"], r["chrom"], r["position"]) == ("IKZF1", 0.50, "chr7", 50319062)
    assert wide.loc[wide["gene"] == "CSF2RA", "chrom"].iloc[0] == "chrX"
    only = read_mlpa(DATA / "coffalyser_wide.tsv", samples=["PT105"])
    assert set(only["sample_id"]) == {"PT105"}


def test_gene_calls_synonyms_and_copy_number_only():
    calls = read_gene_calls(DATA / "gene_calls.tsv")
    assert tuple(calls.columns) == GENE_CALL_COLUMNS
    d = calls.set_index(["sample_id", "gene"])
    assert d.loc[("PT108", "ETV6"), "call"] == "deleted"  # "Loss"
    assert d.loc[("PT107", "ERG"), "call"] == ""
    assert d.loc[("PT107", "ERG"), "copy_number"] == 2
    assert np.isnan(d.loc[("PT108", "ETV6"), "copy_number"])


def test_read_copy_number_for_samples_reads_each_path_once():
    sheet = pd.DataFrame(
        [
            {
                "sample_id": "PT101",
                "copy_number": str(DATA / "PT101.cns"),
                "copy_number_format": "cnvkit",
                "genome_build": "",
            },
            {
                "sample_id": "PT102",
                "copy_number": str(DATA / "cohort.seg"),
                "copy_number_format": "seg",
                "genome_build": "",
            },
            {
                "sample_id": "PT103",
                "copy_number": str(DATA / "cohort.seg"),
                "copy_number_format": "seg",
                "genome_build": "GRCh38",
            },
            {"sample_id": "PT999", "copy_number": "", "copy_number_format": "", "genome_build": ""},
        ]
    )
    got = read_copy_number_for_samples(sheet)
    assert set(got) == {"PT101", "PT102", "PT103"}
    assert got["PT103"][1].attrs["genome_build"] == "GRCh38"
    # the same GRCh38 file declared GRCh37: positions past GRCh37 ends, file + line named
    sheet.loc[2, "genome_build"] = "GRCh37"
    with pytest.raises(InputError, match=r"past the GRCh37 end.*fits GRCh38") as e:
        read_copy_number_for_samples(sheet)
    assert "cohort.seg" in str(e.value)
    assert "line " in str(e.value)
    assert set(got["PT102"][1]["sample_id"]) == {"PT102"}
    assert got["PT101"][0] == "cnvkit"


CNS_HEAD = "chromosome\tstart\tend\tgene\tlog2\tdepth\tprobes\tweight\n"
SEG_HEAD = "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n"


@pytest.mark.parametrize(
    ("name", "text", "pattern"),
    [
        ("e.cns", "", r"e\.cns: CNVkit file is empty"),
        ("h.cns", CNS_HEAD, r"h\.cns, line 1: CNVkit file has a header but no data rows"),
        (
            "u.cns",
            CNS_HEAD + "chr7_KI270803v1_alt\t0\t100\t-\t0.1\t5\t3\t1\n",
            r"u\.cns, line 2: unknown chromosome 'chr7_KI270803v1_alt'",
        ),
        (
            "s.cns",
            CNS_HEAD + "chr7\t0\t100\t-\t0.1\t5\t3\t1\nchr7\t500\t200\t-\t0.1\t5\t3\t1\n",
            r"s\.cns, line 3: start 501 > end 200",
        ),
        (
            "n.cns",
            CNS_HEAD + "chr7\t0\t100\t-\tlow\t5\t3\t1\n",
            r"n\.cns, line 2: non-numeric log2 'low'",
        ),
        (
            "c.cns",
            "chromosome,start,end,gene,log2\nchr7,0,100,-,0.1\n",
            r"c\.cns, line 1: CNVkit file header has no tab",
        ),
        ("m.cns", "chromosome\tstart\tend\tgene\ndepth\n", r"m\.cns, line 1: .*lacks column"),
    ],
)
def test_cnvkit_bad_input(tmp_path, name, text, pattern):
    p = _write(tmp_path, name, text)
    with pytest.raises(InputError, match=pattern):
        read_cnvkit(p, sample_id="S1")


def test_seg_overlap_names_line_and_sample(tmp_path):
    p = _write(
        tmp_path,
        "o.seg",
        SEG_HEAD + "A\t7\t1\t1000\t5\t0.1\nB\t7\t1\t1000\t5\t0.1\nA\t7\t900\t2000\t5\t-0.4\n",
    )
    with pytest.raises(InputError, match=r"o\.seg, line 4, sample 'A': segments overlap"):
        read_seg(p)


def test_seg_missing_sample(tmp_path):
    with pytest.raises(InputError, match=r"sample 'PT999'.*no segments"):
        read_seg(DATA / "cohort.seg", samples=["PT999"])


def test_seg_truncated_row(tmp_path):
    p = _write(tmp_path, "t.seg", SEG_HEAD + "A\t7\t1\t1000\t5\t0.1\nA\t7\t1001\n")
    with pytest.raises(InputError, match=r"t\.seg, line 3: missing end"):
        read_seg(p)


@pytest.mark.parametrize(
    ("row", "pattern"),
    [
        ("S1\tP1\tIKZF1\t1\t-0.2\n", r"line 2, sample 'S1': negative ratio -0.2"),
        ("S1\tP1\tIKZF1\t1\tNaN\n", r"line 2: ratio is NaN"),
        ("S1\tP1\tIKZF1\t1\t\n", r"line 2: missing ratio"),
        (
            "S1\tP1\tIKZF1\t1\t0.5\nS1\tP1\tIKZF1\t1\t0.6\n",
            r"line 3, sample 'S1': probe 'P1' appears twice",
        ),
    ],
)
def test_mlpa_bad_ratio(tmp_path, row, pattern):
    p = _write(tmp_path, "r.tsv", "sample_id\tprobe\tgene\texon\tratio\n" + row)
    with pytest.raises(InputError, match=r"r\.tsv, " + pattern):
        read_mlpa(p)


def test_mlpa_wide_duplicate_sample_column(tmp_path):
    p = _write(tmp_path, "w.tsv", "Probe\tGene\tExon\tS1\tS1\nP1\tIKZF1\t1\t0.5\t0.6\n")
    with pytest.raises(InputError, match=r"w\.tsv, line 1: sample column 'S1' appears twice"):
        read_mlpa(p)


def test_mlpa_unrecognised_layout(tmp_path):
    p = _write(tmp_path, "x.tsv", "a\tb\n1\t2\n")
    with pytest.raises(InputError, match=r"x\.tsv, line 1: MLPA table is neither long"):
        read_mlpa(p)


def test_gene_calls_bad(tmp_path):
    p = _write(tmp_path, "g.tsv", "sample_id\tgene\tcall\nS1\tIKZF1\tmaybe\n")
    with pytest.raises(InputError, match=r"g\.tsv, line 2, sample 'S1': unknown call 'maybe'"):
        read_gene_calls(p)
    p = _write(tmp_path, "g2.tsv", "sample_id\tgene\tcall\nS1\tIKZF1\tdel\nS1\tIKZF1\tnormal\n")
    with pytest.raises(InputError, match=r"g2\.tsv, line 3, sample 'S1': gene 'IKZF1' .*twice"):
        read_gene_calls(p)


def test_cnvkit_refuses_several_samples():
    with pytest.raises(InputError, match="CNVkit file holds one sample"):
        read_copy_number(DATA / "PT101.cns", "cnvkit", samples=["A", "B"])


def test_unknown_build_and_format():
    with pytest.raises(InputError, match="unknown genome build 'hg19'"):
        read_seg(DATA / "cohort.seg", genome_build="hg19")
    with pytest.raises(InputError, match="unknown copy-number format 'vcf'"):
        read_copy_number(DATA / "cohort.seg", "vcf")


@settings(max_examples=40, deadline=None)  # file I/O: timing varies with machine load
@given(
    st.lists(
        st.tuples(st.integers(1, 10_000), st.integers(0, 5_000), st.floats(-5, 3)),
        min_size=1,
        max_size=12,
    )
)
def test_seg_property_sorted_disjoint_one_based(tmp_path_factory, pieces):
    """Any tiling of non-overlapping segments round-trips; 1-based inclusive, sorted."""
    rows, pos = [], 1
    for gap, length, value in pieces:
        start = pos + gap
        end = start + length
        rows.append(f"S\t7\t{start}\t{end}\t3\t{value:.4f}")
        pos = end + 1
    text = SEG_HEAD + "\n".join(reversed(rows)) + "\n"
    p = tmp_path_factory.mktemp("seg") / "p.seg"
    p.write_text(text)
    seg = read_seg(p)
    assert len(seg) == len(pieces)
    assert (seg["start"].to_numpy()[1:] > seg["end"].to_numpy()[:-1]).all()
    assert (seg["start"] <= seg["end"]).all()


@pytest.mark.parametrize("pad", [" ", "\r\n", '"', "\xa0"])
def test_seg_cells_with_whitespace_or_quotes_read_as_stripped(tmp_path, pad):
    """Cells are stripped only when the file can hold padded cells (spaces, CR, quotes,
    non-ASCII): padded and plain files read the same; unknown chromosomes and non-numeric
    values still name their line (the per-distinct-value chromosome mapping).
    """
    rows = ["A\t7\t1\t1000\t5\t0.1", "A\tX\t1\t900\tNA\t-0.4", "B\t23\t10\t20\t3\t0.5"]
    plain = _write(tmp_path, "p.seg", SEG_HEAD + "\n".join(rows) + "\n")
    if pad == "\r\n":  # CRLF line ends
        text = SEG_HEAD.replace("\n", pad) + pad.join(rows) + pad
    else:
        cell = (lambda c: f'"{c}"') if pad == '"' else (lambda c: f"{pad}{c}{pad}")
        text = SEG_HEAD + "\n".join("\t".join(cell(c) for c in r.split("\t")) for r in rows)
    padded = tmp_path / "q.seg"
    padded.write_bytes(text.encode())
    want = read_seg(plain)
    pd.testing.assert_frame_equal(read_seg(padded), want.assign())
    assert want["chrom"].tolist() == ["chr7", "chrX", "chrX"]
    assert want["n_probes"].isna().tolist() == [False, True, False]
    bad = _write(tmp_path, "b.seg", SEG_HEAD + "A\t7\t1\t9\t5\t0.1\nA\tchrUn\t1\t9\t5\t0.1\n")
    with pytest.raises(InputError, match=r"b\.seg, line 3: unknown chromosome 'chrUn'"):
        read_seg(bad)
    bad = _write(tmp_path, "n.seg", SEG_HEAD + "A\t7\t1\t9\tna\t0.1\nA\t8\t1\t9\t5\tx1\n")
    with pytest.raises(InputError, match=r"n\.seg, line 3: non-numeric seg.mean .*'x1'"):
        read_seg(bad)
