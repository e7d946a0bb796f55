"""Reductions whose result meets their argument again: the cross terms of the derivative are kept.

When a vector reaches the loss both element by element and through ``sum()``, ``mean()``, ``var()``
(centring, dividing by a sum, batch and layer norm), every element of dL/dx has a term from each
other element through the reduction. Each sheet below is built whole (``build_worksheet``, so the
three-way check passed) and its numbers are compared with NumPy written here: the textbook
backward passes of centring, normalisation and batch norm.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from derive.sheet.build import build_worksheet

from ..conftest import spec_from

C = np.array([1.0, 2.0, -1.0, 0.5])
X = np.array([0.3, -1.2, 2.0, 0.7])


def built(text: str):
    return build_worksheet(spec_from(textwrap.dedent(text)))


def gradient(sheet, name: str) -> np.ndarray:
    return np.asarray(next(c.value for c in sheet.chains if c.parameter == name), dtype=np.float64)


def forward(sheet, name: str) -> np.ndarray:
    return np.asarray(next(q.value for q in sheet.forward if q.name == name), dtype=np.float64)


def centring_by_hand(x: np.ndarray, c: np.ndarray) -> tuple[float, np.ndarray]:
    """L = Σ c (x - μ)²: with g = 2 c (x - μ), dL/dx_j = g_j - (1/n) Σ_i g_i (μ moves with every x_j)."""
    centred = x - x.mean()
    g = 2 * c * centred
    return float((c * centred**2).sum()), g - g.mean()


CENTRING = f'''
    title = "Centring"
    [inputs]
    c = {C.tolist()}
    [parameters]
    x = {X.tolist()}
    [graph]
    L = "sum(c*(x - mean(x))**2)"
    [display]
    dtype = "float64"
'''
CENTRING_IN_NODES = f'''
    title = "Centring, a node at a time"
    [inputs]
    c = {C.tolist()}
    [parameters]
    x = {X.tolist()}
    [graph]
    m = "mean(x)"
    d = "x - m"
    L = "sum(c*d**2)"
    [display]
    dtype = "float64"
'''


@pytest.mark.parametrize("text", [CENTRING, CENTRING_IN_NODES], ids=["one-node", "three-nodes"])
def test_centring_keeps_the_cross_terms_of_the_mean(text):
    sheet = built(text)
    loss, dx = centring_by_hand(X, C)
    assert float(forward(sheet, "L")) == pytest.approx(loss, rel=1e-14)
    np.testing.assert_allclose(gradient(sheet, "x"), dx, rtol=1e-12, atol=1e-14)
    own_terms_only = 2 * C * (X - X.mean()) * (1 - 1 / X.size)  # the old, wrong answer differs
    assert np.max(np.abs(gradient(sheet, "x") - own_terms_only)) > 0.5
    assert sheet.symbolic_vs_tape < 1e-12 and sheet.finite_difference_vs_tape < 1e-8


def test_float32_centring_is_checked_too():
    sheet = built(CENTRING.replace('dtype = "float64"', 'dtype = "float32"'))
    np.testing.assert_allclose(gradient(sheet, "x"), centring_by_hand(X, C)[1], rtol=1e-6)


def test_dividing_by_a_sum_keeps_the_quotient_rule_cross_terms():
    x = np.array([0.3, 1.2, 2.0, 0.7])
    sheet = built(f'''
        title = "Shares of a total"
        [inputs]
        c = {C.tolist()}
        [parameters]
        x = {x.tolist()}
        [graph]
        L = "sum(c*x/sum(x))"
        [display]
        dtype = "float64"
    ''')
    total = x.sum()
    assert float(forward(sheet, "L")) == pytest.approx((C * x).sum() / total, rel=1e-14)
    by_hand = C / total - (C * x).sum() / total**2  # d(x_i/S)/dx_j = δ_ij/S - x_i/S²
    np.testing.assert_allclose(gradient(sheet, "x"), by_hand, rtol=1e-12)


def test_a_sum_broadcast_over_another_array_is_summed_back():
    x, y = np.array([1.0, 2.0, -1.0, 0.5]), np.array([0.3, -1.2, 2.0, 0.7])
    sheet = built(f'''
        title = "A total times a vector"
        [inputs]
        x = {x.tolist()}
        y = {y.tolist()}
        [parameters]
        w = 0.7
        [graph]
        C = "sum(w*x)"
        D = "C*y"
        L = "sum(D)"
        [display]
        dtype = "float64"
    ''')
    assert float(gradient(sheet, "w")) == pytest.approx(x.sum() * y.sum(), rel=1e-14)  # not Σ x_i y_i


INPUTS = np.array([[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8], [0.2, 2.0]])  # a batch of 4, 2 features
TARGETS = np.array([[0.1, 0.0, 1.0], [1.0, -0.5, 0.2], [0.3, 0.3, -0.4], [-1.0, 0.5, 0.0]])
WEIGHTS = np.array([[0.4, -0.3, 0.8], [0.1, 0.6, -0.5]])
GAMMA, BETA, EPSILON = np.array([1.0, 0.5, 1.5]), np.array([0.0, 0.1, -0.2]), 1e-5
BATCH_NORM = f'''
    title = "Batch norm over a batch of 4"
    [inputs]
    X = {INPUTS.tolist()}
    T = {TARGETS.tolist()}
    epsilon = {EPSILON}
    [parameters]
    W = {WEIGHTS.tolist()}
    gamma = {GAMMA.tolist()}
    beta = {BETA.tolist()}
    [graph]
    h = "X @ W"
    hhat = "(h - mean(h, 0))/sqrt(var(h, 0) + epsilon)"
    y = "gamma*hhat + beta"
    L = "mean((y - T)**2)"
    [display]
    dtype = "float64"
'''
BATCH_NORM_IN_NODES = BATCH_NORM.replace(
    'hhat = "(h - mean(h, 0))/sqrt(var(h, 0) + epsilon)"',
    'mu = "mean(h, 0)"\n    v = "mean((h - mu)**2, 0)"\n    hhat = "(h - mu)/sqrt(v + epsilon)"')


def batch_norm_by_hand() -> dict[str, np.ndarray]:
    """The forward pass and the textbook backward pass of batch norm (Ioffe and Szegedy), in NumPy."""
    h = INPUTS @ WEIGHTS
    mu, variance = h.mean(axis=0), h.var(axis=0)
    root = np.sqrt(variance + EPSILON)
    hhat = (h - mu) / root
    y = GAMMA * hhat + BETA
    dy = 2 * (y - TARGETS) / y.size
    dhhat = dy * GAMMA
    dh = (dhhat - dhhat.mean(axis=0) - hhat * (dhhat * hhat).mean(axis=0)) / root
    return {"L": ((y - TARGETS) ** 2).mean(), "hhat": hhat, "W": INPUTS.T @ dh,
            "gamma": (dy * hhat).sum(axis=0), "beta": dy.sum(axis=0)}


@pytest.mark.parametrize("text", [BATCH_NORM, BATCH_NORM_IN_NODES], ids=["var", "mean-of-squares"])
def test_batch_norm_trains_gamma_and_beta_and_passes_the_cross_terms_to_the_weights(text):
    sheet = built(text)
    expected = batch_norm_by_hand()
    assert float(forward(sheet, "L")) == pytest.approx(expected["L"], rel=1e-13)
    np.testing.assert_allclose(forward(sheet, "hhat"), expected["hhat"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(forward(sheet, "hhat").mean(axis=0), 0.0, atol=1e-14)
    for name in ("W", "gamma", "beta"):
        np.testing.assert_allclose(gradient(sheet, name), expected[name], rtol=1e-10, atol=1e-14)


def test_layer_norm_over_the_features_of_one_example():
    x, w, t = np.array([0.5, -1.0, 2.0, 0.3, 1.1]), np.array([0.4, -0.3, 0.8, 1.1, -0.2]), \
        np.array([0.1, 0.0, 1.0, -0.5, 0.4])
    gain, shift = 1.5, -0.25
    sheet = built(f'''
        title = "Layer norm"
        [inputs]
        x = {x.tolist()}
        t = {t.tolist()}
        [parameters]
        w = {w.tolist()}
        g = {gain}
        s = {shift}
        [graph]
        h = "x*w"
        n = "(h - mean(h))/sqrt(var(h) + 0.00001)"
        y = "g*n + s"
        L = "sum((y - t)**2)"
        [display]
        dtype = "float64"
    ''')
    h = x * w
    root = np.sqrt(h.var() + 1e-5)
    n = (h - h.mean()) / root
    y = gain * n + shift
    dy = 2 * (y - t)
    dn = dy * gain
    dh = (dn - dn.mean() - n * (dn * n).mean()) / root
    assert float(forward(sheet, "L")) == pytest.approx(((y - t) ** 2).sum(), rel=1e-13)
    np.testing.assert_allclose(gradient(sheet, "w"), dh * x, rtol=1e-10)
    assert float(gradient(sheet, "g")) == pytest.approx((dy * n).sum(), rel=1e-12)
    assert float(gradient(sheet, "s")) == pytest.approx(dy.sum(), rel=1e-12)


def test_std_keeps_its_cross_terms_when_the_vector_also_appears_alone():
    x = np.array([0.5, -1.0, 2.0, 0.3])
    sheet = built(f'''
        title = "Standardising"
        [parameters]
        x = {x.tolist()}
        [graph]
        z = "x/std(x)"
        L = "sum(z**3)"
        [display]
        dtype = "float64"
    ''')
    s = x.std()
    z = x / s
    dz = 3 * z**2
    dx = dz / s - (dz * x).sum() / s**2 * (x - x.mean()) / (x.size * s)  # ∂s/∂x_j = (x_j - μ)/(n s)
    np.testing.assert_allclose(gradient(sheet, "x"), dx, rtol=1e-10)
