"""VCF / BCF files of the bad-input corpus (imported by ``make_corpus.py``).

The valid original is a hand-specified GATK HaplotypeCaller-style RNA-seq VCF of one
sample: 24 SNVs per chromosome (chr1-22, chrX) at the midpoints of real protein-coding
genes of the bundled GRCh38 gene table (genes that also have a trusted GRCh37 locus),
every fifth site homozygous ALT, the others heterozygous with balanced REF / ALT read
counts (a diploid genome). REF / ALT bases and read counts follow a fixed arithmetic
pattern, not a random draw. The same sites at the genes' GRCh37 coordinates make the
"hg19 positions declared GRCh38" case. BCF and bgzip bytes are written by pysam (htslib).
"""

from __future__ import annotations

import gzip
import io
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CHROMS = [f"chr{i}" for i in range(1, 23)] + ["chrX"]
PER_CHROM = 24
BASES = "ACGT"


def _table(name: str) -> list[dict[str, str]]:
    with gzip.open(ROOT / "resources" / "genes" / name, "rt") as fh:
        lines = [x.rstrip("\n").split("\t") for x in fh if not x.startswith("#")]
    head = lines[0]
    return [dict(zip(head, x, strict=True)) for x in lines[1:]]


def _lengths(build: str) -> dict[str, int]:
    p = ROOT / "resources" / "genome" / f"chromosomes_{build.lower()}.tsv"
    rows = [x.split("\t") for x in p.read_text().splitlines() if not x.startswith("#")]
    return {r[0]: int(r[1]) for r in rows[1:]}


