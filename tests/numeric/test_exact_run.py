"""Exact arithmetic where the sheet's numbers are rational: float32 never invents a digit."""

from __future__ import annotations

import json
import re
from fractions import Fraction

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
