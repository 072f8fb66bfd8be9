"""Released estimator class of the T-ALL subgroup model.

**Stable module: never move or rename this class.** A pickled model stores its import path
(``allstrat.tall.estimators.TallExpressionFeatures``).

:class:`TallExpressionFeatures` is :class:`allstrat.classify.estimators.ExpressionFeatures`
(reference-fitted normalisation, reference z-scores of a literature panel, within-sample
rank signatures; nothing estimated from the batch being classified) with the T-ALL panel:
z-scores of every gene in ``resources/markers/tall_markers.tsv`` plus the ETP-ALL marker
genes, one rank signature per subgroup and an ``etp:score`` signature (stem / myeloid up,
cortical T down). The reference is the T-ALL training cohort, so z-scores are relative to
other T-ALL, as the subgroup programmes are defined.
"""

from __future__ import annotations

from allstrat.classify.estimators import ExpressionFeatures
from allstrat.tall import markers as tm


class TallExpressionFeatures(ExpressionFeatures):
    """T-ALL subgroup features (see the module docstring); parameters as the parent."""

    def _panel_gene_list(self) -> tuple[str, ...]:
        return tm.tall_panel_genes()

    def _signature_sets(self) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
        up, down = tm.signatures()
        sets = [(f"sig:{k}", v, down.get(k, ())) for k, v in up.items() if v]
        sets.append(("etp:score", tm.ETP_UP, tm.ETP_DOWN))
        return sets
