"""IKZF1plus (Stanulla et al., JCO 2018; DOMAIN.md §2), with the ERG-deletion exclusion.

Rule::

    ikzf1plus = ikzf1_deleted and not erg_deleted and (
        cdkn2a_homozygous or cdkn2b_homozygous or pax5_deleted or par1_deleted)

Three-valued logic, never a silent "negative":

* ``negative`` only when a known fact rules it out whatever the unknown inputs are:
  IKZF1 known not deleted; ERG deleted (exclusion); or every co-lesion gene known intact;
* ``positive`` only when IKZF1 is deleted, ERG is known not deleted and a co-lesion is
  present (a co-lesion with ERG unknown is *not* positive);
* otherwise ``not_assessable``, naming the missing inputs.

This is exactly "the answer every completion of the unknown inputs agrees on"; the test
suite checks all 4,096 combinations against that definition.

Whether PAX5 must be focal/intragenic is UNVERIFIED: ``pax5_states`` (config) lists the
PAX5 states that count.
"""

from __future__ import annotations

from collections.abc import Mapping

DELETED = ("deleted", "homozygous_deleted")


def call_ikzf1plus(
    status: Mapping[str, str],
    *,
    pax5_states: tuple[str, ...] = DELETED,
) -> tuple[str, str]:
    """Return (``positive``/``negative``/``not_assessable``, reason).

    Parameters
    ----------
    status
        Lesion state per key ``IKZF1``, ``ERG``, ``CDKN2A``, ``CDKN2B``, ``PAX5``,
        ``PAR1`` (``contracts.LESION_STATES``); missing keys are not assessable.
    pax5_states
        PAX5 states that count as the PAX5 co-lesion.

    Examples
    --------
    >>> call_ikzf1plus({"IKZF1": "deleted", "ERG": "normal", "CDKN2A": "homozygous_deleted",
    ...                 "CDKN2B": "normal", "PAX5": "normal", "PAR1": "normal"})
    ('positive', 'IKZF1 deleted, ERG not deleted, co-lesion: CDKN2A homozygous')
    """

    def get(g: str) -> str:
        return status.get(g, "not_assessable") or "not_assessable"

    ikzf1, erg = get("IKZF1"), get("ERG")
    present, unknown = [], []
    for gene, states in (
        ("CDKN2A", ("homozygous_deleted",)),
        ("CDKN2B", ("homozygous_deleted",)),
        ("PAX5", pax5_states),
        ("PAR1", DELETED),
    ):
        s = get(gene)
        if s in states:
            present.append(f"{gene} homozygous" if gene.startswith("CDKN2") else f"{gene} deleted")
        elif s == "not_assessable":
            unknown.append(gene)
    if ikzf1 not in (*DELETED, "not_assessable"):
        return "negative", f"IKZF1 {ikzf1}"
    if erg in DELETED:
        return "negative", "ERG deleted (ERG-deletion exclusion)"
    if not present and not unknown:
        return "negative", "no CDKN2A/B homozygous, PAX5 or PAR1 loss"
    missing = [g for g, v in (("IKZF1", ikzf1), ("ERG", erg)) if v == "not_assessable"]
    if not present:
        missing += unknown
    if missing:
        seen = f"; co-lesion: {', '.join(present)}" if present else ""
        return "not_assessable", f"not assessable: {', '.join(missing)}{seen}"
    return "positive", "IKZF1 deleted, ERG not deleted, co-lesion: " + ", ".join(present)
