"""A loss is the scalar the tape differentiates (issue 24, item 4): an array loss is summed, as the
tape sums it when asked for the gradient of an array, in the loss table, the step table, the JSON
and the answers; a one-element loss is its element. Expected values are worked out here in NumPy."""

from __future__ import annotations

import json

import numpy as np
import pytest

from derive.render.html import render_page
from derive.render.json import to_json
from derive.render.tex import render_tex
from derive.sheet.build import build_worksheet

from ..conftest import spec_from

SQUARED_ERRORS = """
title = "Three points, one squared error each"
[inputs]
x = [1.0, 2.0, -1.0]
y = [2.0, 3.5, -2.5]
[parameters]
w = 0.5
b = 0.25
[graph]
yhat = "w*x + b"
err = "(yhat - y)**2"
[train]
learning_rate = 0.05
steps = 3
[display]
dtype = "float64"
"""


def by_hand(steps: int) -> list[float]:
    """The summed squared error at step 0 .. steps of gradient descent on w and b, in NumPy."""
    x, y = np.array([1.0, 2.0, -1.0]), np.array([2.0, 3.5, -2.5])
    w, b, rate, losses = 0.5, 0.25, 0.05, []
    for _ in range(steps + 1):
        residual = w * x + b - y
        losses.append(float(np.sum(residual**2)))
        w, b = w - rate * float(np.sum(2 * residual * x)), b - rate * float(np.sum(2 * residual))
    return losses


@pytest.fixture(scope="module")
def sheet():
    return build_worksheet(spec_from(SQUARED_ERRORS))


def test_an_array_loss_is_its_sum_before_after_and_at_every_step(sheet):
    losses = by_hand(3)
    assert sheet.loss_terms == 3
    assert sheet.loss_before == pytest.approx(losses[0], rel=1e-12)
    assert sheet.loss_after == pytest.approx(losses[3], rel=1e-12)
    assert [row.loss for row in sheet.history] == pytest.approx(losses, rel=1e-12)
    assert all("[" not in row.shown_loss for row in sheet.history)
    assert sheet.loss_decreased == (losses[3] < losses[0])


def test_the_json_and_the_answers_hold_the_sum(sheet):
    data = json.loads(to_json(sheet))
    losses = by_hand(3)
    assert data["loss"]["before"] == pytest.approx(losses[0], rel=1e-9)
    assert data["loss"]["after"] == pytest.approx(losses[3], rel=1e-9)
    asked = {a.key: a for a in sheet.answers if a.key.startswith("loss:")}
    assert asked and all(np.ndim(a.value) == 0 for a in asked.values())
    assert asked["loss:after@3"].value == pytest.approx(losses[3], rel=1e-9)


def test_the_sheet_says_the_loss_is_summed(sheet):
    html, tex = render_page(sheet), render_tex(sheet)
    for text in (html, tex):
        assert "holds 3 numbers" in text and "differentiates the sum of its elements" in text


def test_a_one_element_loss_is_its_element():
    text = SQUARED_ERRORS.replace("[1.0, 2.0, -1.0]", "[1.0]").replace("[2.0, 3.5, -2.5]", "[2.0]")
    sheet = build_worksheet(spec_from(text))
    assert sheet.loss_terms == 1 and np.ndim(sheet.loss_before) == 0
    assert sheet.loss_before == pytest.approx((0.5 + 0.25 - 2.0) ** 2, rel=1e-12)
