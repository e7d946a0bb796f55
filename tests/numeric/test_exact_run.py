"""Exact arithmetic where the sheet's numbers are rational: float32 never invents a digit."""

from __future__ import annotations

import json
import re
from fractions import Fraction

import pytest

from derive.classset.batch import Settings, run_batch
from derive.graph.exact import exact_forward
from derive.render.formats import render_all
from derive.sheet.build import build_worksheet
from derive.symbolic.prepare import prepare

from ..conftest import spec_from

ZERO = '''
title = "A tanh neuron whose pre-activation is exactly 0"
[inputs]
x1 = -1.0
x2 = -1.0
y = 0.5
[parameters]
w1 = -0.4
w2 = 0.5
b = 0.1
[graph]
z = "x1*w1 + x2*w2 + b"
o = "tanh(z)"
L = "(o - y)**2"
[train]
learning_rate = 0.1
'''


def test_the_weighted_sum_is_exactly_zero_in_fractions():
    prepared = prepare(spec_from(ZERO))
    exact = exact_forward(prepared.graph, prepared.graph.values())
    # -1 * -0.4 + -1 * 0.5 + 0.1 = 0 exactly; tanh(0) = 0; (0 - 1/2)^2 = 1/4
    assert exact["z"] == 0 and exact["o"] == 0 and exact["L"] == Fraction(1, 4)


def test_a_rational_value_keeps_the_spec_decimals():
    text = ZERO.replace('o = "tanh(z)"', 'o = "z*z*3"').replace("b = 0.1", "b = 0.3")
    graph = prepare(spec_from(text)).graph
    exact = exact_forward(graph, graph.values())
    assert exact["z"] == Fraction(1, 5) and exact["o"] == Fraction(3, 25)  # 0.2, 3 * 0.04


def test_zero_shows_as_zero_in_every_output(tmp_path):
    sheet = build_worksheet(spec_from(ZERO), "zero")
    forward = {q.name: q for q in sheet.forward}
    assert forward["z"].value == 0.0 and forward["z"].shown == "0"
    assert forward["o"].shown == "0"
    # d o/d z = 1 - tanh(0)^2 = 1; dL/do = 2(o - y) = -1; dL/dw1 = -1 * 1 * x1 = 1
    assert {a.key: a.shown for a in sheet.answers}["gradient:w1"] == "1"
    files = render_all(sheet, ("html", "tex", "json"))
    data = json.loads(files["zero.json"])
    assert data["forward"]["z"] == 0.0 and data["forward"]["o"] == 0.0
    assert "e-" not in json.dumps(data["forward"]) and "e-" not in json.dumps(data["answers"])
    for text in (files["zero.html"], files["zero.tex"]):  # float32's -0.4 + 0.5 - ... is 7.450581e-9
        assert not re.search(r"7\.45\d*\s*(?:e-|\\times 10\^)", text), "float32 noise printed"
    variants = ZERO + "\n[variants]\nseed = 1\nb = { choices = [0.1] }\n"
    run_batch(variants, "zero.toml", "zero", tmp_path, Settings(count=1, formats=("json",),
                                                               quizzes=("moodle", "qti")))
    csv = (tmp_path / "answers.csv").read_text()
    header, row = csv.splitlines()[:2]
    values = dict(zip(header.split(","), row.split(","), strict=True))
    assert values["forward:z"] == "0" and values["forward:o"] == "0"
    assert "{1:NUMERICAL:=0:" in (tmp_path / "quiz.moodle.xml").read_text()


HUGE_POWER = '''
title = "A power by a trillion"
[inputs]
x = 0.5
[parameters]
w = 1.0
[graph]
A1 = "x ** (w * 1e12)"
'''


