"""Bundled reference tables the copy-number caller rests on (read-only, versioned).

* ``resources/genome/chromosomes_grch38.tsv`` — GRCh38 chromosome lengths (plus GRCh37
  lengths, only to recognise GRCh37 input) and centromere spans (DOMAIN.md §8,
  MD-ALL ``centromeres_hg38.rda``). See ``resources/MANIFEST.tsv``.
* ``resources/genes/lesion_exons_grch38.tsv`` — exon coordinates of the lesion genes
  (IKZF1 exons 1–8 etc.), written by the simulator / resource owner. Columns used:
  ``gene``, ``exon`` (integer exon number), ``chrom``, ``start``, ``end`` (GRCh38,
  1-based inclusive).

These are bundled resources, not user input; a missing or malformed table is an
installation problem and raises :class:`allstrat.errors.ConfigError`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from allstrat.errors import ConfigError
from allstrat.paths import resources_dir

CHROMOSOME_TABLE = "genome/chromosomes_grch38.tsv"
CHROMOSOME_TABLE_GRCH37 = "genome/chromosomes_grch37.tsv"
GENE_COORDS_GRCH37 = "genes/genes_grch37.tsv.gz"
LESION_EXON_TABLE = "genes/lesion_exons_grch38.tsv"
AUTOSOMES: tuple[str, ...] = tuple(f"chr{i}" for i in range(1, 23))
SEX_CHROMOSOMES: tuple[str, ...] = ("chrX", "chrY")


@functools.lru_cache(maxsize=4)
def load_chromosomes(path: str | Path | None = None) -> pd.DataFrame:
    """Return the chromosome table indexed by ``chrom`` (``chr1`` .. ``chrY``).

    Columns: ``length`` (GRCh38), ``grch37_length``, ``centromere_start``,
    ``centromere_end``, ``acrocentric`` (bool). ``path`` may name the GRCh37 table
    (:func:`chromosomes_for_build`), which has no ``grch37_length``.
    """
    p = Path(path) if path is not None else resources_dir() / CHROMOSOME_TABLE
    try:
        table = pd.read_csv(p, sep="\t", comment="#", dtype={"chrom": str})
        cols = ["length", "centromere_start", "centromere_end"]
        cols += ["grch37_length"] if "grch37_length" in table.columns else []
        for col in cols:
            table[col] = table[col].astype("int64")
        table["acrocentric"] = table["acrocentric"].astype(int).astype(bool)
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(f"{p}: cannot read the bundled chromosome table ({exc})") from None
    return table.set_index("chrom")


@functools.lru_cache(maxsize=4)
def load_lesion_exons(path: str | Path | None = None) -> pd.DataFrame | None:
    """Return the lesion-gene exon table, or ``None`` when it is not installed.

    Returns a DataFrame with columns ``gene``, ``exon`` (int), ``chrom``, ``start``,
    ``end``; without it the IKZF1 deletion type cannot be resolved from segments (the
    caller then records why).
    """
    p = Path(path) if path is not None else resources_dir() / LESION_EXON_TABLE
    if not p.is_file():
        return None
    try:
        table = pd.read_csv(p, sep="\t", comment="#", dtype=str, keep_default_na=False)
        out = pd.DataFrame(
            {
                "gene": table["gene"],
                "exon": table["exon"].str.extract(r"(\d+)", expand=False).astype("int64"),
                "chrom": table["chrom"],
                "start": table["start"].astype("int64"),
                "end": table["end"].astype("int64"),
            }
        )
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(f"{p}: cannot read the bundled lesion exon table ({exc})") from None
    return out.drop_duplicates(["gene", "exon"]).reset_index(drop=True)


def chromosomes_for_build(build: str) -> pd.DataFrame:
    """Chromosome table (lengths, centromeres) of ``GRCh38`` or ``GRCh37``."""
    if build == "GRCh37":
        return load_chromosomes(resources_dir() / CHROMOSOME_TABLE_GRCH37)
    return load_chromosomes()


@functools.lru_cache(maxsize=2)
def load_gene_coordinates_grch37(path: str | Path | None = None) -> pd.DataFrame:
    """GRCh37 gene coordinates indexed by the bundled gene symbol.

    Built from RNAseqCNV's hg19 annotation joined by Ensembl ID
    (``workflow/scripts/build_grch37_tables.py``); genes without a trusted GRCh37 locus
    (e.g. RUNX1, whose hg19 annotation spans a read-through) are absent, so calls that
    need them are not assessable on GRCh37. Columns ``symbol``, ``ensembl_id``,
    ``chrom``, ``start``, ``end`` (1-based inclusive).
    """
    p = Path(path) if path is not None else resources_dir() / GENE_COORDS_GRCH37
    try:
        t = pd.read_csv(p, sep="\t", comment="#", dtype={"symbol": str, "chrom": str})
        t["start"] = t["start"].astype("int64")
        t["end"] = t["end"].astype("int64")
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(f"{p}: cannot read the GRCh37 gene table ({exc})") from None
    return t.set_index("symbol", drop=False)


_DERIVED: dict[tuple[int, str], tuple[pd.DataFrame, Any]] = {}


def derived(table: pd.DataFrame, what: str, make: Callable[[pd.DataFrame], Any]) -> Any:
    """``make(table)``, computed once per table object (plain lookups of a bundled table).

    The copy-number calls look up the same chromosome and gene rows for every sample of
    a chunk, and a DataFrame row lookup costs more than the call it feeds. The entry holds
    the table itself, so its id cannot be reused by another object while cached; tables
    are never changed in place (they come from the cached loaders).
    """
    key = (id(table), what)
    hit = _DERIVED.get(key)
    if hit is not None and hit[0] is table:
        return hit[1]
    if len(_DERIVED) >= 32:
        _DERIVED.clear()
    value = make(table)
    _DERIVED[key] = (table, value)
    return value
