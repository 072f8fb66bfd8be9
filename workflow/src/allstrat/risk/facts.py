"""Turn one sample's stage-table rows into named facts for the rule interpreter.

A *fact* is a value (boolean, number, string, :class:`~allstrat.risk.expr.Mrd`) or
:data:`~allstrat.risk.expr.UNKNOWN`, with a note on where it came from. Missing or
not-assessable inputs become unknown, never a default negative:

* Low-confidence, ``unclassified`` and ``multiple candidates`` subtype calls make every
  subtype-derived fact unknown (unknown genetics, not "no unfavourable genetics").
* A trusted subtype call is the primary-lesion source (one primary subtype per sample);
  the copy-number table is the DNA source for ploidy and iAMP21. When both speak and
  disagree the combined fact is unknown and the note says "conflicting evidence" —
  conflicts must be reviewed, not silently resolved.
* ``not_assessable`` copy-number states make the affected facts unknown;
  ``masked_hypodiploidy_warning = yes`` makes every ploidy fact unknown unless a source
  positively asserts it (a subtype call of "Hyperdiploid" does not rule out a doubled
  hypodiploid). A hyperdiploid count or call whose masking was *not assessed* leaves
  the hypodiploidy facts unknown too, unless ``unassessed_masking="assume_absent"``.

Clinical values arrive typed by :mod:`allstrat.io.clinical` (booleans, floats, the
schema's canonical codes; its schema is the one list of allowed values) and are used as
they are; a row with untyped values (the text ``"yes"``) is a programming error. The
same holds for MRD rows (:mod:`allstrat.io.clinical`'s ``read_mrd`` / ``mrd_frame``).

The fact catalogue :data:`BASE_FACTS` is what rule-set conditions may reference (besides
each rule set's own derived facts and MRD time points); the loader refuses unknown names.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from allstrat.contracts import (
    CONFIDENCE_TIERS,
    ER_GROUP,
    KARYOTYPE_CLASSES,
    KMT2A_GROUP,
    KMT2A_LIKE,
    LESION_GENES,
    LESION_STATES,
    MULTIPLE,
    PH_GROUP,
    T_ALL,
    UNCLASSIFIED,
    ZNF384_GROUP,
)
from allstrat.errors import InputError
from allstrat.risk.expr import UNKNOWN, Mrd

__all__ = [
    "BASE_FACTS",
    "Fact",
    "MrdTimepoint",
    "build_facts",
    "mrd_facts",
]


@dataclass(frozen=True)
class Fact:
    """A fact value with its provenance."""

    value: Any
    source: str
    note: str = ""

    @property
    def known(self) -> bool:
        """Whether the value is known."""
        return self.value is not UNKNOWN


#: name -> (type, description). Types: bool, number, string.
BASE_FACTS: dict[str, tuple[str, str]] = {
    # clinical table
    "age_years": ("number", "age at diagnosis in years (clinical)"),
    "wbc_1e9_per_l": ("number", "initial white-cell count, 10^9/L (clinical)"),
    "sex": ("string", "sex (clinical)"),
    "immunophenotype": ("string", "'B' or 'T' (clinical; RNA lineage call when absent)"),
    "down_syndrome": ("bool", "constitutional trisomy 21 (clinical)"),
    "cns_status": ("string", "'CNS1' / 'CNS2' / 'CNS3' (clinical)"),
    "testicular_involvement": ("bool", "testicular leukaemia at diagnosis (clinical)"),
    "steroid_pretreatment": ("bool", "steroids before diagnosis (clinical)"),
    "prednisone_response": ("string", "'good' / 'poor' after the 7-day prophase (clinical)"),
    "induction_failure": ("bool", "no complete remission at end of induction (clinical)"),
    # classify table
    "subtype": ("string", "trusted subtype call (unknown when low confidence/unclassified)"),
    "etv6_runx1": ("bool", "ETV6::RUNX1 (trusted subtype call)"),
    "bcr_abl1": ("bool", "BCR::ABL1 / Ph+ (trusted subtype call)"),
    "kmt2a": ("bool", "KMT2A-rearranged (trusted subtype call)"),
    "tcf3_pbx1": ("bool", "TCF3::PBX1 (trusted subtype call)"),
    "tcf3_hlf": ("bool", "TCF3::HLF (trusted subtype call)"),
    "ph_like": ("bool", "Ph-like / BCR::ABL1-like (trusted subtype call)"),
    "dux4": ("bool", "DUX4-rearranged (trusted subtype call)"),
    "abl_class": ("bool", "Ph-like with an ABL-class kinase lesion"),
    "jak_stat": ("bool", "Ph-like with a JAK-STAT-class lesion (JAK-STAT or CRLF2-r)"),
    # copy number table (combined with the subtype call where both speak)
    "high_hyperdiploid": ("bool", "high hyperdiploidy (CN karyotype class or subtype call)"),
    "hypodiploid": ("bool", "hypodiploidy <44 chromosomes (CN or subtype call)"),
    "low_hypodiploid": ("bool", "low hypodiploidy (CN class or subtype call)"),
    "near_haploid": ("bool", "near haploidy (CN class or subtype call)"),
    "iamp21": ("bool", "iAMP21 (CN call or subtype call)"),
    "modal_chromosome_number": ("number", "modal chromosome number (CN)"),
    "trisomy_4": ("bool", "+4 (CN favourable_trisomies)"),
    "trisomy_10": ("bool", "+10 (CN favourable_trisomies)"),
    "trisomy_17": ("bool", "+17 (CN favourable_trisomies)"),
    "ikzf1_deleted": ("bool", "any IKZF1 deletion (CN)"),
    "ikzf1plus": ("bool", "IKZF1plus profile (CN)"),
    "erg_deleted": ("bool", "ERG deletion (CN)"),
}


def _blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and v.strip() == ""


def _num(v: Any, col: str, sample: str, what: str) -> Any:
    if _blank(v):
        return UNKNOWN
    if isinstance(v, bool):
        raise InputError(
            f"{what} column {col}: expected a number, got {v!r}", sample=sample, table=what
        )
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise InputError(
            f"{what} column {col}: expected a number, got {v!r}", sample=sample, table=what
        ) from None
    if math.isnan(x) or math.isinf(x) or x < 0:
        raise InputError(
            f"{what} column {col}: expected a finite non-negative number, got {v!r}",
            sample=sample,
            table=what,
        )
    return x


def _combine(name: str, sources: list[tuple[str, Any]]) -> Fact:
    """Combine independent sources of one boolean fact (see module docstring)."""
    known = [(s, v) for s, v in sources if v is not UNKNOWN]
    src = "+".join(s for s, _ in sources)
    if not known:
        return Fact(UNKNOWN, src, "no source could assess it")
    values = {v for _, v in known}
    if len(values) > 1:
        detail = ", ".join(f"{s} says {'yes' if v else 'no'}" for s, v in known)
        return Fact(UNKNOWN, src, f"conflicting evidence ({detail}); review needed")
    return Fact(values.pop(), "+".join(s for s, _ in known))


#: clinical facts taken as the clinical reader typed them (allstrat.io.clinical; its schema
#: workflow/schemas/clinical.schema.yaml is the one list of allowed values) -> value types
_CLINICAL_TYPES: dict[str, tuple[type, ...]] = {
    "age_years": (int, float, np.integer, np.floating),
    "wbc_1e9_per_l": (int, float, np.integer, np.floating),
    "sex": (str,),
    "immunophenotype": (str,),
    "cns_status": (str,),
    "prednisone_response": (str,),
    "down_syndrome": (bool, np.bool_),
    "testicular_involvement": (bool, np.bool_),
    "steroid_pretreatment": (bool, np.bool_),
    "induction_failure": (bool, np.bool_),
}
#: fact values of the reader's sex codes
_SEX_WORDS = {"M": "male", "F": "female"}
_HYPO_CLASSES = {"high_hypodiploid", "low_hypodiploid", "near_haploid"}


def _typed(row: Mapping[str, Any], col: str, sample: str) -> Any:
    """A typed clinical value, UNKNOWN when missing (None / NaN).

    Raises
    ------
    TypeError
        A value the clinical reader would not produce (e.g. the text ``"yes"`` for a
        boolean): rows must come from :func:`allstrat.io.clinical.read_clinical` /
        ``clinical_frame``, which validated them.
    """
    v: Any = row.get(col)
    if v is None or (isinstance(v, float | np.floating) and math.isnan(v)):
        return UNKNOWN
    kinds = _CLINICAL_TYPES[col]
    numeric = np.bool_ not in kinds and str not in kinds
    expected = isinstance(v, kinds) and not (numeric and isinstance(v, bool | np.bool_))
    if not expected:
        names = "/".join(k.__name__ for k in kinds)
        msg = (
            f"sample {sample!r}, clinical column {col}: expected {names} or missing, as "
            f"allstrat.io.clinical types it; got {v!r}"
        )
        raise TypeError(msg)
    if isinstance(v, np.bool_):
        return bool(v)
    return float(v) if numeric else v


def _clinical_facts(row: Mapping[str, Any] | None, sample: str) -> dict[str, Fact]:
    """Clinical facts from the reader's typed row (``None``: sample not in the table)."""
    src = "clinical"
    if row is None:
        return {k: Fact(UNKNOWN, src, "sample not in the clinical table") for k in _CLINICAL_TYPES}
    out = {k: Fact(_typed(row, k, sample), src) for k in _CLINICAL_TYPES}
    sex = out["sex"].value
    out["sex"] = Fact(_SEX_WORDS.get(sex, sex), src)
    return out


