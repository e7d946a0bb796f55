"""A registry function's printed name: ``Head`` and the base class the printers recognise.

Kept apart from ``functions`` so that ``vectors`` (which ``functions`` imports) can use it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


@dataclass(frozen=True)
class Head:
    """How a function's name is printed: its TeX, and its MathML text (upright unless a letter)."""

    tex: str
    mathml: str
    upright: bool = True


class NamedFunctionBase(sp.Function):
    """A registry function printed as its name applied to its arguments: ``\\sigma(z)``,
    ``ReLU(a)``. The printers (``sheet.printers``) read ``head`` in ``_print_NamedFunctionBase``
    (SymPy's printers look past a class between a function and ``Function`` unless its name
    ends in ``Base``)."""

    head: Head
