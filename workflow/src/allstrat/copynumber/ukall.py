"""UKALL copy-number risk profile from the eight P335 regions (DOMAIN.md §2; S28, S29).

Good risk (GR): all eight normal; an isolated ETV6, PAX5 or BTG1 deletion; or an ETV6
deletion with exactly one of BTG1, PAX5 or CDKN2A/B deleted. Everything else is poor
risk (PR). This is the CNA profile only: integration with cytogenetics (ETV6::RUNX1 or
high hyperdiploidy -> GR) belongs to the risk stage. Gains are not part of the profile.
Any of the eight not assessable -> ``not_assessable`` unless the deletions already seen
make the profile poor whatever the unknown genes are.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

P335_GENES: tuple[str, ...] = (
    "IKZF1",
    "CDKN2A",
    "CDKN2B",
    "PAX5",
    "ETV6",
    "RB1",
    "BTG1",
    "PAR1",
)
DELETED = ("deleted", "homozygous_deleted")


def _profile(deleted: set[str]) -> str:
    units = {"CDKN2A/B" if g in ("CDKN2A", "CDKN2B") else g for g in deleted}
    if not units or (len(units) == 1 and units <= {"ETV6", "PAX5", "BTG1"}):
        return "good"
    if "ETV6" in units and len(units) == 2 and (units - {"ETV6"}) <= {"BTG1", "PAX5", "CDKN2A/B"}:
        return "good"
    return "poor"


def ukall_cna_profile(status: Mapping[str, str]) -> tuple[str, list[str]]:
    """Return (``good``/``poor``/``not_assessable``, deleted genes).

    Parameters
    ----------
    status
        Lesion state per gene (keys as :data:`P335_GENES`; EBF1 is also a P335 gene and
        counted as an "other" deletion when given).

    Examples
    --------
    >>> ukall_cna_profile({g: "normal" for g in P335_GENES} | {"ETV6": "deleted"})
    ('good', ['ETV6'])
    """
    genes = (*P335_GENES, "EBF1")
    deleted = {g for g in genes if status.get(g) in DELETED}
    unknown = {g for g in P335_GENES if status.get(g, "not_assessable") == "not_assessable"}
    result = _profile(deleted)
    if unknown:
        # every completion of the unknown genes must give the same answer
        outcomes = {
            _profile(deleted | set(extra))
            for k in range(len(unknown) + 1)
            for extra in itertools.combinations(sorted(unknown), k)
        }
        if len(outcomes) > 1:
            return "not_assessable", sorted(deleted)
        result = outcomes.pop()
    return result, sorted(deleted)
