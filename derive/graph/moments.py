r"""``var(u, axis)`` and ``std(u, axis)``: the population variance and standard deviation.

Population, as ``tf.math.reduce_variance``, ``reduce_std`` and NumPy's default (ddof = 0):
var(u) = (1/n) Σ_i (u_i - μ)², std(u) = √var(u), n the number of elements (or the length of
the axis). Their derivatives with respect to one element are exact although every element
enters μ: ∂var/∂u_j = (2/n) Σ_i (u_i - μ)(δ_ij - 1/n) = 2 (u_j - μ)/n, because Σ_i (u_i - μ) = 0,
and ∂std/∂u_j = (u_j - μ)/(n std(u)). The backward pass sends the upstream gradient G through
them by those rules (``var_vjp``, ``std_vjp``); along an axis, G and μ are broadcast back along
it (``axes.along``). A standard deviation of one element, or of equal elements, has no
derivative (it divides by std = 0): refused with a one-line error.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from .axes import AxisError, along, axis_mean, checked_axis, count_along, mean
from .named import Head, NamedFunctionBase
from .products import count

Array = Any


class var(NamedFunctionBase):  # noqa: N801 - spec name
    """The population variance of all elements; each element's derivative is 2 (u - μ)/n."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        u = self.args[0]
        return 2 * (u - mean(u)) / count(u)

    head = Head(r"\operatorname{var}", "var")


class std(NamedFunctionBase):  # noqa: N801
    """The population standard deviation of all elements; each element's derivative is (u - μ)/(n std)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        u = self.args[0]
        return (u - mean(u)) / (count(u) * std(u))

    head = Head(r"\operatorname{std}", "std")


class _AlongAxis(NamedFunctionBase):
    """A moment along one axis, printed as the sheet prints sum and mean along one (var with the
    subscript axis=0), by the printer's own ``_reduction`` where it has one (SymPy asks the object
    first: ``_latex``, ``_mathml_presentation``)."""

    def _latex(self, printer, exp: str | None = None) -> str:
        if hasattr(printer, "_reduction"):
            return printer._reduction(self.head.mathml, self, exp)
        return printer._print_Function(self, exp=exp)

    def _mathml_presentation(self, printer):
        if hasattr(printer, "_reduction"):
            return printer._reduction(self.head.mathml, self)
        return printer._print_Function(self)


class axis_var(_AlongAxis):  # noqa: N801
    """var(u, axis): the population variance along one axis."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        u, axis = self.args
        return 2 * (u - along(axis_mean(u, axis), axis)) / count_along(u, axis)

    head = Head(r"\operatorname{var}", "var")


class axis_std(_AlongAxis):  # noqa: N801
    """std(u, axis): the population standard deviation along one axis."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        u, axis = self.args
        return (u - along(axis_mean(u, axis), axis)) / (count_along(u, axis) * along(self, axis))

    head = Head(r"\operatorname{std}", "std")


def var_vjp(args: tuple[sp.Expr, ...], g: sp.Expr) -> tuple[sp.Expr, ...]:
    """G (a scalar, or one per slice along the axis) -> 2 G (u - μ)/n for every element."""
    u = args[0]
    if len(args) == 1:
        return (2 * g * (u - mean(u)) / count(u),)
    axis = args[1]
    return (2 * along(g, axis) * (u - along(axis_mean(u, axis), axis)) / count_along(u, axis), sp.Integer(0))


def std_vjp(args: tuple[sp.Expr, ...], g: sp.Expr) -> tuple[sp.Expr, ...]:
    """G -> G (u - μ)/(n std(u)) for every element."""
    u = args[0]
    if len(args) == 1:
        return (g * (u - mean(u)) / (count(u) * std(u)),)
    axis = args[1]
    spread = along(g, axis) * (u - along(axis_mean(u, axis), axis))
    return (spread / (count_along(u, axis) * along(axis_std(u, axis), axis)), sp.Integer(0))


_i, _j, _n = sp.symbols("i j n")
_MU = sp.Symbol("mu", real=True)


def _element(index: sp.Symbol) -> sp.Symbol:
    return sp.Symbol(f"u_{index}", real=True)


def var_rule(argindex: int) -> tuple[sp.Expr, sp.Expr, tuple[tuple[sp.Expr, sp.Expr], ...]]:
    """∂v/∂u_j = (2/n) Σ_i (u_i - μ)(δ_ij - 1/n) = 2 (u_j - μ)/n, from v = (1/n) Σ_i (u_i - μ)²
    (each u_i moves μ by 1/n; the 1/n terms add up to 0 because Σ_i (u_i - μ) = 0)."""
    v = sp.Symbol("v", real=True)
    centred = _element(_i) - _MU
    derivative = sp.Derivative(v, _element(_j))
    definition = sp.Sum(centred**2, (_i, 1, _n)) / _n
    chained = 2 * sp.Sum(centred * (sp.KroneckerDelta(_i, _j) - 1 / _n), (_i, 1, _n)) / _n
    result = sp.Mul(2, _element(_j) - _MU, 1 / _n, evaluate=False)
    mean = sp.Sum(_element(_i), (_i, 1, _n)) / _n
    return derivative, result, ((_MU, mean), (v, definition), (derivative, chained), (derivative, result))


def std_rule(argindex: int) -> tuple[sp.Expr, sp.Expr, tuple[tuple[sp.Expr, sp.Expr], ...]]:
    """∂s/∂u_j = (1/(2 s)) ∂v/∂u_j = (u_j - μ)/(n s), from s = √v."""
    s, v = sp.Symbol("s", real=True), sp.Symbol("v", real=True)
    derivative = sp.Derivative(s, _element(_j))
    chained = sp.Mul(1 / (2 * s), sp.Mul(2, _element(_j) - _MU, 1 / _n, evaluate=False), evaluate=False)
    result = (_element(_j) - _MU) / (_n * s)
    return derivative, result, ((s, sp.sqrt(v)), (derivative, chained), (derivative, result))


def _elements(name: str, u: Array, axis: Array | None) -> int:
    """How many elements one ``name`` runs over; a std of one element is refused (AxisError)."""
    shape = np.shape(u)
    n = int(np.prod(shape)) if axis is None else shape[checked_axis(name, axis, shape)]
    if name == "std" and n == 1:
        over = "a single element" if axis is None else f"axis {int(axis)}, of length 1,"
        raise AxisError(f"std over {over} is 0 and has no derivative (it divides by std = 0); "
                        "a standard deviation needs at least two elements")
    return n


def np_var(u: Array, axis: Array | None = None) -> Array:
    _elements("var", u, axis)
    return np.var(u) if axis is None else np.var(u, axis=int(axis))


def np_std(u: Array, axis: Array | None = None) -> Array:
    _elements("std", u, axis)
    return np.std(u) if axis is None else np.std(u, axis=int(axis))


def tf_moment(tf: Any, name: str) -> Any:
    """TensorFlow's reduce_variance or reduce_std (population), over all axes or the one given."""
    reduce = tf.math.reduce_variance if name == "var" else tf.math.reduce_std
    return lambda x, axis=None: reduce(x) if axis is None else reduce(x, axis=int(axis))


def equal_elements(u: Array, axis: Array | None = None) -> str | None:
    """std's check: elements that are all equal (std = 0 over the whole array or a slice) have no
    derivative; None otherwise."""
    spread = np.std(u) if axis is None else np.std(u, axis=int(axis))
    if np.any(np.asarray(spread) == 0.0):
        return ("its elements are all equal, so std = 0 and its derivative (u - μ)/(n std) divides by 0; "
                "give them different values")
    return None
