"""Variant-call readers (sample sheet ``variants`` / ``variants_format``).

One dispatch table, :data:`VARIANT_READERS`, keyed by the sheet's ``variants_format``.
The only format is ``vcf``: VCF or BCF, plain or bgzipped, single- or multi-sample, as
written by GATK HaplotypeCaller, bcftools call, DeepVariant or Strelka2 germline. Files
are read with pysam (htslib); nothing here parses VCF text by hand.

Per sample the reader returns a :class:`VariantCalls` whose ``sites`` table follows
:data:`VARIANT_COLUMNS`:

``chrom``
    ``chr1`` .. ``chr22``, ``chrX``, ``chrY`` (``1`` and ``chr1`` naming both accepted;
    contigs outside the primary assembly are skipped and counted).
``pos``, ``ref``, ``alt``
    1-based position, REF, first ALT allele.
``n_alt``
    number of ALT alleles of the record (multi-allelic sites are kept but flagged).
``is_snv``
    REF and the ALT are single bases.
``genotype``
    ``het``, ``hom_alt``, ``hom_ref``, ``missing`` or ``other`` (from GT).
``ref_count``, ``alt_count``, ``depth``
    reads supporting REF / the first ALT (FORMAT/AD; for single-sample bcftools output
    without AD, INFO/DP4), and FORMAT/DP (else the AD sum).
``gq``
    FORMAT/GQ or NaN.
``filter_pass``
    FILTER is PASS or ``.``.
``somatic``
    INFO/SOMATIC set, or the header marks a somatic caller (Mutect2, Strelka2 somatic,
    VarScan somatic): such records are never treated as germline heterozygous sites.
``protein``
    ``GENE:p.<HGVS>`` entries from a VEP ``CSQ`` or SnpEff ``ANN`` annotation, ``;``-
    separated (empty when unannotated): the whole 3-letter HGVS protein change as the
    annotation gives it (``KRAS:p.Gly12Asp``, ``NOTCH1:p.Gln2440Ter``,
    ``PTEN:p.Arg233Ter``, ``NOTCH1:p.Pro2474AlafsTer4``, ``FBXW7:p.Arg465_Gly466del``).

``VariantCalls.coverage`` maps queried positions (``query`` argument, e.g. hotspot
sites) to the read depth the file shows there: a record at that position (any
genotype) or a gVCF reference block (``END``; ``MIN_DP`` else ``DP``) covering it.
``VariantCalls.depth_intervals`` lists, for queried regions (``regions`` argument, e.g.
gene spans), every record or gVCF block overlapping them as ``(chrom, start, end,
depth)`` clipped to the region (1-based inclusive): what the file shows as sequenced
there. A variants-only VCF shows only its variant records.

Bad input -> :class:`~allstrat.errors.InputError` naming file and record: unreadable
or truncated file, no ``GT`` or no per-allele read counts (``AD``) in the header, a
multi-sample file lacking the sheet's sample, unsorted records (record number and
position), a record whose AD does not match its alleles.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from allstrat.errors import InputError
from allstrat.io.copynumber_readers import normalise_chrom

logger = logging.getLogger(__name__)

__all__ = [
    "VARIANT_COLUMNS",
    "VARIANT_READERS",
    "VariantCalls",
    "read_variants",
    "read_variants_for_samples",
    "read_vcf",
]

VARIANT_COLUMNS: tuple[str, ...] = (
    "chrom",
    "pos",
    "ref",
    "alt",
    "n_alt",
    "is_snv",
    "genotype",
    "ref_count",
    "alt_count",
    "depth",
    "gq",
    "filter_pass",
    "somatic",
    "protein",
)
GENOME_BUILDS = ("GRCh38", "GRCh37")
#: header ``##source`` / ``##content`` fragments of somatic callers (lower case)
SOMATIC_CALLERS = ("mutect", "strelka somatic", "strelka2 somatic", "varscan somatic")
_PROTEIN = re.compile(r"p\.\(?([A-Z][a-z]{2}\d+(?:_[A-Z][a-z]{2}\d+)?[A-Za-z0-9*=?]*)\)?")


@dataclass
class VariantCalls:
    """Variant calls of one sample from one file (see the module docstring)."""

    sample_id: str
    vcf_sample: str
    path: str
    genome_build: str
    caller: str
    sites: pd.DataFrame
    coverage: dict[tuple[str, int], int] = field(default_factory=dict)
    depth_intervals: list[tuple[str, int, int, int]] = field(default_factory=list)
    n_records: int = 0
    n_skipped_contigs: int = 0
    somatic_file: bool = False
    counts_from: str = "AD"
    annotation: str = ""  # "CSQ" (VEP), "ANN" (SnpEff) or "" (no consequence annotation)
    seconds: float = 0.0

    def summary(self) -> dict:
        """JSON-ready description (recorded in the evidence)."""
        return {
            "file": self.path,
            "vcf_sample": self.vcf_sample,
            "genome_build": self.genome_build,
            "caller": self.caller,
            "n_records": self.n_records,
            "n_sites_primary_contigs": len(self.sites),
            "n_records_other_contigs": self.n_skipped_contigs,
            "somatic_caller_file": self.somatic_file,
            "allele_counts_from": self.counts_from,
            "consequence_annotation": self.annotation or "none",
        }


def _guess_caller(header_text: str) -> tuple[str, bool]:
    low = header_text.lower()
    somatic = any(s in low for s in SOMATIC_CALLERS) or "##tumor_sample" in low
    if "deepvariant" in low:
        name = "DeepVariant"
    elif "strelka" in low:
        name = "Strelka2 somatic" if somatic else "Strelka2 germline"
    elif "mutect" in low:
        name = "GATK Mutect2"
    elif "haplotypecaller" in low or "gatkcommandline" in low:
        name = "GATK HaplotypeCaller"
    elif "bcftools" in low:
        name = "bcftools"
    else:
        name = "unknown"
    return name, somatic


def _open(path: Path):
    import pysam

    if not path.is_file():
        raise InputError("variants file not found", path=path)
    if path.stat().st_size == 0:
        raise InputError("the variants file is empty; expected a VCF or BCF", path=path)
    try:
        return pysam.VariantFile(str(path))
    except (OSError, ValueError) as exc:
        if "truncated" in str(exc) or "EOF" in str(exc):
            raise InputError(
                f"the file looks truncated or corrupt ({exc}); re-create or re-copy it",
                path=path,
            ) from None
        problem = _diagnose_text_header(path)
        if problem is not None:
            raise InputError(problem[1], path=path, line=problem[0]) from None
        raise InputError(
            f"cannot read as VCF/BCF ({exc}); expected a VCF or BCF, plain or bgzipped",
            path=path,
        ) from None


def _head_lines(path: Path, limit: int = 100_000) -> list[str]:
    """The first lines of a text VCF (plain or (b)gzipped; [] for BCF / binary)."""
    import gzip

    with path.open("rb") as fh:
        magic = fh.read(2)
    opener = gzip.open if magic == b"\x1f\x8b" else open
    out: list[str] = []
    try:
        with opener(path, "rt", encoding="utf-8", errors="strict") as fh:  # type: ignore[operator]
            for line in fh:
                out.append(line.rstrip("\n"))
                if not line.startswith("#") or len(out) >= limit:
                    break
    except (OSError, UnicodeDecodeError, EOFError):
        return out
    return out


def _diagnose_text_header(path: Path) -> tuple[int, str] | None:
    """(line, message) for the common header defects htslib only reports as 'invalid'."""
    lines = _head_lines(path)
    if not lines or lines[0].startswith("BCF"):
        return None
    if not lines[0].startswith("##fileformat=VCF"):
        return 1, (
            f"the first line is {lines[0][:40]!r}; expected '##fileformat=VCFv4.x' "
            "(a VCF header; is this a VCF?)"
        )
    cols = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
    for i, line in enumerate(lines, start=1):
        if line.startswith("#CHROM"):
            got = line.split("\t")
            if got[:8] != cols:
                return i, (
                    f"the column header line is {line[:60]!r}; expected the tab-separated "
                    "columns #CHROM POS ID REF ALT QUAL FILTER INFO [FORMAT sample ...]"
                )
            return None
        if not line.startswith("##"):
            return i, "no '#CHROM ...' column header line before the first record"
    return None


def _annotation_parser(header) -> tuple[Callable[[object], str], str]:
    """Return a function extracting ``GENE:p.X`` strings from CSQ / ANN (or a no-op), and
    the INFO key used (``""`` when the file carries no usable annotation).
    """
    info = header.info
    for key, gene_field, prot_field in (("CSQ", "SYMBOL", "HGVSp"), ("ANN", "", "")):
        if key not in info:
            continue
        desc = info[key].description or ""
        if key == "ANN":
            gi, pi = 3, 10  # SnpEff: Allele|Annotation|Impact|Gene_Name|...|HGVS.p
        else:
            fmt = desc.split("Format:")[-1].strip().strip('"').split("|")
            fmt = [f.strip() for f in fmt]
            if gene_field not in fmt or prot_field not in fmt:
                continue
            gi, pi = fmt.index(gene_field), fmt.index(prot_field)

        def parse(rec, key=key, gi=gi, pi=pi) -> str:
            vals = rec.info.get(key)
            if not vals:
                return ""
            out = []
            for v in vals if isinstance(vals, tuple) else (vals,):
                parts = str(v).split("|")
                if len(parts) > max(gi, pi):
                    m = _PROTEIN.search(parts[pi])
                    if m:
                        out.append(f"{parts[gi]}:p.{m.group(1)}")
            return ";".join(dict.fromkeys(out))

        return parse, key
    return (lambda rec: ""), ""


def _genotype(gt: tuple | None) -> str:
    if gt is None or any(a is None for a in gt) or len(gt) == 0:
        return "missing"
    s = set(gt)
    if len(gt) == 1:
        return "hom_ref" if gt[0] == 0 else "hom_alt" if gt[0] == 1 else "other"
    if s == {0}:
        return "hom_ref"
    if s == {0, 1}:
        return "het"
    if s == {1}:
        return "hom_alt"
    return "other"


def _header_line(vf, path: Path, prefix: str) -> int | None:
    """1-based file line of the header line starting with ``prefix`` (None for BCF)."""
    if vf.is_bcf:
        return None
    for i, line in enumerate(_head_lines(path), start=1):
        if line.startswith(prefix):
            return i
    return 1


def _check_header(vf, path: Path, *, single: bool) -> str:
    fmts = vf.header.formats
    if "GT" not in fmts:
        raise InputError(
            "the VCF header declares no FORMAT/GT; expected genotypes (GT) and per-allele "
            "read counts (AD) as written by GATK, bcftools, DeepVariant or Strelka2",
            path=path,
            line=1,
        )
    for key, number in (("AD", ("R", ".")), ("DP", ("1",))):
        if key in fmts and (fmts[key].type != "Integer" or str(fmts[key].number) not in number):
            raise InputError(
                f"FORMAT/{key} is declared Number={fmts[key].number}, Type={fmts[key].type}; "
                f"expected Number={number[0]}, Type=Integer (read counts)",
                path=path,
                line=_header_line(vf, path, f"##FORMAT=<ID={key},"),
            )
    if "AD" in fmts:
        return "AD"
    if single and "DP4" in vf.header.info:
        return "DP4"
    raise InputError(
        "the VCF header declares no FORMAT/AD (per-allele read counts); allele fractions "
        "need AD (bcftools: mpileup -a FORMAT/AD; single-sample INFO/DP4 also accepted)",
        path=path,
        line=1,
    )


def _check_contigs(vf, path: Path, build: str) -> dict[str, int]:
    """Header ``##contig`` lengths must be the stated build's; return its chromosome lengths."""
    from allstrat.copynumber.resources import chromosomes_for_build

    lengths = {c: int(n) for c, n in chromosomes_for_build(build)["length"].items()}
    other = "GRCh37" if build == "GRCh38" else "GRCh38"
    other_len = {c: int(n) for c, n in chromosomes_for_build(other)["length"].items()}
    for name, contig in vf.header.contigs.items():
        chrom = normalise_chrom(name)
        n = contig.length
        if chrom not in lengths or chrom == "chrM" or n is None or n == lengths[chrom]:
            continue
        fits = (
            f"it is the {other} length: set the sheet's genome_build to {other} or use a "
            f"VCF called against {build}"
            if n == other_len.get(chrom)
            else f"it matches neither GRCh38 ({lengths[chrom]:,}) nor GRCh37"
        )
        raise InputError(
            f"the header declares contig {name} with length {n:,} but {build} {chrom} is "
            f"{lengths[chrom]:,} bp; {fits}",
            path=path,
            line=_header_line(vf, path, f"##contig=<ID={name},"),
        )
    return lengths