#: Labels whose call does not establish (nor exclude) these fusion facts' subtypes: a
#: group is a profile without fusion data; KMT2A-like rests on a fusion NOT reported.
NOT_ESTABLISHED: dict[str, frozenset[str]] = {
    PH_GROUP: frozenset({"BCR::ABL1", "Ph-like"}),
    ER_GROUP: frozenset({"ETV6::RUNX1"}),
    KMT2A_GROUP: frozenset({"KMT2A"}),
    KMT2A_LIKE: frozenset({"KMT2A"}),
    ZNF384_GROUP: frozenset(),
}


def _classify_facts(
    row: Mapping[str, Any] | None, sample: str, accepted_tiers: Sequence[str]
) -> tuple[dict[str, Fact], Any, Any]:
    """Return subtype facts, the trusted subtype (or UNKNOWN) and the RNA lineage."""
    out: dict[str, Fact] = {}
    src = "classify"
    if row is None:
        label, note, lineage = UNKNOWN, "sample not in the classify table", UNKNOWN
    else:
        call = "" if _blank(row.get("subtype")) else str(row.get("subtype")).strip()
        tier = "" if _blank(row.get("confidence_tier")) else str(row.get("confidence_tier"))
        tier = tier.strip()
        if tier and tier not in CONFIDENCE_TIERS:
            raise InputError(
                f"classify column confidence_tier: expected one of {list(CONFIDENCE_TIERS)}, "
                f"got {tier!r}",
                sample=sample,
                table="classify",
            )
        lin = "" if _blank(row.get("lineage")) else str(row.get("lineage")).strip()
        lineage = lin if lin in ("B", "T") and tier in accepted_tiers else UNKNOWN
        if call in ("", UNCLASSIFIED, MULTIPLE):
            label, note = UNKNOWN, f"subtype call {call or 'empty'!r}: genetics unknown"
        elif tier not in accepted_tiers:
            label = UNKNOWN
            note = (
                f"subtype call {call!r} has confidence {tier or 'empty'!r}, not in the "
                f"accepted tiers {list(accepted_tiers)}: genetics unknown"
            )
        else:
            label, note = call, f"{call} ({tier} confidence)"
    out["subtype"] = Fact(label, src, note)

    def _is(*labels: str) -> Any:
        if label is UNKNOWN:
            return UNKNOWN
        if set(labels) & NOT_ESTABLISHED.get(label, frozenset()):
            return UNKNOWN  # fusion-type profile without fusion evidence: not established
        return label in labels

    for fact, labels in (
        ("etv6_runx1", ("ETV6::RUNX1",)),
        ("bcr_abl1", ("BCR::ABL1",)),
        ("kmt2a", ("KMT2A",)),
        ("tcf3_pbx1", ("TCF3::PBX1",)),
        ("tcf3_hlf", ("TCF3::HLF",)),
        ("ph_like", ("Ph-like",)),
        ("dux4", ("DUX4",)),
    ):
        v = _is(*labels)
        if label in NOT_ESTABLISHED and v is UNKNOWN:
            out[fact] = Fact(v, src, f"{label}: expression profile without the defining fusion")
        else:
            out[fact] = Fact(v, src, note if label is UNKNOWN else "")
    kinase = UNKNOWN
    if label == "Ph-like" and row is not None:
        k = "" if _blank(row.get("ph_like_kinase_class")) else str(row["ph_like_kinase_class"])
        kinase = k.strip() if k.strip() not in ("", "unknown") else UNKNOWN
    if label is UNKNOWN or label == PH_GROUP:
        abl = jak = UNKNOWN
        knote = note if label is UNKNOWN else "Ph-type profile: BCR::ABL1 vs Ph-like unresolved"
    elif label != "Ph-like":
        abl = jak = False
        knote = ""
    elif kinase is UNKNOWN:
        abl = jak = UNKNOWN
        knote = "Ph-like without a resolved kinase class"
    else:
        abl, jak = kinase == "ABL-class", kinase in ("JAK-STAT", "CRLF2-r")
        knote = f"kinase class {kinase}"
    out["abl_class"] = Fact(abl, src, knote)
    out["jak_stat"] = Fact(jak, src, knote)
    return out, label, lineage


