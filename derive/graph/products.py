"""The SymPy nodes that matrix products, transposes and their backward pass bring into a derivation.

``a @ b``, a transpose (``@``'s backward pass, and the spec's ``transpose(W)`` and ``W.T``: its
registry entry is in ``functions.py``, with the rule and vector-Jacobian product below), an outer
product (``@``'s backward pass for a vector operand) and n, the count a mean divides by.
``functions.py`` gives each its NumPy op and ``printing.DerivePrinter`` prints ``@`` and transposes.
"""

from __future__ import annotations

import sympy as sp


class count(sp.Function):  # noqa: N801
    """n, the number of elements a mean runs over (evaluated from the array's size)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Integer(0)  # a size, not a value: a second derivative of a mean keeps 1/n fixed


class matmul(sp.Function):  # noqa: N801
    """The matrix product ``a @ b`` (numbers come from the tape and NumPy; derivatives per entry).
    ``printing.DerivePrinter`` prints it, parenthesizing sums and products."""

    nargs = 2


class transpose(sp.Function):  # noqa: N801
    """A matrix's transpose, as the backward pass of ``@`` uses it (printed by ``DerivePrinter``);
    the transpose of a transpose is the matrix itself."""

    nargs = 1

    def __new__(cls, matrix: sp.Expr, **options: object) -> sp.Expr:
        return matrix.args[0] if isinstance(matrix, transpose) else super().__new__(cls, matrix, **options)


class outer(sp.Function):  # noqa: N801
    """The outer product of two vectors, as ``@``'s backward pass makes it for a 1-D operand:
    ``outer(x, G, 0)`` is x^T G (x a row), ``outer(G, v, 1)`` is G v^T; printed as that product."""

    nargs = 3


def transpose_vjp(args: tuple[sp.Expr, ...], g: sp.Expr) -> tuple[sp.Expr, ...]:
    """W^T sends its upstream gradient back transposed: G -> G^T."""
    return (transpose(g),)


def transpose_rule(argindex: int) -> tuple[sp.Expr, sp.Expr, tuple[tuple[sp.Expr, sp.Expr], ...]]:
    """∂(W^T)_ij/∂W_kl = δ_jk δ_il, from (W^T)_ij = W_ji: each entry moves, none changes."""
    i, j, k, el = sp.symbols("i j k l")
    entry = sp.Symbol("W^T_ij", real=True)
    derivative = sp.Derivative(entry, sp.Symbol("W_kl", real=True))
    result = sp.Mul(sp.KroneckerDelta(j, k), sp.KroneckerDelta(i, el), evaluate=False)
    return derivative, result, ((entry, sp.Symbol("W_ji", real=True)), (derivative, result))
