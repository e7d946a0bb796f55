"""transpose and .T, gelu (exact and tanh), silu/swish, erf, var and std: against NumPy and TensorFlow
written here, on whole worksheets, and their bad input (one line naming the key, exit 2)."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest

from derive.graph.functions import FUNCTIONS
from derive.sheet.build import build_worksheet

from ..conftest import run_cli, spec_from

ERF, ERFC = np.vectorize(math.erf), np.vectorize(math.erfc)


def test_gelu_is_tensorflows_gelu_with_float64_constants():
    """float32: the same numbers as tf.nn.gelu, bit for bit; float64: GELU to 1e-15, where
    tf.nn.gelu is off in the 8th digit (it casts its constants from float32)."""
    import tensorflow as tf

    z = np.linspace(-4.0, 4.0, 41)
    for approximate, name in ((False, "gelu"), (True, "gelu_tanh")):
        ours = FUNCTIONS[name].tensorflow(tf)
        single = tf.constant(z, dtype=tf.float32)
        theirs = tf.nn.gelu(single, approximate=approximate).numpy()
        np.testing.assert_array_equal(ours(single).numpy(), theirs)
        # without cancellation in the left tail: Φ(z) = erfc(-z/√2)/2 and (1 + tanh u)/2 = 1/(1 + e^(-2u))
        exact = (z / (1 + np.exp(-2 * math.sqrt(2 / math.pi) * (z + 0.044715 * z**3))) if approximate
                 else 0.5 * z * ERFC(-z / math.sqrt(2)))
        double = ours(tf.constant(z, dtype=tf.float64)).numpy()
        np.testing.assert_allclose(double, exact, rtol=1e-13, atol=1e-15)  # 1 + tanh cancels: z eps
        np.testing.assert_allclose(FUNCTIONS[name].numpy(z), exact, rtol=1e-13, atol=1e-15)
        theirs = tf.nn.gelu(tf.constant(z, dtype=tf.float64), approximate=approximate).numpy()
        assert np.max(np.abs(theirs - exact)[z != 0] / np.abs(exact)[z != 0]) > 1e-10  # why its own op


def test_transpose_is_numpys_and_tensorflows_and_sends_back_the_transposed_gradient():
    import sympy as sp
    import tensorflow as tf

    from derive.graph.evaluate import evaluate

    entry = FUNCTIONS["transpose"]
    w = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(entry.numpy(w), [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]])
    np.testing.assert_array_equal(entry.tensorflow(tf)(tf.constant(w)).numpy(), w.T)
    g = sp.Symbol("G")
    upstream = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(evaluate(entry.vjp((sp.Symbol("W"),), g)[0], {g: upstream}), upstream.T)


X = np.array([0.5, -1.0, 2.0])
W = np.array([0.4, -0.3, 0.8])
ACTIVATIONS = textwrap.dedent(f'''
    title = "The lecture's activations and moments"
    [inputs]
    x = {X.tolist()}
    [parameters]
    w = {W.tolist()}
    [graph]
    z = "x*w"
    a = "gelu(z) + gelu(z, approximate=true) + silu(z) + swish(z) + erf(z)"
    L = "sum(a**2) + var(a) + std(a)"
    [display]
    dtype = "float64"
''')


def test_a_sheet_of_every_new_activation_and_moment_against_numpy():
    """a = GELU + GELU_tanh + 2 SiLU + erf, L = Σ a² + var(a) + std(a) (population): values and dL/dw,
    each derivative written out here (GELU' = Φ + z φ, SiLU' = σ (1 + z (1 - σ)), erf' = 2 e^(-z²)/√π)."""
    sheet = build_worksheet(spec_from(ACTIVATIONS))
    z = X * W
    c, cubic = math.sqrt(2 / math.pi), 0.044715
    t = np.tanh(c * (z + cubic * z**3))
    sigma = 1 / (1 + np.exp(-z))
    cdf, pdf = 0.5 * ERFC(-z / math.sqrt(2)), np.exp(-z**2 / 2) / math.sqrt(2 * math.pi)
    a = z * cdf + 0.5 * z * (1 + t) + 2 * z * sigma + ERF(z)
    da = (cdf + z * pdf + 0.5 * (1 + t) + 0.5 * z * (1 - t**2) * c * (1 + 3 * cubic * z**2)
          + 2 * sigma * (1 + z * (1 - sigma)) + 2 / math.sqrt(math.pi) * np.exp(-z**2))
    n, centred = a.size, a - a.mean()
    deviation = math.sqrt((centred**2).mean())
    loss = (a**2).sum() + (centred**2).mean() + deviation
    dL_da = 2 * a + 2 * centred / n + centred / (n * deviation)
    forward = {q.name: np.asarray(q.value) for q in sheet.forward}
    np.testing.assert_allclose(forward["a"], a, rtol=1e-14)
    assert float(forward["L"]) == pytest.approx(loss, rel=1e-14)
    gradient = np.asarray(next(ch.value for ch in sheet.chains if ch.parameter == "w"))
    np.testing.assert_allclose(gradient, dL_da * da * X, rtol=1e-12)


def test_w_transpose_and_transpose_w_give_the_same_sheet_numbers():
    x = np.array([[0.5, -1.0], [2.0, 0.1], [0.3, 0.3]])
    w = np.array([[0.4, -0.3], [0.8, 0.2]])
    v = np.array([[0.1, 0.5, -0.2], [0.3, 0.4, 0.6]])
    text = textwrap.dedent(f'''
        title = "Transposes"
        [inputs]
        x = {x.tolist()}
        [parameters]
        W = {w.tolist()}
        V = {v.tolist()}
        [graph]
        h = "x @ W.T"
        q = "V.T @ h.T"
        L = "sum(q**2)"
        [display]
        dtype = "float64"
    ''')
    h = x @ w.T
    q = v.T @ h.T
    dq = 2 * q
    dh = (v @ dq).T  # q = V^T h^T: dL/dh^T = V dq
    expected = {"W": dh.T @ x, "V": (dq @ h).T}  # h = x W^T: dL/dW = dh^T x; dL/dV^T = dq h
    for variant in (text, text.replace("W.T", "transpose(W)").replace("V.T", "transpose(V)")):
        sheet = build_worksheet(spec_from(variant))
        assert float(next(f.value for f in sheet.forward if f.name == "L")) == pytest.approx((q**2).sum())
        for name, value in expected.items():
            np.testing.assert_allclose(next(c.value for c in sheet.chains if c.parameter == name), value,
                                       rtol=1e-12)


BAD = {
    "transpose-of-a-scalar": ('[parameters]\nw = 0.5\n[graph]\nL = "sum(w.T * 2)"\n',
                              "graph.L: transpose of a scalar; a scalar has no axes to swap"),
    "transpose-call-of-a-scalar": ('[parameters]\nw = 0.5\n[graph]\nL = "transpose(w)"\n',
                                   "graph.L: transpose of a scalar"),
    "std-of-one-element": ('[parameters]\nw = [0.5]\n[graph]\nL = "std(w)"\n',
                           "graph.L: std over a single element is 0 and has no derivative"),
    "std-along-an-axis-of-one": ('[parameters]\nw = [[0.5, 1.0]]\n[graph]\nL = "sum(std(w, 0))"\n',
                                 "graph.L: std over axis 0, of length 1, is 0 and has no derivative"),
    "std-of-equal-elements": ('[parameters]\nw = [0.5, 0.5, 0.5]\n[graph]\nL = "std(w)"\n',
                              "graph.L: std(): its elements are all equal, so std = 0"),
    "var-axis-out-of-range": ('[parameters]\nw = [0.5, 1.0]\n[graph]\nL = "var(w, 1)"\n',
                              "graph.L: var over axis 1 of a (2,) array; the axis must be -1..0"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_naming_the_key(monkeypatch, capsys, tmp_path, case):
    body, message = BAD[case]
    spec = tmp_path / "bad.toml"
    spec.write_text(f'title = "bad"\n{body}')
    code, _, err = run_cli(monkeypatch, capsys, "render", str(spec), "--format", "json", "--out",
                           str(tmp_path / "out"))
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert message in err, err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
