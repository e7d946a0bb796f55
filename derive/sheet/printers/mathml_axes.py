"""MathML for reductions along an axis and the sums a gradient states: a mixin of ``DeriveMathMLPrinter``.

``sum(x, 0)`` prints as sum with the subscript axis=0, a mean's n along its axis as n, a
gradient broadcast back along an axis as that gradient, and (1/n) Σ_i u as the scalar factor
then the sum, as ``tex.DerivePrinter`` prints them.
"""

from __future__ import annotations

from xml.dom import minidom

import sympy as sp

from ...graph.axes import along, axis_mean, axis_sum, count_along, scaled_sum

Element = minidom.Element


class AxesMathML:
    """The ``_print_`` methods for ``graph.axes``; the printer supplies ``element``, ``row``, ``mo``."""

    def _print_count_along(self, expr: count_along) -> Element:
        return self._print_count(expr)

    def _print_axis_sum(self, expr: axis_sum) -> Element:
        """sum(x, 0) as sum with the subscript axis=0, as ``tex.DerivePrinter`` prints it."""
        return self._reduction("sum", expr)

    def _print_axis_mean(self, expr: axis_mean) -> Element:
        return self._reduction("mean", expr)

    def _reduction(self, name: str, expr: sp.Expr) -> Element:
        axis = self.row(self.element("mi", text="axis", mathvariant="normal"), self.mo("="),
                        self._print(expr.args[1]))
        head = self.element("msub", self.element("mi", text=name, mathvariant="normal"), axis)
        return self.row(head, self._paren_comma_separated(expr.args[0]))

    def _print_scaled_sum(self, expr: scaled_sum) -> Element:
        """A scalar factor, then the sum over the elements, as ``tex.DerivePrinter`` prints it."""
        scale, body = expr.args
        inner = self._print(body)
        inner = self.fenced(inner) if body.is_Add else inner
        total = self.element("munder", self.mo("\u2211"), self.element("mi", text="i"))
        if scale == 1:
            return self.row(total, inner)
        if scale == -1:
            return self.row(self.mo("\u2212"), total, inner)
        return self.row(self._print(scale), total, inner)

    def _print_along(self, expr: along) -> Element:
        return self._print(expr.args[0])

