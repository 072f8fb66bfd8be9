"""``allstrat copynumber``: lesion, ploidy, IKZF1plus and DUX4/ERG calls for one chunk."""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import pandas as pd

from allstrat.classify.hotspots import hotspot_positions
from allstrat.cli._common import (
    add_config_section,
    add_sample_selection,
    config_section,
    schema_help,
    select_samples,
)
from allstrat.config import schema_default
from allstrat.contracts import COPYNUMBER_COLUMNS
from allstrat.copynumber import caller
from allstrat.copynumber.allele_evidence import add_allele_evidence, add_driver_mutations
from allstrat.copynumber.resources import (
    CHROMOSOME_TABLE,
    LESION_EXON_TABLE,
    chromosomes_for_build,
    load_gene_coordinates_grch37,
    load_lesion_exons,
)
from allstrat.io.copynumber_readers import read_copy_number_for_samples
from allstrat.io.gene_table import load_gene_table
from allstrat.io.output import write_json, write_tsv
from allstrat.io.samples import blast_fraction
from allstrat.io.stage_tables import read_dux4_calls
from allstrat.io.variants import read_variants_for_samples
from allstrat.paths import GENE_TABLE
from allstrat.provenance import build_provenance, file_record, resource_record
from allstrat.tall.mutations import driver_regions, driver_spans

