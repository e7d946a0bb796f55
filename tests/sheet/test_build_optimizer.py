"""The optimizer section of a sheet: Adam's step written as a textbook (and Keras) writes it, and a
weight decay in every optimizer's rule, each worked number equal to the update written here."""

from __future__ import annotations

import numpy as np
import pytest

from derive.sheet.build import build_worksheet

from ..conftest import DEFAULT, spec_from

X, Y = np.array([1.3, 2.1, 1.0]), 1.0
"""The default neuron's inputs, with the bias's 1 last: dL/d(w1, w2, b) = (p - Y) X."""


def sheet_with(train: str):
    text = DEFAULT.replace("steps = 1\n", "steps = 3\n")
    assert text != DEFAULT
    return build_worksheet(spec_from(text + train + '[display]\ndtype = "float64"\n'))


def rows(formulas) -> dict[str, str]:
    return {f.lhs.tex: f.parts[0].tex for f in formulas}


def answers(sheet) -> dict[str, float]:
    return {a.key: a.value for a in sheet.answers}


def gradient(theta: np.ndarray) -> np.ndarray:
    return (1 / (1 + np.exp(-(X @ theta))) - Y) * X


def test_adams_step_has_no_fraction_in_its_denominator():
    sheet = sheet_with('optimizer = "adam"\n')
    rule = rows(sheet.optimizer.rule)
    assert rule[r"\alpha"] == r"\frac{\eta \sqrt{1 - \beta_{2}^{t}}}{1 - \beta_{1}^{t}}"
    assert rule[r"\Delta"] == r"\frac{\alpha m}{\sqrt{v} + \epsilon}"
    assert rule["w"] == r"w - \Delta"
    legend = {symbol.tex for symbol, _ in sheet.optimizer.legend}
    assert {r"\alpha", "m", "v", r"\Delta", "w", "g", "t"} <= legend  # every letter of the rule
    # the textbook's bias-corrected ratio, beside the note, is the rule's: eta m-hat / sqrt(v-hat)
    assert sheet.optimizer.keras_step.lhs.tex == r"\frac{\eta \hat{m}}{\sqrt{\hat{v}}}"
    assert sheet.optimizer.keras_step.parts[0].tex == r"\frac{\alpha m}{\sqrt{v}}"


def test_adams_rate_is_asked_once_a_step_and_every_state_equals_adam_written_here():
    sheet = sheet_with('optimizer = "adam"\n')
    given = answers(sheet)
    assert sorted(k for k in given if "alpha" in k) == ["state:alpha@1", "state:alpha@2", "state:alpha@3"]
    first = sheet.optimizer.steps[0].rows[0]
    assert first.lhs.tex == r"\alpha"  # at step 1, beta^1 is beta
    assert first.parts[0].tex == r"\frac{\eta \sqrt{1 - \beta_{2}}}{1 - \beta_{1}}"
    theta, m, v = np.array([0.7, -0.3, 1.0]), np.zeros(3), np.zeros(3)
    for t in (1, 2, 3):
        g = gradient(theta)
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g**2
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        step = 0.1 * m_hat / (np.sqrt(v_hat) + 1e-7 / np.sqrt(1 - 0.999**t))  # the textbook's, Keras's eps
        theta = theta - step
        alpha = 0.1 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        assert given[f"state:alpha@{t}"] == pytest.approx(alpha, rel=1e-14)
        for i, name in enumerate(("w1", "w2", "b")):
            assert given[f"state:step:{name}@{t}"] == pytest.approx(step[i], rel=1e-12)
            assert given[f"updated:{name}@{t}"] == pytest.approx(theta[i], rel=1e-12)


DECAY = 0.0078125


@pytest.mark.parametrize(("name", "extra", "row", "title"), [
    ("sgd", "", r"w - \eta \lambda w - \eta g", "SGD with weight decay"),
    ("momentum", "momentum = 0.875\n", r"w - \eta \lambda w + v", "SGD with momentum, with weight decay"),
    ("nesterov", "momentum = 0.875\n", r"w - \eta \lambda w + \mu v - \eta g",
     "SGD with Nesterov momentum, with weight decay"),
    ("rmsprop", "rho = 0.875\n", r"w - \eta \lambda w - \frac{\eta g}{\sqrt{s + \epsilon}}",
     "RMSprop, with weight decay"),
    ("adam", "", r"w - \eta \lambda w - \Delta", "Adam, with weight decay"),
])
def test_a_weight_decay_is_in_the_rule_and_in_every_step(name, extra, row, title):
    sheet = sheet_with(f'optimizer = "{name}"\nweight_decay = {DECAY}\n{extra}')
    assert rows(sheet.optimizer.rule)["w"] == row
    assert sheet.optimizer.name == title and "weight_decay=..." in sheet.optimizer.keras
    assert any(symbol.tex == r"\lambda" for symbol, _ in sheet.optimizer.legend)
    given = answers(sheet)
    theta, first, second = np.array([0.7, -0.3, 1.0]), np.zeros(3), np.zeros(3)
    for t in (1, 2, 3):  # Keras: w <- w - rate lambda w, then the optimizer's own step
        g = gradient(theta)
        theta = theta - 0.1 * DECAY * theta
        if name == "sgd":
            theta = theta - 0.1 * g
        elif name in ("momentum", "nesterov"):
            first = 0.875 * first - 0.1 * g
            theta = theta + (0.875 * first - 0.1 * g if name == "nesterov" else first)
        elif name == "rmsprop":
            first = 0.875 * first + 0.125 * g**2
            theta = theta - 0.1 * g / np.sqrt(first + 1e-7)
        else:
            first, second = 0.9 * first + 0.1 * g, 0.999 * second + 0.001 * g**2
            theta = theta - 0.1 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t) * first / (np.sqrt(second) + 1e-7)
        for i, parameter in enumerate(("w1", "w2", "b")):
            assert given[f"updated:{parameter}@{t}"] == pytest.approx(theta[i], rel=1e-12)
    table = {row.step: dict(row.parameters) for row in sheet.history_table}
    assert table[3]["w1"] == pytest.approx(theta[0], rel=1e-12)  # the step table carries the decay too
