"""A small, safe condition language with three-valued (Kleene) logic.

Rule conditions in the protocol rule sets are strings in this language. They are parsed
by a hand-written recursive-descent parser into a tiny AST and evaluated by
:func:`evaluate`; nothing is ever passed to ``eval``/``exec``.

Grammar (lowest precedence first)::

    expr     := or
    or       := and ("or" and)*
    and      := not ("and" not)*
    not      := "not" not | compare
    compare  := operand (("<" | "<=" | ">" | ">=" | "==" | "!=") operand
                         | "in" list | "not" "in" list)?
    operand  := NUMBER | STRING | "true" | "false" | NAME | "$" NAME
              | NAME "(" expr ("," expr)* ")" | "(" expr ")" | list
    list     := "[" (operand ("," operand)*)? "]"

``NAME`` is a fact (``age_years``, ``mrd_tp2``); ``$NAME`` is a rule-set setting. Strings
use single or double quotes. Functions: ``positive(mrd)``, ``negative(mrd)``.

Values are ``bool``, ``float``, ``str``, :class:`Mrd` (an MRD measurement, i.e. an
interval of possible fractions) or :data:`UNKNOWN`. Any comparison with an unknown operand
is unknown; ``and``/``or``/``not`` follow Kleene's strong three-valued logic
(``false and unknown`` is false, ``true or unknown`` is true). Evaluation also returns the
names of the unknown facts an unknown result depends on, so that a trace can say which
missing inputs matter.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "UNKNOWN",
    "ExprError",
    "Mrd",
    "Node",
    "compiled",
    "evaluate",
    "names_in",
    "parse",
    "settings_in",
    "walk",
]


class _Unknown:
    """The third truth value (and the value of a missing fact)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "unknown"

    def __bool__(self) -> bool:
        raise TypeError("unknown has no Python truth value; compare with `is UNKNOWN`")


UNKNOWN: Any = _Unknown()


class ExprError(ValueError):
    """A syntax error (with character position) or a type error during evaluation."""


@dataclass(frozen=True)
class Mrd:
    """An MRD measurement as an interval of possible leukaemic-cell fractions.

    Parameters
    ----------
    lo, hi
        Bounds of the possible fraction.
    lo_open, hi_open
        Whether the bound itself is excluded.
    text
        The value as reported (``"0.0012"``, ``"negative"``, ``"positive_nq"``).
    """

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False
    text: str = ""
    detected: Any = None  # True / False / UNKNOWN; None = derive from the bounds

    @classmethod
    def quantified(cls, value: float) -> Mrd:
        """A quantified fraction (a point interval)."""
        return cls(value, value, text=f"{value:g}", detected=value > 0)

    @classmethod
    def negative(cls, sensitivity: float) -> Mrd:
        """Not detected at the given sensitivity: the fraction is in ``[0, sensitivity)``."""
        return cls(
            0.0, sensitivity, hi_open=True, text=f"negative (<{sensitivity:g})", detected=False
        )

    @classmethod
    def positive_nq(cls, quantitative_range: float) -> Mrd:
        """Positive, not quantifiable: in ``(0, quantitative_range)``."""
        return cls(
            0.0,
            quantitative_range,
            lo_open=True,
            hi_open=True,
            text=f"positive not quantifiable (<{quantitative_range:g})",
            detected=True,
        )

    @property
    def is_positive(self) -> bool | Any:
        """Whether leukaemic cells were detected (unknown for disagreeing repeat rows)."""
        if self.detected is not None:
            return self.detected
        return self.lo > 0 or self.lo_open

    def compare(self, op: str, t: float) -> bool | Any:
        """Three-valued ``self <op> t``: true/false when every/no value in the interval
        satisfies it, otherwise unknown.
        """
        if op in ("<", "<="):
            inv = {"<": ">=", "<=": ">"}[op]
            r = self.compare(inv, t)
            return UNKNOWN if r is UNKNOWN else (not r)
        if op == ">=":
            all_true = self.lo > t or (self.lo == t and not self.lo_open)
            none_true = self.hi < t or (self.hi == t and self.hi_open)
        elif op == ">":
            all_true = self.lo > t or (self.lo == t and self.lo_open)
            none_true = self.hi <= t
        else:
            raise ExprError(f"MRD values support <, <=, >, >= only, not {op!r}")
        if all_true:
            return True
        if none_true:
            return False
        return UNKNOWN

    def __str__(self) -> str:
        return self.text or f"[{self.lo:g}, {self.hi:g}]"


