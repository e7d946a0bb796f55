"""Central finite differences with Ridders' extrapolation (Numerical Recipes' dfridr), adaptive.

One Ridders tableau shrinks the step geometrically from a first step h, extrapolates the
central differences to a zero step, and keeps the estimate with the smallest error estimate
(the difference between neighbouring extrapolations). Its answer is only as good as h: a first
step that straddles a pole (10/f where f vanishes 0.35 away) or spans several periods of an
oscillation (sin((x w - b)^2)) gives extrapolations that disagree, and so a large error
estimate. Such a tableau is rejected and a new one started from a first step ten times smaller,
until the error estimate is small against the derivative (``ACCEPT``) or against what rounding
of f allows; the estimate with the smallest error over all tableaux is returned, with that
error. Only the function itself is used, never the value it is compared against. The caller
may bound the first step (``scale``: first step 0.1 x scale, if that is below the default 0.1 x
max(1, |x|)) by the distance to the nearest pole or kink (``kinks.clear_scale``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SHRINK = 1.4
TABLE = 10
SAFE = 2.0
"""A tableau stops when its newest extrapolation is SAFE times worse than its best (rounding wins)."""
ATTEMPTS = 6
"""Tableaux at most, each from a first step ten times smaller than the last (down to 1e-6 of the first)."""
ACCEPT = 1e-10
"""An error estimate this small relative to the derivative ends the search."""
ROUNDING = 1e-12
"""... or this small relative to |f| / (first step): as close as rounding f in float64 lets a
difference quotient come (a derivative that is 0, or tiny against f)."""
MIN_STEP = 1e-10
"""The smallest first step, relative to max(1, |x|): a scale from a distance to trouble (a kink, a
probability next to 0) can be as small as 5e-324, whose step rounds to 0; below this, rounding
f's value swamps the difference anyway."""


@dataclass(frozen=True)
class Estimate:
    """A derivative by finite differences and Ridders' estimate of its error (same shape)."""

    value: float | np.ndarray
    error: float | np.ndarray


def derivative(function: Callable[[float], float], at, scale: float | None = None):
    """df/dx at ``at`` by adaptive extrapolated central differences; f may return an array (summed
    over for an array ``at``, which is differentiated element by element)."""
    return estimate(function, at, scale).value


def estimate(function: Callable[[float], float], at, scale: float | None = None,
             size: float | None = None) -> Estimate:
    """df/dx at ``at`` with its error estimate; ``scale`` bounds the first step (0.1 x scale), ``size``
    is how large the numbers are that f adds up (default |f(at)|), for the error rounding leaves."""
    if np.ndim(at) > 0:
        return _per_element(function, np.asarray(at, dtype=np.float64), scale, size)
    natural = max(1.0, abs(at))  # a scale bounds the first step, never widens it: a root's argument
    # 1 + y**4 is 1000 away from 0 at y = -0.062, and steps of 100 saw sqrt(1 + y**4) as y**2
    step = max(0.1 * (min(scale, natural) if scale is not None else natural), MIN_STEP * natural)
    seen = [_size(function(at)) if size is None else size]

    def watched(v: float):  # f, remembering how large its values get (f(at) may be 0 where f(at + h) is not)
        result = function(v)
        seen.append(_size(result))
        return result

    best: tuple[object, float, float, float] | None = None
    for _ in range(ATTEMPTS):
        value, error, smallest, largest = _tableau(watched, at, step)
        if best is None or error < best[1]:
            best = (value, error, smallest, largest)
        if best[1] <= ACCEPT * _size(best[0]) + ROUNDING * max(seen) / step:
            break
        step /= 10.0
    value, error, smallest, largest = best
    size = seen[0] if size is not None else max(seen[0], _finite(seen[1:]))
    # no better than rounding allows: f's values over the step, and the extrapolation's arithmetic on
    # the difference quotients (a derivative of 0 from quotients of 1e-2 comes out as 1e-16, not 0)
    return Estimate(value, max(error, EPSILON * size / smallest, EXTRAPOLATION * EPSILON * largest))


EPSILON = float(np.finfo(np.float64).eps)
EXTRAPOLATION = 16.0
"""How many roundings of the largest difference quotient the extrapolation may accumulate."""


def _tableau(function: Callable[[float], float], at: float,
             step: float) -> tuple[object, float, float, float]:
    """One Ridders tableau from first step ``step``: the best extrapolation, its error estimate, the
    smallest step it used, and the largest difference quotient."""
    table: list[list[object]] = [[_central(function, at, step)]]
    best, best_error, smallest = table[0][0], math.inf, step
    largest = _size(table[0][0])
    for row in range(1, TABLE):
        step /= SHRINK
        current = [_central(function, at, step)]
        largest = max(largest, _size(current[0]))
        factor = SHRINK**2
        for column in range(1, row + 1):
            current.append((current[column - 1] * factor - table[row - 1][column - 1]) / (factor - 1))
            factor *= SHRINK**2
            error = max(_size(current[column] - current[column - 1]),
                        _size(current[column] - table[row - 1][column - 1]))
            if error <= best_error:
                best, best_error, smallest = current[column], error, step
        table.append(current)
        if _size(current[row] - table[row - 1][row - 1]) >= SAFE * best_error:
            break
    return best, best_error, smallest, largest


def _finite(sizes: list[float]) -> float:
    finite = [v for v in sizes if math.isfinite(v)]
    return max(finite, default=0.0)


def _size(difference) -> float:
    """The largest absolute element (nan counts as infinitely large)."""
    largest = float(np.max(np.abs(difference)))
    return math.inf if math.isnan(largest) else largest


def _per_element(function, at: np.ndarray, scale: float | None, size: float | None = None) -> Estimate:
    values, errors = np.zeros(at.shape), np.zeros(at.shape)
    if size is None:  # f sums an array: rounding is relative to all of it
        size = float(np.sum(np.abs(function(at))))
    for index in np.ndindex(at.shape):
        def along(v: float, index=index) -> float:
            moved = at.copy()
            moved[index] = v
            return float(np.sum(function(moved)))
        found = estimate(along, float(at[index]), scale, size)
        values[index], errors[index] = found.value, found.error
    return Estimate(values, errors)


def _central(function: Callable[[float], float], at: float, step: float):
    return (function(at + step) - function(at - step)) / (2 * step)
