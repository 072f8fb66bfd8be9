"""Copy-number calls of one chunk: every sample called from the data it has.

:func:`call_chunk` dispatches each sample of the sample sheet to the caller of its data --
segments (CNVkit / SEG, in the sheet's genome build), MLPA probe ratios, gene-level calls,
else the RNA-derived dosage estimate when an expression chunk is given, else no copy
number -- then adds the allele evidence and the driver-mutation status of its variant calls
(:mod:`allstrat.copynumber.allele_evidence`). Inputs arrive already
read (``allstrat.io``); this module reads only bundled resources.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from collections.abc import Mapping
from typing import Any, Protocol

import pandas as pd

from allstrat.contracts import COPYNUMBER_COLUMNS
from allstrat.copynumber import caller
from allstrat.copynumber.allele_evidence import add_allele_evidence, add_driver_mutations
from allstrat.copynumber.build_check import check_build, common_gene_spans
from allstrat.copynumber.resources import chromosomes_for_build, load_gene_coordinates_grch37

logger = logging.getLogger(__name__)

__all__ = ["MemoLike", "call_chunk", "chunk_provenance", "memo_context", "stage_references"]


class MemoLike(Protocol):
    """A per-sample memo (:class:`allstrat.memo.SampleMemo`): results reused by input key."""

    def key(self, *parts: Any) -> str:
        """Digest of one sample's inputs."""

    def get(self, sample: str, key: str) -> Any | None:
        """The stored result (JSON values) of ``sample`` under ``key``, else None."""

    def put(self, sample: str, key: str, result: Any) -> None:
        """Record a computed result."""


