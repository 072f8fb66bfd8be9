"""Shared fixtures. Tests that need ../shared/data skip cleanly when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def root() -> Path:
    """The checkout root."""
    return ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip when this machine does not have it."""
    if not (SHARED_DATA / "allcatchr_test_counts.tsv").is_file():
        pytest.skip("../shared/data not present (only CI and developer machines have it)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def genes():
    """The bundled gene table."""
    from allstrat.io.gene_table import load_gene_table

    return load_gene_table()
