"""Matrix chain rules are printed right: each formula, read back as mathematics, gives the tape's numbers.

The sheet's printed TeX is evaluated by ``texeval`` over the forward values (an evaluator
written for the tests, independent of derive's printers), and compared with the gradients
computed here in NumPy by hand; a missing parenthesis or a lost ``\\odot`` changes the value.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
import sympy as sp

from derive.graph.functions import matmul, transpose
from derive.sheet.build import build_worksheet
from derive.sheet.formula import Formula, Symbolic, part_text
from derive.sheet.printers import MATHML
from derive.spec.examples import example_path
from derive.spec.schema import load_spec

from ..conftest import spec_from
from ..mathmleval import MathMLEvaluator
from ..texeval import TexEvaluator

TWO_LAYERS = textwrap.dedent('''
    title = "Two layers in matrix form"
    [inputs]
    x = [[1.0, 2.0]]
    y = [[0.5]]
    [parameters]
    W1 = [[0.1, -0.2], [0.3, 0.4]]
    b1 = [0.0, 0.1]
    W2 = [[0.5], [-0.6]]
    b2 = [0.2]
    [graph]
    a = "x @ W1 + b1"
    h = "relu(a)"
    o = "h @ W2 + b2"
    L = "mean((o - y)**2)"
    [train]
    learning_rate = 0.1
''')


def _by_hand_two_layers() -> dict[str, np.ndarray]:
    """Backpropagation for TWO_LAYERS, in NumPy (float64), as a lecture writes it."""
    x, y = np.array([[1.0, 2.0]]), np.array([[0.5]])
    W1, b1 = np.array([[0.1, -0.2], [0.3, 0.4]]), np.array([0.0, 0.1])
    W2, b2 = np.array([[0.5], [-0.6]]), np.array([0.2])
    a = x @ W1 + b1
    h = np.maximum(a, 0)
    o = h @ W2 + b2
    delta2 = 2 * (o - y) / o.size
    delta1 = (delta2 @ W2.T) * (a > 0)
    return {"W1": x.T @ delta1, "b1": delta1.sum(axis=0), "W2": h.T @ delta2, "b2": delta2.sum(axis=0)}


def _names(sheet, n: int) -> dict[str, object]:
    """Each name's TeX -> value, and each backward-pass row's dL/d(node) -> its number (a long
    upstream gradient is printed as that symbol where it is used)."""
    values = {q.tex: np.asarray(q.value) for q in (*sheet.inputs, *sheet.parameters, *sheet.forward)}
    upstream = {row.formula.lhs.tex: np.asarray(row.formula.parts[-1].value) for row in sheet.backward_pass}
    return {**values, **upstream, "n": n}


def _formula_parts(formula: Formula) -> list[str]:
    """The symbolic parts of ``lhs = expr = ... = number``: the TeX of each expression."""
    return [part.tex for part in formula.parts if isinstance(part, Symbolic)]


def test_the_two_layer_chain_rules_evaluate_to_the_gradients_by_hand():
    sheet = build_worksheet(spec_from(TWO_LAYERS), "two")
    evaluate, by_hand = TexEvaluator(_names(sheet, n=1)), _by_hand_two_layers()
    checked = 0
    for chain in sheet.chains:
        for part in _formula_parts(chain.formula):
            value = evaluate(part)
            # a bias's gradient sums the batch rows (broadcast), as the tape does
            value = value.sum(axis=0) if np.ndim(by_hand[chain.parameter]) == 1 else value
            np.testing.assert_allclose(value, by_hand[chain.parameter], rtol=1e-5, atol=1e-6,
                                       err_msg=f"{chain.parameter}: {part}")
            np.testing.assert_allclose(chain.value, by_hand[chain.parameter], rtol=1e-5, atol=1e-6)
            checked += 1
    assert checked == 4


def test_the_backward_pass_of_the_two_layers_evaluates_to_each_node_gradient():
    sheet = build_worksheet(spec_from(TWO_LAYERS), "two")
    evaluate = TexEvaluator(_names(sheet, n=1))
    x, W1, b1 = np.array([[1.0, 2.0]]), np.array([[0.1, -0.2], [0.3, 0.4]]), np.array([0.0, 0.1])
    W2, b2 = np.array([[0.5], [-0.6]]), np.array([0.2])
    a = x @ W1 + b1
    o = np.maximum(a, 0) @ W2 + b2
    d_o = 2 * (o - 0.5)
    expected = {"o": d_o, "h": d_o @ W2.T, "a": (d_o @ W2.T) * (a > 0)}
    assert [row.formula.parts[0].tex for row in sheet.backward_pass] == [
        r"\frac{2 \left(o - y\right)}{n}", r"\frac{2 \left(o - y\right)}{n} W_{2}^{T}",
        r"\frac{\partial L}{\partial h} \odot \mathbf{1}\left[a > 0\right]"]
    for row in sheet.backward_pass:
        (part,) = _formula_parts(row.formula)
        np.testing.assert_allclose(evaluate(part), expected[row.name], rtol=1e-5, err_msg=part)


def test_the_matrix_layer_chain_rules_evaluate_to_the_gradients_by_hand():
    sheet = build_worksheet(load_spec(example_path("matrix-layer")), "matrix-layer")
    x = np.array([[1.0, 2.0, 3.0]])
    w = np.array([[0.5, -0.3], [0.1, 0.8], [-0.6, 0.2]])
    y = x @ w
    by_hand = {"w": x.T @ (2 * y / y.size), "b": (2 * y / y.size).sum(axis=0)}
    evaluate = TexEvaluator(_names(sheet, n=2))
    for chain in sheet.chains:
        (part,) = _formula_parts(chain.formula)
        value = evaluate(part)  # b's formula states its sum over the batch: (2/n) sum_i y
        np.testing.assert_allclose(value, by_hand[chain.parameter], rtol=1e-5, err_msg=part)


def test_a_formula_without_its_parentheses_reads_as_another_value():
    """The evaluator tells the old, wrong print of dL/dW1 from the right one."""
    sheet = build_worksheet(spec_from(TWO_LAYERS), "two")
    evaluate = TexEvaluator(_names(sheet, n=1))
    wrong = r"x^{T} \mathbf{1}\left[a > 0\right] \frac{2 o}{n} - \frac{2 y}{n} W_{2}^{T}"
    try:
        result = evaluate(wrong)
    except ValueError:  # the shapes no longer fit
        return
    assert not np.allclose(result, _by_hand_two_layers()["W1"])


@pytest.mark.parametrize("build", [
    lambda a, b, c, n: 2 / n * a * b,
    lambda a, b, c, n: -a * (b - c),
    lambda a, b, c, n: (a + c) * sp.Heaviside(b) * b,
    lambda a, b, c, n: matmul(transpose(a + c), b * c),
    lambda a, b, c, n: matmul(a, transpose(b)) * sp.Rational(1, 3),
    lambda a, b, c, n: -c / b,
    lambda a, b, c, n: (a - c) / (n * b * (1 - b)),
])
def test_printed_products_of_arrays_evaluate_to_the_products(build):
    """Element-wise products, scalings, matrix products and transposes, printed and read back."""
    from derive.sheet.printers.tex import tex

    a, b, c, n = sp.symbols("a b c n")
    values = {"a": np.array([[0.5, -1.5]]), "b": np.array([[2.0, 3.0]]), "c": np.array([[-0.25, 4.0]]),
              "n": 4}
    expression = build(a, b, c, n)
    printed = tex(expression, arrays={"a", "b", "c"})
    expected = evaluate_sympy(expression, values)
    np.testing.assert_allclose(TexEvaluator(values)(printed), expected, err_msg=printed)


def evaluate_sympy(expression, values):
    """The same expression in NumPy, written out here (element-wise unless matmul)."""
    from derive.graph.evaluate import evaluate

    return evaluate(expression, {sp.Symbol(k): v for k, v in values.items()})


def _mathml_names(sheet, n: int) -> dict[str, object]:
    quantities = (*sheet.inputs, *sheet.parameters, *sheet.forward)
    upstream = {part_text(row.formula.lhs, MATHML): row.formula.parts[-1].value
                for row in sheet.backward_pass}
    return {**{part_text(q.symbol, MATHML): q.value for q in quantities}, **upstream, "<mi>n</mi>": n}


@pytest.mark.parametrize("name, n", [("two", 1), ("matrix-layer", 2)])
def test_the_mathml_of_every_matrix_formula_evaluates_as_its_tex_does(name, n):
    """The HTML's and the PDF's formulas (the MathML printer's) read back to the TeX's values:
    the two printers print the same mathematics, parentheses and products included."""
    spec = spec_from(TWO_LAYERS) if name == "two" else load_spec(example_path(name))
    sheet = build_worksheet(spec, name)
    tex, mathml = TexEvaluator(_names(sheet, n)), MathMLEvaluator(_mathml_names(sheet, n))
    formulas = [c.formula for c in sheet.chains] + [row.formula for row in sheet.backward_pass]
    parts = [part for formula in formulas for part in formula.parts if isinstance(part, Symbolic)]
    for part in parts:
        value = mathml(part_text(part, MATHML))
        np.testing.assert_allclose(value, tex(part.tex), rtol=1e-12, err_msg=part.tex)
    assert len(parts) >= 3


@pytest.mark.parametrize("build", [
    lambda a, b, c, n: 2 / n * a * b,
    lambda a, b, c, n: -a * (b - c),
    lambda a, b, c, n: (a + c) * sp.Heaviside(b) * b,
    lambda a, b, c, n: matmul(transpose(a + c), b * c),
    lambda a, b, c, n: matmul(a, transpose(b)) * sp.Rational(1, 3),
    lambda a, b, c, n: -matmul(a - b, transpose(c)) / n,
    lambda a, b, c, n: -c / b,
    lambda a, b, c, n: (a - c) / (n * b * (1 - b)),
])
def test_printed_mathml_of_products_of_arrays_evaluates_to_the_products(build):
    from derive.sheet.formula import Notation

    a, b, c, n = sp.symbols("a b c n")
    values = {"a": np.array([[0.5, -1.5]]), "b": np.array([[2.0, 3.0]]), "c": np.array([[-0.25, 4.0]]),
              "n": 4}
    expression = build(a, b, c, n)
    markup = part_text(Symbolic(expression, Notation(arrays=frozenset("abc"))), MATHML)
    names = {f"<mi>{k}</mi>": v for k, v in values.items()}
    value = MathMLEvaluator(names)(markup)
    np.testing.assert_allclose(value, evaluate_sympy(expression, values), err_msg=markup)


def test_the_mathml_evaluator_tells_a_lost_parenthesis():
    """The check can fail: the same product without its parentheses reads as another value."""
    values = {"<mi>a</mi>": 2.0, "<mi>b</mi>": 3.0, "<mi>c</mi>": 5.0}
    evaluate = MathMLEvaluator(values)
    fenced = ('<mi>a</mi><mo>\u2062</mo><mrow><mo fence="true">(</mo><mi>b</mi><mo>\u2212</mo><mi>c</mi>'
              '<mo fence="true">)</mo></mrow>')
    assert evaluate(fenced) == 2.0 * (3.0 - 5.0)
    assert evaluate("<mi>a</mi><mo>\u2062</mo><mi>b</mi><mo>\u2212</mo><mi>c</mi>") == 2.0 * 3.0 - 5.0
