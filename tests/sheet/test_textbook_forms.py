"""Forms a textbook prints (issue 24): a chain rule's product in the order of its path with the
pairs that cancel written short, squared error's 2(y-hat - y), tanh's rule by the quotient rule,
words upright and yhat as y-hat. Each expected string is written here as a textbook prints it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from derive.render.json import to_json
from derive.sheet.build import build_worksheet

from ..conftest import spec_from

TANH_MSE = """
title = "A tanh unit, squared error"
[inputs]
x = 0.5
y = 0.2
[parameters]
w = 0.8
b = -0.1
[graph]
a = "w*x + b"
h = "tanh(a)"
L = "(h - y)**2"
[train]
learning_rate = 0.1
"""

WORDS = """
title = "Names that are words"
[inputs]
x = 1.5
target = 2.0
[parameters]
weight = 0.4
[graph]
yhat = "weight*x"
y_pred = "yhat + 1"
loss = "(y_pred - target)**2"
[train]
learning_rate = 0.1
"""


def _derivation(text: str) -> dict:
    return json.loads(to_json(build_worksheet(spec_from(text))))["derivation"]


def test_a_tanh_unit_under_squared_error_reads_as_the_textbook_writes_it():
    derivation = _derivation(TANH_MSE)
    chain = derivation["chain_rule"]["w"]["derivation"]
    # dL/dh dh/da da/dw, in the path's order: 2 (h - y), then 1 - h^2, then x
    assert r"= 2 \left(h - y\right) \left(1 - h^{2}\right) x" in chain
    assert r"\left(h - 1\right)" not in chain and "2 h - 2 y" not in chain
    local = derivation["local"]["L/h"]
    assert r"= 2 \left(h - y\right) =" in local and "2 h - 2 y" not in local
    # the number: 2 (h - y)(1 - h^2) x at this point, computed here
    h = np.tanh(0.8 * 0.5 - 0.1)
    expected = 2 * (h - 0.2) * (1 - h**2) * 0.5
    shown = chain.rsplit("= ", 1)[1].replace("{-}", "-")
    assert abs(float(shown) - expected) <= 0.5 * 10.0 ** -len(shown.split(".")[1])  # every shown digit true


def test_tanh_is_derived_by_the_quotient_rule_never_through_exponentials():
    sheet = build_worksheet(spec_from(TANH_MSE))
    rule = next(r for r in sheet.rules if r.function == "tanh")
    text = " ".join(step.tex for step in rule.steps)
    assert r"\frac{\sinh{\left(z \right)}}{\cosh{\left(z \right)}}" in text
    assert (r"\frac{\cosh^{2}{\left(z \right)} - \sinh^{2}{\left(z \right)}}{\cosh^{2}{\left(z \right)}}"
            in text)
    assert "e^{" not in text


def test_words_are_upright_and_yhat_is_y_hat():
    derivation = _derivation(WORDS)
    equations = derivation["equations"]
    loss = r"\mathrm{loss} = \left(y_{\mathrm{pred}} - \mathrm{target}\right)^{2}"
    assert equations["loss"].startswith(loss)
    assert equations["yhat"] == r"\hat{y} = \mathrm{weight} x"
    chain = derivation["chain_rule"]["weight"]["derivation"]
    assert r"= 2 \left(y_{\mathrm{pred}} - \mathrm{target}\right) x" in chain


def test_batch_norm_sums_its_scalar_gradients_and_sets_no_fraction_over_a_fraction():
    """Batch norm's dL/dmu and dL/dsigma^2 are one number each, summed over the batch: the sheet
    writes the sum (a scale in front, never (dL/dmu)/n over a bar); values worked out in NumPy."""
    from derive.spec.examples import example_path
    from derive.spec.schema import load_spec

    data = json.loads(to_json(build_worksheet(load_spec(example_path("batch-norm")), "batch-norm")))
    lines = data["backward_pass"]
    assert all(r"\frac{\frac" not in line and r"}{\frac" not in line for line in lines.values())
    assert r"\sum_{i}" in lines["mu"] and r"\sum_{i}" in lines["sigma2"]
    assert r"\frac{1}{n} \frac{\partial L}{\partial \mu}" in lines["h"]
    assert r"= \frac{2 \left(y - T\right)}{n}" in data["derivation"]["local"]["L/y"]  # not (2y - 2T)/n
    x = np.array([[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8], [0.2, 2.0]])
    t, eps, n = np.array([0.5, 1.5, -1.0, 0.2]), 1e-5, 4
    h = x @ np.array([0.5, -0.2])
    mu, var = h.mean(), h.var()
    y = (h - mu) / np.sqrt(var + eps)  # gamma = 1, beta = 0
    d_y = 2 * (y - t) / n
    d_var = np.sum(d_y * (h - mu)) * -0.5 * (var + eps) ** -1.5
    d_mu = np.sum(-d_y / np.sqrt(var + eps))  # the variance's term is 0 at the batch's own mean
    for name, expected in (("sigma2", d_var), ("mu", d_mu)):
        assert float(lines[name].rsplit("=", 1)[1].replace("{-}", "-")) == pytest.approx(expected, rel=1e-6)
