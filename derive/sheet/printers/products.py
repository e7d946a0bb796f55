"""How a product is set, shared by both printers: which array factors go under a fraction bar,
a scale in front where a fraction would sit over a fraction, and the textbook order of factors."""

from __future__ import annotations

import sympy as sp

from ...symbolic.backprop import Upstream
from .. import forms


def split_quotient(factors: list[sp.Expr]) -> tuple[list[sp.Expr], list[sp.Expr]]:
    """Array factors under a fraction bar (those with a negative power, as positive powers) and over it."""
    under = [f.base ** -f.exp for f in factors if f.is_Pow and f.exp.is_negative]
    return under, [f for f in factors if not (f.is_Pow and f.exp.is_negative)]


def scaled_fraction(expr: sp.Mul) -> tuple[sp.Expr, sp.Expr, sp.Expr] | None:
    """(over, under, body) for a product that would set a fraction over a fraction, ``(dL/dmu)/n``
    or ``2 (dL/dv)(h - mu)/n``: printed as a fraction of numbers and scalars in front, ``(1/n) dL/dmu``,
    ``(2/n) (dL/dv)(h - mu)``, as a textbook writes it; None for any other product."""
    numerator, denominator = sp.fraction(expr, exact=True)
    if denominator == 1 or not (numerator.atoms(Upstream) or numerator.atoms(forms.Partial)):
        return None
    over, body = numerator.as_coeff_Mul()
    return over, denominator, body


def factor_rank(factor: sp.Expr) -> int:
    """Textbook factor order: symbols and sigma first, then sums, then log and exp."""
    if factor.is_Add or (factor.is_Pow and factor.base.is_Add and factor.exp.is_positive):
        return 1
    if isinstance(factor, sp.log | sp.exp) or (factor.is_Pow and factor.base == sp.E):
        return 2
    return 0