def _pick_samples(
    vf,
    samples: Sequence[str],
    columns: Mapping[str, str],
    path: Path,
) -> dict[str, int]:
    names = list(vf.header.samples)
    if not names:
        raise InputError(
            "the VCF has no sample columns (a sites-only VCF); expected FORMAT and one "
            "column per sample",
            path=path,
            line=_header_line(vf, path, "#CHROM"),
        )
    out: dict[str, int] = {}
    for sid in samples:
        want = columns.get(sid) or sid
        if want in names:
            out[sid] = names.index(want)
        elif len(names) == 1 and not columns.get(sid):
            out[sid] = 0  # a single-sample file: its column name need not match
        else:
            raise InputError(
                f"sample column {want!r} not in the VCF (its samples: {', '.join(names[:10])}"
                f"{' ...' if len(names) > 10 else ''}); set variants_sample in the sheet "
                "when the VCF names the sample differently",
                path=path,
                sample=sid,
            )
    return out


def _counts(rec, smp, ctx: _Context, n: int) -> tuple[int, int, int]:
    if ctx.mode == "DP4":
        dp4 = rec.info.get("DP4")
        if not dp4 or len(dp4) != 4:
            return -1, -1, -1
        r, a = int(dp4[0]) + int(dp4[1]), int(dp4[2]) + int(dp4[3])
        return r, a, r + a
    ad = smp.get("AD")
    if ad is None or ad[0] is None:
        return -1, -1, -1
    if len(ad) != len(rec.alleles) and len(ad) != 1:
        raise InputError(
            f"record {n} ({rec.chrom}:{rec.pos}): AD has {len(ad)} values for "
            f"{len(rec.alleles)} alleles; expected one count per allele (Number=R)",
            path=ctx.path,
            line=ctx.line(n),
        )
    r = int(ad[0])
    a = int(ad[1]) if len(ad) > 1 and ad[1] is not None else 0
    dp = smp.get("DP") if "DP" in smp else None
    depth = int(dp) if dp is not None else sum(int(x) for x in ad if x is not None)
    return r, a, max(depth, r + a)


