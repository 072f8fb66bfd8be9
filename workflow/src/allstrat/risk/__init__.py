"""Prognostic risk assignment: versioned protocol rule sets with decision traces.

Rule sets are data (``resources/risk/<protocol>.yaml``, schema
``workflow/schemas/ruleset.schema.yaml``), evaluated by a small three-valued condition
interpreter (:mod:`allstrat.risk.expr`; no ``eval``). Missing inputs propagate as
*unknown*: a result is a definite group only when the available data settle it,
otherwise ``indeterminate`` with the lowest group still possible and the missing inputs.

Examples
--------
>>> from allstrat.risk import load_rulesets, assign_risk, results_table
>>> rulesets = load_rulesets(["nci_rome", "dcog_all11"])  # doctest: +SKIP
>>> results, traces = assign_risk(rulesets, classify=cls, copynumber=cn,
...                               clinical=clin, mrd=mrd)  # doctest: +SKIP
>>> results_table(results)  # doctest: +SKIP
"""

from allstrat.risk.assign import assign_risk, results_table
from allstrat.risk.engine import INDETERMINATE, RiskResult, evaluate_protocol
from allstrat.risk.facts import BASE_FACTS, build_facts
from allstrat.risk.pgx import assess_thiopurine
from allstrat.risk.ruleset import (
    NOT_APPLICABLE,
    RuleSet,
    available_protocols,
    load_ruleset,
    load_rulesets,
)

__all__ = [
    "BASE_FACTS",
    "INDETERMINATE",
    "NOT_APPLICABLE",
    "RiskResult",
    "RuleSet",
    "assess_thiopurine",
    "assign_risk",
    "available_protocols",
    "build_facts",
    "evaluate_protocol",
    "load_ruleset",
    "load_rulesets",
    "results_table",
]
