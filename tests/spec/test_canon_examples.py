"""The lecture canon's built-in examples (issue 12) against backpropagation written here by hand.

Each example's forward values, gradients and first update are computed in this file with
NumPy in float64, the way a lecture writes them out, never from derive's own output; Mazur's
network is also held to the figures his post publishes.
"""

from __future__ import annotations

import numpy as np
import pytest

from derive.sheet.build import build_worksheet
from derive.spec.examples import example_path
from derive.spec.schema import load_spec


def sheet_of(name: str):
    return build_worksheet(load_spec(example_path(name)), name)


def grads(sheet) -> dict[str, np.ndarray]:
    return {c.parameter: np.asarray(c.value) for c in sheet.chains}


def updated(sheet) -> dict[str, np.ndarray]:
    return {u.name: np.asarray(u.new) for u in sheet.updates}


def forward(sheet) -> dict[str, np.ndarray]:
    return {q.name: np.asarray(q.value) for q in sheet.forward}


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def assert_close(actual: dict, expected: dict, rtol: float = 2e-6) -> None:
    for name, value in expected.items():
        np.testing.assert_allclose(actual[name], value, rtol=rtol, atol=1e-7, err_msg=name)


def test_mazur_matrix_gives_his_published_figures():
    sheet = sheet_of("mazur-matrix")
    assert sheet.dtype == "float64"
    # Mazur's post: E_total = 0.298371109, w5+ = 0.35891648, w1+ = 0.149780716
    assert float(np.asarray(forward(sheet)["E"])) == pytest.approx(0.298371109, abs=5e-10)
    new = updated(sheet)
    assert new["W2"][0][0] == pytest.approx(0.35891648, abs=5e-9)
    assert new["W1"][0][0] == pytest.approx(0.149780716, abs=5e-10)
    # and every entry, by hand (Mazur's w6 = 0.408666186, w7 = 0.511301270, w8 = 0.561370121;
    # w2 = 0.19956143, w3 = 0.24975114, w4 = 0.29950229), W1 = [[w1, w3], [w2, w4]]
    np.testing.assert_allclose(new["W2"], [[0.35891648, 0.511301270], [0.408666186, 0.561370121]], atol=5e-9)
    np.testing.assert_allclose(new["W1"], [[0.149780716, 0.24975114], [0.19956143, 0.29950229]], atol=5e-9)


def test_mazur_matrix_by_hand():
    x, t = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
    W1, W2 = np.array([[0.15, 0.25], [0.20, 0.30]]), np.array([[0.40, 0.50], [0.45, 0.55]])
    h = sigmoid(x @ W1 + 0.35)
    o = sigmoid(h @ W2 + 0.60)
    delta2 = (o - t) * o * (1 - o)
    delta1 = (delta2 @ W2.T) * h * (1 - h)
    sheet = sheet_of("mazur-matrix")
    assert_close(forward(sheet), {"h": h, "o": o, "E": 0.5 * np.sum((t - o) ** 2)}, rtol=1e-12)
    assert_close(grads(sheet), {"W2": h.T @ delta2, "W1": x.T @ delta1}, rtol=1e-10)
    chain = next(c for c in sheet.chains if c.parameter == "W2")
    assert chain.symbols.tex == r"h^{T} \left(o \odot \left(1 - o\right) \odot \left(o - t\right)\right)"


def test_softmax_cross_entropy_by_hand():
    x, t = np.array([[1.0, 2.0]]), np.array([[0.0, 1.0, 0.0]])
    W, b = np.array([[0.1, -0.2, 0.3], [0.4, 0.1, -0.3]]), np.array([0.0, 0.1, -0.1])
    z = x @ W + b
    p = np.exp(z) / np.exp(z).sum()
    loss = -np.sum(t * np.log(p))
    sheet = sheet_of("softmax-cross-entropy")
    assert_close(forward(sheet), {"z": z, "p": p, "L": loss})
    assert_close(grads(sheet), {"W": x.T @ (p - t), "b": (p - t).ravel()})
    assert_close(updated(sheet), {"W": W - 0.5 * x.T @ (p - t), "b": b - 0.5 * (p - t).ravel()})
    rows = {row.name: row for row in sheet.backward_pass}
    assert rows["z"].formula.parts[-2].tex == "p - t"  # the simplification, stated
    assert any("p - t" in note and "sums to 1" in note for note in sheet.notes)
    # the softmax's local derivative is checked as its whole 3 x 3 Jacobian: diag(p) - p p^T
    check = next(c for c in sheet.checks if c.term == "p/z")
    jacobian = np.diag(p[0]) - np.outer(p[0], p[0])
    np.testing.assert_allclose(np.asarray(check.symbolic).reshape(3, 3), jacobian, atol=1e-7)
    np.testing.assert_allclose(np.asarray(check.finite_difference).reshape(3, 3), jacobian, atol=1e-7)


