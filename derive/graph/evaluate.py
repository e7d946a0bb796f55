"""Float64 evaluation of SymPy expressions, node by node, without code generation.

The symbolic side of the three-way check: a small walk over SymPy's tree with the NumPy
operations of the function registry, covering exactly what the whitelist and its
derivatives can produce (the whitelisted functions, Heaviside, sign). Invalid points give inf or nan, which
the caller reports; nothing here raises on a domain error.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
import sympy as sp

from ..errors import SpecError
from .axes import AxisError, along, axis_mean, axis_sum, mean, scaled_sum, total
from .functions import NUMPY_OPERATIONS, count
from .products import matmul, outer, transpose
from .vectors import rowsum, spread

Value = float | np.ndarray
"""A scalar, or an array for element-wise nodes and matrices."""


def as_value(result: np.ndarray | float) -> Value:
    """A Python float for a scalar, a float64 array otherwise."""
    array = np.asarray(result, dtype=np.float64)
    return float(array) if array.ndim == 0 else array


def reduce_to(value: Value, shape: tuple[int, ...]) -> Value:
    """Sum ``value`` down to ``shape``, as a tape sums a gradient over broadcast elements."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim < len(shape):  # a scalar standing for every element (d sum(x) / dx = 1)
        array = np.broadcast_to(array, np.broadcast_shapes(array.shape, shape))
    while array.ndim > len(shape):
        array = array.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and array.shape[axis] != 1:
            array = array.sum(axis=axis, keepdims=True)
    return as_value(array)


def evaluate(expression: sp.Expr, values: Mapping[sp.Symbol, Value]) -> Value:
    """The value of ``expression`` at ``values`` in float64 (inf or nan where undefined).

    Arrays broadcast element-wise; a shape that does not fit raises ValueError.
    """
    with np.errstate(all="ignore"):
        return as_value(_walk(expression, values))


def _walk(expression: sp.Basic, values: Mapping[sp.Symbol, float]) -> np.ndarray:
    if expression.is_Symbol:
        return np.asarray(values[expression], dtype=np.float64)
    if expression.is_Number or isinstance(expression, sp.NumberSymbol):  # 2, or e from exp(cos(0))
        return np.float64(float(expression))
    args = [_walk(arg, values) for arg in expression.args]
    if expression.is_Add:
        return functools.reduce(np.add, args)
    if expression.is_Mul:
        return functools.reduce(np.multiply, args)
    if expression.is_Pow:
        return np.power(args[0], args[1])
    operation = NUMPY_OPERATIONS.get(type(expression))
    if operation is None:
        raise TypeError(f"cannot evaluate {type(expression).__name__} numerically")
    if isinstance(expression, count):
        # n in a mean's derivative 1/n is each element's share: it has the shape of the array the
        # mean runs over, so that summing the derivative over the elements gives d mean/d b = 1
        # even where nothing else in it is an array (mean(w*x + b - y) in b)
        return np.broadcast_to(operation(*args), np.shape(args[0]))
    return operation(*args)


LINEAR = (matmul, transpose, outer, total, mean, axis_sum, axis_mean, rowsum, spread, along, scaled_sum)
"""Operations that add up (or move) their arguments: their magnitude is the operation on the arguments'."""


def magnitude(expression: sp.Expr, values: Mapping[sp.Symbol, Value]) -> Value:
    """The size of the numbers ``expression`` adds up at ``values``, element by element: every sum,
    product, whole power and linear operation (@, a sum over elements) taken over absolute values
    (|a| + |b|, |a| |b|, |A| @ |B|), anything else (a function, a quotient) as its value's absolute.
    Computing the expression in floating point errs by about the unit roundoff times this: 1 - h^2
    near h = 1 has magnitude 2, although its value is tiny."""
    with np.errstate(all="ignore"):
        return as_value(_magnitude(expression, values))


def _magnitude(expression: sp.Basic, values: Mapping[sp.Symbol, Value]) -> np.ndarray:
    if expression.is_Symbol or expression.is_Number or isinstance(expression, sp.NumberSymbol):
        return np.abs(_walk(expression, values))
    if expression.is_Add:
        return functools.reduce(np.add, [_magnitude(arg, values) for arg in expression.args])
    if expression.is_Mul:
        return functools.reduce(np.multiply, [_magnitude(arg, values) for arg in expression.args])
    if expression.is_Pow and expression.exp.is_Integer and expression.exp > 0:
        return np.power(_magnitude(expression.base, values), int(expression.exp))
    if isinstance(expression, LINEAR):
        arguments = [_walk(arg, values) if arg.is_Number else _magnitude(arg, values)
                     for arg in expression.args]
        return np.abs(NUMPY_OPERATIONS[type(expression)](*arguments))
    return np.abs(_walk(expression, values))


def forward_values(graph, values: Mapping[str, Value]) -> dict[str, Value]:
    """Every node's float64 value, given input and parameter values by name.

    A node named in ``values`` keeps the given value, so a derivative with respect to an
    intermediate node can be taken by perturbing it alone. Shapes that do not fit are a
    SpecError naming the node and its inputs' shapes.
    """
    env = {graph.symbols[name]: value for name, value in values.items()}
    result = dict(values)
    for node in graph.nodes:
        if node.name in values:
            continue
        value = node_value(node, node.expression.sympy, env, result)
        env[graph.symbols[node.name]] = value
        result[node.name] = value
    return result


def node_value(node, expression: sp.Expr, env: Mapping[sp.Symbol, Value],
               known: Mapping[str, Value]) -> Value:
    """``expression`` (of ``node``) at ``env``; an axis or shapes that do not fit are a SpecError
    naming the node and the shapes of its inputs (their values in ``known``)."""
    try:
        return evaluate(expression, env)
    except AxisError as error:
        raise SpecError(f"graph.{node.name}", str(error)) from None
    except ValueError as error:
        shapes = ", ".join(f"{name} {np.shape(known[name]) or 'scalar'}" for name in node.inputs)
        raise SpecError(f"graph.{node.name}", f"the shapes do not fit ({shapes}): {error}") from None