def read_vcf(
    path: str | Path,
    *,
    samples: Sequence[str],
    genome_build: str = "GRCh38",
    columns: Mapping[str, str] | None = None,
    query: Mapping[str, Sequence[int]] | None = None,
    regions: Mapping[str, Sequence[tuple[int, int]]] | None = None,
) -> dict[str, VariantCalls]:
    """Read the samples' variant calls from one VCF/BCF (read once for all samples).

    Parameters
    ----------
    path
        VCF / BCF, plain or bgzipped.
    samples
        Sheet sample IDs to extract.
    genome_build
        Build the sheet states (recorded; never lifted over).
    columns
        Optional sheet sample -> VCF sample column name (``variants_sample``).
    query
        ``chrom -> positions`` whose depth should be recorded (hotspot sites).
    regions
        ``chrom -> [(start, end), ...]`` (1-based inclusive, e.g. gene spans) whose
        overlapping records and gVCF blocks are kept in ``depth_intervals``.

    Returns
    -------
    dict
        sample_id -> :class:`VariantCalls`.
    """
    import pysam

    t0 = time.monotonic()
    p = Path(path)
    if genome_build not in GENOME_BUILDS:
        raise InputError(f"unknown genome build {genome_build!r}", path=p)
    old = pysam.set_verbosity(0)  # htslib warnings become our one-line errors
    try:
        vf = _open(p)
        try:
            ctx = _context(
                vf,
                p,
                samples=samples,
                columns=columns or {},
                build=genome_build,
                query=query,
                regions=regions,
            )
            n, skipped = _scan(vf, ctx)
        finally:
            vf.close()
    finally:
        pysam.set_verbosity(old)
    out = {}
    for sid, i in ctx.idx.items():
        sites = pd.DataFrame(ctx.rows[sid], columns=list(VARIANT_COLUMNS))
        sites = sites.astype(
            {"pos": "int64", "ref_count": "int64", "alt_count": "int64", "depth": "int64"}
        )
        out[sid] = VariantCalls(
            sample_id=sid,
            vcf_sample=ctx.names[i],
            path=str(path),
            genome_build=genome_build,
            caller=ctx.caller,
            sites=sites,
            coverage=ctx.cov[sid],
            depth_intervals=ctx.blocks[sid],
            n_records=n,
            n_skipped_contigs=skipped,
            somatic_file=ctx.somatic_file,
            counts_from=ctx.mode,
            annotation=ctx.annotation,
            seconds=time.monotonic() - t0,
        )
    logger.info("%s: %d records, %d samples in %.2f s", p, n, len(ctx.idx), time.monotonic() - t0)
    return out


