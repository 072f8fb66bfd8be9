"""Subtype classification: features, estimators, decision rules and explanations.

Public API (re-exported): :class:`ExpressionFeatures`, :class:`SubtypeClassifier`,
:func:`build_model`, :func:`classify_counts`, :func:`merge_fusion_evidence`.

The estimators are imported on first use (PEP 562), not with the package: they import
scikit-learn (~1 s), which prediction from exported parameters
(:mod:`allstrat.classify.compiled`) and the decision rules do not need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from allstrat.classify.estimators import ExpressionFeatures, SubtypeClassifier

__all__ = ["ExpressionFeatures", "SubtypeClassifier"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from allstrat.classify import estimators

        return getattr(estimators, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
