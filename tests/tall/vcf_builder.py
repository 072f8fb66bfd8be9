"""Hand-built caller-style VCFs for the NOTCH1/FBXW7/RAS/PTEN tests (bgzipped with pysam).

Positions lie inside the genes' spans in the bundled gene tables; which residue a record
changes comes from its VEP ``CSQ`` annotation (what the driver-gene rules read), so the
positions need not be the real codon positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pysam

from allstrat.copynumber.resources import chromosomes_for_build

#: a position inside each gene's span (bundled tables; GRCh38 / GRCh37)
IN_SPAN = {
    "GRCh38": {
        "NOTCH1": ("chr9", 136_500_000),
        "FBXW7": ("chr4", 152_330_000),
        "KRAS": ("chr12", 25_245_350),
        "NRAS": ("chr1", 114_716_126),
        "PTEN": ("chr10", 87_960_000),
    },
    "GRCh37": {
        "NOTCH1": ("chr9", 139_400_000),
        "FBXW7": ("chr4", 153_250_000),
        "KRAS": ("chr12", 25_398_284),
        "NRAS": ("chr1", 115_258_747),
        "PTEN": ("chr10", 89_720_000),
    },
}
CONTIGS = ("chr1", "chr4", "chr9", "chr10", "chr12")
CSQ_FORMAT = "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature|HGVSc|HGVSp"


@dataclass
class Var:
    """One variant record: gene (for the span), HGVSp change, reads, FILTER."""

    gene: str
    change: str  # e.g. "Leu1594Pro" (without p.)
    alt: int = 20
    ref: int = 25
    filt: str = "PASS"
    offset: int = 0


def build_vcf(
    path: Path,
    variants: Sequence[Var] = (),
    *,
    build: str = "GRCh38",
    annotated: bool = True,
    blocks: dict[str, int] | None = None,
    block_len: int = 1000,
) -> Path:
    """Write a single-sample (GATK-style) VCF and bgzip it with pysam.

    ``blocks`` maps gene -> depth of a gVCF ``<NON_REF>`` reference block of
    ``block_len`` bases starting 2 kb before the gene's in-span position.
    """
    lines = ["##fileformat=VCFv4.2", "##source=HaplotypeCaller"]
    lengths = chromosomes_for_build(build)["length"]  # the bundled table of the build
    lines += [f"##contig=<ID={c},length={lengths[c]},assembly={build}>" for c in CONTIGS]
    lines += [
        '##ALT=<ID=NON_REF,Description="Any other allele">',
        '##FILTER=<ID=LowQual,Description="Low quality">',
        '##INFO=<ID=END,Number=1,Type=Integer,Description="End of the block">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
        '##FORMAT=<ID=MIN_DP,Number=1,Type=Integer,Description="Minimum DP in the block">',
    ]
    if annotated:
        lines.append(
            '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from '
            f'Ensembl VEP. Format: {CSQ_FORMAT}">'
        )
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tPT1_RNA")
    recs: list[tuple[str, int, str]] = []
    for v in variants:
        c, p = IN_SPAN[build][v.gene]
        p += v.offset
        info = f"CSQ=T|missense_variant|MODERATE|{v.gene}|ENSG|ENST|c.1A>T|ENSP:p.{v.change}"
        gt = "0/1" if v.alt < (v.ref + v.alt) * 0.9 else "1/1"
        fmt = f"GT:AD:DP\t{gt}:{v.ref},{v.alt}:{v.ref + v.alt}"
        recs.append((c, p, f"{c}\t{p}\t.\tG\tT\t50\t{v.filt}\t{info if annotated else '.'}\t{fmt}"))
    for gene, depth in (blocks or {}).items():
        c, p = IN_SPAN[build][gene]
        s = p - 2000
        fmt = f"GT:AD:DP:MIN_DP\t0/0:{depth},0:{depth}:{depth}"
        rec = f"{c}\t{s}\t.\tA\t<NON_REF>\t.\t.\tEND={s + block_len - 1}\t{fmt}"
        recs.append((c, s, rec))
    order = list(CONTIGS)
    recs.sort(key=lambda r: (order.index(r[0]), r[1]))
    plain = path.with_suffix("")  # x.vcf.gz -> x.vcf
    plain.write_text("\n".join([*lines, *(r[2] for r in recs)]) + "\n")
    pysam.tabix_compress(str(plain), str(path), force=True)
    plain.unlink()
    return path
