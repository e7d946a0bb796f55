"""A one-node mean loss, against gradients computed by hand in NumPy (it was refused: the 1/n
of a mean's derivative was evaluated as one number, so summing over the elements lost n)."""

from __future__ import annotations

import numpy as np
import pytest

from derive.sheet.build import build_worksheet

from ..conftest import spec_from

X, Y, W, B = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 5.0]), 0.5, 0.1
SPEC = f'''title = "one-node mean"
[inputs]
x = {X.tolist()}
y = {Y.tolist()}
[parameters]
w = {W}
b = {B}
[graph]
L = "LOSS"
[display]
dtype = "float64"
'''


@pytest.mark.parametrize(("loss", "dw", "db"), [
    # mean((w x + b - y)^2): dL/dw = mean(2 r x), dL/db = mean(2 r), r the residual
    ("mean((w*x + b - y)**2)", np.mean(2 * (W * X + B - Y) * X), np.mean(2 * (W * X + B - Y))),
    # mean(w x + b - y): dL/dw = mean(x) = 2, dL/db = 1 (the case that was refused: 1/3)
    ("mean(w*x + b - y)", 2.0, 1.0),
    # sum(w x + b - y): dL/dw = sum(x) = 6, dL/db = n = 3 (refused: sum's derivative 1 had no shape)
    ("sum(w*x + b - y)", 6.0, 3.0),
])
def test_the_one_node_mean_gives_the_hand_computed_gradients(loss, dw, db):
    sheet = build_worksheet(spec_from(SPEC.replace("LOSS", loss)), "mean")
    gradients = {chain.parameter: chain.value for chain in sheet.chains}
    assert gradients["w"] == pytest.approx(dw, rel=1e-9)
    assert gradients["b"] == pytest.approx(db, rel=1e-9)


def test_the_second_derivative_of_a_one_node_mean():
    text = SPEC.replace("LOSS", "mean((w*x + b - y)**2)") + '[gradient]\nwrt = ["w", "b"]\norder = 2\n'
    sheet = build_worksheet(spec_from(text), "mean")
    entries = {entry.wrt: entry.symbolic for entry in sheet.gradient_tables[0].entries}
    assert entries["w"] == pytest.approx(np.mean(2 * X**2))  # 28/3
    assert entries["b"] == pytest.approx(2.0)
