"""The sheet's parts for names, expressions and partials under the spec's notation.

``Parts`` is what the builders use instead of TeX: each method returns a ``formula.Symbolic``
(an expression and the sheet's ``Notation``), which the printers write on demand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sympy as sp

from ..graph.dag import Graph
from ..graph.functions import matmul, transpose
from . import forms
from .formula import PLAIN, Notation, Symbolic


class Parts:
    """Parts for one graph: ``arrays`` names the array-valued inputs, parameters and nodes."""

    def __init__(self, graph: Graph, notation: Mapping[str, str], arrays: Iterable[str] = ()) -> None:
        self.graph = graph
        self.notation = Notation.of(notation, arrays)

    def symbol(self, name: str) -> sp.Symbol:
        return self.graph.symbols[name]

    def name(self, name: str, role: str = "given") -> Symbolic:
        return Symbolic(self.symbol(name), self.notation, role)

    def expr(self, expression: sp.Basic, role: str = "step") -> Symbolic:
        return Symbolic(expression, self.notation, role)

    def general(self, expression: sp.Basic, role: str = "step") -> Symbolic:
        """A function's general rule: its letters (z, p, y) are the rule's own, not the graph's
        names, so neither the notation nor the graph's arrays apply (sigma(z)(1 - sigma(z)),
        never an element-wise product because the graph holds an array named z)."""
        return Symbolic(expression, PLAIN, role)

    def written(self, expression: sp.Basic, role: str = "given") -> Symbolic:
        """An unevaluated expression in the order the spec wrote it."""
        return Symbolic(expression, self.notation, role, written=True)

    def partial_form(self, top: str, bottom: str, order: int = 1) -> forms.Partial:
        return forms.partial(self.symbol(top), self.symbol(bottom), order)

    def partial(self, top: str, bottom: str, order: int = 1) -> Symbolic:
        """d(top)/d(bottom) as a given part (a question's left-hand side)."""
        return self.expr(self.partial_form(top, bottom, order), "given")

    def slashed(self, top: str, bottom: str, order: int = 1) -> Symbolic:
        """d(top)/d(bottom) on one line, for a table's cell."""
        return self.expr(forms.Slashed(self.partial_form(top, bottom, order)), "given")


def letter(name: str) -> Symbolic:
    """A letter the templates name in their prose (the A and B of a matrix product, gamma)."""
    return Symbolic(sp.Symbol(name), PLAIN, "given")


_A, _B, _G = sp.symbols("A B G")
_MATRICES = Notation(arrays=frozenset("ABG"))
PRODUCT_RULE = {name: Symbolic(expr, _MATRICES, "given") for name, expr in (
    ("AB", matmul(_A, _B)), ("GBT", matmul(_G, transpose(_B))), ("ATG", matmul(transpose(_A), _G)))}
"""The backward rule of a matrix product, as the sheet states it: A B sends G B^T to A, A^T G to B."""


RATE_LETTERS = ("eta", "alpha", "gamma", "kappa")
"""The learning rate's symbol: eta, unless the spec already names something so (then the next)."""


def rate_symbol(graph: Graph) -> sp.Symbol:
    """The learning rate's letter on this sheet: eta, or the first of ``RATE_LETTERS`` the spec
    does not use itself (a sheet whose parameter is gamma never writes gamma <- gamma - gamma ...)."""
    taken = {symbol.name for symbol in graph.symbols.values()} | set(graph.symbols)
    return sp.Symbol(next(letter for letter in RATE_LETTERS if letter not in taken))
