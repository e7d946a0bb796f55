"""The graph: spec order, every edge, every path from the loss."""

from __future__ import annotations

import pytest

from derive.errors import SpecError
from derive.graph.dag import build_graph

from ..conftest import DEFAULT, TWO_OUTPUTS, spec_from


def test_edges_are_every_name_each_node_uses(default_spec):
    graph = build_graph(default_spec)
    assert [edge.key for edge in graph.edges] == [
        "A1/x1", "A1/w1", "A1/x2", "A1/w2", "A1/b", "A2/A1", "A3/A2", "A3/Y"]


def test_a_shared_hidden_node_gives_two_paths():
    graph = build_graph(spec_from(TWO_OUTPUTS))
    assert graph.paths("w") == (("L", "o1", "h", "z", "w"), ("L", "o2", "h", "z", "w"))
    assert graph.paths("v1") == (("L", "o1", "v1"),)


def test_a_cycle_cannot_be_written():
    text = DEFAULT.replace('A1 = "x1*w1 + x2*w2 + b"', 'A1 = "x1*w1 + x2*w2 + b + A3"')
    with pytest.raises(SpecError) as caught:
        build_graph(spec_from(text))
    assert caught.value.key == "graph.A1"
    assert "used before it is defined" in caught.value.message


def test_unknown_function_in_a_node_names_the_node():
    with pytest.raises(SpecError) as caught:
        build_graph(spec_from(DEFAULT.replace("sigmoid(A1)", "sigmod(A1)")))
    assert caught.value.key == "graph.A2"
    assert "did you mean 'sigmoid'" in caught.value.message


ARRAYS = """
title = "arrays"
[inputs]
x = [-1.0, 0.0, 1.0]
y = [1.0, 2.0]
m = [[1.0, 2.0], [3.0, 4.0]]
[parameters]
w = 0.5
[graph]
"""


@pytest.mark.parametrize(
    ("node", "fragment"),
    [
        ('u = "w*x - y"', "the shapes do not fit (w scalar, x (3,), y (2,))"),
        ('u = "w @ x"', "'@' needs an array or matrix on both sides"),
        ('u = "x @ m"', "the shapes do not fit (x (3,), m (2, 2))"),
        # found by make fuzz: SymPy makes these 0 and checked nothing, the tape raised from TensorFlow
        ('u = "-(0 * (w @ w))"', "the shapes do not fit (w scalar): '@' needs an array or matrix on both"),
        ('u = "-(0 * (x @ w))"', "the shapes do not fit (x (3,), w scalar): '@' needs an array or matrix"),
        ('u = "w + (x @ m) - (x @ m)"', "the shapes do not fit (w scalar, x (3,), m (2, 2))"),
    ],
)
def test_shape_errors_name_the_node(node, fragment):
    with pytest.raises(SpecError) as caught:
        build_graph(spec_from(ARRAYS + node + "\n"))
    assert caught.value.key == "graph.u" and fragment in caught.value.message


def test_ragged_matrix_is_refused():
    with pytest.raises(SpecError) as caught:
        ragged = ARRAYS.replace("[[1.0, 2.0], [3.0, 4.0]]", "[[1.0, 2.0], [3.0]]")
        build_graph(spec_from(ragged + 'u = "w"\n'))
    assert caught.value.key == "inputs.m" and "rows of equal length" in caught.value.message


def test_a_product_sympy_cancels_is_still_computed_when_its_shapes_fit():
    from derive.sheet.build import build_worksheet

    sheet = build_worksheet(spec_from(ARRAYS + 'u = "w + 0*(y @ y)"\n'), "cancelled")
    assert [float(q.value) for q in sheet.forward] == [0.5]