logger = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``copynumber`` verb."""
    p = sub.add_parser(
        "copynumber",
        help="copy-number lesion calls (IKZF1/IKZF1plus, ERG, PAR1, ploidy, iAMP21) per chunk",
        description="Normalise the selected samples' copy-number files (CNVkit / SEG "
        "segments, MLPA ratios, gene-level calls), call IKZF1 (with deletion type), "
        "CDKN2A/B, PAX5, ERG, ETV6, RB1, BTG1, EBF1 and PAR1, IKZF1plus, modal chromosome "
        "number and karyotype class, masked hypodiploidy, iAMP21 and the UKALL CNA profile, "
        "and combine the DUX4 expression call with ERG deletion status. Samples without DNA "
        "copy number get an RNA-derived chromosome-dosage estimate (cn_source=RNA) when "
        "--expression is given and the bundled RNA reference exists.",
    )
    add_sample_selection(p)
    p.add_argument("--expression", help="expression chunk .h5ad (RNA-derived dosage fallback)")
    p.add_argument("--classify", help="classify chunk TSV (column dux4 for dux4_erg)")
    p.add_argument("--out", required=True, help="output TSV (contracts.COPYNUMBER_COLUMNS)")
    p.add_argument("--evidence", required=True, help="output evidence JSON")
    add_config_section(p, "copynumber")
    p.add_argument(
        "--default-genome-build",
        default=schema_default("genome_build"),
        help=schema_help("genome_build", "build of coordinates when the sheet's is empty"),
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Call every selected sample and write the TSV and evidence JSON atomically."""
    t0 = time.monotonic()
    settings: caller.CopyNumberSettings = config_section(args, "copynumber", {})
    rows = select_samples(args)
    genes = load_gene_table()
    exons = load_lesion_exons()
    dux4 = read_dux4_calls(args.classify)
    rna = None
    data_by_sample = read_copy_number_for_samples(rows, genome_build=args.default_genome_build)
    variants, regions = _read_variants(rows, genes.table, args.default_genome_build)
    out_rows, evidence = [], {}
    for sample_id, rec in rows.iterrows():
        path = str(rec.get("copy_number", "") or "")
        build = str(rec.get("genome_build", "") or "") or args.default_genome_build
        bf = blast_fraction(rec.get("blast_fraction"))
        d = dux4.get(sample_id) if args.classify else None
        if args.classify and d is None:
            logger.warning("sample %s is missing from the classify table", sample_id)
        if sample_id in data_by_sample:
            fmt, data = data_by_sample[sample_id]
            if fmt in ("cnvkit", "seg"):
                grch37 = build == "GRCh37"  # each sample in the build its sheet states
                res = caller.call_from_segments(
                    data,
                    sample_id=sample_id,
                    genes=load_gene_coordinates_grch37() if grch37 else genes.table,
                    chromosomes=chromosomes_for_build(build),
                    exons=None if grch37 else exons,  # no GRCh37 exon source
                    blast_fraction=bf,
                    genome_build=build,
                    dux4=d,
                    settings=settings,
                    source=path,
                )
            elif fmt == "mlpa":
                res = caller.call_from_mlpa(
                    data,
                    sample_id=sample_id,
                    genes=genes.table,
                    blast_fraction=bf,
                    genome_build=build,
                    dux4=d,
                    settings=settings,
                    source=path,
                )
            else:
                res = caller.call_from_gene_calls(
                    data, sample_id=sample_id, dux4=d, settings=settings, source=path
                )
        elif args.expression:
            if rna is None:
                rna = _rna_estimates(args.expression, settings)
            res = rna(sample_id, d, bf)
        else:
            res = caller.call_without_copy_number(sample_id, dux4=d, settings=settings)
        add_allele_evidence(
            res,
            variants.get(sample_id),
            genome_build=build,
            blast_fraction=bf,
            allelic_settings=settings.allelic,
            karyotype_settings=settings.karyotype,
            hotspot_settings=settings.hotspots,
            cutoffs=settings.ploidy,
            chromosomes=chromosomes_for_build(build),
        )
        add_driver_mutations(
            res,
            variants.get(sample_id),
            regions=regions.get(build, {}),
            genome_build=build,
            settings=settings.driver_mutations,
        )
        out_rows.append(res.row)
        evidence[sample_id] = res.evidence
    table = pd.DataFrame(out_rows, columns=list(COPYNUMBER_COLUMNS))
    write_tsv(args.out, table)
    references = [
        resource_record(GENE_TABLE, role="gene_table", sha256=genes.sha256),
        resource_record(CHROMOSOME_TABLE, role="chromosome_table"),
    ]
    if exons is not None:
        references.append(resource_record(LESION_EXON_TABLE, role="lesion_exon_table"))
    stage_inputs = [(args.classify, "classify_table"), (args.expression, "expression_h5ad")]
    references += [file_record(p, role=r) for p, r in stage_inputs if p]
    references += [
        file_record(p, role="variants") for p in sorted({v.path for v in variants.values()})
    ]
    prov = build_provenance(stage="copynumber", inputs=references, settings=settings.as_dict())
    write_json(args.evidence, {"provenance": prov, "samples": evidence})
    logger.info(
        "copynumber: %d samples (%s) in %.1f s -> %s",
        len(table),
        ", ".join(f"{k}={v}" for k, v in table["cn_source"].value_counts().items()),
        time.monotonic() - t0,
        Path(args.out),
    )
    return 0


def _read_variants(rows: pd.DataFrame, genes: pd.DataFrame, build: str) -> tuple[dict, dict]:
    """The chunk's variant calls (hotspot depths, driver-gene spans) and the gene spans."""
    regions = {
        "GRCh38": driver_regions(genes),
        "GRCh37": driver_regions(load_gene_coordinates_grch37()),
    }
    variants = read_variants_for_samples(
        rows,
        genome_build=build,
        query=hotspot_positions,
        regions=lambda b: driver_spans(regions.get(b, {})),
    )
    return variants, regions


def _rna_estimates(path: str, settings: caller.CopyNumberSettings):
    """Closure computing RNA-derived dosage rows from the chunk h5ad (lazy import).

    Genes flagged ``not_measured`` in the chunk are missing (NaN), not zero reads.
    """
    from allstrat.copynumber import rna_dosage
    from allstrat.io.chunk import read_expression_chunk

    counts = read_expression_chunk(path).counts
    assert counts is not None
    reference = rna_dosage.load_reference()

    def one(sample_id: str, dux4: str | None, bf: float | None) -> caller.SampleResult:
        if reference is None or sample_id not in counts.index:
            why = (
                "no RNA dosage reference installed"
                if reference is None
                else ("sample not in the expression chunk")
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

    return one
