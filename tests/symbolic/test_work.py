"""The three-way check's work, counted from the shapes before any of it runs (issue 25)."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from derive.errors import SpecError
from derive.graph.evaluate import forward_values
from derive.spec.examples import example_names, example_path
from derive.spec.limits import MAX_CHECK_WORK, MAX_ELEMENTS
from derive.spec.schema import load_spec
from derive.symbolic.prepare import shaped_graph, targets_of
from derive.symbolic.work import OVERHEAD, RIDDERS, check_work, work

from ..conftest import spec_from


def _work(text: str) -> dict:
    spec = spec_from(text)
    graph = shaped_graph(spec)
    return work(graph, forward_values(graph, graph.values()), targets_of(spec, graph))


def test_the_count_follows_the_finite_differences():
    # y = w*x over 10 numbers (3 operations in the tree: Mul, w, x); L = sum(y) (2: total, y)
    parts = _work(textwrap.dedent('''
        title = "t"
        [inputs]
        x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
        [parameters]
        w = 0.5
        [graph]
        y = "w*x"
        L = "sum(y)"
    '''))
    y, loss = 3 * (10 + OVERHEAD), 2 * (10 + OVERHEAD)  # one evaluation of each node
    assert parts[("y", "x")] == RIDDERS * 10 * y  # each of x's 10 numbers perturbed in turn
    assert parts[("y", "w")] == RIDDERS * 1 * y
    assert parts[("L", "y")] == RIDDERS * 10 * loss
    assert parts[("L", "w")] == RIDDERS * 1 * (y + loss)  # the total gradient: the forward pass


def test_a_higher_order_nests_the_differences():
    text = 'title = "t"\n[inputs]\nx = 0.5\n[parameters]\nw = 0.5\n[graph]\nL = "sin(w*x)"\n'
    first = _work(text + '[gradient]\nwrt = ["w"]\norder = 1\n')[("L", "w")]
    fourth = _work(text + '[gradient]\nwrt = ["w"]\norder = 4\n')[("L", "w")]
    assert fourth - first == RIDDERS**4 * 4 * (1 + OVERHEAD) - RIDDERS * 4 * (1 + OVERHEAD)


@pytest.mark.parametrize("name", example_names())
def test_every_example_is_far_below_the_limit(name):
    spec = load_spec(example_path(name))
    graph = shaped_graph(spec)
    assert sum(work(graph, forward_values(graph, graph.values()), targets_of(spec, graph)).values()) \
        < MAX_CHECK_WORK / 100


def test_a_graph_past_the_limit_is_refused_naming_the_node_that_costs_most():
    rng = np.random.default_rng(1)
    x = np.round(rng.uniform(-1, 1, 1000), 3).tolist()
    layers = "\n".join(f'h{i} = "tanh(h{i - 1}*w + x)"' for i in range(2, 20))
    spec = spec_from(f'title = "t"\n[inputs]\nx = {x}\n[parameters]\nw = {[0.1] * 1000}\n[graph]\n'
                     f'h1 = "tanh(w*x)"\n{layers}\nL = "mean(h19**2)"\n')
    graph = shaped_graph(spec, structure=False)
    with pytest.raises(SpecError) as raised:
        check_work(graph, forward_values(graph, graph.values()))
    with pytest.raises(SpecError) as preparing:  # as every command prepares a spec, before any work
        shaped_graph(spec)
    assert str(preparing.value) == str(raised.value)
    assert raised.value.key == "graph.L" and "\n" not in str(raised.value)
    assert raised.value.message.startswith("checking the derivatives would take about 27 billion operations; "
                                           "the limit is 20 billion.")


def test_a_node_larger_than_any_array_by_broadcasting_is_refused():
    column, row = [[float(i)] for i in range(1000)], [[float(i) for i in range(1000)]]
    spec = spec_from(f'title = "t"\n[inputs]\nx = {column}\n[parameters]\nw = {row}\n[graph]\n'
                     'z = "x + w"\nL = "sum(z)"\n')
    with pytest.raises(SpecError) as raised:
        shaped_graph(spec)
    assert str(raised.value) == (f"graph.z: a 1000x1000 array holds 1,000,000 numbers; the limit is "
                                 f"{MAX_ELEMENTS:,}")
