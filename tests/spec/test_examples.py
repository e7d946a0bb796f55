"""Every built-in example reproduces the numbers its seed notebook printed."""

from __future__ import annotations

import numpy as np
import pytest

from derive.sheet.build import build_worksheet
from derive.spec.examples import example_names, example_path
from derive.spec.schema import load_spec


def sheet_of(name: str):
    return build_worksheet(load_spec(example_path(name)), name)


def table(sheet, of: str, order: int = 1) -> dict[str, float | None]:
    found = next(g for g in sheet.gradient_tables if g.of == of and g.order == order)
    return {e.wrt: e.tape for e in found.entries}


def test_polynomial_seed_002():
    sheet = sheet_of("polynomial")
    assert table(sheet, "f") == {"w1": 36.0, "w2": 10.0}
    entries = {e.wrt: e for e in sheet.gradient_tables[0].entries}
    # seed 002 prints these one-sided differences (eps = 1e-6) to every digit
    assert entries["w1"].forward_difference == 36.000003007075065
    assert entries["w2"].forward_difference == 10.000000003174137
    assert "(h/2)" in sheet.gradient_tables[0].notes[0]


def test_watched_constants_seed_002():
    sheet = sheet_of("watched-constants")
    assert table(sheet, "y") == {"w": 10.0}
    assert "tape.watch(w)" in sheet.gradient_tables[0].code


def test_two_layer_chain_seed_002():
    sheet = sheet_of("two-layer-chain")
    dy2_dy1 = next(g for g in sheet.gradient_tables if g.of == "y2" and g.entries[0].wrt == "y1")
    assert dy2_dy1.entries[0].tape == 2.0
    assert table(sheet, "y1")["w1"] == 1.0
    direct = {e.wrt: e.tape for e in [g for g in sheet.gradient_tables if g.of == "y2"][1].entries}
    dy1_dw1 = table(sheet, "y1")["w1"]
    assert direct["w1"] == 2.0 == dy2_dy1.entries[0].tape * dy1_dw1  # the chain rule, validated


def test_what_the_tape_watches_seed_001():
    sheet = sheet_of("what-the-tape-watches")
    assert table(sheet, "y") == {"x0": 6.0, "x1": None, "x2": None, "x3": None, "x4": None}
    assert table(sheet, "yc") == {"c": 6.0}
    softplus = table(sheet, "ys")
    assert softplus["s0"] is None and f"{softplus['s1']:.7f}" == "0.9999546"
    reasons = {e.wrt: e.reason for g in sheet.gradient_tables for e in g.entries}
    assert "trainable=False" in reasons["x1"] and "constant" in reasons["x3"]
    assert "UnconnectedGradients.ZERO" in reasons["x4"]
    assert "watch_accessed_variables=False" in reasons["s0"]


def test_persistent_tape_seed_004():
    sheet = sheet_of("persistent-tape")
    assert table(sheet, "z") == {"x": 108.0} and table(sheet, "y") == {"x": 6.0}


def test_second_derivative_seed_004():
    sheet = sheet_of("second-derivative")
    assert table(sheet, "y", 1) == {"x": 27.0} and table(sheet, "y", 2) == {"x": 18.0}
    second = next(g for g in sheet.gradient_tables if g.order == 2).entries[0]
    assert "6 x" in second.formula.tex and "tape1.gradient" in sheet.gradient_tables[1].code


def test_neuron_bce_is_the_default():
    assert "neuron-bce" in example_names()


@pytest.mark.parametrize("name", ["polynomial", "what-the-tape-watches", "second-derivative"])
def test_example_renders_from_the_python_api(name):
    from derive.render.formats import FORMATS, render_all

    documents = render_all(sheet_of(name), FORMATS)
    assert len(documents) == len(FORMATS) and all(documents.values())


def test_square_seeds_000_and_001():
    sheet = sheet_of("square")
    assert list(table(sheet, "y")["x"]) == [4.0, 6.0]


