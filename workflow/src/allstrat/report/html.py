"""Self-contained HTML rendering (jinja2) of per-sample and cohort reports.

Templates live in ``allstrat/report/templates``; the CSS is inlined, per-sample figures
are inline SVG and cohort figures data URIs, and a Content-Security-Policy forbids any
fetch, so a report opens offline and can be archived or mailed as one file.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from typing import Any

import jinja2
import markupsafe

from allstrat.report.allelic import allelic_view
from allstrat.report.evidence import (
    GENE_LIST_KEYS,
    as_table,
    marker_genes,
    scalar_text,
    structured_tables,
)
from allstrat.report.figures import SampleFigures, subtype_colour

__all__ = ["render_cohort_html", "render_sample_html", "table_html"]


@functools.cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("allstrat.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["colour"] = subtype_colour
    env.globals["fmt"] = scalar_text
    env.globals["table_html"] = table_html
    return env


_NONE_RECORDED = markupsafe.Markup('<p class="muted">none recorded</p>')


def table_html(t: tuple[Sequence[Any], Iterable[Sequence[Any]]] | None) -> markupsafe.Markup:
    """A ``(header, rows)`` table as HTML, as the ``table`` macro of ``_macros.html.j2``
    wrote it cell by cell (the same bytes; a test compares both), without a template call
    and an escape call per cell: the reports draw thousands of cells per sample
    (decision traces, segments).
    """
    if not t:
        return _NONE_RECORDED
    head = _rows_html([list(t[0])], "th")
    body = _rows_html(list(t[1]), "td")
    return markupsafe.Markup(
        "<table><thead>" + head + "</thead>\n<tbody>" + body + "</tbody></table>\n"
    )


def _rows_html(rows: list[Sequence[Any]], tag: str) -> str:
    """``<tr><td>cell</td>...</tr>`` per row, cells escaped as jinja's autoescape does."""
    if not rows:
        return ""
    cell = f"</{tag}><{tag}>"
    n_cells = sum(map(len, rows))
    if all(rows) and set(map(type, itertools.chain.from_iterable(rows))) == {str}:
        # plain-text cells: join with separators that escaping leaves alone and never
        # occur in them (checked by count), escape once, then turn them into tags
        flat = "\x00".join(["\x01".join(r) for r in rows])
        if flat.count("\x00") == len(rows) - 1 and flat.count("\x01") == n_cells - len(rows):
            text = str(markupsafe.escape(flat))
            text = text.replace("\x01", cell).replace("\x00", f"</{tag}></tr><tr><{tag}>")
            return f"<tr><{tag}>" + text + f"</{tag}></tr>"
    esc = markupsafe.escape
    return "".join(
        [f"<tr><{tag}>" + cell.join(map(esc, r)) + f"</{tag}></tr>" if r else "<tr></tr>"
         for r in rows]
    )  # fmt: skip


@functools.cache
def _css() -> markupsafe.Markup:
    """The bundled style sheet, marked safe: autoescaping turned its ``>`` selectors into
    ``&gt;``, so the browser dropped those rules (the probability bars drew empty).
    """
    text = (resources.files("allstrat.report") / "templates" / "_style.css").read_text("utf-8")
    return markupsafe.Markup(text)


def _marker_rows(genes: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]] | None:
    if not genes:
        return None
    groups: list[str] = []
    extra: list[str] = []
    for g in genes:
        groups += [k for k in g["reference"] if k not in groups]
        extra += [k for k in g["extra"] if k not in extra]
    header = ["gene", "sample value", *(f"{k} median [IQR]" for k in groups), *extra]
    rows = []
    for g in genes:
        row = [g["gene"], scalar_text(g["value"], digits=3)]
        for k in groups:
            st = g["reference"].get(k)
            row.append("—" if st is None else f"{st[2]:.3g} [{st[1]:.3g}–{st[3]:.3g}]")
        row += [scalar_text(g["extra"].get(k), digits=3) for k in extra]
        rows.append(row)
    return header, rows


_TRACE_ORDER = ("rules", "facts", "derived", "annotations", "settings")


def _cut(
    tables: list[tuple[str, tuple[list[str], list[list[str]]]]], max_rows: int
) -> list[tuple[str, tuple[list[str], list[list[str]]]]]:
    out = []
    for title, (header, rows) in tables:
        if len(rows) > max_rows:
            title += f" (first {max_rows} of {len(rows)}; all are in the JSON)"
            rows = rows[:max_rows]
        out.append((title, (header, rows)))
    return out


def render_sample_html(
    record: Mapping[str, Any], *, figures: SampleFigures, max_table_rows: int = 200
) -> str:
    """Render one sample's self-contained HTML report.

    Parameters
    ----------
    record
        A validated result record (:func:`allstrat.report.assemble.assemble_records`).
    figures
        The chunk's reusable figure set.
    max_table_rows
        Evidence tables (e.g. segments) longer than this are cut in the HTML (the JSON
        keeps every row).

    Returns
    -------
    str
        The HTML document.
    """
    s = record["subtype"]
    cn = record["copy_number"]
    explanation = s.get("evidence") or {}
    genes = marker_genes(explanation)
    sid = record["sample_id"]
    marker_fig = figures.markers(
        genes,
        called=s["call"],
        label=f"marker genes of {sid} against the reference distribution per subtype",
    )
    gene_key = next((k for k in GENE_LIST_KEYS if k in explanation), None)
    explain_other = structured_tables(
        explanation, first=("decided_by", "decision"), skip=(gene_key,) if gene_key else ()
    )
    if gene_key is not None:
        other = [
            it
            for it in explanation[gene_key]
            if isinstance(it, Mapping) and it.get("kind", "gene") != "gene"
        ]
        t = as_table(other)
        if t is not None:
            explain_other.append(("non-gene features among the top contributors", t))
    cn_ev = cn.get("evidence") or {}
    cn_fig = figures.copy_number(
        cn_ev,
        label=f"genome-wide copy number of {sid} with zooms on "
        + ", ".join(r.name.split(" (")[0] for r in figures.zoom_regions),
    )
    cn_tables = _cut(structured_tables(cn_ev, first=("calls", "ploidy")), max_table_rows)
    traces = {
        x["protocol"]: _cut(structured_tables(x.get("trace"), first=_TRACE_ORDER), max_table_rows)
        for x in record["risk"]
        if x.get("trace") is not None
    }
    probs = sorted(s["probabilities"].items(), key=lambda kv: (-kv[1], kv[0]))
    pgx = structured_tables(record.get("pharmacogenetics"))
    return (
        _env()
        .get_template("sample.html.j2")
        .render(
            r=record,
            s=s,
            cn=cn,
            css=_css(),
            probs=probs,
            marker_fig=marker_fig,
            marker_rows=_marker_rows(genes),
            explain_other=explain_other,
            cn_fig=cn_fig,
            cn_tables=cn_tables,
            traces=traces,
            pgx=pgx,
            allelic=allelic_view(cn.get("allelic")),
        )
    )


def render_cohort_html(**context: Any) -> str:
    """Render the cohort report (``cohort.html.j2``) with the given context.

    See :func:`allstrat.report.cohort.write_cohort_report` for the context keys.
    """
    return _env().get_template("cohort.html.j2").render(css=_css(), **context)
