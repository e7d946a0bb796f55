"""Tidying a gradient for the sheet: the shortest of its factored, written and expanded forms;
a local derivative's common number in front (2 (o - y)), and a path's product in the order of the path.

SymPy's ``diff`` writes c (2 x - 2 mean(x)) and sum(G c (-2 x + 2 mean(x)))/n; a textbook writes
2 c (x - mean(x)) - 2 sum(c (x - mean(x)))/n. ``tidy`` tries the forms (numbers and signs taken
out of sums, a minus sign into its one sum, 1 - p below a fraction bar) and keeps the shortest,
within the counted simplification budget; a mean's n stays the symbol n throughout.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from ..graph.axes import total
from ..graph.products import count
from .budget import simplified


def size(expression: sp.Expr) -> int:
    """How long an expression reads: SymPy's operation count, n (a mean's count) as one symbol."""
    return sp.count_ops(expression.replace(lambda e: isinstance(e, count), lambda e: _N))


_N = sp.Symbol("n")


def tidy(expression: sp.Expr) -> sp.Expr:
    """The shortest of the expression's factoring, itself and its expansion (in that order on a
    tie): 2 (o - y) / n rather than 2 o / n - 2 y / n, o (1 - o) rather than -o (o - 1)."""
    return simplified("tidy", expression, _tidied, expression)  # factoring can take minutes


def _tidied(expression: sp.Expr) -> sp.Expr:
    counts = {call: sp.Dummy("n") for call in expression.atoms(count)}  # n stays n, never factored into
    plain = expression.xreplace(counts)
    candidates = []
    for form in (sp.factor, lambda e: e, sp.expand, _sums_factored):
        try:
            candidates.append(_sign_inside(form(plain)))
        except (sp.PolynomialError, NotImplementedError, TypeError):
            pass
    back = {dummy: call for call, dummy in counts.items()}
    return min(candidates, key=size).xreplace(back)


def _sums_factored(expression: sp.Expr) -> sp.Expr:
    """Each term with its numbers taken out (2 c (x - μ), not c (2x - 2μ)), and out of a sum over the
    elements with its sign, matched to a factor another term has: 2 G c (x - μ) - 2 sum(G c (x - μ))/n,
    the cross terms a mean brings, rather than sum(G c (2μ - 2x))/n."""
    terms = [sp.factor_terms(term) for term in sp.Add.make_args(expression)]
    factors = {f for term in terms for f in sp.Mul.make_args(term) if f.is_Add}

    def pulled(call: sp.Expr) -> sp.Expr:
        coefficient, rest = sp.factor_terms(call.args[0]).as_coeff_Mul()
        parts = sp.Mul.make_args(rest)
        flipped = [-f if f.is_Add and -f in factors else f for f in parts]
        changes = sum(a is not b for a, b in zip(flipped, parts, strict=True))
        return (-1) ** changes * coefficient * total(sp.Mul(*flipped))

    return sp.Add(*(term.replace(lambda e: isinstance(e, total), pulled) for term in terms))


def _sign_inside(expression: sp.Expr) -> sp.Expr:
    """-2 (y - o) / n as 2 (o - y) / n: a product's minus sign taken into its one sum."""
    def negated(factor: sp.Expr) -> sp.Expr:
        if factor.is_Add:
            return sp.Add(*(-term for term in factor.args))
        return sp.Pow(negated(factor.base), factor.exp)

    def flip(product: sp.Mul) -> sp.Expr:
        coefficient, rest = product.as_coeff_Mul()
        factors = sp.Mul.make_args(rest)
        sums = [f for f in factors if f.is_Add]
        below = [f for f in factors if f.is_Pow and f.base.is_Add and f.exp == -1]
        if coefficient >= 0 or len(sums) + len(below) == 0 or (not below and len(sums) > 1):
            return product
        chosen = below[0] if below else sums[0]  # 1/(1 - p) rather than 1/(p - 1)
        others = [f for f in factors if f is not chosen]
        return sp.Mul(-coefficient, negated(chosen), *others)

    def one_minus(product: sp.Mul) -> sp.Expr:
        """(y - p) / (p - 1) as (p - y) / (1 - p): the denominator reads 1 - p, as sigma' does."""
        factors = sp.Mul.make_args(product)
        below = [f for f in factors if f.is_Pow and f.base.is_Add and f.exp == -1
                 and any(t.is_Number and t.is_negative for t in f.base.args)]
        above = [f for f in factors if f.is_Add]
        if len(below) != 1 or len(above) != 1:
            return product
        others = [f for f in factors if f is not below[0] and f is not above[0]]
        return sp.Mul(negated(below[0]), negated(above[0]), *others)

    flipped = expression.replace(lambda e: e.is_Mul and e.as_coeff_Mul()[0].is_negative, flip)
    return flipped.replace(lambda e: e.is_Mul, one_minus)


def common_number_out(expression: sp.Expr) -> sp.Expr:
    """A sum whose terms share a number and keep no other, with the number in front, as a
    textbook writes squared error's derivative: 2 (o - y), not SymPy's 2 o - 2 y (6 w1 + 2 w2 stays);
    likewise the one sum of a product, 2 (y - T)/n for a mean's (2 y - 2 T)/n."""
    if expression.is_Mul:
        sums = [f for f in expression.args if f.is_Add]
        pulled = common_number_out(sums[0]) if len(sums) == 1 else None
        if pulled is None or not pulled.is_Mul:
            return expression
        number, rest = pulled.args
        others = [f for f in expression.args if f is not sums[0]]
        return sp.Mul(number, *others, rest, evaluate=False)
    if not expression.is_Add:
        return expression
    number, rest = expression.as_content_primitive()
    if number == 1 or not rest.is_Add or any(abs(t.as_coeff_Mul()[0]) != 1 for t in rest.args):
        return expression
    return sp.Mul(number, rest, evaluate=False)


def in_path_order(factors: list[sp.Expr], cancel: Callable[[sp.Expr], sp.Expr | None]) -> tuple[sp.Expr, ...]:
    """The textbook form of a path's product as its factors: from the loss down, each pair of
    neighbours that cancels (BCE' times sigma' = p - y) replaced by its short form, the others as
    they are (1 - h^2, never (h - 1)(h + 1)), one number in front, ones left out:
    (o - y), v1, (1 - h1^2), x1. ``cancel`` gives a pair's shorter form, or None."""
    merged: list[sp.Expr] = []
    for factor in factors:  # from the loss down, as the path's edges run
        pair = cancel(merged[-1] * factor) if merged else None
        if pair is not None:
            merged[-1] = pair
        else:
            merged.append(factor)
    flat = [a for f in merged for a in (f.args if f.is_Mul and sp.fraction(f)[1] == 1 else (f,))]
    coefficient = sp.Mul(*(f for f in flat if f.is_Number))
    rest = tuple(f for f in flat if not f.is_Number)
    return rest if coefficient == 1 and rest else (coefficient, *rest)
