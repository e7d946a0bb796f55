"""Kinks: finite differences never step across one, and a point exactly on one is a clear refusal.

Every gradient is compared with NumPy written here by hand (float64), never with derive's output.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest

from derive.errors import NumericError
from derive.sheet.build import build_worksheet

from ..conftest import spec_from

MIXED = textwrap.dedent('''
    title = "Leaky ReLU, ELU, Huber, max and min"
    [inputs]
    x = 1.5
    y = 0.3
    [parameters]
    w = 0.8
    b = -0.5
    [graph]
    a = "x*w + b"
    h = "leaky_relu(a)"
    g = "elu(a - 1.0)"
    m = "max(h, g) + min(a, 0.1)"
    L = "huber(m, y) + huber(g, y, 0.5)"
    [train]
    learning_rate = 0.1
''')

BATCH = textwrap.dedent('''
    title = "A ReLU layer on a mini-batch, one unit 0.05 below its kink"
    [inputs]
    x = [[0.5], [-0.25], [1.0], [2.0], [-1.0]]
    y = [[0.2], [0.0], [0.9], [1.5], [0.1]]
    [parameters]
    W1 = [[0.6, -0.4, 0.05]]
    b1 = [0.1, 0.0, -0.12]
    W2 = [[0.7], [-0.5], [0.3]]
    b2 = [0.05]
    [graph]
    a = "x @ W1 + b1"
    h = "relu(a)"
    o = "h @ W2 + b2"
    L = "mean((o - y)**2)"
    [train]
    learning_rate = 0.1
''')


def gradients(sheet) -> dict:
    return {chain.parameter: chain.value for chain in sheet.chains}


def test_new_functions_next_to_their_switch_points_give_the_gradients_by_hand():
    """huber(g, y, 0.5) sits 0.059 beyond its switch point: a wide step would cross it."""
    x, y, w, b = 1.5, 0.3, 0.8, -0.5
    a = x * w + b                                     # 0.7: leaky_relu, max and min on their upper side
    g = math.expm1(a - 1.0)                           # elu below 0
    r1, r2 = (a + 0.1) - y, g - y                     # m = max(a, g) + min(a, 0.1) = a + 0.1
    loss = 0.5 * r1**2 + 0.5 * (abs(r2) - 0.25)      # r1 inside delta = 1, r2 beyond delta = 0.5
    d_a = r1 * 1.0 + 0.5 * math.copysign(1, r2) * math.exp(a - 1.0)
    sheet = build_worksheet(spec_from(MIXED), "mixed")
    assert sheet.loss_before == pytest.approx(loss, rel=1e-6)
    assert gradients(sheet)["w"] == pytest.approx(d_a * x, rel=1e-5)
    assert gradients(sheet)["b"] == pytest.approx(d_a, rel=1e-5)


def test_a_relu_layer_on_a_mini_batch_near_the_kink_gives_the_gradients_by_hand():
    x = np.array([[0.5], [-0.25], [1.0], [2.0], [-1.0]])
    y = np.array([[0.2], [0.0], [0.9], [1.5], [0.1]])
    W1, b1 = np.array([[0.6, -0.4, 0.05]]), np.array([0.1, 0.0, -0.12])
    W2, b2 = np.array([[0.7], [-0.5], [0.3]]), np.array([0.05])
    a = x @ W1 + b1
    assert a[1, 0] == pytest.approx(-0.05)  # the unit next to its kink
    h = np.maximum(a, 0)
    delta2 = 2 * (h @ W2 + b2 - y) / y.size
    delta1 = (delta2 @ W2.T) * (a > 0)
    by_hand = {"W1": x.T @ delta1, "b1": delta1.sum(axis=0), "W2": h.T @ delta2, "b2": delta2.sum(axis=0)}
    found = gradients(build_worksheet(spec_from(BATCH), "batch"))
    for name, value in by_hand.items():
        np.testing.assert_allclose(found[name], value, rtol=1e-5, atol=1e-7, err_msg=name)


@pytest.mark.parametrize("text, message", [
    (MIXED.replace("x = 1.5", "x = 1.0").replace("w = 0.8", "w = 0.5"),
     r"^graph\.h: leaky_relu at exactly its kink \(a = 0\): the derivative with respect to a is not defined"),
    (BATCH.replace("b1 = [0.1, 0.0, -0.12]", "b1 = [0.1, 0.0, -0.1]"),
     r"^graph\.h: relu at exactly its kink \(a = 0 at element \(3, 2\)\)"),
])
def test_a_point_exactly_on_a_kink_is_a_clear_refusal(text, message):
    with pytest.raises(NumericError, match=message):
        build_worksheet(spec_from(text), "kink")


def test_lambda_and_other_keywords_are_names_and_print_as_written():
    text = textwrap.dedent('''
        title = "L2 regularization"
        [inputs]
        x1 = 1.3
        Y = 1.0
        lambda = 0.1
        [parameters]
        w1 = 0.7
        b = 1.0
        [graph]
        z = "x1*w1 + b"
        p = "sigmoid(z)"
        L = "bce(p, Y) + lambda*w1**2"
        [train]
        learning_rate = 0.1
    ''')
    sheet = build_worksheet(spec_from(text), "l2")
    p = 1 / (1 + math.exp(-(1.3 * 0.7 + 1.0)))
    assert gradients(sheet)["w1"] == pytest.approx((p - 1) * 1.3 + 2 * 0.1 * 0.7, rel=1e-5)
    assert gradients(sheet)["b"] == pytest.approx(p - 1, rel=1e-5)
    assert r"\lambda w_{1}^{2}" in sheet.equations[-1].formula.tex


NEAR_KINK = 'title = "t"\n[parameters]\nw = {w}\n[graph]\nA1 = "leaky_relu(w)"\n[display]\ndtype = "{dtype}"'


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_point_nearer_a_kink_than_any_step_is_refused_as_on_it(dtype):
    """Found by ``make fuzz``: w = -6.25e-295 lies on the left of leaky_relu's kink (slope 0.2, as
    SymPy and the tape said), but every step of the finite differences (at least 1e-10) crossed
    the kink and averaged both sides, (0.2 + 1) / 2 = 0.6: the sheet was refused for a
    disagreement of the finite differences alone. Nearer than any step is as good as on it."""
    message = (r"^graph\.A1: leaky_relu at its kink \(w = 0\) to within 6\.3e-295, nearer than any step of "
               r"the finite differences: the derivative with respect to w is not defined there")
    with pytest.raises(NumericError, match=message):
        build_worksheet(spec_from(NEAR_KINK.format(w="-6.251429781277764e-295", dtype=dtype)), "kink")


@pytest.mark.parametrize("w, slope", [(-1e-9, 0.2), (1e-9, 1.0)])
def test_a_point_a_billionth_from_a_kink_is_checked_on_its_own_side(w, slope):
    """leaky_relu(w) = w for w > 0 and 0.2 w below (TensorFlow's default alpha)."""
    sheet = build_worksheet(spec_from(NEAR_KINK.format(w=w, dtype="float64")), "near")
    [chain] = sheet.chains
    assert float(chain.value) == pytest.approx(slope, rel=1e-12)
