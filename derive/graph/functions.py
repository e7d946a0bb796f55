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


class sigmoid(sp.Function):  # noqa: N801 - spec name
    """The logistic function 1 / (1 + e^-z)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0]) * (1 - sigmoid(self.args[0]))

    def _latex(self, printer, exp=None) -> str:
        return _wrap(r"\sigma", printer, self.args, exp)


class relu(sp.Function):  # noqa: N801
    """max(0, z); its derivative is 0 at z = 0, as TensorFlow's."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Heaviside(self.args[0], 0)

    def _latex(self, printer, exp=None) -> str:
        return _wrap(r"\operatorname{ReLU}", printer, self.args, exp)


class leaky_relu(sp.Function):  # noqa: N801
    """z above 0, alpha z below (TensorFlow's alpha is 0.2); derivative 1 or alpha."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        z, alpha = self.args
        above = sp.Heaviside(z, 0)
        return above + alpha * (1 - above) if argindex == 1 else z * (1 - above)

    def _latex(self, printer, exp=None) -> str:
        return _wrap(r"\operatorname{LeakyReLU}", printer, self.args, exp)


class elu(sp.Function):  # noqa: N801
    """z above 0, alpha (e^z - 1) below (alpha 1, as Keras); derivative 1 or alpha e^z."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        z, alpha = self.args
        above = sp.Heaviside(z, 0)
        if argindex == 1:
            return above + alpha * sp.exp(z) * (1 - above)
        return (sp.exp(z) - 1) * (1 - above)

    def _latex(self, printer, exp=None) -> str:
        return _wrap(r"\operatorname{ELU}", printer, self.args, exp)


class huber(sp.Function):  # noqa: N801
    """The Huber loss of r = yhat - y: r^2/2 within delta, delta (|r| - delta/2) beyond (Keras: delta 1)."""

    nargs = 3

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        yhat, y, delta = self.args
        r = yhat - y
        inside = sp.Heaviside(delta - sp.Abs(r), 1)
        slope = r * inside + delta * sp.sign(r) * (1 - inside)
        return (slope, -slope, (sp.Abs(r) - delta) * (1 - inside))[argindex - 1]

    def _latex(self, printer, exp=None) -> str:
        return _wrap(r"\operatorname{Huber}", printer, self.args, exp)


class softplus(sp.Function):  # noqa: N801
    """log(1 + e^z), whose derivative is the sigmoid."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0])

    def _latex(self, printer, exp=None) -> str:
        return _wrap(r"\operatorname{softplus}", printer, self.args, exp)


class bce(sp.Function):  # noqa: N801
    """Binary cross-entropy of a probability p against a label y."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        p, y = self.args
        if argindex == 1:
            return -y / p + (1 - y) / (1 - p)
        return -sp.log(p) + sp.log(1 - p)

    def _latex(self, printer, exp=None) -> str:
        return _wrap(r"\operatorname{BCE}", printer, self.args, exp)


class mse(sp.Function):  # noqa: N801
    """Squared error (yhat - y)^2 of one prediction."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        yhat, y = self.args
        return 2 * (yhat - y) if argindex == 1 else -2 * (yhat - y)

    def _latex(self, printer, exp=None) -> str:
        return _wrap(r"\operatorname{MSE}", printer, self.args, exp)


class mean(sp.Function):  # noqa: N801
    """The mean of an array's elements; each element's share of the derivative is 1/n."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return 1 / count(self.args[0])

    def _latex(self, printer, exp=None) -> str:
        return _wrap(r"\operatorname{mean}", printer, self.args, exp)


class total(sp.Function):  # noqa: N801
    """The sum of an array's elements (the spec's ``sum``); each element's derivative is 1."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Integer(1)

    def _latex(self, printer, exp=None) -> str:
        return _wrap(r"\operatorname{sum}", printer, self.args, exp)


class count(sp.Function):  # noqa: N801
    """n, the number of elements a mean runs over (evaluated from the array's size)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Integer(0)  # a size, not a value: a second derivative of a mean keeps 1/n fixed

    def _latex(self, printer, exp=None) -> str:
        return f"n^{{{exp}}}" if exp else "n"


class matmul(sp.Function):  # noqa: N801
    """The matrix product ``a @ b`` (numbers come from the tape and NumPy; derivatives per entry).
    ``printing.DerivePrinter`` prints it, parenthesizing sums and products."""

    nargs = 2


class transpose(sp.Function):  # noqa: N801
    """A matrix's transpose, as the backward pass of ``@`` uses it (printed by ``DerivePrinter``)."""

    nargs = 1


def _wrap(name: str, printer, args, exp) -> str:
    inner = ", ".join(printer._print(a) for a in args)
    head = f"{name}^{{{exp}}}" if exp else name
    return rf"{head}\left({inner}\right)"


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
        return self.arity - len(self.defaults)

    def default_arguments(self, given: int) -> tuple[sp.Expr, ...]:
        """The SymPy numbers for the parameters a call with ``given`` arguments leaves out."""
        left_out = self.defaults[given - self.required:]
        return tuple(sp.Integer(int(v)) if float(v).is_integer() else sp.Float(v) for v in left_out)

    @property
    def node_class(self) -> type | None:
        """The class of the SymPy node a call builds (None where SymPy rewrites it, as sqrt to a power)."""
        built = self.build(*sp.symbols(f"_a0:{self.arity}"))
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
        Function("mean", "The mean", ("u",), mean, mean, np.mean, lambda tf: tf.math.reduce_mean, (REAL,),
                 reduces=True),
        Function("sum", "The sum", ("u",), total, total, np.sum, lambda tf: tf.math.reduce_sum, (REAL,),
                 reduces=True),
    )
}

CUSTOM_CLASSES: dict[type, str] = {
    entry.node_class: name for name, entry in FUNCTIONS.items() if entry.node_class is not None
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
    matmul: _np_matmul,
    transpose: np.transpose,
}
"""Float64 ops for every SymPy class a derivation can hold: the functions, and what their
derivatives and the backward pass bring in (sign, Heaviside, n, @, transposes)."""


def function_names() -> str:
    """The whitelist as a human-readable list, for error messages."""
    return ", ".join(FUNCTIONS)
