"""How far a careful student's answers may land from the key, working from rounded numbers.

A student works each step from the numbers the sheet shows (or from their own, rounded to the
sheet's digits as on paper): o = tanh(z) from z rounded to 5 digits, dL/dw1 as the product of
the rounded local derivatives, w1 after step 2 from w1 after step 1 and a gradient worked on
scrap paper. Each rounding is at most half a unit in the last digit, and it is carried into
what follows. ``spreads`` follows the sheet's computation as the student does it, step by step,
and bounds each answer's distance from its exact value to first order:

    spread(a) = sum over what a is computed from, q:  |da/dq| * (spread(q) + half a unit of q)

with |da/dq| measured by central differences of the step itself (float64). A quiz's margin is
then wide enough for every careful student (``render.quiz.tolerance``), without being so wide
that a flipped sign passes (``sheet.answers.well_posed``). Steps past ``MAX_STEPS`` are not
followed (no one works them by hand): their answers get no spread.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
import sympy as sp

from ..graph.dag import Graph
from ..graph.evaluate import Value, evaluate, forward_values, reduce_to
from ..symbolic.derivation import Derivation
from ..symbolic.optimizers import G, Rule, T, W
from .tape_result import TapeResult

MAX_STEPS = 20
"""Descent steps followed: past these, an answer's spread is 0 (the default margin alone)."""
MAX_ELEMENTS = 256
"""Elements of an array perturbed one by one; a larger array moves as a whole."""


def half_unit(value: Value, digits: int) -> Value:
    """Half a unit in the last of ``digits`` significant digits of each element: what writing it
    down to those digits may move it; 0 where the digits hold it whole (1.3, 0)."""
    array = np.asarray(value, dtype=np.float64)
    size = np.abs(array)
    with np.errstate(divide="ignore"):
        exponent = np.floor(np.log10(np.where(size > 0, size, 1.0)))
    written = np.vectorize(lambda v: float(f"{v:.{digits}g}"), otypes=[float])(array)
    whole = np.abs(written - array) <= 1e-12 * size  # float64's own noise aside
    half = np.where((size > 0) & ~whole, 0.5 * 10.0 ** (exponent - digits + 1), 0.0)
    return float(half) if half.ndim == 0 else half


def sensitivity(expression: sp.Expr, env: Mapping[sp.Symbol, Value],
                moved: Mapping[sp.Symbol, Value]) -> Value:
    """sum over each symbol s and element j of |f(s_j + d_j) - f(s_j - d_j)| / 2, for the moves
    ``d = moved[s]``: how far ``expression`` can go when each input is off by its move."""
    total: Value = 0.0
    for symbol in expression.free_symbols:
        if symbol not in moved or not np.any(moved[symbol]):
            continue
        at = np.asarray(env[symbol], dtype=np.float64)
        step = np.broadcast_to(np.asarray(moved[symbol], dtype=np.float64), at.shape)
        if at.size <= MAX_ELEMENTS:
            for index in np.ndindex(at.shape):
                up, down = at.copy(), at.copy()
                up[index] += step[index]
                down[index] -= step[index]
                total = total + _difference(expression, env, symbol, up, down)
        else:
            total = total + _difference(expression, env, symbol, at + step, at - step)
    return total


def _difference(expression: sp.Expr, env, symbol, up, down) -> Value:
    high = evaluate(expression, {**env, symbol: up if np.ndim(up) else float(up)})
    low = evaluate(expression, {**env, symbol: down if np.ndim(down) else float(down)})
    return np.abs(np.subtract(high, low)) / 2


def _summed_spread(spread: Value, value: Value, digits: int) -> Value:
    """The spread of the loss the sheet asks for, the sum of an array loss (``loss_total``): each
    element's spread, plus its rounding where a student writes the elements down before adding."""
    if np.ndim(value) == 0:
        return spread
    return float(np.sum(spread) + np.sum(half_unit(value, digits)))


Spreads = dict[tuple[str, str, int], Value]
"""Spreads by (kind, name, step): ``("forward", "A2", 0)``, ``("local", "A2/A1", 0)``,
``("gradient", "w1", 0)``, ``("backward", "A2", 0)``, ``("updated", "w1", 2)``, ``("loss", "L", 2)``."""