# --------------------------------------------------------------------------- AST
@dataclass(frozen=True)
class Node:
    """One AST node: ``kind`` in lit, fact, setting, list, not, and, or, cmp, in, call."""

    kind: str
    value: Any = None
    args: tuple[Node, ...] = ()
    pos: int = 0


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
    | (?P<str>'[^']*'|"[^"]*")
    | (?P<op><=|>=|==|!=|<|>|\(|\)|\[|\]|,|\$)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false"}
FUNCTIONS: dict[str, int] = {"positive": 1, "negative": 1}


def _tokenise(text: str) -> list[tuple[str, str, int]]:
    toks: list[tuple[str, str, int]] = []
    i = 0
    n = len(text)
    while i < n:
        if text[i:].strip() == "":
            break
        m = _TOKEN.match(text, i)
        if not m or m.end() == i:
            j = i + (len(text[i:]) - len(text[i:].lstrip()))
            raise ExprError(f"unexpected character {text[j]!r} at position {j + 1}")
        kind = m.lastgroup or ""
        val = m.group(kind)
        start = m.start(kind)
        if kind == "name" and val in _KEYWORDS:
            kind = "kw"
        toks.append((kind, val, start))
        i = m.end()
    toks.append(("end", "", n))
    return toks


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokenise(text)
        self.i = 0

    def peek(self, offset: int = 0) -> tuple[str, str, int]:
        return self.toks[min(self.i + offset, len(self.toks) - 1)]

    def take(self) -> tuple[str, str, int]:
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, kind: str, val: str) -> None:
        k, v, p = self.take()
        if (k, v) != (kind, val):
            got = "end of condition" if k == "end" else repr(v)
            raise ExprError(f"expected {val!r} at position {p + 1}, got {got}")

    def parse(self) -> Node:
        node = self.or_()
        k, v, p = self.peek()
        if k != "end":
            raise ExprError(f"unexpected {v!r} at position {p + 1}")
        return node

    def or_(self) -> Node:
        items = [self.and_()]
        while self.peek()[:2] == ("kw", "or"):
            self.take()
            items.append(self.and_())
        return items[0] if len(items) == 1 else Node("or", args=tuple(items), pos=items[0].pos)

    def and_(self) -> Node:
        items = [self.not_()]
        while self.peek()[:2] == ("kw", "and"):
            self.take()
            items.append(self.not_())
        return items[0] if len(items) == 1 else Node("and", args=tuple(items), pos=items[0].pos)

    def not_(self) -> Node:
        k, v, p = self.peek()
        if (k, v) == ("kw", "not"):
            self.take()
            return Node("not", args=(self.not_(),), pos=p)
        return self.compare()

    def compare(self) -> Node:
        left = self.operand()
        k, v, p = self.peek()
        if k == "op" and v in ("<", "<=", ">", ">=", "==", "!="):
            self.take()
            right = self.operand()
            return Node("cmp", value=v, args=(left, right), pos=p)
        if (k, v) == ("kw", "in"):
            self.take()
            return Node("in", value=False, args=(left, self.list_()), pos=p)
        if (k, v) == ("kw", "not") and self.peek(1)[:2] == ("kw", "in"):
            self.take()
            self.take()
            return Node("in", value=True, args=(left, self.list_()), pos=p)
        return left

    def list_(self) -> Node:
        k, v, p = self.peek()
        if (k, v) != ("op", "["):
            raise ExprError(f"expected a list [...] after 'in' at position {p + 1}")
        self.take()
        items: list[Node] = []
        if self.peek()[:2] != ("op", "]"):
            items.append(self.operand())
            while self.peek()[:2] == ("op", ","):
                self.take()
                items.append(self.operand())
        self.expect("op", "]")
        for it in items:
            if it.kind != "lit":
                raise ExprError(f"list items must be literals (position {it.pos + 1})")
        return Node("list", args=tuple(items), pos=p)

    def operand(self) -> Node:
        k, v, p = self.take()
        if k == "num":
            return Node("lit", value=float(v), pos=p)
        if k == "str":
            return Node("lit", value=v[1:-1], pos=p)
        if k == "kw" and v in ("true", "false"):
            return Node("lit", value=(v == "true"), pos=p)
        if k == "op" and v == "$":
            k2, v2, p2 = self.take()
            if k2 != "name":
                raise ExprError(f"expected a setting name after '$' at position {p2 + 1}")
            return Node("setting", value=v2, pos=p)
        if k == "name":
            if self.peek()[:2] == ("op", "("):
                if v not in FUNCTIONS:
                    raise ExprError(
                        f"unknown function {v!r} at position {p + 1}; known: {sorted(FUNCTIONS)}"
                    )
                self.take()
                args = [self.or_()]
                while self.peek()[:2] == ("op", ","):
                    self.take()
                    args.append(self.or_())
                self.expect("op", ")")
                if len(args) != FUNCTIONS[v]:
                    raise ExprError(f"{v}() takes {FUNCTIONS[v]} argument(s) (position {p + 1})")
                return Node("call", value=v, args=tuple(args), pos=p)
            return Node("fact", value=v, pos=p)
        if k == "op" and v == "(":
            node = self.or_()
            self.expect("op", ")")
            return node
        if k == "op" and v == "[":
            self.i -= 1
            return self.list_()
        got = "end of condition" if k == "end" else repr(v)
        raise ExprError(f"expected a value at position {p + 1}, got {got}")


