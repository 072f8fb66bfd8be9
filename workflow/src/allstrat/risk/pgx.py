"""TPMT / NUDT15 diplotypes -> CPIC phenotypes -> mercaptopurine starting dose.

Allele functions come from the cited tables in ``resources/pharmacogenetics/`` (see its
README). Phenotypes (CPIC; DOMAIN.md §7, [S55, S56]):

* NM (normal metaboliser): two normal-function alleles;
* IM (intermediate): one normal + one no-function allele;
* PM (poor): two no-function alleles;
* possible IM: one no-function + one uncertain/unknown-function allele;
* indeterminate: normal + uncertain, or two uncertain alleles.

Starting dose for malignancy (DOMAIN.md §7: CPIC 2018 update + later edits):

* TPMT or NUDT15 PM: ~10% of the normal dose given 3 days a week;
* TPMT IM/possible IM **and** NUDT15 IM/possible IM: 20–50% of normal (CPIC 2024 update);
* either IM/possible IM: 30–80% of normal;
* both NM: normal starting dose.

An indeterminate or missing gene is treated as "could be any phenotype": when every
possibility gives the same dose (e.g. the other gene is PM) that dose is reported,
otherwise the recommendation is ``indeterminate`` with the CPIC follow-up actions
(TPMT: measure erythrocyte TPMT activity; NUDT15: monitor closely).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

import pandas as pd

from allstrat.errors import ConfigError, InputError
from allstrat.paths import resources_dir

__all__ = ["GenePhenotype", "assess_thiopurine", "load_allele_functions", "phenotype"]

FUNCTIONS = ("normal", "no_function", "uncertain", "unknown")
SOURCES = (
    "CPIC thiopurine guideline (Relling et al., Clin Pharmacol Ther 2019;105:1095) and "
    "later CPIC edits [S55, S56, S58]"
)
_DIPLO = re.compile(r"^\s*(\*[0-9]+[A-Z]?)\s*/\s*(\*[0-9]+[A-Z]?)\s*$")

DOSE_TEXT = {
    "PM": "start at ~10% of the normal daily dose given 3 days a week (e.g. 10 mg/m2/day "
    "on 3 days/week); 4-6 weeks to steady state before adjusting",
    "both_IM": "start at 20-50% of the normal dose (reduced function of both TPMT and "
    "NUDT15; CPIC 2024 update)",
    "IM": "start at 30-80% of the normal dose (if the normal dose is >=75 mg/m2/day or "
    ">=1.5 mg/kg/day, e.g. 25-60 mg/m2/day); 2-4 weeks to steady state before adjusting",
    "NM": "normal starting dose (e.g. 75 mg/m2/day); >=2 weeks between adjustments",
}
DOSE_CODE = {
    "PM": "reduce_to_10pct_3x_weekly",
    "both_IM": "reduce_to_20_50pct",
    "IM": "reduce_to_30_80pct",
    "NM": "normal",
}
FOLLOW_UP = {
    "TPMT": "TPMT indeterminate: measure erythrocyte TPMT activity",
    "NUDT15": "NUDT15 indeterminate: monitor closely (blood counts)",
}


@functools.cache
def load_allele_functions(gene: str, folder: str | None = None) -> dict[str, tuple[str, str]]:
    """Allele -> (function, note) for ``gene`` (TPMT or NUDT15) from the cited table."""
    d = Path(folder) if folder is not None else resources_dir() / "pharmacogenetics"
    path = d / f"{gene.lower()}_allele_function.tsv"
    if not path.is_file():
        raise ConfigError(f"{path}: allele-function table not found")
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    out: dict[str, tuple[str, str]] = {}
    for i, row in enumerate(table.to_dict("records"), start=2):
        if row.get("gene") != gene or row.get("function") not in FUNCTIONS:
            raise ConfigError(
                f"{path}:{i}: expected gene {gene} and function in {list(FUNCTIONS)}, got {row}"
            )
        out[row["allele"]] = (row["function"], row.get("note", ""))
    return out


@dataclass(frozen=True)
class GenePhenotype:
    """One gene's diplotype interpretation."""

    gene: str
    diplotype: str
    alleles: tuple[str, ...]
    functions: tuple[str, ...]
    phenotype: str  # NM, IM, PM, possible IM, indeterminate, not_tested
    notes: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "diplotype": self.diplotype,
            "alleles": list(self.alleles),
            "functions": list(self.functions),
            "phenotype": self.phenotype,
            "notes": list(self.notes),
        }