#: lesion states that are / are not a deletion (the rest of LESION_STATES: not_assessable)
_DELETED = ("deleted", "homozygous_deleted")
_NOT_DELETED = ("normal", "gained", "amplified")


def _cn_state(row: Mapping[str, Any], col: str, sample: str) -> Any:
    v = row.get(col)
    if _blank(v):
        return UNKNOWN
    s = str(v).strip()
    if s in _DELETED:
        return True
    if s in _NOT_DELETED:
        return False
    if s == "not_assessable":
        return UNKNOWN
    raise InputError(
        f"copynumber column {col}: expected a lesion state ({', '.join(LESION_STATES)}), got {v!r}",
        sample=sample,
        table="copynumber",
    )


def _yes_no(row: Mapping[str, Any], col: str, sample: str, yes: str, no: str) -> Any:
    v = row.get(col)
    if _blank(v) or str(v).strip() == "not_assessable":
        return UNKNOWN
    s = str(v).strip()
    if s == yes:
        return True
    if s == no:
        return False
    raise InputError(
        f"copynumber column {col}: expected {yes!r}, {no!r} or 'not_assessable', got {v!r}",
        sample=sample,
        table="copynumber",
    )


@dataclass(frozen=True)
class _CnRow:
    """A sample's copy-number row: usable (a source other than none) or why not."""

    row: Mapping[str, Any]
    sample: str
    usable: bool
    why: str

    @classmethod
    def of(cls, row: Mapping[str, Any] | None, sample: str) -> _CnRow:
        usable = row is not None and str(row.get("cn_source", "")).strip() not in ("", "none")
        why = "" if usable else "no copy-number data for this sample"
        return cls(row if (usable and row is not None) else {}, sample, usable, why)

    def fact(self, value: Any, note: str = "") -> Fact:
        """A copy-number fact; an unknown one says why when the row is unusable."""
        return Fact(value, "copynumber", note or (self.why if value is UNKNOWN else ""))


