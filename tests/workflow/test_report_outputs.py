"""The chunk report rules list their render-key file first among their outputs.

The default target asks for each chunk's render-key file; Snakemake finds the producing
rule by matching the requested file against the rule's outputs in order, compiling one
regular expression per output. Listed after the chunk's 2 x 2,500 per-sample reports, that
cost 20,000 compilations per 10,000-sample DAG (benchmarks/bench_dag.py prints the DAG time).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_render_keys_are_the_first_output_of_the_chunk_report_rule() -> None:
    text = (ROOT / "workflow/rules/report.smk").read_text()
    rule = text[text.index('name:\n            f"write_sample_reports_{_chunk}"') :]
    output = rule[rule.index("output:") : rule.index("log:")]
    names = re.findall(r"^\s{12}(\w+)=", output, flags=re.MULTILINE)
    assert names[0] == "render_keys", names
    assert {"json", "html"} <= set(names[1:])