def test_minibatch_logistic_regression_by_hand():
    x = np.array([[0.5, 1.0], [-1.0, 0.5], [1.5, -0.5], [0.0, -1.0]])
    y = np.array([[1.0], [0.0], [1.0], [0.0]])
    w, b = np.array([[0.3], [-0.2]]), np.array([0.1])
    p = sigmoid(x @ w + b)
    loss = np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p))
    n = len(y)
    sheet = sheet_of("minibatch-logistic-regression")
    assert_close(forward(sheet), {"p": p, "L": loss})
    assert_close(grads(sheet), {"w": x.T @ (p - y) / n, "b": np.sum(p - y, axis=0) / n})
    chain = next(c for c in sheet.chains if c.parameter == "w")
    assert chain.symbols.tex == r"x^{T} \frac{p - y}{n}"


def test_relu_minibatch_by_hand_near_the_kink():
    x = np.array([[0.5], [-1.0], [1.5], [2.0], [-0.375]])
    y = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.5, 0.5, 0.5], [0.0, 0.0, 1.0]])
    W1, b1 = np.array([[0.4, -0.6, 0.9]]), np.array([0.1, 0.2, -0.1])
    a = x @ W1 + b1
    assert a[4, 0] == pytest.approx(-0.05)  # a pre-activation 0.05 from relu's kink
    h = np.maximum(a, 0)
    delta = 2 * (h - y) / h.size * (a > 0)
    sheet = sheet_of("relu-minibatch")
    assert_close(forward(sheet), {"a": a, "h": h, "L": np.mean((h - y) ** 2)})
    # the bias's gradient sums over the batch of 5 (broadcast), not one row's share
    assert_close(grads(sheet), {"W1": x.T @ delta, "b1": delta.sum(axis=0)})


def test_tanh_sigmoid_network_by_hand():
    x1, x2, y = 0.5, -1.0, 1.0
    w11, w12, w21, w22, b1, b2, v1, v2, c = 0.4, -0.3, 0.2, 0.6, 0.1, -0.1, 0.7, -0.5, 0.05
    h1, h2 = np.tanh(w11 * x1 + w21 * x2 + b1), np.tanh(w12 * x1 + w22 * x2 + b2)
    o = sigmoid(v1 * h1 + v2 * h2 + c)
    d_z = o - y  # BCE after the sigmoid
    d_a1, d_a2 = d_z * v1 * (1 - h1**2), d_z * v2 * (1 - h2**2)
    expected = {"w11": d_a1 * x1, "w21": d_a1 * x2, "b1": d_a1, "w12": d_a2 * x1, "w22": d_a2 * x2,
                "b2": d_a2, "v1": d_z * h1, "v2": d_z * h2, "c": d_z}
    sheet = sheet_of("tanh-sigmoid-network")
    assert_close(forward(sheet), {"h1": h1, "h2": h2, "o": o, "L": -np.log(o)}, rtol=1e-6)
    assert_close(grads(sheet), expected, rtol=1e-5)
    local = {d.key: d for d in sheet.local}
    assert r"1 - h_{1}^{2}" in local["h1/a1"].formula.tex  # tanh' as 1 - h^2


def test_l2_regularization_by_hand():
    x1, x2, y, lam = 1.5, -0.5, 2.0, 0.1
    w1, w2, b = 0.8, 0.4, 0.2
    yhat = w1 * x1 + w2 * x2 + b
    expected = {"w1": 2 * (yhat - y) * x1 + 2 * lam * w1, "w2": 2 * (yhat - y) * x2 + 2 * lam * w2,
                "b": 2 * (yhat - y)}
    sheet = sheet_of("l2-regularization")
    assert_close(forward(sheet), {"yhat": yhat, "L": (yhat - y) ** 2 + lam * (w1**2 + w2**2)})
    assert_close(grads(sheet), expected, rtol=1e-5)
    assert_close(updated(sheet), {name: value - 0.1 * expected[name]
                                  for name, value in {"w1": w1, "w2": w2, "b": b}.items()}, rtol=1e-6)
    assert any(q.tex == r"\lambda" for q in sheet.inputs)  # lambda is a name, printed as a Greek letter