def test_a_power_too_large_for_exact_arithmetic_is_left_to_floats():
    """Found by make fuzz (killed for 24 GB): 0.5 ** (w 1e12) is 2^-1e12 in float64 too, 0.0, and
    exactly a fraction whose denominator alone has 1e12 bits (125 GB), which exact arithmetic
    computed in full before finding it too large. It is inexact now without computing it."""
    graph = prepare(spec_from(HUGE_POWER)).graph
    exact = exact_forward(graph, graph.values())
    assert exact["x"] == Fraction(1, 2) and exact["A1"] is None
    sheet = build_worksheet(spec_from(HUGE_POWER, "display.dtype=float64"), "huge")
    assert [float(q.value) for q in sheet.forward] == [0.5 ** 1e12] == [0.0]
    small = exact_forward(graph, {**graph.values(), "w": 3e-12})  # 0.5 ** 3 is still exact
    assert small["A1"] == Fraction(1, 8)


LINEAR = '''
title = "A linear unit, a squared error, three steps of {optimizer}"
[inputs]
x1 = 1.5
x2 = -0.5
y = 2.0
[parameters]
w1 = 0.8
w2 = 0.4
b = 0.2
[graph]
yhat = "x1*w1 + x2*w2 + b"
L = "(yhat - y)**2"
[train]
learning_rate = 0.1
steps = 3
optimizer = "{optimizer}"
{extra}
[display]
dtype = "float32"
'''


def _by_fractions(optimizer: str, mu: Fraction, decay: Fraction) -> dict[str, Fraction]:
    """Three steps in exact arithmetic, Keras's order (decay, then the step), every answer by key."""
    x = {"w1": Fraction(3, 2), "w2": Fraction(-1, 2), "b": Fraction(1)}
    w = {"w1": Fraction(4, 5), "w2": Fraction(2, 5), "b": Fraction(1, 5)}
    rate, y = Fraction(1, 10), Fraction(2)
    velocity = dict.fromkeys(w, Fraction(0))
    answers = {}
    for t in (1, 2, 3):
        error = sum(x[n] * w[n] for n in w) - y
        for n in w:
            g = 2 * error * x[n]
            if t > 1:
                answers[f"gradient:{n}@{t - 1}"] = g
            w[n] -= rate * decay * w[n]
            if optimizer == "sgd":
                w[n] -= rate * g
            else:
                velocity[n] = mu * velocity[n] - rate * g
                w[n] += mu * velocity[n] - rate * g if optimizer == "nesterov" else velocity[n]
                answers[f"state:velocity:{n}@{t}"] = velocity[n]
            answers[f"updated:{n}@{t}"] = w[n]
    return answers


@pytest.mark.parametrize(("optimizer", "extra", "mu", "decay"), [
    ("momentum", "momentum = 0.9", Fraction(9, 10), Fraction(0)),
    ("nesterov", "momentum = 0.5", Fraction(1, 2), Fraction(0)),
    ("momentum", "momentum = 0.9\nweight_decay = 0.25", Fraction(9, 10), Fraction(1, 4)),
    ("sgd", "weight_decay = 0.25", Fraction(0), Fraction(1, 4)),
])
def test_momentum_nesterov_and_a_decay_follow_exact_arithmetic(optimizer, extra, mu, decay):
    """In float32 every worked state, gradient and parameter of the steps is the exact rational
    (w1 after one step of momentum is 1.04, not float32's 1.0400001), as plain SGD's are."""
    sheet = build_worksheet(spec_from(LINEAR.format(optimizer=optimizer, extra=extra)))
    answers = {a.key: a for a in sheet.answers}
    expected = _by_fractions(optimizer, mu, decay)
    for key, value in expected.items():
        assert answers[key].value == float(value), key
        # to the sheet's 7 digits from the exact value: no float32 digit (1.0400001) is invented
        assert Fraction(answers[key].shown) == Fraction(f"{float(value):.7g}"), key
    assert {row.step: dict(row.parameters) for row in sheet.history_table}[3]["w1"] == float(
        expected["updated:w1@3"])


def test_adams_steps_leave_exact_arithmetic_at_the_square_root():
    sheet = build_worksheet(spec_from(LINEAR.format(optimizer="adam", extra="").replace(
        'dtype = "float32"', 'dtype = "float64"')))
    answers = {a.key: a.value for a in sheet.answers}
    assert answers["gradient:w1"] == -2.4  # the start is exact: 2 (1.2 - 2) 1.5
    assert answers["state:m:w1@1"] == pytest.approx(-0.24, rel=1e-15)  # and Adam's steps the tape's
