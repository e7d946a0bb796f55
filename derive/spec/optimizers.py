"""The optimizers a spec may name and their hyperparameters: Keras's names and defaults.

``HYPERPARAMETERS`` is the one table: each optimizer's keys under ``[train]`` with the value it
takes when the spec leaves one out (Keras's defaults; ``momentum`` is 0.9 for "momentum" and
"nesterov", since Keras's SGD defaults to 0, which is plain gradient descent). ``weight_decay``,
Keras's decoupled decay (w <- w - rate weight_decay w before the step, base_optimizer's
_apply_weight_decay), is taken by every optimizer, as Keras's are; only adamw has one unless the spec
gives it. A key of another optimizer is refused (``schema``), so a spec says only what its optimizer
reads.
"""

from __future__ import annotations

from dataclasses import dataclass

_ADAM = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
HYPERPARAMETERS: dict[str, dict[str, float]] = {
    "sgd": {},
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.9},
    "rmsprop": {"rho": 0.9, "epsilon": 1e-7},
    "adam": dict(_ADAM),
    "adamw": {**_ADAM, "weight_decay": 0.004},
}
"""Each optimizer's hyperparameters and their defaults, in the order the sheet lists them."""
KERAS = {"sgd": "SGD()", "momentum": "SGD(momentum=...)", "nesterov": "SGD(momentum=..., nesterov=True)",
         "rmsprop": "RMSprop()", "adam": "Adam()", "adamw": "AdamW()"}
"""The tf.keras.optimizers call each one is, for the sheet's prose."""
WORKED_STEPS = 5
"""Steps whose states the sheet works through one by one (and the tape keeps); later steps are
rows of the step table."""
KEYS = ("momentum", "beta_1", "beta_2", "epsilon", "rho", "weight_decay")
"""Every hyperparameter key of ``[train]``."""
DECAY = "weight_decay"
"""The hyperparameter every optimizer takes (adamw by default, any other when the spec gives it)."""


@dataclass(frozen=True)
class Optimizer:
    """An optimizer with every hyperparameter resolved (the spec's value, else the default)."""

    name: str = "sgd"
    hyperparameters: tuple[tuple[str, float], ...] = ()

    def __getitem__(self, key: str) -> float:
        return dict(self.hyperparameters)[key]

    @property
    def plain(self) -> bool:
        """Plain gradient descent, w <- w - rate dL/dw: the sheet's original update."""
        return self.name == "sgd" and not self.hyperparameters

    @property
    def decayed(self) -> bool:
        """Keras's decoupled weight decay shrinks every parameter before each step."""
        return DECAY in dict(self.hyperparameters)

    @property
    def keras(self) -> str:
        """The tf.keras.optimizers call it is: ``SGD(momentum=..., weight_decay=...)``."""
        call = KERAS[self.name]
        if not self.decayed or self.name == "adamw":
            return call
        return call[:-1] + ("weight_decay=...)" if call.endswith("()") else ", weight_decay=...)")


def takes(name: str, key: str) -> bool:
    """Whether optimizer ``name`` takes hyperparameter ``key``."""
    return key in HYPERPARAMETERS[name] or key == DECAY


def takers(key: str) -> list[str]:
    """The optimizers that take hyperparameter ``key``."""
    return [name for name in HYPERPARAMETERS if takes(name, key)]