@dataclass(frozen=True)
class _Karyotype:
    """Karyotype evidence of the copy-number row (UNKNOWN where not given)."""

    kclass: Any  # a KARYOTYPE_CLASSES value other than not_assessable, or UNKNOWN
    modal: Any  # modal chromosome number or UNKNOWN
    masked: Any  # masked-hypodiploidy warning: True / False / UNKNOWN
    mnote: str  # the masked-hypodiploidy note ("" without a warning)

    def has(self, *classes: str) -> Any:
        """Whether the karyotype class is one of ``classes`` (UNKNOWN when not known)."""
        return UNKNOWN if self.kclass is UNKNOWN else (self.kclass in classes)


def _lesion_facts(cn: _CnRow) -> dict[str, Fact]:
    """Rule 1: IKZF1 / ERG deletion facts; IKZF1plus is negative without an IKZF1 deletion.

    Every lesion column is validated, not only those used.
    """
    if cn.usable:
        for gene in LESION_GENES:
            _cn_state(cn.row, f"{gene.lower()}_status", cn.sample)
    ikzf1 = _cn_state(cn.row, "ikzf1_status", cn.sample) if cn.usable else UNKNOWN
    erg = _cn_state(cn.row, "erg_status", cn.sample) if cn.usable else UNKNOWN
    plus = _yes_no(cn.row, "ikzf1plus", cn.sample, "positive", "negative") if cn.usable else UNKNOWN
    if plus is UNKNOWN and ikzf1 is False:
        plus = False  # IKZF1plus requires an IKZF1 deletion
    return {
        "ikzf1_deleted": cn.fact(ikzf1),
        "erg_deleted": cn.fact(erg),
        "ikzf1plus": cn.fact(plus),
    }


