"""Finite differences that never step across a kink or a pole, and a clear refusal exactly on a kink.

relu, leaky_relu, elu, abs, max, min and huber's switch point have a derivative that jumps.
A central difference whose step crosses the jump averages the two sides and disagrees with
SymPy and the tape, which take one side. So before differencing, every kinked call the
perturbed value reaches is found through the registry's ``switch`` (an expression of the
call's arguments that is 0 exactly at the kink); its distance to the kink, in units of the
perturbed value, is ``|switch| / |d switch / d value|`` (the slope by a tiny central
difference, so matrix products are covered too), and the first step is kept to half the
nearest such distance. A switch that is exactly 0 where the value moves it is a point where
the derivative is not defined: ``NumericError`` naming the node and the function; so is one
nearer to 0 than the smallest step the differences take (``MIN_STEP``), which every step crosses.

Poles are kept at the same distance (``poles``): a quotient's denominator, a root's or a
logarithm's argument, and what a registry entry names (bce's p and 1 - p). A central difference
whose step straddles one (10/f where f vanishes 0.35 away from a = -4) is garbage; the first
step stays below half the distance (the adaptive differences shrink it further if needed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import sympy as sp

from ..errors import NumericError
from ..graph.dag import Graph
from ..graph.evaluate import evaluate
from ..graph.functions import CUSTOM_CLASSES, FUNCTIONS
from .finite_difference import MIN_STEP

KINKED = tuple(cls for cls, name in CUSTOM_CLASSES.items() if FUNCTIONS[name].switch is not None)


def switches(graph: Graph, nodes: list[str]) -> list[tuple[str, str, sp.Expr]]:
    """(node, function, switch expression) of every kinked call in ``nodes``."""
    found = []
    for name in nodes:
        for call in sorted(graph.node_by_name[name].expression.sympy.atoms(*KINKED), key=sp.default_sort_key):
            function = CUSTOM_CLASSES[type(call)]
            found.append((name, function, FUNCTIONS[function].switch(*call.args)))
    return found


def poles(graph: Graph, nodes: list[str]) -> list[tuple[str, str, sp.Expr]]:
    """(node, what, expression that is 0 at the pole) of every denominator, fractional power's base
    and logarithm's argument in ``nodes``, and the poles registry entries name, once each."""
    found: dict[tuple[str, sp.Expr], str] = {}
    for name in nodes:
        for part in sp.preorder_traversal(graph.node_by_name[name].expression.sympy):
            entry = FUNCTIONS.get(CUSTOM_CLASSES.get(type(part), ""))
            if part.is_Pow and part.exp.is_Number and not (part.exp.is_Integer and part.exp > 0):
                found.setdefault((name, part.base), f"the power {part}")
            elif isinstance(part, sp.log):
                found.setdefault((name, part.args[0]), f"the logarithm {part}")
            elif entry is not None and entry.poles is not None:
                for zero in entry.poles(*part.args):
                    found.setdefault((name, zero), entry.name)
    return [(name, what, zero) for (name, zero), what in found.items() if not zero.is_Number]


def clear_scale(found: list[tuple[str, str, sp.Expr]], environment: Callable[[object], Mapping],
                at: object, wrt: str, nearby_poles: list[tuple[str, str, sp.Expr]] = ()) -> float | None:
    """A ``finite_difference.derivative`` scale (first step 0.1 x scale) that stays on one side of
    every kink in ``found`` and every pole in ``nearby_poles`` while ``wrt`` moves around ``at``;
    None where there are none. A point exactly on a kink is refused (a pole's value is infinite
    there, which the forward pass refuses)."""
    kinks = len(found)
    found = [*found, *nearby_poles]
    if not found:
        return None
    at = np.asarray(at, dtype=np.float64)

    def values(v: np.ndarray) -> list[np.ndarray]:
        env = environment(float(v) if v.ndim == 0 else v)
        return [np.asarray(evaluate(g, env), dtype=np.float64) for _, _, g in found]

    base = values(at)
    nearest = np.inf
    for index in np.ndindex(at.shape):
        h = 1e-6 * max(1.0, abs(float(at[index])))
        up, down = at.copy(), at.copy()
        up[index] += h
        down[index] -= h
        for number, ((node, function, g), now, high, low) in enumerate(zip(found, base, values(up),
                                                                           values(down), strict=True)):
            slope = np.abs(high - low) / (2 * h)
            moving = slope > 1e-12
            # nearer than the smallest step the differences take (w = -6e-295 from leaky_relu's kink):
            # every step would cross it, so the point is as good as on it
            on_kink = moving & (np.abs(now) < slope * MIN_STEP * max(1.0, abs(float(at[index]))))
            if number < kinks and np.any(on_kink):
                element = tuple(int(i) for i in np.argwhere(on_kink)[0])
                where = f" at element {element}" if element else ""
                distance = float(np.abs(now)[element] / slope[element])
                kink = f"its kink ({g} = 0{where})"
                at = f"exactly {kink}" if distance == 0 else \
                    f"{kink} to within {distance:.2g}, nearer than any step of the finite differences"
                raise NumericError(f"graph.{node}", f"{function} at {at}: the derivative with respect to "
                                   f"{wrt} is not defined there; move the input")
            if np.any(moving):
                nearest = min(nearest, float(np.min(np.abs(now[moving]) / slope[moving])))
    return None if not np.isfinite(nearest) else 5.0 * nearest

