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
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from . import axes, vectors
from .axes import along, axis_mean, axis_sum, count_along
from .named import Head, NamedFunctionBase
from .products import count, matmul, outer, transpose
from .vectors import cross_entropy, log_softmax, rowsum, softmax, spread, spread_over


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


def _reduction(whole: type, along_axis: type) -> Callable[..., sp.Expr]:
    """``sum(u)`` over every element, or ``sum(u, axis)`` along one axis (likewise mean)."""
    return lambda u, axis=None: whole(u) if axis is None else along_axis(u, axis)


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
                 np.tanh, lambda tf: tf.math.tanh, (REAL,), slope=lambda z: 1.0 - np.tanh(z) ** 2),
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
                 lambda p, y: -y * np.log(p) - (1 - y) * np.log(1 - p), _tf_bce, (PROBABILITY, (0.0, 1.0))),
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
                 check=vectors.target_problem),
    )
}

CUSTOM_CLASSES: dict[type, str] = {
    **{entry.node_class: name for name, entry in FUNCTIONS.items() if entry.node_class is not None},
    axis_sum: "sum", axis_mean: "mean",
}
"""The SymPy class of each function's node -> its name (sqrt has none: SymPy makes it a power)."""


def _np_matmul(a: Array, b: Array) -> Array:
    if np.ndim(a) < 1 or np.ndim(b) < 1:
        raise ValueError("'@' needs an array or matrix on both sides, not a scalar")
    return np.matmul(a, b)


NUMPY_OPERATIONS: dict[type, Callable[..., Array]] = {
    **{entry.node_class: entry.numpy for entry in FUNCTIONS.values() if entry.node_class is not None},
    sp.sign: np.sign,
    sp.Heaviside: lambda z, at_zero=0.5: np.heaviside(z, at_zero),
    count: lambda u: np.float64(np.size(u)),
    axis_sum: axes.np_axis_sum,
    axis_mean: axes.np_axis_mean,
    count_along: axes.np_count_along,
    along: axes.np_along,
    axes.scaled_sum: axes.np_scaled_sum,
    rowsum: vectors.np_rowsum,
    spread: vectors.np_spread,
    matmul: _np_matmul,
    outer: lambda a, b, side: np.multiply.outer(a, b),
    transpose: np.transpose,
}
"""Float64 ops for every SymPy class a derivation can hold: the functions, and what their
derivatives and the backward pass bring in (sign, Heaviside, n, @, transposes)."""


def function_names() -> str:
    """The whitelist as a human-readable list, for error messages."""
    return ", ".join(FUNCTIONS)