def gene_sites() -> list[tuple[str, int, int, str]]:
    """(chrom, GRCh38 midpoint, GRCh37 midpoint, symbol) of the corpus genes, sorted."""
    g37 = {r["symbol"]: r for r in _table("genes_grch37.tsv.gz")}
    out = []
    for chrom in CHROMS:
        pool = []
        for r in _table("genes_grch38.tsv.gz"):
            if r["chrom"] != chrom or r["gene_type"] != "protein-coding" or r["par"] == "1":
                continue
            o = g37.get(r["symbol"])
            if o is None or o["chrom"] != chrom:
                continue
            s38, e38, s37 = int(r["start"]), int(r["end"]), int(o["start"])
            if e38 - s38 < 2000:
                continue
            off = (e38 - s38) // 2
            pool.append((chrom, s38 + off, s37 + off, r["symbol"]))
        pool.sort(key=lambda x: x[1])
        step = max(1, len(pool) // PER_CHROM)
        pick = pool[::step][:PER_CHROM]
        out += sorted(pick, key=lambda x: x[1])
    return out


def header(
    *,
    build: str = "GRCh38",
    bare: bool = False,
    samples: tuple[str, ...] = ("PT1_RNA",),
    drop: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
    contigs: bool = True,
) -> str:
    """GATK HaplotypeCaller-style header (``drop``: FORMAT IDs left undeclared)."""
    fmt = {
        "AD": '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the '
        'ref and alt alleles in the order listed">',
        "DP": '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">',
        "GQ": '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype Quality">',
        "GT": '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    }
    lines = ["##fileformat=VCFv4.2", '##FILTER=<ID=PASS,Description="All filters passed">']
    lines += [v for k, v in fmt.items() if k not in drop]
    lines.append(
        '##GATKCommandLine=<ID=HaplotypeCaller,CommandLine="HaplotypeCaller --input '
        'PT1_RNA.bam --output PT1_RNA.vcf.gz --dont-use-soft-clipped-bases true",'
        'Version="4.4.0.0">'
    )
    lines.append('##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">')
    for c, n in _lengths(build).items() if contigs else ():
        if c in (*CHROMS, "chrY"):
            lines.append(f"##contig=<ID={c[3:] if bare else c},length={n}>")
    lines += [*extra, "##source=HaplotypeCaller"]
    cols = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT"
    return "\n".join([*lines, "\t".join([cols, *samples])]) + "\n"


def record(i: int, chrom: str, pos: int, *, bare: bool = False, fields=("GT", "AD", "DP", "GQ")):
    """Record ``i`` (deterministic REF/ALT and counts; every fifth site hom ALT)."""
    ref, alt = BASES[i % 4], BASES[(i + 1 + i // 4) % 4 or 1]
    if alt == ref:
        alt = BASES[(BASES.index(ref) + 2) % 4]
    hom = i % 5 == 4
    r, a = (0, 26 + i % 7) if hom else (18 + i % 9, 15 + (i * 7) % 11)
    dp = r + a + i % 3
    val = {"GT": "1/1" if hom else "0/1", "AD": f"{r},{a}", "DP": str(dp), "GQ": "60"}
    c = chrom[3:] if bare else chrom
    fmt = ":".join(fields)
    sample = ":".join(val[f] for f in fields)
    return f"{c}\t{pos}\t.\t{ref}\t{alt}\t{600 + i % 50}.64\tPASS\tDP={dp}\t{fmt}\t{sample}\n"


def vcf(*, build: str = "GRCh38", bare: bool = False, positions: str = "grch38", **kw) -> str:
    """The valid single-sample VCF (``positions="grch37"``: the genes' hg19 positions)."""
    fields = kw.pop("fields", ("GT", "AD", "DP", "GQ"))
    # hg19 positions: only those inside both builds' chromosomes (the ones past a GRCh38
    # end are refused by the reader; this file tests the gene-level check)
    short = {c: min(a, _lengths("GRCh37")[c]) for c, a in _lengths("GRCh38").items()}
    sites = [
        (CHROMS.index(c), p38 if positions == "grch38" else p37, i, c)
        for i, (c, p38, p37, _) in enumerate(gene_sites())
        if positions == "grch38" or p37 <= short[c]
    ]
    body = [record(i, c, pos, bare=bare, fields=fields) for _, pos, i, c in sorted(sites)]
    return header(build=build, bare=bare, **kw) + "".join(body)


def n_header_lines(text: str) -> int:
    return sum(1 for x in text.splitlines() if x.startswith("#"))


def bgzip(text: str) -> bytes:
    """BGZF bytes of ``text`` (htslib's writer; what ``bgzip`` writes)."""
    import pysam

    with tempfile.TemporaryDirectory() as d:
        src, dst = Path(d) / "x.vcf", Path(d) / "x.vcf.gz"
        src.write_text(text)
        pysam.tabix_compress(str(src), str(dst), force=True)
        return dst.read_bytes()


def bcf(text: str) -> bytes:
    """BCF bytes of a VCF text (pysam VariantFile)."""
    import pysam

    with tempfile.TemporaryDirectory() as d:
        src, dst = Path(d) / "x.vcf", Path(d) / "x.bcf"
        src.write_text(text)
        with (
            pysam.VariantFile(str(src)) as vin,
            pysam.VariantFile(str(dst), "wb", header=vin.header) as vout,
        ):
            for rec in vin:
                vout.write(rec)
        return dst.read_bytes()


def somatic_only() -> str:
    """Mutect2 tumour/normal calls: eight somatic SNVs, no germline heterozygous sites."""
    head = (
        "##fileformat=VCFv4.2\n"
        '##FILTER=<ID=PASS,Description="All filters passed">\n'
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
        '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions">\n'
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">\n'
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        '##GATKCommandLine=<ID=Mutect2,CommandLine="Mutect2 -I PT1_T.bam -I PT1_N.bam '
        '-normal PT1_N",Version="4.4.0.0">\n'
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">\n'
        + "".join(f"##contig=<ID={c},length={n}>\n" for c, n in _lengths("GRCh38").items())
        + "##normal_sample=PT1_N\n##source=Mutect2\n##tumor_sample=PT1_T\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tPT1_N\tPT1_T\n"
    )
    sites = [s for s in gene_sites() if s[0] in ("chr1", "chr7", "chr9", "chr12")][::12]
    body = "".join(
        f"{c}\t{p}\t.\t{BASES[i % 4]}\t{BASES[(i + 1) % 4]}\t.\tPASS\tDP={60 + i}\tGT:AD:AF:DP\t"
        f"0/0:{30 + i},0:0.0:{30 + i}\t0/1:{20 + i},{9 + i}:0.31:{29 + 2 * i}\n"
        for i, (c, p, _, _) in enumerate(sites[:8])
    )
    return head + body


def gz_bytes(text: str) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as fh:
        fh.write(text.encode())
    return buf.getvalue()
