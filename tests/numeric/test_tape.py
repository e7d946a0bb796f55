"""The tape's local derivatives: the diagonal of an element-wise node without its whole Jacobian,
and no Jacobian at all past ``MAX_JACOBIAN`` entries (issue 25: a softmax over 1,000 numbers)."""

from __future__ import annotations

import numpy as np

from derive.graph.dag import build_graph
from derive.numeric.rehearsal import Rehearsal
from derive.numeric.tape import run_tape
from derive.spec.limits import MAX_JACOBIAN
from derive.symbolic.derivation import derive

from ..conftest import spec_from


def _graph(size: int):
    rng = np.random.default_rng(7)
    z = np.round(rng.uniform(-1, 1, size), 3).tolist()
    return build_graph(spec_from(f'title = "t"\n[parameters]\nz = {z}\nw = 0.5\n[graph]\n'
                                 'h = "tanh(w*z) * z"\np = "softmax(h)"\nL = "sum(p*h)"\n'))


def test_an_element_wise_partial_is_the_jacobians_diagonal():
    graph = _graph(5)
    tape = run_tape(graph, "float64", None, 1)
    z, w = np.asarray(graph.parameters["z"]), graph.parameters["w"]
    # d(tanh(w z) z)/dz, element by element, written out here
    expected = (1 - np.tanh(w * z) ** 2) * w * z + np.tanh(w * z)
    np.testing.assert_allclose(tape.local["h/z"], expected, rtol=1e-12)
    h = np.tanh(w * z) * z
    p = np.exp(h) / np.exp(h).sum()
    np.testing.assert_allclose(tape.local["p/h"], np.diag(p) - np.outer(p, p), rtol=1e-12, atol=1e-15)


def test_a_jacobian_past_the_limit_is_not_computed_by_the_tape_or_the_rehearsal():
    size = int(np.sqrt(MAX_JACOBIAN)) + 1  # p/h: size x size entries, just past the limit
    graph = _graph(size)
    tape = run_tape(graph, "float32", None, 1)
    rehearsed = Rehearsal(derive(graph)).run_tape(graph, "float32", None, 1)
    assert tape.local["p/h"] is None and rehearsed.local["p/h"] is None
    assert np.shape(tape.local["h/z"]) == (size,) and np.shape(tape.local["L/p"]) == (size,)
    within = run_tape(_graph(size - 1), "float32", None, 1)  # (size - 1)^2 entries: within the limit
    assert np.shape(within.local["p/h"]) == (size - 1, size - 1)
