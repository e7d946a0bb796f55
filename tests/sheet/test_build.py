"""The whole pipeline's numbers: seed 000/003's printed values, and an independent network."""

from __future__ import annotations

import math

import pytest

from derive.sheet.build import build_worksheet
from derive.sheet.formula import part_tex

from ..conftest import TWO_OUTPUTS, spec_from


def significant(value: float, digits: int = 7) -> float:
    return float(f"{value:.{digits - 1}e}")


# Printed by seed 000 (GradientTape section) and listed in SPEC.md, float32.
SEED = {
    "forward": {"A1": 1.28, "A2": 0.7824498, "A3": 0.2453255},
    "local": {"A3/A2": -1.278037, "A2/A1": 0.1702221, "A1/w1": 1.3, "A1/w2": 2.1, "A1/b": 1.0},
    "gradients": {"w1": -0.2828153, "w2": -0.4568555, "b": -0.2175502},
    "updated": {"w1": 0.7282815, "w2": -0.2543145, "b": 1.021755},
}


@pytest.fixture(scope="module")
def sheet():
    from ..conftest import DEFAULT

    return build_worksheet(spec_from(DEFAULT), "neuron-bce")


def test_default_matches_the_seed_to_seven_digits(sheet):
    assert {q.name: significant(q.value) for q in sheet.forward} == SEED["forward"]
    local = {d.key: significant(d.value) for d in sheet.local}
    assert {k: local[k] for k in SEED["local"]} == pytest.approx(SEED["local"], abs=1.5e-7)
    assert {c.parameter: significant(c.value) for c in sheet.chains} == SEED["gradients"]
    updated = dict(sheet.history[-1].parameters)
    assert {k: significant(v) for k, v in updated.items()} == SEED["updated"]
    assert significant(sheet.loss_before) == 0.2453255
    assert significant(sheet.loss_after) == 0.2136941


def test_default_sheet_shows_the_derivation(sheet):
    chain = next(c for c in sheet.chains if c.parameter == "w1")
    assert tuple(s.tex for s in chain.simplifications) == (
        r"\frac{\partial A_{3}}{\partial A_{2}} \cdot \frac{\partial A_{2}}{\partial A_{1}} = A_{2} - Y",)
    assert part_tex(chain.numbers) == r"\left({-}1.278037\right) \cdot 0.1702221 \cdot 1.3"
    assert sheet.equations[0].formula.tex == "A_{1} = x_{1} w_{1} + x_{2} w_{2} + b"
    assert sheet.updates[0].numbers.tex == (
        r"w_{1} \leftarrow w_{1} - \eta\, \frac{\partial A_{3}}{\partial w_{1}} = "
        r"0.7 - 0.1 \cdot \left({-}0.2828153\right) = 0.7282815")
    assert sheet.symbolic_vs_tape < 1e-6 and sheet.finite_difference_vs_tape < 1e-6


def by_hand(values):
    """The two-output network computed independently, in float64 with plain math."""
    x, t1, t2, w, b, v1, v2 = (values[k] for k in ("x", "t1", "t2", "w", "b", "v1", "v2"))
    z = x * w + b
    h = 1 / (1 + math.exp(-z))
    o1, o2 = h * v1, h * v2
    loss = 0.5 * (o1 - t1) ** 2 + 0.5 * (o2 - t2) ** 2
    delta = ((o1 - t1) * v1 + (o2 - t2) * v2) * h * (1 - h)
    grads = {"w": delta * x, "b": delta, "v1": (o1 - t1) * h, "v2": (o2 - t2) * h}
    return loss, grads


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_multi_path_sums_match_an_independent_computation(dtype):
    spec = spec_from(TWO_OUTPUTS + f'[display]\ndtype = "{dtype}"\n')
    sheet = build_worksheet(spec)
    values = {"x": 0.5, "t1": 1.0, "t2": 0.0, "w": 0.8, "b": -0.2, "v1": 1.5, "v2": -0.7}
    loss, grads = by_hand(values)
    tolerance = 1e-6 if dtype == "float32" else 1e-12
    assert sheet.loss_before == pytest.approx(loss, abs=tolerance)
    for chain in sheet.chains:
        assert chain.value == pytest.approx(grads[chain.parameter], abs=tolerance)
    w_chain = next(c for c in sheet.chains if c.parameter == "w")
    assert len(w_chain.paths) == 2
    assert w_chain.value == pytest.approx(sum(p.value for p in w_chain.paths), abs=tolerance)
    stepped = {k: v - 0.5 * grads.get(k, 0.0) for k, v in values.items()}
    new_loss, _ = by_hand(stepped)
    assert sheet.loss_after == pytest.approx(new_loss, abs=tolerance)


def test_many_steps_record_a_history():
    from ..conftest import DEFAULT

    sheet = build_worksheet(spec_from(DEFAULT, "train.steps=50"))
    assert [s.step for s in sheet.history] == list(range(51))
    losses = [s.loss for s in sheet.history]
    assert all(a > b for a, b in zip(losses, losses[1:], strict=False))
    assert sheet.loss_after == losses[-1]


def test_no_float32_noise_digit_on_the_sheet():
    from ..conftest import DEFAULT

    # -2*0.5 + 0.3*(-0.3) + 1 = -0.09 exactly; float32 computes -0.09000003, which the sheet
    # neither shows nor keeps: exact arithmetic gives the value, so it needs no lost digit either
    sheet = build_worksheet(spec_from(DEFAULT, "x1=-2", "x2=0.3", "w1=0.5"))
    a1 = next(q for q in sheet.forward if q.name == "A1")
    assert a1.value == -0.09 and a1.shown == "-0.09"
    assert sheet.precision == 7
    default = build_worksheet(spec_from(DEFAULT))
    assert default.precision == 7 and [q.shown for q in default.forward] == ["1.28", "0.7824498", "0.2453255"]


def test_a_general_rule_keeps_its_own_letters_when_the_graph_has_arrays_of_those_names():
    """The sigmoid's rule is about a scalar z, even on a sheet whose graph has arrays z and p:
    a plain product, never an element-wise one, and no notation of the graph's names."""
    from derive.spec.examples import example_path
    from derive.spec.schema import load_spec

    sheet = build_worksheet(load_spec(example_path("minibatch-logistic-regression")), "logistic")
    sigmoid = next(rule for rule in sheet.rules if rule.function == "sigmoid")
    assert sigmoid.formula.tex == (r"\frac{d}{d z} \sigma\left(z\right) = "
                                   r"\sigma\left(z\right) \left(1 - \sigma\left(z\right)\right)")
    assert all(r"\odot" not in step.tex for rule in sheet.rules for step in (*rule.steps, rule.formula))


def test_each_simplification_is_stated_once():
    """BCE after a sigmoid cancels to A2 - Y on every weight's path: the sheet says so once."""
    from ..conftest import DEFAULT

    sheet = build_worksheet(spec_from(DEFAULT))
    said = [s.tex for c in sheet.chains for s in c.simplifications]
    product = r"\frac{\partial A_{3}}{\partial A_{2}} \cdot \frac{\partial A_{2}}{\partial A_{1}}"
    assert said == [rf"{product} = A_{{2}} - Y"]
    assert not [c for c in sheet.chains[1:] if c.simplifications]
