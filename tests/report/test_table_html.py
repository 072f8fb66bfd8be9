"""table_html writes the bytes the jinja ``table`` macro wrote cell by cell."""

from __future__ import annotations

import jinja2
import markupsafe
from hypothesis import given, settings
from hypothesis import strategies as st

from allstrat.report.html import _env, table_html

#: the ``table`` macro of ``_macros.html.j2`` before table_html replaced its body
_CELL_BY_CELL = (
    "{% macro table(t) -%}\n"
    "{% if t %}<table><thead><tr>{% for h in t[0] %}<th>{{ h }}</th>{% endfor %}</tr></thead>\n"
    "<tbody>{% for row in t[1] %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>"
    "{% endfor %}</tbody></table>\n"
    '{% else %}<p class="muted">none recorded</p>{% endif %}\n'
    "{%- endmacro %}"
)


def _macro():
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    return env.from_string(_CELL_BY_CELL).module.table


MACRO = _macro()
_TEXT = st.text(alphabet=st.sampled_from(list("ab <>&'\"\x00\x01\n—é")), max_size=6)
_CELL = st.one_of(
    _TEXT,
    _TEXT,
    st.integers(-5, 5),
    st.floats(allow_nan=False),
    st.none(),
    st.booleans(),
    _TEXT.map(markupsafe.Markup),
)
_TABLE = st.tuples(
    st.lists(_TEXT, max_size=4),
    st.lists(st.lists(_CELL, max_size=4), max_size=5),
)


@settings(max_examples=500, deadline=None)
@given(t=st.one_of(st.none(), _TABLE, st.tuples(st.lists(_TEXT), st.lists(st.lists(_TEXT)))))
def test_table_html_equals_the_cell_by_cell_macro(t):
    assert str(table_html(t)) == str(MACRO(t))


def test_the_templates_table_macro_is_table_html():
    t = (["rule", "outcome"], [["r1", "<fired>"], ["r2", "a & b"]])
    module = _env().get_template("_macros.html.j2").module
    assert str(module.table(t)) == str(MACRO(t)) == str(table_html(t))
    assert "&lt;fired&gt;" in str(table_html(t))
    assert str(table_html(None)) == '<p class="muted">none recorded</p>'
