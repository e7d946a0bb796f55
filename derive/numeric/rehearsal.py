"""Stand-in numbers for a rehearsal: what the tape would answer, from SymPy in float64, without TensorFlow.

``derive render`` lays its sheet out twice: once with these numbers while its tape process is
still importing TensorFlow, then with the tape's. The first layout is thrown away; it is
there for the renderers' caches, which are keyed by content (ziamath's layout of each formula
part, the printed MathML and TeX, the graph's picture), so that the second finds nearly every
formula laid out already: the symbolic parts are the same, and so are most numbers, which
are shown at the digits on which float32 and float64 agree.

So the numbers need only be right where a sheet shows them, and shaped as the tape shapes
them (``tape._partial``): the element-wise partial, a gradient of a scalar node, a whole
Jacobian where a node mixes elements. SymPy's values pass the three-way check, being what it
compares the tape with. The first descent step is exact; the later steps, which only the
step table and the loss plot show, are left at the first one's values (an optimizer's states
too, from its rule in float64). The Keras check finds nothing to say.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..graph.dag import Graph
from ..graph.evaluate import Value, as_value, evaluate, forward_values, reduce_to
from ..spec.limits import MAX_JACOBIAN
from ..spec.optimizers import WORKED_STEPS, Optimizer
from ..spec.schema import Gradient
from ..symbolic.backprop import mixing_edges
from ..symbolic.derivation import ChainRule, Derivation, EdgeDerivation, Target
from ..symbolic.optimizers import follow, update_rule
from .checks import symbolic_jacobian
from .keras_check import DenseCheck
from .tape_result import TapeResult
from .watch_rules import watch_of


class Rehearsal:
    """A ``TapeRunner`` answering from ``derivation`` in float64, whatever the dtype."""

    def __init__(self, derivation: Derivation) -> None:
        self.derivation = derivation

    def run_tape(self, graph: Graph, dtype_name: str, learning_rate: float | None,
                 steps: int, optimizer: Optimizer | None = None) -> TapeResult:
        exact = forward_values(graph, graph.values())
        env = _environment(graph, exact)
        mixing = mixing_edges(graph)
        local = {key: _partial(edge, exact, env, key in mixing)
                 for key, edge in self.derivation.edges.items()}
        gradients = self._gradients(graph, env)
        forward = {node.name: exact[node.name] for node in graph.nodes}
        start = dict(graph.parameters)
        loss = forward[graph.loss]
        if learning_rate is None:
            return TapeResult(forward, local, gradients, start, loss, None, ((loss, start),))
        rule = update_rule(optimizer, sp.Symbol("rate")) if optimizer is not None else None
        worked = {name: follow(rule, learning_rate, start[name], gradients[name], {}, 1)
                  for name in graph.trainable} if rule is not None else {}
        updated = {name: worked[name]["w"] if name in worked else as_value(
                   np.subtract(value, learning_rate * np.asarray(gradients[name])))
                   if name in graph.trainable else value for name, value in start.items()}
        after = as_value(forward_values(graph, {**graph.inputs, **updated})[graph.loss])
        history = ((loss, start), *(((after, updated),) * steps))
        states = tuple({name: {"gradient": gradients[name], **worked[name]} for name in worked}
                       for _ in range(min(steps, WORKED_STEPS))) if rule is not None else ()
        return TapeResult(forward, local, gradients, updated, loss, after, history, states)

    def check_dense(self, graph: Graph, gradients: dict, dtype_name: str,
                    tolerance: float) -> list[DenseCheck]:
        return []

    def run_gradient_table(self, graph: Graph, table: Gradient, of: str, wrt: tuple[str, ...],
                           dtype_name: str) -> dict[str, float | None]:
        exact = forward_values(graph, graph.values())
        env = _environment(graph, exact)
        results: dict[str, float | None] = {}
        for name in wrt:
            watch = watch_of(graph, table, of, name)
            derived = self.derivation.targets[Target(of, name, table.order)]
            expression = derived.total if isinstance(derived, ChainRule) else derived.derivatives[-1]
            results[name] = (reduce_to(evaluate(expression, env), np.shape(exact[name]))
                             if watch.watched and watch.connected else None)
        return results

    def _gradients(self, graph: Graph, env: dict) -> dict[str, Value]:
        chains = self.derivation.chains
        return {name: reduce_to(evaluate(chains[name].total, env), np.shape(graph.parameters[name]))
                for name in graph.trainable}


def _environment(graph: Graph, values: dict[str, Value]) -> dict:
    return {graph.symbols[name]: value for name, value in values.items()}


def _partial(edge: EdgeDerivation, exact: dict[str, Value], env: dict, full: bool) -> Value | None:
    """d(node)/d(input) in the shape the tape gives it (``tape._partial``; None where the tape
    computes no Jacobian, one of more than ``MAX_JACOBIAN`` entries)."""
    out_shape, in_shape = np.shape(exact[edge.edge.node]), np.shape(exact[edge.edge.input])
    if full and np.prod(out_shape + in_shape) > MAX_JACOBIAN:
        return None
    try:
        broadcasts = np.broadcast_shapes(out_shape, in_shape) == out_shape
    except ValueError:
        broadcasts = False
    if out_shape and (full or (in_shape and not broadcasts)):  # a whole Jacobian
        if edge.through_matrix_product and np.prod(out_shape + in_shape) <= MAX_JACOBIAN:
            return as_value(symbolic_jacobian(edge, env, out_shape, in_shape))
        return as_value(np.zeros(out_shape + in_shape))  # never shown as a formula, nor checked
    symbolic = evaluate(edge.derivative, env)
    if not out_shape:
        return reduce_to(symbolic, in_shape)
    return as_value(np.broadcast_to(symbolic, out_shape))
