"""TeX from SymPy: a small ``LatexPrinter`` subclass for derive's notation.

It applies the spec's ``[notation]`` to symbols, writes factors before parenthesised
sums (``sigma(z)(1 - sigma(z))``, ``x_1(A_2 - Y)``), prints ReLU's step as an indicator,
and, for equations shown as the instructor wrote them, keeps source order.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp
from sympy.printing.latex import LatexPrinter


def _factor_rank(factor: sp.Expr) -> int:
    """Textbook factor order: symbols and sigma first, then sums, then log and exp."""
    if factor.is_Add or (factor.is_Pow and factor.base.is_Add and factor.exp.is_positive):
        return 1
    if isinstance(factor, sp.log | sp.exp) or (factor.is_Pow and factor.base == sp.E):
        return 2
    return 0


class DerivePrinter(LatexPrinter):
    """LaTeX with the spec's notation; ``source_order`` keeps unevaluated trees as written."""

    def __init__(self, notation: Mapping[str, str] | None = None, source_order: bool = False):
        super().__init__({"order": "none"} if source_order else {})
        self.notation = dict(notation or {})
        self.source_order = source_order

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        if expr.name in self.notation:
            return self.notation[expr.name]
        return super()._print_Symbol(expr, style)

    def _print_Mul(self, expr: sp.Mul) -> str:
        if self.source_order:
            if expr.args and expr.args[0] == -1:
                rest = sp.Mul(*expr.args[1:], evaluate=False)
                return "- " + self.parenthesize(rest, 1000 if rest.is_Add else 0)
            return super()._print_Mul(expr)
        coefficient, _ = expr.as_coeff_Mul()
        if coefficient.is_negative:
            return "- " + self._print(-expr)
        factors = list(expr.as_ordered_factors())
        ordered = sorted(factors, key=_factor_rank)
        if ordered == factors:
            return super()._print_Mul(expr)
        self._settings["order"] = "none"
        try:
            return super()._print_Mul(sp.Mul(*ordered, evaluate=False))
        finally:
            self._settings["order"] = None

    def _print_Heaviside(self, expr: sp.Heaviside, exp: str | None = None) -> str:
        tex = rf"\mathbf{{1}}\left[{self._print(expr.args[0])} > 0\right]"
        return rf"{tex}^{{{exp}}}" if exp else tex


def tex(expression: sp.Basic, notation: Mapping[str, str] | None = None) -> str:
    """TeX of a derived (evaluated) expression."""
    return DerivePrinter(notation).doprint(expression)


def tex_as_written(expression: sp.Basic, notation: Mapping[str, str] | None = None) -> str:
    """TeX of an unevaluated expression, in the order the spec wrote it."""
    return DerivePrinter(notation, source_order=True).doprint(expression)
