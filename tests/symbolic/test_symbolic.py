"""Symbolic derivation: local derivatives in node terms, chain rules as sums over paths."""

from __future__ import annotations

import sympy as sp

from derive.graph.dag import build_graph
from derive.symbolic.derivation import derive

from ..conftest import TWO_OUTPUTS, spec_from


def symbols(*names):
    return [sp.Symbol(n, real=True) for n in names]


def test_default_local_derivatives(default_spec):
    derivation = derive(build_graph(default_spec))
    A1, A2, Y, x1 = symbols("A1", "A2", "Y", "x1")
    assert derivation.edges["A1/w1"].derivative == x1
    assert derivation.edges["A1/b"].derivative == 1
    assert derivation.edges["A2/A1"].in_nodes == A2 * (1 - A2)
    assert sp.simplify(derivation.edges["A3/A2"].in_nodes - (-Y / A2 + (1 - Y) / (1 - A2))) == 0
    assert [r.name for r in derivation.edges["A2/A1"].rules] == ["sigmoid"]


def test_bce_after_sigmoid_simplifies(default_spec):
    chain = derive(build_graph(default_spec)).chains["w1"]
    A2, Y, x1 = symbols("A2", "Y", "x1")
    assert chain.simplifications[0].result == A2 - Y
    assert sp.expand(chain.paths[0].simplified - x1 * (A2 - Y)) == 0


def test_two_paths_sum():
    derivation = derive(build_graph(spec_from(TWO_OUTPUTS)))
    chain = derivation.chains["w"]
    assert len(chain.paths) == 2
    h, o1, o2, t1, t2, v1, v2, x = symbols("h", "o1", "o2", "t1", "t2", "v1", "v2", "x")
    expected = ((o1 - t1) * v1 + (o2 - t2) * v2) * h * (1 - h) * x
    assert sp.simplify(chain.total - expected) == 0
