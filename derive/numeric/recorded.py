"""A ``TapeRunner`` that keeps TensorFlow's answers for one draw, so a class set asks once.

A class set first surveys each variant's draw (its sheet built at its own precision, to find
the set's one precision), then builds it again at the set's precision to render it. Both
builds ask TensorFlow the same questions about the same numbers (the float32 tape, its
float64 twin, the Keras check, [gradient] tables), whose answers do not depend on the
precision. The survey runs them through a ``Recorded`` and sends its ``answers`` back with
the variant's digits; the render task carries them, and the second build's ``Recorded``
answers from them.

An answer is kept under its question: the method, every argument, and the graph's values and
expressions, pickled; a question not asked before (another draw, another precision's call)
goes to ``IN_PROCESS`` and is kept in turn. So an answer can only ever be the one TensorFlow
gave for that very question; ``tests/classset/test_bytes.py`` checks that a set's files are
those of a set made without it.
"""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Any

from .runner import IN_PROCESS, TapeRunner
from .tape_result import TapeResult

if TYPE_CHECKING:
    from ..graph.dag import Graph
    from ..spec.optimizers import Optimizer
    from ..spec.schema import Gradient
    from .keras_check import DenseCheck

Answers = dict[bytes, Any]
"""TensorFlow's answers, by their question (pickled)."""


class Recorded:
    """A ``TapeRunner`` answering from ``answers`` where it can, asking ``runner`` and keeping the
    answer where it cannot."""

    def __init__(self, answers: Answers | None = None, runner: TapeRunner = IN_PROCESS) -> None:
        self.answers: Answers = dict(answers or {})
        self._runner = runner

    def run_tape(self, graph: Graph, dtype_name: str, learning_rate: float | None,
                 steps: int, optimizer: Optimizer | None = None) -> TapeResult:
        return self._ask("run_tape", graph, dtype_name, learning_rate, steps, optimizer)

    def check_dense(self, graph: Graph, gradients: dict, dtype_name: str,
                    tolerance: float) -> list[DenseCheck]:
        return self._ask("check_dense", graph, gradients, dtype_name, tolerance)

    def run_gradient_table(self, graph: Graph, table: Gradient, of: str, wrt: tuple[str, ...],
                           dtype_name: str) -> dict[str, float | None]:
        return self._ask("run_gradient_table", graph, table, of, wrt, dtype_name)

    def _ask(self, method: str, graph: Graph, *arguments: Any) -> Any:
        question = pickle.dumps((method, graph.inputs, graph.parameters, graph.trainable, graph.loss,
                                 tuple((n.name, n.expression.source) for n in graph.nodes), arguments))
        if question not in self.answers:
            self.answers[question] = getattr(self._runner, method)(graph, *arguments)
        return self.answers[question]
