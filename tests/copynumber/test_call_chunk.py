"""``allstrat.copynumber.chunk.call_chunk``: each sample by the data it has (no CLI, no files)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from allstrat.contracts import COPYNUMBER_COLUMNS
from allstrat.copynumber import CopyNumberSettings
from allstrat.copynumber.chunk import call_chunk


def _gene_calls(sample: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sample_id": [sample] * 2,
            "gene": ["IKZF1", "CDKN2A"],
            "call": ["deletion", "normal"],
            "copy_number": [np.nan, np.nan],
        }
    )


def test_each_sample_is_called_from_what_it_has(genes, caplog):
    rows = pd.DataFrame(
        {"copy_number": ["cn/A.tsv", "", ""], "genome_build": ["", "", ""]},
        index=pd.Index(["A", "B", "C"], name="sample_id"),
    )
    counts = pd.DataFrame([[np.nan, 5.0]], index=["C"], columns=["GAPDH", "ACTB"])
    with caplog.at_level(logging.WARNING):
        table, evidence = call_chunk(
            rows,
            data={"A": ("gene_calls", _gene_calls("A"))},
            variants={},
            regions={},
            dux4={"A": "no", "C": "no"},
            blast=dict.fromkeys("ABC", None),
            genes=genes.table,
            exons=None,
            settings=CopyNumberSettings(),
            rna=(counts, "expr.h5ad"),
        )
    assert list(table.columns) == list(COPYNUMBER_COLUMNS)
    assert list(table["sample_id"]) == ["A", "B", "C"]
    src = dict(zip(table["sample_id"], table["cn_source"], strict=True))
    assert src["A"] == "DNA"
    assert src["B"] == "none"  # not in the expression chunk: no estimate, never a default
    assert "sample B is missing from the classify table" in caplog.text
    assert evidence["B"]["reason"] in {
        "sample not in the expression chunk",
        "no RNA dosage reference installed",
    }
    assert set(evidence) == {"A", "B", "C"}
    assert evidence["A"]["allelic"]["status"] == "not_given"