def parse(text: str) -> Node:
    """Parse a condition; raise :class:`ExprError` with the position on a syntax error.

    Examples
    --------
    >>> parse("age_years >= 1 and wbc_1e9_per_l < $wbc_cut").kind
    'and'
    """
    if not isinstance(text, str) or not text.strip():
        raise ExprError("empty condition")
    return _Parser(text).parse()


def walk(node: Node) -> list[Node]:
    """Every node of a condition tree, the root first, then depth-first left to right.

    Examples
    --------
    >>> [n.kind for n in walk(parse("a > 1"))]
    ['cmp', 'fact', 'lit']
    """
    out = [node]
    for a in node.args:
        out.extend(walk(a))
    return out


#: per node (by id; the node is kept so its id stays its own): fact names, setting names
_NAMES: dict[int, tuple[Node, tuple[str, ...], tuple[str, ...]]] = {}


def _names(node: Node) -> tuple[Node, tuple[str, ...], tuple[str, ...]]:
    hit = _NAMES.get(id(node))
    if hit is None or hit[0] is not node:
        facts: dict[str, None] = {}
        settings: dict[str, None] = {}
        for n in walk(node):
            if n.kind == "fact":
                facts.setdefault(n.value, None)
            elif n.kind == "setting":
                settings.setdefault(n.value, None)
        hit = _NAMES[id(node)] = (node, tuple(facts), tuple(settings))
    return hit


def names_in(node: Node) -> list[str]:
    """Fact names referenced by a condition (in order of first appearance)."""
    return list(_names(node)[1])


def settings_in(node: Node) -> list[str]:
    """Setting names (``$name``) referenced by a condition."""
    return list(_names(node)[2])


# ---------------------------------------------------------------------- evaluate
_EMPTY: frozenset[str] = frozenset()
Resolver = Callable[[str], tuple[Any, frozenset[str]]]


def _type_name(v: Any) -> str:
    if v is UNKNOWN:
        return "unknown"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, float | int):
        return "number"
    if isinstance(v, Mrd):
        return "MRD value"
    return "string" if isinstance(v, str) else type(v).__name__


