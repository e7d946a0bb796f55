"""Which nodes the Keras Dense cross-check takes: ``x @ w + b`` with a kernel and bias of its own."""

from __future__ import annotations

import textwrap

from derive.graph.dag import build_graph

from ..conftest import spec_from


def _graph(nodes: str):
    return build_graph(spec_from(textwrap.dedent('''
        title = "t"
        [inputs]
        x = [[1.0, 2.0, 3.0]]
        [parameters]
        w = [[0.5, -0.3], [0.1, 0.8], [-0.6, 0.2]]
        b = [0.1, 0.2]
        [graph]
    ''') + textwrap.dedent(nodes)))


def test_a_dense_node_is_cross_checked():
    from derive.numeric.keras_check import dense_nodes

    found = dense_nodes(_graph('z = "x @ w + b"\nL = "sum(z**2)"\n'))
    assert [(node.name, x, w, b) for node, x, w, b in found] == [("z", "x", "w", "b")]


def test_a_bias_used_again_after_the_layer_is_not_a_dense_layers_alone():
    # L = sum(z - b): a Dense layer holds only b's gradient through z (1), not the total (0)
    from derive.numeric.keras_check import dense_nodes

    assert dense_nodes(_graph('z = "x @ w + b"\nL = "sum(z - b)"\n')) == []
    assert dense_nodes(_graph('z = "x @ w + b"\nL = "sum(z) + sum(w)"\n')) == []
