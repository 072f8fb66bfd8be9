"""Purity sweep: copy-number call concordance vs simulated truth by blast fraction.

One synthetic cohort (``allstrat.simulate``, uniform subtype balance so that rare
lesions and ploidy classes occur) is observed again at each blast fraction 20–100 %:
array-like segments (with BAF) and MLPA P335-like probe ratios, with the simulator's
noise model. Each observation is called with ``allstrat.copynumber`` — segments with the
blast fraction known (as on the sample sheet) and unknown (purity fitted / assumed),
MLPA with the purity-adjusted and with the fixed 0.75 / 0.25 cut-offs — and compared with
the truth table.

Metrics per blast fraction (share of samples where the call equals the truth):
``del_<gene>`` deletion present/absent (deleted or homozygous vs anything else) per
lesion gene; ``cdkn2a_hom`` homozygous CDKN2A; ``ikzf1_type`` among truly IKZF1-deleted
samples; ``ikzf1plus``; ``karyotype`` class; ``modal`` exact modal number. Sensitivity of
deletion calls (over truly deleted gene instances) is printed separately.

    python benchmarks/bench_copynumber_purity.py [--n 150] [--seed 7] [--out FILE.tsv]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.contracts import LESION_GENES
from allstrat.copynumber import CopyNumberSettings, call_from_mlpa, call_from_segments
from allstrat.copynumber.mlpa import MlpaThresholds
from allstrat.copynumber.resources import load_chromosomes, load_lesion_exons
from allstrat.io.gene_table import load_gene_table
from allstrat.simulate.cohort import simulate_cohort
from allstrat.simulate.copynumber import (
    SEGMENT_COLUMNS,
    mlpa_probes,
    observe_mlpa,
    observe_segments,
)

FRACTIONS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
DELETED = {"deleted", "homozygous_deleted"}


def _is_del(x: str) -> bool:
    return x in DELETED


def score(calls: pd.DataFrame, truth: pd.DataFrame, *, dna_ploidy: bool) -> dict[str, float]:
    """Concordance metrics of one run (rows aligned on sample_id)."""
    t = truth.set_index("sample_id").loc[calls["sample_id"]]
    c = calls.set_index("sample_id")
    out: dict[str, float] = {}
    for g in LESION_GENES:
        col = f"{g.lower()}_status"
        assessed = c[col] != "not_assessable"
        if assessed.sum() == 0:
            continue
        out[f"del_{g}"] = float(
            (c.loc[assessed, col].map(_is_del) == t.loc[assessed, col].map(_is_del)).mean()
        )
    truly = [
        (s, g) for s in t.index for g in LESION_GENES if _is_del(t.loc[s, f"{g.lower()}_status"])
    ]
    found = [
        _is_del(c.loc[s, f"{g.lower()}_status"])
        for s, g in truly
        if c.loc[s, f"{g.lower()}_status"] != "not_assessable"
    ]
    out["del_sensitivity"] = float(np.mean(found)) if found else float("nan")
    calls_del = [
        (s, g) for s in c.index for g in LESION_GENES if _is_del(c.loc[s, f"{g.lower()}_status"])
    ]
    out["del_precision"] = (
        float(np.mean([_is_del(t.loc[s, f"{g.lower()}_status"]) for s, g in calls_del]))
        if calls_del
        else float("nan")
    )
    hom = t["cdkn2a_status"] == "homozygous_deleted"
    out["cdkn2a_hom"] = float(((c["cdkn2a_status"] == "homozygous_deleted") == hom).mean())
    ik = t["ikzf1_status"].map(_is_del)
    if ik.any():
        out["ikzf1_type"] = float(
            (c.loc[ik, "ikzf1_deletion_type"] == t.loc[ik, "ikzf1_deletion_type"]).mean()
        )
    known = c["ikzf1plus"] != "not_assessable"
    out["ikzf1plus_assessable"] = float(known.mean())
    if known.any():
        out["ikzf1plus"] = float((c.loc[known, "ikzf1plus"] == t.loc[known, "ikzf1plus"]).mean())
    if dna_ploidy:
        out["karyotype"] = float((c["karyotype_class"] == t["karyotype_class"]).mean())
        out["modal"] = float((c["modal_chromosome_number"] == t["modal_number"].astype(str)).mean())
        out["iamp21"] = float((c["iamp21"] == t["iamp21"]).mean())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=150)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default="benchmarks/out/cn_purity.tsv")
    args = ap.parse_args()
    t0 = time.perf_counter()
    cohort = simulate_cohort(args.n, args.seed, subtype_balance="uniform", with_expression=False)
    genes = load_gene_table().table
    chroms = load_chromosomes()
    exons = load_lesion_exons()
    truth = cohort.truth
    probes = mlpa_probes(genes, with_erg=True)
    fixed = CopyNumberSettings(mlpa=MlpaThresholds(mode="fixed"))
    print(f"cohort: {args.n} samples, seed {args.seed}, {time.perf_counter() - t0:.1f} s")
    results = []
    n_calls = 0
    t_call = 0.0
    for f in FRACTIONS:
        rng = np.random.default_rng(args.seed * 1000 + int(f * 100))
        runs: dict[str, list[dict]] = {
            "seg_known": [],
            "seg_unknown": [],
            "mlpa_adj": [],
            "mlpa_fixed": [],
        }
        for sid in truth["sample_id"]:
            g = cohort.genomes[sid]
            seg = pd.DataFrame(
                observe_segments(g, blast_fraction=f, rng=rng), columns=list(SEGMENT_COLUMNS)
            )
            seg.insert(0, "sample_id", sid)
            ml = probes.copy()
            ml["ratio"] = observe_mlpa(g, blast_fraction=f, probes=probes, rng=rng)
            ml["sample_id"] = sid
            t1 = time.perf_counter()
            for key, bf in (("seg_known", f), ("seg_unknown", None)):
                r = call_from_segments(
                    seg,
                    sample_id=sid,
                    genes=genes,
                    chromosomes=chroms,
                    exons=exons,
                    blast_fraction=bf,
                )
                runs[key].append(r.row)
            t_call += time.perf_counter() - t1
            n_calls += 2
            runs["mlpa_adj"].append(
                call_from_mlpa(ml, sample_id=sid, genes=genes, blast_fraction=f).row
            )
            runs["mlpa_fixed"].append(
                call_from_mlpa(ml, sample_id=sid, genes=genes, blast_fraction=f, settings=fixed).row
            )
        for key, rows in runs.items():
            m = score(pd.DataFrame(rows), truth, dna_ploidy=key.startswith("seg"))
            results.append({"blast_fraction": f, "input": key, **m})
        print(f"blast fraction {f:.1f} done ({time.perf_counter() - t0:.0f} s)", flush=True)
    table = pd.DataFrame(results)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, sep="\t", index=False, float_format="%.3f")
    cols = [
        "blast_fraction",
        "input",
        "del_sensitivity",
        "del_precision",
        "cdkn2a_hom",
        "ikzf1_type",
        "ikzf1plus",
        "ikzf1plus_assessable",
        "karyotype",
        "modal",
        "iamp21",
    ]
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(
            table[[c for c in cols if c in table.columns]].to_string(
                index=False, float_format="%.3f"
            )
        )
    print(
        f"segment calling: {1000 * t_call / n_calls:.1f} ms per sample "
        f"({n_calls} calls); total {time.perf_counter() - t0:.1f} s; table -> {args.out}"
    )


if __name__ == "__main__":
    main()
