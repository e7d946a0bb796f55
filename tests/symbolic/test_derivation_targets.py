"""What a [gradient] table asks for, derived for any model: through @, where a gradient cancels,
past a kink at order 2, and refused in one line where derive cannot write it out (issue 25)."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
import sympy as sp

from derive.errors import SpecError
from derive.graph.evaluate import evaluate, forward_values, reduce_to
from derive.symbolic.derivation import ChainRule, HigherDerivative, Target
from derive.symbolic.prepare import prepare

from ..conftest import spec_from

X = [[1.0, 2.0, 3.0]]
W = [[0.5, -0.3], [0.1, 0.8], [-0.6, 0.2]]
B = [0.1, 0.2]


def _layer(graph: str, gradient: str = "") -> str:
    return textwrap.dedent(f'''
        title = "t"
        [inputs]
        x = {X}
        [parameters]
        w = {W}
        b = {B}
        [graph]
    ''') + textwrap.dedent(graph) + textwrap.dedent(gradient)


def _value(prepared, target: Target) -> np.ndarray:
    """The derived target at the spec's values, summed to the source's shape as the tape does."""
    graph, derived = prepared.graph, prepared.derivation.targets[target]
    expression = derived.total if isinstance(derived, ChainRule) else derived.derivatives[-1]
    values = forward_values(graph, graph.values())
    env = {graph.symbols[n]: v for n, v in values.items()}
    return np.asarray(reduce_to(evaluate(expression, env), np.shape(values[target.wrt])))


@pytest.mark.parametrize("wrt", ["w", "b", "x", "y"])
def test_a_gradient_table_over_a_matrix_product_is_derived_by_the_backward_pass(wrt):
    text = _layer('''
        y = "x @ w + b"
        L = "mean(y**2)"
    ''', f'''
        [gradient]
        of = "L"
        wrt = ["{wrt}"]
    ''')
    prepared = prepare(spec_from(text))  # once KeyError: 'G' (a path product of backward rules)
    x, w, b = np.array(X), np.array(W), np.array(B)
    y = x @ w + b
    upstream = 2 * y / y.size  # dL/dy of mean(y^2)
    expected = {"w": x.T @ upstream, "b": upstream.sum(axis=0), "x": upstream @ w.T, "y": upstream}[wrt]
    assert not any(isinstance(s, sp.Symbol) and s.name == "G"
                   for s in prepared.derivation.targets[Target("L", wrt)].total.free_symbols)
    np.testing.assert_allclose(_value(prepared, Target("L", wrt)), expected, rtol=1e-12)


def test_a_gradient_table_of_an_inner_node_over_a_matrix_product():
    text = _layer('''
        y = "x @ w + b"
        h = "sigmoid(y)"
        L = "sum(h)"
    ''', '''
        [gradient]
        of = "h"
        wrt = ["w"]
    ''')
    prepared = prepare(spec_from(text))
    x, w, b = np.array(X), np.array(W), np.array(B)
    h = 1 / (1 + np.exp(-(x @ w + b)))
    np.testing.assert_allclose(_value(prepared, Target("h", "w")), x.T @ (h * (1 - h)), rtol=1e-12)


def test_a_bias_whose_gradient_cancels_is_derived_as_zero():
    # z = x @ w + b; L = sum(z - b): b enters twice and its gradient cancels (once an IndexError)
    prepared = prepare(spec_from(_layer('''
        z = "x @ w + b"
        L = "sum(z - b)"
    ''')))
    graph = prepared.graph
    env = {graph.symbols[n]: v for n, v in forward_values(graph, graph.values()).items()}
    chains = prepared.derivation.chains
    assert np.all(reduce_to(evaluate(chains["b"].total, env), (2,)) == 0.0)
    np.testing.assert_allclose(reduce_to(evaluate(chains["w"].total, env), (3, 2)),
                               np.array(X).T @ np.ones((1, 2)), rtol=1e-12)


def _scalar(graph: str, wrt: str, order: int) -> str:
    return textwrap.dedent('''
        title = "t"
        [inputs]
        x = 1.5
        [parameters]
        w = 0.7
        [graph]
    ''') + textwrap.dedent(graph) + f'\n[gradient]\nof = "L"\nwrt = ["{wrt}"]\norder = {order}\n'


def test_order_two_of_a_relu_leaves_the_kinks_delta_out_and_says_so():
    prepared = prepare(spec_from(_scalar('''
        h = "relu(x*w)"
        L = "h**2"
    ''', "w", 2)))
    derived = prepared.derivation.targets[Target("L", "w", 2)]
    assert isinstance(derived, HigherDerivative)
    assert not derived.derivatives[-1].has(sp.DiracDelta)
    x = 1.5  # L = (x w)^2 where x w > 0: d2L/dw2 = 2 x^2
    assert _value(prepared, Target("L", "w", 2)) == pytest.approx(2 * x**2, rel=1e-15)
    assert any("Dirac delta" in note and "0 everywhere else" in note for note in derived.notes)


def test_order_three_of_an_absolute_value_is_zero_away_from_the_kink():
    prepared = prepare(spec_from(_scalar('''
        L = "abs(x*w - 3)*w"
    ''', "w", 3)))
    # L = (3 - x w) w where x w < 3: L''' = 0; L'' = -2 x
    derived = prepared.derivation.targets[Target("L", "w", 3)]
    graph = prepared.graph
    env = {graph.symbols[n]: v for n, v in graph.values().items()}
    assert evaluate(derived.derivatives[1], env) == pytest.approx(-2 * 1.5, rel=1e-15)
    assert evaluate(derived.derivatives[2], env) == 0.0


def test_order_two_through_a_matrix_product_is_refused_in_one_line():
    text = _layer('''
        y = "x @ w"
        L = "sum(y**2)"
    ''', '''
        [gradient]
        of = "L"
        wrt = ["w"]
        order = 2
    ''')
    with pytest.raises(SpecError) as raised:
        prepare(spec_from(text))  # once TypeError: cannot evaluate Tuple numerically
    assert raised.value.key == "gradient.order"
    assert raised.value.message.startswith("order 2 of L in w passes through y = x @ w, which mixes the "
                                           "elements of w; derive differentiates such a node once only")
    assert "\n" not in str(raised.value)


def test_order_two_through_a_softmax_is_refused_though_sympy_would_differentiate_it():
    # SymPy's diff takes softmax entry by entry, but its Jacobian mixes entries: it would be wrong
    text = _layer('''
        z = "x @ w + b"
        p = "softmax(z)"
        L = "mean(p**2)"
    ''', '''
        [gradient]
        of = "L"
        wrt = ["b"]
        order = 2
    ''')
    with pytest.raises(SpecError, match=r"^gradient.order: order 2 of L in b passes through p = softmax"):
        prepare(spec_from(text))


def test_order_two_sympy_leaves_unevaluated_is_refused_in_one_line():
    # |u| of a matrix product's entry u, which SymPy does not know to be real: re(u) and d re(u)/db
    text = _layer('''
        z = "x @ w + b"
        L = "sum(abs(z - 1))"
    ''', '''
        [gradient]
        of = "L"
        wrt = ["b"]
        order = 2
    ''')
    with pytest.raises(SpecError) as raised:
        prepare(spec_from(text))  # once TypeError: cannot evaluate re numerically
    assert raised.value.key == "gradient.order" and "\n" not in str(raised.value)
    assert raised.value.message.startswith("d^2L/db^2: derive cannot evaluate ")


def test_a_table_of_a_one_entry_matrix_product_node_passes_ones_back_through_it():
    # of = h, h = z = x @ w of shape (1, 1): once ValueError ('@' on a scalar upstream 1)
    text = _layer('''
        z = "x @ w"
        h = "z"
        L = "sum(h)"
    ''', '''
        [gradient]
        of = "h"
        wrt = ["x"]
    ''').replace(f"w = {W}", "w = [[0.28], [0.14], [-0.5]]")
    prepared = prepare(spec_from(text))
    np.testing.assert_allclose(_value(prepared, Target("h", "x")), [[0.28, 0.14, -0.5]], rtol=1e-12)


def test_a_higher_derivative_with_respect_to_a_node_holds_that_node():
    # d2h/dz2 with h = sigmoid(z): z stays a name (once inlined away, so SymPy said 0)
    prepared = prepare(spec_from(_scalar('''
        z = "x*w"
        h = "sigmoid(z)"
        L = "h**2"
    ''', "z", 2).replace('of = "L"', 'of = "h"')))
    s = 1 / (1 + np.exp(-1.5 * 0.7))
    assert _value(prepared, Target("h", "z", 2)) == pytest.approx(s * (1 - s) * (1 - 2 * s), rel=1e-12)
