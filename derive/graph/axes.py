r"""The reductions ``sum(x)`` and ``mean(x)``, whole or along one axis, as NumPy and TensorFlow.

``sum(x)`` and ``mean(x)`` (no axis) reduce every element to a scalar (``total`` and ``mean``
below); with an integer axis (negative counts from the end, as NumPy) they remove
that axis only: a (5, 3) batch summed over axis 0 gives a (3,) row. Their backward pass sends
the upstream gradient G (the shape of the result) back along the removed axis: every element
of x gets the G of its slice (``along``), times 1/n for a mean, n the length of that axis
(``count_along``). The axis is a literal integer in the spec's text, never an expression.
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np
import sympy as sp

from .named import Head, NamedFunctionBase
from .products import count
from .vectors import spread, spread_over

Array = Any


class AxisError(ValueError):
    """An axis a reduction cannot take; its message is the whole one-line explanation."""


class mean(NamedFunctionBase):  # noqa: N801
    """The mean of an array's elements; each element's share of the derivative is 1/n."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return 1 / count(self.args[0])

    head = Head(r"\operatorname{mean}", "mean")


class total(NamedFunctionBase):  # noqa: N801
    """The sum of an array's elements (the spec's ``sum``); each element's derivative is 1."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return spread(sp.Integer(1), self.args[0])

    def _eval_derivative(self, symbol: sp.Symbol) -> sp.Expr:
        """d sum(u)/ds = Σ_i du_i/ds: du/ds kept as an array of u's shape (``spread``), so that a
        term that holds no array itself (1 for a bias b in sum(w x + b - y)) is still summed n times."""
        return spread_over(self.args[0].diff(symbol), self.args[0])

    head = Head(r"\operatorname{sum}", "sum")



class axis_sum(sp.Function):  # noqa: N801 - printed as sum_{axis=k}
    """Σ of x along one axis (the spec's ``sum(x, axis)``); each element's derivative is 1."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Integer(1)


class axis_mean(sp.Function):  # noqa: N801
    """The mean of x along one axis (``mean(x, axis)``); each element's share is 1/n."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return 1 / count_along(*self.args)


class count_along(count):  # noqa: N801
    """n, the length of x along the axis a mean runs over (a ``count``: printed n, never an array)."""

    nargs = 2


class along(sp.Function):  # noqa: N801
    """G, the gradient of a reduction's result, broadcast back along the reduced axis (printed as G)."""

    nargs = 2


class scaled_sum(sp.Function):  # noqa: N801
    """c Σ_i u: a path's product summed over the elements into a scalar's gradient, its scalar
    factor c (1/n for a mean) written before the sum, as a textbook does."""

    nargs = 2


def summed_over_elements(expression: sp.Expr, scalar=lambda factor: False) -> sp.Expr:
    """(1/n) Σ_i (p - y) x, as a textbook writes a mean's gradient: the scalar factors (numbers,
    1/n, and any factor ``scalar`` says is one number) before the sum, the element-wise rest under it."""
    factors = sp.Mul.make_args(expression)
    scale = [f for f in factors if f.is_Number or (f.is_Pow and isinstance(f.base, count)) or scalar(f)]
    body = sp.Mul(*(f for f in factors if f not in scale))
    return scaled_sum(sp.Mul(*scale), body)


def np_scaled_sum(scale: Array, body: Array) -> Array:
    return scale * np.sum(body)


def axis_of(tree: ast.expr) -> int | None:
    """The integer a literal axis argument spells (``0``, ``-1``), or None if it is not one."""
    sign = 1
    if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub | ast.UAdd):
        sign = -1 if isinstance(tree.op, ast.USub) else 1
        tree = tree.operand
    if isinstance(tree, ast.Constant) and type(tree.value) is int:
        return sign * tree.value
    return None


def checked_axis(name: str, axis: Array, shape: tuple[int, ...]) -> int:
    """``axis`` as an int within the rank of ``shape``, or an AxisError naming both."""
    rank = len(shape)
    axis = int(axis)
    if rank == 0:
        raise AxisError(f"{name} over axis {axis} of a scalar; a scalar has no axis (leave the axis out)")
    if not -rank <= axis < rank:
        raise AxisError(f"{name} over axis {axis} of a {shape} array; the axis must be {-rank}..{rank - 1}")
    return axis


def np_axis_sum(x: Array, axis: Array) -> Array:
    return np.sum(x, axis=checked_axis("sum", axis, np.shape(x)))


def np_axis_mean(x: Array, axis: Array) -> Array:
    return np.mean(x, axis=checked_axis("mean", axis, np.shape(x)))


def np_count_along(x: Array, axis: Array) -> Array:
    return np.float64(np.shape(x)[checked_axis("mean", axis, np.shape(x))])


def np_along(g: Array, axis: Array) -> Array:
    """``g`` with the reduced axis put back as length 1, so it broadcasts over it."""
    return np.expand_dims(g, int(axis))


def sum_vjp(args: tuple[sp.Expr, ...], g: sp.Expr) -> tuple[sp.Expr, ...]:
    """sum(u) sends G to every element; sum(u, axis) sends each slice's G along the axis."""
    return (g,) if len(args) == 1 else (along(g, args[1]), sp.Integer(0))


def mean_vjp(args: tuple[sp.Expr, ...], g: sp.Expr) -> tuple[sp.Expr, ...]:
    """As ``sum_vjp``, over n: the number of elements, or the length of the axis."""
    if len(args) == 1:
        return (g / count(args[0]),)
    return (along(g, args[1]) / count_along(*args), sp.Integer(0))


def tf_reduction(tf: Any, name: str) -> Any:
    """TensorFlow's reduce_sum or reduce_mean, over all axes or the one given (an int)."""
    reduce = tf.math.reduce_sum if name == "sum" else tf.math.reduce_mean
    return lambda x, axis=None: reduce(x) if axis is None else reduce(x, axis=int(axis))


def reduction_note(call: sp.Expr, name: str, shape: tuple[int, ...]) -> str:
    """The sheet's words for the backward pass of one reduction along an axis."""
    axis = int(call.args[1])
    length = shape[axis]
    kept = shape[:axis % len(shape)] + shape[axis % len(shape) + 1:]
    mean = isinstance(call, axis_mean)
    share = f", divided by n = {length} (the length of axis {axis})" if mean else ""
    return (f"{name}: the {'mean' if mean else 'sum'} over axis {axis} of a {shape} array removes that "
            f"axis (the result has shape {kept or 'scalar'}), so its gradient is broadcast back along it: "
            f"each of the {length} elements along axis {axis} gets the upstream gradient of the entry it "
            f"was {'averaged' if mean else 'summed'} into{share}.")
