"""Copy-number calls of one chunk: every sample called from the data it has.

:func:`call_chunk` dispatches each sample of the sample sheet to the caller of its data --
segments (CNVkit / SEG, in the sheet's genome build), MLPA probe ratios, gene-level calls,
else the RNA-derived dosage estimate when an expression chunk is given, else no copy
number -- then adds the allele evidence and the driver-mutation status of its variant calls
(:mod:`allstrat.copynumber.allele_evidence`). Inputs arrive already
read (``allstrat.io``); this module reads only bundled resources.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Mapping
from typing import Any

import pandas as pd

from allstrat.contracts import COPYNUMBER_COLUMNS
from allstrat.copynumber import caller
from allstrat.copynumber.allele_evidence import add_allele_evidence, add_driver_mutations
from allstrat.copynumber.build_check import check_build, common_gene_spans
from allstrat.copynumber.resources import chromosomes_for_build, load_gene_coordinates_grch37

logger = logging.getLogger(__name__)

__all__ = ["call_chunk", "stage_references"]


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
    out_rows, evidence = [], {}
    for sample_id, rec in rows.iterrows():
        sid = str(sample_id)
        build = str(rec.get("genome_build", "") or "") or default_build
        d = dux4.get(sid) if dux4 is not None else None
        if dux4 is not None and d is None:
            logger.warning("sample %s is missing from the classify table", sid)
        ctx: dict[str, Any] = {"sample_id": sid, "dux4": d, "settings": settings}
        if sid in data:
            source = str(rec.get("copy_number", "") or "")
            res = _call_dna(
                *data[sid], genes, exons, build=build, bf=blast.get(sid), source=source, **ctx
            )
        elif rna is not None:
            res = _call_rna(rna, reference, bf=blast.get(sid), **ctx)
        else:
            res = caller.call_without_copy_number(**ctx)
        add_allele_evidence(
            res,
            variants.get(sid),
            genome_build=build,
            blast_fraction=blast.get(sid),
            allelic_settings=settings.allelic,
            karyotype_settings=settings.karyotype,
            hotspot_settings=settings.hotspots,
            cutoffs=settings.ploidy,
            chromosomes=chromosomes_for_build(build),
            check_build=checker,
        )
        add_driver_mutations(
            res,
            variants.get(sid),
            regions=regions.get(build, {}),
            genome_build=build,
            settings=settings.driver_mutations,
        )
        out_rows.append(res.row)
        evidence[sid] = res.evidence
    table = pd.DataFrame(out_rows, columns=list(COPYNUMBER_COLUMNS))
    sources = ", ".join(f"{k}={v}" for k, v in table["cn_source"].value_counts().items())
    logger.info("copynumber: %d samples (%s) in %.1f s", len(table), sources, time.monotonic() - t0)
    return table, evidence


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
