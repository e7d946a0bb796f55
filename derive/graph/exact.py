"""Exact evaluation: a value that exact arithmetic gives from the spec's decimals, or ``None``.

A sheet's inputs are short decimals (1.3, -0.2), and much of what a student computes from them
is rational: a weighted sum, a squared error, a ReLU, a product of derivatives. There, float32
(and float64) rounding can invent digits (-0.2·0.2 + 0.3·(-0.2) + 0.1 is -7.451e-9 in float32,
0 exactly). This walk evaluates the same SymPy trees as ``evaluate`` with Python fractions
(NumPy object arrays for arrays) and gives up, returning ``None``, at anything that is not
rational (an exponential, a square root) or that grows past ``MAX_DIGITS``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from fractions import Fraction

import numpy as np
import sympy as sp

from .functions import NUMPY_OPERATIONS

Exact = Fraction | np.ndarray
"""A fraction, or an object array of fractions."""

MAX_DIGITS = 120
"""The most digits a numerator or denominator may have: beyond, the value counts as inexact."""


class _Inexact(Exception):
    """The expression leaves the rationals (or grows too large) at this point."""


def exact_of(value: float | np.ndarray) -> Exact:
    """A float as the shortest decimal that gives it back (0.1 as 1/10, as the spec wrote it)."""
    if np.ndim(value) == 0:
        return Fraction(repr(float(value)))
    return np.vectorize(lambda v: Fraction(repr(float(v))), otypes=[object])(np.asarray(value))


def exact_value(expression: sp.Expr, values: Mapping[sp.Symbol, Exact]) -> Exact | None:
    """``expression`` at ``values`` in exact arithmetic, or None where it is not rational."""
    try:
        return _walk(expression, values)
    except (_Inexact, TypeError, ValueError, ZeroDivisionError, KeyError, OverflowError):
        return None


def _checked(result):
    """``result`` if it is a fraction (or an array of them) of bounded size, else _Inexact."""
    items = result.ravel() if isinstance(result, np.ndarray) else (result,)
    if isinstance(result, np.ndarray) and result.dtype != object:
        if result.dtype.kind in "iub":
            return np.vectorize(Fraction, otypes=[object])(result)
        raise _Inexact
    for item in items:
        if isinstance(item, bool | np.bool_):
            continue
        if not isinstance(item, Fraction | int):
            raise _Inexact
        if isinstance(item, Fraction) and max(abs(item.numerator), item.denominator).bit_length() > \
                MAX_DIGITS * 3.33:
            raise _Inexact
    return Fraction(result) if isinstance(result, int) else result


def _walk(expression: sp.Basic, values: Mapping[sp.Symbol, Exact]):
    if expression.is_Symbol:
        return values[expression]
    if expression.is_Integer or expression.is_Rational:
        return Fraction(int(expression.p), int(expression.q))
    if expression.is_Float:
        return Fraction(repr(float(expression)))
    if expression.is_Number or isinstance(expression, sp.NumberSymbol):
        raise _Inexact
    args = [_walk(arg, values) for arg in expression.args]
    if expression.is_Add:
        return _checked(functools.reduce(np.add, args))
    if expression.is_Mul:
        return _checked(functools.reduce(np.multiply, args))
    if expression.is_Pow:
        base, power = args
        if np.ndim(power) or Fraction(power).denominator != 1:
            raise _Inexact
        if _bits(base) * abs(int(power)) > MAX_DIGITS * 3.33:  # too large to compute: 0.5 ** (w * 1e12)
            raise _Inexact  # is 2**-1e12, whose denominator alone would fill 125 GB
        return _checked(_power(base, int(power)))
    operation = NUMPY_OPERATIONS.get(type(expression))
    if operation is None:
        raise _Inexact
    try:
        with np.errstate(all="raise"):
            return _checked(operation(*args))
    except (_Inexact, FloatingPointError, TypeError, AttributeError, ValueError):
        return _symbolic(type(expression), args)


def _symbolic(function: type, args: list):
    """A function SymPy knows at a rational point (tanh(0) = 0, exp(0) = 1, sigmoid(0) = 1/2),
    element by element for arrays; anything else is inexact."""
    def at(*values) -> Fraction:
        result = function(*(sp.Rational(v.numerator, v.denominator) for v in values))
        if not result.is_Rational:
            raise _Inexact
        return Fraction(int(result.p), int(result.q))

    if any(isinstance(a, np.ndarray) for a in args):
        arrays = np.broadcast_arrays(*(np.asarray(a, dtype=object) for a in args))
        return _checked(np.vectorize(at, otypes=[object])(*arrays))
    if not all(isinstance(a, Fraction) for a in args):
        raise _Inexact
    return _checked(at(*args))


def _bits(base: Exact) -> int:
    """A lower bound of log2 of the largest numerator or denominator in ``base`` (0 for 0, 1 and -1)."""
    items = base.ravel() if isinstance(base, np.ndarray) else (base,)
    return max((max(abs(item.numerator), item.denominator).bit_length() - 1 for item in map(Fraction, items)),
               default=0)


def _power(base, power: int):
    """``base ** power`` for a fraction or an object array, a negative power as a reciprocal."""
    if power < 0:
        if np.any(np.asarray(base == 0)):
            raise ZeroDivisionError
        return _power(np.divide(Fraction(1), base) if isinstance(base, np.ndarray) else 1 / base, -power)
    if isinstance(base, np.ndarray):
        return np.vectorize(lambda b: b**power, otypes=[object])(base)
    return base**power


def exact_forward(graph, values: Mapping[str, float | np.ndarray]) -> dict[str, Exact | None]:
    """Every input's, parameter's and node's exact value (None for a node that is not rational,
    and for every node after it that uses it)."""
    env: dict[sp.Symbol, Exact] = {graph.symbols[name]: exact_of(value) for name, value in values.items()}
    result: dict[str, Exact | None] = {name: env[graph.symbols[name]] for name in values}
    for node in graph.nodes:
        if node.name in values:
            continue
        value = exact_value(node.expression.sympy, env)
        result[node.name] = value
        if value is not None:
            env[graph.symbols[node.name]] = value
    return result


def environment(graph, exact: Mapping[str, Exact | None]) -> dict[sp.Symbol, Exact]:
    """The symbols of every name with an exact value."""
    return {graph.symbols[name]: value for name, value in exact.items() if value is not None}


def as_float(value: Exact):
    """An exact value as a float (or a float64 array)."""
    if isinstance(value, np.ndarray):
        return value.astype(np.float64)
    return float(value)
