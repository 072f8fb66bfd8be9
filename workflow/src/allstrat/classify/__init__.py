"""Subtype classification: features, estimators, decision rules and explanations.

Public API (re-exported): :class:`ExpressionFeatures`, :class:`SubtypeClassifier`,
:func:`build_model`, :func:`classify_counts`, :func:`merge_fusion_evidence`.
"""

from __future__ import annotations

from allstrat.classify.estimators import ExpressionFeatures, SubtypeClassifier

__all__ = ["ExpressionFeatures", "SubtypeClassifier"]