def _as_truth(v: Any, node: Node) -> bool | Any:
    if v is UNKNOWN or isinstance(v, bool):
        return v
    raise ExprError(
        f"expected true/false at position {node.pos + 1}, got a {_type_name(v)} ({v!r})"
    )


def _compare(op: str, a: Any, b: Any, node: Node) -> bool | Any:
    if isinstance(a, Mrd) and isinstance(b, float | int) and not isinstance(b, bool):
        return a.compare(op, float(b))
    if isinstance(b, Mrd) and isinstance(a, float | int) and not isinstance(a, bool):
        flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}[op]
        return b.compare(flipped, float(a))
    num = (float, int)
    a_num = isinstance(a, num) and not isinstance(a, bool)
    b_num = isinstance(b, num) and not isinstance(b, bool)
    if a_num and b_num:
        if math.isnan(a) or math.isnan(b):
            return UNKNOWN
        return {
            "<": a < b,
            "<=": a <= b,
            ">": a > b,
            ">=": a >= b,
            "==": a == b,
            "!=": a != b,
        }[op]
    if op in ("==", "!=") and type(a) is type(b) and isinstance(a, str | bool):
        return (a == b) if op == "==" else (a != b)
    raise ExprError(
        f"cannot compare a {_type_name(a)} ({a!r}) with a {_type_name(b)} ({b!r}) "
        f"using {op!r} at position {node.pos + 1}"
    )


def evaluate(
    node: Node, facts: Resolver, settings: Mapping[str, Any]
) -> tuple[Any, frozenset[str]]:
    """Evaluate a parsed condition.

    Parameters
    ----------
    node
        The parsed condition (:func:`parse`).
    facts
        Callable returning ``(value, missing)`` for a fact name, where ``missing`` is the
        set of input names that make the value unknown (empty when known).
    settings
        Setting values by name (``$name``).

    Returns
    -------
    value, missing
        The value (``True``/``False``/a plain value/:data:`UNKNOWN`) and, when unknown,
        the names of the missing inputs it depends on.
    """
    return compiled(node)(facts, settings)


def compiled(node: Node) -> Evaluator:
    """``node`` as a function ``(facts, settings) -> (value, missing)`` (see :func:`evaluate`).

    Compiled once per node; callers that evaluate a condition many times keep it.
    """
    hit = _COMPILED.get(id(node))
    if hit is None or hit[0] is not node:
        hit = _COMPILED[id(node)] = (node, _compile(node))
    return hit[1]


Evaluator = Callable[[Resolver, Mapping[str, Any]], tuple[Any, frozenset[str]]]
#: compiled conditions by node id (the node is kept so its id stays its own)
_COMPILED: dict[int, tuple[Node, Evaluator]] = {}


def _compile(node: Node) -> Evaluator:
    """A closure that evaluates ``node`` exactly as the tree walk of the language does.

    Same order of evaluation, short cuts, results, missing-input sets and errors as
    interpreting the tree node by node (tests/risk/test_expr.py), without re-dispatching
    on the node kind at every step: the risk stage evaluates ~10^6 conditions per chunk.
    """
    k = node.kind
    if k == "lit":
        const = (node.value, _EMPTY)
        return lambda facts, settings: const
    if k == "fact":
        name = node.value
        return lambda facts, settings: facts(name)
    if k == "setting":
        return _compile_setting(node)
    if k == "not":
        return _compile_not(node)
    if k in ("and", "or"):
        return _compile_and_or(node)
    if k == "cmp":
        return _compile_cmp(node)
    if k == "in":
        return _compile_in(node)
    if k == "call":
        return _compile_call(node)

    def fail(facts: Resolver, settings: Mapping[str, Any]) -> tuple[Any, frozenset[str]]:
        if k == "list":
            raise ExprError(f"a list can only follow 'in' (position {node.pos + 1})")
        raise ExprError(f"unknown node kind {k!r}")  # pragma: no cover

    return fail


