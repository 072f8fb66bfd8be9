"""FusionCatcher ``final-list_candidate-fusion-genes.txt`` reader.

Columns (FusionCatcher manual, table 1): ``Gene_1_symbol(5end_fusion_partner)
Gene_2_symbol(3end_fusion_partner) Fusion_description Counts_of_common_mapping_reads
Spanning_pairs Spanning_unique_reads Longest_anchor_found Fusion_finding_method
Fusion_point_for_gene_1(5end_fusion_partner) Fusion_point_for_gene_2(3end_fusion_partner)
Gene_1_id(5end_fusion_partner) Gene_2_id(3end_fusion_partner) Exon_1_id... Exon_2_id...
Fusion_sequence Predicted_effect [Predicted_fused_transcripts Predicted_fused_proteins]``.
Older releases and trimmed copies lack the ``Fusion_point_*`` (coordinate) columns: the
breakpoints are then empty. Build: ``final-list_candidate-fusion-genes.txt`` holds
GRCh38 coordinates (FusionCatcher >= 0.99.3c), ``...hg19.txt`` GRCh37, ``...hg38.txt``
GRCh38; a file name that states another build than the sheet is an error.

Filters (``Fusion_description`` labels, FusionCatcher manual table 2):

* :data:`FALSE_POSITIVE_LABELS` (``banned``, ``paralogs``, ``healthy``, ``gtex``,
  ``bodymap2``, ``similar_reads``, ``readthrough``, overlapping genes, ...: labels the
  manual describes as a (very) high probability of a false positive, or as seen in
  healthy samples) -> ``passed`` = False, ``filter_reason`` = ``fusioncatcher:<labels>``.
  A fusion that also carries a known-fusion label (:data:`KNOWN_LABELS`) keeps passing
  when its only false-positive labels are the soft ones (:data:`SOFT_LABELS`:
  ``healthy``, ``readthrough``, ``duplicates``, ``short_distance``, ...), because
  FusionCatcher tags some recurrent leukaemia fusions that way too.

Confidence (allstrat convention; FusionCatcher has no tier; UNVERIFIED cut-offs):

* ``high``: >= 3 unique junction reads (``Spanning_unique_reads``) and >= 2 spanning
  pairs, or a known-fusion label with >= 1 junction read and >= 2 pairs;
* ``medium``: >= 1 junction read and junction + pairs >= 3;
* ``low``: everything else (e.g. pairs only, no junction read).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.errors import InputError
from allstrat.harmonise import GeneTable
from allstrat.io.fusions._common import (
    Record,
    Table,
    colon_breakpoint,
    ints,
    read_table,
    record,
    require,
    to_frame,
)

G5 = "Gene_1_symbol(5end_fusion_partner)"
G3 = "Gene_2_symbol(3end_fusion_partner)"
ID5 = "Gene_1_id(5end_fusion_partner)"
ID3 = "Gene_2_id(3end_fusion_partner)"
BP5 = "Fusion_point_for_gene_1(5end_fusion_partner)"
BP3 = "Fusion_point_for_gene_2(3end_fusion_partner)"
FUSIONCATCHER_REQUIRED = (G5, G3, "Fusion_description", "Spanning_pairs", "Spanning_unique_reads")
SOFT_LABELS = frozenset(
    {"healthy", "readthrough", "duplicates", "short_distance", "distance100kbp", "distance10kbp"}
)
FALSE_POSITIVE_LABELS = SOFT_LABELS | frozenset(
    {
        "banned",
        "paralogs",
        "1000genomes",
        "bodymap2",
        "cacg",
        "conjoing",
        "cortex",
        "cta",
        "ctb",
        "ctc",
        "ctd",
        "distance1000bp",
        "ensembl_fully_overlapping",
        "ensembl_same_strand_overlapping",
        "refseq_fully_overlapping",
        "refseq_same_strand_overlapping",
        "ucsc_fully_overlapping",
        "ucsc_same_strand_overlapping",
        "gtex",
        "hpa",
        "matched-normal",
        "mt",
        "non_cancer_tissues",
        "non_tumor_cells",
        "pair_pseudo_genes",
        "rp11",
        "rp",
        "rrna",
        "similar_reads",
        "similar_symbols",
    }
)
KNOWN_LABELS = frozenset(
    {
        "known",
        "cosmic",
        "mitelman",
        "chimerdb2",
        "chimerdb3kb",
        "chimerdb3pub",
        "chimerdb3seq",
        "ticdb",
        "cgp",
        "oncokb",
        "tcga",
        "cell_lines",
        "18cancers",
    }
)


def file_build(path: Path) -> str | None:
    """Build stated by a FusionCatcher file name (``.hg19`` / ``.hg38``), else None."""
    name = path.name.lower()
    if ".hg19." in name or ".grch37." in name:
        return "GRCh37"
    if ".hg38." in name or ".grch38." in name:
        return "GRCh38"
    return None


def _filter(labels: list[str]) -> str:
    fp = sorted(set(labels) & FALSE_POSITIVE_LABELS)
    if not fp:
        return ""
    if set(labels) & KNOWN_LABELS and set(fp) <= SOFT_LABELS:
        return ""
    return "fusioncatcher:" + ",".join(fp)


def fusioncatcher_confidence(
    junction: np.ndarray, pairs: np.ndarray, known: np.ndarray
) -> np.ndarray:
    """Tier of FusionCatcher calls (module docstring; allstrat convention)."""
    high = ((junction >= 3) & (pairs >= 2)) | (known & (junction >= 1) & (pairs >= 2))
    medium = (junction >= 1) & (junction + pairs >= 3)
    return np.where(high, "high", np.where(medium, "medium", "low"))


def read_fusioncatcher(
    path: str | Path, *, sample_id: str, genes: GeneTable, build: str = "GRCh38"
) -> pd.DataFrame:
    """Read FusionCatcher's final list (with or without the coordinate columns)."""
    rec = fusioncatcher_record(path, sample_id=sample_id, genes=genes, build=build)
    return to_frame(rec, "fusioncatcher")


