"""``Function``: one entry of the function registry (``functions.FUNCTIONS``), everything derive knows
of a function a spec may call, in one frozen record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy as sp

Array = Any
"""A NumPy array or a TensorFlow tensor: what an op takes and gives."""


@dataclass(frozen=True)
class Function:
    """One whitelisted function: everything derive knows of it, in this one entry.

    Adding a function is one entry in ``FUNCTIONS`` (and, if SymPy has no class with the
    textbook derivative, one class above), plus its tests; ``tests/test_functions.py``
    checks every entry against itself at random points of its ``domain``.
    """

    name: str
    """As a spec calls it."""
    title: str
    """How a sheet names it: 'The sigmoid', 'Binary cross-entropy'."""
    parameters: tuple[str, ...]
    """Its arguments' names in its general rule, e.g. ('p', 'y')."""
    build: Callable[..., sp.Expr]
    """The SymPy node for a call (a class above, or SymPy's own)."""
    definition: Callable[..., sp.Expr]
    """Its elementary form, from which the sheet derives the rule step by step."""
    numpy: Callable[..., Array]
    """The float64 op of the three-way check (inf or nan where undefined, never an error)."""
    tensorflow: Callable[[Any], Callable[..., Array]]
    """Given the ``tensorflow`` module, the op the tape runs (TensorFlow is imported only there)."""
    domain: tuple[tuple[float, float], ...]
    """Where each argument is drawn when the entry is checked against itself."""
    slope: Callable[[Array], Array] | None = None
    """For a function that saturates (sigmoid, tanh): its slope, which the class-set refusals test."""
    reduces: bool = False
    """A reduction (mean, sum): it takes an array and gives a scalar."""
    defaults: tuple[float, ...] = ()
    """Values of the last parameters when a call leaves them out (leaky_relu's alpha = 0.2)."""
    axis: bool = False
    """Its last parameter is an optional integer axis, a literal in the text (sum, mean): left out,
    the call reduces every element."""
    vector: bool = False
    """It acts on the last axis of a vector (softmax, cross_entropy), not element by element."""
    vjp: Callable[[tuple[sp.Expr, ...], sp.Expr], tuple[sp.Expr, ...]] | None = None
    """For a function whose Jacobian is not diagonal (softmax, a sum, a mean): given its arguments
    and the upstream gradient G, what the backward pass sends to each argument."""
    rule: Callable[[int], tuple[sp.Expr, sp.Expr, tuple]] | None = None
    """A textbook rule in index form (softmax: dp_i/dz_j = p_i (delta_ij - p_j)), in place of the one
    derived from ``definition``: (derivative, result, steps)."""
    check: Callable[..., str | None] | None = None
    """Given the arguments' float64 values, why they are not allowed (a target that is not a
    distribution), or None."""
    switch: Callable[..., sp.Expr] | None = None
    """For a function with a kink (relu, abs, max, huber's switch point): an expression of its
    arguments that is 0 exactly at the kink. The finite differences never step across it, and
    a point exactly on it is refused: the derivative is not defined there."""
    poles: Callable[..., tuple[sp.Expr, ...]] | None = None
    """Expressions of its arguments that are 0 where it or its derivative is infinite, beyond the
    quotients, roots and logarithms its node shows (bce: p and 1 - p); the finite differences keep
    their steps short of them."""
    aliases: tuple[str, ...] = ()
    """Other names a spec may call it by (silu: swish)."""
    option: tuple[str, str] | None = None
    """A keyword a call may set to true or false, and the entry a true value calls instead
    (gelu: ``gelu(z, approximate=true)`` is the tanh approximation, ``gelu_tanh``)."""

    @property
    def arity(self) -> int:
        return len(self.parameters)

    @property
    def required(self) -> int:
        """How many arguments a call must give."""
        return self.arity - len(self.defaults) - int(self.axis)

    def default_arguments(self, given: int) -> tuple[sp.Expr, ...]:
        """The SymPy numbers for the parameters a call with ``given`` arguments leaves out."""
        left_out = self.defaults[given - self.required:]
        return tuple(sp.Integer(int(v)) if float(v).is_integer() else sp.Float(v) for v in left_out)

    @property
    def node_class(self) -> type | None:
        """The class of the SymPy node a call builds (None where SymPy rewrites it, as sqrt to a power)."""
        built = self.build(*sp.symbols(f"_a0:{self.arity - int(self.axis)}"))
        return None if built.is_Atom or built.is_Add or built.is_Mul or built.is_Pow else type(built)
