"""The three-way check catches a wrong derivative and refuses values that are not finite."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from derive.errors import NumericError
from derive.graph.dag import build_graph
from derive.numeric.checks import three_way
from derive.numeric.tape import run_tape
from derive.sheet.build import build_worksheet
from derive.symbolic.derivation import derive

from ..conftest import DEFAULT, spec_from


def test_a_wrong_local_derivative_is_caught(default_spec):
    graph = build_graph(default_spec)
    derivation = derive(graph)
    edge = derivation.edges["A2/A1"]
    A1 = sp.Symbol("A1", real=True)
    wrong = dataclasses.replace(edge, derivative=sp.exp(-A1))  # a plausible slip
    tampered = dataclasses.replace(derivation, edges={**derivation.edges, "A2/A1": wrong})
    tape = run_tape(graph, "float32", 0.1, 1)
    with pytest.raises(NumericError) as caught:
        three_way(graph, tampered, tape, "float32")
    assert caught.value.key == "graph.A2"
    assert "dA2/dA1" in caught.value.message and "disagree" in caught.value.message


def test_a_wrong_tape_gradient_is_caught(default_spec):
    graph = build_graph(default_spec)
    tape = run_tape(graph, "float32", 0.1, 1)
    off = dataclasses.replace(tape, gradients={**tape.gradients, "w2": tape.gradients["w2"] + 1e-2})
    with pytest.raises(NumericError) as caught:
        three_way(graph, derive(graph), off, "float32")
    assert caught.value.key == "parameters.w2"


def test_the_correct_derivation_passes_with_small_disagreement(default_spec):
    graph = build_graph(default_spec)
    checks = three_way(graph, derive(graph), run_tape(graph, "float32", 0.1, 1), "float32")
    assert len(checks) == 8 + 3
    assert max(c.disagreement for c in checks) < 1e-6


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        (("x1=100", "Y=0"), "graph.A3"),   # sigmoid saturates to 1, bce takes log(0)
        (("x1=100", "Y=1"), "graph.A3"),   # loss is 0 but its derivative divides 0 by 0
    ],
)
def test_a_saturated_sigmoid_is_an_error_not_a_nan(overrides, key):
    with pytest.raises(NumericError) as caught:
        build_worksheet(spec_from(DEFAULT, *overrides))
    assert caught.value.key == key
    assert "not finite" in caught.value.message


def test_float64_computes_bce_close_to_saturation():
    import math

    sheet = build_worksheet(spec_from(DEFAULT + '[display]\ndtype = "float64"\n', "x1=12", "Y=0"))
    z = 12 * 0.7 + 2.1 * -0.3 + 1.0  # 8.77: sigma(z) = 0.99984..., so 1 - A2 is tiny
    loss = {q.name: q.value for q in sheet.forward}["A3"]
    assert loss == pytest.approx(math.log1p(math.exp(z)), rel=1e-9)  # -log(1 - sigma(z))


def test_the_mean_of_a_one_node_squared_error_is_not_refused():
    """mean((w*x + b - y)**2) in one node: SymPy's local derivative is summed to w's shape, as the
    tape and the finite differences compute it (it was refused as a disagreement)."""
    import textwrap

    from ..conftest import spec_from

    sheet = build_worksheet(spec_from(textwrap.dedent('''
        title = "One-node regression loss"
        [inputs]
        x = [-1.0, 0.0, 1.0, 2.0]
        y = [-3.0, -1.0, 1.0, 3.0]
        [parameters]
        w = 0.5
        b = 0.2
        [graph]
        L = "mean((w*x + b - y)**2)"
        [train]
        learning_rate = 0.05
    ''')), "one-node")
    x, y = [-1.0, 0.0, 1.0, 2.0], [-3.0, -1.0, 1.0, 3.0]
    residuals = [0.5 * a + 0.2 - c for a, c in zip(x, y, strict=True)]
    by_hand = {"w": sum(2 * r * a for r, a in zip(residuals, x, strict=True)) / 4,
               "b": sum(2 * r for r in residuals) / 4}
    gradients = {c.parameter: c.value for c in sheet.chains}
    assert gradients["w"] == pytest.approx(by_hand["w"], rel=1e-6)
    assert gradients["b"] == pytest.approx(by_hand["b"], rel=1e-6)
    assert {d.key: d.value for d in sheet.local}["L/w"] == pytest.approx(by_hand["w"], rel=1e-6)


def test_the_smallest_subnormal_input_is_checked_without_a_zero_step():
    """x = 5e-324 puts a node 5e-324 from 0, the first step a probability gets (its distance to
    0) rounded to 0: once a ZeroDivisionError. The first step never goes below MIN_STEP."""
    import math
    import textwrap

    from derive.numeric.finite_difference import MIN_STEP, derivative

    assert derivative(lambda v: 3.0 * v, 5e-324, scale=5e-324) == pytest.approx(3.0, rel=1e-9)
    assert MIN_STEP > 0
    sheet = build_worksheet(spec_from(textwrap.dedent('''
        title = "t"
        [inputs]
        x = 5e-324
        [parameters]
        w = 0.7
        [graph]
        A = "x*w"
        L = "A**2"
    ''')))
    local = {d.key: d.value for d in sheet.local}
    assert math.isfinite(local["L/A"]) and abs(local["L/A"]) < 1e-300  # 2 A, A = 0.7 x


@pytest.mark.parametrize("order", [1, 2])
def test_a_gradient_tables_finite_differences_stay_on_one_side_of_a_kink(order):
    """relu's kink 0.05 from w: a first step of 0.1 crossed it (a [gradient] table over relu and
    abs was refused, SymPy and the tape agreeing); now as the loss's gradients, kept on one side."""
    import textwrap

    from derive.graph.evaluate import forward_values
    from derive.numeric.checks import finite_difference

    graph = build_graph(spec_from(textwrap.dedent('''
        title = "t"
        [inputs]
        x = 1.0
        [parameters]
        w = -0.05
        [graph]
        L = "3*relu(w*x) + w**3"
    ''')))
    exact = forward_values(graph, graph.values())
    expected = {1: 3 * 0.05**2, 2: 6 * -0.05}[order]  # relu is 0 on this side: L = w^3
    assert finite_difference(graph, "L", "w", order, exact) == pytest.approx(expected, abs=1e-7)
