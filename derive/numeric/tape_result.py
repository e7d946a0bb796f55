"""What the tape answers: plain floats and NumPy arrays, defined apart from TensorFlow.

``tape.run_tape`` returns a ``TapeResult``; a child process (``tape_process``) sends one back
pickled, and the parent that unpickles it must find the class without importing TensorFlow;
``derive render`` imports this module before it forks that child, so it imports nothing heavy
either (not SymPy: ``Value`` is only named).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..graph.evaluate import Value


def loss_total(value: Value) -> Value:
    """The loss as the scalar the tape differentiates: asked for the gradient of an array, the tape
    differentiates the sum of its elements, so a sheet's loss before, after and at each step is
    that sum (a scalar stays itself; exact values stay exact)."""
    import numpy as np

    array = np.asarray(value)
    return value if array.ndim == 0 else array.sum()


@dataclass(frozen=True)
class TapeResult:
    """Every number the tape produced, as Python floats of the chosen dtype."""

    forward: dict[str, Value]
    local: dict[str, Value]
    gradients: dict[str, Value]
    updated: dict[str, Value]
    loss_before: Value
    loss_after: Value | None
    history: tuple[tuple[Value, dict[str, Value]], ...]
    """(loss, parameters) at step 0, 1, ..., steps."""
    states: tuple[dict[str, dict[str, Value]], ...] = ()
    """An optimizer's worked steps (the first ``spec.optimizers.WORKED_STEPS``), one dict a step: by
    trained parameter, its gradient at the step's start and every row of the rule but w (``velocity``,
    ``m``, ``v``, ``alpha``, ``step``, ``s``); empty for plain SGD."""
