"""The function registry: the only place a function a spec may call is defined.

Each entry (``Function``) holds its SymPy node, its elementary definition (used to derive
its rule step by step), its NumPy op for the float64 checks, its TensorFlow op for the
tape, where it is checked, and what the class-set refusals need (a saturating slope). The
custom classes give SymPy the textbook derivative forms (``sigma'(z) = sigma(z)(1 -
sigma(z))``) instead of whatever ``diff`` of the definition would print, and ``symbolic``
checks that both agree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp

from . import activations, axes, moments, vectors
from .activations import gelu, gelu_tanh
from .axes import along, axis_mean, axis_sum, count_along, mean, total
from .entry import Array, Function
from .moments import axis_std, axis_var, std, var
from .named import Head, NamedFunctionBase
from .products import count, matmul, outer, transpose, transpose_rule, transpose_vjp
from .vectors import cross_entropy, log_softmax, rowsum, softmax, spread


class sigmoid(NamedFunctionBase):  # noqa: N801 - spec name
    """The logistic function 1 / (1 + e^-z)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0]) * (1 - sigmoid(self.args[0]))

    head = Head(r"\sigma", "σ", upright=False)


class relu(NamedFunctionBase):  # noqa: N801
    """max(0, z); its derivative is 0 at z = 0, as TensorFlow's."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Heaviside(self.args[0], 0)

    head = Head(r"\operatorname{ReLU}", "ReLU")


class leaky_relu(NamedFunctionBase):  # noqa: N801
    """z above 0, alpha z below (TensorFlow's alpha is 0.2); derivative 1 or alpha."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        z, alpha = self.args
        above = sp.Heaviside(z, 0)
        return above + alpha * (1 - above) if argindex == 1 else z * (1 - above)

    head = Head(r"\operatorname{LeakyReLU}", "LeakyReLU")


class elu(NamedFunctionBase):  # noqa: N801
    """z above 0, alpha (e^z - 1) below (alpha 1, as Keras); derivative 1 or alpha e^z."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        z, alpha = self.args
        above = sp.Heaviside(z, 0)
        if argindex == 1:
            return above + alpha * sp.exp(z) * (1 - above)
        return (sp.exp(z) - 1) * (1 - above)

    head = Head(r"\operatorname{ELU}", "ELU")


class huber(NamedFunctionBase):  # noqa: N801
    """The Huber loss of r = yhat - y: r^2/2 within delta, delta (|r| - delta/2) beyond (Keras: delta 1)."""

    nargs = 3

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        yhat, y, delta = self.args
        r = yhat - y
        inside = sp.Heaviside(delta - sp.Abs(r), 1)
        slope = r * inside + delta * sp.sign(r) * (1 - inside)
        return (slope, -slope, (sp.Abs(r) - delta) * (1 - inside))[argindex - 1]

    head = Head(r"\operatorname{Huber}", "Huber")


class softplus(NamedFunctionBase):  # noqa: N801
    """log(1 + e^z), whose derivative is the sigmoid."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0])

    head = Head(r"\operatorname{softplus}", "softplus")


class silu(NamedFunctionBase):  # noqa: N801
    """z sigma(z) (also called swish), whose derivative is sigma(z)(1 + z(1 - sigma(z)))."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        z = self.args[0]
        return sigmoid(z) * (1 + z * (1 - sigmoid(z)))

    head = Head(r"\operatorname{SiLU}", "SiLU")


class bce(NamedFunctionBase):  # noqa: N801
    """Binary cross-entropy of a probability p against a label y."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        p, y = self.args
        if argindex == 1:
            return -y / p + (1 - y) / (1 - p)
        return -sp.log(p) + sp.log(1 - p)

    head = Head(r"\operatorname{BCE}", "BCE")


class mse(NamedFunctionBase):  # noqa: N801
    """Squared error (yhat - y)^2 of one prediction."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        yhat, y = self.args
        return 2 * (yhat - y) if argindex == 1 else -2 * (yhat - y)

    head = Head(r"\operatorname{MSE}", "MSE")


def _reduction(whole: type, along_axis: type) -> Callable[..., sp.Expr]:
    """``sum(u)`` over every element, or ``sum(u, axis)`` along one axis (likewise mean)."""
    return lambda u, axis=None: whole(u) if axis is None else along_axis(u, axis)


def _relu_definition(z: sp.Expr) -> sp.Expr:
    return sp.Piecewise((z, z > 0), (0, True))


def _huber_definition(yhat: sp.Expr, y: sp.Expr, delta: sp.Expr) -> sp.Expr:
    r = yhat - y
    return sp.Piecewise((r**2 / 2, sp.Abs(r) <= delta), (delta * (sp.Abs(r) - delta / 2), True))


def _np_huber(yhat: Array, y: Array, delta: Array = 1.0) -> Array:
    r = yhat - y
    return np.where(np.abs(r) <= delta, 0.5 * r * r, delta * (np.abs(r) - 0.5 * delta))


def _tf_huber(tf: Any) -> Callable[..., Array]:
    def huber_loss(yhat, y, delta=1.0):
        r = yhat - y
        return tf.where(tf.abs(r) <= delta, 0.5 * r * r, delta * (tf.abs(r) - 0.5 * delta))
    return huber_loss


def _np_sigmoid(z: Array) -> Array:
    return np.exp(-np.logaddexp(0.0, -z))


def _tf_sigmoid(tf: Any) -> Callable[[Array], Array]:
    """The logistic function as seed 003 writes it; its tape gradient gives SPEC.md's digits."""
    return lambda z: 1 / (1 + tf.math.exp(-z))


def _tf_bce(tf: Any) -> Callable[[Array, Array], Array]:
    return lambda p, y: -(y * tf.math.log(p)) - (1 - y) * tf.math.log(1 - p)


def _np_silu(z: Array) -> Array:
    return z * _np_sigmoid(z)


def _np_transpose(w: Array) -> Array:
    if np.ndim(w) == 0:
        raise axes.AxisError("transpose of a scalar; a scalar has no axes to swap (transpose a vector "
                             "or a matrix)")
    return np.transpose(w)


def _tf_gelu(tf: Any, approximate: bool) -> Any:
    """``tf.nn.gelu``'s own formula, with its constants in the tensor's dtype: TensorFlow 2.21 casts
    1/√2 and 0.044715 from float32 (0.70710677, 0.044714998), which in float64 puts an error of
    1e-8 in the 8th digit of GELU and its gradient. In float32 the two are the same operations."""
    if approximate:
        def gelu_tanh_op(z):
            cubic = tf.constant(0.044715, dtype=z.dtype)
            return 0.5 * z * (1.0 + tf.math.tanh(0.7978845608028654 * (z + cubic * tf.math.pow(z, 3))))
        return gelu_tanh_op

    def gelu_op(z):
        return 0.5 * z * tf.math.erfc(-z * tf.constant(0.7071067811865476, dtype=z.dtype))
    return gelu_op


REAL = (-3.0, 3.0)
POSITIVE = (0.2, 3.0)
PROBABILITY = (0.05, 0.95)

FUNCTIONS: dict[str, Function] = {
    entry.name: entry
    for entry in (
        Function("sigmoid", "The sigmoid", ("z",), sigmoid, lambda z: 1 / (1 + sp.exp(-z)),
                 _np_sigmoid, _tf_sigmoid, (REAL,),
                 slope=lambda z: _np_sigmoid(z) * (1.0 - _np_sigmoid(z))),
        Function("tanh", "The hyperbolic tangent", ("z",), sp.tanh, lambda z: sp.tanh(z).rewrite(sp.exp),
                 np.tanh, lambda tf: tf.math.tanh, (REAL,), slope=lambda z: 1.0 - np.tanh(z) ** 2,
                 rule=activations.tanh_rule),
        Function("relu", "ReLU", ("z",), relu, _relu_definition, lambda z: np.maximum(z, 0.0),
                 lambda tf: tf.nn.relu, (REAL,), switch=lambda z: z),
        Function("softplus", "Softplus", ("z",), softplus, lambda z: sp.log(1 + sp.exp(z)),
                 lambda z: np.logaddexp(0.0, z), lambda tf: tf.math.softplus, (REAL,)),
        Function("exp", "The exponential", ("z",), sp.exp, sp.exp, np.exp, lambda tf: tf.math.exp, (REAL,)),
        Function("sin", "The sine", ("z",), sp.sin, sp.sin, np.sin, lambda tf: tf.math.sin, (REAL,)),
        Function("cos", "The cosine", ("z",), sp.cos, sp.cos, np.cos, lambda tf: tf.math.cos, (REAL,)),
        Function("log", "The natural logarithm", ("z",), sp.log, sp.log, np.log, lambda tf: tf.math.log,
                 (POSITIVE,)),
        Function("sqrt", "The square root", ("z",), sp.sqrt, sp.sqrt, np.sqrt, lambda tf: tf.math.sqrt,
                 (POSITIVE,)),
        Function("abs", "The absolute value", ("z",), sp.Abs, sp.Abs, np.abs, lambda tf: tf.math.abs,
                 (REAL,), switch=lambda z: z),
        Function("bce", "Binary cross-entropy", ("p", "y"), bce,
                 lambda p, y: -y * sp.log(p) - (1 - y) * sp.log(1 - p),
                 lambda p, y: -y * np.log(p) - (1 - y) * np.log(1 - p), _tf_bce, (PROBABILITY, (0.0, 1.0)),
                 poles=lambda p, y: (p, 1 - p)),
        Function("mse", "Squared error", ("yhat", "y"), mse, lambda yhat, y: (yhat - y) ** 2,
                 lambda yhat, y: (yhat - y) ** 2, lambda tf: lambda yhat, y: tf.math.square(yhat - y),
                 (REAL, REAL)),
        Function("leaky_relu", "Leaky ReLU", ("z", "alpha"), leaky_relu,
                 lambda z, alpha: sp.Piecewise((z, z > 0), (alpha * z, True)),
                 lambda z, alpha=0.2: np.where(z > 0, z, alpha * z),
                 lambda tf: lambda z, alpha=0.2: tf.where(z > 0, z, alpha * z), (REAL, (0.05, 0.5)),
                 defaults=(0.2,), switch=lambda z, alpha: z),
        Function("elu", "ELU", ("z", "alpha"), elu,
                 lambda z, alpha: sp.Piecewise((z, z > 0), (alpha * (sp.exp(z) - 1), True)),
                 lambda z, alpha=1.0: np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0))),
                 lambda tf: lambda z, alpha=1.0: tf.where(z > 0, z,
                                                          alpha * tf.math.expm1(tf.minimum(z, 0.0))),
                 (REAL, (0.5, 2.0)), defaults=(1.0,), switch=lambda z, alpha: z),
        Function("huber", "The Huber loss", ("yhat", "y", "delta"), huber, _huber_definition, _np_huber,
                 _tf_huber, (REAL, REAL, (0.5, 2.0)), defaults=(1.0,),
                 switch=lambda yhat, y, delta: sp.Abs(yhat - y) - delta),
        Function("max", "The maximum", ("a", "b"), sp.Max, sp.Max,
                 lambda *args: functools.reduce(np.maximum, args), lambda tf: tf.math.maximum, (REAL, REAL),
                 switch=lambda a, b: a - b),
        Function("min", "The minimum", ("a", "b"), sp.Min, sp.Min,
                 lambda *args: functools.reduce(np.minimum, args), lambda tf: tf.math.minimum, (REAL, REAL),
                 switch=lambda a, b: a - b),
        Function("mean", "The mean", ("u", "axis"), _reduction(mean, axis_mean), mean, np.mean,
                 lambda tf: axes.tf_reduction(tf, "mean"), (REAL,), reduces=True, axis=True,
                 vjp=axes.mean_vjp),
        Function("sum", "The sum", ("u", "axis"), _reduction(total, axis_sum), total, np.sum,
                 lambda tf: axes.tf_reduction(tf, "sum"), (REAL,), reduces=True, axis=True,
                 vjp=axes.sum_vjp),
        Function("softmax", "The softmax", ("z",), softmax, lambda z: sp.exp(z) / total(sp.exp(z)),
                 vectors.np_softmax, lambda tf: tf.nn.softmax, (REAL,), vector=True, vjp=vectors.softmax_vjp,
                 rule=vectors.softmax_rule),
        Function("log_softmax", "The log-softmax", ("z",), log_softmax,
                 lambda z: z - sp.log(total(sp.exp(z))), vectors.np_log_softmax, lambda tf: tf.nn.log_softmax,
                 (REAL,), vector=True, vjp=vectors.log_softmax_vjp, rule=vectors.log_softmax_rule),
        Function("cross_entropy", "Categorical cross-entropy", ("p", "t"), cross_entropy,
                 lambda p, t: -total(t * sp.log(p)), vectors.np_cross_entropy, vectors.tf_cross_entropy,
                 (PROBABILITY, (0.0, 1.0)), reduces=True, vector=True, vjp=vectors.cross_entropy_vjp,
                 check=vectors.target_problem, poles=lambda p, t: (p,)),
        Function("transpose", "The transpose of a matrix", ("a",), transpose, transpose, _np_transpose,
                 lambda tf: tf.transpose, (REAL,), vjp=transpose_vjp, rule=transpose_rule),
        Function("erf", "The error function", ("z",), sp.erf, sp.erf, activations.np_erf,
                 lambda tf: tf.math.erf, (REAL,)),
        Function("gelu", "GELU (exact, with erf)", ("z",), gelu, activations.gelu_definition,
                 activations.np_gelu, lambda tf: _tf_gelu(tf, approximate=False), (REAL,),
                 rule=activations.gelu_rule, option=("approximate", "gelu_tanh")),
        Function("gelu_tanh", "GELU, tanh approximation (gelu(z, approximate=true))", ("z",), gelu_tanh,
                 activations.gelu_tanh_definition, activations.np_gelu_tanh,
                 lambda tf: _tf_gelu(tf, approximate=True), (REAL,)),
        Function("silu", "SiLU (swish)", ("z",), silu, lambda z: z / (1 + sp.exp(-z)), _np_silu,
                 lambda tf: tf.nn.silu, (REAL,), aliases=("swish",)),
        Function("var", "The variance (population: divided by n)", ("u", "axis"), _reduction(var, axis_var),
                 lambda u: mean((u - mean(u)) ** 2), moments.np_var, lambda tf: moments.tf_moment(tf, "var"),
                 (REAL,), reduces=True, axis=True, vjp=moments.var_vjp, rule=moments.var_rule),
        Function("std", "The standard deviation (population: divided by n)", ("u", "axis"),
                 _reduction(std, axis_std), lambda u: sp.sqrt(mean((u - mean(u)) ** 2)), moments.np_std,
                 lambda tf: moments.tf_moment(tf, "std"), (REAL,), reduces=True, axis=True,
                 vjp=moments.std_vjp, rule=moments.std_rule, check=moments.equal_elements,
                 poles=lambda u, axis=None: (std(u) if axis is None else axis_std(u, axis),)),
    )
}
ALIASES: dict[str, str] = {alias: entry.name for entry in FUNCTIONS.values() for alias in entry.aliases}
"""Other names a spec may call a function by (swish -> silu); the parser calls the entry itself."""

