"""Reports and machine-readable outputs (the only module that imports matplotlib/jinja2).

Reports never compute calls: they gather what the classify, copy-number and risk stages
wrote (:mod:`allstrat.report.assemble`), draw it (:mod:`allstrat.report.figures`) and
render it (:mod:`allstrat.report.html`).
"""

from __future__ import annotations

__all__: list[str] = []
