"""The condition language: parsing, Kleene logic, MRD intervals, no eval."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allstrat.risk.expr import UNKNOWN, ExprError, Mrd, evaluate, names_in, parse, settings_in


def ev(text, facts=None, settings=None):
    facts = facts or {}

    def resolve(name):
        v = facts.get(name, UNKNOWN)
        return v, frozenset({name}) if v is UNKNOWN else frozenset()

    return evaluate(parse(text), resolve, settings or {})


@pytest.mark.parametrize(
    ("a", "b", "and_", "or_"),
    [
        (True, True, True, True),
        (True, False, False, True),
        (False, False, False, False),
        (True, UNKNOWN, UNKNOWN, True),
        (False, UNKNOWN, False, UNKNOWN),
        (UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN),
    ],
)
def test_kleene_truth_tables(a, b, and_, or_):
    f = {"a": a, "b": b}
    assert ev("a and b", f)[0] is and_
    assert ev("b and a", f)[0] is and_
    assert ev("a or b", f)[0] is or_
    assert ev("b or a", f)[0] is or_


def test_not_and_missing_names():
    assert ev("not x")[0] is UNKNOWN
    assert ev("not x")[1] == {"x"}
    assert ev("not x", {"x": True})[0] is False
    v, missing = ev("age_years < 10 and wbc < 50", {"age_years": 4.0})
    assert v is UNKNOWN
    assert missing == {"wbc"}
    # a false conjunct settles the result: nothing is missing
    v, missing = ev("age_years < 1 and wbc < 50", {"age_years": 4.0})
    assert v is False
    assert missing == frozenset()


def test_comparisons_strings_lists_settings():
    f = {"age": 12.0, "cns": "CNS3", "sub": "KMT2A"}
    assert ev("age >= $cut", f, {"cut": 10.0})[0] is True
    assert ev("age < 1.2e1", f)[0] is False
    assert ev("cns == 'CNS3' and sub in ['KMT2A', \"BCR::ABL1\"]", f)[0] is True
    assert ev("sub not in ['KMT2A']", f)[0] is False
    assert ev("missing in ['x']", f)[0] is UNKNOWN
    assert ev("$flag and age > 1", f, {"flag": False})[0] is False


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("age >", "position 6"),
        ("age >= 1 and", "position 13"),
        ("(age > 1", "expected ')'"),
        ("age > 1 ) ", "unexpected ')'"),
        ("__import__('os')", "unknown function"),
        ("age ; 1", "unexpected character ';'"),
        ("x in y", "expected a list"),
        ("", "empty condition"),
        ("$ 1", "setting name"),
    ],
)
def test_syntax_errors_name_the_position(text, where):
    with pytest.raises(ExprError, match=where.replace("(", r"\(").replace(")", r"\)")):
        parse(text)


def test_type_errors_are_reported():
    with pytest.raises(ExprError, match="cannot compare a string"):
        ev("cns > 3", {"cns": "CNS3"})
    with pytest.raises(ExprError, match="expected true/false"):
        ev("age and true", {"age": 3.0})
    with pytest.raises(ExprError, match="needs an MRD value"):
        ev("positive(age)", {"age": 3.0})


def test_no_python_evaluation_happens():
    # attribute access / calls / dunder names are not part of the grammar
    for text in ("age.__class__", "open('x')", "lambda: 1", "[1][0]"):
        with pytest.raises(ExprError):
            parse(text)


def test_names_and_settings_listed():
    node = parse("a and (b or $s) and positive(m) and c in ['x']")
    assert names_in(node) == ["a", "b", "m", "c"]
    assert settings_in(node) == ["s"]


def test_mrd_interval_comparisons():
    neg = Mrd.negative(1e-4)  # [0, 1e-4)
    assert neg.compare(">=", 5e-4) is False
    assert neg.compare("<", 1e-4) is True
    assert neg.compare(">=", 1e-5) is UNKNOWN
    nq = Mrd.positive_nq(1e-4)  # (0, 1e-4)
    assert nq.compare(">", 0.0) is True
    assert nq.compare(">=", 1e-4) is False
    q = Mrd.quantified(5e-4)
    assert q.compare(">=", 5e-4) is True
    assert q.compare("<", 5e-4) is False
    assert ev("positive(m)", {"m": nq})[0] is True
    assert ev("negative(m)", {"m": neg})[0] is True
    assert ev("negative(m)", {"m": Mrd.quantified(0.0)})[0] is True
    v, missing = ev("m >= 1e-5", {"m": neg})
    assert v is UNKNOWN
    assert missing == {"m:imprecise"}


@given(
    lo=st.floats(0, 1, allow_nan=False),
    width=st.floats(0, 1, allow_nan=False),
    t=st.floats(0, 1, allow_nan=False),
)
def test_mrd_interval_is_consistent_with_its_points(lo, width, t):
    hi = min(1.0, lo + width)
    m = Mrd(lo, hi)
    r = m.compare(">=", t)
    if r is True:
        assert lo >= t
        assert hi >= t
    elif r is False:
        assert lo < t
        assert hi < t
    else:
        assert lo < t <= hi
    assert Mrd.quantified(lo).compare(">=", t) is (lo >= t)
