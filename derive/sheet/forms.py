r"""The forms a sheet writes that are not the graph's arithmetic, as SymPy expressions.

A partial ``\frac{\partial L}{\partial w}``, the question ``\frac{\partial}{\partial x}(...)``,
a product of partials with dots, a sum of path terms, the descent rule, a path of names:
each is a small ``sp.Expr`` whose printers (``printers.tex``, ``printers.mathml``) write it,
so the sheet holds expressions and nothing assembles or cuts formulas as strings.
"""

from __future__ import annotations

import sympy as sp


class Form(sp.Expr):
    """A sheet form: an expression SymPy holds and compares but never evaluates."""

    def __new__(cls, *args: sp.Basic) -> Form:
        return sp.Expr.__new__(cls, *(sp.Integer(a) if isinstance(a, int) else a for a in args))


class Partial(Form):
    """d(top)/d(bottom), of ``order`` (``args``: top, bottom, order)."""

    @property
    def top(self) -> sp.Symbol:
        return self.args[0]

    @property
    def bottom(self) -> sp.Symbol:
        return self.args[1]

    @property
    def order(self) -> int:
        return int(self.args[2])


class Slashed(Form):
    r"""A partial set on one line, ``\partial L/\partial w`` (``args``: the ``Partial``): in a
    table's cell, where a stacked fraction would double the row's height."""

    @property
    def partial(self) -> Partial:
        return self.args[0]


class DerivativeOf(Form):
    """d/d(variable) applied to an expression, of ``order`` (``args``: expression, variable, order)."""

    @property
    def expression(self) -> sp.Basic:
        return self.args[0]

    @property
    def variable(self) -> sp.Symbol:
        return self.args[1]

    @property
    def order(self) -> int:
        return int(self.args[2])


class Dotted(Form):
    """Factors multiplied with a visible dot, in the order given (a path's local derivatives)."""


class InOrder(Form):
    """Factors side by side in the order given, a number first: a chain rule's textbook form
    ``(o - y) v1 (1 - h1^2) x1``, which SymPy's own order would turn into ``v1 x1 (1 - h1^2)(o - y)``."""


class Terms(Form):
    """Terms added in the order given (a chain rule's sum over paths)."""


class Continued(Form):
    """Terms that continue a sum broken across rows: each with its sign, the first too
    (``+ c - d`` under ``a + b``)."""


class Descent(Form):
    """The descent rule's right-hand side ``w - gamma dL/dw`` (``args``: parameter, rate, partial)."""


class State(Form):
    """An optimizer's state or quantity: its letter, with a hat for a bias correction, and the parameter
    it belongs to as a subscript, none in the general rule (``args``: letter, hat 0 or 1, parameter...):
    m, \\hat{v}_{w_1}, \\Delta_{b}. A number, so commutative: a quotient of states prints as a fraction."""

    is_commutative = True

    @property
    def letter(self) -> sp.Symbol:
        return self.args[0]

    @property
    def hat(self) -> bool:
        return bool(self.args[1])

    @property
    def parameter(self) -> sp.Basic | None:
        return self.args[2] if len(self.args) > 2 else None


def state(letter: str, hat: bool = False, parameter: sp.Basic | None = None) -> State:
    return State(sp.Symbol(letter), sp.Integer(int(hat)), *(() if parameter is None else (parameter,)))


class Jacobian(Form):
    """A matrix product's local derivative: a Jacobian with ``indices`` indices, which the
    backward pass applies as ``G -> map`` (``args``: indices, upstream G, map)."""


class Path(Form):
    """Names joined by arrows: the loss to a parameter through the graph."""


def partial(top: sp.Symbol, bottom: sp.Symbol, order: int = 1) -> Partial:
    return Partial(top, bottom, sp.Integer(order))


def derivative_of(expression: sp.Basic, variable: sp.Symbol, order: int = 1) -> DerivativeOf:
    return DerivativeOf(expression, variable, sp.Integer(order))
