"""Figures render to the same bytes in every process (reruns give byte-identical reports)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from allstrat.report.figures import figure_data_uri
fig, ax = plt.subplots()
ax.scatter([1, 2, 3], [3, 1, 2])
ax.set_xlim(0, 4)  # clipped artists get clip-path ids
print(figure_data_uri(fig))
"""


def test_svg_figures_are_the_same_bytes_in_two_processes() -> None:
    runs = [
        subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert runs[0].stdout.startswith("data:image/svg+xml;base64,")
    assert runs[0].stdout == runs[1].stdout
