"""salmon ``quant.genes.sf`` (gene level; ``NumReads`` are estimated counts, rounded to
integers). A transcript-level ``quant.sf`` is aggregated to genes only when its names carry
the gene (GENCODE ``ENST|ENSG|...|symbol|...`` headers, salmon run without ``--gencode``);
plain ``ENST`` names are refused with a message pointing to ``quant.genes.sf`` / tximport.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.errors import InputError
from allstrat.harmonise import ENSEMBL_GENE
from allstrat.io.expression._common import (
    SALMON_HEADER,
    ExpressionFile,
    _check_file,
    _drop_trailing_blank,
    _head,
    _read_csv,
    _validate_counts,
    _validate_ids,
)

ENSEMBL_TRANSCRIPT = re.compile(r"^ENST\d{11}(\.\d+)?(_PAR_Y)?$")


def read_salmon(path: str | Path, *, samples: Sequence[str] | None = None) -> ExpressionFile:
    """Read salmon ``quant.genes.sf`` (or a GENCODE-named ``quant.sf``).

    ``NumReads`` (estimated counts) are rounded to the nearest integer. Transcript-level
    files whose names are plain ``ENST`` IDs are refused: aggregate them with salmon
    ``-g`` (``quant.genes.sf``) or tximport first. Names in the GENCODE FASTA header form
    ``ENST...|ENSG...|...`` are summed per ``ENSG`` (the gene ID is in the name itself).
    """
    p = _check_file(path)
    head = _head(p, 5)
    header = head[0].split("\t")
    if tuple(header) != SALMON_HEADER:
        raise InputError(
            f"not a salmon quant file: header {header!r}; expected "
            f"{' '.join(SALMON_HEADER)} (tab-separated)",
            path=p,
            line=1,
        )
    df = _read_csv(p, sep="\t", header=0, dtype={"Name": str}, low_memory=False)
    df = _drop_trailing_blank(df)
    if df.empty:
        raise InputError("salmon file has no rows", path=p)
    lines = np.arange(len(df)) + 2
    ids = _validate_ids(df["Name"], lines, p)
    counts = _validate_counts(df[["NumReads"]], lines, p, what="NumReads", allow_fraction=True)
    counts.index = ids
    counts.columns = ["count"]
    notes: dict[str, object] = {"rounded": "NumReads rounded to integers"}
    n_tx = int(sum(bool(ENSEMBL_TRANSCRIPT.match(i.split("|")[0])) for i in ids[:1000]))
    if "|" in ids[0] and ENSEMBL_TRANSCRIPT.match(ids[0].split("|")[0]):
        parts = ids.str.split("|")
        gene = parts.str[1].fillna("")
        bad = ~gene.str.match(ENSEMBL_GENE.pattern)
        if bad.any():
            k = int(np.argmax(np.asarray(bad)))
            raise InputError(
                f"transcript name {ids[k]!r} lacks the ENSG field of a GENCODE header",
                path=p,
                line=int(lines[k]),
            )
        counts = counts.groupby(pd.Index(gene, name=None), sort=False).sum()
        lines = np.full(len(counts), 0)
        notes["aggregated"] = (
            f"{len(ids)} transcripts summed to {len(counts)} genes by the ENSG field of "
            "their GENCODE names"
        )
    elif n_tx > min(len(ids), 1000) / 2:
        raise InputError(
            f"transcript-level salmon quant.sf ({ids[0]!r}, ...); allstrat needs gene-level "
            "counts: use salmon's quant.genes.sf (run salmon with -g <gtf>) or aggregate with "
            "tximport, then give that file",
            path=p,
            line=2,
        )
    return ExpressionFile(str(path), "salmon", counts, lines, notes)
