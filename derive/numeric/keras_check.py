"""A Keras cross-check for dense layers: ``y = x @ w + b`` is ``tf.keras.layers.Dense``.

Seed 001 shows that a Dense layer's ``trainable_variables`` get the same gradients as the
hand-written ``x @ w + b``. Where a node has that form (a 2-D trainable kernel, a 1-D
trainable bias, both used by that node alone), a Dense layer is built with those values, put
in the node's place, and its gradients must equal the tape's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import NumericError
from ..graph.dag import Graph, Node
from ..graph.functions import matmul


@dataclass(frozen=True)
class DenseCheck:
    """One dense node, and how far Keras's gradients are from the tape's."""

    node: str
    kernel: str
    bias: str
    kernel_shape: tuple[int, ...]
    bias_shape: tuple[int, ...]
    difference: float


def dense_nodes(graph: Graph) -> list[tuple[Node, str, str, str]]:
    """(node, input, kernel, bias) for every node written as input @ kernel + bias."""
    from ..graph.evaluate import forward_values

    values = forward_values(graph, graph.values())
    found = []
    for node in graph.nodes:
        expression = node.expression.sympy
        if not expression.is_Add or len(expression.args) != 2:
            continue
        products = [a for a in expression.args if isinstance(a, matmul)]
        others = [a for a in expression.args if not isinstance(a, matmul)]
        if len(products) != 1 or not others[0].is_Symbol:
            continue
        left, right = products[0].args
        kernel, bias = right.name if right.is_Symbol else "", others[0].name
        # a kernel or bias used by another node too: the layer would hold only part of its gradient
        elsewhere = {name for other in graph.nodes if other is not node for name in other.inputs}
        if (left.is_Symbol and np.ndim(values[left.name]) == 2 and not {kernel, bias} & elsewhere
                and kernel in graph.trainable and bias in graph.trainable
                and np.ndim(graph.parameters[kernel]) == 2 and np.ndim(graph.parameters[bias]) == 1):
            found.append((node, left.name, kernel, bias))
    return found


def check_dense(graph: Graph, gradients: dict, dtype_name: str, tolerance: float) -> list[DenseCheck]:
    """Keras's gradients for each dense node, compared with the tape's ``gradients``."""
    from .tape import forward_pass, make_variables, tf

    dtype = tf.float32 if dtype_name == "float32" else tf.float64
    results = []
    for node, inputs, kernel, bias in dense_nodes(graph):
        sources = {name: tf.constant(value, dtype=dtype) for name, value in graph.inputs.items()}
        sources.update(make_variables(graph, dtype))
        units = np.shape(graph.parameters[kernel])[1]
        layer = tf.keras.layers.Dense(units, dtype=dtype)
        layer.build((None, np.shape(graph.parameters[kernel])[0]))
        layer.kernel.assign(graph.parameters[kernel])
        layer.bias.assign(graph.parameters[bias])
        upstream = forward_pass(graph, sources, dtype)
        with tf.GradientTape() as tape:
            # the nodes before the dense one as computed, the layer in its place, the rest anew
            before = graph.nodes[: graph.nodes.index(node)]
            held = {**sources, **{n.name: upstream[n.name] for n in before}}
            held[node.name] = layer(held[inputs])  # the layer's input may be an earlier node
            loss = forward_pass(graph, held, dtype)[graph.loss]
        kernel_grad, bias_grad = (g.numpy() for g in tape.gradient(loss, [layer.kernel, layer.bias]))
        difference = float(max(np.max(np.abs(kernel_grad - gradients[kernel])),
                               np.max(np.abs(bias_grad - gradients[bias]))))
        if difference > tolerance * max(1.0, float(np.max(np.abs(gradients[kernel])))):
            raise NumericError(f"graph.{node.name}", f"a Keras Dense layer gives other gradients than the "
                               f"tape (difference {difference:.2g})")
        results.append(DenseCheck(node.name, kernel, bias, kernel_grad.shape, bias_grad.shape, difference))
    return results
