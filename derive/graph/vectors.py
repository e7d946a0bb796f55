r"""The vector functions of the registry: softmax, log-softmax, categorical cross-entropy.

They act on the last axis (one vector, or a batch of vectors as rows), so their Jacobian is
not diagonal: the backward pass sends an upstream gradient G through each by its
vector-Jacobian product (``VJP``), e.g. softmax: z <- p ⊙ (G - Σ_j G_j p_j). The sums over
the last axis that these products need are ``rowsum`` (kept as a column, so a batch
broadcasts row by row), and ``spread`` marks a term that is summed over an array it is
broadcast across (it prints as the term itself). ``functions.py`` registers the entries;
this module holds their SymPy classes, NumPy and TensorFlow ops and textbook rules.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from sympy.printing.precedence import PRECEDENCE, precedence

from .named import Head, NamedFunctionBase

Array = Any


class softmax(NamedFunctionBase):  # noqa: N801 - spec name
    """e^z / Σ_k e^z_k over the last axis. ``fdiff`` is the Jacobian's diagonal p(1 - p); the
    backward pass uses the whole Jacobian through ``VJP``."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return softmax(self.args[0]) * (1 - softmax(self.args[0]))

    head = Head(r"\operatorname{softmax}", "softmax")


class log_softmax(NamedFunctionBase):  # noqa: N801
    """z - log Σ_k e^z_k over the last axis (the diagonal of its Jacobian is 1 - softmax(z))."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return 1 - softmax(self.args[0])

    head = Head(r"\log\operatorname{softmax}", "log\u2009softmax")


class cross_entropy(NamedFunctionBase):  # noqa: N801
    """-Σ_j t_j log p_j over the last axis: one number per vector (a column for a batch)."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        p, t = self.args
        return -t / p if argindex == 1 else -sp.log(p)

    head = Head(r"\operatorname{CE}", "CE")


