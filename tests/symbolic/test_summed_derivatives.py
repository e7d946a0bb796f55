"""The derivative of ``sum(u)``: each element's du/ds, kept the shape of u, so a term holding no array
(the 1 of a bias) is still counted once per element, and printed as a textbook writes it."""

from __future__ import annotations

import numpy as np
import sympy as sp

from derive.graph.dag import build_graph
from derive.graph.evaluate import evaluate
from derive.graph.functions import total
from derive.graph.vectors import spread, spread_over
from derive.sheet.printers.mathml import DeriveMathMLPrinter
from derive.sheet.printers.tex import tex
from derive.symbolic.derivation import derive

from ..conftest import spec_from

w, b, x = sp.symbols("w b x", real=True)
X = np.array([1.0, 2.0, 3.0, 4.0, 5.0])


def test_the_derivative_of_a_sum_in_a_scalar_is_summed_over_the_elements():
    u = w * x + b
    env = {w: 0.5, b: 0.1, x: X}
    # d/db sum(w x + b) = 1 + 1 + 1 + 1 + 1; d/dw = sum(x) = 15
    assert np.sum(evaluate(sp.diff(total(u), b), env)) == 5.0
    assert np.sum(evaluate(sp.diff(total(u), w), env)) == 15.0
    # d^2/db^2 sum(b^2 + x) = 2 per element: 10
    assert np.sum(evaluate(sp.diff(total(b**2 + x), b, 2), env)) == 10.0


def test_a_spread_sum_keeps_each_term_with_its_number_in_front():
    u = w * x + b
    spread_sum = spread_over(2 * w * x - 1, u)
    assert spread_sum == 2 * spread(w * x, u) - spread(1, u)
    assert tex(spread_sum) == "2 w x - 1"
    assert spread_over(sp.Integer(0), u) == 0


def test_a_spread_sum_in_a_product_keeps_its_parentheses():
    u = w * x + b
    assert tex(spread(w + b, u) * x) == r"x \left(b + w\right)"
    assert tex(2 * spread(w * x, u)) == "2 w x"
    mathml = DeriveMathMLPrinter().doprint(spread(w + b, u) * x)
    assert mathml.count("(") == 1 and mathml.count(")") == 1


def test_a_one_node_sum_shows_its_path_summed():
    text = ('title = "t"\n[inputs]\nx = [1.0, 2.0, 3.0]\ny = [2.0, 4.0, 5.0]\n[parameters]\nw = 0.5\n'
            'b = 0.1\n[graph]\nL = "sum(w*x + b - y)"\n')
    chains = derive(build_graph(spec_from(text))).chains
    assert tex(chains["b"].paths[0].simplified) == r"\sum_{i} 1"
    assert tex(chains["w"].paths[0].simplified) == r"\sum_{i} x"
