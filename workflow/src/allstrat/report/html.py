"""Self-contained HTML rendering (jinja2) of per-sample and cohort reports.

Templates live in ``allstrat/report/templates``; the CSS is inlined and every figure is a
data URI, and a Content-Security-Policy forbids any fetch, so a report opens offline and
can be archived or mailed as one file.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any

import jinja2

from allstrat.report.evidence import as_table, marker_genes, scalar_text
from allstrat.report.figures import SampleFigures, subtype_colour

__all__ = ["render_cohort_html", "render_sample_html"]


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
    return env


@functools.cache
def _css() -> str:
    return (resources.files("allstrat.report") / "templates" / "_style.css").read_text("utf-8")


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


_MARKER_KEYS = ("top_genes", "marker_genes", "markers", "genes")


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
    marker_fig = figures.markers(genes, called=s["call"])
    explain_other = (
        as_table({k: v for k, v in explanation.items() if k not in _MARKER_KEYS})
        if explanation
        else None
    )
    if explain_other is not None and not explain_other[1]:
        explain_other = None
    cn_ev = cn.get("evidence") or {}
    cn_fig = figures.copy_number(cn_ev)
    cn_tables = []
    for key, value in cn_ev.items():
        t = as_table(value)
        if t is not None and t[1]:
            title = key.replace("_", " ")
            if len(t[1]) > max_table_rows:
                title += f" (first {max_table_rows} of {len(t[1])}; all are in the JSON)"
                t = (t[0], t[1][:max_table_rows])
            cn_tables.append((title, t))
    traces = {x["protocol"]: as_table(x.get("trace")) for x in record["risk"]}
    probs = sorted(s["probabilities"].items(), key=lambda kv: (-kv[1], kv[0]))
    pgx = as_table(record.get("pharmacogenetics")) if "pharmacogenetics" in record else None
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
        )
    )


def render_cohort_html(**context: Any) -> str:
    """Render the cohort report (``cohort.html.j2``) with the given context.

    See :func:`allstrat.report.cohort.write_cohort_report` for the context keys.
    """
    return _env().get_template("cohort.html.j2").render(css=_css(), **context)
