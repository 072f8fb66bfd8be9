"""Karyotype-class concordance by blast fraction, RNA dosage alone vs RNA dosage + VCF.

Issue #11 benchmark (b). Simulated RNA-only samples (``allstrat.simulate.rna_cases``: the
cohort simulator with the genome class, blast fraction and doubling fixed) of six cases:
near haploid, low hypodiploid, both doubled (masked hypodiploidy), high hyperdiploid and
diploid controls, at blast fractions 20, 40, 60, 80 and 100 %. Each sample goes through
the workflow's own functions, as ``allstrat copynumber`` runs them for a sample without
DNA copy number:

* **without VCF**: :func:`allstrat.copynumber.call_from_expression` (bundled RNA dosage
  reference) + :func:`~allstrat.copynumber.allele_evidence.add_allele_evidence` with no
  variants;
* **with VCF**: the same, plus the sample's simulated RNA VCF written by the simulator
  (GATK style, bgzipped) and read back by :func:`allstrat.io.variants.read_vcf` (pysam).

The sheet's blast fraction is the true one plus measurement noise (SD 0.05, as in the
demo). A call is concordant when ``karyotype_class`` equals the truth class (for doubled
genomes: the un-doubled class, as DOMAIN.md §5 classifies masked hypodiploidy);
``masked_ok`` counts doubled genomes whose ``masked_hypodiploidy_warning`` is ``yes`` and
undoubled ones where it is not. Nothing here is tuned: the thresholds are the config
defaults (UNVERIFIED; see config/README.md).

    python benchmarks/bench_karyotype_concordance.py [--n 6] [--seed 20261121] [--out FILE.tsv]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from allstrat.classify.hotspots import hotspot_positions
from allstrat.copynumber import CopyNumberSettings, rna_dosage
from allstrat.copynumber.allele_evidence import add_allele_evidence
from allstrat.copynumber.caller import call_from_expression
from allstrat.copynumber.resources import load_chromosomes
from allstrat.io.variants import read_vcf
from allstrat.simulate import variants as sv
from allstrat.simulate.rna_cases import case_context, simulate_case

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import figure, save

CASES = (
    "near_haploid",
    "low_hypodiploid",
    "doubled_near_haploid",
    "doubled_low_hypodiploid",
    "high_hyperdiploid",
    "diploid",
)
FRACTIONS = (0.2, 0.4, 0.6, 0.8, 1.0)


def _call(case, variants, *, reference, settings, chromosomes, bf_sheet: float) -> dict:
    res = call_from_expression(
        case.counts.to_numpy(),
        case.counts.index,
        reference,
        sample_id="S1",
        blast_fraction=bf_sheet,
        settings=settings,
    )
    add_allele_evidence(
        res,
        variants,
        genome_build="GRCh38",
        blast_fraction=bf_sheet,
        allelic_settings=settings.allelic,
        karyotype_settings=settings.karyotype,
        hotspot_settings=settings.hotspots,
        cutoffs=settings.ploidy,
        chromosomes=chromosomes,
    )
    return {
        "class": res.row["karyotype_class"],
        "modal": res.row["modal_chromosome_number"],
        "masked": res.row["masked_hypodiploidy_warning"],
    }


def run(n: int, seed: int) -> pd.DataFrame:
    """One row per (case, blast fraction, replicate) with truth and both calls."""
    ctx = case_context(seed)
    reference = rna_dosage.load_reference()
    if reference is None:
        raise SystemExit("no bundled RNA dosage reference installed")
    settings = CopyNumberSettings()
    chromosomes = load_chromosomes()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for case_name in CASES:
            for f in FRACTIONS:
                for i in range(n):
                    idx = round(f * 100) * 1000 + i
                    c = simulate_case(ctx, case_name, blast_fraction=f, index=idx)
                    noise = np.random.default_rng([seed, 51, idx]).normal(0, 0.05)
                    bf = float(np.clip(f + noise, 0.05, 1.0))
                    path = Path(tmp) / f"{case_name}_{idx}.vcf.gz"
                    sv.write_vcf(path, sv.vcf_text(c.sites, sample="S1", style="gatk"))
                    kw = {
                        "reference": reference,
                        "settings": settings,
                        "chromosomes": chromosomes,
                        "bf_sheet": bf,
                    }
                    t0 = time.process_time()
                    without = _call(c, None, **kw)
                    t1 = time.process_time()
                    vc = read_vcf(path, samples=["S1"], query=hotspot_positions("GRCh38"))["S1"]
                    with_vcf = _call(c, vc, **kw)
                    t2 = time.process_time()
                    rows.append(
                        {
                            "case": case_name,
                            "blast_fraction": f,
                            "replicate": i,
                            "truth_class": c.genome.karyotype_class,
                            "truth_modal": c.genome.modal_number,
                            "truth_masked": c.genome.masked_hypodiploid,
                            "n_vcf_records": len(c.sites),
                            "rna_class": without["class"],
                            "rna_modal": without["modal"],
                            "rna_masked": without["masked"],
                            "vcf_class": with_vcf["class"],
                            "vcf_modal": with_vcf["modal"],
                            "vcf_masked": with_vcf["masked"],
                            "cpu_s_rna": t1 - t0,
                            "cpu_s_vcf": t2 - t1,
                        }
                    )
                print(f"  {case_name} f={f:.1f} done", flush=True)
    return pd.DataFrame(rows)


def summarise(df: pd.DataFrame) -> pd.DataFrame:
    """Concordance (share of samples) per case and blast fraction."""
    df = df.assign(
        rna_ok=df["rna_class"] == df["truth_class"],
        vcf_ok=df["vcf_class"] == df["truth_class"],
        masked_ok=np.where(
            df["truth_masked"], df["vcf_masked"] == "yes", df["vcf_masked"] != "yes"
        ),
    )
    return (
        df.groupby(["case", "blast_fraction"], sort=False)
        .agg(
            n=("rna_ok", "size"),
            without_vcf=("rna_ok", "mean"),
            with_vcf=("vcf_ok", "mean"),
            masked_flag_ok=("masked_ok", "mean"),
            typical_call_without=("rna_class", lambda s: s.mode().iat[0]),
            typical_call_with=("vcf_class", lambda s: s.mode().iat[0]),
        )
        .reset_index()
    )


def main() -> None:
    """Simulate, call, print the concordance table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=6, help="samples per case and blast fraction")
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--out", type=Path, help="also write the per-sample table (TSV)")
    args = ap.parse_args()
    t0, c0 = time.perf_counter(), time.process_time()
    df = run(args.n, args.seed)
    table = summarise(df)
    pd.set_option("display.width", 160)
    print(table.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    overall = table.groupby("case", sort=False)[["without_vcf", "with_vcf"]].mean()
    print("\nmean over blast fractions:")
    print(overall.to_string(float_format=lambda x: f"{x:.2f}"))
    print(
        f"\nrecords per VCF (median): {df['n_vcf_records'].median():.0f}; "
        f"CPU per sample: dosage {df['cpu_s_rna'].median():.2f} s, "
        f"dosage + VCF read + allele evidence {df['cpu_s_vcf'].median():.2f} s; "
        f"total wall {time.perf_counter() - t0:.0f} s, CPU {time.process_time() - c0:.0f} s, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    results: dict = {}
    for r in table.itertuples(index=False):
        tag = f"{r.case}.f{round(r.blast_fraction * 100):03d}"
        for kind, v in (("without_vcf", r.without_vcf), ("with_vcf", r.with_vcf)):
            results[f"concordance_{kind}.{tag}"] = {"value": float(v), "unit": "share"}
    for case, r in overall.iterrows():
        figure(results, f"mean_concordance_with_vcf.{case}", float(r["with_vcf"]), "share")
    save(results, "karyotype_concordance")
    if args.out:
        df.to_csv(args.out, sep="\t", index=False)


if __name__ == "__main__":
    main()