def _karyotype(cn: _CnRow) -> _Karyotype:
    """Rule 2: karyotype class, modal number and masked warning; a warning hides the class."""
    if not cn.usable:
        return _Karyotype(UNKNOWN, UNKNOWN, UNKNOWN, "")
    r = cn.row
    kc = "" if _blank(r.get("karyotype_class")) else str(r["karyotype_class"]).strip()
    if kc and kc not in KARYOTYPE_CLASSES:
        raise InputError(
            f"copynumber column karyotype_class: expected one of {list(KARYOTYPE_CLASSES)}, "
            f"got {kc!r}",
            sample=cn.sample,
            table="copynumber",
        )
    kclass = kc if kc not in ("", "not_assessable") else UNKNOWN
    modal = _num(
        r.get("modal_chromosome_number"), "modal_chromosome_number", cn.sample, "copynumber"
    )
    masked = _yes_no(r, "masked_hypodiploidy_warning", cn.sample, "yes", "no")
    if masked is not True:
        return _Karyotype(kclass, modal, masked, "")
    mnote = "masked-hypodiploidy warning: the chromosome count may be a doubled hypodiploid"
    return _Karyotype(UNKNOWN, modal, masked, mnote)


#: ploidy fact -> (copy-number karyotype classes, subtype labels) that assert it
_PLOIDY_FACTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "high_hyperdiploid": (("high_hyperdiploid",), ("Hyperdiploid",)),
    "hypodiploid": (tuple(sorted(_HYPO_CLASSES)), ("Low hypodiploid", "Near haploid")),
    "low_hypodiploid": (("low_hypodiploid",), ("Low hypodiploid",)),
    "near_haploid": (("near_haploid",), ("Near haploid",)),
}
_UNASSESSED_NOTE = (
    "masked hypodiploidy not assessed (no LOH / allele data): a hyperdiploid count does "
    "not exclude a doubled hypodiploid (setting unassessed_masked_hypodiploidy)"
)


def _masking_unassessed(k: _Karyotype, label: Any, unassessed_masking: str) -> bool:
    """Rule 4a: a hyperdiploid count or call whose masking was not assessed."""
    looks_hyper = (
        k.kclass == "high_hyperdiploid"
        or label == "Hyperdiploid"
        or (k.modal is not UNKNOWN and k.modal >= 50)
    )
    return k.masked is UNKNOWN and looks_hyper and unassessed_masking == "unknown"


