"""Per-subgroup accuracy of the shipped T-ALL model on an independent simulated cohort
(prints figures; no assertions).

Usage: python benchmarks/bench_tall.py [--n 600] [--seed 20261199] [--balance tall|realistic]
       [--model allstrat-tall/1.0.0] [--with-fusions] [--tallsorts]

Simulates T-ALL cases with a seed the model never saw (``--balance tall``: uniform over
subgroups; ``realistic``: the simulator's T-ALL subgroup shares), classifies them with
``allstrat.tall.classify.classify_tall`` (expression only, or with the simulated Arriba
calls as fusion evidence with ``--with-fusions``) and prints, per subgroup: n, the share
called, recall (correct / n), precision (correct / called as that subgroup) and the wrong
calls; then ETP-ALL status from expression against the simulated immunophenotype truth.
Synthetic data: these figures describe the simulator, not real T-ALL.

``--tallsorts EXE``: the ``tallsorts`` command of a separately installed TALLSorts (Oshlack
lab, on PyPI, MIT; not vendored, not a dependency: it pins older scikit-learn), e.g.
``python -m venv ts && ts/bin/pip install TALLSorts`` then ``--tallsorts ts/bin/tallsorts``;
its calls on the same counts are cross-tabulated against truth and against allstrat.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd

from allstrat.classify.decide import Fusion
from allstrat.contracts import MULTIPLE, TALL_SUBGROUPS, UNCLASSIFIED
from allstrat.models import load_model
from allstrat.simulate import simulate_cohort
from allstrat.tall.classify import classify_tall
from allstrat.tall.etp import EtpSettings, etp_from_expression


def _fusions(cohort) -> dict[str, list[Fusion]]:
    f = cohort.fusions
    f = f[f["caller"] == "arriba"]
    out: dict[str, list[Fusion]] = {s: [] for s in cohort.truth["sample_id"]}
    for r in f.itertuples():
        out[str(r.sample_id)].append(Fusion(str(r.gene5), str(r.gene3), "high"))
    return out


def _tallsorts(counts: pd.DataFrame, exe: str, out: Path) -> pd.Series | None:
    """Run the TALLSorts CLI (installed separately, e.g. in its own venv) on the same counts.

    TALLSorts wants samples x Ensembl IDs as CSV; symbols are mapped with the bundled gene
    table (first Ensembl ID). Returns its top-level call per sample, or ``None``.
    """
    from allstrat.io.gene_table import load_gene_table

    if not shutil.which(exe) and not Path(exe).is_file():
        print(f"\nTALLSorts: {exe!r} not found (install TALLSorts in its own env) - skipped")
        return None
    ens = load_gene_table().table["ensembl_ids"].astype(str).str.split(";").str[0]
    keep = [g for g in counts.columns if ens.get(g, "").startswith("ENSG")]
    m = counts[keep].fillna(0).round().astype(int)
    m.columns = [ens[g] for g in keep]
    m = m.loc[:, ~m.columns.duplicated()]
    out.mkdir(parents=True, exist_ok=True)
    m.to_csv(out / "counts.csv")
    t = time.perf_counter()
    done = subprocess.run(
        [exe, "-s", str(out / "counts.csv"), "-d", str(out / "tallsorts")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    preds = sorted((out / "tallsorts").glob("*/predictions.csv"))
    if done.returncode != 0 or not preds:
        print(f"\nTALLSorts failed (exit {done.returncode}): {done.stderr[-500:]}")
        return None
    levels = [p.parent.name for p in preds]
    print(f"\nTALLSorts ran in {time.perf_counter() - t:.1f} s; levels: {levels}")
    df = pd.read_csv(preds[0], index_col=0)
    return df.iloc[:, 0].astype(str)


def main() -> None:
    """Run and print the per-subgroup table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--seed", type=int, default=20261199)
    ap.add_argument("--balance", choices=("tall", "realistic"), default="tall")
    ap.add_argument("--model", default="allstrat-tall/1.0.0")
    ap.add_argument("--with-fusions", action="store_true")
    ap.add_argument(
        "--tallsorts",
        default="",
        metavar="EXE",
        help="path of a separately installed tallsorts executable: run it side by side",
    )
    args = ap.parse_args()
    model = load_model(args.model)
    t = time.perf_counter()
    if args.balance == "tall":
        cohort = simulate_cohort(args.n, seed=args.seed, subtype_balance="tall", sample_prefix="BT")
    else:
        cohort = simulate_cohort(
            args.n, seed=args.seed, class_weights={"T-ALL": 1000}, sample_prefix="BT"
        )
    truth = cohort.truth.set_index("sample_id")
    truth = truth[truth["subtype"] == "T-ALL"]
    counts = cohort.counts.T.astype(float).loc[truth.index]
    print(
        f"simulated {len(truth)} T-ALL cases (seed {args.seed}) in {time.perf_counter() - t:.1f} s"
    )
    t = time.perf_counter()
    fus = _fusions(cohort) if args.with_fusions else None
    calls, proba, _ = classify_tall(counts, model.estimator, fusions=fus)
    dt = time.perf_counter() - t
    print(f"classified with {model.model_id} in {dt:.2f} s ({len(truth) / dt:.0f} samples/s)")
    call = pd.Series({s: c.subgroup for s, c in calls.items()})
    tier = pd.Series({s: c.tier for s, c in calls.items()})
    y = truth["tall_subgroup"]
    rows = []
    for sg in TALL_SUBGROUPS:
        m = y == sg
        n = int(m.sum())
        if not n:
            continue
        c = call[m]
        called = ~c.isin([UNCLASSIFIED, MULTIPLE])
        as_sg = call == sg
        wrong = c[called & (c != sg)].value_counts()
        rows.append({
            "subgroup": sg, "n": n, "called": f"{called.mean():.2f}",
            "recall": f"{(c == sg).mean():.2f}",
            "precision": f"{(y[as_sg] == sg).mean():.2f}" if as_sg.any() else "-",
            "wrong_calls": "; ".join(f"{k} {v}" for k, v in wrong.items()) or "-",
        })  # fmt: skip
    print(pd.DataFrame(rows).to_string(index=False))
    called = ~call.isin([UNCLASSIFIED, MULTIPLE])
    high = tier == "high"
    print(
        f"\noverall: called {called.mean():.3f}, accuracy of called "
        f"{(call[called] == y[called]).mean():.3f}, recall {(call == y).mean():.3f}; "
        f"high tier {high.mean():.3f} of cases, accuracy {(call[high] == y[high]).mean():.3f}"
    )
    es = EtpSettings()
    etp = pd.Series(
        {
            s: etp_from_expression(float(proba.at[s, "ETP-like"]), None, es)["status"]
            for s in proba.index
        }
    )
    truth_etp = truth["etp_all"]
    decided = etp != "not_assessable"
    tab = pd.crosstab(truth_etp, etp, rownames=["ETP-ALL truth"], colnames=["expression"])
    print("\nETP status from expression (no immunophenotype) vs simulated ETP-ALL immunophenotype:")
    print(tab.to_string())
    print(
        f"decided {decided.mean():.3f}; agreement where decided "
        f"{(etp[decided] == truth_etp[decided]).mean():.3f}"
    )
    if args.tallsorts:
        with tempfile.TemporaryDirectory() as tmp:
            ts = _tallsorts(counts, args.tallsorts, Path(tmp))
        if ts is not None:
            ts = ts.reindex(call.index)
            print(pd.crosstab(y, ts, rownames=["truth"], colnames=["TALLSorts"]).to_string())
            print(pd.crosstab(call, ts, rownames=["allstrat"], colnames=["TALLSorts"]).to_string())


if __name__ == "__main__":
    main()
