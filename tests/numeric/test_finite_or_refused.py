"""Issue 25, item 2: a value that is not finite anywhere (an update, a step's loss) refuses the sheet,
naming the step and the quantity; a sheet that renders holds finite numbers only and its JSON is
strict JSON. A learning rate of 1e300 once printed "w <- 0.5 - 1e300 * 1 = -inf" and "The loss
went down"; a diverging run printed inf and nan in its step table and bare NaN in its .json.

The loss is w^2 from w = 0.5, so one step of rate r multiplies w by 1 - 2r: the step at which a
dtype overflows is found here by doing the same arithmetic in NumPy's float32 and float64.
"""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from derive.errors import NumericError
from derive.render.json import to_json
from derive.sheet.build import build_worksheet

from ..conftest import spec_from

SQUARE = textwrap.dedent('''
    title = "Gradient descent on w squared"
    [parameters]
    w = 0.5
    [graph]
    L = "w**2"
    [train]
    learning_rate = {rate}
    steps = {steps}
    [display]
    dtype = "{dtype}"
''')


def first_overflow(rate: float, dtype: type, steps: int) -> tuple[int, str]:
    """The first step after which w or the loss w^2 is not finite, in ``dtype``, and which of them."""
    with np.errstate(over="ignore", invalid="ignore"):  # 1e300 is inf in float32
        w, r = dtype(0.5), dtype(rate)
        for step in range(1, steps + 1):
            w = w - r * (dtype(2) * w)
            if not np.isfinite(w):
                return step, "w"
            if not np.isfinite(w * w):
                return step, "loss"
    raise AssertionError("no overflow")


def refused(text: str) -> NumericError:
    with pytest.raises(NumericError) as caught:
        build_worksheet(spec_from(text), "diverging")
    assert "\n" not in str(caught.value)
    return caught.value


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_learning_rate_of_1e300_is_refused_with_the_step_and_the_quantity(dtype):
    step, quantity = first_overflow(1e300, getattr(np, dtype), 1)
    assert step == 1  # float32: the rate itself is inf, so is w; float64: w = -1e300, w^2 is not
    error = refused(SQUARE.format(rate=1e300, steps=1, dtype=dtype))
    assert error.key == "train.learning_rate"
    named = "w after step 1 is not finite" if quantity == "w" else "the loss after step 1 is not finite"
    assert error.message.startswith(named), error.message
    assert "inf" in error.message and "smaller learning rate" in error.message


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_diverging_run_is_refused_at_the_step_its_loss_overflows(dtype):
    steps = 500  # w is multiplied by -19 each step: w^2 overflows long before w does
    step, quantity = first_overflow(10.0, getattr(np, dtype), steps)
    assert quantity == "loss" and 1 < step < steps
    error = refused(SQUARE.format(rate=10.0, steps=steps, dtype=dtype))
    assert error.key == "train.learning_rate"
    assert error.message.startswith(f"the loss after step {step} is not finite"), error.message


def _no_constant(name: str) -> float:
    raise AssertionError(f"{name} is not JSON")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_last_step_before_overflow_renders_finite_and_strict_json(dtype):
    step, _ = first_overflow(10.0, getattr(np, dtype), 500)
    sheet = build_worksheet(spec_from(SQUARE.format(rate=10.0, steps=step - 1, dtype=dtype)), "steep")
    data = json.loads(to_json(sheet), parse_constant=_no_constant)
    w = np.float64(0.5) * (-19.0) ** (step - 1)  # the descent by hand: huge, and finite
    assert data["history"][-1]["parameters"]["w"] == pytest.approx(w, rel=1e-4)
    assert all(np.isfinite(value) for value in _numbers(data))


def _numbers(data) -> list[float]:
    if isinstance(data, dict):
        return [n for value in data.values() for n in _numbers(value)]
    if isinstance(data, list):
        return [n for value in data for n in _numbers(value)]
    return [float(data)] if isinstance(data, (int, float)) and not isinstance(data, bool) else []
