"""CPU per sample of ``allstrat copynumber`` on one large chunk: without / fresh / full memo.

The workflow passes ``--memo`` by default (``batching.memo``), so a fresh run pays for the
memo digests and the memo write on top of the calls, and a rerun with nothing changed pays
for the digests and the reading of the memo. This script times, as fresh processes on the
cohort layout (one SEG file for all samples, expression for the RNA-dosage fallback):

* ``nomemo``: no ``--memo``;
* ``memo_fresh``: ``--memo`` with no memo file (every sample computed, memo written);
* ``memo_full``: ``--memo`` with the memo of the previous run (every sample reused).

``--segments-per-sample K`` also runs every case on a copy of the SEG file whose segments
are split into equal pieces (same log2) to about K segments per sample: real SEG files
(CNVkit) have hundreds of segments per sample, the simulator a few dozen, so the cost per
segment shows. Figures: CPU (user + sys) per sample in ms for each case, with
``--before-src DIR`` (another checkout's ``workflow/src``, from a whole-tree
``git archive``) measured on the same inputs first. The expression chunk and classify
table are made once, untimed, with the current code (as ``bench_chunk_verbs.py``).

Usage: ``python benchmarks/bench_copynumber_chunk.py [--n 2500] [--cohort DIR]
[--segments-per-sample 300] [--before-src DIR] [--repeat 2]``.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import figure, save
from bench_chunk_verbs import _allstrat, _commands, chunk_inputs, setup


def split_segments(cohort: Path, work: Path, per_sample: int) -> Path:
    """A copy of the cohort's sample sheet whose SEG file has ~``per_sample`` segments each.

    Every segment is cut into equal pieces (same log2, probes shared out), so the calls
    stay those of the original segments while the segment count grows.
    """
    sheet = cohort / "samples.tsv"
    with sheet.open() as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    seg_files = sorted({r["copy_number"] for r in rows if r.get("copy_number")})
    out_dir = work / f"seg{per_sample}"
    out_dir.mkdir(exist_ok=True)
    renamed = {}
    for i, src in enumerate(seg_files):
        dest = out_dir / f"segments_{i}.seg"
        renamed[src] = str(dest)
        with open(src) as fh:
            lines = fh.read().splitlines()
        header, body = lines[0], [ln.split("\t") for ln in lines[1:] if ln]
        n_samples = max(len({b[0] for b in body}), 1)
        pieces = max(1, math.ceil(per_sample * n_samples / max(len(body), 1)))
        out = [header]
        for sid, chrom, start, end, marks, mean in body:
            a, b, m = int(start), int(end), int(marks)
            k = max(1, min(pieces, (b - a + 1) // 1000))
            edges = [a + (b - a + 1) * j // k for j in range(k + 1)]
            for j in range(k):
                lo, hi = edges[j], edges[j + 1] - 1 if j + 1 < k else b
                out.append("\t".join((sid, chrom, str(lo), str(hi), str(max(m // k, 1)), mean)))
        dest.write_text("\n".join(out) + "\n")
    new_sheet = out_dir / "samples.tsv"
    with new_sheet.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({**r, "copy_number": renamed.get(r["copy_number"], r["copy_number"])})
    return new_sheet


def measure(res: dict, cmd: list[str], *, label: str, src: str | None, n: int, repeat: int):
    """Time the three memo cases of one copynumber command."""
    memo = Path(tempfile.mkdtemp(prefix="cn-memo-")) / "memo.json"
    cases = {"nomemo": cmd, "memo_fresh": [*cmd, f"--memo={memo}"]}
    cases["memo_full"] = cases["memo_fresh"]
    for case, args in cases.items():
        cpus = []
        for _ in range(repeat):
            if case == "memo_fresh":
                memo.unlink(missing_ok=True)
            cpus.append(_allstrat(args, src)[1])
        cpu = statistics.median(cpus)
        note = f"load {os.getloadavg()[0]:.1f}, runs " + ", ".join(f"{c:.1f}" for c in cpus)
        figure(res, f"{label}_{case}_cpu_per_sample", 1000 * cpu / n, "ms", note)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2500, help="samples to simulate (one chunk)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--cohort", help="reuse (or write) the simulated cohort here")
    ap.add_argument("--segments-per-sample", type=int, default=0, help="0: as simulated only")
    ap.add_argument("--before-src", help="another checkout's workflow/src to compare with")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    res: dict = {}
    with tempfile.TemporaryDirectory(prefix="allstrat-bench-cn-") as d:
        work = Path(d)
        cohort = chunk_inputs(args, work)
        setup(cohort, work, ["copynumber"])
        n = sum(1 for _ in (cohort / "samples.tsv").open()) - 1
        cmd = _commands(cohort, work)["copynumber"]
        sheets = {"": cohort / "samples.tsv"}
        if args.segments_per_sample:
            sheets[f"seg{args.segments_per_sample}_"] = split_segments(
                cohort, work, args.segments_per_sample
            )
        for prefix, sheet in sheets.items():
            c = [str(sheet) if a == str(cohort / "samples.tsv") else a for a in cmd]
            for label, src in (("before", args.before_src), ("now", None)):
                if label == "now" or src:
                    measure(res, c, label=prefix + label, src=src, n=n, repeat=args.repeat)
    save(res, "copynumber_chunk")


if __name__ == "__main__":
    main()