CUSTOM_CLASSES: dict[type, str] = {
    **{entry.node_class: entry.name for entry in FUNCTIONS.values() if entry.node_class is not None},
    axis_sum: "sum", axis_mean: "mean", axis_var: "var", axis_std: "std",
}
"""The SymPy class of each function's node -> its name (sqrt has none: SymPy makes it a power)."""


def _np_matmul(a: Array, b: Array) -> Array:
    if np.ndim(a) < 1 or np.ndim(b) < 1:
        raise ValueError("'@' needs an array or matrix on both sides, not a scalar")
    return np.matmul(a, b)


NUMPY_OPERATIONS: dict[type, Callable[..., Array]] = {
    **{entry.node_class: entry.numpy for entry in FUNCTIONS.values() if entry.node_class is not None},
    sp.sign: np.sign,
    activations.normal_cdf: activations.np_normal_cdf,
    activations.normal_pdf: activations.np_normal_pdf,
    sp.Heaviside: lambda z, at_zero=0.5: np.heaviside(z, at_zero),
    count: lambda u: np.float64(np.size(u)),
    axis_sum: axes.np_axis_sum,
    axis_mean: axes.np_axis_mean,
    axis_var: moments.np_var,
    axis_std: moments.np_std,
    count_along: axes.np_count_along,
    along: axes.np_along,
    axes.scaled_sum: axes.np_scaled_sum,
    rowsum: vectors.np_rowsum,
    spread: vectors.np_spread,
    matmul: _np_matmul,
    outer: lambda a, b, side: np.multiply.outer(a, b),
}
"""Float64 ops for every SymPy class a derivation can hold: the functions, and what their
derivatives and the backward pass bring in (sign, Heaviside, n, @, transposes)."""


def function_names() -> str:
    """The whitelist as a human-readable list, for error messages."""
    return ", ".join([*FUNCTIONS, *ALIASES])
