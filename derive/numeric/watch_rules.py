"""TensorFlow's watch rules, predicted without TensorFlow: does tape.gradient give a number or None?

A [gradient] table states, for each source, whether the tape watches it and why (seed 001's
``None`` for a constant, for a non-trainable variable, under ``watch_accessed_variables=False``).
The prediction is read from the spec alone, so the sheet is assembled where TensorFlow is
not loaded; ``gradient_tables`` runs the tape and the sheet checks that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..graph.dag import Graph
from ..spec.schema import Gradient


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