def _ploidy_fact(name: str, k: _Karyotype, label: Any, *, unassessed: bool) -> Fact:
    """Rule 4: one ploidy fact from the subtype call and the copy-number class combined.

    Under a masked-hypodiploidy warning only positive subtype evidence survives (a doubled
    hypodiploid looks hyperdiploid to expression classifiers too); when masking was not
    assessed, negative evidence of hypodiploidy does not count.
    """
    classes, labels = _PLOIDY_FACTS[name]
    cn_val = k.has(*classes)
    if name == "hypodiploid" and cn_val is UNKNOWN and k.modal is not UNKNOWN and k.masked is False:
        cn_val = k.modal < 44
    rna = UNKNOWN if label is UNKNOWN else (label in labels)
    if k.masked is True and (name == "high_hyperdiploid" or rna is False):
        rna = UNKNOWN
    if unassessed and name != "high_hyperdiploid":
        rna = UNKNOWN if rna is False else rna
        cn_val = UNKNOWN if cn_val is False else cn_val
    f = _combine(name, [("classify", rna), ("copynumber", cn_val)])
    if k.mnote and f.value is UNKNOWN:
        return Fact(UNKNOWN, f.source, f"{f.note}; {k.mnote}".strip("; "))
    if unassessed and f.value is UNKNOWN:
        return Fact(UNKNOWN, f.source, _UNASSESSED_NOTE)
    return f


def _iamp21_fact(cn: _CnRow, label: Any) -> Fact:
    """Rule 5: iAMP21 from the copy-number call and the subtype call combined."""
    cn_iamp = _yes_no(cn.row, "iamp21", cn.sample, "yes", "no") if cn.usable else UNKNOWN
    rna = UNKNOWN if label is UNKNOWN else (label == "iAMP21")
    return _combine("iamp21", [("classify", rna), ("copynumber", cn_iamp)])


def _trisomy_facts(cn: _CnRow, k: _Karyotype) -> dict[str, Fact]:
    """Rule 6: +4 / +10 / +17, known only where the karyotype class is."""
    tris: Any = UNKNOWN
    if cn.usable and k.kclass is not UNKNOWN:
        r = cn.row
        raw = "" if _blank(r.get("favourable_trisomies")) else str(r["favourable_trisomies"])
        tris = {t.strip() for t in raw.replace(",", ";").split(";") if t.strip()}
        if tris - {"+4", "+10", "+17"}:
            raise InputError(
                f"copynumber column favourable_trisomies: expected a ';'-list of +4, +10, +17, "
                f"got {raw!r}",
                sample=cn.sample,
                table="copynumber",
            )
    out = {}
    for chrom in ("4", "10", "17"):
        v = UNKNOWN if tris is UNKNOWN else (f"+{chrom}" in tris)
        out[f"trisomy_{chrom}"] = cn.fact(v, k.mnote)
    return out


def _copynumber_facts(
    row: Mapping[str, Any] | None, sample: str, label: Any, unassessed_masking: str
) -> dict[str, Fact]:
    """Copy-number facts, one helper per rule.

    1. :func:`_lesion_facts` -- IKZF1 / ERG deletion, IKZF1plus.
    2. :func:`_karyotype` -- class, modal number, masked-hypodiploidy warning.
    3. ``modal_chromosome_number`` -- unknown under a masked-hypodiploidy warning.
    4. :func:`_ploidy_fact` -- high hyperdiploid, hypodiploid, low hypodiploid, near haploid
       (with :func:`_masking_unassessed`).
    5. :func:`_iamp21_fact`.
    6. :func:`_trisomy_facts` -- favourable trisomies.
    """
    cn = _CnRow.of(row, sample)
    out = _lesion_facts(cn)
    k = _karyotype(cn)
    out["modal_chromosome_number"] = cn.fact(UNKNOWN if k.masked is True else k.modal, k.mnote)
    unassessed = _masking_unassessed(k, label, unassessed_masking)
    for name in _PLOIDY_FACTS:
        out[name] = _ploidy_fact(name, k, label, unassessed=unassessed)
    out["iamp21"] = _iamp21_fact(cn, label)
    out.update(_trisomy_facts(cn, k))
    return out