@dataclass
class _Context:
    """What the record loop needs about one open file (header facts, outputs)."""

    path: Path
    names: list[str]
    idx: dict[str, int]
    mode: str
    caller: str
    somatic_file: bool
    annotate: Callable[[object], str]
    annotation: str
    want: dict[str | None, set[int]]
    lengths: dict[str, int]
    build: str
    header_lines: int | None  # text VCF: record n is on line header_lines + n
    rows: dict[str, list[tuple]] = field(default_factory=dict)
    cov: dict[str, dict[tuple[str, int], int]] = field(default_factory=dict)
    spans: dict[str | None, list[tuple[int, int]]] = field(default_factory=dict)
    blocks: dict[str, list[tuple[str, int, int, int]]] = field(default_factory=dict)

    def line(self, n: int) -> int | None:
        """Line of record ``n`` (None for BCF, which has no lines)."""
        return None if self.header_lines is None else self.header_lines + n


def _context(
    vf,
    p: Path,
    *,
    samples: Sequence[str],
    columns: Mapping[str, str],
    build: str,
    query: Mapping[str, Sequence[int]] | None,
    regions: Mapping[str, Sequence[tuple[int, int]]] | None = None,
) -> _Context:
    caller, somatic_file = _guess_caller(str(vf.header))
    idx = _pick_samples(vf, samples, columns, p)
    mode = _check_header(vf, p, single=len(vf.header.samples) == 1)
    lengths = _check_contigs(vf, p, build)
    annotate, annotation = _annotation_parser(vf.header)
    return _Context(
        path=p,
        names=list(vf.header.samples),
        idx=idx,
        mode=mode,
        caller=caller,
        somatic_file=somatic_file,
        annotate=annotate,
        annotation=annotation,
        want={normalise_chrom(c): set(v) for c, v in (query or {}).items()},
        lengths=lengths,
        build=build,
        header_lines=None if vf.is_bcf else sum(1 for x in _head_lines(p) if x.startswith("#")),
        rows={s: [] for s in idx},
        cov={s: {} for s in idx},
        spans={normalise_chrom(c): list(v) for c, v in (regions or {}).items()},
        blocks={s: [] for s in idx},
    )


