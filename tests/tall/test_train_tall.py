"""`allstrat train --panel tall`: the second-stage model trains from a mixed truth table."""

from __future__ import annotations

import json

import pytest

from allstrat.cli import main
from allstrat.models import load_model
from allstrat.simulate import simulate_cohort
from allstrat.train import model_labels


def test_tall_labels_are_validated():
    import pandas as pd

    from allstrat.errors import InputError

    ok = model_labels(pd.Series(["TAL1", "HOXA"], index=["a", "b"]), "tall")
    assert list(ok) == ["TAL1", "HOXA"]
    with pytest.raises(InputError, match="sample 'b'"):
        model_labels(pd.Series(["TAL1", "DUX4"], index=["a", "b"]), "tall")


@pytest.mark.slow
def test_train_cli_tall_panel(tmp_path):
    cohort = simulate_cohort(150, seed=5, subtype_balance="tall", sample_prefix="TT")
    b = simulate_cohort(6, seed=6, subtype_balance="uniform", sample_prefix="BB")
    counts = cohort.counts.join(b.counts)
    counts.index.name = "gene_symbol"
    counts.to_csv(tmp_path / "counts.tsv", sep="\t")
    truth = cohort.truth._append(b.truth)
    truth.to_csv(tmp_path / "truth.tsv", sep="\t", index=False)
    args = [
        "train", "--panel", "tall", "--label-column", "tall_subgroup",
        "--counts", str(tmp_path / "counts.tsv"), "--labels", str(tmp_path / "truth.tsv"),
        "--out-dir", str(tmp_path / "models"), "--name", "t", "--cv-folds", "3",
        "--inner-folds", "2", "--c-grid", "0.3", "--simulated-from", "allstrat simulate ...",
    ]  # fmt: skip
    assert main(args) == 0
    loaded = load_model(tmp_path / "models" / "t" / "1.0.0")
    card = loaded.card
    assert card["panel"] == "tall"
    assert card["training_cohort"]["n_samples"] == 150  # B-lineage rows left out
    assert card["training_cohort"]["label_mapping"] == {}
    assert "T-ALL" in card["limitations"]
    assert "SIMULATED" in card["limitations"]
    metrics = json.loads((tmp_path / "models" / "t" / "1.0.0" / "metrics.json").read_text())
    assert metrics["macro_f1"] > 0.5
    # the B-ALL panel refuses subgroup labels
    bad = [a if a != "tall" else "bcp" for a in args]
    assert main([*bad, "--version", "9.9.9"]) == 2
