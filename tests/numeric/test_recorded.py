"""``Recorded``: TensorFlow asked once per question, its answers kept and carried elsewhere."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from derive.numeric.recorded import Recorded
from derive.numeric.runner import IN_PROCESS
from derive.symbolic.prepare import shaped_graph

from ..conftest import DEFAULT, spec_from


class Counting:
    """A ``TapeRunner`` that counts the tapes it runs (by dtype) and passes them to TensorFlow."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def run_tape(self, graph, dtype_name, learning_rate, steps, optimizer=None):
        self.asked.append(dtype_name)
        return IN_PROCESS.run_tape(graph, dtype_name, learning_rate, steps, optimizer)


def test_a_question_asked_again_is_answered_from_the_record_even_in_another_process():
    graph = shaped_graph(spec_from(DEFAULT))
    counting = Counting()
    first = Recorded(runner=counting)
    tape = first.run_tape(graph, "float32", 0.1, 1)
    assert first.run_tape(graph, "float32", 0.1, 1) is tape and counting.asked == ["float32"]
    again = Recorded(pickle.loads(pickle.dumps(first.answers)), counting)  # as a worker receives them
    carried = again.run_tape(graph, "float32", 0.1, 1)
    assert counting.asked == ["float32"]
    assert carried.gradients.keys() == tape.gradients.keys()
    for name in tape.gradients:
        assert np.array_equal(carried.gradients[name], tape.gradients[name])


def test_another_dtype_rate_or_draw_is_asked_anew():
    spec = spec_from(DEFAULT)
    counting = Counting()
    recorded = Recorded(runner=counting)
    graph = shaped_graph(spec)
    recorded.run_tape(graph, "float32", 0.1, 1)
    recorded.run_tape(graph, "float64", 0.1, 1)
    recorded.run_tape(graph, "float32", 0.2, 1)
    other = shaped_graph(spec_from(DEFAULT.replace("x1 = 1.3", "x1 = 1.4")))
    answer = recorded.run_tape(other, "float32", 0.1, 1)
    assert counting.asked == ["float32", "float64", "float32", "float32"]
    # x1 = 1.4: A1 = 1.4*0.7 + 2.1*(-0.3) + 1.0, written out here
    assert answer.forward["A1"] == pytest.approx(1.4 * 0.7 + 2.1 * -0.3 + 1.0, rel=1e-6)