def _scan(vf, ctx: _Context) -> tuple[int, int]:
    """Read every record (sorted-order and chromosome-end checks); (records, skipped)."""
    n = skipped = 0
    seen: set[str] = set()
    last_chrom, last_pos = None, 0
    try:
        for rec in vf:
            n += 1
            if rec.chrom != last_chrom:
                if rec.chrom in seen:
                    raise InputError(
                        f"records are not sorted: record {n} ({rec.chrom}:{rec.pos}) returns "
                        f"to contig {rec.chrom} after other contigs; sort the VCF "
                        "(bcftools sort)",
                        path=ctx.path,
                        line=ctx.line(n),
                    )
                if last_chrom is not None:
                    seen.add(last_chrom)
                last_chrom, last_pos = rec.chrom, 0
            if rec.pos < last_pos:
                raise InputError(
                    f"records are not sorted: record {n} ({rec.chrom}:{rec.pos}) comes after "
                    f"position {last_pos}; sort the VCF (bcftools sort)",
                    path=ctx.path,
                    line=ctx.line(n),
                )
            last_pos = rec.pos
            chrom = normalise_chrom(rec.chrom)
            if chrom is None or chrom == "chrM":
                skipped += 1
                continue
            if rec.pos > ctx.lengths.get(chrom, rec.pos):
                _past_end(ctx, n, chrom, rec.pos)
            _one_record(rec, chrom, n, ctx)
    except InputError:
        raise
    except (OSError, ValueError, TypeError) as exc:
        raise InputError(
            f"cannot read record {n + 1} ({exc}): the record is malformed (e.g. a value "
            "that does not match its header type) or the file is truncated or corrupt "
            "(check it with bcftools view)",
            path=ctx.path,
            line=ctx.line(n + 1),
        ) from None
    return n, skipped


