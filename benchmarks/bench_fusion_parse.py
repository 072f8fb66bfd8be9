"""CPU per sample of reading fusion-caller files as the classify verb does.

For every caller format (the test fixtures' real headers: Arriba, STAR-Fusion,
FusionCatcher, CICERO, JAFFA) a file with the fixture's rows (a few) and one with
``--rows`` rows (the fixture's rows repeated; real files can list hundreds of candidates)
are read through :func:`allstrat.io.fusions.read_sample_fusions` (parse, checks, gene
names, build check, merge) for ``--samples`` sheet rows each, and the CPU time per sample
(process time) is printed. Run it with ``PYTHONPATH`` of another tree to compare.

Usage: ``python benchmarks/bench_fusion_parse.py [--samples 300] [--rows 500]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import figure, save

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "formats" / "fusions"
FILES = {
    "arriba": ("PT201", "PT201.arriba.fusions.tsv"),
    "starfusion": ("PT203", "PT203.star-fusion.fusion_predictions.abridged.tsv"),
    "fusioncatcher": ("PT204", "PT204/final-list_candidate-fusion-genes.txt"),
    "cicero": ("PT206", "PT206.cicero.final_fusions.txt"),
    "jaffa": ("PT207", "jaffa_results.csv"),
}


def _file(work: Path, fmt: str, rows: int | None) -> tuple[str, Path]:
    """The fixture of ``fmt`` with its rows repeated to ``rows`` (None: as is)."""
    sid, name = FILES[fmt]
    lines = (DATA / name).read_text().splitlines()
    body = [ln for ln in lines[1:] if ln.strip() and (fmt != "jaffa" or f'"{sid}"' in ln)]
    if rows is not None:
        body = (body * (rows // len(body) + 1))[:rows]
    p = work / f"{fmt}_{rows or 'fixture'}" / Path(name).name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text("\n".join([lines[0], *body]) + "\n")
    return sid, p


def main() -> None:
    from allstrat.io.fusions import read_sample_fusions

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=300, help="sheet rows per file")
    ap.add_argument("--rows", type=int, default=500, help="rows of the large files")
    args = ap.parse_args()
    res: dict = {}
    with tempfile.TemporaryDirectory(prefix="allstrat-bench-fusions-") as d:
        for fmt in FILES:
            for rows in (None, args.rows):
                sid, p = _file(Path(d), fmt, rows)
                sheet = pd.DataFrame(
                    {"fusions": str(p), "fusions_format": fmt, "genome_build": "GRCh38"},
                    index=pd.Index([sid] * args.samples, name="sample_id"),
                )
                read_sample_fusions(sheet.head(1))  # gene table loaded, caches warm
                t0 = time.process_time()
                read_sample_fusions(sheet)
                ms = 1000 * (time.process_time() - t0) / args.samples
                n = sum(1 for _ in p.open()) - 1
                figure(res, f"{fmt}_{'large' if rows else 'fixture'}_cpu_per_sample", ms, "ms",
                       f"{n} rows")  # fmt: skip
    save(res, "fusion_parse")


if __name__ == "__main__":
    main()
