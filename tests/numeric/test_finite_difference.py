"""Finite differences that respect poles and oscillations, and a tolerance relative to each value.

micrograd's ``test_more_ops`` has a pole of 10/f 0.35 from a = -4 and sin((x w - b)^2) oscillates
fast: both used to be refused by their finite differences alone. The differences now reject a
Ridders tableau whose error estimate is large and start again from a smaller step, and keep their
first step short of the nearest pole; a smooth spec is never refused by them, while a wrong
derivative still is.
"""

from __future__ import annotations

import math
import re
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from derive.errors import NumericError
from derive.graph.dag import build_graph
from derive.graph.functions import sigmoid
from derive.numeric.checks import FD_SAFETY, computed, tolerance
from derive.numeric.finite_difference import estimate
from derive.numeric.tape import run_tape
from derive.sheet.build import build_worksheet
from derive.symbolic.derivation import derive

from ..conftest import DEFAULT, spec_from
from ..fuzz_strategies import smooth_specs

MORE_OPS = textwrap.dedent('''
    title = "micrograd's test_more_ops"
    [parameters]
    a = -4.0
    b = 2.0
    [graph]
    c1 = "a + b"
    d1 = "a*b + b**3"
    c2 = "c1 + c1 + 1"
    c3 = "c2 + 1 + c2 + (-a)"
    d2 = "d1 + d1*2 + relu(b + a)"
    d3 = "d2 + 3*d2 + relu(b - a)"
    e = "c3 - d3"
    f = "e**2"
    g = "f/2.0 + 10.0/f"
    [display]
    dtype = "float64"
''')


def test_micrograds_more_ops_renders_with_its_published_values():
    """micrograd's test_more_ops, line by line (c += c + 1 is c2 = c1 + c1 + 1, ...); its published
    numbers: g = 24.70408163265306, dg/da = 138.83381924198252, dg/db = 645.57725947521."""
    sheet = build_worksheet(spec_from(MORE_OPS))
    values = {q.name: float(q.value) for q in sheet.forward}
    gradients = {c.parameter: float(c.value) for c in sheet.chains}
    assert values["g"] == pytest.approx(24.70408163265306, rel=1e-14)
    assert gradients["a"] == pytest.approx(138.83381924198252, rel=1e-12)
    assert gradients["b"] == pytest.approx(645.57725947521, rel=1e-12)
    assert sheet.finite_difference_vs_tape < 1e-6  # the differences agree too, not merely tolerated


def test_the_pole_of_more_ops_is_0_35_away_and_the_differences_stay_short_of_it():
    """g(a) at b = 2 written out: c3 = 3a + 11, d3 = 12 (2a + 8) + 4 relu(a + 2) + relu(2 - a), e = c3 - d3
    = -20a - 87 near a = -4 (0 at a = -4.35: the pole of 10/e^2), de/da = -20, dg/da = (e - 20/e^3) de/da."""
    def g(a: float) -> float:
        e = 3 * a + 11 - (12 * (2 * a + 8) + 4 * max(a + 2, 0.0) + max(2 - a, 0.0))
        return e * e / 2 + 10 / (e * e)

    e = -20 * -4.0 - 87
    by_hand = (e - 20 / e**3) * -20
    assert by_hand == pytest.approx(138.83381924198252, rel=1e-14)
    found = estimate(g, -4.0)
    assert float(found.value) == pytest.approx(by_hand, rel=1e-10)
    assert float(found.error) < 1e-8 * abs(by_hand)


@pytest.mark.parametrize(("x", "w", "b"), [(4.486494471372438, -1.8816854798951455, -0.766735510274243),
                                           (-4.724408867569316, 2.5351310867480663, 0.3814331321927824),
                                           (1.7, 1.3, 0.4)])
def test_sin_of_a_square_is_not_refused_in_float64(x, w, b):
    """sin((x w - b)^2) oscillates fast in w; d/dw = 2 (x w - b) x cos((x w - b)^2) by hand."""
    sheet = build_worksheet(spec_from(textwrap.dedent(f'''
        title = "sin of a square"
        [inputs]
        x = {x!r}
        [parameters]
        w = {w!r}
        b = {b!r}
        [graph]
        L = "sin((x*w - b)**2)"
        [display]
        dtype = "float64"
    ''')))
    u = x * w - b
    gradients = {c.parameter: float(c.value) for c in sheet.chains}
    assert gradients["w"] == pytest.approx(2 * u * x * math.cos(u * u), rel=1e-12)
    assert gradients["b"] == pytest.approx(-2 * u * math.cos(u * u), rel=1e-12)


def test_the_differences_of_an_oscillation_are_right_and_their_error_estimate_honest():
    """Over a thousand random (x, w, b) in [-5, 5] (a first step of 0.1 spans up to a period of
    sin((x w - b)^2); one Ridders tableau from it was wrong for half of them), the estimate is the
    derivative by hand to 1e-9 (a hundredth of the float64 tolerance), and where it is further off
    than 1e-10, its error estimate (times the check's allowance) says so."""
    generator = np.random.default_rng(7)
    for x, w, b in generator.uniform(-5, 5, (1000, 3)):
        u = x * w - b
        found = estimate(lambda v, x=x, b=b: math.sin((x * v - b) ** 2), w)
        true = 2 * u * x * math.cos(u * u)
        assert abs(float(found.value) - true) <= 1e-9 * max(1.0, abs(true))
        assert abs(float(found.value) - true) <= FD_SAFETY * float(found.error) + 1e-10 * max(1.0, abs(true))


