r"""GELU, exact and in its tanh approximation, for the registry: classes, rules and NumPy ops;
and the steps a textbook takes to tanh's derivative.

GELU(z) = z Φ(z), with Φ the standard normal CDF (1 + erf(z/√2))/2 and φ its density; its
textbook derivative is Φ(z) + z φ(z), which the sheet prints so (Φ and φ are classes of their
own, evaluated by NumPy). The tanh approximation (``tf.nn.gelu(approximate=True)``, Hendrycks
and Gimpel) replaces Φ(z) by (1 + tanh(√(2/π)(z + 0.044715 z³)))/2. ``functions.py``
registers the entries; this module holds their SymPy classes (the textbook derivative in
``fdiff``) and NumPy ops, with erf's (NumPy has none; ``math.erf`` element by element).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy as sp

from .named import Head, NamedFunctionBase

Array = Any

TANH_CUBIC = sp.Float("0.044715")
"""The cubic coefficient of GELU's tanh approximation (printed as written, 0.044715)."""
_ROOT_TWO_OVER_PI = sp.sqrt(2 / sp.pi)


class normal_cdf(NamedFunctionBase):  # noqa: N801 - printed Φ
    """Φ(z) = (1 + erf(z/√2))/2, the standard normal CDF; its derivative is φ(z)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return normal_pdf(self.args[0])

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return ((1 + sp.erf(self.args[0] / sp.sqrt(2))) / 2)._eval_evalf(prec)

    head = Head(r"\Phi", "\u03a6", upright=False)


class normal_pdf(NamedFunctionBase):  # noqa: N801 - printed φ
    """φ(z) = e^(-z²/2)/√(2π), the standard normal density; its derivative is -z φ(z)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return -self.args[0] * normal_pdf(self.args[0])

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return (sp.exp(-self.args[0] ** 2 / 2) / sp.sqrt(2 * sp.pi))._eval_evalf(prec)

    head = Head(r"\varphi", "\u03c6", upright=False)


def _tanh_argument(z: sp.Expr) -> sp.Expr:
    return _ROOT_TWO_OVER_PI * (z + TANH_CUBIC * z**3)


class gelu(NamedFunctionBase):  # noqa: N801 - spec name
    """z Φ(z) (exact, with erf); derivative Φ(z) + z φ(z)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        z = self.args[0]
        return normal_cdf(z) + z * normal_pdf(z)

    head = Head(r"\operatorname{GELU}", "GELU")


class gelu_tanh(NamedFunctionBase):  # noqa: N801
    """z (1 + tanh(√(2/π)(z + 0.044715 z³)))/2; derivative by the product and chain rules."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        z = self.args[0]
        t = sp.tanh(_tanh_argument(z))
        return (1 + t) / 2 + z * (1 - t**2) * _ROOT_TWO_OVER_PI * (1 + 3 * TANH_CUBIC * z**2) / 2

    head = Head(r"\operatorname{GELU}_{\tanh}", "GELU\u2009tanh")


def gelu_definition(z: sp.Expr) -> sp.Expr:
    return z * (1 + sp.erf(z / sp.sqrt(2))) / 2


def gelu_tanh_definition(z: sp.Expr) -> sp.Expr:
    return z * (1 + sp.tanh(_tanh_argument(z))) / 2


def gelu_rule(argindex: int) -> tuple[sp.Expr, sp.Expr, tuple[tuple[sp.Expr, sp.Expr], ...]]:
    """GELU'(z) = Φ(z) + z φ(z), from GELU(z) = z Φ(z) (the product rule, Φ' = φ)."""
    z = sp.Symbol("z", real=True)
    derivative = sp.Derivative(gelu(z), z)
    result = gelu(z).fdiff()
    exponent = -(z**2) / 2
    with sp.evaluate(False):  # as a textbook writes them: erf(z/√2), e^(-z²/2)/√(2π)
        cdf = (1 + sp.erf(z / sp.sqrt(2))) / 2
        pdf = sp.exp(exponent) / sp.sqrt(2 * sp.pi)
    return derivative, result, ((gelu(z), z * normal_cdf(z)), (normal_cdf(z), cdf), (normal_pdf(z), pdf),
                                (derivative, result))


_erf = np.vectorize(math.erf, otypes=[np.float64])


def np_erf(z: Array) -> Array:
    """erf in float64, element by element; nan stays nan."""
    result = _erf(np.asarray(z, dtype=np.float64))
    return result if np.ndim(result) else np.float64(result)


_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def np_normal_cdf(z: Array) -> Array:
    """Φ(z) as erfc(-z/√2)/2, which keeps its digits in the left tail (1 + erf(z/√2) cancels there)."""
    result = 0.5 * _erfc(-np.asarray(z, dtype=np.float64) / math.sqrt(2.0))
    return result if np.ndim(result) else np.float64(result)


def np_normal_pdf(z: Array) -> Array:
    return np.exp(-0.5 * np.square(z)) / math.sqrt(2.0 * math.pi)


def np_gelu(z: Array) -> Array:
    return z * np_normal_cdf(z)


def np_gelu_tanh(z: Array) -> Array:
    return 0.5 * z * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (z + 0.044715 * z**3)))


def tanh_rule(argindex: int) -> tuple[sp.Expr, sp.Expr, tuple[tuple[sp.Expr, sp.Expr], ...]]:
    """tanh'(z) = 1 - tanh^2(z), as a textbook derives it: tanh = sinh/cosh, the quotient rule
    (sinh' = cosh, cosh' = sinh), then cosh^2 - sinh^2 over cosh^2 (never the expansion in e^z)."""
    z = sp.Symbol("z", real=True)
    derivative = sp.Derivative(sp.tanh(z), z)
    result = sp.diff(sp.tanh(z), z)
    with sp.evaluate(False):
        quotient = (sp.cosh(z) ** 2 - sp.sinh(z) ** 2) / sp.cosh(z) ** 2
        ratio = sp.sinh(z) / sp.cosh(z)
    return derivative, result, ((sp.tanh(z), ratio), (derivative, quotient), (derivative, result))

