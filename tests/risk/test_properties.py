"""Hypothesis properties of the risk engine.

* exactly one outcome per sample and protocol;
* removing an input never moves a patient to a lower-risk group: the possible groups
  only grow, a definite group either stays or becomes indeterminate (fact level and
  table level);
* a sample's result does not depend on the rest of the batch;
* diagnostic genetics from the lab: dropping a lab result or turning it into a failed test
  never lowers a definite group, and a lab/pipeline discordance (default policy) keeps
  every group either reading allows.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from allstrat.contracts import CLASSIFY_COLUMNS, COPYNUMBER_COLUMNS
from allstrat.io.clinical import clinical_frame, mrd_frame
from allstrat.risk import BASE_FACTS, assign_risk, evaluate_protocol, load_rulesets
from allstrat.risk.engine import INDETERMINATE
from allstrat.risk.expr import UNKNOWN
from allstrat.risk.facts import Fact
from allstrat.risk.lab import FINDING_FACTS, lab_facts, merge_lab
from allstrat.risk.ruleset import NOT_APPLICABLE

RULESETS = load_rulesets()
SUBTYPES = [
    "ETV6::RUNX1",
    "KMT2A",
    "BCR::ABL1",
    "Ph-like",
    "DUX4",
    "Hyperdiploid",
    "Low hypodiploid",
    "iAMP21",
    "TCF3::PBX1",
    "PAX5alt",
    "T-ALL",
]
STRING_CHOICES = {
    "sex": ["male", "female"],
    "immunophenotype": ["B", "T"],
    "cns_status": ["CNS1", "CNS2", "CNS3"],
    "prednisone_response": ["good", "poor"],
    "subtype": SUBTYPES,
}
NUMBER_RANGES = {
    "age_years": (0.0, 20.0),
    "wbc_1e9_per_l": (0.0, 300.0),
    "modal_chromosome_number": (24.0, 80.0),
}
# one day inside every protocol's window for each (method, tissue) time point, so that
# dropping an entry removes a protocol time point completely (dropping one of several
# disagreeing rows is not "removing an input": it resolves a conflict)
TIMEPOINTS = [
    ("flow", "PB", 8),
    ("flow", "BM", 15),
    ("flow", "BM", 29),
    ("PCR", "BM", 33),
    ("PCR", "BM", 78),
]
MRD_VALUES = st.one_of(
    st.sampled_from(["negative", "positive_nq", "not_done"]),
    st.sampled_from([1e-5, 5e-5, 1e-4, 4e-4, 5e-4, 1e-3, 2e-3, 1e-2, 0.05, 0.1, 0.3]).map(str),
)


def _known_value(name: str) -> st.SearchStrategy:
    kind = BASE_FACTS[name][0]
    if kind == "bool":
        return st.booleans()
    if kind == "number":
        lo, hi = NUMBER_RANGES[name]
        return st.one_of(
            st.floats(lo, hi, allow_nan=False), st.sampled_from([1.0, 10.0, 13.0, 18.0, 50.0])
        )
    return st.sampled_from(STRING_CHOICES[name])


def _fact_value(name: str) -> st.SearchStrategy:
    return st.one_of(_known_value(name), st.just(UNKNOWN))


FACTS = st.fixed_dictionaries({n: _fact_value(n) for n in BASE_FACTS})
MRD = st.dictionaries(
    st.sampled_from(TIMEPOINTS),
    st.tuples(MRD_VALUES, st.sampled_from(["", "1e-5", "1e-4", "1e-3"])),
    max_size=len(TIMEPOINTS),
)


def _raw_rows(mrd: dict) -> list[dict]:
    """MRD rows as a file gives them (negative / positive_nq state a sensitivity)."""
    return [
        {
            "sample_id": "S",
            "method": m,
            "tissue": t,
            "day": str(d),
            "value": v,
            "unit": "fraction",
            "sensitivity": s or ("1e-4" if v in ("negative", "positive_nq") else ""),
        }
        for (m, t, d), (v, s) in sorted(mrd.items())
    ]


def _mrd_table(raw: list[dict]) -> pd.DataFrame:
    """The MRD rows typed as the reader types them (risk facts take typed values)."""
    columns = ["sample_id", "method", "tissue", "day", "value", "unit", "sensitivity"]
    return mrd_frame(pd.DataFrame(raw, columns=columns))


def _rows(mrd: dict) -> list[dict]:
    return _mrd_table(_raw_rows(mrd)).to_dict("records")


def _facts(values: dict) -> dict[str, Fact]:
    return {k: Fact(v, "test") for k, v in values.items()}


def _check_one_outcome(rs, res):
    allowed = {*rs.groups, INDETERMINATE, NOT_APPLICABLE}
    assert res.risk_group in allowed
    fired = [e for e in res.trace["rules"] if e["outcome"] == "fired"]
    assert len(fired) == 1  # the catch-all guarantees one, first-hit stops at one
    why = {"fired": "condition true", "not fired": "condition false"}
    for e in res.trace["rules"]:  # the trace's reason agrees with the rule's outcome
        if e["outcome"] == "unknown":
            assert e["why"].startswith("condition unknown: depends on missing input(s) ")
        elif e["outcome"] != "not reached":
            assert e["why"] == why[e["outcome"]], e
    if res.risk_group == INDETERMINATE:
        assert len(res.possible_groups) >= 2
        assert res.missing_inputs
        if res.minimum_group:
            assert res.minimum_group in res.possible_groups
            ranked = [g for g in res.possible_groups if g != NOT_APPLICABLE]
            assert res.minimum_group == min(ranked, key=rs.rank)
    else:
        assert res.possible_groups == (res.risk_group,)
        assert res.missing_inputs == ()


@settings(max_examples=100, deadline=None)
@given(values=FACTS, mrd=MRD)
def test_property_exactly_one_outcome(values, mrd):
    for rs in RULESETS:
        res = evaluate_protocol(rs, "S", _facts(values), mrd_rows=_rows(mrd))
        _check_one_outcome(rs, res)


@settings(max_examples=200, deadline=None)
@given(
    values=FACTS,
    mrd=MRD,
    drop_facts=st.sets(st.sampled_from(sorted(BASE_FACTS)), min_size=1),
    drop_tps=st.sets(st.sampled_from(TIMEPOINTS)),
)
def test_property_removing_inputs_never_lowers_risk(values, mrd, drop_facts, drop_tps):
    reduced_values = {k: (UNKNOWN if k in drop_facts else v) for k, v in values.items()}
    reduced_mrd = {k: v for k, v in mrd.items() if k not in drop_tps}
    for rs in RULESETS:
        full = evaluate_protocol(rs, "S", _facts(values), mrd_rows=_rows(mrd))
        less = evaluate_protocol(rs, "S", _facts(reduced_values), mrd_rows=_rows(reduced_mrd))
        assert set(full.possible_groups) <= set(less.possible_groups), rs.protocol
        assert less.risk_group in (full.risk_group, INDETERMINATE), rs.protocol
        if full.minimum_group and less.minimum_group:
            assert rs.rank(less.minimum_group) <= rs.rank(full.minimum_group)
        # an annotation that applied still applies or is flagged as possible
        for a in full.annotations:
            assert a in less.annotations or f"possible:{a}" in less.annotations


# ---------------------------------------------------------------- table level
def _tables(p: dict, drop: set[str], *, conflict: bool = False):
    """One patient's four stage tables with the inputs named in ``drop`` removed.

    The full tables are consistent (the DNA karyotype and iAMP21 agree with the subtype;
    IKZF1plus is negative when IKZF1 is intact), so that removing a table only ever
    removes information. Two Hypothesis finds showed why this matters: with a
    copy-number table that contradicted an iAMP21 subtype, dropping the table *resolved*
    a conflict (indeterminate -> VERY_HIGH); and with IKZF1plus forced negative only while
    IKZF1 was intact, dropping IKZF1 *asserted* IKZF1plus. ``conflict=True`` builds the
    contradicting DNA reading on purpose (see the conflict property below).
    """
    sub = p["subtype"]
    kclass = {"Hyperdiploid": "high_hyperdiploid", "Low hypodiploid": "low_hypodiploid"}.get(
        sub, "diploid"
    )
    if conflict:  # the DNA reading contradicts the subtype's karyotype and iAMP21
        kclass = "diploid" if kclass != "diploid" else "high_hyperdiploid"
    iamp21 = "yes" if (sub == "iAMP21") != conflict else "no"
    ikzf1plus = "negative" if p["ikzf1"] == "normal" else p["ikzf1plus"]
    modal = {"high_hyperdiploid": "56", "low_hypodiploid": "35"}.get(kclass, "46")
    lineage = "T" if sub == "T-ALL" else "B"
    cls = dict.fromkeys(CLASSIFY_COLUMNS, "") | {
        "sample_id": "S",
        "subtype": sub,
        "confidence_tier": "low" if "classify" in drop else "high",
        "lineage": lineage,
        "ph_like_kinase_class": p["kinase"] if sub == "Ph-like" else "",
    }
    cn = dict.fromkeys(COPYNUMBER_COLUMNS, "") | {
        "sample_id": "S",
        "cn_source": "DNA",
        "ikzf1_status": "not_assessable" if "ikzf1" in drop else p["ikzf1"],
        "erg_status": "normal",
        "ikzf1plus": "not_assessable" if "ikzf1plus" in drop else ikzf1plus,
        "karyotype_class": "not_assessable" if "karyotype" in drop else kclass,
        "modal_chromosome_number": "" if "karyotype" in drop else modal,
        "masked_hypodiploidy_warning": "no",
        "favourable_trisomies": "+4;+10" if kclass == "high_hyperdiploid" else "",
        "iamp21": "not_assessable" if "karyotype" in drop else iamp21,
    }
    clin = {"sample_id": "S", "immunophenotype": lineage} | {
        k: ("" if k in drop else v) for k, v in p["clinical"].items()
    }
    mrd = [r for r in _raw_rows(p["mrd"]) if (r["method"], r["tissue"], int(r["day"])) not in drop]
    return (
        pd.DataFrame([cls]),
        pd.DataFrame([cn]),
        clinical_frame(pd.DataFrame([clin])),  # typed as the clinical reader types it
        _mrd_table(mrd),
    )


PATIENT = st.fixed_dictionaries(
    {
        "subtype": st.sampled_from(SUBTYPES),
        "kinase": st.sampled_from(["ABL-class", "JAK-STAT", "CRLF2-r", "unknown"]),
        "ikzf1": st.sampled_from(["normal", "deleted", "homozygous_deleted"]),
        "ikzf1plus": st.sampled_from(["positive", "negative"]),
        "clinical": st.fixed_dictionaries(
            {
                "age_years": st.sampled_from(["0.5", "1", "4", "9.9", "10", "12", "13", "17"]),
                "wbc_1e9_per_l": st.sampled_from(["3", "49", "50", "120"]),
                "down_syndrome": st.sampled_from(["yes", "no"]),
                "cns_status": st.sampled_from(["CNS1", "CNS2", "CNS3"]),
                "testicular_involvement": st.sampled_from(["yes", "no"]),
                "prednisone_response": st.sampled_from(["good", "poor"]),
                "induction_failure": st.sampled_from(["yes", "no", "no", "no"]),
            }
        ),
        "mrd": MRD,
    }
)
REMOVABLE = [
    "classify",
    "ikzf1",
    "ikzf1plus",
    "karyotype",
    "age_years",
    "wbc_1e9_per_l",
    "down_syndrome",
    "cns_status",
    "testicular_involvement",
    "prednisone_response",
    "induction_failure",
    *TIMEPOINTS,
]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patient=PATIENT, drop=st.sets(st.sampled_from(REMOVABLE), min_size=1, max_size=4))
def test_property_table_level_removal_never_lowers_risk(patient, drop):
    full, _ = assign_risk(
        RULESETS,
        **dict(
            zip(("classify", "copynumber", "clinical", "mrd"), _tables(patient, set()), strict=True)
        ),
    )
    less, _ = assign_risk(
        RULESETS,
        **dict(
            zip(("classify", "copynumber", "clinical", "mrd"), _tables(patient, drop), strict=True)
        ),
    )
    for f, r in zip(full, less, strict=True):
        assert (f.sample_id, f.protocol) == (r.sample_id, r.protocol)
        assert set(f.possible_groups) <= set(r.possible_groups), (f.protocol, drop)
        assert r.risk_group in (f.risk_group, INDETERMINATE), (f.protocol, drop)


CONFLICTABLE = {"Hyperdiploid", "Low hypodiploid", "iAMP21"}


def _assign(tables) -> dict[str, object]:
    res, _ = assign_risk(
        RULESETS,
        **dict(zip(("classify", "copynumber", "clinical", "mrd"), tables, strict=True)),
    )
    return {r.protocol: r for r in res}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patient=PATIENT.filter(lambda p: p["subtype"] in CONFLICTABLE))
def test_property_conflicting_sources_never_resolved_to_the_lower_reading(patient):
    """Subtype and DNA disagree (karyotype / iAMP21): the conflict is never resolved
    silently in favour of the lower-risk reading.

    For each source alone that gives a definite group, the combined result either keeps
    that group possible (indeterminate) or is a group at least as high.
    """
    both = _assign(_tables(patient, set(), conflict=True))
    rna_only = _assign(_tables(patient, {"karyotype"}, conflict=True))
    dna_only = _assign(_tables(patient, {"classify"}, conflict=True))
    for rs in RULESETS:
        r = both[rs.protocol]
        for alone in (rna_only[rs.protocol], dna_only[rs.protocol]):
            if alone.risk_group in (INDETERMINATE, NOT_APPLICABLE):
                continue
            if r.risk_group == INDETERMINATE:
                assert alone.risk_group in r.possible_groups, (rs.protocol, alone, r)
            elif r.risk_group != NOT_APPLICABLE:
                assert rs.rank(r.risk_group) >= rs.rank(alone.risk_group), (rs.protocol, r)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patients=st.lists(PATIENT, min_size=2, max_size=4))
def test_property_batch_one_row_per_sample_protocol_and_independence(patients):
    frames = {"classify": [], "copynumber": [], "clinical": [], "mrd": []}
    singles = {}
    for i, p in enumerate(patients):
        tabs = _tables(p, set())
        sid = f"S{i:02d}"
        tabs = [t.assign(sample_id=sid) for t in tabs]
        for k, t in zip(frames, tabs, strict=True):
            frames[k].append(t)
        alone, _ = assign_risk(RULESETS, **dict(zip(frames, tabs, strict=True)))
        singles[sid] = alone
    batch, traces = assign_risk(RULESETS, **{k: pd.concat(v) for k, v in frames.items()})
    keys = [(r.sample_id, r.protocol) for r in batch]
    assert len(keys) == len(set(keys)) == len(patients) * len(RULESETS)
    for r in batch:
        alone = next(a for a in singles[r.sample_id] if a.protocol == r.protocol)
        assert (alone.risk_group, alone.decided_by_rule, alone.annotations) == (
            r.risk_group,
            r.decided_by_rule,
            r.annotations,
        )
    assert sorted(traces["samples"]) == sorted(singles)


# ---------------------------------------------------------------- diagnostic genetics
LAB_ROWS = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(sorted(FINDING_FACTS)),
            st.sampled_from(["positive", "negative", "failed"]),
            st.sampled_from(["FISH", "RT-PCR", "karyotype", "SNP_array"]),
            st.just(float("nan")),
        ),
        st.tuples(
            st.just("DNA_index"),
            st.sampled_from(["measured", "failed"]),
            st.just("flow_DNA_index"),
            st.sampled_from([0.6, 0.9, 0.96, 1.0, 1.12, 1.16, 1.2, 1.4]),
        ),
        st.tuples(
            st.just("modal_number"),
            st.sampled_from(["measured", "failed"]),
            st.just("karyotype"),
            st.sampled_from([26.0, 35.0, 43.0, 44.0, 46.0, 47.0, 48.0, 50.0, 51.0, 56.0, 70.0]),
        ),
    ),
    max_size=6,
)


def _mostly_known(name: str) -> st.SearchStrategy:
    # drawn without a filter: filtering UNKNOWN out of every fact tripped Hypothesis'
    # filter_too_much health check now and then (a flaky CI failure)
    base = _known_value(name)
    return st.one_of(*[base] * 9, st.just(UNKNOWN))


# mostly-known pipeline facts and a full MRD series, so that many results are definite and
# a lab result can actually move them (with everything unknown nothing could fail)
KNOWN_FACTS = st.fixed_dictionaries({n: _mostly_known(n) for n in BASE_FACTS})
FULL_MRD = st.fixed_dictionaries(
    {tp: st.tuples(MRD_VALUES, st.sampled_from(["1e-5", "1e-4"])) for tp in TIMEPOINTS}
)


_FAVOURABLE = {
    n: {"bool": False, "number": {"age_years": 5.0, "wbc_1e9_per_l": 10.0}.get(n, 46.0)}.get(
        BASE_FACTS[n][0],
        {"sex": "female", "immunophenotype": "B", "cns_status": "CNS1"}.get(n, "good"),
    )
    for n in BASE_FACTS
} | {"subtype": "DUX4", "bcr_abl1": True}  # the RNA says BCR::ABL1 ...
_NEGATIVE_MRD = dict.fromkeys(TIMEPOINTS, ("negative", "1e-5"))
_LAB_SAYS_NO = [("BCR::ABL1", "negative", "RT-PCR", float("nan"))]  # ... RT-PCR says no


def _lab(rows) -> list[dict]:
    return [
        {"sample_id": "S", "finding": f, "result": r, "method": m, "value": v, "date": ""}
        for f, r, m, v in rows
    ]


def _merged(values: dict, rows, policy: str = "review") -> dict[str, Fact]:
    return merge_lab(_facts(values), lab_facts(_lab(rows)), policy)[0]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=KNOWN_FACTS,
    mrd=FULL_MRD,
    rows=LAB_ROWS,
    drop=st.sets(st.integers(0, 5)),
    fail=st.booleans(),
)
# a discordant row dropped: under "lab_decides" this would move SR -> HR (the test fails
# with that policy), under the default "review" the full result is already indeterminate
@example(values=_FAVOURABLE, mrd=_NEGATIVE_MRD, rows=_LAB_SAYS_NO, drop={0}, fail=False)
@example(values=_FAVOURABLE, mrd=_NEGATIVE_MRD, rows=_LAB_SAYS_NO, drop={0}, fail=True)
def test_property_missing_lab_results_never_lower_risk(values, mrd, rows, drop, fail):
    """Dropping lab rows or turning them into failed tests never lowers a definite group."""
    if fail:
        reduced = [(f, "failed", m, float("nan")) if i in drop else (f, r, m, v)
                   for i, (f, r, m, v) in enumerate(rows)]  # fmt: skip
    else:
        reduced = [row for i, row in enumerate(rows) if i not in drop]
    for rs in RULESETS:
        full = evaluate_protocol(rs, "S", _merged(values, rows), mrd_rows=_rows(mrd))
        less = evaluate_protocol(rs, "S", _merged(values, reduced), mrd_rows=_rows(mrd))
        if full.risk_group != INDETERMINATE:
            assert less.risk_group in (full.risk_group, INDETERMINATE), rs.protocol
            assert full.risk_group in less.possible_groups, rs.protocol


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=KNOWN_FACTS, mrd=FULL_MRD, rows=LAB_ROWS)
@example(values=_FAVOURABLE, mrd=_NEGATIVE_MRD, rows=_LAB_SAYS_NO)
def test_property_discordance_never_lowers_risk(values, mrd, rows):
    """Under the default policy a lab/pipeline discordance keeps every group that either
    reading (lab decides / pipeline decides) allows: never a lower definite group.
    """
    lab = lab_facts(_lab(rows))
    pipe = _facts(values)
    silent = {k: v for k, v in lab.items() if k in pipe and pipe[k].value is UNKNOWN}
    readings = {
        "lab": merge_lab(pipe, lab, "lab_decides")[0],
        "pipeline": merge_lab(pipe, silent, "review")[0],
    }
    review, discordances = merge_lab(pipe, lab, "review")
    for d in discordances:
        assert review[d["fact"]].value is UNKNOWN
        assert "DISCORDANT" in review[d["fact"]].note
    for rs in RULESETS:
        res = evaluate_protocol(rs, "S", review, mrd_rows=_rows(mrd))
        for name, facts in readings.items():
            alt = evaluate_protocol(rs, "S", facts, mrd_rows=_rows(mrd))
            assert set(alt.possible_groups) <= set(res.possible_groups), (rs.protocol, name)
