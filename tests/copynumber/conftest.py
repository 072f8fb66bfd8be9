"""Fixtures of the copy-number tests (builders live in cn_builders.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from cn_builders import TEST_IKZF1_EXONS

from allstrat.copynumber.resources import load_chromosomes


@pytest.fixture(scope="session")
def chromosomes() -> pd.DataFrame:
    """Bundled chromosome table."""
    return load_chromosomes()


@pytest.fixture(scope="session")
def gene_rows(genes) -> pd.DataFrame:
    """The gene table's DataFrame."""
    return genes.table


@pytest.fixture
def test_exons() -> pd.DataFrame:
    """IKZF1 exon fixture (see TEST_IKZF1_EXONS)."""
    return TEST_IKZF1_EXONS.copy()
