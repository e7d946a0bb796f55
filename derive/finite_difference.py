"""Central finite differences with Ridders' extrapolation (Numerical Recipes' dfridr).

A fixed step fails near a pole (BCE close to a saturated sigmoid) or for large curvature.
Ridders' method shrinks the step geometrically, extrapolates the central differences to a
zero step, and keeps the estimate with the smallest error estimate, using only the
function itself, never the value it is compared against.
"""

from __future__ import annotations

import math
from collections.abc import Callable

SHRINK = 1.4
TABLE = 10


def derivative(function: Callable[[float], float], at: float, scale: float | None = None) -> float:
    """df/dx at ``at`` by extrapolated central differences (nan if f is undefined nearby)."""
    step = 0.1 * (scale if scale is not None else max(1.0, abs(at)))
    table: list[list[float]] = [[_central(function, at, step)]]
    best, best_error = table[0][0], math.inf
    for row in range(1, TABLE):
        step /= SHRINK
        current = [_central(function, at, step)]
        factor = SHRINK**2
        for column in range(1, row + 1):
            current.append((current[column - 1] * factor - table[row - 1][column - 1]) / (factor - 1))
            factor *= SHRINK**2
            error = max(abs(current[column] - current[column - 1]),
                        abs(current[column] - table[row - 1][column - 1]))
            if error <= best_error:
                best, best_error = current[column], error
        table.append(current)
        if abs(current[row] - table[row - 1][row - 1]) >= 2 * best_error:
            break
    return best


def _central(function: Callable[[float], float], at: float, step: float) -> float:
    return (function(at + step) - function(at - step)) / (2 * step)
