"""Central finite differences with Ridders' extrapolation (Numerical Recipes' dfridr).

A fixed step fails near a pole (BCE close to a saturated sigmoid) or for large curvature.
Ridders' method shrinks the step geometrically, extrapolates the central differences to a
zero step, and keeps the estimate with the smallest error estimate, using only the
function itself, never the value it is compared against.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

SHRINK = 1.4
TABLE = 10
MIN_STEP = 1e-10
"""The smallest first step, relative to max(1, |x|): a scale from a distance to trouble (a kink, a
probability next to 0) can be as small as 5e-324, whose step rounds to 0; below this, rounding
f's value swamps the difference anyway."""


def derivative(function: Callable[[float], float], at: float, scale: float | None = None):
    """df/dx at a scalar ``at`` by extrapolated central differences; f may return an array.

    An array ``at`` is differentiated element by element (each element perturbed alone).
    """
    if np.ndim(at) > 0:
        return _per_element(function, np.asarray(at, dtype=np.float64), scale)
    step = max(0.1 * (scale if scale is not None else max(1.0, abs(at))), MIN_STEP * max(1.0, abs(at)))
    table: list[list[float]] = [[_central(function, at, step)]]
    best, best_error = table[0][0], math.inf
    for row in range(1, TABLE):
        step /= SHRINK
        current = [_central(function, at, step)]
        factor = SHRINK**2
        for column in range(1, row + 1):
            current.append((current[column - 1] * factor - table[row - 1][column - 1]) / (factor - 1))
            factor *= SHRINK**2
            error = max(_size(current[column] - current[column - 1]),
                        _size(current[column] - table[row - 1][column - 1]))
            if error <= best_error:
                best, best_error = current[column], error
        table.append(current)
        if _size(current[row] - table[row - 1][row - 1]) >= 2 * best_error:
            break
    return best


def _size(difference) -> float:
    """The largest absolute element (nan counts as infinitely large)."""
    largest = float(np.max(np.abs(difference)))
    return math.inf if math.isnan(largest) else largest


def _per_element(function, at: np.ndarray, scale: float | None):
    result = np.zeros(at.shape)
    for index in np.ndindex(at.shape):
        def along(v: float, index=index) -> float:
            moved = at.copy()
            moved[index] = v
            return float(np.sum(function(moved)))
        result[index] = derivative(along, float(at[index]), scale)
    return result


def _central(function: Callable[[float], float], at: float, step: float) -> float:
    return (function(at + step) - function(at - step)) / (2 * step)
