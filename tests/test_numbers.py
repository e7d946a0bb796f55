"""Numbers as the sheet shows them: an array's float32 noise below its precision prints as 0,
long arrays are elided in formulas, and the JSON keeps the raw floats."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import numpy as np

from derive.numbers import at_precision, shown, tex_number
from derive.render.formats import Options, render_all
from derive.sheet.build import build_worksheet
from derive.sheet.printers.mathml_style import number_mathml
from derive.spec.examples import example_path
from derive.spec.schema import load_spec


def test_a_subnormal_shows_only_the_digits_its_spacing_resolves():
    """float64's subnormals lie 2**-1074 apart: the spec's 5e-324 is that spacing itself, so its
    float64 holds one digit; at 7 it printed 4.940656e-324, six digits neither the spec nor float64
    has (found by make fuzz: A1 = "5e-324")."""
    spacing = math.ulp(0.0)
    assert spacing == 2.0**-1074 and Decimal(spacing) < Decimal("5e-324")
    assert shown(5e-324, 7) == "5e-324" and shown(-5e-324, 7) == "-5e-324"
    assert tex_number(5e-324, 7) == r"5 \times 10^{-324}"
    for value in (1.2345e-320, 3e-315, 2.0e-308):
        printed = Decimal(shown(value, 7))
        last_place = Decimal(1).scaleb(printed.as_tuple().exponent)
        assert last_place >= Decimal(spacing), (value, printed)  # no place finer than the spacing
        assert abs(printed - Decimal(value)) <= last_place / 2 + Decimal(spacing) / 2, (value, printed)
    assert shown(1 / 3 * 1e-300, 7) == "3.333333e-301"  # a normal number keeps its 7 digits


def test_an_entry_below_the_arrays_last_digit_prints_as_zero():
    noisy = [[2.2351741790771484e-08, 0.005416665226221085, 0.35999998450279236]]
    assert shown(noisy, 4) == "[[0, 0.005417, 0.36]]"  # 0.36 to 4 digits ends at 1e-4
    assert tex_number(noisy, 4) == r"\begin{bmatrix} 0 & 0.005417 & 0.36 \end{bmatrix}"
    assert "<mn>0</mn>" in number_mathml(noisy, 4) and "10</mn>" not in number_mathml(noisy, 4)


def test_a_small_entry_that_the_precision_shows_is_kept():
    assert shown([0.001234, 100.0], 7) == "[0.001234, 100]"  # 100 to 7 digits ends at 1e-4
    assert shown([4e-5, 100.0], 7) == "[0, 100]"  # below half of that last digit
    assert shown(2.235e-8, 4) == "2.235e-8"  # a scalar has no array to be small beside
    assert shown([0.0, 0.0], 7) == "[0, 0]"
    assert np.array_equal(at_precision([1e-9, -1e-9], 7), [1e-9, -1e-9])  # no larger entry


def test_long_arrays_are_elided_in_formulas():
    matrix = np.arange(64.0).reshape(8, 8) + 1
    tex = tex_number(matrix, 3)
    assert tex.count(r"\cdots") == 8 and r"\vdots" not in tex  # 8 rows fit, 8 columns do not
    assert tex.startswith(r"\begin{bmatrix} 1 & 2 & 3 & \cdots & 7 & 8 \\ 9 &")
    assert number_mathml(matrix, 3).count("⋯") == 8
    tall = tex_number(np.ones((10, 2)), 3)
    assert tall.count(r"\vdots") == 2 and tall.count(r"\\") == 5  # rows 1-3, dots, 9-10
    assert tex_number(np.arange(10.0), 3) == r"\left[0, 1, 2, \ldots, 8, 9\right]"


def test_relu_minibatch_prints_the_noisy_gradient_entry_as_zero_and_json_keeps_it():
    """dL/dW1[0, 0] is exactly 0 (worked here: the first unit is active on examples 1, 3 and
    4 only, and their x (h - y) terms cancel); float32 leaves 2.2e-8."""
    x = np.array([[0.5], [-1.0], [1.5], [2.0], [-0.375]])
    y = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.5, 0.5, 0.5], [0.0, 0.0, 1.0]])
    a = x @ np.array([[0.4, -0.6, 0.9]]) + np.array([0.1, 0.2, -0.1])
    exact = x.T @ (2 * (np.maximum(a, 0) - y) * (a > 0) / y.size)
    assert abs(exact[0, 0]) < 1e-15 and abs(exact[0, 2]) > 0.1
    sheet = build_worksheet(load_spec(example_path("relu-minibatch")), "relu-minibatch")
    chain = next(c for c in sheet.chains if c.parameter == "W1")
    assert chain.shown.startswith("[[0, ")
    check = next(r for r in sheet.checks if r.term == "W1")
    assert check.shown_symbolic.startswith("[[0, ") and check.shown_tape.startswith("[[0, ")
    data = json.loads(render_all(sheet, ("json",), Options())["relu-minibatch.json"])
    raw = data["gradients"]["W1"][0][0]
    assert raw != 0 and abs(raw) < 1e-6  # the JSON keeps the tape's float, noise included
    np.testing.assert_allclose(data["gradients"]["W1"], exact, atol=1e-6)