def _past_end(ctx: _Context, n: int, chrom: str, pos: int) -> None:
    """Refuse a position past the stated build's chromosome end (the build is wrong)."""
    from allstrat.copynumber.resources import chromosomes_for_build

    other = "GRCh37" if ctx.build == "GRCh38" else "GRCh38"
    other_len = int(chromosomes_for_build(other)["length"].get(chrom, 0))
    hint = (
        f"; it fits {other} ({chrom} {other_len:,} bp): set the sheet's genome_build to "
        f"{other} or lift the file over"
        if pos <= other_len
        else ""
    )
    raise InputError(
        f"record {n} ({chrom}:{pos:,}) is past the {ctx.build} end of {chrom} "
        f"({ctx.lengths[chrom]:,} bp){hint}",
        path=ctx.path,
        line=ctx.line(n),
    )


def _one_record(rec, chrom: str, n: int, ctx: _Context) -> None:
    alts = rec.alts or ()
    real = [a for a in alts if not (a.startswith("<") or a == "*")]
    q = ctx.want.get(chrom)
    end = rec.stop  # 0-based exclusive = 1-based inclusive end
    hits = [x for x in q if rec.pos <= x <= end] if q else []
    sp = ctx.spans.get(chrom)
    over = [(max(a, rec.pos), min(b, end)) for a, b in sp or () if rec.pos <= b and end >= a]
    for sid, i in ctx.idx.items():
        smp = rec.samples[i]
        if not real:
            # gVCF reference block (<NON_REF> / <*>): depth for queried positions only
            if hits or over:
                d = smp.get("MIN_DP") if "MIN_DP" in smp else None
                if d is None:
                    d = smp.get("DP") if "DP" in smp else None
                for x in hits:
                    ctx.cov[sid][(chrom, x)] = int(d or 0)
                ctx.blocks[sid].extend((chrom, a, b, int(d or 0)) for a, b in over)
            continue
        r, a, d = _counts(rec, smp, ctx, n)
        if hits and d >= 0:
            ctx.cov[sid][(chrom, rec.pos)] = d
        if over and d >= 0:
            ctx.blocks[sid].extend((chrom, a0, b0, d) for a0, b0 in over)
        if r < 0:
            continue
        ref, alt = rec.ref, real[0]
        gq = smp.get("GQ") if "GQ" in smp else None
        filt = list(rec.filter.keys())
        ctx.rows[sid].append(
            (
                chrom,
                rec.pos,
                ref,
                alt,
                len(real),
                len(ref) == 1 and len(alt) == 1,
                _genotype(smp.get("GT")),
                r,
                a,
                d,
                math.nan if gq is None else float(gq),
                not filt or filt == ["PASS"],
                ctx.somatic_file or ("SOMATIC" in rec.info and bool(rec.info["SOMATIC"])),
                ctx.annotate(rec),
            )
        )


