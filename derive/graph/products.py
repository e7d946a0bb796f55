"""The SymPy nodes that matrix products and their backward pass bring into a derivation.

``a @ b``, a transpose, an outer product (``@``'s backward pass for a vector operand) and
n, the count a mean divides by. They are not functions a spec calls; ``functions.py``
gives each its NumPy op and ``printing.DerivePrinter`` prints ``@`` and transposes.
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
    """A matrix's transpose, as the backward pass of ``@`` uses it (printed by ``DerivePrinter``)."""

    nargs = 1


class outer(sp.Function):  # noqa: N801
    """The outer product of two vectors, as ``@``'s backward pass makes it for a 1-D operand:
    ``outer(x, G, 0)`` is x^T G (x a row), ``outer(G, v, 1)`` is G v^T; printed as that product."""

    nargs = 3