def test_the_sheet_says_the_steps_stay_off_the_kink():
    sheet = sheet_of("relu-minibatch")
    note = next(note for note in sheet.notes if note.startswith("relu in h"))
    assert "0.05 away" in note and "no step crosses the kink" in note


def test_batch_norm_by_hand():
    """Batch norm over 4 examples, and its textbook backward pass (Ioffe and Szegedy's, population σ²)."""
    X, T = np.array([[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8], [0.2, 2.0]]), np.array([0.5, 1.5, -1.0, 0.2])
    w, gamma, beta, epsilon, eta = np.array([0.5, -0.2]), 1.0, 0.0, 1e-5, 0.1
    h = X @ w
    n = len(h)
    mu = h.sum() / n
    sigma2 = ((h - mu) ** 2).sum() / n
    hhat = (h - mu) / np.sqrt(sigma2 + epsilon)
    y = gamma * hhat + beta
    loss = ((y - T) ** 2).sum() / n
    g = 2 * (y - T) / n  # dL/dy
    g_hat = gamma * g  # dL/dhhat
    # each example's own term, the mean's and the variance's: (1/σ) (g - mean g - hhat mean(g hhat))
    dh = (g_hat - g_hat.mean() - hhat * (g_hat * hhat).mean()) / np.sqrt(sigma2 + epsilon)
    expected = {"w": X.T @ dh, "gamma": (g * hhat).sum(), "beta": g.sum()}
    sheet = sheet_of("batch-norm")
    assert sheet.dtype == "float64"
    assert_close(forward(sheet), {"h": h, "mu": mu, "sigma2": sigma2, "hhat": hhat, "y": y, "L": loss},
                 rtol=1e-12)
    assert_close(grads(sheet), expected, rtol=1e-10)
    assert_close(updated(sheet), {"w": w - eta * expected["w"], "gamma": gamma - eta * expected["gamma"],
                                  "beta": beta - eta * expected["beta"]}, rtol=1e-12)
    # the own-term-only derivative (what dropping the cross terms gives) is far from the right one
    assert np.max(np.abs(X.T @ (g_hat / np.sqrt(sigma2 + epsilon)) - expected["w"])) > 0.1
    assert any(q.tex == r"\sigma^{2}" for q in sheet.forward if q.name == "sigma2")


def test_attention_by_hand():
    """Scaled dot-product attention, softmax(Q K^T/√d) V, and its backward pass written out."""
    X = np.array([[1.0, 0.0], [0.5, 1.0], [-0.5, 0.8]])
    T = np.array([[0.5, 0.0], [0.0, 0.5], [-0.5, 0.5]])
    Wq = np.array([[0.6, -0.2], [0.3, 0.8]])
    Wk = np.array([[0.5, 0.1], [-0.4, 0.7]])
    Wv = np.array([[1.0, 0.2], [-0.3, 0.9]])
    d, eta = 2, 0.5
    Q, K, V = X @ Wq, X @ Wk, X @ Wv
    S = Q @ K.T / np.sqrt(d)
    E = np.exp(S - S.max(axis=1, keepdims=True))
    A = E / E.sum(axis=1, keepdims=True)
    out = A @ V
    loss = ((out - T) ** 2).mean()
    d_out = 2 * (out - T) / out.size
    dA, dV = d_out @ V.T, A.T @ d_out
    dS = A * (dA - (A * dA).sum(axis=1, keepdims=True))  # each row's softmax Jacobian, applied
    dQ, dK = dS @ K / np.sqrt(d), dS.T @ Q / np.sqrt(d)
    expected = {"Wq": X.T @ dQ, "Wk": X.T @ dK, "Wv": X.T @ dV}
    sheet = sheet_of("attention")
    assert sheet.dtype == "float64"
    np.testing.assert_allclose(A.sum(axis=1), 1.0)
    assert_close(forward(sheet), {"Q": Q, "K": K, "V": V, "S": S, "A": A, "O": out, "L": loss}, rtol=1e-12)
    assert_close(grads(sheet), expected, rtol=1e-10)
    assert_close(updated(sheet), {"Wq": Wq - eta * expected["Wq"], "Wk": Wk - eta * expected["Wk"],
                                  "Wv": Wv - eta * expected["Wv"]}, rtol=1e-12)
    # the scores' derivative is the softmax's whole Jacobian per row, and it is checked whole
    assert any(c.term == "A/S" for c in sheet.checks)
