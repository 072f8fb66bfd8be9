"""T-ALL subgroup marker programmes (``resources/markers/tall_markers.tsv``).

One row per subgroup x gene with direction, a modelling log2 fold change *vs other T-ALL*,
an optional ``alt_group`` (genes of one subgroup sharing a key are alternatives: one of them
is the driver in a given case, e.g. LMO1 *or* LMO2, NKX2-1 *or* NKX2-5), the source and the
evidence mark (vocabulary of resources/markers/README.md). The table is the single source of
the T-ALL signatures used by the classifier features and by the simulator.
"""

from __future__ import annotations

import functools

import pandas as pd

from allstrat.contracts import TALL_SUBGROUPS
from allstrat.errors import InputError
from allstrat.paths import resources_dir

TALL_MARKERS = "markers/tall_markers.tsv"
COLUMNS = ("subgroup", "gene", "direction", "log2fc_mean", "alt_group", "source", "evidence")

# Immaturity / T-lineage commitment genes added to the T-ALL panel (z-scores only): the
# stem / myeloid and cortical markers of the ETP-ALL definition (MARKERS.md, ETP row).
ETP_UP: tuple[str, ...] = (
    "CD34", "KIT", "HLA-DRA", "ANPEP", "CD33", "ITGAM", "MEF2C", "LYL1", "LMO2",
)  # fmt: skip
ETP_DOWN: tuple[str, ...] = ("CD1A", "CD8A", "CD8B", "CD5", "TCF7")


@functools.cache
def load_tall_markers() -> pd.DataFrame:
    """Read and check the T-ALL marker table (subgroups must be contract labels)."""
    path = resources_dir() / TALL_MARKERS
    df = pd.read_csv(path, sep="\t", keep_default_na=False, dtype=str)
    if tuple(df.columns) != COLUMNS:
        raise InputError(f"expected columns {COLUMNS}", path=path, line=1)
    bad = sorted(set(df["subgroup"]) - set(TALL_SUBGROUPS))
    if bad:
        raise InputError(f"unknown T-ALL subgroup(s) {bad}", path=path)
    df["log2fc_mean"] = df["log2fc_mean"].astype(float)
    wrong = df[(df["direction"] == "up") != (df["log2fc_mean"] > 0)]
    if len(wrong):
        raise InputError("direction disagrees with the sign of log2fc_mean", path=path)
    return df


def signatures() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Per subgroup the up- and down-regulated genes of the marker table."""
    df = load_tall_markers()
    up: dict[str, tuple[str, ...]] = {}
    down: dict[str, tuple[str, ...]] = {}
    for sg in TALL_SUBGROUPS:
        rows = df[df["subgroup"] == sg]
        up[sg] = tuple(rows.loc[rows["direction"] == "up", "gene"])
        down[sg] = tuple(rows.loc[rows["direction"] == "down", "gene"])
    return up, down


def tall_panel_genes() -> tuple[str, ...]:
    """Every gene of the T-ALL marker table and the ETP lists (sorted, unique)."""
    return tuple(sorted(set(load_tall_markers()["gene"]) | set(ETP_UP) | set(ETP_DOWN)))
