"""A property: on random small networks, SymPy, the tape and finite differences agree.

Hypothesis draws a network (a batch of 1-3 rows, 1-2 features, 1-3 hidden units, a hidden
activation and an output head from the registry, matrix or element-wise form) and values
away from every kink; the sheet is built in float64 and every check row, each local
derivative (a whole Jacobian where elements mix) and each total gradient, must agree all
three ways. A gradient is also compared with TensorFlow written directly in this test.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.sheet.build import build_worksheet

from ..conftest import spec_from

ACTIVATIONS = ["sigmoid", "tanh", "softplus", "sin", "relu", "leaky_relu", "elu"]
HEADS = ["mse", "bce", "softmax"]
values = st.floats(-1.5, 1.5, allow_nan=False).map(lambda v: round(v, 2))


def _matrix(draw, rows: int, columns: int) -> list[list[float]]:
    return [[draw(values) for _ in range(columns)] for _ in range(rows)]


@st.composite
def networks(draw) -> tuple[str, dict]:
    n, d, k = draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.integers(1, 3))
    activation, head = draw(st.sampled_from(ACTIVATIONS)), draw(st.sampled_from(HEADS))
    classes = draw(st.integers(2, 3)) if head == "softmax" else 1
    data = {"x": _matrix(draw, n, d), "W1": _matrix(draw, d, k), "b1": [draw(values) for _ in range(k)],
            "W2": _matrix(draw, k, classes), "b2": [draw(values) for _ in range(classes)]}
    if head == "softmax":
        labels = [draw(st.integers(0, classes - 1)) for _ in range(n)]
        data["y"] = [[1.0 if j == label else 0.0 for j in range(classes)] for label in labels]
        out = 'p = "softmax(o)"\nL = "mean(cross_entropy(p, y))"'
    elif head == "bce":
        data["y"] = [[float(draw(st.integers(0, 1)))] for _ in range(n)]
        out = 'p = "sigmoid(o)"\nL = "mean(bce(p, y))"'
    else:
        data["y"] = _matrix(draw, n, 1)
        out = 'L = "mean((o - y)**2)"'
    text = (f'title = "random"\n[inputs]\nx = {data["x"]}\ny = {data["y"]}\n[parameters]\n'
            f'W1 = {data["W1"]}\nb1 = {data["b1"]}\nW2 = {data["W2"]}\nb2 = {data["b2"]}\n'
            f'[graph]\na = "x @ W1 + b1"\nh = "{activation}(a)"\no = "h @ W2 + b2"\n{out}\n'
            '[display]\ndtype = "float64"\n')
    return text, {**data, "activation": activation, "head": head}


def _away_from_kinks(data: dict) -> bool:
    a = np.asarray(data["x"]) @ np.asarray(data["W1"]) + np.asarray(data["b1"])
    return data["activation"] not in ("relu", "leaky_relu", "elu") or bool(np.all(np.abs(a) > 0.02))


def _tensorflow_gradient(data: dict) -> np.ndarray:
    """dL/dW1 with TensorFlow written out here, independent of derive's tape."""
    import tensorflow as tf

    x, y = tf.constant(data["x"], tf.float64), tf.constant(data["y"], tf.float64)
    W1 = tf.Variable(data["W1"], dtype=tf.float64)
    act = {"sigmoid": tf.sigmoid, "tanh": tf.tanh, "softplus": tf.nn.softplus, "sin": tf.sin,
           "relu": tf.nn.relu, "leaky_relu": lambda a: tf.nn.leaky_relu(a, 0.2), "elu": tf.nn.elu}
    with tf.GradientTape() as tape:
        h = act[data["activation"]](x @ W1 + tf.constant(data["b1"], tf.float64))
        o = h @ tf.constant(data["W2"], tf.float64) + tf.constant(data["b2"], tf.float64)
        if data["head"] == "softmax":
            loss = tf.reduce_mean(-tf.reduce_sum(y * tf.math.log(tf.nn.softmax(o)), axis=-1))
        elif data["head"] == "bce":
            p = tf.sigmoid(o)
            loss = tf.reduce_mean(-y * tf.math.log(p) - (1 - y) * tf.math.log(1 - p))
        else:
            loss = tf.reduce_mean((o - y) ** 2)
    return tape.gradient(loss, W1).numpy()


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(networks())
def test_sympy_the_tape_and_finite_differences_agree_on_random_networks(network):
    text, data = network
    if not _away_from_kinks(data):
        return
    sheet = build_worksheet(spec_from(text))
    assert sheet.checks
    for row in sheet.checks:
        scale = max(1.0, float(np.max(np.abs(row.tape))))
        np.testing.assert_allclose(row.symbolic, row.tape, atol=1e-9 * scale, err_msg=row.term)
        np.testing.assert_allclose(row.finite_difference, row.tape, atol=1e-6 * scale, err_msg=row.term)
    gradient = next(np.asarray(c.value) for c in sheet.chains if c.parameter == "W1")
    np.testing.assert_allclose(gradient, _tensorflow_gradient(data), rtol=1e-9, atol=1e-12)