class rowsum(sp.Function):  # noqa: N801
    """Σ_j u_j over the last axis, kept as a column (a scalar stays a scalar); a number comes out."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Integer(1)


def row_sum(u: sp.Expr) -> sp.Expr:
    """``rowsum(u)`` with a number in front of ``u`` taken outside the sum: 2 Σ_j x, not Σ_j (2 x)."""
    coefficient, rest = u.as_coeff_Mul()
    return coefficient * rowsum(rest) if coefficient != 1 else rowsum(u)


class spread(sp.Function):  # noqa: N801
    """``x`` broadcast to the shape of ``like`` (printed as ``x``): a term that a sum runs over
    although it holds no array itself, e.g. d mean(u) / du = 1/n under a sum over u."""

    nargs = 2

    @property
    def precedence(self) -> int:
        """Printed as ``x``, it binds as ``x`` does in a product: (a + b) c and (-1) c keep their
        parentheses, 2 w x needs none (a power's base is fenced by both printers)."""
        inner = precedence(self.args[0])
        return inner if inner < PRECEDENCE["Mul"] else PRECEDENCE["Func"]

    def _eval_derivative(self, symbol: sp.Symbol) -> sp.Expr:
        return spread_over(self.args[0].diff(symbol), self.args[1])


def spread_over(expression: sp.Expr, like: sp.Expr) -> sp.Expr:
    """``expression`` broadcast to the shape of ``like``, term by term and with each term's number in
    front (2 w x + 1, printed so, not one spread of a sum that would print without parentheses)."""
    terms = []
    for term in sp.Add.make_args(expression):
        while isinstance(term, spread):
            term = term.args[0]
        coefficient, rest = term.as_coeff_Mul()
        if rest == 1:  # a number: its sign outside, so a sum prints x - 1, not x + -1
            rest, coefficient = abs(coefficient), sp.sign(coefficient)
        terms.append(coefficient * spread(rest, like))
    return sp.Add(*terms) if expression != 0 else sp.Integer(0)


def np_softmax(z: Array) -> Array:
    if np.ndim(z) == 0:
        raise ValueError("softmax needs a vector (or a batch of vectors as rows), not a scalar")
    shifted = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return shifted / np.sum(shifted, axis=-1, keepdims=True)


def np_log_softmax(z: Array) -> Array:
    if np.ndim(z) == 0:
        raise ValueError("log_softmax needs a vector (or a batch of vectors as rows), not a scalar")
    top = np.max(z, axis=-1, keepdims=True)
    return z - top - np.log(np.sum(np.exp(z - top), axis=-1, keepdims=True))


def np_cross_entropy(p: Array, t: Array) -> Array:
    terms = -np.asarray(t) * np.log(p)
    if np.ndim(terms) == 0:
        return terms
    return np.sum(terms, axis=-1, keepdims=np.ndim(terms) > 1)


def np_rowsum(u: Array) -> Array:
    return u if np.ndim(u) == 0 else np.sum(u, axis=-1, keepdims=True)


def np_spread(x: Array, like: Array) -> Array:
    return np.broadcast_to(x, np.broadcast_shapes(np.shape(x), np.shape(like)))


def tf_cross_entropy(tf: Any):
    def categorical(p, t):
        terms = -t * tf.math.log(p)
        if terms.shape.rank == 0:
            return terms
        return tf.reduce_sum(terms, axis=-1, keepdims=terms.shape.rank > 1)
    return categorical


def distribution_problem(t: Array) -> str | None:
    """Why ``t`` is not a distribution over the last axis (None if it is one)."""
    t = np.asarray(t, dtype=np.float64)
    if t.ndim == 0:
        return "is a scalar, not a distribution over classes (give one value per class)"
    if np.any(t < 0):
        return "has a negative entry; a target distribution is >= 0 and sums to 1"
    sums = np.sum(t, axis=-1)
    if not np.allclose(sums, 1.0, atol=1e-9):
        return f"sums to {np.array2string(sums, precision=6, separator=', ')}, not 1, over the last axis"
    return None


def target_problem(p: Array, t: Array) -> str | None:
    """cross_entropy's check: its target must be a distribution."""
    problem = distribution_problem(t)
    return f"its target t {problem}" if problem else None


def softmax_vjp(args: tuple[sp.Expr, ...], g: sp.Expr) -> tuple[sp.Expr, ...]:
    s = softmax(args[0])
    return (s * (g - row_sum(g * s)),)


def log_softmax_vjp(args: tuple[sp.Expr, ...], g: sp.Expr) -> tuple[sp.Expr, ...]:
    return (g - softmax(args[0]) * row_sum(g),)


def cross_entropy_vjp(args: tuple[sp.Expr, ...], g: sp.Expr) -> tuple[sp.Expr, ...]:
    p, t = args
    return (-g * t / p, -g * sp.log(p))


_i, _j, _k, _n = sp.symbols("i j k K")


def _indexed(letter: str, index: sp.Symbol) -> sp.Symbol:
    return sp.Symbol(f"{letter}_{index}", real=True)


def softmax_rule(argindex: int) -> tuple[sp.Expr, sp.Expr, tuple[tuple[sp.Expr, sp.Expr], ...]]:
    """∂p_i/∂z_j = p_i (δ_ij - p_j), from p_i = e^{z_i} / Σ_k e^{z_k} (the quotient rule)."""
    p_i, p_j, z_i, z_j = _indexed("p", _i), _indexed("p", _j), _indexed("z", _i), _indexed("z", _j)
    total = sp.Sum(sp.exp(_indexed("z", _k)), (_k, 1, _n))
    delta = sp.KroneckerDelta(_i, _j)
    derivative = sp.Derivative(p_i, z_j)
    with sp.evaluate(False):
        quotient = (delta * sp.exp(z_i) * total - sp.exp(z_i) * sp.exp(z_j)) / total**2
    result = sp.Mul(p_i, delta - p_j, evaluate=False)
    return derivative, result, ((p_i, sp.exp(z_i) / total), (derivative, quotient), (derivative, result))


def log_softmax_rule(argindex: int) -> tuple[sp.Expr, sp.Expr, tuple[tuple[sp.Expr, sp.Expr], ...]]:
    """∂ℓ_i/∂z_j = δ_ij - p_j, from ℓ_i = z_i - log Σ_k e^{z_k}."""
    l_i, z_i, z_j = _indexed("ell", _i), _indexed("z", _i), _indexed("z", _j)
    total = sp.Sum(sp.exp(_indexed("z", _k)), (_k, 1, _n))
    delta = sp.KroneckerDelta(_i, _j)
    derivative = sp.Derivative(l_i, z_j)
    with sp.evaluate(False):
        raw = delta - sp.exp(z_j) / total
    result = delta - _indexed("p", _j)
    return derivative, result, ((l_i, z_i - sp.log(total)), (derivative, raw), (derivative, result))
