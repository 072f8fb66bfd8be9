"""Build resources/copynumber/rna_dosage_reference.tsv (RNA-derived chromosome dosage).

The reference is the per-gene mean / SD of log2(CPM + 1) over **simulated diploid**
samples (``allstrat.simulate``, seeded; samples whose truth has no whole-chromosome gain
or loss). It is a stand-in so the RNA fallback runs end to end on the demo data; for real
use refit it with ``allstrat.copynumber.rna_dosage.fit_reference`` on diploid samples of
your own assay (e.g. ETV6::RUNX1-negative, karyotypically normal cases).

    python workflow/scripts/build_rna_dosage_reference.py [--n 240] [--seed 20261121]
"""

from __future__ import annotations

import argparse
import hashlib

from allstrat.copynumber.rna_dosage import RNA_REFERENCE, fit_reference
from allstrat.io.gene_table import load_gene_table
from allstrat.io.output import write_text
from allstrat.paths import resources_dir
from allstrat.simulate.cohort import simulate_cohort


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=240)
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--min-mean-log-cpm", type=float, default=3.0)
    args = ap.parse_args()
    cohort = simulate_cohort(args.n, args.seed, sample_prefix="REF")
    t = cohort.truth
    diploid = t[
        (t["chromosome_gains"] == "") & (t["chromosome_losses"] == "") & (t["modal_number"] == 46)
    ]["sample_id"]
    counts = cohort.counts[list(diploid)]
    genes = load_gene_table().table
    symbols = [s for s in counts.index if s in genes.index]
    ref = fit_reference(
        counts.loc[symbols].to_numpy().T,
        symbols,
        genes.loc[symbols, "chrom"],
        min_mean_log_cpm=args.min_mean_log_cpm,
    )
    header = (
        f"# RNA dosage reference: mean/SD of log2(CPM+1) over {len(diploid)} simulated diploid "
        f"samples (allstrat.simulate, n={args.n}, seed={args.seed}); genes with mean >= "
        f"{args.min_mean_log_cpm}. Built by workflow/scripts/build_rna_dosage_reference.py. "
        "Synthetic stand-in: refit on real diploid samples for real use.\n"
    )
    body = ref.to_csv(sep="\t", index=False, float_format="%.5f", lineterminator="\n")
    dest = resources_dir() / RNA_REFERENCE
    write_text(dest, header + body)
    digest = hashlib.sha256(dest.read_bytes()).hexdigest()
    print(f"{dest}: {len(ref)} genes from {len(diploid)} diploid samples; sha256 {digest}")


if __name__ == "__main__":
    main()
