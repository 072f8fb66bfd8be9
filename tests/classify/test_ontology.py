"""resources/subtypes.tsv covers every contract label with a detection class."""

from __future__ import annotations

import pandas as pd

from allstrat.contracts import B_SUBTYPES, GROUP_LABELS, LIKE_LABELS, PH_GROUP, T_ALL
from allstrat.paths import resources_dir


def test_ontology_covers_contract_labels():
    t = pd.read_csv(
        resources_dir() / "subtypes.tsv", sep="\t", comment="#", dtype=str, keep_default_na=False
    )
    assert set(t["label"]) == {*B_SUBTYPES, T_ALL, *GROUP_LABELS, *LIKE_LABELS}
    assert t["label"].is_unique
    assert (t["detection"] != "").all()
    assert set(t["names_verified"]) <= {"yes", "no"}
    # model classes are labels (the Ph group merges BCR::ABL1 and Ph-like)
    assert set(t["model_class"]) <= set(t["label"])
    assert set(t.loc[t["label"].isin(["BCR::ABL1", "Ph-like"]), "model_class"]) == {PH_GROUP}
