"""The steps of ``allstrat train`` as library functions: labels, selection, version, card."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from allstrat.config import load_section
from allstrat.errors import InputError
from allstrat.io.training import read_labels, read_training_counts
from allstrat.model_card import INTENDED_USE_TALL, build_card
from allstrat.models import next_version
from allstrat.train import TrainingRequest, select_training_samples


def _labels(tmp_path, text: str):
    p = tmp_path / "labels.tsv"
    p.write_text(text)
    return p


def test_read_labels_takes_the_named_column_and_ignores_others(tmp_path):
    p = _labels(
        tmp_path, "sample_id\tsubtype\ttall_subgroup\nA\tT-ALL\tTLX3\nB\tHigh hyperdiploid\t\n"
    )
    assert read_labels(p).to_dict() == {"A": "T-ALL", "B": "High hyperdiploid"}
    assert read_labels(p, "tall_subgroup", allow_empty=True).to_dict() == {"A": "TLX3", "B": ""}


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("sample_id\tlabel\nA\tT-ALL\n", "lacks column 'subtype'", 1),
        ("sample_id\tsubtype\nA\tT-ALL\nB\t\n", "empty subtype label", 3),
        ("sample_id\tsubtype\nA\tT-ALL\nA\tT-ALL\n", "duplicate sample_id", 3),
    ],
)
def test_read_labels_names_the_bad_line(tmp_path, text, message, line):
    with pytest.raises(InputError, match=message) as err:
        read_labels(_labels(tmp_path, text))
    assert err.value.line == line


def test_training_counts_need_exactly_one_source():
    with pytest.raises(InputError, match="either a sample sheet or a count matrix"):
        read_training_counts()


def test_selection_leaves_out_b_other_and_unlabelled_tall_rows():
    counts = pd.DataFrame({"G": [1, 2, 3]}, index=["A", "B", "C"])
    labels = pd.Series({"A": "TLX3", "B": "", "C": "unclassified", "X": "TAL1"})
    c, y = select_training_samples(counts, labels, panel="tall")
    assert list(c.index) == ["A"]
    assert y.to_dict() == {"A": "TLX3"}
    with pytest.raises(InputError, match="no sample has a 'tall_subgroup' label"):
        select_training_samples(
            counts.loc[["B"]], labels, panel="tall", label_column="tall_subgroup"
        )


def test_selection_refuses_a_sample_without_a_label():
    counts = pd.DataFrame({"G": [1, 2]}, index=["A", "Z"])
    with pytest.raises(InputError, match="no label") as err:
        select_training_samples(counts, pd.Series({"A": "T-ALL"}), labels_path="l.tsv")
    assert err.value.sample == "Z"


def test_next_version_is_the_next_free_patch(tmp_path):
    assert next_version(tmp_path / "absent") == "1.0.0"
    for v in ("1.0.0", "1.2.3", "1.10.0", "notes"):
        (tmp_path / v).mkdir()
    assert next_version(tmp_path) == "1.10.1"


def test_card_of_a_simulated_tall_model_says_so():
    features = SimpleNamespace(get_feature_names_out=lambda: ["g1", "g2"])
    res = SimpleNamespace(
        model=SimpleNamespace(named_steps={"features": features}),
        cohort_sha256="ab" * 32,
        n_per_class={"TLX3": 4, "TAL1": 5},
        cv={"outer_folds": 2},
    )
    settings = load_section("train_tall", {"seed_model": 3})
    facts = TrainingRequest(
        settings=settings, panel="tall", labels="sim/truth.tsv", sheet="sim/samples.tsv",
        command="allstrat train ...", simulated_from="allstrat simulate --seed 1",
    )  # fmt: skip
    card = build_card(facts, res, version="1.0.1", gene_table_sha256="cd" * 32)
    assert card["training_cohort"]["n_samples"] == 9
    assert card["training_cohort"]["id"] == "truth"
    assert "`allstrat simulate --seed 1`" in card["training_cohort"]["description"]
    assert card["limitations"].startswith("Trained on a SIMULATED T-ALL cohort")
    assert card["intended_use"] == INTENDED_USE_TALL
    assert card["training_cohort"]["label_mapping"] == {}
    assert card["model_features"] == ["g1", "g2"]
    assert card["name"] == "allstrat-tall"
    assert card["random_state"] == 3


def test_training_settings_take_the_panel_section_and_the_version_asked_for():
    from allstrat.train import training_settings

    cfg, version = training_settings("tall", None, {"cv_folds": 4, "name": None})
    assert (cfg.name, cfg.cv_folds, version) == ("allstrat-tall", 4, None)  # next patch
    cfg, version = training_settings("bcp", '{"version": "2.0.0"}', {})
    assert (cfg.name, version) == ("allstrat-bcp", "2.0.0")
