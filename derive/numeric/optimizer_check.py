"""The tape's optimizer states checked against the sheet's rule: every worked number, a second way.

Each worked step's quantities (velocity, m, v, m-hat, v-hat, the step, the parameter after it)
come from TensorFlow ops written as Keras writes them (``optimizer_tape``); here the rule the sheet
prints (``symbolic.optimizers``) is followed in float64 from the tape's own gradient, parameter and
states before the step, and every value must agree to the dtype's tolerance, as a derivative must in
the three-way check. A value that is not finite refuses the sheet.
"""

from __future__ import annotations

import numpy as np

from ..errors import NumericError
from ..symbolic.optimizers import Rule, follow
from .checks import TOLERANCE
from .tape_result import TapeResult


def verify_optimizer(rule: Rule, rate: float, numbers: TapeResult, dtype: str) -> None:
    """Refuse a worked step whose value is not finite, or not what the rule gives."""
    for k, states in enumerate(numbers.states, start=1):
        for name, quantities in states.items():
            before = numbers.states[k - 2][name] if k > 1 else {}
            expected = follow(rule, rate, numbers.history[k - 1][1][name], quantities["gradient"], before, k)
            taped = {**quantities, "w": numbers.history[k][1][name]}
            for key, value in expected.items():
                got = taped[key]
                if not np.all(np.isfinite(got)):
                    raise NumericError("train.learning_rate", f"{key} of {name} at step {k} is not finite "
                                       f"({got}): choose a smaller learning rate or fewer steps")
                scale = np.maximum(np.abs(value), np.abs(numbers.history[k - 1][1][name]) * 1e-3)
                if np.any(np.abs(np.subtract(got, value)) > TOLERANCE[dtype] * scale + 1e-300):
                    raise NumericError("train.optimizer", f"{key} of {name} at step {k}: the tape gives "
                                       f"{got}, the rule {value}")
