"""The tape's numbers where exact arithmetic knows them better: zero is 0, 1.28 is 1.28.

``exact_overlay`` runs the sheet's computation a fourth way, in fractions from the spec's
decimals (``graph.exact``): the forward pass, each local derivative, each gradient, and the
descent steps, plain or an optimizer's rule followed row by row (``symbolic.optimizers``:
momentum, Nesterov and a weight decay stay rational; a square root, RMSprop's and Adam's, leaves
exact arithmetic, and those steps keep the tape's numbers). Where a value is rational (a weighted
sum, a squared error, a ReLU and what follows from them) and agrees with the tape to the dtype's
tolerance, the sheet shows the exact value instead of the tape's rounded one, so float32 never
invents a digit (-7.451e-9 where the pre-activation is 0). Everything else keeps the tape's value. The
keys of the values replaced are returned too: their digits need no float32/float64 survey.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np

from ..graph.dag import Graph
from ..graph.exact import Exact, as_float, environment, exact_forward, exact_value
from ..symbolic.derivation import Derivation
from ..symbolic.optimizers import G, Rule, T, W
from .tape_result import TapeResult

States = dict[str, dict[str, Exact]]
"""An optimizer's states after a step, by parameter and row key (velocity, ...), exactly."""

MAX_STEPS = 20
"""Descent steps followed exactly (more than a student works by hand); later ones keep the tape's."""
AGREEMENT = 1e-3
"""How close (relative to the value's scale) the tape must be for its exact twin to replace it:
loose enough for float32 rounding, far too tight for a different quantity."""


def exact_overlay(graph: Graph, derivation: Derivation, tape: TapeResult, rate: float | None,
                  rule: Rule | None = None) -> tuple[TapeResult, frozenset[str]]:
    """``tape`` with every value that exact arithmetic gives replaced by it, and their keys
    (``forward:A1``, ``local:A1/w1``, ``gradient:w1``, ``history:1:loss``, ``history:1:w1``,
    ``state:velocity:w1`` at the first step); ``rule``: the optimizer's, None for plain SGD."""
    replaced: set[str] = set()

    def pick(key: str, value, exact: Exact | None):
        if exact is None or value is None:
            return value
        candidate = as_float(exact)
        if np.shape(candidate) != np.shape(value) or not _close(candidate, value):
            return value
        replaced.add(key)
        return candidate

    start = exact_forward(graph, graph.values())
    env = environment(graph, start)
    forward = {n: pick(f"forward:{n}", v, start.get(n)) for n, v in tape.forward.items()}
    local = {}
    for key, value in tape.local.items():
        edge = derivation.edges[key]
        local[key] = value if edge.through_matrix_product else pick(
            f"local:{key}", value, exact_value(edge.derivative, env))
    gradients = {name: pick(f"gradient:{name}", value, _gradient(derivation, name, env, np.shape(value)))
                 for name, value in tape.gradients.items()}
    history = list(tape.history)
    parameters = dict(graph.parameters)
    exact_parameters: dict[str, Exact | None] = {n: start[n] for n in parameters}
    rate_exact = _rate(rate)
    states: States = {n: {} for n in graph.trainable}
    worked = [{n: dict(q) for n, q in taped.items()} for taped in tape.states]
    for step, (loss, taped) in enumerate(tape.history):
        if step:  # parameters after ``step`` steps, from the step before: w - rate dL/dw, or the rule
            exact_parameters, states, gradients_then = _stepped(graph, derivation, exact_parameters,
                                                                 rate_exact, rule, states, step)
            if step <= len(worked):
                suffix = "" if step == 1 else f"@{step}"
                for name, quantities in worked[step - 1].items():
                    exact = {"gradient": gradients_then.get(name), **states.get(name, {})}
                    for key, value in quantities.items():
                        quantities[key] = pick(f"state:{key}:{name}{suffix}", value, exact.get(key))
        point = _at(graph, exact_parameters)
        loss_exact = point.get(graph.loss) if point is not None else None
        moved = {n: pick(f"history:{step}:{n}", v, exact_parameters.get(n)) for n, v in taped.items()}
        history[step] = (pick(f"history:{step}:loss", loss, loss_exact), moved)
        if step >= MAX_STEPS or all(v is None for v in exact_parameters.values()):
            history[step + 1:] = tape.history[step + 1:]
            break
    loss_before = history[0][0]
    loss_after = history[-1][0] if tape.loss_after is not None else None
    updated = dict(history[1][1]) if len(history) > 1 else dict(tape.updated)
    overlaid = replace(tape, forward=forward, local=local, gradients=gradients, updated=updated,
                       loss_before=loss_before, loss_after=loss_after, history=tuple(history),
                       states=tuple(worked))
    return overlaid, frozenset(replaced)


