"""[gradient] tables on the tape, with TensorFlow's own watch rules.

Each table is one ``tf.GradientTape`` set up as the spec says (``watch_accessed_variables``,
``tape.watch`` of named inputs), so a source the tape does not watch gives ``None`` exactly
as in seed 001, and ``order > 1`` nests one tape per order as seed 004 does. Which sources
give ``None``, and why, is also predicted from the rules (``watch_rules``); the two must agree.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..graph.dag import Graph
from ..spec.schema import Gradient
from .tape import forward_pass, make_variables, tf, value_of


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