def phenotype(gene: str, diplotype: str | None, *, sample: str | None = None) -> GenePhenotype:
    """Interpret one gene's diplotype (``"*1/*3A"``); empty -> ``not_tested``.

    Raises
    ------
    InputError
        When the diplotype is not written as two star alleles separated by ``/``.
    """
    if diplotype is None or (isinstance(diplotype, float) and diplotype != diplotype):
        diplotype = ""
    diplotype = str(diplotype).strip()
    if not diplotype:
        return GenePhenotype(gene, "", (), (), "not_tested", ())
    m = _DIPLO.match(diplotype)
    if not m:
        raise InputError(
            f"clinical column {gene.lower()}_diplotype: expected two star alleles like "
            f"'*1/*3A', got {diplotype!r}",
            sample=sample,
            table="clinical",
        )
    table = load_allele_functions(gene)
    alleles = (m.group(1), m.group(2))
    funcs = []
    notes = []
    for a in alleles:
        if a in table:
            f, note = table[a]
            if note:
                notes.append(f"{gene}{a}: {note}")
        else:
            f = "uncertain"
            notes.append(f"{gene}{a} is not in the allele-function table: treated as uncertain")
        funcs.append("uncertain" if f == "unknown" else f)
    fs = sorted(funcs)
    if fs == ["normal", "normal"]:
        ph = "NM"
    elif fs == ["no_function", "normal"]:
        ph = "IM"
    elif fs == ["no_function", "no_function"]:
        ph = "PM"
    elif fs == ["no_function", "uncertain"]:
        ph = "possible IM"
    else:
        ph = "indeterminate"
    return GenePhenotype(gene, diplotype, alleles, tuple(funcs), ph, tuple(notes))


def _dose_class(tpmt: str, nudt15: str) -> str:
    reduced = {"IM", "possible IM"}
    if "PM" in (tpmt, nudt15):
        return "PM"
    if tpmt in reduced and nudt15 in reduced:
        return "both_IM"
    if tpmt in reduced or nudt15 in reduced:
        return "IM"
    return "NM"


def assess_thiopurine(
    tpmt_diplotype: str | None, nudt15_diplotype: str | None, *, sample: str | None = None
) -> dict[str, Any]:
    """Phenotypes and the mercaptopurine starting-dose recommendation (malignancy).

    Parameters
    ----------
    tpmt_diplotype, nudt15_diplotype
        Star-allele diplotypes (``"*1/*3A"``); empty or ``None`` = not tested.
    sample
        For error messages.

    Returns
    -------
    dict
        ``{"TPMT": {...}, "NUDT15": {...}, "recommendation": code, "text": ...,
        "follow_up": [...], "sources": ...}``; ``recommendation`` is ``not_assessed`` when
        neither gene was tested and ``indeterminate`` when the possibilities disagree.
    """
    t = phenotype("TPMT", tpmt_diplotype, sample=sample)
    n = phenotype("NUDT15", nudt15_diplotype, sample=sample)
    out: dict[str, Any] = {"TPMT": t.as_dict(), "NUDT15": n.as_dict(), "sources": SOURCES}
    if t.phenotype == "not_tested" and n.phenotype == "not_tested":
        out.update(
            recommendation="not_assessed", text="no TPMT/NUDT15 genotype given", follow_up=[]
        )
        return out
    open_ = ("NM", "IM", "PM")

    def _options(p: GenePhenotype) -> tuple[str, ...]:
        return open_ if p.phenotype in ("indeterminate", "not_tested") else (p.phenotype,)

    classes = {_dose_class(a, b) for a, b in product(_options(t), _options(n))}
    follow = [FOLLOW_UP[g.gene] for g in (t, n) if g.phenotype == "indeterminate"]
    follow += [f"{g.gene} not genotyped" for g in (t, n) if g.phenotype == "not_tested"]
    if len(classes) == 1:
        c = classes.pop()
        out.update(recommendation=DOSE_CODE[c], text=DOSE_TEXT[c], follow_up=follow)
    else:
        order = ["NM", "IM", "both_IM", "PM"]
        opts = sorted(classes, key=order.index)
        out.update(
            recommendation="indeterminate",
            text="starting dose depends on unresolved genotype(s); possible: "
            + "; ".join(DOSE_CODE[c] for c in opts),
            follow_up=follow,
        )
    return out
