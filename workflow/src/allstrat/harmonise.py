"""Gene-identifier harmonisation: Ensembl IDs (with or without version), HGNC symbols,
previous symbols and aliases -> one canonical gene key (the current official symbol of
the bundled gene table).

Rules, in order, for each input row ID:

1. Rows that are not genes are set aside and reported: HTSeq ``__no_feature``-style
   counters, STAR ``N_unmapped``/``N_multimapping``/``N_noFeature``/``N_ambiguous``,
   ERCC spike-ins.
2. ``ENSG...`` (optionally ``.version`` and GENCODE's ``_PAR_Y``): mapped via the
   table's Ensembl column when exactly one gene carries that ID.
3. An official symbol maps to itself.
4. An alias / previous symbol maps when it names exactly one gene and that gene's
   official symbol is not itself among the input IDs (so an outdated duplicate row can
   never overwrite the real one).
5. Everything else is unmapped (reported with examples). Rows mapping to the same gene
   are summed (e.g. a PAR_Y copy and its X gene).
"""

from __future__ import annotations

import copy
import re
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ENSEMBL_GENE = re.compile(r"^(ENSG\d{11})(?:\.\d+)?(?:_PAR_Y)?$")
ENSEMBL_OTHER = re.compile(r"^(ENS[A-Z]*[TP]\d{11}|ENS(?!G\d)[A-Z]{1,6}G\d{11})(?:\.\d+)?$")
NON_GENE = re.compile(r"^(__\w+|N_(unmapped|multimapping|noFeature|ambiguous)|ERCC-\d+)$")


@dataclass(frozen=True)
class GeneTable:
    """The canonical gene table plus its checksum (recorded in every provenance block)."""

    table: pd.DataFrame
    sha256: str
    source: str = ""

    @property
    def symbols(self) -> pd.Index:
        """Official symbols (the canonical gene keys)."""
        return pd.Index(self.table["symbol"])

    def maps(self) -> tuple[dict[str, str], dict[str, set[str]], set[str]]:
        """Return (ensembl->symbol for unique IDs, alias->symbols, official symbols)."""
        cached = self.__dict__.get("_maps")
        if cached is not None:
            return cached
        ens: dict[str, set[str]] = defaultdict(set)
        alias: dict[str, set[str]] = defaultdict(set)
        for sym, ids, al in zip(
            self.table["symbol"], self.table["ensembl_ids"], self.table["aliases"], strict=True
        ):
            for e in filter(None, ids.split("|")):
                ens[e].add(sym)
            for a in filter(None, al.split("|")):
                alias[a].add(sym)
        official = set(self.table["symbol"])
        types = dict(zip(self.table["symbol"], self.table.get("gene_type", ""), strict=False))
        unique_ens = {}
        for e, syms in ens.items():
            pick = _resolve_shared_ensembl(syms, official, types)
            if pick is not None:
                unique_ens[e] = pick
        result = (unique_ens, dict(alias), official)
        object.__setattr__(self, "_maps", result)
        return result


_PLACEHOLDER = re.compile(r"^LOC\d+$")


def _resolve_shared_ensembl(
    syms: set[str], official: set[str], types: dict[str, str]
) -> str | None:
    """The gene an Ensembl ID names when the table gives it to several symbols, or None.

    The bundled table (org.Hs.eg.db) attaches some Ensembl IDs to more than one Entrez
    gene: the real gene plus an uncharacterised ``LOC...`` locus (ENSG00000159216 = RUNX1
    and LOC100506403) or a read-through transcript (ENSG00000158747 = NBL1 and
    MICOS10-NBL1). Dropping such IDs would silently lose RUNX1 from every Ensembl-keyed
    count file. Candidates are narrowed in order -- drop ``LOC`` placeholders, drop
    read-throughs (``A-B`` whose parts are both official symbols), then keep the single
    protein-coding gene -- and an ID stays unmapped (reported) if more than one remains.
    """
    cand = sorted(syms)
    if len(cand) == 1:
        return cand[0]
    for keep in (
        lambda s: not _PLACEHOLDER.match(s),
        lambda s: not ("-" in s and all(part in official for part in s.split("-", 1))),
        lambda s: types.get(s) == "protein-coding",
    ):
        narrowed = [s for s in cand if keep(s)]
        if narrowed:
            cand = narrowed
        if len(cand) == 1:
            return cand[0]
    return None


@dataclass
class HarmonisationReport:
    """What happened to every input row (counts plus a few examples of each kind)."""

    n_input: int = 0
    n_symbol: int = 0
    n_ensembl: int = 0
    n_alias: int = 0
    n_unmapped: int = 0
    n_ambiguous: int = 0
    n_non_gene: int = 0
    n_collapsed: int = 0
    id_type: str = "unknown"
    non_gene_rows: list[str] = field(default_factory=list)
    unmapped_examples: list[str] = field(default_factory=list)
    wrong_species_or_level: list[str] = field(default_factory=list)

    @property
    def n_mapped(self) -> int:
        """Rows mapped to a canonical gene."""
        return self.n_symbol + self.n_ensembl + self.n_alias

    def as_dict(self) -> dict[str, object]:
        """Plain dict for provenance / logging."""
        d = dict(self.__dict__)
        d["n_mapped"] = self.n_mapped
        return d


