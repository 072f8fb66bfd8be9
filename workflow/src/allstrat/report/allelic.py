"""Allele-fraction (BAF) / LOH part of the per-sample result and report.

:func:`allelic_record` condenses the copy-number stage's allele evidence (RNA variant
calls summarised by :mod:`allstrat.copynumber.allelic`) into the ``copy_number.allelic``
field of the per-sample JSON (``workflow/schemas/sample_result.schema.yaml``).
:func:`allelic_view` turns that field into the report's table rows, each with a small
inline SVG of the chromosome's mirrored-BAF histogram (bins of 0.05 from 0 to 0.5;
dashed guides at 1/3 — a trisomy 1:2 at full blast fraction — and 1/2 — heterozygous).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from allstrat.report.svg import coord, esc

__all__ = ["STATE_COLOUR", "allelic_record", "allelic_view", "baf_histogram_svg"]

#: Colour of each allelic state in the report (table cell and histogram bars).
STATE_COLOUR = {
    "heterozygous": "#2b5c9e",
    "LOH": "#b2182b",
    "imbalanced": "#d6604d",
    "not_assessable": "#9e9e9e",
}
_CHROM_FIELDS = ("n_sites", "n_het_sites", "het_fraction", "median_mirrored_baf", "class",
                 "allelic_ratio", "mirrored_baf_histogram")  # fmt: skip


def _chrom_order(c: str) -> tuple[int, str]:
    tail = c[3:] if c.startswith("chr") else c
    return (int(tail), "") if tail.isdigit() else (100, tail)


def allelic_record(row: Mapping[str, Any] | None, evidence: Any) -> dict[str, Any]:
    """The ``copy_number.allelic`` field of a sample's result record.

    Parameters
    ----------
    row
        The sample's copy-number table row (``allelic_evidence``, ``loh_chromosomes``,
        ``hotspot_mutations``), or None when the copy-number stage has no row.
    evidence
        The sample's copy-number evidence (its ``allelic`` entry is used).

    Returns
    -------
    dict
        ``status`` (``assessed`` / ``not_assessable`` / ``not_given``), ``reason``,
        ``loh_chromosomes``, ``hotspot_mutations``, ``source`` (file, caller, build),
        ``build_check`` and ``chromosomes`` {chrom: sites, het sites, median BAF, state}.
    """
    ev = evidence.get("allelic") if isinstance(evidence, Mapping) else None
    ev = ev if isinstance(ev, Mapping) else {}
    status = str((row or {}).get("allelic_evidence") or ev.get("status") or "not_given")
    loh = str((row or {}).get("loh_chromosomes") or "")
    out: dict[str, Any] = {
        "status": status,
        "reason": str(ev.get("reason") or ""),
        "loh_chromosomes": [x for x in loh.split(";") if x],
        "hotspot_mutations": str((row or {}).get("hotspot_mutations") or ""),
    }
    src = ev.get("input")
    if isinstance(src, Mapping):
        out["source"] = {k: src.get(k) for k in ("file", "caller", "genome_build", "vcf_sample")}
    chk = ev.get("build_check")
    if isinstance(chk, Mapping):
        out["build_check"] = {k: chk.get(k) for k in ("status", "message", "in_gene_fraction")}
    if ev.get("blast_fraction_used") is not None:
        out["blast_fraction_used"] = ev["blast_fraction_used"]
        out["blast_fraction_source"] = ev.get("blast_fraction_source", "")
    chroms = ev.get("chromosomes")
    if isinstance(chroms, Mapping):
        out["chromosomes"] = {
            c: {
                **{k: v.get(k) for k in _CHROM_FIELDS if k != "class"},
                "state": v.get("class", "not_assessable"),
            }
            for c, v in sorted(chroms.items(), key=lambda kv: _chrom_order(kv[0]))
            if isinstance(v, Mapping)
        }
    return out


def baf_histogram_svg(counts: list[int] | None, *, state: str, chrom: str) -> Markup | None:
    """A 120 x 30 px histogram of one chromosome's mirrored BAF (None without counts)."""
    if not counts or sum(counts) == 0:
        return None
    w, h, top, n = 120.0, 30.0, 2.0, len(counts)
    bw = w / n
    peak = max(counts)
    colour = STATE_COLOUR.get(state, STATE_COLOUR["not_assessable"])
    bars = "".join(
        f'<rect x="{coord(i * bw + 0.5)}" y="{coord(h - (h - top) * c / peak)}" '
        f'width="{coord(bw - 1)}" height="{coord((h - top) * c / peak)}"/>'
        for i, c in enumerate(counts)
        if c
    )
    guides = "".join(
        f'<path d="M{coord(w * x / 0.5)} 0V{coord(h)}" stroke="#737373" stroke-width="0.6" '
        'stroke-dasharray="2 2"/>'
        for x in (1 / 3, 0.5 - 1e-9)
    )
    label = f"{chrom}: mirrored BAF histogram of {sum(counts)} sites, 0 to 0.5 ({state})"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="baf" viewBox="0 0 {coord(w)} '
        f'{coord(h)}" width="{coord(w)}" height="{coord(h)}" role="img" '
        f'aria-label="{esc(label)}"><title>{esc(label)}</title>'
        f'<path d="M0 {coord(h - 0.3)}H{coord(w)}" stroke="#1a1a1a" stroke-width="0.6"/>'
        f'<g fill="{colour}">{bars}</g>{guides}</svg>'
    )


def allelic_view(section: Mapping[str, Any] | None) -> dict[str, Any]:
    """Template context of the report's allele section from ``copy_number.allelic``."""
    al = dict(section or {"status": "not_given"})
    rows = []
    chroms = al.get("chromosomes") or {}
    for c, v in sorted(chroms.items(), key=lambda kv: _chrom_order(kv[0])):
        med = v.get("median_mirrored_baf")
        rows.append(
            {
                "chrom": c,
                "n_sites": v.get("n_sites"),
                "n_het_sites": v.get("n_het_sites"),
                "median": "—" if med is None else f"{med:.3f}",
                "state": v.get("state", "not_assessable"),
                "ratio": v.get("allelic_ratio") or "",
                "colour": STATE_COLOUR.get(v.get("state", ""), STATE_COLOUR["not_assessable"]),
                "svg": baf_histogram_svg(
                    v.get("mirrored_baf_histogram"), state=v.get("state", ""), chrom=c
                ),
            }
        )
    al["rows"] = rows
    return al