def _close(candidate, value) -> bool:
    scale = max(1.0, float(np.max(np.abs(candidate), initial=0.0)))
    return bool(np.all(np.abs(np.subtract(candidate, value)) <= AGREEMENT * scale))


def _gradient(derivation: Derivation, name: str, env: dict, shape: tuple[int, ...]) -> Exact | None:
    """dL/d(name) exactly, summed to the parameter's ``shape`` as the tape sums it."""
    chain = derivation.chains.get(name)
    if chain is None or any(edge.through_matrix_product for edge in derivation.edges.values()):
        return None
    value = exact_value(chain.total, env)
    if value is None or np.shape(value) == shape:
        return value
    array = np.asarray(value, dtype=object)
    if array.ndim < len(shape):
        return None
    while array.ndim > len(shape):
        array = np.asarray(array.sum(axis=0), dtype=object)
    for axis, size in enumerate(shape):
        if size == 1 and array.shape[axis] != 1:
            array = np.asarray(array.sum(axis=axis, keepdims=True), dtype=object)
    return array if array.ndim else Fraction(array.item())


def _rate(rate: float | None) -> Exact | None:
    from ..graph.exact import exact_of

    return exact_of(rate) if rate is not None else None


def _at(graph: Graph, exact_parameters: dict[str, Exact | None]) -> dict | None:
    """The exact forward pass at ``exact_parameters`` (None if one of them is not exact)."""
    if any(v is None for v in exact_parameters.values()):
        return None
    from ..graph.exact import exact_of

    env = {graph.symbols[n]: exact_of(v) for n, v in graph.inputs.items()}
    env.update({graph.symbols[n]: v for n, v in exact_parameters.items()})
    result: dict = {}
    for node in graph.nodes:
        value = exact_value(node.expression.sympy, env)
        result[node.name] = value
        if value is None:
            return result
        env[graph.symbols[node.name]] = value
    return result


def _stepped(graph: Graph, derivation: Derivation, parameters: dict[str, Exact | None], rate: Exact | None,
             rule: Rule | None, states: States, step: int
             ) -> tuple[dict[str, Exact | None], States, dict[str, Exact]]:
    """One descent step in exact arithmetic: trained parameters move (by ``rule``'s rows, from the
    ``states`` after the step before, or w - rate dL/dw), the others stay. Also the states after the
    step and the gradients it started from; every parameter None where a value is not rational."""
    gave_up: tuple[dict[str, Exact | None], States, dict[str, Exact]] = (dict.fromkeys(parameters), {}, {})
    point = _at(graph, parameters)
    if rate is None or point is None or any(v is None for v in point.values()):
        return gave_up
    env = {graph.symbols[n]: v for n, v in point.items()}
    from ..graph.exact import exact_of

    env.update({graph.symbols[n]: exact_of(v) for n, v in graph.inputs.items()})
    env.update({graph.symbols[n]: v for n, v in parameters.items()})
    moved, after, gradients = dict(parameters), {}, {}
    for name in graph.trainable:
        gradient = _gradient(derivation, name, env, np.shape(parameters[name]))
        if gradient is None or np.shape(gradient) != np.shape(parameters[name]):
            return gave_up
        gradients[name] = gradient
        if rule is None:
            moved[name] = parameters[name] - rate * gradient
            continue
        rows = _follow(rule, rate, parameters[name], gradient, states.get(name, {}), step)
        if rows is None:
            return gave_up
        moved[name] = rows.pop("w")
        after[name] = rows
    return moved, after, gradients


def _follow(rule: Rule, rate: Exact, parameter: Exact, gradient: Exact, before: dict[str, Exact],
            step: int) -> dict[str, Exact] | None:
    """``symbolic.optimizers.follow`` in fractions: every row's exact value, or None if one is not
    rational (a square root)."""
    from ..graph.exact import exact_of

    env: dict = {rule.rate: rate, W: parameter, G: gradient, T: Fraction(step)}
    env.update({symbol: exact_of(rule.optimizer[key]) for key, symbol in rule.symbols})
    for row in rule.rows:
        if row.kept and row.key != "w":
            env[rule.symbol(row.key)] = before.get(row.key, Fraction(0))
    values: dict[str, Exact] = {}
    for row in rule.rows:
        value = exact_value(row.expression, env)
        if value is None:
            return None
        values[row.key] = value
        env[rule.symbol(row.key)] = value
    return values
