"""NOTCH1 / FBXW7 / KRAS / NRAS / PTEN mutation status from the sample's variant calls.

T-ALL is driven by NOTCH pathway activation: NOTCH1-activating mutations in ~50-60 % and
FBXW7-inactivating mutations in ~15 % of cases [S1, refs 32-33; DOMAIN.md §1.3]. The
review also cites a French study in which T-ALL with NOTCH1/FBXW7 mutation had a lower
5-year DFS when a PTEN/RAS mutation was also present (46 % vs 87 %) [S1, ref 34; the
reference list is not in the seed, so which study is UNVERIFIED]. The published
"oncogenetic classifier" is: low risk = NOTCH1 and/or FBXW7 (N/F) mutated without
KRAS/NRAS/PTEN (R/P) alteration; high risk = all others (Trinquand et al., JCO
2013;31:4333, GRAALL adult T-ALL, abstract; Petit et al., Blood 2018;131:289,
FRALLE2000T paediatric T-ALL, abstract: 5-year DFS 89 % gLoR vs 60 % gHiR). **No protocol
implemented in resources/risk uses it**; it is reported as explanatory evidence only.
PTEN *deletions* belong to the published classifier but are not seen in variant calls:
a "low" class always carries that caveat.

Which variants count (a VEP ``CSQ`` / SnpEff ``ANN`` HGVS protein change is needed;
residue ranges and codons are config ``copynumber.driver_mutations``, UNVERIFIED):

* NOTCH1 -- a protein-altering change (missense, in-frame indel, nonsense, frameshift)
  inside the heterodimerisation (HD) domain, or a truncating change (nonsense,
  frameshift) inside the C-terminal PEST region (Weng et al., Science 2004;306:269; HD
  mutants L1574P..I1718T and PEST truncations Q2395*..P2514Rfs* per Reactome
  R-HSA-2691232 / R-HSA-2644606). Juxtamembrane (JME, exon 28) and TAD mutations (~2 %
  each, Asnafi et al., Blood 2009;113:3918) are not counted.
* FBXW7 -- a change at the WD40 hotspot arginines R465 / R479 / R505.
* KRAS, NRAS -- a missense / in-frame change at codons 12, 13 or 61.
* PTEN -- a truncating change (``pten_rule: truncating``, default) or any non-synonymous
  coding change (``any_coding``). Splice-site variants carry no protein change and are
  not counted.

Without a consequence annotation no bundled resource gives exon or codon coordinates of
these genes (the bundled gene tables hold gene spans only; lesion_exons covers IKZF1),
so position alone cannot tell a hotspot codon from an intron: such a file gives
``not_assessable_without_annotation`` and lists the gene-span variants it holds.

Status per gene (read thresholds as :mod:`allstrat.classify.hotspots`):

* ``mutated`` -- a qualifying PASS variant with ALT reads >= ``min_alt_reads`` and VAF >=
  ``min_vaf``; its variant, protein change, reads, VAF and rule are the evidence;
* ``not_found`` -- no qualifying variant and the file shows >= ``min_covered_bases``
  bases of the gene span (bundled gene table of the sample's build) at >= ``min_depth``
  reads (gVCF reference blocks or all-sites records): "not found (covered)". Without exon
  coordinates coverage is judged over the span, not the hotspot codons themselves;
* ``not_assessable`` -- no coordinates for the gene on the build, or the span is not
  shown covered (a variants-only VCF cannot show coverage);
* ``not_assessable_without_annotation`` -- see above.

Assessed for every sample with a variants file (RAS mutations also occur in B-ALL; the
call is a property of the variant calls, not of the lineage); the oncogenetic classifier
is T-ALL evidence and the report shows it for T-lineage samples only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import pandas as pd

from allstrat.classify.hotspots import judge_support
from allstrat.config import FROM_SCHEMA, schema_defaults

__all__ = [
    "DRIVER_GENES",
    "DriverMutationSettings",
    "call_driver_mutations",
    "driver_regions",
    "driver_spans",
    "driver_summary",
    "not_assessed",
    "oncogenetic_class",
    "parse_protein_change",
]

DRIVER_GENES: tuple[str, ...] = ("NOTCH1", "FBXW7", "KRAS", "NRAS", "PTEN")
TRUNCATING = ("nonsense", "frameshift")
_CHANGE = re.compile(r"^([A-Z][a-z]{2}|Ter)(\d+)(?:_([A-Z][a-z]{2}|Ter)(\d+))?(.*)$")
_AA = re.compile(r"^([A-Z][a-z]{2}|Ter|\*)$")
PTEN_RULES = ("truncating", "any_coding")
PTEN_DELETION_CAVEAT = (
    "PTEN deletions belong to the published classifier but are not seen in variant calls"
)


@dataclass(frozen=True)
@schema_defaults("copynumber.driver_mutations")
class DriverMutationSettings:
    """Config ``copynumber.driver_mutations`` (every value UNVERIFIED; see module doc)."""

    min_depth: int = FROM_SCHEMA
    min_alt_reads: int = FROM_SCHEMA
    min_vaf: float = FROM_SCHEMA
    min_covered_bases: int = FROM_SCHEMA
    notch1_hd_residues: tuple[int, ...] = FROM_SCHEMA
    notch1_pest_residues: tuple[int, ...] = FROM_SCHEMA
    fbxw7_codons: tuple[int, ...] = FROM_SCHEMA
    ras_codons: tuple[int, ...] = FROM_SCHEMA
    pten_rule: str = FROM_SCHEMA

    def as_dict(self) -> dict:
        """JSON-ready copy."""
        return asdict(self)


def parse_protein_change(change: str) -> tuple[str, int, int] | None:
    """Classify a 3-letter HGVS protein change (without ``p.``).

    Returns ``(kind, first_residue, last_residue)`` with kind ``missense``,
    ``synonymous``, ``nonsense``, ``frameshift``, ``inframe`` (del/ins/dup/delins),
    ``stop_lost`` or ``other``; ``None`` when not parseable (e.g. ``?``).
    """
    m = _CHANGE.match(change.strip().strip("()"))
    if m is None:
        return None
    ref, start, _ref2, end, rest = m.groups()
    first = int(start)
    last = int(end) if end else first
    if "fs" in rest:
        return "frameshift", first, last
    if rest == "" or rest.startswith("="):
        return "synonymous", first, last
    if re.match(r"^(del|ins|dup)", rest):
        return "inframe", first, last
    if ref == "Ter":
        return "stop_lost", first, last
    if rest.startswith("Ter") or rest.startswith("*"):
        return "nonsense", first, last
    if "ext" in rest:
        return "stop_lost", first, last
    if _AA.match(rest):
        return ("synonymous" if rest == ref else "missense"), first, last
    return "other", first, last


def _rule(gene: str, kind: str, first: int, last: int, s: DriverMutationSettings) -> str | None:
    """The qualifying rule a protein change meets, or ``None``."""
    if kind in ("synonymous", "other"):
        return None

    def inside(rng: tuple[int, ...]) -> bool:
        return len(rng) == 2 and first <= rng[1] and last >= rng[0]

    if gene == "NOTCH1":
        if inside(s.notch1_hd_residues):
            lo, hi = s.notch1_hd_residues
            return f"NOTCH1 HD domain (residues {lo}-{hi}) protein-altering ({kind})"
        if kind in TRUNCATING and inside(s.notch1_pest_residues):
            lo, hi = s.notch1_pest_residues
            return f"NOTCH1 PEST region (residues {lo}-{hi}) truncating ({kind})"
        return None
    if gene == "FBXW7":
        hit = [c for c in s.fbxw7_codons if first <= c <= last]
        return f"FBXW7 WD40 arginine R{hit[0]} ({kind})" if hit else None
    if gene in ("KRAS", "NRAS"):
        hit = [c for c in s.ras_codons if first <= c <= last]
        ok = kind in ("missense", "inframe")
        return f"{gene} codon {hit[0]} ({kind})" if hit and ok else None
    if gene == "PTEN":
        if kind in TRUNCATING:
            return f"PTEN truncating ({kind})"
        return f"PTEN coding ({kind})" if s.pten_rule == "any_coding" else None
    return None


def driver_regions(genes: pd.DataFrame | None) -> dict[str, tuple[str, int, int]]:
    """``gene -> (chrom, start, end)`` from a gene table (symbol index); absent genes left out."""
    if genes is None:
        return {}
    out = {}
    for g in DRIVER_GENES:
        if g in genes.index:
            r = genes.loc[g]
            out[g] = (str(r["chrom"]), int(r["start"]), int(r["end"]))
    return out


def driver_spans(regions: Mapping[str, tuple[str, int, int]]) -> dict[str, list[tuple[int, int]]]:
    """``chrom -> [(start, end)]`` of the gene spans (the variant reader's ``regions``)."""
    out: dict[str, list[tuple[int, int]]] = {}
    for c, lo, hi in regions.values():
        out.setdefault(c, []).append((lo, hi))
    return out


def _covered_bases(
    intervals: Sequence[tuple[str, int, int, int]], region: tuple[str, int, int], min_depth: int
) -> int:
    """Bases of ``region`` inside intervals of depth >= ``min_depth`` (overlaps merged)."""
    c, lo, hi = region
    spans = sorted(
        (max(a, lo), min(b, hi)) for ch, a, b, d in intervals if ch == c and d >= min_depth
    )
    total, cur_a, cur_b = 0, None, None
    for a, b in spans:
        if b < a:
            continue
        if cur_b is None or a > cur_b + 1:
            if cur_b is not None and cur_a is not None:
                total += cur_b - cur_a + 1
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_b is not None and cur_a is not None:
        total += cur_b - cur_a + 1
    return total


def _variant(r: pd.Series) -> str:
    return f"{r['chrom']}:{int(r['pos'])} {r['ref']}>{r['alt']}"


def _shown(r: pd.Series) -> str:
    vaf = r["alt_count"] / max(1, r["ref_count"] + r["alt_count"])
    return f"{_variant(r)} (VAF={vaf:.2f}, DP={int(r['depth'])})"


def _candidates(gene: str, in_span: pd.DataFrame, s: DriverMutationSettings) -> list[dict]:
    """Every annotated change of ``gene`` in the span with its rule and read judgement."""
    out = []
    tag = f"{gene}:p."
    for _, r in in_span.iterrows():
        for entry in str(r["protein"]).split(";"):
            if not entry.startswith(tag):
                continue
            change = entry[len(tag) :]
            parsed = parse_protein_change(change)
            rule = _rule(gene, *parsed, s) if parsed else None
            if rule is None:
                continue
            base = {"variant": _variant(r), "protein": f"p.{change}", "rule": rule}
            judged = judge_support(base, r, how="protein_annotation", s=s)
            if not bool(r["filter_pass"]):
                judged = {**judged, "status": "not_detected", "reason": "FILTER not PASS"}
            out.append(judged)
    return out


def _one_gene(
    gene: str,
    region: tuple[str, int, int] | None,
    sites: pd.DataFrame,
    intervals: Sequence[tuple[str, int, int, int]],
    *,
    annotated: bool,
    build: str,
    s: DriverMutationSettings,
) -> dict:
    if region is None:
        why = f"no {build} coordinates for {gene} in the bundled gene table"
        return {"status": "not_assessable", "reason": why}
    c, lo, hi = region
    rec: dict = {"region": f"{c}:{lo}-{hi}", "build": build}
    in_span = sites[(sites["chrom"] == c) & (sites["pos"] >= lo) & (sites["pos"] <= hi)]
    if not annotated:
        shown = [_shown(r) for _, r in in_span.head(10).iterrows()]
        return {**rec, "status": "not_assessable_without_annotation",
                "reason": "the VCF has no VEP CSQ / SnpEff ANN annotation; no bundled exon or "
                          "codon coordinates for position-only assessment",
                "unannotated_variants_in_span": shown}  # fmt: skip
    cands = _candidates(gene, in_span, s)
    hits = [x for x in cands if x["status"] == "detected"]
    covered = _covered_bases(intervals, region, s.min_depth)
    rec["covered_bases"] = covered
    if hits:
        return {**rec, "status": "mutated", "variants": hits,
                "other_candidates": [x for x in cands if x["status"] != "detected"]}  # fmt: skip
    if covered >= s.min_covered_bases:
        return {**rec, "status": "not_found", "candidates_below_thresholds": cands}
    why = (
        f"the file shows {covered} bases of the {gene} span at >= {s.min_depth} reads "
        f"(< {s.min_covered_bases}); a variants-only VCF cannot show coverage -- give a "
        "gVCF or an all-sites VCF"
    )
    return {**rec, "status": "not_assessable", "reason": why, "candidates_below_thresholds": cands}


def oncogenetic_class(genes: Mapping[str, Mapping]) -> dict:
    """NOTCH1/FBXW7 + RAS/PTEN oncogenetic classifier (explanatory; no protocol uses it).

    ``low`` = N/F mutated and KRAS, NRAS, PTEN all ``not_found``; ``high`` = any of
    KRAS/NRAS/PTEN mutated, or NOTCH1 and FBXW7 both ``not_found``; else
    ``not_assessable`` with the genes that decide it.
    """
    st = {g: genes.get(g, {}).get("status", "not_assessable") for g in DRIVER_GENES}
    nf = [g for g in ("NOTCH1", "FBXW7") if st[g] == "mutated"]
    rp = [g for g in ("KRAS", "NRAS", "PTEN") if st[g] == "mutated"]
    base = {
        "used_by_protocols": [],
        "applies_to": "T-ALL",
        "sources": [
            "Trinquand et al., J Clin Oncol 2013;31:4333 (GRAALL, adult T-ALL; abstract)",
            "Petit et al., Blood 2018;131:289 (FRALLE2000T, paediatric T-ALL; abstract)",
        ],
        "caveats": [PTEN_DELETION_CAVEAT],
    }
    if rp:
        return {**base, "class": "high", "reason": f"RAS/PTEN mutated: {', '.join(rp)}"}
    if nf:
        open_ = [g for g in ("KRAS", "NRAS", "PTEN") if st[g] != "not_found"]
        mut = f"N/F mutated ({', '.join(nf)})"
        if not open_:
            return {**base, "class": "low", "reason": f"{mut}; KRAS, NRAS, PTEN not found"}
        why = f"{mut}; not assessed: {', '.join(open_)}"
        return {**base, "class": "not_assessable", "reason": why}
    if st["NOTCH1"] == "not_found" and st["FBXW7"] == "not_found":
        return {**base, "class": "high", "reason": "NOTCH1 and FBXW7 not found (N/F germline)"}
    open_ = [g for g in ("NOTCH1", "FBXW7") if st[g] != "not_found"]
    return {**base, "class": "not_assessable", "reason": f"not assessed: {', '.join(open_)}"}


def call_driver_mutations(
    sites: pd.DataFrame,
    intervals: Sequence[tuple[str, int, int, int]],
    *,
    regions: Mapping[str, tuple[str, int, int]],
    build: str,
    annotated: bool,
    settings: DriverMutationSettings | None = None,
) -> dict:
    """Status of every driver gene for one sample and the oncogenetic class.

    Parameters
    ----------
    sites
        The sample's variant sites (:data:`allstrat.io.variants.VARIANT_COLUMNS`).
    intervals
        ``(chrom, start, end, depth)`` records / gVCF blocks in the gene spans
        (``VariantCalls.depth_intervals``).
    regions
        ``gene -> (chrom, start, end)`` on ``build`` (:func:`driver_regions`).
    build
        The sample's genome build.
    annotated
        Whether the file carries a VEP ``CSQ`` / SnpEff ``ANN`` annotation.
    settings
        Thresholds and rules.

    Returns
    -------
    dict
        ``{"genes": {gene: {status, ...evidence}}, "oncogenetic_classifier": {...},
        "settings": {...}}``.
    """
    s = settings or DriverMutationSettings()
    if s.pten_rule not in PTEN_RULES:
        raise ValueError(f"pten_rule must be one of {PTEN_RULES}, not {s.pten_rule!r}")
    genes = {
        g: _one_gene(g, regions.get(g), sites, intervals, annotated=annotated, build=build, s=s)
        for g in DRIVER_GENES
    }
    return {"genes": genes, "oncogenetic_classifier": oncogenetic_class(genes),
            "settings": s.as_dict()}  # fmt: skip


def not_assessed(reason: str, settings: DriverMutationSettings | None = None) -> dict:
    """Every gene ``not_assessable`` (e.g. no variants file)."""
    genes = {g: {"status": "not_assessable", "reason": reason} for g in DRIVER_GENES}
    return {"genes": genes, "oncogenetic_classifier": oncogenetic_class(genes),
            "settings": (settings or DriverMutationSettings()).as_dict()}  # fmt: skip


def driver_summary(result: Mapping) -> str:
    """``NOTCH1=mutated(p.Leu1594Pro,VAF=0.41);FBXW7=not_found;...`` for the stage table."""
    parts = []
    for g, r in result["genes"].items():
        st = r["status"]
        if st == "mutated":
            v = r["variants"][0]
            st += f"({v['protein']},VAF={v['vaf']})"
        parts.append(f"{g}={st}")
    return ";".join(parts)