def fusioncatcher_record(
    path: str | Path, *, sample_id: str, genes: GeneTable, build: str = "GRCh38"
) -> Record:
    """:func:`read_fusioncatcher` as plain columns (``_common.Record``)."""
    t = read_table(path, caller="fusioncatcher")
    require(t, FUSIONCATCHER_REQUIRED)
    stated = file_build(t.path)
    if stated is not None and stated != build:
        raise InputError(
            f"the file name states {stated} coordinates but the sample sheet's genome_build "
            f"is {build}; name the file of the sheet's build (FusionCatcher writes both)",
            path=t.path,
        )
    junction = ints(t.col("Spanning_unique_reads"), t, "Spanning_unique_reads")
    pairs = ints(t.col("Spanning_pairs"), t, "Spanning_pairs")
    desc = t.col("Fusion_description")
    labels = [[x.strip() for x in d.split(",") if x.strip()] for d in desc]
    known = np.array([bool(set(lab) & KNOWN_LABELS) for lab in labels], dtype=bool)
    reasons = [_filter(lab) for lab in labels]
    has_bp = BP5 in t and BP3 in t
    n = len(t)
    bp5 = _breakpoints(t, BP5) if has_bp else [""] * n
    bp3 = _breakpoints(t, BP3) if has_bp else [""] * n
    g5, g3 = t.col(G5), t.col(G3)
    conf = fusioncatcher_confidence(
        np.asarray(junction, dtype=np.int64), np.asarray(pairs, dtype=np.int64), known
    )
    return record(
        sample_id,
        "fusioncatcher",
        n,
        genes,
        gene5=_ids(t, g5, ID5),
        gene3=_ids(t, g3, ID3),
        gene5_alt=g5,
        gene3_alt=g3,
        confidence=conf.tolist(),
        junction_reads=junction,
        spanning_reads=pairs,
        breakpoint5=bp5,
        breakpoint3=bp3,
        build=build if has_bp else "",
        passed=[not r for r in reasons],
        filter_reason=reasons,
        gene5_raw=g5,
        gene3_raw=g3,
        fusion_type=t.col("Fusion_finding_method") if "Fusion_finding_method" in t else "",
        reading_frame=t.col("Predicted_effect") if "Predicted_effect" in t else "",
        caller_confidence=desc,
    )


def _ids(t: Table, symbols: list[str], id_col: str) -> list[str]:
    """The Ensembl ID of each partner where given (an IG ``...@`` locus by its symbol)."""
    if id_col not in t:
        return symbols
    return [i if i.startswith("ENSG") and not s.endswith("@") else s
            for s, i in zip(symbols, t.col(id_col), strict=True)]  # fmt: skip


def _breakpoints(t: Table, col: str) -> list[str]:
    return [colon_breakpoint(v, t.path, ln) for v, ln in zip(t.col(col), t.lines, strict=True)]
