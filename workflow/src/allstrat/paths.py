"""Where the bundled resources and models live.

allstrat is installed from its source checkout (``pip install -e .``); the versioned
reference tables sit in ``resources/`` and the shipped models in ``models/`` at the
checkout root. ``ALLSTRAT_HOME`` overrides the root (e.g. a read-only copy on a cluster).
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """Return the checkout root that holds ``resources/`` and ``models/``."""
    env = os.environ.get("ALLSTRAT_HOME")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3]


def resources_dir() -> Path:
    """Return the ``resources/`` folder."""
    return project_root() / "resources"


def models_dir() -> Path:
    """Return the ``models/`` folder."""
    return project_root() / "models"


GENE_TABLE = "genes/genes_grch38.tsv.gz"
