"""Regenerate the bad-input corpus and its MANIFEST.tsv (run from anywhere).

Every case is a small, hand-written variation of a valid input in the tool's real layout
(the valid originals are under ``valid/``). The manifest says which CLI verb reads the
file, the category of the defect, the message fragment the error must contain and where
the error must point (``line:N``, ``sample:ID`` or ``file``). The test
``tests/reliability/test_bad_inputs.py`` runs every row through the real CLI.

Usage: ``python tests/reliability/bad_inputs/make_corpus.py`` (deterministic; rewrites the
files below this folder).
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import vcf_cases  # sibling module (this script's folder is on sys.path)

HERE = Path(__file__).resolve().parent

# Real GRCh38 genes (symbol, Ensembl gene ID) of the bundled gene table.
GENES = [
    ("IKZF1", "ENSG00000185811"),
    ("ERG", "ENSG00000157554"),
    ("CRLF2", "ENSG00000205755"),
    ("PAX5", "ENSG00000196092"),
    ("ETV6", "ENSG00000139083"),
    ("RUNX1", "ENSG00000159216"),
    ("CDKN2A", "ENSG00000147889"),
    ("CD19", "ENSG00000177455"),
    ("CD79A", "ENSG00000105369"),
    ("MYC", "ENSG00000136997"),
    ("GAPDH", "ENSG00000111640"),
    ("ACTB", "ENSG00000075624"),
    ("JCHAIN", "ENSG00000132465"),
    ("CLEC12A", "ENSG00000172322"),
]
COUNTS = [812, 95, 4120, 2301, 640, 1210, 3, 5120, 7710, 430, 90210, 120400, 15, 22]


def _matrix(
    *, sep: str = "\t", ids: list[str] | None = None, values: list[list[str]] | None = None
) -> str:
    ids = ids or [s for s, _ in GENES]
    values = values or [[str(c), str(c * 2 + 1)] for c in COUNTS]
    rows = [sep.join(["gene_id", "S1", "S2"])]
    rows += [sep.join([g, *v]) for g, v in zip(ids, values, strict=True)]
    return "\n".join(rows) + "\n"


def _htseq(ids: list[str] | None = None, counts: list[str] | None = None) -> str:
    ids = ids or [e for _, e in GENES]
    counts = counts or [str(c) for c in COUNTS]
    body = [f"{g}\t{c}" for g, c in zip(ids, counts, strict=True)]
    body += ["__no_feature\t1200", "__ambiguous\t30", "__too_low_aQual\t0"]
    body += ["__not_aligned\t0", "__alignment_not_unique\t800"]
    return "\n".join(body) + "\n"


def _featurecounts(count_col: list[str] | None = None) -> str:
    counts = count_col or [str(c) for c in COUNTS]
    head = (
        '# Program:featureCounts v2.0.6; Command:"featureCounts" "-a" "gencode.gtf" "-o" '
        '"counts.txt" "S1.bam"\n'
    )
    rows = ["Geneid\tChr\tStart\tEnd\tStrand\tLength\tS1.bam"]
    for (_, e), c in zip(GENES, counts, strict=True):
        rows.append(f"{e}\tchr1\t100\t2000\t+\t1901\t{c}")
    return head + "\n".join(rows) + "\n"


def _salmon(numreads: list[str] | None = None) -> str:
    nr = numreads or [f"{c}.000" for c in COUNTS]
    rows = ["Name\tLength\tEffectiveLength\tTPM\tNumReads"]
    for (_, e), c in zip(GENES, nr, strict=True):
        rows.append(f"{e}\t2100.5\t1900.2\t12.5\t{c}")
    return "\n".join(rows) + "\n"


def _star(counts: list[str] | None = None) -> str:
    cs = counts or [str(c) for c in COUNTS]
    rows = ["N_unmapped\t1000\t1000\t1000", "N_multimapping\t500\t500\t500"]
    rows += ["N_noFeature\t900\t40000\t900", "N_ambiguous\t30\t5\t4"]
    rows += [f"{e}\t{c}\t1\t{c}" for (_, e), c in zip(GENES, cs, strict=True)]
    return "\n".join(rows) + "\n"


SEG_HEAD = "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n"
SEG_OK = [
    "S1\t7\t10001\t50304063\t2210\t0.0123",
    "S1\t7\t50304064\t50405100\t60\t-0.9871",
    "S1\t7\t50405101\t159345973\t4120\t0.0051",
    "S1\t9\t10001\t21967751\t980\t0.0110",
    "S1\t9\t21967752\t21995324\t12\t-3.2000",
    "S1\t9\t21995325\t138394717\t5100\t0.0020",
]
CNS_HEAD = "chromosome\tstart\tend\tgene\tlog2\tbaf\tcn\tdepth\tprobes\tweight\n"
CNS_OK = [
    "chr7\t10000\t50304063\t-\t0.0123\t0.4812\t2\t512.3\t2210\t812.5",
    "chr7\t50304063\t50405100\tIKZF1\t-0.9871\t0.0520\t1\t254.1\t14\t5.3",
    "chr7\t50405100\t159335973\t-\t0.0051\t0.4730\t2\t508.9\t4120\t1502.2",
]
MLPA_HEAD = "sample_id\tprobe\tgene\texon\tratio\tchrom\tposition\n"
MLPA_OK = [
    "S1\t08467-L08241\tIKZF1\t1\t0.51\tchr7\t50304716",
    "S1\t08470-L08244\tIKZF1\t2\t0.49\tchr7\t50319062",
    "S1\t08473-L08247\tIKZF1\t4\t0.52\tchr7\t50382569",
    "S1\t08477-L08251\tIKZF1\t8\t0.98\tchr7\t50400117",
]
GENECALL_HEAD = "sample_id\tgene\tcall\tcopy_number\n"
CLIN_HEAD = "sample_id\tage_years\twbc_1e9_per_l\tsex\timmunophenotype\tcns_status\n"
MRD_HEAD = "sample_id\tday\ttissue\tmethod\tvalue\tunit\tsensitivity\n"
LAB_HEAD = "sample_id\tfinding\tresult\tmethod\tvalue\tdate\n"
SHEET_HEAD = (
    "sample_id\texpression\texpression_format\tcopy_number\tcopy_number_format\t"
    "fusions\tfusions_format\tgenome_build\tblast_fraction\n"
)
ARRIBA_HEAD = (
    "#gene1\tgene2\tstrand1(gene/fusion)\tstrand2(gene/fusion)\tbreakpoint1\tbreakpoint2\t"
    "site1\tsite2\ttype\tsplit_reads1\tsplit_reads2\tdiscordant_mates\tcoverage1\tcoverage2\t"
    "confidence\treading_frame\ttags\tretained_protein_domains\tclosest_genomic_breakpoint1\t"
    "closest_genomic_breakpoint2\n"
)
ARRIBA_ROW = (
    "ETV6\tRUNX1\t+/+\t-/-\tchr12:11869969\tchr21:34859474\tsplice-site\tsplice-site\t"
    "translocation\t45\t38\t61\t210\t180\thigh\tin-frame\t.\t.\t.\t.\n"
)
FC_HEAD = (
    "Gene_1_symbol(5end_fusion_partner)\tGene_2_symbol(3end_fusion_partner)\t"
    "Fusion_description\tCounts_of_common_mapping_reads\tSpanning_pairs\t"
    "Spanning_unique_reads\tLongest_anchor_found\tFusion_finding_method\t"
    "Fusion_point_for_gene_1(5end_fusion_partner)\tFusion_point_for_gene_2(3end_fusion_partner)\t"
    "Gene_1_id(5end_fusion_partner)\tGene_2_id(3end_fusion_partner)\t"
    "Exon_1_id(5end_fusion_partner)\tExon_2_id(3end_fusion_partner)\tFusion_sequence\t"
    "Predicted_effect\n"
)
FC_ROW = (
    "ETV6\tRUNX1\tknown,oncogene,cosmic,mitelman,exon-exon\t0\t41\t27\t38\tBOWTIE\t"
    "12:11869969:+\t21:34859474:-\tENSG00000139083\tENSG00000159216\tENSE00001163937\t"
    "ENSE00003517226\tCATCATCACACCAAGAAG*ATGCGTATCCCCGTAGATG\tin-frame\n"
)
CICERO_HEAD = (
    "sample\tgeneA\tchrA\tposA\tortA\tfeatureA\tgeneB\tchrB\tposB\tortB\tfeatureB\t"
    "sv_ort\treadsA\treadsB\tmatchA\tmatchB\trepeatA\trepeatB\tcoverageA\tcoverageB\t"
    "ratioA\tratioB\tqposA\tqposB\ttotal_readsA\ttotal_readsB\tcontig\ttype\tscore\t"
    "rating\tmedal\tfunctional effect\tframe\n"
)
CICERO_ROW = (
    "S1\tKMT2A\tchr11\t118482495\t+\tcoding\tAFF1\tchr4\t87012825\t+\tcoding\t>\t31\t27\t"
    "98\t97\t0.000\t0.000\t196\t188\t0.412\t0.377\t49\t50\t112\t131\t"
    "GCTGAGCCCAAGAAAAAGCAGCCTCCACCAAGG\tCTX\t187.35\tHQ\t4\tFusion\t1\n"
)
JAFFA_HEAD = (
    '"sample","fusion genes","chrom1","base1","strand1","chrom2","base2","strand2",'
    '"gap (kb)","spanning pairs","spanning reads","inframe","aligns","rearrangement",'
    '"contig","contig break","classification","known"\n'
)
JAFFA_ROW = (
    '"S1","TCF3:PBX1","chr19",1619111,"-","chr1",164792494,"+",Inf,"38",52,TRUE,TRUE,TRUE,'
    '"NB501697:36:HWG7WAFXX:1:11104:11739:13459/1",71,"HighConfidence","Yes"\n'
)
STARF_HEAD = (
    "#FusionName\tJunctionReadCount\tSpanningFragCount\test_J\test_S\tSpliceType\t"
    "LeftGene\tLeftBreakpoint\tRightGene\tRightBreakpoint\tLargeAnchorSupport\tFFPM\n"
)


def _sheet_row(sid: str, expr: str = "inputs/valid/matrix.tsv", fmt: str = "matrix") -> str:
    return f"{sid}\t{expr}\t{fmt}\t\t\t\t\tGRCh38\t\n"


def _gz(text: str) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as fh:
        fh.write(text.encode())
    return buf.getvalue()


# (file, verb, format, category, expected message fragment, where, content, named file)
# verb: how the test drives the file (see test_bad_inputs.py):
#   expression  -> allstrat import-expression (sheet row: sample S1, this file, format)
#   counts      -> allstrat classify --counts FILE --format FORMAT
#   copynumber  -> allstrat copynumber (sheet row: sample S1, this file, format[:build])
#   fusions     -> allstrat classify --counts valid --sheet (sample S1, fusions FILE, format)
#   sheet       -> allstrat import-expression --sheet FILE
#   clinical    -> allstrat risk --sample S1 --clinical FILE
#   mrd         -> allstrat risk --sample S1 --mrd FILE
#   stage       -> allstrat risk --classify FILE
#   model       -> allstrat classify --counts valid --model DIR
CASES: list[tuple[str, str, str, str, str, str, bytes | str, str]] = []


def case(
    file: str,
    verb: str,
    fmt: str,
    category: str,
    expected: str,
    where: str,
    content: bytes | str,
    *,
    names: str = "",
) -> None:
    """Register one corpus file (``names``: the file the message must name, default itself)."""
    CASES.append((file, verb, fmt, category, expected, where, content, names or Path(file).name))


g_sym = [s for s, _ in GENES]
g_ens = [e for _, e in GENES]
ok_vals = [[str(c), str(c * 2 + 1)] for c in COUNTS]

# ---------------------------------------------------------------- expression
case("expression/empty.tsv", "expression", "matrix", "empty file", "empty", "file", "")
case(
    "expression/header_only.tsv",
    "expression",
    "matrix",
    "truncated file",
    "no gene rows",
    "file",
    "gene_id\tS1\tS2\n",
)
trunc = _matrix()
case(
    "expression/truncated_row.tsv",
    "expression",
    "matrix",
    "truncated file",
    "looks truncated",
    "line:15",
    trunc[: trunc.rindex("\t")] + "\n",
)
case(
    "expression/truncated.tsv.gz",
    "expression",
    "matrix",
    "truncated file",
    "truncated or corrupt gzip",
    "file",
    _gz(_matrix())[:60],
)
case(
    "expression/binary_garbage.tsv",
    "expression",
    "matrix",
    "not a text file",
    "UTF-8",
    "file",
    bytes(range(128, 256)) * 4,
)
case(
    "expression/space_delimited.tsv",
    "expression",
    "matrix",
    "wrong delimiter",
    "delimiter",
    "line:1",
    _matrix(sep=" "),
)
case(
    "expression/mixed_delimiter.tsv",
    "expression",
    "matrix",
    "wrong delimiter",
    "missing count",
    "line:3",
    _matrix().replace("ERG\t95\t191", "ERG,95,191"),
)
case(
    "expression/duplicate_gene.tsv",
    "expression",
    "matrix",
    "duplicate genes",
    "appears twice",
    "line:4",
    _matrix(ids=[*g_sym[:2], "IKZF1", *g_sym[3:]]),
)
case(
    "expression/duplicate_sample_column.tsv",
    "expression",
    "matrix",
    "duplicate samples",
    "appears twice",
    "line:1",
    _matrix().replace("gene_id\tS1\tS2", "gene_id\tS1\tS1"),
)
case(
    "expression/negative_count.tsv",
    "expression",
    "matrix",
    "negative counts",
    "negative count",
    "line:5",
    _matrix(values=[*ok_vals[:3], ["-5", "3"], *ok_vals[4:]]),
)
case(
    "expression/non_integer_count.tsv",
    "expression",
    "matrix",
    "non-integer counts",
    "non-integer count",
    "line:6",
    _matrix(values=[*ok_vals[:4], ["12.5", "3"], *ok_vals[5:]]),
)
case(
    "expression/nan_count.tsv",
    "expression",
    "matrix",
    "NaN counts",
    "missing count",
    "line:7",
    _matrix(values=[*ok_vals[:5], ["NaN", "3"], *ok_vals[6:]]),
)
case(
    "expression/huge_count.tsv",
    "expression",
    "matrix",
    "huge counts",
    "exceeds 2^31-1",
    "line:8",
    _matrix(values=[*ok_vals[:6], ["99999999999999", "3"], *ok_vals[7:]]),
)
case(
    "expression/inf_count.tsv",
    "expression",
    "matrix",
    "huge counts",
    "exceeds 2^31-1",
    "line:2",
    _matrix(values=[["inf", "3"], *ok_vals[1:]]),
)
case(
    "expression/transcript_ids.tsv",
    "expression",
    "matrix",
    "transcript IDs",
    "not transcript, mouse or probe IDs",
    "sample:S1",
    _matrix(ids=[f"ENST{i:011d}.1" for i in range(1000, 1000 + len(GENES))]),
)
case(
    "expression/mouse_ids.tsv",
    "expression",
    "matrix",
    "mouse IDs",
    "not transcript, mouse or probe IDs",
    "sample:S1",
    _matrix(ids=[f"ENSMUSG{i:011d}" for i in range(50000, 50000 + len(GENES))]),
)
tr = ["sample\t" + "\t".join(g_sym)]
tr += [f"PT00{i}\t" + "\t".join(str(c + i) for c in COUNTS) for i in (1, 2)]
case(
    "expression/samples_as_rows.tsv",
    "expression",
    "matrix",
    "matrix transposed",
    "samples x genes",
    "line:1",
    "\n".join(tr) + "\n",
)
case(
    "expression/sample_missing_from_matrix.tsv",
    "expression",
    "matrix",
    "sheet-file mismatch",
    "not among the matrix columns",
    "sample:S1",
    _matrix().replace("gene_id\tS1\tS2", "gene_id\tPT1\tPT2"),
)
case(
    "expression/tpm_values.quant.genes.sf",
    "expression",
    "salmon",
    "negative counts",
    "negative",
    "line:4",
    _salmon([*[f"{c}.000" for c in COUNTS[:2]], "-1.5", *[f"{c}.0" for c in COUNTS[3:]]]),
)
case(
    "expression/htseq_non_integer.htseq.counts",
    "expression",
    "htseq",
    "non-integer counts",
    "non-integer count",
    "line:3",
    _htseq(counts=[*[str(c) for c in COUNTS[:2]], "7.25", *[str(c) for c in COUNTS[3:]]]),
)
case(
    "expression/htseq_three_columns.htseq.counts",
    "expression",
    "htseq",
    "wrong delimiter",
    "column",
    "line:1",
    _htseq().replace("\t", "\t1\t", 1),
)
case(
    "expression/featurecounts_no_header.txt",
    "expression",
    "featurecounts",
    "truncated file",
    "Geneid",
    "line:1",
    "\n".join(_featurecounts().splitlines()[2:]) + "\n",
)
case(
    "expression/featurecounts_text_count.txt",
    "expression",
    "featurecounts",
    "non-integer counts",
    "missing count",
    "line:5",
    _featurecounts([*[str(c) for c in COUNTS[:2]], "n/a", *[str(c) for c in COUNTS[3:]]]),
)
case(
    "expression/star_two_columns.ReadsPerGene.out.tab",
    "expression",
    "star",
    "wrong format",
    "4",
    "line:1",
    "\n".join("\t".join(r.split("\t")[:2]) for r in _star().splitlines()) + "\n",
)
case(
    "expression/h5ad_not_hdf5.h5ad",
    "expression",
    "h5ad",
    "wrong format",
    "cannot read h5ad",
    "file",
    _matrix(),
)


def _h5ad(counts: list[list[float]]) -> bytes:
    """A small AnnData (obs = S1, S2; var = the genes) as .h5ad bytes."""
    import tempfile

    import anndata as ad
    import numpy as np
    import pandas as pd

    x = np.array(counts, dtype="float64").T
    a = ad.AnnData(
        X=x, obs=pd.DataFrame(index=["S1", "S2"]), var=pd.DataFrame(index=[g for g, _ in GENES])
    )
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.h5ad"
        a.write_h5ad(p)
        return p.read_bytes()


_ok_h5ad = _h5ad([[float(c), float(c * 2 + 1)] for c in COUNTS])
case(
    "expression/truncated.h5ad",
    "expression",
    "h5ad",
    "truncated file",
    "cannot read h5ad",
    "file",
    _ok_h5ad[: len(_ok_h5ad) // 2],
)
case(
    "expression/negative.h5ad",
    "expression",
    "h5ad",
    "negative counts",
    "negative count",
    "sample:S1",
    _h5ad([[float(c), 1.0] for c in COUNTS[:3]] + [[-4.0, 1.0]] + [[1.0, 1.0]] * 10),
)

# ------------------------------------------------------------ classify --counts
case(
    "counts/negative.tsv",
    "counts",
    "matrix",
    "negative counts",
    "negative",
    "line:5",
    _matrix(values=[*ok_vals[:3], ["-5", "3"], *ok_vals[4:]]),
)
case(
    "counts/duplicate_gene.tsv",
    "counts",
    "matrix",
    "duplicate genes",
    "appears twice",
    "line:4",
    _matrix(ids=[*g_sym[:2], "IKZF1", *g_sym[3:]]),
)
case("counts/empty.tsv", "counts", "matrix", "empty file", "empty", "file", "")

# ------------------------------------------------------------ copy number
case(
    "copynumber/empty.seg",
    "copynumber",
    "seg",
    "empty file",
    "empty",
    "file",
    "",
)
case(
    "copynumber/header_only.seg",
    "copynumber",
    "seg",
    "truncated file",
    "no data rows",
    "line:1",
    SEG_HEAD,
)
case(
    "copynumber/truncated_row.seg",
    "copynumber",
    "seg",
    "truncated file",
    "missing",
    "line:4",
    SEG_HEAD + "\n".join(SEG_OK[:2]) + "\nS1\t7\t50405101\n",
)
case(
    "copynumber/comma_delimited.seg",
    "copynumber",
    "seg",
    "wrong delimiter",
    "tab",
    "line:1",
    (SEG_HEAD + "\n".join(SEG_OK) + "\n").replace("\t", ","),
)
case(
    "copynumber/overlapping.seg",
    "copynumber",
    "seg",
    "overlapping segments",
    "segments overlap",
    "line:3",
    SEG_HEAD + "\n".join([SEG_OK[0], "S1\t7\t50000000\t50405100\t60\t-0.9871", *SEG_OK[2:]]) + "\n",
)
case(
    "copynumber/unknown_chrom.seg",
    "copynumber",
    "seg",
    "unknown chromosomes",
    "unknown chromosome",
    "line:3",
    SEG_HEAD + "\n".join([SEG_OK[0], "S1\tchr7_KI270803v1_alt\t1\t5000\t3\t0.1"]) + "\n",
)
case(
    "copynumber/chrom_25.seg",
    "copynumber",
    "seg",
    "unknown chromosomes",
    "unknown chromosome",
    "line:2",
    SEG_HEAD + "S1\t25\t1\t5000\t3\t0.1\n",
)
case(
    "copynumber/start_after_end.seg",
    "copynumber",
    "seg",
    "bad coordinates",
    "> end",
    "line:3",
    SEG_HEAD + "\n".join([SEG_OK[0], "S1\t7\t50405100\t50304064\t60\t-0.9871"]) + "\n",
)
case(
    "copynumber/nan_log2.seg",
    "copynumber",
    "seg",
    "NaN values",
    "NaN",
    "line:2",
    SEG_HEAD + "S1\t7\t10001\t50304063\t2210\tNaN\n",
)
case(
    "copynumber/inf_log2.seg",
    "copynumber",
    "seg",
    "huge values",
    "infinite",
    "line:2",
    SEG_HEAD + "S1\t7\t10001\t50304063\t2210\t-inf\n",
)
case(
    "copynumber/sample_missing.seg",
    "copynumber",
    "seg",
    "sheet-file mismatch",
    "no segments",
    "sample:S1",
    SEG_HEAD + "\n".join(r.replace("S1", "PT9", 1) for r in SEG_OK) + "\n",
)
case(
    "copynumber/beyond_chrom_end.seg",
    "copynumber",
    "seg",
    "wrong genome build",
    "past the GRCh38 end of chr21",
    "sample:S1",
    SEG_HEAD + "S1\t21\t10001\t48129895\t3000\t0.01\nS1\t21\t48129896\t52000000\t40\t0.2\n",
)
case(
    "copynumber/grch37.seg",
    "copynumber",
    "seg:GRCh37",
    "wrong genome build",
    "GRCh37",
    "file",
    SEG_HEAD + "\n".join(SEG_OK) + "\n",
)
case(
    "copynumber/hg19_build_name.seg",
    "copynumber",
    "seg:hg19",
    "wrong genome build",
    "genome_build",
    "line:2",
    SEG_HEAD + "\n".join(SEG_OK) + "\n",
    names="sheet.tsv",
)
case(
    "copynumber/cnvkit_text_log2.cns",
    "copynumber",
    "cnvkit",
    "wrong format",
    "non-numeric",
    "line:3",
    CNS_HEAD + "\n".join([CNS_OK[0], CNS_OK[1].replace("-0.9871", "loss"), CNS_OK[2]]) + "\n",
)
case(
    "copynumber/cnvkit_missing_log2.cns",
    "copynumber",
    "cnvkit",
    "wrong format",
    "log2",
    "line:1",
    CNS_HEAD.replace("log2", "value") + "\n".join(CNS_OK) + "\n",
)
case(
    "copynumber/mlpa_negative_ratio.tsv",
    "copynumber",
    "mlpa",
    "MLPA ratio out of range",
    "negative ratio",
    "line:3",
    MLPA_HEAD + "\n".join([MLPA_OK[0], MLPA_OK[1].replace("0.49", "-0.49"), *MLPA_OK[2:]]) + "\n",
)
case(
    "copynumber/mlpa_huge_ratio.tsv",
    "copynumber",
    "mlpa",
    "MLPA ratio out of range",
    "above 10",
    "line:2",
    MLPA_HEAD + "\n".join([MLPA_OK[0].replace("0.51", "51"), *MLPA_OK[1:]]) + "\n",
)
case(
    "copynumber/mlpa_percent_ratio.tsv",
    "copynumber",
    "mlpa",
    "MLPA ratio out of range",
    "above 10",
    "line:2",
    MLPA_HEAD
    + "\n".join(
        r.replace(f"\t{v}\t", f"\t{float(v) * 100:g}\t")
        for r, v in zip(MLPA_OK, ["0.51", "0.49", "0.52", "0.98"], strict=True)
    )
    + "\n",
)
case(
    "copynumber/mlpa_duplicate_probe.tsv",
    "copynumber",
    "mlpa",
    "duplicate probes",
    "appears twice",
    "line:4",
    MLPA_HEAD + "\n".join([MLPA_OK[0], MLPA_OK[1], MLPA_OK[1]]) + "\n",
)
case(
    "copynumber/mlpa_wrong_position.tsv",
    "copynumber",
    "mlpa",
    "wrong genome build",
    "outside IKZF1 on GRCh38",
    "sample:S1",
    MLPA_HEAD + MLPA_OK[0].replace("50304716", "50271189").replace("chr7", "chr9") + "\n",
)
case(
    "copynumber/gene_calls_unknown_call.tsv",
    "copynumber",
    "gene_calls",
    "out-of-vocabulary value",
    "unknown call",
    "line:3",
    GENECALL_HEAD + "S1\tIKZF1\tdeleted\t1\nS1\tPAX5\tmaybe\t\n",
)
case(
    "copynumber/gene_calls_negative_cn.tsv",
    "copynumber",
    "gene_calls",
    "negative values",
    "negative copy_number",
    "line:2",
    GENECALL_HEAD + "S1\tIKZF1\tdeleted\t-1\n",
)
case(
    "copynumber/gene_calls_duplicate.tsv",
    "copynumber",
    "gene_calls",
    "duplicate genes",
    "appears twice",
    "line:3",
    GENECALL_HEAD + "S1\tIKZF1\tdeleted\t1\nS1\tIKZF1\tnormal\t2\n",
)

# ------------------------------------------------------------ fusions
case(
    "fusions/empty.fusions.tsv",
    "fusions",
    "arriba",
    "empty file",
    "empty",
    "file",
    "",
)
case(
    "fusions/truncated.fusions.tsv",
    "fusions",
    "arriba",
    "truncated file",
    "line",
    "line:2",
    ARRIBA_HEAD + ARRIBA_ROW[:60] + "\n",
)
case(
    "fusions/wrong_tool.fusions.tsv",
    "fusions",
    "arriba",
    "wrong format",
    "this is a STAR-Fusion file",
    "line:1",
    STARF_HEAD + "ETV6--RUNX1\t45\t61\t45\t61\tONLY_REF_SPLICE\tETV6^ENSG00000139083.11\t"
    "chr12:11869969:+\tRUNX1^ENSG00000159216.20\tchr21:34859474:-\tYES_LDAS\t1.2\n",
)
case(
    "fusions/negative_reads.fusions.tsv",
    "fusions",
    "arriba",
    "negative values",
    "reads",
    "line:2",
    ARRIBA_HEAD + ARRIBA_ROW.replace("\t45\t38\t61\t", "\t-45\t38\t61\t"),
)

case(
    "fusions/empty.final-list_candidate-fusion-genes.txt",
    "fusions",
    "fusioncatcher",
    "empty file",
    "empty (not even a header)",
    "file",
    "",
)
case(
    "fusions/fusioncatcher_declared_arriba.txt",
    "fusions",
    "arriba",
    "wrong format",
    "this is a FusionCatcher file",
    "line:1",
    FC_HEAD + FC_ROW,
)
case(
    "fusions/cicero_declared_fusioncatcher.txt",
    "fusions",
    "fusioncatcher",
    "wrong format",
    "this is a CICERO file",
    "line:1",
    CICERO_HEAD + CICERO_ROW,
)
case(
    "fusions/jaffa_declared_cicero.csv",
    "fusions",
    "cicero",
    "wrong format",
    "this is a JAFFA file",
    "line:1",
    JAFFA_HEAD + JAFFA_ROW,
)
case(
    "fusions/arriba_declared_jaffa.tsv",
    "fusions",
    "jaffa",
    "wrong format",
    "this is an Arriba file",
    "line:1",
    ARRIBA_HEAD + ARRIBA_ROW,
)
case(
    "fusions/grch37_coordinates.final-list_candidate-fusion-genes.txt",
    "fusions",
    "fusioncatcher",
    "wrong genome build",
    "another genome build",
    "file",
    FC_HEAD
    + FC_ROW.replace("12:11869969:+", "12:12022903:+").replace("21:34859474:-", "21:36231771:-"),
)
case(
    "fusions/S1.final-list_candidate-fusion-genes.hg19.txt",
    "fusions",
    "fusioncatcher",
    "wrong genome build",
    "states GRCh37",
    "file",
    FC_HEAD
    + FC_ROW.replace("12:11869969:+", "12:12022903:+").replace("21:34859474:-", "21:36231771:-"),
)
case(
    "fusions/cicero_bad_rating.txt",
    "fusions",
    "cicero",
    "invalid value",
    "rating 'great'",
    "line:2",
    CICERO_HEAD + CICERO_ROW.replace("\tHQ\t", "\tgreat\t"),
)
case(
    "fusions/truncated_jaffa_results.csv",
    "fusions",
    "jaffa",
    "truncated file",
    "fields, the header",
    "line:2",
    JAFFA_HEAD + JAFFA_ROW[:70] + "\n",
)
case(
    "fusions/fusioncatcher_text_reads.txt",
    "fusions",
    "fusioncatcher",
    "non-integer counts",
    "not a non-negative integer",
    "line:2",
    FC_HEAD + FC_ROW.replace("\t41\t27\t", "\t41\tmany\t"),
)

# ------------------------------------------------------------ sample sheet
case(
    "sheet/empty.tsv",
    "sheet",
    "",
    "empty file",
    "empty",
    "file",
    "",
)
case(
    "sheet/comma.csv",
    "sheet",
    "",
    "wrong delimiter",
    "tab-separated",
    "line:1",
    (SHEET_HEAD + _sheet_row("S1")).replace("\t", ","),
)
for name, sid, category in [
    ("slash", "../../etc/passwd", "unsafe sample ID (path)"),
    ("dotdot", "..", "unsafe sample ID (path)"),
    ("space", "S 1", "unsafe sample ID (space)"),
    ("shell", "S1;rm -rf ~", "unsafe sample ID (shell metacharacters)"),
    ("backtick", "S1`touch pwned`", "unsafe sample ID (shell metacharacters)"),
    ("dollar", "$(id)", "unsafe sample ID (shell metacharacters)"),
    ("newline_escape", "S1\\nS2", "unsafe sample ID (shell metacharacters)"),
    ("unicode", "S1\u200b", "unsafe sample ID (invisible character)"),
]:
    case(
        f"sheet/sample_id_{name}.tsv",
        "sheet",
        "",
        category,
        "sample_id",
        "line:2",
        SHEET_HEAD + _sheet_row(sid),
    )
case(
    "sheet/duplicate_sample.tsv",
    "sheet",
    "",
    "duplicate samples",
    "duplicate sample_id",
    "line:3",
    SHEET_HEAD + _sheet_row("S1") + _sheet_row("S1"),
)
case(
    "sheet/missing_file.tsv",
    "sheet",
    "",
    "sheet-file mismatch",
    "not found",
    "file",
    SHEET_HEAD + _sheet_row("S1", "inputs/valid/does_not_exist.tsv"),
    names="does_not_exist.tsv",
)
case(
    "sheet/unknown_format.tsv",
    "sheet",
    "",
    "out-of-vocabulary value",
    "expression_format",
    "line:2",
    SHEET_HEAD + _sheet_row("S1", fmt="xlsx"),
)
case(
    "sheet/format_mismatch.tsv",
    "sheet",
    "",
    "sheet-file mismatch",
    "Geneid",
    "line:1",
    SHEET_HEAD + _sheet_row("S1", fmt="featurecounts"),
    names="matrix.tsv",
)
case(
    "sheet/blast_fraction_percent.tsv",
    "sheet",
    "",
    "value in wrong units",
    "blast_fraction",
    "line:2",
    SHEET_HEAD + _sheet_row("S1").replace("GRCh38\t\n", "GRCh38\t85\n"),
)
case(
    "sheet/unknown_column.tsv",
    "sheet",
    "",
    "wrong format",
    "unknown column",
    "line:1",
    SHEET_HEAD.replace("blast_fraction", "blast_percent") + _sheet_row("S1"),
)
case(
    "sheet/same_single_sample_file.tsv",
    "sheet",
    "",
    "sheet-file mismatch",
    "same single-sample",
    "sample:S2",
    SHEET_HEAD
    + _sheet_row("S1", "inputs/valid/S1.htseq.counts", "htseq")
    + _sheet_row("S2", "inputs/valid/S1.htseq.counts", "htseq"),
    names="S1.htseq.counts",
)

# ------------------------------------------------------------ clinical / MRD
case(
    "clinical/age_out_of_range.tsv",
    "clinical",
    "",
    "clinical value out of range",
    "age",
    "line:2",
    CLIN_HEAD + "S1\t250\t12.5\tF\tB\tCNS1\n",
)
case(
    "clinical/age_in_months.tsv",
    "clinical",
    "",
    "clinical value out of range",
    "age_months",
    "line:2",
    CLIN_HEAD.replace("age_years", "age_months") + "S1\t350\t12.5\tF\tB\tCNS1\n",
)
case(
    "clinical/age_without_unit.tsv",
    "clinical",
    "",
    "clinical value in wrong units",
    "name the unit",
    "line:1",
    CLIN_HEAD.replace("age_years", "age") + "S1\t18\t12.5\tF\tB\tCNS1\n",
)
case(
    "clinical/age_both_units.tsv",
    "clinical",
    "",
    "clinical value in wrong units",
    "both give the same quantity",
    "line:1",
    CLIN_HEAD.replace("age_years", "age_years\tage_months") + "S1\t1.5\t18\t12.5\tF\tB\tCNS1\n",
)
case(
    "clinical/wbc_1500_per_ul_as_1e9.tsv",
    "clinical",
    "",
    "clinical value in wrong units",
    "wbc_per_ul",
    "line:2",
    CLIN_HEAD + "S1\t4.2\t1500\tF\tB\tCNS1\n",
)
case(
    "clinical/wbc_per_ul_holds_1e9.tsv",
    "clinical",
    "",
    "clinical value in wrong units",
    "wbc_1e9_per_l",
    "line:2",
    CLIN_HEAD.replace("wbc_1e9_per_l", "wbc_per_ul") + "S1\t4.2\t12.5\tF\tB\tCNS1\n",
)
case(
    "clinical/wbc_per_microlitre.tsv",
    "clinical",
    "",
    "clinical value in wrong units",
    "wbc",
    "line:2",
    CLIN_HEAD + "S1\t4.2\t85000\tF\tB\tCNS1\n",
)
case(
    "clinical/etp_marker_over_100.tsv",
    "clinical",
    "",
    "clinical value out of range",
    "cd5_pct",
    "line:2",
    CLIN_HEAD.replace("\n", "\tcd1a_pct\tcd5_pct\n") + "S1\t4.2\t12.5\tM\tT\tCNS1\t2\t150\n",
)
case(
    "clinical/etp_marker_percent_sign.tsv",
    "clinical",
    "",
    "out-of-vocabulary value",
    "cd1a_pct",
    "line:2",
    CLIN_HEAD.replace("\n", "\tcd1a_pct\n") + "S1\t4.2\t12.5\tM\tT\tCNS1\t40%\n",
)
case(
    "clinical/negative_wbc.tsv",
    "clinical",
    "",
    "clinical value out of range",
    "wbc",
    "line:2",
    CLIN_HEAD + "S1\t4.2\t-3\tF\tB\tCNS1\n",
)
case(
    "clinical/sex_unknown_code.tsv",
    "clinical",
    "",
    "out-of-vocabulary value",
    "sex",
    "line:2",
    CLIN_HEAD + "S1\t4.2\t12.5\tfemale\tB\tCNS1\n",
)
case(
    "clinical/duplicate_sample.tsv",
    "clinical",
    "",
    "duplicate samples",
    "duplicate sample_id",
    "line:3",
    CLIN_HEAD + "S1\t4.2\t12.5\tF\tB\tCNS1\nS1\t5.0\t12.5\tF\tB\tCNS1\n",
)
case(
    "mrd/value_percent.tsv",
    "mrd",
    "",
    "clinical value in wrong units",
    "value",
    "line:2",
    MRD_HEAD + "S1\t29\tBM\tflow\t12\tfraction\t1e-4\n",
)
case(
    "mrd/negative_without_sensitivity.tsv",
    "mrd",
    "",
    "missing required value",
    "sensitivity",
    "line:2",
    MRD_HEAD + "S1\t29\tBM\tflow\tnegative\tfraction\t\n",
)
case(
    "mrd/unknown_tissue.tsv",
    "mrd",
    "",
    "out-of-vocabulary value",
    "tissue",
    "line:2",
    MRD_HEAD + "S1\t29\tCSF\tflow\t0.001\tfraction\t1e-4\n",
)
case(
    "mrd/day_not_integer.tsv",
    "mrd",
    "",
    "wrong format",
    "day",
    "line:2",
    MRD_HEAD + "S1\tday29\tBM\tflow\t0.001\tfraction\t1e-4\n",
)

case(
    "mrd/no_unit_column.tsv",
    "mrd",
    "",
    "missing required value",
    "unit",
    "line:1",
    "sample_id\tday\ttissue\tmethod\tvalue\tsensitivity\nS1\t79\tBM\tPCR\t0.05\t1e-4\n",
)
case(
    "mrd/unit_unknown.tsv",
    "mrd",
    "",
    "out-of-vocabulary value",
    "column unit",
    "line:2",
    MRD_HEAD + "S1\t79\tBM\tPCR\t0.05\t%\t1e-4\n",
)
case(
    "mrd/percent_above_100.tsv",
    "mrd",
    "",
    "clinical value out of range",
    "outside 0-100",
    "line:3",
    MRD_HEAD + "S1\t33\tBM\tPCR\t0.05\tpercent\t0.01\nS1\t79\tBM\tPCR\t120\tpercent\t0.01\n",
)
case(
    "mrd/log10_positive.tsv",
    "mrd",
    "",
    "clinical value in wrong units",
    "log10 is above 0",
    "line:2",
    MRD_HEAD + "S1\t79\tBM\tPCR\t3\tlog10\t-4\n",
)
case(
    "mrd/sensitivity_unit_mismatch.tsv",
    "mrd",
    "",
    "clinical value out of range",
    "sensitivity",
    "line:2",
    MRD_HEAD + "S1\t79\tBM\tPCR\tnegative\tlog10\t1e-4\n",
)

# ------------------------------------------------------------ diagnostic genetics
case(
    "lab/method_cannot_establish.tsv",
    "lab",
    "",
    "out-of-vocabulary value",
    "cannot be established by method",
    "line:3",
    LAB_HEAD + "S1\tKMT2A-r\tnegative\tFISH\t\t\nS1\tETV6::RUNX1\tpositive\tkaryotype\t\t\n",
)
case(
    "lab/unknown_finding.tsv",
    "lab",
    "",
    "out-of-vocabulary value",
    "column finding",
    "line:2",
    LAB_HEAD + "S1\tPh+\tpositive\tFISH\t\t\n",
)
case(
    "lab/unknown_result.tsv",
    "lab",
    "",
    "out-of-vocabulary value",
    "column result",
    "line:2",
    LAB_HEAD + "S1\tBCR::ABL1\tinconclusive\tRT-PCR\t\t\n",
)
case(
    "lab/dna_index_is_modal_number.tsv",
    "lab",
    "",
    "clinical value in wrong units",
    "modal_number",
    "line:2",
    LAB_HEAD + "S1\tDNA_index\tmeasured\tflow_DNA_index\t54\t\n",
)
case(
    "lab/measured_without_value.tsv",
    "lab",
    "",
    "missing required value",
    "needs column value",
    "line:2",
    LAB_HEAD + "S1\tmodal_number\tmeasured\tkaryotype\t\t\n",
)
case(
    "lab/positive_for_number.tsv",
    "lab",
    "",
    "wrong format",
    "result must be measured",
    "line:2",
    LAB_HEAD + "S1\tDNA_index\tpositive\tflow_DNA_index\t\t\n",
)
case(
    "lab/date_not_iso.tsv",
    "lab",
    "",
    "wrong format",
    "column date",
    "line:2",
    LAB_HEAD + "S1\tBCR::ABL1\tnegative\tRT-PCR\t\t02/03/2025\n",
)
case(
    "lab/missing_method_column.tsv",
    "lab",
    "",
    "missing required value",
    "method",
    "line:1",
    "sample_id\tfinding\tresult\nS1\tBCR::ABL1\tnegative\n",
)
case(
    "lab/empty.tsv",
    "lab",
    "",
    "empty file",
    "empty",
    "file",
    "",
)

# ------------------------------------------------------------ stage tables
case(
    "stage/classify_missing_columns.tsv",
    "stage",
    "",
    "wrong format",
    "lacks column",
    "line:1",
    "sample_id\tsubtype\nS1\tDUX4\n",
)
case(
    "sheet/fusion_count_mismatch.tsv",
    "sheet",
    "",
    "sheet-file mismatch",
    "fusions lists 2 file(s) but fusions_format 1",
    "line:2",
    SHEET_HEAD + "S1\tinputs/valid/matrix.tsv\tmatrix\t\t\tinputs/valid/S1.arriba.fusions.tsv;"
    "inputs/valid/S1.final-list_candidate-fusion-genes.txt\tarriba\tGRCh38\t\n",
)
case(
    "stage/classify_empty.tsv",
    "stage",
    "",
    "empty file",
    "empty",
    "file",
    "",
)

# ------------------------------------------------------------ variants (VCF / BCF)
# verb variants -> allstrat copynumber (sheet row: sample S1, variants FILE, format[:build])
T = vcf_cases.vcf()
H = vcf_cases.n_header_lines(T)
T_HEAD, T_BODY = T.splitlines(keepends=True)[:H], T.splitlines(keepends=True)[H:]


def _body(*, at: int, line: str | None = None, swap: bool = False) -> str:
    """The valid VCF with record ``at`` (1-based) replaced, or swapped with the next one."""
    b = list(T_BODY)
    if swap:
        b[at - 1], b[at] = b[at], b[at - 1]
    else:
        b[at - 1] = line or ""
    return "".join(T_HEAD + b)


def _rec(k: int) -> list[str]:
    return T_BODY[k - 1].rstrip("\n").split("\t")


case(
    "variants/no_gt.vcf",
    "variants",
    "vcf",
    "missing required field",
    "FORMAT/GT",
    "line:1",
    vcf_cases.vcf(drop=("GT",), fields=("AD", "DP", "GQ")),
)
case(
    "variants/no_ad.vcf",
    "variants",
    "vcf",
    "missing required field",
    "FORMAT/AD",
    "line:1",
    vcf_cases.vcf(drop=("AD",), fields=("GT", "DP", "GQ")),
)
two = "".join(T_HEAD[:-1]) + T_HEAD[-1].rstrip("\n") + "\tPT2_RNA\n"
two += "".join(x.rstrip("\n") + "\t" + x.rstrip("\n").split("\t")[-1] + "\n" for x in T_BODY)
case(
    "variants/multisample_without_sheet_sample.vcf",
    "variants",
    "vcf",
    "sheet-file mismatch",
    "not in the VCF",
    "sample:S1",
    two,
)
_bgz = vcf_cases.bgzip(T)
case(
    "variants/truncated.vcf.gz",
    "variants",
    "vcf",
    "truncated file",
    "truncated",
    "file",
    _bgz[: len(_bgz) // 2],
)
_bcf = vcf_cases.bcf(T)
case(
    "variants/truncated.bcf",
    "variants",
    "vcf",
    "truncated file",
    "truncated",
    "file",
    _bcf[: len(_bcf) // 2],
)
case(
    "variants/unsorted.vcf",
    "variants",
    "vcf",
    "unsorted records",
    "not sorted: record 7",
    f"line:{H + 7}",
    _body(at=6, swap=True),
)
_chr1 = [x for x in T_BODY if x.startswith("chr1\t")]
_rest = [x for x in T_BODY if not x.startswith("chr1\t")]
case(
    "variants/contig_revisited.vcf",
    "variants",
    "vcf",
    "unsorted records",
    "returns to contig chr1",
    f"line:{H + 13}",
    "".join(T_HEAD + _chr1[:10] + _rest[:2] + _chr1[10:] + _rest[2:]),
)
case(
    "variants/malformed_header_no_fileformat.vcf",
    "variants",
    "vcf",
    "malformed header",
    "##fileformat=VCF",
    "line:1",
    "".join(T_HEAD[1:] + T_BODY),
)
case(
    "variants/malformed_header_columns.vcf",
    "variants",
    "vcf",
    "malformed header",
    "tab-separated columns",
    f"line:{H}",
    "".join(T_HEAD[:-1]) + T_HEAD[-1].replace("\t", " ", 3) + "".join(T_BODY),
)
case(
    "variants/malformed_header_ad_string.vcf",
    "variants",
    "vcf",
    "malformed header",
    "FORMAT/AD is declared",
    "line:3",
    T.replace("ID=AD,Number=R,Type=Integer", "ID=AD,Number=R,Type=String"),
)
_r5 = _rec(5)
_r5[9] = _r5[9].replace(":", ":4,", 1)  # a third AD value for a biallelic record
case(
    "variants/ad_wrong_count.vcf",
    "variants",
    "vcf",
    "wrong format",
    "AD has 3 values",
    f"line:{H + 5}",
    _body(at=5, line="\t".join(_r5) + "\n"),
)
_r4 = _rec(4)
_r4[9] = "0/1:a,b:30:60"
case(
    "variants/non_numeric_ad.vcf",
    "variants",
    "vcf",
    "non-integer counts",
    "cannot read record 4",
    f"line:{H + 4}",
    _body(at=4, line="\t".join(_r4) + "\n"),
)
_k21 = max(i for i, x in enumerate(T_BODY, start=1) if x.startswith("chr21\t"))
_r21 = _rec(_k21)
_r21[1] = "47000000"  # GRCh38 chr21 is 46,709,983 bp; GRCh37 chr21 48,129,895
case(
    "variants/past_chrom_end.vcf",
    "variants",
    "vcf",
    "wrong genome build",
    "past the GRCh38 end of chr21",
    f"line:{H + _k21}",
    _body(at=_k21, line="\t".join(_r21) + "\n"),
)
case(
    "variants/grch37_contigs.vcf",
    "variants",
    "vcf",
    "wrong genome build",
    "GRCh37 length",
    "line:9",
    vcf_cases.vcf(build="GRCh37"),
)
_sites = [x.rsplit("\t", 2)[0] + "\n" for x in [*T_HEAD[-1:], *T_BODY]]
case(
    "variants/sites_only.vcf",
    "variants",
    "vcf",
    "sheet-file mismatch",
    "no sample columns",
    f"line:{H}",
    "".join(T_HEAD[:-1]) + "".join(_sites),
)
case("variants/empty.vcf", "variants", "vcf", "empty file", "empty", "file", "")
case(
    "variants/seg_declared_vcf.vcf",
    "variants",
    "vcf",
    "wrong format",
    "##fileformat=VCF",
    "line:1",
    SEG_HEAD + "\n".join(SEG_OK) + "\n",
)

# ------------------------------------------------------------ valid originals
VALID: dict[str, str | bytes] = {
    "valid/matrix.tsv": _matrix(),
    "valid/S1.htseq.counts": _htseq(),
    "valid/S1.featureCounts.txt": _featurecounts(),
    "valid/S1.quant.genes.sf": _salmon(),
    "valid/S1.ReadsPerGene.out.tab": _star(),
    "valid/S1.seg": SEG_HEAD + "\n".join(SEG_OK) + "\n",
    "valid/S1.cns": CNS_HEAD + "\n".join(CNS_OK) + "\n",
    "valid/S1.mlpa.tsv": MLPA_HEAD + "\n".join(MLPA_OK) + "\n",
    "valid/S1.gene_calls.tsv": GENECALL_HEAD + "S1\tIKZF1\tdeleted\t1\nS1\tPAX5\tnormal\t2\n",
    "valid/S1.arriba.fusions.tsv": ARRIBA_HEAD + ARRIBA_ROW,
    "valid/S1.final-list_candidate-fusion-genes.txt": FC_HEAD + FC_ROW,
    "valid/S1.header_only.final-list_candidate-fusion-genes.txt": FC_HEAD,
    "valid/S1.cicero.final_fusions.txt": CICERO_HEAD + CICERO_ROW,
    "valid/jaffa_results.csv": JAFFA_HEAD + JAFFA_ROW,
    "valid/S1.star-fusion.tsv": STARF_HEAD
    + "BCR--ABL1\t52\t31\t52.00\t31.00\tONLY_REF_SPLICE\tBCR^ENSG00000186716.21\t"
    "chr22:23290413:+\tABL1^ENSG00000097007.19\tchr9:130714455:+\tYES_LDAS\t2.8531\n",
    "valid/clinical.tsv": CLIN_HEAD + "S1\t4.2\t12.5\tF\tB\tCNS1\n",
    "valid/mrd.tsv": MRD_HEAD
    + "S1\t29\tBM\tflow\tnegative\tpercent\t0.01\nS1\t33\tBM\tPCR\t-3.2\tlog10\t-5\n",
    "valid/lab_genetics.tsv": LAB_HEAD
    + "S1\tBCR::ABL1\tnegative\tRT-PCR\t\t2025-03-02\nS1\tKMT2A-r\tnegative\tFISH\t\t\n"
    + "S1\tDNA_index\tmeasured\tflow_DNA_index\t1.18\t\nS1\tmodal_number\tfailed\tkaryotype\t\t\n",
    "valid/samples.tsv": SHEET_HEAD + _sheet_row("S1") + _sheet_row("S2"),
    # accepted VCF layouts (test_bad_inputs.py::test_vcf_layouts_are_accepted)
    "valid/S1.vcf": T,
    "valid/S1.vcf.gz": vcf_cases.bgzip(T),
    "valid/S1.bcf": vcf_cases.bcf(T),
    "valid/S1.bare_contigs.vcf": vcf_cases.vcf(bare=True),
    "valid/S1.no_dp.vcf": vcf_cases.vcf(drop=("DP",), fields=("GT", "AD", "GQ")),
    "valid/S1.somatic_only.vcf": vcf_cases.somatic_only(),
    # hg19 positions in a file without ##contig lines: accepted, build mismatch flagged
    "valid/S1.hg19_positions.vcf": vcf_cases.vcf(positions="grch37", contigs=False),
}


def main() -> None:
    """Write every case, the valid originals and MANIFEST.tsv."""
    rows = ["file\tverb\tformat\tcategory\texpected\twhere\tnames"]
    for file, verb, fmt, category, expected, where, content, names in CASES:
        p = HERE / file
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content if isinstance(content, bytes) else content.encode())
        rows.append("\t".join([file, verb, fmt, category, expected, where, names]))
    for file, content in VALID.items():
        p = HERE / file
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content if isinstance(content, bytes) else content.encode())
    (HERE / "MANIFEST.tsv").write_text("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