SETTINGS = settings(max_examples=50, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(smooth_specs())
def test_no_smooth_spec_is_refused_by_its_finite_differences(text):
    """Fifty random smooth specs (float64) such as sin((x w - b)^2): wherever SymPy and the tape agree,
    the finite differences agree with SymPy to a millionth of the terms' size (not merely within
    their own error estimate), and that estimate is honest."""
    spec = spec_from(text)
    graph = build_graph(spec)
    checks = computed(graph, derive(graph), run_tape(graph, "float64", None, 1))
    for check in checks:
        if np.all(np.abs(np.subtract(check.symbolic, check.tape)) <= tolerance(check, "float64")):
            off = np.abs(np.subtract(check.finite_difference, check.symbolic))
            size = np.abs(check.symbolic) + np.abs(check.magnitude)
            assert np.all(off <= 1e-6 * size + 1e-12), (text, check)
            honest = FD_SAFETY * np.asarray(check.finite_difference_error) + 1e-9 * size
            assert np.all(off <= honest), (text, check)


def test_a_wrong_registry_derivative_is_still_refused(monkeypatch):
    """sigma' = sigma (forgetting the 1 - sigma): SymPy then disagrees with the tape and the differences."""
    monkeypatch.setattr(sigmoid, "fdiff", lambda self, argindex=1: sigmoid(self.args[0]))
    with pytest.raises(NumericError, match=r"^graph\.A2: the three ways disagree on dA2/dA1: SymPy 0\.78"):
        build_worksheet(spec_from(DEFAULT))


TANH = textwrap.dedent('''
    title = "A saturated tanh"
    [inputs]
    x = 7.5
    [parameters]
    w = 1.0
    [graph]
    a = "x*w"
    h = "tanh(a)"
''')


def test_a_small_derivative_17_percent_off_in_float32_is_refused_with_the_way_out():
    """dh/da = 1 - tanh(7.5)^2 = 1.2236e-6; float32's tape gives 1.43e-6 (its tanh rounds near 1).
    The tolerance is relative to 1.2e-6 plus one rounding of the terms 1 and h^2, so this is caught."""
    exact = 1 - math.tanh(7.5) ** 2
    assert exact == pytest.approx(1.2236085e-6, rel=1e-6)
    with pytest.raises(NumericError) as caught:
        build_worksheet(spec_from(TANH))
    message = str(caught.value)
    assert message.startswith("graph.h: float32 rounding puts dh/da beyond the three-way check's tolerance")
    found = re.search(r"\(float32 (\S+), float64 (\S+), SymPy (\S+)\)", message)
    assert found, message
    float32, float64, symbolic = (float(v) for v in found.groups())
    assert float64 == pytest.approx(exact, rel=1e-6) and symbolic == pytest.approx(exact, rel=1e-6)
    assert abs(float32 - exact) > 0.1 * exact  # float32's tanh near 1 leaves 1 - h^2 about 17 % off
    assert 'display.dtype = "float64"' in message and "\n" not in message
    sheet = build_worksheet(spec_from(TANH, "display.dtype=float64"))
    local = next(d for d in sheet.local if d.key == "h/a")
    assert float(local.value) == pytest.approx(exact, rel=1e-9)


def test_a_difference_of_terms_near_1_is_not_refused_by_its_rounding():
    """Found by make fuzz: erf(x + 3) - cos(y) at x = 1.33, y = 0 is erf(4.33) - 1, about -1e-9, from
    terms of 1; the differences' rounding error is relative to those terms (1e-16 / step), not to
    the value, and the check refused d/dA1 = 8.1266442e-9 for a difference of 1.7e-15."""
    text = textwrap.dedent('''
        title = "erf next to 1"
        [inputs]
        x = [0.0, 0.0, 1.33]
        y = 0.0
        [parameters]
        w = [0.0, 0.0, 0.0]
        b = 0.0
        [graph]
        A1 = "(x + 3)"
        A2 = "(erf(A1) - cos(y))"
        L = "sum(A2 + w*b)"
        [display]
        dtype = "float64"
    ''')
    local = next(d for d in build_worksheet(spec_from(text)).local if d.key == "A2/A1")
    by_hand = [2 / math.sqrt(math.pi) * math.exp(-(a**2)) for a in (3.0, 3.0, 4.33)]
    np.testing.assert_allclose(np.asarray(local.value, dtype=float), by_hand, rtol=1e-12)


ROOT = textwrap.dedent('''
    title = "smooth"
    [inputs]
    x = 0.0
    y = -0.062
    [parameters]
    w = 0.0
    b = 0.0
    [graph]
    A1 = "sqrt(1 + ((y)**2)**2)"
    L = "sum(A1 + w*b)"
    [display]
    dtype = "float64"
''')


def test_a_root_whose_argument_is_far_from_0_is_differenced_at_its_own_scale():
    """sqrt(1 + y^4) at y = -0.062: the root's argument is 1.0000148, about 1000 of y's steps from
    0 (1 / |4y^3|), and that distance set the first step (100): so far out sqrt(1 + y^4) is y^2,
    whose differences agree with one another on 2y = -0.124, and the check refused the spec with
    SymPy and the tape equal (found by make fuzz). A distance to trouble now bounds the first step."""
    y = -0.062
    slope = 2 * y**3 / math.sqrt(1 + y**4)  # d/dy sqrt(1 + y^4) = 4y^3 / (2 sqrt(1 + y^4))
    assert slope == pytest.approx(-4.7665e-4, rel=1e-4)
    far = estimate(lambda v: math.sqrt(1 + v**4), y, scale=1e4)
    assert far.value == pytest.approx(slope, rel=1e-9)
    sheet = build_worksheet(spec_from(ROOT))
    [local] = [d for d in sheet.local if d.key == "A1/y"]
    assert float(local.value) == pytest.approx(slope, rel=1e-9)
