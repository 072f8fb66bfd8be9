"""Expression readers on small files in the real layouts (tests/data/formats/expression)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allstrat.errors import InputError
from allstrat.harmonise import harmonise_counts
from allstrat.io.cohort import read_expression_cohort
from allstrat.io.expression import (
    READERS,
    choose_star_column,
    read_expression_file,
    read_featurecounts,
    read_htseq,
    read_matrix,
    read_salmon,
    read_star,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "formats" / "expression"


def _sheet(rows: list[tuple[str, str | Path, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"sample_id": s, "expression": str(p), "expression_format": f} for s, p, f in rows]
    ).set_index("sample_id", drop=False)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


# ---------------------------------------------------------------- per-format readers


def test_dispatch_table_covers_sample_sheet_formats(root):
    import yaml

    schema = yaml.safe_load((root / "workflow/schemas/samples.schema.yaml").read_text())
    formats = set(schema["properties"]["expression_format"]["enum"]) - {""}
    assert formats == set(READERS)


def test_featurecounts_single_sample():
    ef = read_featurecounts(DATA / "PT001.featureCounts.txt")
    assert list(ef.counts.columns) == ["bam/PT001.Aligned.sortedByCoord.out.bam"]
    assert ef.counts.loc["ENSG00000185811.19"].iloc[0] == 812
    assert ef.lines[0] == 3  # comment line + header
    assert "featureCounts v2.0.6" in ef.notes["program"]


def test_htseq_counters_are_reported_and_dropped():
    ef = read_htseq(DATA / "PT002.htseq.txt")
    assert not ef.counts.index.str.startswith("__").any()
    assert ef.notes["non_gene_counts"]["__no_feature"] == 1203345
    assert ef.notes["non_gene_counts"]["__alignment_not_unique"] == 2310442
    assert ef.counts.loc["ENSG00000157554.22", "count"] == 2210


def test_star_auto_detects_reverse_strand():
    ef = read_star(DATA / "PT003.ReadsPerGene.out.tab")
    assert ef.notes["star_column"] == "reverse"
    assert "column 4" in ef.notes["star_column_reason"]
    # IKZF1 row: 1530 unstranded, 76 col3, 1484 col4
    assert ef.counts.loc["ENSG00000185811.19", "count"] == 1484
    assert ef.notes["non_gene_counts"]["N_noFeature"] == 1012345


def test_star_auto_detects_unstranded_and_config_overrides():
    ef = read_star(DATA / "PT004.ReadsPerGene.out.tab")
    assert ef.notes["star_column"] == "unstranded"
    assert ef.counts.loc["ENSG00000185811.19", "count"] == 812
    forced = read_star(DATA / "PT004.ReadsPerGene.out.tab", star_strandedness="yes")
    assert forced.notes["star_column"] == "yes"
    assert "configuration" in forced.notes["star_column_reason"]


@pytest.mark.parametrize(
    ("yes", "rev", "expected"),
    [(970, 30, "yes"), (30, 970, "reverse"), (500, 500, "unstranded"), (700, 300, "unstranded")],
)
def test_choose_star_column_thresholds(yes, rev, expected):
    g = pd.DataFrame({"unstranded": [1000], "yes": [yes], "reverse": [rev]}, index=["G"])
    col, reason = choose_star_column(g, g.iloc[:0])
    assert col == expected
    if (yes, rev) == (700, 300):
        assert "ambiguous" in reason


def test_salmon_gene_level_rounds_numreads():
    ef = read_salmon(DATA / "PT005.quant.genes.sf")
    assert ef.counts.loc["ENSG00000157554.22", "count"] == 2210  # 2210.371 -> 2210
    assert ef.counts["count"].dtype == np.int64


def test_salmon_transcript_level_is_refused(tmp_path):
    p = _write(
        tmp_path,
        "quant.sf",
        "Name\tLength\tEffectiveLength\tTPM\tNumReads\n"
        "ENST00000331340.8\t5964\t5783.2\t12.1\t340.0\n"
        "ENST00000349496.11\t4302\t4121.0\t3.2\t64.5\n",
    )
    with pytest.raises(InputError, match=r"quant\.sf, line 2.*quant\.genes\.sf.*tximport"):
        read_salmon(p)


def test_salmon_gencode_names_are_aggregated(tmp_path):
    p = _write(
        tmp_path,
        "quant.sf",
        "Name\tLength\tEffectiveLength\tTPM\tNumReads\n"
        "ENST00000331340.8|ENSG00000185811.19|OTTHUMG1|OTTHUMT1|IKZF1-201|IKZF1|5964|"
        "protein_coding|\t5964\t5783.2\t12.1\t340.4\n"
        "ENST00000349496.11|ENSG00000185811.19|OTTHUMG1|OTTHUMT2|IKZF1-202|IKZF1|4302|"
        "protein_coding|\t4302\t4121.0\t3.2\t64.5\n",
    )
    ef = read_salmon(p)
    assert ef.counts.loc["ENSG00000185811.19", "count"] == 340 + 64  # rounded, then summed
    assert "2 transcripts" in ef.notes["aggregated"]


def test_matrix_csv_with_annotation_column_and_selection():
    ef = read_matrix(DATA / "cohort_symbols.csv", samples=["PT008", "PT006"])
    assert list(ef.counts.columns) == ["PT008", "PT006"]
    assert ef.notes["ignored_columns"] == ["gene_name"]
    assert ef.notes["delimiter"] == "comma"
    assert ef.counts.loc["ENSG00000185811.19", "PT008"] == 1530


def test_matrix_gz_tsv(tmp_path):
    src = pd.read_csv(DATA / "cohort_symbols.csv").drop(columns="gene_id")
    p = tmp_path / "m.tsv.gz"
    with gzip.open(p, "wt") as fh:
        src.to_csv(fh, sep="\t", index=False)
    ef = read_matrix(p)
    assert list(ef.counts.columns) == ["PT006", "PT007", "PT008"]
    assert ef.counts.loc["IKZF1", "PT007"] == 40


def test_h5ad_counts_layer_and_selection(tmp_path):
    counts = np.array([[5, 0, 7], [1, 2, 3]], dtype=np.int64)
    a = ad.AnnData(
        X=np.log1p(counts.astype(float)),
        obs=pd.DataFrame(index=["S1", "S2"]),
        var=pd.DataFrame(index=["IKZF1", "ERG", "PAX5"]),
        layers={"counts": counts},
    )
    p = tmp_path / "c.h5ad"
    a.write_h5ad(p)
    ef = read_expression_file(p, "h5ad", samples=["S2"])
    assert ef.notes["counts_from"] == "layers['counts']"
    assert ef.counts["S2"].tolist() == [1, 2, 3]


def test_h5ad_non_integer_x_refused(tmp_path):
    a = ad.AnnData(
        X=np.array([[0.5, 1.0]]),
        obs=pd.DataFrame(index=["S1"]),
        var=pd.DataFrame(index=["IKZF1", "ERG"]),
    )
    p = tmp_path / "x.h5ad"
    a.write_h5ad(p)
    with pytest.raises(InputError, match=r"x\.h5ad.*sample 'S1'.*non-integer count"):
        read_expression_file(p, "h5ad")


# ---------------------------------------------------------------- bad input


FC_HEAD = (
    '# Program:featureCounts v2.0.6; Command:"featureCounts" "-o" "x"\n'
    "Geneid\tChr\tStart\tEnd\tStrand\tLength\tbam/S1.bam\n"
)


@pytest.mark.parametrize(
    ("name", "text", "pattern"),
    [
        ("empty.txt", "", r"empty\.txt: expression file is empty"),
        (
            "neg.txt",
            FC_HEAD + "ENSG00000185811.19\tchr7\t1\t9\t+\t9\t-3\n",
            r"neg\.txt, line 3: negative count -3",
        ),
        (
            "frac.txt",
            FC_HEAD + "ENSG00000185811.19\tchr7\t1\t9\t+\t9\t3\nENSG00000157554\tchr21\t1\t9"
            "\t-\t9\t4.25\n",
            r"frac\.txt, line 4: non-integer count 4\.25",
        ),
        (
            "nan.txt",
            FC_HEAD + "ENSG00000185811.19\tchr7\t1\t9\t+\t9\tNA\n",
            r"nan\.txt, line 3: missing count",
        ),
        (
            "text.txt",
            FC_HEAD + "ENSG00000185811.19\tchr7\t1\t9\t+\t9\tabc\n",
            r"text\.txt, line 3: non-numeric count 'abc'",
        ),
        (
            "trunc.txt",
            FC_HEAD + "ENSG00000185811.19\tchr7\t1\t9\t+\t9\t5\nENSG00000157554\tchr21\t1\n",
            r"trunc\.txt, line 4: missing count",
        ),
        (
            "dup.txt",
            FC_HEAD + "ENSG00000185811.19\tchr7\t1\t9\t+\t9\t5\nENSG00000185811.19\tchr7\t1\t9"
            "\t+\t9\t6\n",
            r"dup\.txt, line 4: gene ID 'ENSG00000185811.19' appears twice \(lines 3 and 4\)",
        ),
        (
            "summary.txt",
            "Status\tbam/S1.bam\nAssigned\t100\n",
            r"summary\.txt, line 1: this is a featureCounts \.summary file",
        ),
        (
            "csv.txt",
            "Geneid,Chr,Start,End,Strand,Length,bam/S1.bam\nIKZF1,chr7,1,9,+,9,5\n",
            r"csv\.txt, line 1: not a featureCounts table",
        ),
        (
            "dupcol.txt",
            "Geneid\tChr\tStart\tEnd\tStrand\tLength\tS1.bam\tS1.bam\nIKZF1\tchr7\t1\t9\t+\t9\t5\t6\n",
            r"dupcol\.txt, line 2?1?: sample column 'S1\.bam' appears twice",
        ),
    ],
)
def test_featurecounts_bad_input(tmp_path, name, text, pattern):
    p = _write(tmp_path, name, text)
    with pytest.raises(InputError, match=pattern):
        read_featurecounts(p)


def test_htseq_wrong_delimiter(tmp_path):
    p = _write(tmp_path, "h.txt", "ENSG00000185811 12\nENSG00000157554 3\n")
    with pytest.raises(InputError, match=r"h\.txt, line 1: htseq-count output must have 2 .*space"):
        read_htseq(p)


def test_star_wrong_column_count(tmp_path):
    p = _write(tmp_path, "s.tab", "N_unmapped\t1\t1\nIKZF1\t4\t2\n")
    with pytest.raises(InputError, match=r"s\.tab, line 1: STAR ReadsPerGene.* 4 tab-separated"):
        read_star(p)


def test_truncated_gzip(tmp_path):
    src = (DATA / "cohort_symbols.csv").read_bytes() * 50
    p = tmp_path / "m.csv.gz"
    p.write_bytes(gzip.compress(src)[:-40])
    with pytest.raises(InputError, match=r"m\.csv\.gz.*(truncated|corrupt)"):
        read_matrix(p)


def test_matrix_duplicate_sample_columns(tmp_path):
    p = _write(tmp_path, "m.tsv", "gene\tS1\tS2\tS1\nIKZF1\t1\t2\t3\n")
    with pytest.raises(InputError, match=r"m\.tsv, line 1: sample column 'S1' appears twice"):
        read_matrix(p)


def test_matrix_samples_as_rows_refused(tmp_path):
    text = "sample\tIKZF1\tERG\tPAX5\tCD19\tCD79A\tDNTT\n" + "".join(
        f"ALL_P{i:02d}\t1\t2\t3\t4\t5\t6\n" for i in range(1, 4)
    )
    p = _write(tmp_path, "t.tsv", text)
    with pytest.raises(InputError, match=r"t\.tsv, line 1: .*samples x genes matrix"):
        read_matrix(p)


def test_matrix_missing_sample_named(tmp_path):
    with pytest.raises(InputError, match=r"sample 'PT999'.*not among the matrix columns"):
        read_matrix(DATA / "cohort_symbols.csv", samples=["PT006", "PT999"])


def test_unknown_format():
    with pytest.raises(InputError, match="unknown expression format 'rsem'"):
        read_expression_file(DATA / "PT002.htseq.txt", "rsem")


# ---------------------------------------------------------------- cohort assembly


def test_cohort_mixed_formats(genes):
    sheet = _sheet(
        [
            ("PT001", DATA / "PT001.featureCounts.txt", "featurecounts"),
            ("PT002", DATA / "PT002.htseq.txt", "htseq"),
            ("PT003", DATA / "PT003.ReadsPerGene.out.tab", "star"),
            ("PT005", DATA / "PT005.quant.genes.sf", "salmon"),
            ("PT006", DATA / "cohort_symbols.csv", "matrix"),
            ("PT008", DATA / "cohort_symbols.csv", "matrix"),
        ]
    )
    a = read_expression_cohort(sheet, genes)
    assert list(a.obs_names) == ["PT001", "PT002", "PT003", "PT005", "PT006", "PT008"]
    assert a.layers["counts"].dtype == np.int32
    c = a.to_df(layer="counts")
    # CRLF2 + its PAR_Y copy are summed (4120 + 0); IKZF1 per sample from the fixtures
    assert c.loc["PT001", "CRLF2"] == 4120
    assert c.loc["PT001", "IKZF1"] == 812
    assert c.loc["PT002", "ERG"] == 2210
    assert c.loc["PT003", "IKZF1"] == 1484  # reverse-stranded column
    assert c.loc["PT008", "IKZF1"] == 1530
    assert a.obs.loc["PT003", "expression_column"] == "count"
    assert a.uns["allstrat"]["file_notes"]["PT003"]["star_column"] == "reverse"
    assert a.uns["allstrat"]["file_notes"]["PT002"]["non_gene_counts"]["__ambiguous"] == 88123
    assert a.obs.loc["PT001", "library_size"] == c.loc["PT001"].sum()
    assert a.obs.loc["PT001", "n_genes_detected"] == int((c.loc["PT001"] > 0).sum())
    assert a.obs.loc["PT006", "id_type"] == "ensembl"
    assert len(a.obs.loc["PT001", "expression_sha256"]) == 64
    assert a.layers["not_measured"].nnz == 0  # all files share one gene universe
    assert (a.var["n_samples_measured"] == 6).all()


def test_cohort_not_measured_is_not_zero(tmp_path, genes):
    p1 = _write(tmp_path, "a.htseq", "IKZF1\t10\nERG\t0\nPAX5\t4\n__no_feature\t9\n")
    p2 = _write(tmp_path, "b.htseq", "IKZF1\t3\nPAX5\t0\nCD19\t8\n")
    a = read_expression_cohort(_sheet([("A", p1, "htseq"), ("B", p2, "htseq")]), genes)
    nm = pd.DataFrame(a.layers["not_measured"].toarray(), index=a.obs_names, columns=a.var_names)
    assert nm.loc["A", "CD19"]
    assert nm.loc["B", "ERG"]
    assert not nm.loc["A", "ERG"]  # measured, zero reads
    assert a.obs["n_genes_measured"].tolist() == [3, 3]
    assert a.var.loc["PAX5", "n_samples_measured"] == 2


def test_cohort_refuses_mouse_ids(tmp_path, genes):
    text = "".join(f"ENSMUSG000000{i:05d}\t{i}\n" for i in range(1, 30)) + "IKZF1\t3\n"
    p = _write(tmp_path, "mouse.htseq", text)
    with pytest.raises(InputError, match=r"mouse\.htseq, sample 'M1': only 1 of 30 .*ENSMUSG"):
        read_expression_cohort(_sheet([("M1", p, "htseq")]), genes)


def test_cohort_refuses_mixed_id_types_for_one_gene(tmp_path, genes):
    p = _write(tmp_path, "mix.htseq", "ENSG00000185811.19\t10\nIKZF1\t10\nERG\t4\n")
    with pytest.raises(InputError, match=r"mix\.htseq, line 2, sample 'X'.*IKZF1 is given twice"):
        read_expression_cohort(_sheet([("X", p, "htseq")]), genes)


def test_cohort_single_sample_file_shared_by_two_samples(genes):
    p = DATA / "PT002.htseq.txt"
    with pytest.raises(InputError, match="same single-sample htseq file"):
        read_expression_cohort(_sheet([("A", p, "htseq"), ("B", p, "htseq")]), genes)


def test_cohort_featurecounts_multi_bam_selects_by_sample(genes):
    p = DATA / "cohort.featureCounts.txt"
    a = read_expression_cohort(_sheet([("PT002", p, "featurecounts")]), genes)
    assert a.obs.loc["PT002", "expression_column"].endswith("PT002.Aligned.sortedByCoord.out.bam")
    assert a.to_df(layer="counts").loc["PT002", "ERG"] == 2210
    with pytest.raises(InputError, match=r"sample 'PT9'.*no sample columns match"):
        read_expression_cohort(_sheet([("PT9", p, "featurecounts")]), genes)


def test_cohort_writes_and_reads_back_h5ad(tmp_path, genes):
    from allstrat.io.output import atomic_path

    sheet = _sheet(
        [
            ("PT002", DATA / "PT002.htseq.txt", "htseq"),
            ("PT004", DATA / "PT004.ReadsPerGene.out.tab", "star"),
        ]
    )
    a = read_expression_cohort(sheet, genes)
    out = tmp_path / "chunk.h5ad"
    with atomic_path(out) as tmp:
        a.write_h5ad(tmp)
    b = ad.read_h5ad(out)
    assert np.array_equal(b.layers["counts"], a.layers["counts"])
    assert b.uns["allstrat"]["file_notes"]["PT004"]["star_column"] == "unstranded"
    assert list(b.obs.columns) == list(a.obs.columns)


def test_permuting_sheet_permutes_rows(genes):
    rows = [
        ("PT002", DATA / "PT002.htseq.txt", "htseq"),
        ("PT006", DATA / "cohort_symbols.csv", "matrix"),
        ("PT003", DATA / "PT003.ReadsPerGene.out.tab", "star"),
    ]
    a = read_expression_cohort(_sheet(rows), genes)
    b = read_expression_cohort(_sheet(rows[::-1]), genes)
    pd.testing.assert_frame_equal(a.to_df(layer="counts").loc[b.obs_names], b.to_df(layer="counts"))


@pytest.mark.shared_data
def test_real_allcatchr_matrix_end_to_end(shared_data, genes, tmp_path):
    src = shared_data / "allcatchr_test_counts.tsv"
    local = tmp_path / "counts.tsv"
    shutil.copy(src, local)
    ids = [f"ACATCH_{i:02d}" for i in range(1, 11)]
    a = read_expression_cohort(_sheet([(s, local, "matrix") for s in ids]), genes)
    assert a.shape[0] == 10
    assert a.shape[1] > 18000
    assert {"IKZF1", "CRLF2", "DUX4", "JCHAIN", "CD19"} <= set(a.var_names)
    lib = a.obs["library_size"]
    assert lib.min() > 10e6
    assert lib.max() < 100e6
    assert a.obs["n_genes_detected"].between(13000, 18000).all()
    assert (a.obs["id_type"] == "symbol").all()
    assert (a.obs["mapped_fraction"] > 0.85).all()
    # identical to the reference harmonisation (this file has symbols that collapse)
    raw = pd.read_csv(src, sep="\t", index_col=0)
    ref, rep = harmonise_counts(raw, genes)
    assert rep.n_collapsed > 0
    got = a.to_df(layer="counts").T
    assert list(got.index) == list(ref.index)
    assert (got.to_numpy() == ref[got.columns].to_numpy()).all()


def test_matrix_bad_cells_fall_back_to_exact_line(tmp_path):
    body = "".join(f"G{i}\t{i}\t{i + 1}\n" for i in range(3))
    for bad, pattern in [
        ("12x", r"m\.tsv, line 5: non-numeric count '12x' in column 'S2'"),
        ("NA", r"m\.tsv, line 5: missing count in column 'S2'"),
        ("-4", r"m\.tsv, line 5: negative count -4 in column 'S2'"),
        ("2.5", r"m\.tsv, line 5: non-integer count 2\.5 in column 'S2'"),
    ]:
        p = _write(tmp_path, "m.tsv", "gene\tS1\tS2\n" + body + f"IKZF1\t3\t{bad}\n")
        with pytest.raises(InputError, match=pattern):
            read_matrix(p)


def test_matrix_r_style_header_without_id_field(tmp_path):
    p = _write(tmp_path, "r.tsv", '"S1"\t"S2"\n"IKZF1"\t3\t4\n"ERG"\t0\t9\n')
    ef = read_matrix(p)
    assert list(ef.counts.columns) == ["S1", "S2"]
    assert ef.counts.loc["ERG", "S2"] == 9
    assert "R write.table" in ef.notes["header"]


def test_matrix_fast_path_equals_exact_path(tmp_path):
    """A clean file read in row chunks gives what the exact (text) path gives."""
    from allstrat.io.expression import matrix as ex

    src = DATA / "cohort_symbols.csv"
    fast = read_matrix(src)
    kwargs = {
        "sep": ",",
        "header": 0,
        "names": ["gene_id", "gene_name", "PT006", "PT007", "PT008"],
        "usecols": ["gene_id", "PT006", "PT007", "PT008"],
        "skip_blank_lines": False,
    }
    ids, values = ex._read_matrix_fast(
        src, kwargs, "gene_id", ["PT006", "PT007", "PT008"], chunk_rows=4
    )  # several chunks
    assert values.dtype == np.int32
    assert list(ids) == list(fast.counts.index)
    assert (values == fast.counts.to_numpy()).all()


def test_own_chunk_h5ad_is_valid_input(tmp_path, genes):
    """An import-expression output (X is None, counts in layers) reads back as input."""
    from allstrat.io.output import atomic_path

    rows = [
        ("PT006", DATA / "cohort_symbols.csv", "matrix"),
        ("PT007", DATA / "cohort_symbols.csv", "matrix"),
    ]
    a = read_expression_cohort(_sheet(rows), genes)
    out = tmp_path / "chunk.h5ad"
    with atomic_path(out) as tmp:
        a.write_h5ad(tmp)
    b = read_expression_cohort(_sheet([("PT007", out, "h5ad")]), genes)
    assert b.obs.loc["PT007", "library_size"] == a.obs.loc["PT007", "library_size"]
    assert (b.to_df(layer="counts").loc["PT007"] == a.to_df(layer="counts").loc["PT007"]).all()


def test_h5ad_sparse_x(tmp_path, genes):
    import scipy.sparse as sp

    x = sp.csr_matrix(np.array([[0, 3, 0], [7, 0, 1], [2, 2, 2]], dtype=np.float32))
    a = ad.AnnData(
        X=x,
        obs=pd.DataFrame(index=["A", "B", "C"]),
        var=pd.DataFrame(index=["IKZF1", "ERG", "PAX5"]),
    )
    p = tmp_path / "s.h5ad"
    a.write_h5ad(p)
    ef = read_expression_file(p, "h5ad", samples=["C", "A"])
    assert ef.counts["A"].tolist() == [0, 3, 0]
    assert ef.counts["C"].tolist() == [2, 2, 2]


def test_cohort_refuses_transcript_ids(tmp_path, genes):
    text = "".join(f"ENST00000{331340 + i:06d}.{i % 9 + 1}\t{i}\n" for i in range(40))
    p = _write(tmp_path, "tx.htseq", text)
    with pytest.raises(InputError, match=r"tx\.htseq, sample 'T1': only 0 of 40 .*ENST"):
        read_expression_cohort(_sheet([("T1", p, "htseq")]), genes)


SYMBOLS = ["IKZF1", "ERG", "PAX5", "CD19", "CD79A", "DNTT", "MME", "ETV6", "RUNX1", "EBF1"]


@settings(max_examples=25, deadline=None)
@given(
    counts=st.lists(
        st.lists(st.integers(0, 10**6), min_size=3, max_size=3), min_size=10, max_size=10
    ),
    perm=st.permutations(range(10)),
    alias=st.booleans(),
)
def test_property_matrix_row_order_and_ids_do_not_matter(
    tmp_path_factory, genes, counts, perm, alias
):
    """Row order of the file and symbol-vs-Ensembl IDs never change the harmonised counts."""
    ens = dict(
        zip(
            SYMBOLS,
            [
                "ENSG00000185811.19",
                "ENSG00000157554",
                "ENSG00000196092.14",
                "ENSG00000177455",
                "ENSG00000105369",
                "ENSG00000107447.8",
                "ENSG00000196549",
                "ENSG00000139083",
                "ENSG00000159216",
                "ENSG00000164330",
            ],
            strict=True,
        )
    )
    d = tmp_path_factory.mktemp("prop")
    a_rows = "".join(f"{g}\t{c[0]}\t{c[1]}\t{c[2]}\n" for g, c in zip(SYMBOLS, counts, strict=True))
    b_rows = "".join(
        f"{ens[SYMBOLS[i]] if alias else SYMBOLS[i]}\t{counts[i][0]}\t{counts[i][1]}\t"
        f"{counts[i][2]}\n"
        for i in perm
    )
    pa = _write(d, "a.tsv", "gene\tX\tY\tZ\n" + a_rows)
    pb = _write(d, "b.tsv", "gene\tX\tY\tZ\n" + b_rows)
    rows = [("X", "matrix"), ("Y", "matrix"), ("Z", "matrix")]
    a = read_expression_cohort(_sheet([(s, pa, f) for s, f in rows]), genes)
    b = read_expression_cohort(_sheet([(s, pb, f) for s, f in rows]), genes)
    assert list(a.var_names) == list(b.var_names)
    assert np.array_equal(a.layers["counts"], b.layers["counts"])
    assert a.obs["library_size"].tolist() == [sum(c[j] for c in counts) for j in range(3)]
