"""MathML for the sheet's forms (``sheet.forms``): partials, the question d/dx(...), dotted
products, sums of path terms, the descent rule, a matrix product's Jacobian, a path of names.

A mixin of ``mathml.DeriveMathMLPrinter``, whose builders (``element``, ``mo``, ``row``,
``fenced``, ``thin_space``) it uses; ``tex.DerivePrinter`` prints the same forms as TeX.
"""

from __future__ import annotations

from typing import Any

from .. import forms

Element = Any
"""A minidom element of the printer's DOM."""


class FormsMathML:
    """``_print_<Form>`` methods for ``DeriveMathMLPrinter``."""

    def _partial_mark(self, order: int) -> Element:
        mark = self.mo("\u2202")
        return self.element("msup", mark, self.element("mn", text=str(order))) if order > 1 else mark

    def _print_Partial(self, expr: forms.Partial) -> Element:
        bottom = self._print(expr.bottom)
        if expr.order > 1:
            bottom = self.element("msup", bottom, self.element("mn", text=str(expr.order)))
        return self.element("mfrac", self.row(self._partial_mark(expr.order), self._print(expr.top)),
                            self.row(self.mo("\u2202"), bottom))

    def _print_Slashed(self, expr: forms.Slashed) -> Element:
        partial = expr.partial
        bottom = self._print(partial.bottom)
        if partial.order > 1:
            bottom = self.element("msup", bottom, self.element("mn", text=str(partial.order)))
        return self.row(self._partial_mark(partial.order), self._print(partial.top), self.mo("/"),
                        self.mo("\u2202"), bottom)

    def _print_DerivativeOf(self, expr: forms.DerivativeOf) -> Element:
        variable = self._print(expr.variable)
        if expr.order > 1:
            variable = self.element("msup", variable, self.element("mn", text=str(expr.order)))
        bottom = self.row(self.mo("\u2202"), variable)
        operator = self.element("mfrac", self._partial_mark(expr.order), bottom)
        return self.row(operator, self.fenced(self._print(expr.expression)))

    def _print_Dotted(self, expr: forms.Dotted) -> Element:
        node = self.row()
        many = len(expr.args) > 1
        for index, factor in enumerate(expr.args):
            if index:
                node.appendChild(self.mo("\u00b7"))
            printed = self._print(factor)
            node.appendChild(self.fenced(printed) if many and factor.is_Add else printed)
        return node

    def _print_InOrder(self, expr: forms.InOrder) -> Element:
        factors = list(expr.args)
        node = self.row()
        if len(factors) > 1 and factors[0] == -1:
            node.appendChild(self.mo("\u2212"))
            factors = factors[1:]
        many = len(factors) > 1
        for index, factor in enumerate(factors):
            if index:
                node.appendChild(self.mo("\u2062"))
            printed = self._print(factor)
            fence = many and (factor.is_Add or (index and factor.could_extract_minus_sign()))
            node.appendChild(self.fenced(printed) if fence else printed)
        return node

    def _print_Terms(self, expr: forms.Terms) -> Element:
        if not expr.args:
            return self.element("mn", text="0")
        return self.signed_sum(list(expr.args))

    def _print_Continued(self, expr: forms.Continued) -> Element:
        """``+ c - d``: a sum's terms on a row of their own, the first with its sign."""
        first = expr.args[0]
        negative = first.could_extract_minus_sign()
        rest = self.signed_sum([-first if negative else first, *expr.args[1:]])
        return self.row(self.mo("\u2212" if negative else "+"), rest)

    def _print_Descent(self, expr: forms.Descent) -> Element:
        parameter, rate, gradient = (self._print(a) for a in expr.args)
        return self.row(parameter, self.mo("\u2212"), rate, self.thin_space(), gradient)

    def _print_State(self, expr: forms.State) -> Element:
        letter = self._print(expr.letter)
        if expr.hat:
            letter = self.element("mover", letter, self.mo("^"), accent="true")
        return letter if expr.parameter is None else self.element("msub", letter, self._print(expr.parameter))

    def _print_Jacobian(self, expr: forms.Jacobian) -> Element:
        indices, upstream, mapped = expr.args
        count = "index" if int(indices) == 1 else "indices"
        words = f"a Jacobian with {int(indices)} {count}; backpropagation maps\u00a0"
        return self.row(self.element("mtext", text=words), self._print(upstream), self.mo("\u21a6"),
                        self._print(mapped))

    def _print_Path(self, expr: forms.Path) -> Element:
        node = self.row()
        for index, name in enumerate(expr.args):
            if index:
                node.appendChild(self.mo("\u2192"))
            node.appendChild(self._print(name))
        return node