# Per-sample files of one cohort almost always share one annotation, i.e. the same gene-ID
# list: mapping it once per list instead of once per file is the difference between
# ~130 ms and a few ms per 20,000-gene sample (benchmarks/bench_overheads.py). Small LRU
# keyed by (gene table checksum, the ID tuple); callers get copies, never the cached objects.
_MEMO_SIZE = 8


@dataclass
class _Mapped:
    keys: np.ndarray
    report: HarmonisationReport
    rows: np.ndarray | None = None  # harmonise_counts fast path: input rows in output order
    index: pd.Index | None = None  # ... and their canonical symbols (immutable, shareable)


_memo: OrderedDict[tuple[str, tuple[str, ...]], _Mapped] = OrderedDict()


def _lookup(ids: Sequence[object], genes: GeneTable) -> _Mapped:
    key = (genes.sha256, tuple(map(str.strip, map(str, ids))))
    hit = _memo.get(key)
    if hit is None:
        hit = _Mapped(*_harmonise_ids(list(key[1]), genes))
        _memo[key] = hit
        if len(_memo) > _MEMO_SIZE:
            _memo.popitem(last=False)
    else:
        _memo.move_to_end(key)
    return hit


def harmonise_ids(ids: Sequence[str], genes: GeneTable) -> tuple[np.ndarray, HarmonisationReport]:
    """Map input gene IDs to canonical symbols.

    Returns an object array the length of ``ids`` holding the canonical symbol or ``""``
    for unmapped / non-gene rows, and the report. Results are memoised per ID list (a
    cohort's files usually share one), so repeated calls cost a hash, not a mapping.
    """
    hit = _lookup(ids, genes)
    return hit.keys.copy(), copy.deepcopy(hit.report)


def _harmonise_ids(ids: list[str], genes: GeneTable) -> tuple[np.ndarray, HarmonisationReport]:
    ens_map, alias_map, official = genes.maps()
    present = set(ids)
    out = np.full(len(ids), "", dtype=object)
    rep = HarmonisationReport(n_input=len(ids))
    n_ens_like = 0
    for k, raw in enumerate(ids):
        if NON_GENE.match(raw):
            rep.n_non_gene += 1
            if len(rep.non_gene_rows) < 20:
                rep.non_gene_rows.append(raw)
            continue
        m = ENSEMBL_GENE.match(raw)
        if m:
            n_ens_like += 1
            sym = ens_map.get(m.group(1))
            if sym is not None:
                out[k] = sym
                rep.n_ensembl += 1
            else:
                rep.n_unmapped += 1
                if len(rep.unmapped_examples) < 10:
                    rep.unmapped_examples.append(raw)
            continue
        if ENSEMBL_OTHER.match(raw):
            rep.n_unmapped += 1
            if len(rep.wrong_species_or_level) < 10:
                rep.wrong_species_or_level.append(raw)
            continue
        if raw in official:
            out[k] = raw
            rep.n_symbol += 1
            continue
        targets = alias_map.get(raw)
        if targets and len(targets) == 1:
            sym = next(iter(targets))
            if sym not in present:
                out[k] = sym
                rep.n_alias += 1
                continue
        if targets and len(targets) > 1:
            rep.n_ambiguous += 1
        else:
            rep.n_unmapped += 1
        if len(rep.unmapped_examples) < 10:
            rep.unmapped_examples.append(raw)
    gene_rows = rep.n_input - rep.n_non_gene
    rep.id_type = "ensembl" if gene_rows and n_ens_like > gene_rows / 2 else "symbol"
    mapped = out[out != ""]
    rep.n_collapsed = int(len(mapped) - len(set(mapped)))
    return out, rep


def harmonise_counts(
    counts: pd.DataFrame, genes: GeneTable
) -> tuple[pd.DataFrame, HarmonisationReport]:
    """Re-index a genes x samples count table on canonical symbols.

    Unmapped and non-gene rows are dropped (and reported); rows mapping to one gene are
    summed. The result's rows follow the gene table order restricted to mapped genes.
    """
    hit = _lookup(counts.index, genes)
    keys, rep = hit.keys, copy.deepcopy(hit.report)
    keep = keys != ""
    if rep.n_collapsed == 0:
        # fast path (the usual case): one row per gene, so only select and reorder rows
        if hit.rows is None:
            rows = np.flatnonzero(keep)
            hit.rows = rows[np.argsort(genes.symbols.get_indexer(keys[rows]), kind="stable")]
            hit.index = pd.Index(keys[hit.rows], name=genes.symbols.name)
        out = counts.iloc[hit.rows]
        out.index = hit.index
        return out, rep
    sub = counts.loc[keep]
    sub.index = pd.Index(keys[keep], name="gene")
    summed = sub.groupby(level=0, sort=False).sum()
    order = genes.symbols[genes.symbols.isin(summed.index)]
    return summed.loc[order], rep
