"""Degenerate draws are refused, each for its reason, and a sound one is accepted."""

from __future__ import annotations

import textwrap

import pytest

from derive.classset.refusals import REASONS, RefusedDraw, accept
from derive.errors import NumericError

from ..conftest import DEFAULT, spec_from

ONE_WEIGHT = textwrap.dedent('''
    title = "One weight"
    [inputs]
    x = 1.0
    t = 0.0
    [parameters]
    w = 1.0
    [graph]
    A = "{node}"
    L = "mse(A, t)"
    [train]
    learning_rate = {rate}
''')


def one_weight(node: str, rate: float = 0.1, **values: float) -> str:
    text = ONE_WEIGHT.format(node=node, rate=rate)
    for name, value in values.items():
        for default in ("1.0", "0.0"):
            text = text.replace(f"{name} = {default}", f"{name} = {value}")
    return text


REFUSED = {
    # sigmoid(1.3*7 + 2.1*2 + 1) = sigmoid(14.3): slope 6e-7, while BCE against Y = 1 is still finite
    "saturated": (DEFAULT.replace("w1 = 0.7", "w1 = 7.0").replace("w2 = -0.3", "w2 = 2.0"), "graph.A2"),
    "saturated-tanh": (one_weight("tanh(x*w)", w=4.0), "graph.A"),
    # log(0) in the forward pass
    "not-finite": (one_weight("log(x*w)", x=0.0), "graph.A"),
    # relu at its kink: SymPy and the tape say 0, finite differences 0.5
    "disagreement": (one_weight("relu(w)", w=0.0), "graph.A"),
    # a dead relu: no gradient reaches w
    "zero-gradient": (one_weight("relu(x*w)", w=-1.0), "parameters.w"),
    # w <- 1 - 1.5 * 2 = -2: the loss goes from 1 to 4
    "loss-not-decreasing": (one_weight("x*w", rate=1.5), "graph.L"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_each_reason_is_triggered_by_a_constructed_spec(case):
    text, key = REFUSED[case]
    reason = case.removesuffix("-tanh")
    with pytest.raises(RefusedDraw) as refusal:
        accept(spec_from(text), "sheet")
    assert refusal.value.reason == reason, str(refusal.value)
    assert refusal.value.key == key
    assert isinstance(refusal.value, NumericError)
    assert reason in REASONS


def test_the_saturation_message_says_where_and_how_flat():
    message = r"sigmoid is saturated at 14\.3: its slope 6\.2e-07 is below 0\.01"
    with pytest.raises(RefusedDraw, match=message):
        accept(spec_from(REFUSED["saturated"][0]), "sheet")


def test_a_tiny_update_that_does_not_show_is_a_zero_gradient():
    # dL/dw = 2 x (x w - t) = 2e-6, so w moves by 2e-9: invisible at 7 significant digits
    text = one_weight("x*w", rate=0.001, x=0.001, t=0.0)
    with pytest.raises(RefusedDraw, match="the update of w does not show") as refusal:
        accept(spec_from(text), "sheet")
    assert refusal.value.reason == "zero-gradient"


def test_a_sound_draw_is_accepted_with_its_variant():
    sheet = accept(spec_from(DEFAULT), "neuron-bce-2026-01.key", variant="neuron-bce-2026-01")
    assert sheet.variant == "neuron-bce-2026-01" and sheet.stem == "neuron-bce-2026-01.key"
    assert sheet.shown_loss_after == "0.2136941"


def test_a_sheet_without_training_is_not_judged_on_its_loss():
    text = one_weight("x*w", rate=1.5).split("[train]")[0]
    assert accept(spec_from(text), "sheet").loss_after is None
