"""The whitelist of functions a spec may call, as SymPy functions with known derivatives.

Each entry knows its arity, its elementary definition (used to derive its rule step by
step), and its TeX name. The custom classes give SymPy the textbook derivative forms
(``sigma'(z) = sigma(z)(1 - sigma(z))``) instead of whatever ``diff`` of the definition
would print, and ``symbolic`` checks that both agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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

    def _latex(self, printer, exp=None) -> str:
        return f"n^{{{exp}}}" if exp else "n"


class matmul(sp.Function):  # noqa: N801
    """The matrix product ``a @ b`` (numbers come from the tape and NumPy; derivatives per entry)."""

    nargs = 2

    def _latex(self, printer, exp=None) -> str:
        left, right = (printer._print(a) for a in self.args)
        return f"{left} {right}"


class transpose(sp.Function):  # noqa: N801
    """A matrix's transpose, as the backward pass of ``@`` uses it."""

    nargs = 1

    def _latex(self, printer, exp=None) -> str:
        inner = printer._print(self.args[0])
        if not self.args[0].is_Atom:
            inner = rf"\left({inner}\right)"
        return f"{inner}^{{T}}"


def _wrap(name: str, printer, args, exp) -> str:
    inner = ", ".join(printer._print(a) for a in args)
    head = f"{name}^{{{exp}}}" if exp else name
    return rf"{head}\left({inner}\right)"


@dataclass(frozen=True)
class FunctionRule:
    """One whitelisted function: how to build it and how to define it elementarily."""

    name: str
    title: str
    """How a sheet names it: 'The sigmoid', 'Binary cross-entropy'."""
    arity: int
    build: Callable[..., sp.Expr]
    definition: Callable[..., sp.Expr]
    """Its elementary form, from which the sheet derives the rule step by step."""
    parameters: tuple[str, ...]


def _relu_definition(z: sp.Expr) -> sp.Expr:
    return sp.Piecewise((z, z > 0), (0, True))


FUNCTIONS: dict[str, FunctionRule] = {
    rule.name: rule
    for rule in (
        FunctionRule("sigmoid", "The sigmoid", 1, sigmoid, lambda z: 1 / (1 + sp.exp(-z)), ("z",)),
        FunctionRule("tanh", "The hyperbolic tangent", 1, sp.tanh, lambda z: sp.tanh(z).rewrite(sp.exp),
                     ("z",)),
        FunctionRule("relu", "ReLU", 1, relu, _relu_definition, ("z",)),
        FunctionRule("softplus", "Softplus", 1, softplus, lambda z: sp.log(1 + sp.exp(z)), ("z",)),
        FunctionRule("exp", "The exponential", 1, sp.exp, lambda z: sp.exp(z), ("z",)),
        FunctionRule("sin", "The sine", 1, sp.sin, lambda z: sp.sin(z), ("z",)),
        FunctionRule("cos", "The cosine", 1, sp.cos, lambda z: sp.cos(z), ("z",)),
        FunctionRule("log", "The natural logarithm", 1, sp.log, lambda z: sp.log(z), ("z",)),
        FunctionRule("sqrt", "The square root", 1, sp.sqrt, lambda z: sp.sqrt(z), ("z",)),
        FunctionRule("abs", "The absolute value", 1, sp.Abs, lambda z: sp.Abs(z), ("z",)),
        FunctionRule(
            "bce", "Binary cross-entropy", 2, bce,
            lambda p, y: -y * sp.log(p) - (1 - y) * sp.log(1 - p), ("p", "y"),
        ),
        FunctionRule("mse", "Squared error", 2, mse, lambda yhat, y: (yhat - y) ** 2, ("yhat", "y")),
        FunctionRule("mean", "The mean", 1, mean, lambda u: mean(u), ("u",)),
        FunctionRule("sum", "The sum", 1, total, lambda u: total(u), ("u",)),
    )
}

CUSTOM_CLASSES: dict[type, str] = {
    sigmoid: "sigmoid",
    relu: "relu",
    softplus: "softplus",
    bce: "bce",
    mse: "mse",
    sp.tanh: "tanh",
    sp.exp: "exp",
    sp.sin: "sin",
    sp.cos: "cos",
    sp.log: "log",
    sp.Abs: "abs",
    mean: "mean",
    total: "sum",
}


def function_names() -> str:
    """The whitelist as a human-readable list, for error messages."""
    return ", ".join(FUNCTIONS)
