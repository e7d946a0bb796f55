"""Issue 12's refused or crashing specs render right, and its bad inputs are one-line errors.

Each spec is written here as an instructor would; its gradients are held to NumPy written
out in this file (float64), so a wrong derivation or a wrong check fails, not just a crash.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from derive.sheet.build import build_worksheet

from ..conftest import run_cli, spec_from

SOFTMAX_WRITTEN_OUT = textwrap.dedent('''
    title = "Softmax written out"
    [inputs]
    t = [0.0, 1.0, 0.0]
    [parameters]
    z = [0.5, 1.0, -0.5]
    [graph]
    e = "exp(z)"
    p = "e / sum(e)"
    L = "-sum(t*log(p))"
''')
RELU_BATCH = textwrap.dedent('''
    title = "ReLU layer on a batch"
    [inputs]
    x = [[0.5], [-1.0], [1.5], [2.0], [-0.3]]
    [parameters]
    W1 = [[0.4, -0.6, 0.9]]
    b1 = [0.1, 0.2, -0.1]
    [graph]
    a = "x @ W1 + b1"
    h = "relu(a)"
    L = "mean(h**2)"
''')
RELU_NEAR_KINK = textwrap.dedent('''
    title = "A pre-activation of -0.05"
    [inputs]
    x = [0.5, 1.0, 2.0]
    y = [1.0, 0.0, 0.5]
    [parameters]
    w = 0.3
    b = -0.2
    [graph]
    a = "w*x + b"
    h = "relu(a)"
    L = "mean((h - y)**2)"
''')
MATRIX_2_2_2 = textwrap.dedent('''
    title = "2-2-2 with matrices"
    [inputs]
    x = [[0.05, 0.10]]
    t = [[0.01, 0.99]]
    b1 = [0.35, 0.35]
    b2 = [0.60, 0.60]
    [parameters]
    W1 = [[0.15, 0.25], [0.20, 0.30]]
    W2 = [[0.40, 0.50], [0.45, 0.55]]
    [graph]
    h = "sigmoid(x @ W1 + b1)"
    o = "sigmoid(h @ W2 + b2)"
    E = "0.5*sum((t - o)**2)"
''')
LAMBDA = textwrap.dedent('''
    title = "lambda"
    [inputs]
    x = 1.5
    y = 2.0
    lambda = 0.1
    [parameters]
    w = 0.8
    [graph]
    L = "(w*x - y)**2 + lambda*w**2"
''')
SOFTMAX_FUNCTIONS = textwrap.dedent('''
    title = "softmax and cross_entropy"
    [inputs]
    x = [1.0, 2.0]
    t = [0.0, 1.0, 0.0]
    [parameters]
    W = [[0.1, -0.2, 0.3], [0.4, 0.1, -0.3]]
    b = [0.0, 0.1, -0.1]
    [graph]
    z = "x @ W + b"
    p = "softmax(z)"
    L = "cross_entropy(p, t)"
''')


def gradients(text: str) -> dict[str, np.ndarray]:
    sheet = build_worksheet(spec_from(text.replace("float32", "float64") + '[display]\ndtype = "float64"\n'))
    return {c.parameter: np.asarray(c.value) for c in sheet.chains}


def close(actual: dict, expected: dict) -> None:
    for name, value in expected.items():
        np.testing.assert_allclose(actual[name], value, rtol=1e-9, atol=1e-12, err_msg=name)


def test_softmax_written_out_is_p_minus_t():
    z, t = np.array([0.5, 1.0, -0.5]), np.array([0.0, 1.0, 0.0])
    p = np.exp(z) / np.exp(z).sum()
    close(gradients(SOFTMAX_WRITTEN_OUT), {"z": p - t})


def test_relu_layer_on_a_batch_sums_the_bias_over_five_rows():
    x, W1, b1 = np.array([[0.5], [-1.0], [1.5], [2.0], [-0.3]]), np.array([[0.4, -0.6, 0.9]]), \
        np.array([0.1, 0.2, -0.1])
    a = x @ W1 + b1
    delta = 2 * np.maximum(a, 0) / a.size * (a > 0)
    close(gradients(RELU_BATCH), {"W1": x.T @ delta, "b1": delta.sum(axis=0)})


def test_relu_with_a_pre_activation_of_minus_0_05():
    x, y, w, b = np.array([0.5, 1.0, 2.0]), np.array([1.0, 0.0, 0.5]), 0.3, -0.2
    a = w * x + b
    assert a[0] == pytest.approx(-0.05)
    delta = 2 * (np.maximum(a, 0) - y) / 3 * (a > 0)
    close(gradients(RELU_NEAR_KINK), {"w": np.sum(delta * x), "b": np.sum(delta)})


def test_the_2_2_2_network_in_matrix_form():
    x, t = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
    W1, W2 = np.array([[0.15, 0.25], [0.20, 0.30]]), np.array([[0.40, 0.50], [0.45, 0.55]])
    h = 1 / (1 + np.exp(-(x @ W1 + 0.35)))
    o = 1 / (1 + np.exp(-(h @ W2 + 0.60)))
    delta2 = (o - t) * o * (1 - o)
    close(gradients(MATRIX_2_2_2), {"W2": h.T @ delta2, "W1": x.T @ ((delta2 @ W2.T) * h * (1 - h))})


def test_lambda_is_a_name():
    close(gradients(LAMBDA), {"w": 2 * (0.8 * 1.5 - 2.0) * 1.5 + 2 * 0.1 * 0.8})


def test_softmax_and_cross_entropy_functions_with_a_vector_input():
    x, t = np.array([1.0, 2.0]), np.array([0.0, 1.0, 0.0])
    W, b = np.array([[0.1, -0.2, 0.3], [0.4, 0.1, -0.3]]), np.array([0.0, 0.1, -0.1])
    z = x @ W + b
    p = np.exp(z) / np.exp(z).sum()
    close(gradients(SOFTMAX_FUNCTIONS), {"W": np.outer(x, p - t), "b": p - t})


def test_the_written_out_softmax_is_checked_as_its_whole_jacobian():
    sheet = build_worksheet(spec_from(SOFTMAX_WRITTEN_OUT))
    check = next(c for c in sheet.checks if c.term == "p/e")
    e = np.exp(np.array([0.5, 1.0, -0.5]))
    jacobian = np.eye(3) / e.sum() - np.outer(e, np.ones(3)) / e.sum() ** 2  # dp_i/de_j
    np.testing.assert_allclose(np.asarray(check.tape), jacobian, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(check.finite_difference), jacobian, rtol=1e-6)
    assert any("whole Jacobian" in note for note in sheet.notes)


BAD = {
    "softmax-of-a-scalar": (LAMBDA.replace('L = "', 'q = "softmax(x)"\nL = "'), "graph.q",
                            "softmax needs a vector"),
    "target-not-a-distribution": (SOFTMAX_FUNCTIONS.replace("t = [0.0, 1.0, 0.0]", "t = [0.5, 1.0, 0.0]"),
                                  "graph.L", "sums to"),
    "negative-target": (SOFTMAX_FUNCTIONS.replace("t = [0.0, 1.0, 0.0]", "t = [-0.5, 1.5, 0.0]"),
                        "graph.L", "negative"),
    "shapes-do-not-broadcast": (SOFTMAX_FUNCTIONS.replace("b = [0.0, 0.1, -0.1]", "b = [0.0, 0.1]"),
                                "graph.z", "(2,)"),
    "exactly-on-the-kink": (RELU_NEAR_KINK.replace("b = -0.2", "b = -0.15"), "graph.h", "kink"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_naming_the_key(monkeypatch, capsys, tmp_path, case):
    text, key, fragment = BAD[case]
    spec = tmp_path / "bad.toml"
    spec.write_text(text)
    code, _, err = run_cli(monkeypatch, capsys, "render", str(spec), "--format", "json", "--out",
                           str(tmp_path / "out"))
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"derive: error: {key}: ") and fragment in err, err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
