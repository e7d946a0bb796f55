"""[gradient] tables on the tape, with TensorFlow's own watch rules.

Each table is one ``tf.GradientTape`` set up as the spec says (``watch_accessed_variables``,
``tape.watch`` of named inputs), so a source the tape does not watch gives ``None`` exactly
as in seed 001, and ``order > 1`` nests one tape per order as seed 004 does. Which sources
give ``None``, and why, is also predicted from the rules; the two must agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..graph.dag import Graph
from ..spec.schema import Gradient
from .tape import forward_pass, make_variables, tf, value_of


@dataclass(frozen=True)
class Watch:
    """Whether the tape sees a source, and the sentence that says why."""

    watched: bool
    connected: bool
    reason: str


def watch_of(graph: Graph, table: Gradient, of: str, wrt: str) -> Watch:
    """Predict from TensorFlow's rules whether tape.gradient(of, wrt) is a number or None."""
    connected = bool(graph.paths(wrt, of))
    if wrt in graph.node_by_name:
        watched, reason = True, f"{wrt} is computed on the tape, which records it"
    elif wrt in table.watch:
        watched, reason = True, f"tape.watch({wrt}) asks the tape to watch it"
    elif wrt in graph.trainable and table.watch_accessed_variables:
        watched, reason = True, f"{wrt} is a trainable tf.Variable, watched as soon as it is read"
    elif wrt in graph.trainable:
        watched, reason = False, (f"watch_accessed_variables=False: only sources given to tape.watch are "
                                  f"watched, and {wrt} is not")
    elif wrt in graph.parameters:
        watched, reason = False, (f"{wrt} is a tf.Variable with trainable=False, which the tape does not "
                                  f"watch unless tape.watch({wrt}) is called")
    else:
        watched, reason = False, (f"{wrt} is a constant tensor, which the tape does not watch unless "
                                  f"tape.watch({wrt}) is called")
    if watched and not connected:
        reason = (f"{of} does not depend on {wrt} (no path in the graph), so there is nothing to "
                  f"differentiate; unconnected_gradients=tf.UnconnectedGradients.ZERO would give 0")
    return Watch(watched, connected, reason)


def run_gradient_table(graph: Graph, table: Gradient, of: str, wrt: tuple[str, ...],
                       dtype_name: str) -> dict[str, float | None]:
    """tape.gradient of ``of`` with respect to each of ``wrt`` (None where TF gives None)."""
    dtype = tf.float32 if dtype_name == "float32" else tf.float64
    sources: dict[str, tf.Tensor] = {name: tf.constant(value, dtype=dtype)
                                     for name, value in graph.inputs.items()}
    sources.update(make_variables(graph, dtype))
    results: dict[str, float | None] = {}
    for name in wrt:
        value = _nested(graph, table, sources, of, name, table.order, dtype)[0]
        results[name] = None if value is None else value_of(value)
    return results


def _nested(graph: Graph, table: Gradient, sources: Mapping[str, tf.Tensor], of: str, wrt: str,
            order: int, dtype: tf.DType):
    """The order-th derivative, each tape wrapped around the one inside (seed 004)."""
    if order == 0:
        values = forward_pass(graph, sources, dtype)
        return values[of], values
    with tf.GradientTape(persistent=True, watch_accessed_variables=table.watch_accessed_variables) as tape:
        for name in table.watch:
            tape.watch(sources[name])
        inner, values = _nested(graph, table, sources, of, wrt, order - 1, dtype)
    if inner is None:
        return None, values
    source = values[wrt] if wrt in graph.node_by_name else sources[wrt]
    return tape.gradient(inner, source), values
