"""T-ALL second stage: subgroups, ETP-ALL status and T-lineage evidence (issue #16).

* :mod:`allstrat.tall.markers` -- the literature marker table
  (``resources/markers/tall_markers.tsv``) as signatures.
* :mod:`allstrat.tall.estimators` -- the model's reference-fitted feature transformer
  (stable import path: pickled models store it).
* :mod:`allstrat.tall.classify` -- applies the ``allstrat-tall`` model to samples the
  B-ALL model calls T lineage, with fusion evidence and call rules.
* :mod:`allstrat.tall.etp` -- ETP-ALL status from immunophenotype (Coustan-Smith 2009) or,
  without it, from the expression ETP-like score.
* :mod:`allstrat.tall.mutations` -- NOTCH1 / FBXW7 / KRAS / NRAS / PTEN mutation status
  from the variant calls (run by the copy-number stage for every sample with a VCF) and
  the oncogenetic classifier (explanatory; no protocol uses it).
"""

# the public API is the modules themselves (estimators keep a stable import path)
__all__ = ["classify", "estimators", "markers"]