def call_chunk(  # noqa: PLR0913 - one keyword-only argument per input of the stage
    rows: pd.DataFrame,
    *,
    data: Mapping[str, tuple[str, Any]],
    variants: Mapping[str, Any],
    regions: Mapping[str, Any],
    dux4: Mapping[str, str] | None,
    blast: Mapping[str, float | None],
    genes: pd.DataFrame,
    exons: pd.DataFrame | None,
    settings: caller.CopyNumberSettings,
    default_build: str = "GRCh38",
    rna: tuple[pd.DataFrame, str] | None = None,
    memo: MemoLike | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Call every sample of ``rows`` (sample-sheet rows indexed by sample id).

    Parameters
    ----------
    rows
        Sample-sheet rows (``copy_number``, ``genome_build`` are read).
    data
        Sample -> (format, table) of its copy-number file
        (:func:`allstrat.io.copynumber_readers.read_copy_number_for_samples`).
    variants
        Sample -> its variant calls (``allstrat.io.variants``); absent = not given.
    regions
        Build -> driver-gene regions (:func:`allstrat.tall.mutations.driver_regions`).
    dux4
        Sample -> DUX4 expression call of the classify table; ``None`` = no table.
    blast
        Sample -> blast fraction 0-1 (or None).
    genes, exons
        GRCh38 gene table and lesion exon table (``None``: exon-level calls skipped).
    settings
        The ``copynumber`` config section.
    default_build
        Build of a sample whose sheet row leaves ``genome_build`` empty.
    rna
        (samples x genes counts, source path) of the expression chunk: samples without DNA
        copy number get the RNA-derived dosage estimate; ``None`` = not given.
    memo
        Per-sample memo (``key``/``get``/``put``; its context made with
        :func:`memo_context`): a sample whose inputs (sheet row, copy-number rows,
        variant calls, DUX4 call, blast fraction, build, RNA counts row) are unchanged
        reuses its row and evidence; the output is the same.

    Returns
    -------
    (pandas.DataFrame, dict)
        The chunk table (:data:`~allstrat.contracts.COPYNUMBER_COLUMNS`) and the evidence
        per sample.
    """
    t0 = time.monotonic()
    reference: Any = None
    if rna is not None:
        from allstrat.copynumber import rna_dosage

        reference = rna_dosage.load_reference()
    checker = _build_checker(genes, settings) if variants else None
    stage = _Stage(genes, exons, settings, rna, reference, checker, regions)
    out_rows, evidence = [], {}
    # plain dict rows: DataFrame.iterrows builds a Series per sample
    for sample_id, rec in zip(rows.index, rows.to_dict("records"), strict=True):
        sid = str(sample_id)
        build = str(rec.get("genome_build", "") or "") or default_build
        d = dux4.get(sid) if dux4 is not None else None
        if dux4 is not None and d is None:
            logger.warning("sample %s is missing from the classify table", sid)
        inputs = _SampleInputs(sid, rec, build, d, data.get(sid), variants.get(sid), blast.get(sid))
        key = memo.key(*inputs.digest_parts(rna)) if memo is not None else ""
        stored = memo.get(sid, key) if memo is not None else None
        if stored is not None:
            row, ev = stored
        else:
            res = _call_sample(inputs, stage)
            row, ev = res.row, res.evidence
            if memo is not None:
                memo.put(sid, key, [row, ev])
        out_rows.append(row)
        evidence[sid] = ev
    table = pd.DataFrame(out_rows, columns=list(COPYNUMBER_COLUMNS))
    sources = ", ".join(f"{k}={v}" for k, v in table["cn_source"].value_counts().items())
    logger.info("copynumber: %d samples (%s) in %.1f s", len(table), sources, time.monotonic() - t0)
    return table, evidence


@dataclasses.dataclass(frozen=True)
class _SampleInputs:
    """What one sample's result depends on besides the stage-wide inputs (memo key)."""

    sid: str
    rec: Mapping[str, Any]  # its sample-sheet row
    build: str
    dux4: str | None
    data: tuple[str, Any] | None  # (format, its copy-number rows) or None
    variants: Any  # its VariantCalls or None
    blast: float | None

    def digest_parts(self, rna: tuple[pd.DataFrame, str] | None) -> tuple[Any, ...]:
        """Parts of the memo key: these inputs, plus the sample's RNA counts row when the
        RNA dosage path is taken (no DNA copy number and an expression chunk given).
        """
        cn: Any = None
        if self.data is not None:
            fmt, table = self.data
            attrs = dict(table.attrs) if isinstance(table, pd.DataFrame) else {}
            cn = (fmt, table, attrs)
        counts: Any = None
        if self.data is None and rna is not None and self.sid in rna[0].index:
            counts = rna[0].loc[self.sid].to_numpy()
        return (self.sid, self.rec, self.build, self.dux4, cn, self.variants, self.blast, counts)


@dataclasses.dataclass(frozen=True)
class _Stage:
    """The stage-wide inputs of every sample's call."""

    genes: pd.DataFrame
    exons: pd.DataFrame | None
    settings: caller.CopyNumberSettings
    rna: tuple[pd.DataFrame, str] | None
    reference: Any  # RNA dosage reference (None: not installed or no expression chunk)
    checker: Any  # gene-level build check (None: no variant calls in the chunk)
    regions: Mapping[str, Any]


def _call_sample(inputs: _SampleInputs, stage: _Stage) -> caller.SampleResult:
    """One sample called from the data it has, with allele evidence and driver mutations."""
    sid, build, bf, settings = inputs.sid, inputs.build, inputs.blast, stage.settings
    ctx: dict[str, Any] = {"sample_id": sid, "dux4": inputs.dux4, "settings": settings}
    if inputs.data is not None:
        source = str(inputs.rec.get("copy_number", "") or "")
        dna = (*inputs.data, stage.genes, stage.exons)
        res = _call_dna(*dna, build=build, bf=bf, source=source, **ctx)
    elif stage.rna is not None:
        res = _call_rna(stage.rna, stage.reference, bf=bf, **ctx)
    else:
        res = caller.call_without_copy_number(**ctx)
    add_allele_evidence(
        res,
        inputs.variants,
        genome_build=build,
        blast_fraction=bf,
        allelic_settings=settings.allelic,
        karyotype_settings=settings.karyotype,
        hotspot_settings=settings.hotspots,
        cutoffs=settings.ploidy,
        chromosomes=chromosomes_for_build(build),
        check_build=stage.checker,
    )
    add_driver_mutations(
        res,
        inputs.variants,
        regions=stage.regions.get(build, {}),
        genome_build=build,
        settings=settings.driver_mutations,
    )
    return res


def memo_context(
    gene_table_sha256: str,
    *,
    settings: caller.CopyNumberSettings,
    default_build: str,
    exons: pd.DataFrame | None,
    regions: Mapping[str, Any],
    rna: tuple[pd.DataFrame, str] | None,
) -> tuple[Any, ...]:
    """Stage-wide inputs of :func:`call_chunk` for a memo's context (a change redoes all).

    Bundled resources (GRCh37 coordinates, chromosome and exon tables, RNA reference)
    are covered by the memo's code digest; here: the settings, the default build, the
    gene table, whether exon-level calls run, the driver regions and, with an expression
    chunk, its path (recorded in RNA evidence) and gene columns.
    """
    rna_id = None if rna is None else (rna[1], [str(c) for c in rna[0].columns])
    return (
        settings.as_dict(),
        default_build,
        gene_table_sha256,
        exons is not None,
        {b: dict(r) for b, r in regions.items()},
        rna_id,
    )


def _build_checker(genes: pd.DataFrame, settings: caller.CopyNumberSettings):
    """Gene-level build check bound to the genes of both bundled tables and its settings."""
    spans = common_gene_spans(genes, load_gene_coordinates_grch37())
    return functools.partial(check_build, spans=spans, settings=settings.build_check)


def stage_references(*, gene_table_sha256: str, exons: bool) -> list[dict[str, str]]:
    """Provenance records of the bundled tables the stage used (gene, chromosome, exon)."""
    from allstrat.copynumber.resources import CHROMOSOME_TABLE, LESION_EXON_TABLE
    from allstrat.paths import GENE_TABLE
    from allstrat.provenance import resource_record

    out = [
        resource_record(GENE_TABLE, role="gene_table", sha256=gene_table_sha256),
        resource_record(CHROMOSOME_TABLE, role="chromosome_table"),
    ]
    if exons:
        out.append(resource_record(LESION_EXON_TABLE, role="lesion_exon_table"))
    return out


def chunk_provenance(
    settings: caller.CopyNumberSettings,
    *,
    gene_table_sha256: str,
    exons: bool,
    classify: str | None,
    expression: str | None,
    variants: Mapping[str, Any],
) -> dict[str, Any]:
    """The evidence file's provenance: the bundled tables, the classify table, expression
    chunk and variant files given (with checksums) and the settings.
    """
    from allstrat.provenance import build_provenance, file_record

    files = [(classify, "classify_table"), (expression, "expression_h5ad")]
    files += [(p, "variants") for p in sorted({v.path for v in variants.values()})]
    references = stage_references(gene_table_sha256=gene_table_sha256, exons=exons)
    references += [file_record(p, role=r) for p, r in files if p]
    return build_provenance(stage="copynumber", inputs=references, settings=settings.as_dict())


def _call_dna(
    fmt: str,
    table: Any,
    genes: pd.DataFrame,
    exons: pd.DataFrame | None,
    *,
    build: str,
    bf: float | None,
    source: str,
    sample_id: str,
    dux4: str | None,
    settings: caller.CopyNumberSettings,
) -> caller.SampleResult:
    """Segments (in the sample's build), MLPA ratios or gene-level calls."""
    ctx: dict[str, Any] = {"sample_id": sample_id, "dux4": dux4, "settings": settings}
    if fmt in ("cnvkit", "seg"):
        grch37 = build == "GRCh37"  # each sample in the build its sheet states
        return caller.call_from_segments(
            table,
            genes=load_gene_coordinates_grch37() if grch37 else genes,
            chromosomes=chromosomes_for_build(build),
            exons=None if grch37 else exons,  # no GRCh37 exon source
            blast_fraction=bf,
            genome_build=build,
            source=source,
            **ctx,
        )
    if fmt == "mlpa":
        return caller.call_from_mlpa(
            table, genes=genes, blast_fraction=bf, genome_build=build, source=source, **ctx
        )
    return caller.call_from_gene_calls(table, source=source, **ctx)


def _call_rna(
    rna: tuple[pd.DataFrame, str],
    reference: Any,
    *,
    bf: float | None,
    sample_id: str,
    dux4: str | None,
    settings: caller.CopyNumberSettings,
) -> caller.SampleResult:
    """RNA-derived dosage; no copy number when the reference or the sample is missing.

    Genes flagged ``not_measured`` in the chunk are missing (NaN), not zero reads.
    """
    counts, path = rna
    if reference is None or sample_id not in counts.index:
        why = (
            "no RNA dosage reference installed"
            if reference is None
            else "sample not in the expression chunk"
        )
        res = caller.call_without_copy_number(sample_id, dux4=dux4, settings=settings)
        res.evidence["reason"] = why
        return res
    return caller.call_from_expression(
        counts.loc[sample_id].to_numpy(),
        counts.columns,
        reference,
        sample_id=sample_id,
        blast_fraction=bf,
        dux4=dux4,
        settings=settings,
        source=path,
    )