def spreads(graph: Graph, derivation: Derivation, relevant: frozenset[str], numbers: TapeResult,
            rate: float | None, digits: int, rule: Rule | None = None) -> Spreads:
    """Each answer's spread when every number is shown to ``digits`` significant digits; with an
    optimizer's ``rule``, its states' too, through its worked steps (``numbers.states``)."""
    out: Spreads = {}
    trained = set(graph.trainable)
    carried: dict[str, Value] = {}  # each trained parameter's spread after the last step
    steps = min(len(numbers.history), MAX_STEPS + 1) if rate is not None else 1
    if rule is not None:
        steps = min(steps, len(numbers.states) + 1)
    states: dict[str, dict[str, tuple[Value, Value]]] = {}  # each parameter's states: value and spread
    for step in range(steps):
        parameters = {**graph.parameters, **(numbers.history[step][1] if numbers.history else {})}
        values = forward_values(graph, {**graph.inputs, **parameters})
        env = {graph.symbols[name]: value for name, value in values.items()}
        moves: dict[sp.Symbol, Value] = {}  # how far the student's value of each name may be off
        for name in trained:
            if step:
                moves[graph.symbols[name]] = carried[name] + half_unit(values[name], digits)
        node_spread = {}
        for node in graph.nodes:
            spread = _shaped(sensitivity(node.expression.sympy, env, moves), values[node.name])
            node_spread[node.name] = spread
            moves[graph.symbols[node.name]] = spread + half_unit(values[node.name], digits)
        if step == 0:
            out.update({("forward", name, 0): spread for name, spread in node_spread.items()})
        elif graph.loss in node_spread:
            loss = graph.loss
            out[("loss", loss, step)] = _summed_spread(node_spread[loss], values[loss], digits)
        gradients = _gradients(graph, derivation, relevant, env, moves, digits, out if step == 0 else None)
        if step == 0 and derivation.backward is not None:
            passed = derivation.backward
            for name in passed.order[1:]:
                spread = sensitivity(passed.gradients[name], env, moves)
                out[("backward", name, 0)] = reduce_to(spread, np.shape(values[name]))
        if rate is None or step + 1 >= len(numbers.history):
            break
        for name in trained:
            gradient, spread = gradients.get(name, (0.0, 0.0))
            before = moves.get(graph.symbols[name], 0.0) if step else 0.0
            if rule is None:
                carried[name] = before + rate * (spread + half_unit(gradient, digits))
            else:
                if step:
                    out[("gradient", name, step)] = spread
                worked = numbers.states[step][name]
                moved = (values[name], before, worked["gradient"], spread)
                states[name] = _stepped(rule, rate, step + 1, moved, states.get(name, {}), digits)
                out.update({("state", f"{key}:{name}", step + 1): s for key, (_, s) in states[name].items()})
                carried[name] = states[name].pop("w")[1]
            if step + 1 < steps:
                out[("updated", name, step + 1)] = carried[name]
    return out


def _stepped(rule: Rule, rate: float, step: int, moved: tuple[Value, Value, Value, Value],
             before: dict[str, tuple[Value, Value]], digits: int) -> dict[str, tuple[Value, Value]]:
    """One step of ``rule`` worked from rounded numbers: each row's value and spread, from the
    parameter and its move, the gradient and its spread, and the states before (value, spread)."""
    parameter, parameter_move, gradient, gradient_spread = moved
    env: dict[sp.Symbol, Value] = {**rule.values(rate), W: parameter, G: gradient, T: float(step)}
    moves: dict[sp.Symbol, Value] = {W: parameter_move, G: gradient_spread + half_unit(gradient, digits)}
    for row in rule.states:
        if row.kept:
            value, spread = before.get(row.key, (0.0, 0.0))
            env[rule.symbol(row.key)] = value
            moves[rule.symbol(row.key)] = spread + half_unit(value, digits) if step > 1 else 0.0
    out: dict[str, tuple[Value, Value]] = {}
    for row in rule.rows:
        value = evaluate(row.expression, env)
        spread = _shaped(sensitivity(row.expression, env, moves), value)
        out[row.key] = (value, spread)
        if row.key != "w":
            env[rule.symbol(row.key)] = value
            moves[rule.symbol(row.key)] = spread + half_unit(value, digits)
    return out


def _gradients(graph: Graph, derivation: Derivation, relevant: frozenset[str], env, moves, digits: int,
               out: Spreads | None) -> dict[str, tuple[Value, Value]]:
    """Each trained parameter's gradient at this point and its spread, from the rounded local
    derivatives (a sum over paths) or, with a backward pass, from the rounded node values;
    the local derivatives' spreads go to ``out`` (the first step only)."""
    local: dict[str, tuple[Value, Value]] = {}
    for key, edge in derivation.edges.items():
        if key not in relevant or edge.through_matrix_product:
            continue
        value = evaluate(edge.in_nodes, env)
        spread = _shaped(sensitivity(edge.in_nodes, env, moves), value)
        local[key] = (value, spread)
        if out is not None:
            out[("local", key, 0)] = spread
    result: dict[str, tuple[Value, Value]] = {}
    for name, chain in derivation.chains.items():
        shape = np.shape(env[graph.symbols[name]])
        if chain.backward is not None or any(e.key not in local for p in chain.paths for e in p.edges):
            gradient = reduce_to(evaluate(chain.total, env), shape)
            spread = reduce_to(sensitivity(chain.total, env, moves), shape)
        else:
            gradient, spread = _path_sum(chain, local, digits, shape)
        result[name] = (gradient, spread)
        if out is not None:
            out[("gradient", name, 0)] = spread
    return result


def _path_sum(chain, local: dict[str, tuple[Value, Value]], digits: int,
              shape: tuple[int, ...]) -> tuple[Value, Value]:
    """A sum over paths of products of rounded local derivatives, and its first-order spread."""
    gradient: Value = 0.0
    spread: Value = 0.0
    for path in chain.paths:
        factors = [local[e.key][0] for e in path.edges]
        moves = [local[e.key][1] + half_unit(local[e.key][0], digits) for e in path.edges]
        gradient = gradient + reduce_to(functools.reduce(np.multiply, factors, 1.0), shape)
        for index, move in enumerate(moves):
            others = functools.reduce(np.multiply, factors[:index] + factors[index + 1:], 1.0)
            spread = spread + reduce_to(np.abs(others) * move, shape)
    return gradient, spread


def _shaped(spread: Value, value: Value) -> Value:
    """A spread with the value's shape (a 0 where nothing moved)."""
    if np.shape(spread) == np.shape(value):
        return spread
    if np.ndim(spread) == 0:
        return np.full(np.shape(value), float(spread)) if np.ndim(value) else float(spread)
    return reduce_to(spread, np.shape(value))