def build_facts(
    sample_id: str,
    *,
    classify: Mapping[str, Any] | None,
    copynumber: Mapping[str, Any] | None,
    clinical: Mapping[str, Any] | None,
    accepted_tiers: Sequence[str] = ("high", "medium"),
    unassessed_masking: str = "unknown",
) -> dict[str, Fact]:
    """Build the protocol-independent facts of one sample.

    Parameters
    ----------
    sample_id
        The sample (named in error messages).
    classify, copynumber, clinical
        The sample's row of each table as a mapping (column -> value), or ``None`` when
        the sample is absent from that table (all its facts are then unknown).
    accepted_tiers
        Confidence tiers of the subtype call that count as known genetics; lower tiers,
        ``unclassified`` and ``multiple candidates`` make subtype facts unknown.
    unassessed_masking
        ``"unknown"`` (default): a hyperdiploid count or call whose masked-hypodiploidy
        status was not assessed (``masked_hypodiploidy_warning`` not_assessable / no copy
        number) leaves the hypodiploidy facts unknown, since a doubled hypodiploid cannot
        be excluded [DOMAIN §5, S44]. ``"assume_absent"``: trust the count.

    Returns
    -------
    dict
        Fact name -> :class:`Fact` for every name in :data:`BASE_FACTS`.
    """
    facts = _clinical_facts(clinical, sample_id)
    cfacts, label, rna_lineage = _classify_facts(classify, sample_id, accepted_tiers)
    facts.update(cfacts)
    # T-ALL from the subtype call is lineage evidence too.
    if label == T_ALL:
        rna_lineage = "T"
    clin = facts["immunophenotype"]
    if clin.value is UNKNOWN and rna_lineage is not UNKNOWN:
        facts["immunophenotype"] = Fact(rna_lineage, "classify", "RNA lineage call")
    elif clin.value is not UNKNOWN and rna_lineage is not UNKNOWN and clin.value != rna_lineage:
        facts["immunophenotype"] = Fact(
            UNKNOWN,
            "clinical+classify",
            f"conflicting evidence (clinical says {clin.value}, RNA lineage says "
            f"{rna_lineage}); review needed",
        )
    if unassessed_masking not in ("unknown", "assume_absent"):
        raise ValueError(
            f"unassessed_masking: unknown or assume_absent, not {unassessed_masking!r}"
        )
    facts.update(_copynumber_facts(copynumber, sample_id, label, unassessed_masking))
    missing = set(BASE_FACTS) - set(facts)
    if missing:  # pragma: no cover - guards the catalogue against drift
        raise AssertionError(f"facts not built: {sorted(missing)}")
    return facts


@dataclass(frozen=True)
class MrdTimepoint:
    """An MRD time point of a protocol: which rows of the long MRD table feed it."""

    name: str
    method: str  # a method code of the MRD schema (the rule-set schema's enum matches it)
    tissue: str  # a tissue code of the MRD schema
    day_min: int
    day_max: int
    description: str = ""


#: MRD columns as :func:`allstrat.io.clinical.read_mrd` / ``mrd_frame`` types them (its
#: schema workflow/schemas/mrd.schema.yaml is the one list of tissues and methods)
_MRD_TYPES: dict[str, tuple[type, ...]] = {
    "day": (int, np.integer),
    "tissue": (str,),
    "method": (str,),
    "result": (str,),
    "fraction": (float, np.floating),
    "sensitivity": (float, np.floating),
}


def _typed_mrd(row: Mapping[str, Any], sample: str) -> tuple[int, str, str, str, float, float]:
    """(day, tissue, method, result, fraction, sensitivity) of one typed MRD row.

    Raises
    ------
    TypeError
        A value the MRD reader would not produce (e.g. the text ``"15"`` for the day):
        rows must come from :func:`allstrat.io.clinical.read_mrd` / ``mrd_frame``.
    """
    out: list[Any] = []
    for col, kinds in _MRD_TYPES.items():
        v = row.get(col)
        if not isinstance(v, kinds) or isinstance(v, bool | np.bool_):
            names = "/".join(k.__name__ for k in kinds)
            msg = (
                f"sample {sample!r}, MRD column {col}: expected {names}, as "
                f"allstrat.io.clinical types it; got {v!r}"
            )
            raise TypeError(msg)
        out.append(v)
    day, tissue, method, result, fraction, sens = out
    return int(day), tissue, method, result, float(fraction), float(sens)