def _compile_setting(node: Node) -> Evaluator:
    name = node.value

    def setting(facts: Resolver, settings: Mapping[str, Any]) -> tuple[Any, frozenset[str]]:
        if name not in settings:
            raise ExprError(f"unknown setting ${name} at position {node.pos + 1}")
        return settings[name], _EMPTY

    return setting


def _compile_not(node: Node) -> Evaluator:
    arg = node.args[0]
    sub = _compile(arg)

    def not_(facts: Resolver, settings: Mapping[str, Any]) -> tuple[Any, frozenset[str]]:
        v, miss = sub(facts, settings)
        v = _as_truth(v, arg)
        return (UNKNOWN, miss) if v is UNKNOWN else (not v, _EMPTY)

    return not_


def _compile_and_or(node: Node) -> Evaluator:
    decisive = node.kind == "or"  # the value that settles the result
    other = not decisive
    subs = [(_compile(a), a) for a in node.args]
    settled = (decisive, _EMPTY)
    open_ = (other, _EMPTY)

    def and_or(facts: Resolver, settings: Mapping[str, Any]) -> tuple[Any, frozenset[str]]:
        missing: frozenset[str] | None = None  # of the unknown operands so far
        for sub, a in subs:
            v, miss = sub(facts, settings)
            if v is decisive:
                return settled
            if v is UNKNOWN:
                missing = miss if missing is None else missing | miss
            elif v is not other:  # not a truth value
                _as_truth(v, a)  # raises
        if missing is not None:
            return UNKNOWN, frozenset(missing)
        return open_

    return and_or


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def _compile_cmp(node: Node) -> Evaluator:
    op = node.value
    left, right = _compile(node.args[0]), _compile(node.args[1])
    imprecise = frozenset(f"{n}:imprecise" for n in names_in(node)) or frozenset(
        {"imprecise value"}
    )

    fop = _OPERATORS[op]
    equality = op in ("==", "!=")

    def cmp(facts: Resolver, settings: Mapping[str, Any]) -> tuple[Any, frozenset[str]]:
        a, ma = left(facts, settings)
        b, mb = right(facts, settings)
        if a is UNKNOWN or b is UNKNOWN:
            return UNKNOWN, ma | mb
        ta, tb = type(a), type(b)
        if ta is float and tb is float:  # the usual case, as _compare does it
            if a != a or b != b:  # NaN
                return UNKNOWN, imprecise
            return fop(a, b), _EMPTY
        if equality and ta is str and tb is str:
            return fop(a, b), _EMPTY
        r = _compare(op, a, b, node)
        if r is UNKNOWN:  # known but imprecise (an MRD interval straddling the threshold)
            return r, imprecise
        return r, _EMPTY

    return cmp


def _compile_in(node: Node) -> Evaluator:
    sub = _compile(node.args[0])
    items = [it.value for it in node.args[1].args]
    floats = [it for it in items if isinstance(it, float)]
    negate = bool(node.value)

    def in_(facts: Resolver, settings: Mapping[str, Any]) -> tuple[Any, frozenset[str]]:
        a, ma = sub(facts, settings)
        if a is UNKNOWN:
            return UNKNOWN, ma
        hit = any(type(a) is type(it) and a == it for it in items) or (
            isinstance(a, float | int) and any(a == it for it in floats) and not isinstance(a, bool)
        )
        return (not hit) if negate else hit, _EMPTY

    return in_


def _compile_call(node: Node) -> Evaluator:
    sub = _compile(node.args[0])
    conflicting = frozenset(f"{n}:conflicting" for n in names_in(node.args[0]))
    positive = node.value == "positive"

    def call(facts: Resolver, settings: Mapping[str, Any]) -> tuple[Any, frozenset[str]]:
        v, miss = sub(facts, settings)
        if v is UNKNOWN:
            return UNKNOWN, miss
        if not isinstance(v, Mrd):
            raise ExprError(
                f"{node.value}() needs an MRD value at position {node.pos + 1}, "
                f"got a {_type_name(v)}"
            )
        pos = v.is_positive
        if pos is UNKNOWN:
            return UNKNOWN, conflicting
        return (pos if positive else (not pos)), _EMPTY

    return call
