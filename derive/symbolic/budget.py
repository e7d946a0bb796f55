"""How much factoring and cancelling a derivation may do: work that is counted, never timed.

SymPy's ``cancel`` and ``factor`` first write an expression as one fraction p/q of expanded
polynomials, and their time grows with the terms and degrees of p and q: a product of four sixth
powers of sums has 4,116 terms expanded and took 15 s; a chain of eight ratios spent 11 s in 72
calls. Before simplifying, those terms and degrees are bounded by counting over the expression's
tree (``expanded``, nothing is expanded); past ``MAX_WORK``, or once a derivation has spent its
``BUDGET``, the expression stays as derived. Counts do not depend on the machine or its load, so
the same spec gives the same sheet everywhere. Each distinct expression is simplified once per
derivation (paths share their pairs of factors).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

import sympy as sp

from .bounds import small

MAX_WORK = 300
"""Work (``Expanded.work``) of one expression beyond which it is not simplified: the built-in
examples' simplifications need at most 132 (BCE after a sigmoid after tanh); the slowest below 300
took 0.17 s, measured on 2 cores at a load of 13."""
MAX_DIGITS = 100
"""Digits of a coefficient (as an exact fraction) beyond which an expression is not factored: a
huber delta of 1e-200 (a float p / 2^667, 216 digits) took 1.3 s to factor, of 3.9e-277 3 s; 1e-100
(115 digits) 0.09 s, 1e-50 0.06 s."""
BUDGET = 4_000
"""Work one derivation may spend on simplifying: the tanh-sigmoid network spends 1,828; 12 chained
sigmoids spend 3,852 in 76 simplifications, 1.9 s at a load of 13 (about 0.5 ms a unit)."""
MIN_CHARGE = 10
"""What a simplification costs at least, however small (SymPy's own overhead per call)."""

Result = TypeVar("Result")


@dataclass(frozen=True)
class Expanded:
    """Upper bounds on an expression written as one fraction p/q of expanded polynomials, as
    ``cancel`` and ``factor`` write it (calls, symbols and non-integer powers are its variables)."""

    terms: int
    """Terms of p."""
    degree: int
    """Total degree of p."""
    below_terms: int = 1
    """Terms of q."""
    below_degree: int = 0
    """Total degree of q."""
    digits: int = 0
    """Digits of the largest coefficient, as an exact fraction (a float 3.9e-277 is p / 2^972)."""

    @property
    def work(self) -> int:
        """What cancelling and factoring cost grows with: terms times degree, of p and q."""
        return self.terms * max(self.degree, 1) + self.below_terms * max(self.below_degree, 1)


def expanded(expression: sp.Expr) -> Expanded:
    """``Expanded`` bounds of ``expression``, counted over its distinct subexpressions (no expansion
    done): a sum adds terms over a common denominator, a product multiplies them, an integer power
    n of t terms has at most C(t + n - 1, n)."""
    known: dict[sp.Basic, Expanded] = {}
    stack: list[tuple[sp.Basic, bool]] = [(expression, False)]
    while stack:
        node, ready = stack.pop()
        if node in known:
            continue
        parts = _polynomial_parts(node)
        if ready or not parts:
            known[node] = _combine(node, [known[part] for part in parts])
            continue
        stack.append((node, True))
        stack.extend((part, False) for part in parts if part not in known)
    return known[expression]


def _polynomial_parts(node: sp.Basic) -> tuple[sp.Basic, ...]:
    """The parts a polynomial view of ``node`` is built from (none: ``node`` is one variable)."""
    if node.is_Add or node.is_Mul:
        return node.args
    if node.is_Pow and node.exp.is_Integer:
        return (node.base,)
    return ()


def _combine(node: sp.Basic, parts: list[Expanded]) -> Expanded:
    if node.is_Number:
        return Expanded(1, 0, digits=_digits(node))
    if not parts:
        return Expanded(1, _variable_degree(node))
    if node.is_Mul:
        return Expanded(_capped(math.prod(p.terms for p in parts)), sum(p.degree for p in parts),
                        _capped(math.prod(p.below_terms for p in parts)), sum(p.below_degree for p in parts),
                        sum(p.digits for p in parts))
    if node.is_Add:
        below = _capped(math.prod(p.below_terms for p in parts))
        below_degree = sum(p.below_degree for p in parts)
        terms = sum(_capped(p.terms * below // p.below_terms) for p in parts)
        degree = max(p.degree + below_degree - p.below_degree for p in parts)
        return Expanded(_capped(terms), degree, below, below_degree, max(p.digits for p in parts))
    base, n = parts[0], int(node.exp)
    power = Expanded(_power_terms(base.terms, abs(n)), base.degree * abs(n),
                     _power_terms(base.below_terms, abs(n)), base.below_degree * abs(n), base.digits * abs(n))
    if n >= 0:
        return power
    return Expanded(power.below_terms, power.below_degree, power.terms, power.degree, power.digits)


def _variable_degree(node: sp.Basic) -> int:
    """The degree of one variable of the polynomial view: 1, but a power with a numeric exponent
    p/q is written over base**(1/q) to the p-th (``cancel`` does): a float exponent as a fraction has
    a numerator near 2^52 (A1 ** -15.14218279665667 hung cancel's gcd on integers of that degree)."""
    if node.is_Pow and node.exp.is_Number and not node.exp.is_Integer:
        exact = sp.Rational(node.exp) if node.exp.is_Float else node.exp
        if exact.is_Rational:
            return _capped(max(1, abs(int(exact.p))))
    return 1


def _digits(number: sp.Number) -> int:
    """Decimal digits of ``number`` as an exact fraction p/q (counted from bits, never printed)."""
    exact = sp.Rational(number) if number.is_Float else number
    if not exact.is_Rational:  # nan, infinities
        return 0
    bits = abs(int(exact.p)).bit_length() + int(exact.q).bit_length()
    return math.ceil(bits * math.log10(2))


CAP = 10**9
"""Counts stop here: a bound this large already says "too much", and stays a small integer."""


def _capped(value: int) -> int:
    return min(value, CAP)


def _power_terms(terms: int, n: int) -> int:
    """At most how many terms (t terms)^n has expanded: the monomials of degree n in t symbols."""
    if terms == 1 or n == 0:
        return 1
    if n > 64 or terms > 10**4:
        return CAP
    return _capped(math.comb(terms + n - 1, n))


@dataclass
class _Ledger:
    """What is left of a derivation's budget, and what it has simplified already."""

    left: int
    done: dict[tuple[str, sp.Basic], object] = field(default_factory=dict)


_LEDGER: ContextVar[_Ledger | None] = ContextVar("derive_simplification_ledger", default=None)


@contextmanager
def simplification_budget(work: int = BUDGET) -> Iterator[None]:
    """Let the simplifications inside share ``work`` (and their results)."""
    token = _LEDGER.set(_Ledger(work))
    try:
        yield
    finally:
        _LEDGER.reset(token)


def simplified(kind: str, expression: sp.Expr, simplify: Callable[[sp.Expr], Result],
               fallback: Result) -> Result:
    """``simplify(expression)`` if its counted work is within ``MAX_WORK`` and what is left of the
    budget, else ``fallback``; ``kind`` names the simplification, for reusing a result."""
    ledger = _LEDGER.get()
    key = (kind, expression)
    if ledger is not None and key in ledger.done:
        return ledger.done[key]  # type: ignore[return-value]
    result = fallback
    if small(expression):
        bound = expanded(expression)
        work = bound.work
        if work <= MAX_WORK and bound.digits <= MAX_DIGITS and (ledger is None or work <= ledger.left):
            if ledger is not None:
                ledger.left -= max(work, MIN_CHARGE)
            result = simplify(expression)
    if ledger is not None:
        ledger.done[key] = result
    return result
