"""Fusion-caller readers: Arriba ``fusions.tsv`` and STAR-Fusion predictions.

One dispatch table, :data:`FUSION_READERS`, keyed by the sample sheet's
``fusions_format``. Every reader returns one row per reported fusion with
:data:`FUSION_COLUMNS`:

``sample_id``
    From the sample sheet (caller outputs hold one sample).
``gene5``, ``gene3``
    5' and 3' partner as canonical symbols (:func:`allstrat.harmonise.harmonise_ids`).
    An unmappable name (e.g. an IG locus segment missing from the gene table) is kept
    as written; ``gene5_raw`` / ``gene3_raw`` hold the caller's text.
``caller``
    ``arriba`` or ``starfusion``.
``confidence``
    ``high`` / ``medium`` / ``low``. Arriba's own column. STAR-Fusion has none; see
    :func:`starfusion_confidence` for the documented allstrat convention.
``junction_reads``, ``spanning_reads``
    Split (junction) reads and spanning fragments / discordant mates.
``breakpoint5``, ``breakpoint3``
    ``chrN:position`` (1-based, the caller's coordinates; no lift-over).

Extra columns: ``gene5_raw``, ``gene3_raw``, ``fusion_type`` (Arriba ``type`` /
STAR-Fusion ``SpliceType``), ``reading_frame`` (Arriba; ``""`` for STAR-Fusion).

A header-only file is a valid "no fusions detected" result (empty table); a 0-byte or
headerless file is an InputError (a truncated output must not read as "no fusion").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.errors import InputError
from allstrat.harmonise import GeneTable, harmonise_ids
from allstrat.io.copynumber_readers import normalise_chrom

logger = logging.getLogger(__name__)

__all__ = [
    "ARRIBA_REQUIRED",
    "FUSION_COLUMNS",
    "FUSION_READERS",
    "STARFUSION_REQUIRED",
    "read_arriba",
    "read_fusions",
    "read_starfusion",
    "starfusion_confidence",
]

FUSION_COLUMNS = (
    "sample_id",
    "gene5",
    "gene3",
    "caller",
    "confidence",
    "junction_reads",
    "spanning_reads",
    "breakpoint5",
    "breakpoint3",
)
EXTRA_COLUMNS = ("gene5_raw", "gene3_raw", "fusion_type", "reading_frame")
ARRIBA_REQUIRED = (
    "gene1",
    "gene2",
    "breakpoint1",
    "breakpoint2",
    "type",
    "split_reads1",
    "split_reads2",
    "discordant_mates",
    "confidence",
)
STARFUSION_REQUIRED = (
    "FusionName",
    "JunctionReadCount",
    "SpanningFragCount",
    "LeftGene",
    "LeftBreakpoint",
    "RightGene",
    "RightBreakpoint",
)
CONFIDENCE = ("high", "medium", "low")
_INTERGENIC = re.compile(r"^(?P<gene>[^(,]+)\((?P<dist>\d+)\)$")


def _read(path: str | Path, *, what: str, first: str) -> tuple[pd.DataFrame, Path]:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what} not found", path=p)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{what} is not a UTF-8 text file", path=p) from None
    if not text.strip():
        raise InputError(
            f"{what} is empty (not even a header); a caller that found no fusions still "
            "writes its header line — the file is probably truncated",
            path=p,
        )
    header = text.split("\n", 1)[0].rstrip("\r")
    if not header.startswith("#"):
        raise InputError(
            f"{what} header must start with '#{first}' (found {header[:60]!r})", path=p, line=1
        )
    if "\t" not in header:
        raise InputError(f"{what} header is not tab-separated", path=p, line=1)
    n_fields = header.count("\t") + 1
    for k, line in enumerate(text.split("\n")[1:], start=2):
        line = line.rstrip("\r")
        if line and line.count("\t") + 1 < n_fields:
            raise InputError(
                f"{what}: line has {line.count(chr(9)) + 1} fields, the header {n_fields} "
                "(truncated line?)",
                path=p,
                line=k,
            )
    try:
        df = pd.read_csv(p, sep="\t", dtype=str, keep_default_na=False, quoting=3)
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError(
            f"{what}: a row has more fields than the header",
            path=p,
            line=int(m.group(1)) if m else None,
        ) from None
    df.columns = [c.lstrip("#").strip() for c in df.columns]
    return df, p


def _require(df: pd.DataFrame, cols: tuple[str, ...], p: Path, what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(
            f"{what} lacks column(s) {missing}; is this the right caller / format?",
            path=p,
            line=1,
        )


def _ints(s: pd.Series, p: Path, what: str) -> np.ndarray:
    num = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64")
    bad = np.isnan(num) | (num < 0) | (num != np.floor(num))
    if bad.any():
        k = int(np.argmax(bad))
        raise InputError(
            f"{what} {s.iloc[k]!r} is not a non-negative integer (truncated line?)",
            path=p,
            line=k + 2,
        )
    return num.astype("int64")


def _breakpoint(value: str, p: Path, line: int) -> str:
    parts = value.split(":")
    if len(parts) < 2 or not parts[1].isdigit():
        raise InputError(
            f"breakpoint {value!r}; expected chromosome:position[:strand]", path=p, line=line
        )
    chrom = normalise_chrom(parts[0])
    if chrom is None:
        raise InputError(f"unknown chromosome in breakpoint {value!r}", path=p, line=line)
    return f"{chrom}:{int(parts[1])}"


def _partner(raw: str) -> str:
    """Caller gene text -> one gene ID to harmonise.

    STAR-Fusion ``SYMBOL^ENSG...`` -> the Ensembl ID; Arriba intergenic
    ``A(1200),B(53000)`` -> the nearer gene; Arriba ``A,B`` (overlapping genes) -> A.
    """
    raw = raw.strip()
    if "^" in raw:
        sym, ens = raw.split("^", 1)
        return ens if ens.startswith("ENSG") else sym
    if "(" in raw:
        best, best_d = raw, None
        for part in raw.split(","):
            m = _INTERGENIC.match(part.strip())
            if m and (best_d is None or int(m["dist"]) < best_d):
                best, best_d = m["gene"], int(m["dist"])
        return best
    return raw.split(",")[0]


def _genes(raw: pd.Series, genes: GeneTable) -> list[str]:
    ids = [_partner(r) for r in raw]
    keys, _ = harmonise_ids(ids, genes)
    # an official symbol seen elsewhere in the file must not block an alias here
    out = []
    for i, k in zip(ids, keys, strict=True):
        if not k:
            k2, _ = harmonise_ids([i], genes)
            k = k2[0]
        out.append(k or i)
    return out


def _frame(sample_id: str, caller: str, **cols: object) -> pd.DataFrame:
    df = pd.DataFrame({"sample_id": sample_id, "caller": caller, **cols})
    df = df[list(FUSION_COLUMNS) + list(EXTRA_COLUMNS)]
    ints = ("junction_reads", "spanning_reads")
    df = df.astype({c: ("int64" if c in ints else object) for c in df.columns})
    df.attrs.update(caller=caller)
    return df


def read_arriba(path: str | Path, *, sample_id: str, genes: GeneTable) -> pd.DataFrame:
    """Read Arriba ``fusions.tsv`` (or ``fusions.discarded.tsv``) of one sample.

    Parameters
    ----------
    path : str or Path
        Arriba output (``#gene1 gene2 strand1(gene/fusion) strand2(gene/fusion)
        breakpoint1 breakpoint2 site1 site2 type split_reads1 split_reads2
        discordant_mates coverage1 coverage2 confidence ...``; column order differs
        between Arriba versions, so columns are taken by name).
    sample_id : str
        The sample.
    genes : GeneTable
        For partner-name harmonisation.

    Returns
    -------
    pandas.DataFrame
        :data:`FUSION_COLUMNS` + extras; ``junction_reads = split_reads1 +
        split_reads2``, ``spanning_reads = discordant_mates``.
    """
    df, p = _read(path, what="Arriba fusions file", first="gene1")
    _require(df, ARRIBA_REQUIRED, p, "Arriba fusions file")
    conf = df["confidence"].str.lower()
    bad = ~conf.isin(CONFIDENCE)
    if bad.any():
        k = int(np.argmax(bad.to_numpy()))
        raise InputError(
            f"confidence {df['confidence'].iloc[k]!r}; Arriba writes high, medium or low",
            path=p,
            line=k + 2,
        )
    split = _ints(df["split_reads1"], p, "split_reads1") + _ints(
        df["split_reads2"], p, "split_reads2"
    )
    return _frame(
        sample_id,
        "arriba",
        gene5=_genes(df["gene1"], genes),
        gene3=_genes(df["gene2"], genes),
        confidence=conf.to_numpy(),
        junction_reads=split,
        spanning_reads=_ints(df["discordant_mates"], p, "discordant_mates"),
        breakpoint5=[_breakpoint(v, p, k + 2) for k, v in enumerate(df["breakpoint1"])],
        breakpoint3=[_breakpoint(v, p, k + 2) for k, v in enumerate(df["breakpoint2"])],
        gene5_raw=df["gene1"].to_numpy(),
        gene3_raw=df["gene2"].to_numpy(),
        fusion_type=df["type"].to_numpy(),
        reading_frame=df["reading_frame"].to_numpy() if "reading_frame" in df else "",
    )


def starfusion_confidence(
    junction_reads: Sequence[int] | np.ndarray,
    spanning_reads: Sequence[int] | np.ndarray,
    large_anchor: Sequence[str] | np.ndarray,
    *,
    min_high_junction: int = 5,
    min_medium_total: int = 3,
) -> np.ndarray:
    """Confidence tier for STAR-Fusion calls (an allstrat convention, not STAR-Fusion's).

    STAR-Fusion reports no tier; every row of its predictions file already passed its
    filters. allstrat grades them so that downstream evidence rules can treat both
    callers alike:

    * ``high``: a long-anchor junction read (``LargeAnchorSupport == YES_LDAS``), at
      least ``min_high_junction`` junction reads and at least one spanning fragment;
    * ``medium``: otherwise, at least ``min_medium_total`` junction + spanning reads and
      a long-anchor junction read;
    * ``low``: everything else (e.g. ``NO_LDAS``: only short-anchor split reads).

    The cut-offs are judgement calls (UNVERIFIED against a validation study); they are
    keyword parameters so a lab can set its own.
    """
    j = np.asarray(junction_reads)
    s = np.asarray(spanning_reads)
    ldas = np.asarray([str(v).upper().startswith("YES") for v in large_anchor], dtype=bool)
    return np.where(
        ldas & (j >= min_high_junction) & (s >= 1),
        "high",
        np.where(ldas & (j + s >= min_medium_total), "medium", "low"),
    )


def read_starfusion(path: str | Path, *, sample_id: str, genes: GeneTable) -> pd.DataFrame:
    """Read ``star-fusion.fusion_predictions(.abridged).tsv`` of one sample.

    Parameters
    ----------
    path : str or Path
        STAR-Fusion output (``#FusionName JunctionReadCount SpanningFragCount [est_J
        est_S] SpliceType LeftGene LeftBreakpoint RightGene RightBreakpoint
        LargeAnchorSupport FFPM ...``); genes as ``SYMBOL^ENSG...``, breakpoints as
        ``chr:pos:strand``.
    sample_id : str
        The sample.
    genes : GeneTable
        For partner-name harmonisation (the ``ENSG`` part is used).

    Returns
    -------
    pandas.DataFrame
        :data:`FUSION_COLUMNS` + extras; confidence from :func:`starfusion_confidence`.
    """
    df, p = _read(path, what="STAR-Fusion predictions file", first="FusionName")
    _require(df, STARFUSION_REQUIRED, p, "STAR-Fusion predictions file")
    j = _ints(df["JunctionReadCount"], p, "JunctionReadCount")
    s = _ints(df["SpanningFragCount"], p, "SpanningFragCount")
    ldas = df["LargeAnchorSupport"].to_numpy() if "LargeAnchorSupport" in df else [""] * len(df)
    return _frame(
        sample_id,
        "starfusion",
        gene5=_genes(df["LeftGene"], genes),
        gene3=_genes(df["RightGene"], genes),
        confidence=starfusion_confidence(j, s, ldas),
        junction_reads=j,
        spanning_reads=s,
        breakpoint5=[_breakpoint(v, p, k + 2) for k, v in enumerate(df["LeftBreakpoint"])],
        breakpoint3=[_breakpoint(v, p, k + 2) for k, v in enumerate(df["RightBreakpoint"])],
        gene5_raw=df["LeftGene"].to_numpy(),
        gene3_raw=df["RightGene"].to_numpy(),
        fusion_type=df["SpliceType"].to_numpy() if "SpliceType" in df else "",
        reading_frame="",
    )


#: Sample-sheet ``fusions_format`` -> reader(path, *, sample_id, genes).
FUSION_READERS: dict[str, Callable[..., pd.DataFrame]] = {
    "arriba": read_arriba,
    "starfusion": read_starfusion,
}


def read_fusions(path: str | Path, fmt: str, *, sample_id: str, genes: GeneTable) -> pd.DataFrame:
    """Read one sample's fusion-caller output with the reader registered for ``fmt``.

    Parameters
    ----------
    path : str or Path
        The caller output.
    fmt : {"arriba", "starfusion"}
        The sample sheet's ``fusions_format``.
    sample_id : str
        The sample.
    genes : GeneTable
        The canonical gene table.

    Returns
    -------
    pandas.DataFrame
        :data:`FUSION_COLUMNS` + extras.
    """
    if fmt not in FUSION_READERS:
        raise InputError(
            f"unknown fusions format {fmt!r}; expected one of {sorted(FUSION_READERS)}",
            path=path,
            sample=sample_id,
        )
    out = FUSION_READERS[fmt](path, sample_id=sample_id, genes=genes)
    logger.info("%s (%s): %d fusion(s) for %s", path, fmt, len(out), sample_id)
    return out
