"""Who runs TensorFlow for a sheet: this process, or a child (``tape_process``).

``build_worksheet`` asks a ``TapeRunner`` for every number TensorFlow computes: the tape
(forward, local and total gradients, descent), the Keras check of dense nodes and the
[gradient] tables. ``IN_PROCESS`` imports TensorFlow here on first use: the Python API,
Jupyter and class sets use it. ``derive render`` passes a ``TapeProcess``, whose child has
imported TensorFlow while this process did everything else. The answers are plain
picklable values (``tape_result``), so this module imports no TensorFlow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .tape_result import TapeResult

if TYPE_CHECKING:  # the modules that compute import TensorFlow; naming their types must not
    from ..graph.dag import Graph
    from ..spec.optimizers import Optimizer
    from ..spec.schema import Gradient
    from .keras_check import DenseCheck


class TapeRunner(Protocol):
    """The three questions a sheet asks TensorFlow (see ``tape``, ``keras_check``, ``gradient_tables``)."""

    def run_tape(self, graph: Graph, dtype_name: str, learning_rate: float | None,
                 steps: int, optimizer: Optimizer | None = None) -> TapeResult:
        """Forward pass, every local and total gradient, and ``steps`` descent steps."""

    def check_dense(self, graph: Graph, gradients: dict, dtype_name: str,
                    tolerance: float) -> list[DenseCheck]:
        """Keras's gradients for each dense node, compared with the tape's ``gradients``."""

    def run_gradient_table(self, graph: Graph, table: Gradient, of: str, wrt: tuple[str, ...],
                           dtype_name: str) -> dict[str, float | None]:
        """tape.gradient of ``of`` with respect to each of ``wrt`` (None where TF gives None)."""


class InProcess:
    """TensorFlow in this process, imported (quietly) when first asked."""

    def run_tape(self, graph: Graph, dtype_name: str, learning_rate: float | None,
                 steps: int, optimizer: Optimizer | None = None) -> TapeResult:
        from .tape import run_tape

        return run_tape(graph, dtype_name, learning_rate, steps, optimizer)

    def check_dense(self, graph: Graph, gradients: dict, dtype_name: str,
                    tolerance: float) -> list[DenseCheck]:
        from .keras_check import check_dense

        return check_dense(graph, gradients, dtype_name, tolerance)

    def run_gradient_table(self, graph: Graph, table: Gradient, of: str, wrt: tuple[str, ...],
                           dtype_name: str) -> dict[str, float | None]:
        from .gradient_tables import run_gradient_table

        return run_gradient_table(graph, table, of, wrt, dtype_name)


IN_PROCESS = InProcess()
"""The runner ``build_worksheet`` uses unless given another."""
