"""Sheets a class carries (issue 24): lecture networks on the page budgets, in the PDF and in the
compiled LaTeX alike, with no derivative with respect to an input or a label, and the textbook forms.

The budgets are the issue's: one neuron on 4 pages, a 2-2-1 network on 6, Mazur's 2-2-2 on 7, a
two-layer MLP on a mini-batch on 9. The specs below are written here, as a lecture writes them;
the forms' numbers are worked out in NumPy in the test."""

from __future__ import annotations

import json

import numpy as np
import pytest

from derive.render.json import to_json
from derive.render.pdf.document import render_pdf
from derive.render.tex import render_tex
from derive.sheet.build import build_worksheet
from derive.spec.examples import example_path
from derive.spec.schema import load_spec

from ..conftest import spec_from
from .test_pdf_paper import pages_text
from .test_render_tex import compile_tex

TANH_MSE = """
title = "One tanh unit under squared error"
[inputs]
x = 1.5
y = 0.25
[parameters]
w = -0.4
b = 0.3
[graph]
a = "w*x + b"
h = "tanh(a)"
L = "(h - y)**2"
[train]
learning_rate = 0.2
"""

MLP = """
title = "A two-layer MLP with softmax on a mini-batch"
[inputs]
X = [[1.0, 0.5], [-0.5, 1.5], [2.0, -1.0]]
T = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
[parameters]
W1 = [[0.2, -0.3, 0.5], [0.4, 0.1, -0.2]]
b1 = [0.1, 0.0, -0.1]
W2 = [[0.3, -0.1, 0.2], [-0.4, 0.5, 0.1], [0.2, 0.2, -0.3]]
b2 = [0.0, 0.1, 0.0]
[graph]
A1 = "X @ W1 + b1"
H = "tanh(A1)"
Z = "H @ W2 + b2"
P = "softmax(Z)"
L = "mean(cross_entropy(P, T))"
[train]
learning_rate = 0.5
"""

RNN = """
title = "A recurrent unit unrolled over three steps"
[inputs]
x1 = 1.0
x2 = -0.5
x3 = 2.0
h0 = 0.0
y = 0.5
[parameters]
w = 0.5
u = -0.3
b = 0.1
[graph]
h1 = "tanh(w*x1 + u*h0 + b)"
h2 = "tanh(w*x2 + u*h1 + b)"
h3 = "tanh(w*x3 + u*h2 + b)"
L = "(h3 - y)**2"
[train]
learning_rate = 0.1
"""

BATCH_NORM = """
title = "Batch normalisation on a batch of four"
[inputs]
x = [1.0, 2.0, 4.0, -1.0]
y = [0.5, -0.5, 1.0, 0.0]
eps = 0.001
[parameters]
gamma = 1.5
beta = 0.2
[graph]
xhat = "(x - mean(x)) / sqrt(var(x) + eps)"
out = "gamma*xhat + beta"
L = "sum((out - y)**2)"
[train]
learning_rate = 0.05
"""

SHEETS = {  # name -> (spec text or example, the budget in pages, what must not be differentiated)
    "tanh-mse": (TANH_MSE, 4, {"x", "y"}),
    "mlp-batch": (MLP, 9, {"X", "T"}),
    "rnn": (RNN, 6, {"x1", "x2", "x3", "h0", "y"}),
    "batch-norm": (BATCH_NORM, 6, {"x", "y", "eps"}),
    "neuron-bce": ("example", 4, {"x1", "x2", "Y"}),
    "tanh-sigmoid-network": ("example", 6, {"x1", "x2", "y"}),
    "mazur-matrix": ("example", 7, {"x", "t", "b1", "b2"}),
    "relu-minibatch": ("example", 9, {"x", "y"}),
}


def _sheet(name: str):
    text = SHEETS[name][0]
    spec = load_spec(example_path(name)) if text == "example" else spec_from(text)
    return build_worksheet(spec, name)


@pytest.fixture(scope="module", params=sorted(SHEETS))
def lecture(request):
    name = request.param
    return name, _sheet(name)


def test_each_sheet_is_on_its_budget_in_the_pdf_and_the_compiled_latex(tmp_path, lecture):
    name, sheet = lecture
    budget = SHEETS[name][1]
    printed = pages_text(tmp_path, render_pdf(sheet))
    compiled = compile_tex(tmp_path, render_tex(sheet)).split("\f")[:-1]
    assert len(printed) <= budget and len(compiled) <= budget, (len(printed), len(compiled))


def test_no_derivative_is_taken_with_respect_to_data(lecture):
    name, sheet = lecture
    data = json.loads(to_json(sheet))
    inputs = set(data["inputs"])
    assert SHEETS[name][2] <= inputs  # the names really are the sheet's inputs
    taken = [key.split("/")[1] for key in data["local"]]
    assert not set(taken) & inputs, taken
    assert not {key for key in data["gradients"]} & inputs
    pictured = {d.input for d in sheet.derivatives}
    assert not pictured & inputs


def _matrix(tex: str) -> np.ndarray:
    """The last matrix of a TeX line, read back as numbers."""
    body = tex.rsplit(r"\begin{bmatrix}", 1)[1].split(r"\end{bmatrix}")[0]
    return np.array([[float(c.replace("{-}", "-")) for c in row.split("&")] for row in body.split(r"\\")])


def test_softmax_and_mean_cross_entropy_on_a_batch_reads_p_minus_t_over_n():
    line = json.loads(to_json(_sheet("mlp-batch")))["backward_pass"]["Z"]
    assert r"= \frac{P - T}{n} =" in line
    # dL/dZ = (P - T)/n, worked out in NumPy from the spec's numbers
    x, t = np.array([[1.0, 0.5], [-0.5, 1.5], [2.0, -1.0]]), np.eye(3)
    h = np.tanh(x @ np.array([[0.2, -0.3, 0.5], [0.4, 0.1, -0.2]]) + np.array([0.1, 0.0, -0.1]))
    z = h @ np.array([[0.3, -0.1, 0.2], [-0.4, 0.5, 0.1], [0.2, 0.2, -0.3]]) + np.array([0.0, 0.1, 0.0])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(_matrix(line), (p - t) / 3, rtol=5e-5, atol=1e-6)


def test_a_tanh_unit_under_squared_error_prints_the_textbook_chain():
    chain = json.loads(to_json(_sheet("tanh-mse")))["derivation"]["chain_rule"]["w"]["derivation"]
    assert r"= 2 \left(h - y\right) \left(1 - h^{2}\right) x =" in chain
    h = np.tanh(-0.4 * 1.5 + 0.3)
    by_hand = 2 * (h - 0.25) * (1 - h**2) * 1.5
    assert float(chain.rsplit("=", 1)[1].replace("{-}", "-")) == pytest.approx(by_hand, rel=5e-5)
