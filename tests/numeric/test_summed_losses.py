"""Sums and means of errors as an instructor writes them, against gradients computed by hand in NumPy.

``sum(w*x + b - y)`` differentiated in a scalar b was refused ("three ways disagree", SymPy 1 against
the tape's 3): the derivative of a sum is 1 for each element, and with nothing else in it an array
the 1 was never summed. Each case below is written once in one node and once in two, with a scalar
bias (broadcast over the elements, so its gradient sums) and a vector bias (one per element).
"""

from __future__ import annotations

import numpy as np
import pytest

from derive.sheet.build import build_worksheet

from ..conftest import spec_from

X, Y, W = np.array([1.0, 2.0, 3.0, -1.0]), np.array([2.0, 4.0, 5.0, 0.5]), 0.5
SCALAR_B, VECTOR_B = 0.1, np.array([0.1, -0.2, 0.3, 0.0])


def spec(graph: str, b: float | np.ndarray, x=X, y=Y, w=W) -> str:
    value = lambda v: np.asarray(v).tolist()  # noqa: E731
    return (f'title = "summed losses"\n[inputs]\nx = {value(x)}\ny = {value(y)}\n[parameters]\n'
            f'w = {value(w)}\nb = {value(b)}\n[graph]\n{graph}\n[display]\ndtype = "float64"\n')


def gradients(text: str) -> dict[str, np.ndarray]:
    sheet = build_worksheet(spec_from(text), "summed")
    return {chain.parameter: np.asarray(chain.value) for chain in sheet.chains}


def by_hand(loss: str, b) -> tuple[np.ndarray, np.ndarray]:
    """dL/dw and dL/db written out: r = w x + b - y; the sum of r, r^2 or their means."""
    r = W * X + b - Y
    n = r.size
    per_element = {"sum": (X, np.ones(n)), "mean": (X / n, np.ones(n) / n),
                   "sse": (2 * r * X, 2 * r), "mse": (2 * r * X / n, 2 * r / n)}[loss]
    dw, db = per_element
    return np.sum(dw), (np.sum(db) if np.ndim(b) == 0 else db)


ONE_NODE = {"sum": 'L = "sum(w*x + b - y)"', "mean": 'L = "mean(w*x + b - y)"',
            "sse": 'L = "sum((w*x + b - y)**2)"', "mse": 'L = "mean((w*x + b - y)**2)"'}
TWO_NODES = {"sum": 'r = "w*x + b - y"\nL = "sum(r)"', "mean": 'r = "w*x + b - y"\nL = "mean(r)"',
             "sse": 'r = "w*x + b - y"\nL = "sum(r**2)"', "mse": 'r = "w*x + b - y"\nL = "mean(r**2)"'}


@pytest.mark.parametrize("bias", ["scalar", "vector"])
@pytest.mark.parametrize("form", ["one node", "two nodes"])
@pytest.mark.parametrize("loss", ["sum", "mean", "sse", "mse"])
def test_a_summed_error_gives_the_hand_computed_gradients(loss, form, bias):
    b = SCALAR_B if bias == "scalar" else VECTOR_B
    graph = (ONE_NODE if form == "one node" else TWO_NODES)[loss]
    found = gradients(spec(graph, b))
    dw, db = by_hand(loss, b)
    assert found["w"] == pytest.approx(dw, rel=1e-9)
    assert np.shape(found["b"]) == np.shape(db)
    assert found["b"] == pytest.approx(db, rel=1e-9)


def test_the_sum_of_a_bias_alone_counts_the_elements():
    # L = sum(w x + b - y): dL/db = 1 + 1 + 1 + 1 = 4, dL/dw = sum(x) = 5
    found = gradients(spec(ONE_NODE["sum"], SCALAR_B))
    assert found["b"] == 4.0
    assert found["w"] == 5.0


def test_terms_with_and_without_arrays_in_one_summed_derivative():
    # d/dw sum(w^2 x - w + (w x + b)^2) = sum(2 w x - 1 + 2 x (w x + b)); d/db = sum(2 (w x + b))
    found = gradients(spec('L = "sum(w**2*x - w + (w*x + b)**2)"', SCALAR_B))
    assert found["w"] == pytest.approx(np.sum(2 * W * X - 1 + 2 * X * (W * X + SCALAR_B)), rel=1e-9)
    assert found["b"] == pytest.approx(np.sum(2 * (W * X + SCALAR_B)), rel=1e-9)


BATCH_X = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0], [-1.0, 1.5]])
BATCH_Y = np.array([[1.0, 0.0], [2.0, 1.0], [0.5, -0.5], [0.0, 1.0]])
BATCH_W = np.array([0.3, -0.7])


@pytest.mark.parametrize("bias", [0.2, np.array([0.1, -0.2])], ids=["scalar", "per column"])
@pytest.mark.parametrize(("graph", "scale"), [
    ('L = "sum(sum((w*x + b - y)**2, 1))"', 1.0),         # every squared error, row by row
    ('L = "mean(sum((w*x + b - y)**2, 1))"', 1 / 4),       # mean over the 4 rows of each row's sum
    ('L = "mean(sum((w*x + b - y)**2, 0))"', 1 / 2),       # mean over the 2 columns of each column's sum
    ('r = "w*x + b - y"\ns = "sum(r**2, 1)"\nL = "mean(s)"', 1 / 4),
    ('r = "w*x + b - y"\nL = "sum(mean(r**2, 0))"', 1 / 4),
])
def test_sums_over_an_axis_give_the_hand_computed_gradients(graph, scale, bias):
    found = gradients(spec(graph, bias, BATCH_X, BATCH_Y, BATCH_W))
    r = BATCH_W * BATCH_X + bias - BATCH_Y
    # every loss above is scale * sum of r^2 over all entries: dL/dw_j = scale sum_n 2 r_nj x_nj
    assert found["w"] == pytest.approx(scale * np.sum(2 * r * BATCH_X, axis=0), rel=1e-9)
    db = scale * (np.sum(2 * r) if np.ndim(bias) == 0 else np.sum(2 * r, axis=0))
    assert found["b"] == pytest.approx(db, rel=1e-9)


def test_the_second_derivative_of_a_sum_with_a_scalar_term():
    # d^2/dw^2 sum(w^3 x + b^2) = 6 w sum(x); d^2/db^2 = 2 n (b^2 counted once per element)
    text = spec('L = "sum(w**3*x + b**2)"', SCALAR_B) + '[gradient]\nwrt = ["w", "b"]\norder = 2\n'
    sheet = build_worksheet(spec_from(text), "second")
    entries = {entry.wrt: entry.symbolic for entry in sheet.gradient_tables[0].entries}
    assert entries["w"] == pytest.approx(6 * W * np.sum(X))
    assert entries["b"] == pytest.approx(2 * X.size)