def test_linear_regression_seed_004():
    sheet = sheet_of("linear-regression")
    assert sheet.steps == 1000 and sheet.learning_rate == 0.001
    final = dict(sheet.history[-1].parameters)
    assert abs(final["w"] - 2.0) < 0.01 and abs(final["b"] + 1.0) < 0.01
    assert [row.step for row in sheet.history_table] == list(range(0, 1001, 100))
    # the vector target's gradient is its sum: dL/dw = sum_i sign(w x_i + b - y_i) x_i at the start
    x = [-1.0, 0.0, 1.0, 2.0, 3.0, 4.0]
    y = [2 * v - 1 for v in x]
    sign = [1.0 if 0.5 * xi + 0.25 - yi > 0 else -1.0 for xi, yi in zip(x, y, strict=True)]
    by_hand = sum(s * xi for s, xi in zip(sign, x, strict=True))
    chain = next(c for c in sheet.chains if c.parameter == "w")
    assert chain.value == by_hand == -11.0
    assert "vector" in sheet.intro and "sum" in sheet.intro


def test_matrix_layer_seed_001():
    import numpy as np

    sheet = sheet_of("matrix-layer")
    x = np.array([[1.0, 2.0, 3.0]])
    w = np.array([[0.5, -0.3], [0.1, 0.8], [-0.6, 0.2]])
    y = x @ w  # b = 0
    grads = {c.parameter: np.asarray(c.value) for c in sheet.chains}
    assert grads["w"].shape == (3, 2) and grads["b"].shape == (2,)
    # the matrix-calculus result, computed independently: dL/dW = x^T (2/n) y, dL/db = (2/n) y
    np.testing.assert_allclose(grads["w"], x.T @ (2 / 2 * y), atol=1e-6)
    np.testing.assert_allclose(grads["b"], (2 / 2 * y).ravel(), atol=1e-6)
    chain_w = next(c for c in sheet.chains if c.parameter == "w")
    assert chain_w.symbols.tex == r"x^{T} \frac{2 y}{n}"
    assert any("Dense(2)" in note and "(3, 2)" in note for note in sheet.notes)
    assert sheet.backward_pass[0].formula.tex.startswith(r"\frac{\partial L}{\partial y} = \frac{2 y}{n}")


@pytest.mark.parametrize("name", example_names())
def test_every_example_renders_in_every_format_from_the_cli(name, tmp_path, monkeypatch, capsys):
    import sys

    from derive.cli.commands import main

    monkeypatch.setattr(sys, "argv", ["derive", "render", name, "--out", str(tmp_path)])
    main()
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(f"{name}{suffix}" for suffix in
                             (".html", ".fragment.html", ".pdf", ".tex", ".json"))


def test_adam_neuron_equals_adam_written_here():
    """Three steps of Adam (Keras's form) on the default neuron, every state as the sheet asks it."""
    sheet = sheet_of("adam-neuron")
    answers = {a.key: a.value for a in sheet.answers}
    x, y = np.array([1.3, 2.1, 1.0]), 1.0
    theta = np.array([0.7, -0.3, 1.0])
    m, v = np.zeros(3), np.zeros(3)
    for t in (1, 2, 3):
        p = 1 / (1 + np.exp(-(x @ theta)))
        g = (p - y) * x
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        alpha = 0.1 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)  # both bias corrections, in the rate
        step = alpha * m / (np.sqrt(v) + 1e-7)
        theta = theta - step
        assert answers[f"state:alpha@{t}"] == pytest.approx(alpha, rel=1e-12)
        for i, name in enumerate(("w1", "w2", "b")):
            assert answers[f"updated:{name}@{t}"] == pytest.approx(theta[i], rel=1e-12)
            assert answers[f"state:m:{name}@{t}"] == pytest.approx(m[i], rel=1e-12)
            assert answers[f"state:v:{name}@{t}"] == pytest.approx(v[i], rel=1e-12)
            assert answers[f"state:step:{name}@{t}"] == pytest.approx(step[i], rel=1e-12)
            if t > 1:
                assert answers[f"gradient:{name}@{t - 1}"] == pytest.approx(g[i], rel=1e-12)
    assert sheet.loss_decreased
