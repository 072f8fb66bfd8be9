"""Read the bundled, versioned GRCh38 gene table (see resources/MANIFEST.tsv)."""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
from pathlib import Path

import pandas as pd

from allstrat.errors import InputError
from allstrat.harmonise import GeneTable
from allstrat.paths import GENE_TABLE, resources_dir

REQUIRED = ["symbol", "entrez_id", "ensembl_ids", "chrom", "start", "end", "strand", "aliases"]


@functools.lru_cache(maxsize=4)
def load_gene_table(path: str | Path | None = None) -> GeneTable:
    """Load the gene table (default: the bundled ``resources/genes/genes_grch38.tsv.gz``).

    Columns: ``symbol`` (current official symbol, unique; the canonical gene key used as
    ``var_names``), ``entrez_id``, ``ensembl_ids`` (``|``-separated, unversioned),
    ``chrom`` (``chr1``..``chrX``, ``chrY``, ``chrM``), ``start``/``end`` (GRCh38,
    1-based inclusive), ``strand``, ``gene_type``, ``par``, ``aliases`` (``|``-separated
    aliases and previous symbols), ``name``.
    """
    p = Path(path) if path is not None else resources_dir() / GENE_TABLE
    if not p.is_file():
        raise InputError("gene table not found; reinstall allstrat or set ALLSTRAT_HOME", path=p)
    raw = p.read_bytes()
    try:
        text = (gzip.decompress(raw) if p.suffix == ".gz" else raw).decode("utf-8")
        table = pd.read_csv(
            io.StringIO(text), sep="\t", comment="#", dtype=str, keep_default_na=False
        )
    except (ValueError, OSError, EOFError) as exc:
        raise InputError(f"cannot parse gene table: {exc}", path=p) from None
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise InputError(f"gene table lacks columns {missing}", path=p)
    if table["symbol"].duplicated().any():
        dup = table.loc[table["symbol"].duplicated(), "symbol"].iloc[0]
        raise InputError(f"gene table has duplicate symbol {dup!r}", path=p)
    table["start"] = table["start"].astype("int64")
    table["end"] = table["end"].astype("int64")
    first = text.split("\n", 1)[0]
    source = first.lstrip("# ").strip() if first.startswith("#") else ""
    return GeneTable(
        table=table.set_index("symbol", drop=False),
        sha256=hashlib.sha256(raw).hexdigest(),
        source=source,
    )