#: Sample-sheet ``variants_format`` -> reader(path, *, samples, genome_build, columns, query).
VARIANT_READERS: dict[str, Callable[..., dict[str, VariantCalls]]] = {"vcf": read_vcf}


def read_variants(
    path: str | Path,
    fmt: str,
    *,
    samples: Sequence[str],
    genome_build: str = "GRCh38",
    columns: Mapping[str, str] | None = None,
    query: Mapping[str, Sequence[int]] | None = None,
    regions: Mapping[str, Sequence[tuple[int, int]]] | None = None,
) -> dict[str, VariantCalls]:
    """Read a variants file with the reader registered for ``fmt`` (see :func:`read_vcf`)."""
    if fmt not in VARIANT_READERS:
        raise InputError(
            f"unknown variants format {fmt!r}; expected one of {sorted(VARIANT_READERS)}",
            path=path,
        )
    return VARIANT_READERS[fmt](
        path,
        samples=samples,
        genome_build=genome_build,
        columns=columns,
        query=query,
        regions=regions,
    )


def read_variants_for_samples(
    sheet_rows: pd.DataFrame,
    *,
    genome_build: str = "GRCh38",
    query: Callable[[str], Mapping[str, Sequence[int]]] | None = None,
    regions: Callable[[str], Mapping[str, Sequence[tuple[int, int]]]] | None = None,
) -> dict[str, VariantCalls]:
    """Read the variants files of some sample-sheet rows, each (file, build) once.

    Parameters
    ----------
    sheet_rows
        Sheet rows (``sample_id``, ``variants``, ``variants_format``, optional
        ``variants_sample`` and ``genome_build``).
    genome_build
        Build used when a row's ``genome_build`` is empty.
    query
        Function build -> ``chrom -> positions`` to record depth at (hotspot sites).
    regions
        Function build -> ``chrom -> [(start, end)]`` whose records / gVCF blocks are
        kept (gene spans; :attr:`VariantCalls.depth_intervals`).

    Returns
    -------
    dict
        sample_id -> :class:`VariantCalls`; samples without a variants file are absent.
    """
    groups: dict[tuple[str, str, str], list[str]] = {}
    columns: dict[str, str] = {}
    for r in sheet_rows.to_dict("records"):
        path = str(r.get("variants") or "")
        if not path:
            continue
        fmt = str(r.get("variants_format") or "") or "vcf"
        build = str(r.get("genome_build") or "") or genome_build
        groups.setdefault((path, fmt, build), []).append(str(r["sample_id"]))
        if r.get("variants_sample"):
            columns[str(r["sample_id"])] = str(r["variants_sample"])
    out: dict[str, VariantCalls] = {}
    for (path, fmt, build), sids in groups.items():
        q = query(build) if query is not None else None
        rg = regions(build) if regions is not None else None
        out.update(
            read_variants(
                path, fmt, samples=sids, genome_build=build, columns=columns, query=q, regions=rg
            )
        )
    return out


def read_chunk_variants(
    rows: pd.DataFrame, genes: pd.DataFrame, *, genome_build: str = "GRCh38"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The sheet rows' variant calls (hotspot depths, driver-gene spans) and the gene spans.

    Returns the calls per sample (:func:`read_variants_for_samples`) and the driver-gene
    regions per build (:func:`allstrat.tall.mutations.driver_regions`; GRCh38 from
    ``genes``, GRCh37 from the bundled GRCh37 coordinates).
    """
    from allstrat.classify.hotspots import hotspot_positions
    from allstrat.copynumber.resources import load_gene_coordinates_grch37
    from allstrat.tall.mutations import driver_regions, driver_spans

    regions = {
        "GRCh38": driver_regions(genes),
        "GRCh37": driver_regions(load_gene_coordinates_grch37()),
    }
    variants = read_variants_for_samples(
        rows,
        genome_build=genome_build,
        query=hotspot_positions,
        regions=lambda b: driver_spans(regions.get(b, {})),
    )
    return variants, regions