def _mrd_value(
    result: str, fraction: float, sens: float, sensitivity_default: float, nq: float
) -> Any:
    """The :class:`Mrd` (or ``"not_done"``) of a typed row's result."""
    if result == "negative":
        return Mrd.negative(sensitivity_default if math.isnan(sens) else sens)
    if result == "positive_nq":
        return Mrd.positive_nq(nq)
    if result == "not_done":
        return "not_done"
    if result == "quantified":
        return Mrd.quantified(fraction)
    raise TypeError(f"MRD column result: expected one of the reader's results, got {result!r}")


def mrd_facts(
    rows: Sequence[Mapping[str, Any]],
    timepoints: Sequence[MrdTimepoint],
    sample_id: str,
    *,
    default_sensitivity: float,
    positive_nq_max: float,
) -> dict[str, Fact]:
    """Facts ``mrd_<tp>`` (an :class:`Mrd` or unknown) and ``mrd_<tp>_not_done``.

    A row feeds a time point when its method, tissue and day match. Several matching rows
    with different values give the interval hull (the comparison is then unknown if the
    values straddle a threshold). ``not_done`` is an explicit statement that the assay
    was not performed / had no marker; absence of a row is *unknown*, never "not done".

    Parameters
    ----------
    rows
        The sample's rows of the long MRD table as :func:`allstrat.io.clinical.read_mrd`
        types them (``day`` int, ``tissue`` / ``method`` the schema's codes, ``result``,
        ``fraction``, ``sensitivity``); an untyped row raises :class:`TypeError`.
    timepoints
        The protocol's time points.
    sample_id
        For error messages.
    default_sensitivity
        Detection limit assumed for a ``negative`` value with an empty sensitivity.
    positive_nq_max
        Upper bound of a "positive, not quantifiable" result.
    """
    out: dict[str, Fact] = {}
    parsed = []
    for row in rows:
        day, tissue, method, result, fraction, sens = _typed_mrd(row, sample_id)
        value = _mrd_value(result, fraction, sens, default_sensitivity, positive_nq_max)
        parsed.append((day, tissue, method, value))
    for tp in timepoints:
        vals = [
            v
            for day, tissue, method, v in parsed
            if tp.day_min <= day <= tp.day_max and tissue == tp.tissue and method == tp.method
        ]
        where = f"{tp.method} {tp.tissue} day {tp.day_min}-{tp.day_max}"
        measured = [v for v in vals if isinstance(v, Mrd)]
        not_done = [v for v in vals if v == "not_done"]
        if measured and not_done:
            out[f"mrd_{tp.name}"] = Fact(UNKNOWN, "mrd", f"{where}: conflicting rows")
            out[f"mrd_{tp.name}_not_done"] = Fact(UNKNOWN, "mrd", f"{where}: conflicting rows")
            continue
        if not measured:
            note = f"{where}: marked not done" if not_done else f"{where}: no measurement"
            out[f"mrd_{tp.name}"] = Fact(UNKNOWN, "mrd", note)
            out[f"mrd_{tp.name}_not_done"] = Fact(
                True if not_done else UNKNOWN, "mrd", "" if not_done else note
            )
            continue
        if len(measured) == 1:
            m = measured[0]
        else:
            lo = min(measured, key=lambda x: (x.lo, not x.lo_open))
            hi = max(measured, key=lambda x: (x.hi, not x.hi_open))
            det = {x.is_positive for x in measured}
            m = Mrd(
                lo.lo,
                hi.hi,
                lo.lo_open,
                hi.hi_open,
                text=" / ".join(str(x) for x in measured) + " (several rows)",
                detected=det.pop() if len(det) == 1 else UNKNOWN,
            )
        out[f"mrd_{tp.name}"] = Fact(m, "mrd", where)
        out[f"mrd_{tp.name}_not_done"] = Fact(False, "mrd", where)
    return out
