"""The optimizers on the tape: Keras's update steps written in TensorFlow ops, states recorded.

``run_optimizer`` drives the descent for an optimizer other than plain SGD: each step takes the
gradients from a fresh tape and moves every trained variable as tf.keras.optimizers does
(keras/src/optimizers/sgd.py, rmsprop.py, adam.py; a weight decay, AdamW's or any other's, first,
as base_optimizer applies it), with the same operations in the same order, so the float64 numbers
equal Keras's (tests/numeric/test_optimizers.py drives Keras itself on the same tape), but for
one thing: the hyperparameters are the spec's values in the tape's dtype, where Keras casts a
Python float through float32 (its float64 momentum 0.9 is 0.8999999761581421, which moves the
eighth digit). The
states of the first ``WORKED_STEPS`` steps are kept for the sheet, with Adam's rate and step as Keras
forms them (alpha = rate sqrt(1 - beta_2^t) / (1 - beta_1^t), alpha m / (sqrt(v) + eps)).
"""

from __future__ import annotations

from collections.abc import Callable

from ..graph.evaluate import Value
from ..spec.optimizers import WORKED_STEPS, Optimizer
from .quiet_tensorflow import tensorflow

tf = tensorflow()

States = dict[str, dict[str, Value]]
"""One step's quantities by parameter: its gradient and every state of the rule."""


def _update(name: str, h: dict[str, tf.Tensor], rate: tf.Tensor, variable: tf.Variable, gradient: tf.Tensor,
            state: dict[str, tf.Variable], t: tf.Tensor) -> dict[str, tf.Tensor]:
    """Move ``variable`` one step, as Keras's update_step; the step's quantities by row key.
    ``h``: the hyperparameters as tensors of the variable's dtype."""
    if name == "sgd":  # with a weight decay (plain SGD is the tape's own descent)
        variable.assign_sub(gradient * rate)
        return {}
    if name in ("momentum", "nesterov"):
        mu, velocity = h["momentum"], state["velocity"]
        velocity.assign(velocity * mu - gradient * rate)
        variable.assign_add(velocity * mu - gradient * rate if name == "nesterov" else velocity)
        return {"velocity": tf.identity(velocity)}
    if name == "rmsprop":
        rho, s = h["rho"], state["s"]
        s.assign(rho * s + (1 - rho) * tf.square(gradient))
        variable.assign_sub(rate * gradient / tf.sqrt(s + h["epsilon"]))
        return {"s": tf.identity(s)}
    power_1, power_2 = tf.pow(h["beta_1"], t), tf.pow(h["beta_2"], t)
    alpha = rate * tf.sqrt(1 - power_2) / (1 - power_1)
    m, v = state["m"], state["v"]
    m.assign_add((gradient - m) * (1 - h["beta_1"]))
    v.assign_add((tf.square(gradient) - v) * (1 - h["beta_2"]))
    step = m * alpha / (tf.sqrt(v) + h["epsilon"])
    variable.assign_sub(step)
    return {"m": tf.identity(m), "v": tf.identity(v), "alpha": alpha, "step": step}


def run_optimizer(optimizer: Optimizer, trained: dict[str, tf.Variable], rate_value: float, steps: int,
                  gradients_now: Callable[[], tuple[tf.Tensor, list[tf.Tensor]]],
                  snapshot: Callable[[], dict[str, Value]],
                  value_of: Callable[[tf.Tensor], Value]
                  ) -> tuple[list[tuple[Value, dict]], tuple[States, ...]]:
    """``steps`` steps of ``optimizer`` on the ``trained`` variables. ``gradients_now()`` gives the loss
    and the gradients at the variables' current values, ``snapshot()`` every parameter's value.
    Returns the history's middle rows (the loss and parameters after steps 1 .. steps - 1) and each
    worked step's quantities (its gradient and every state, by parameter)."""
    dtype = next(iter(trained.values())).dtype
    rate = tf.constant(rate_value, dtype=dtype)
    # the values as given, in the variables' dtype: Keras's ops.cast of a Python float goes through a
    # float32 tensor (0.9 becomes 0.8999999761581421 in float64), which the sheet's rule does not
    h = {key: tf.constant(value, dtype=dtype) for key, value in optimizer.hyperparameters}
    keys = {"sgd": (), "momentum": ("velocity",), "nesterov": ("velocity",), "rmsprop": ("s",)}.get(
        optimizer.name, ("m", "v"))
    states = {name: {key: tf.Variable(tf.zeros_like(variable), trainable=False) for key in keys}
              for name, variable in trained.items()}

    def one_step(t: tf.Tensor):
        loss, gradients = gradients_now()
        if optimizer.decayed:  # base_optimizer._apply_weight_decay, before the update step
            for variable in trained.values():
                variable.assign_sub(variable * h["weight_decay"] * rate)
        moved = {name: _update(optimizer.name, h, rate, variable, gradient, states[name], t)
                 for (name, variable), gradient in zip(trained.items(), gradients, strict=True)}
        return loss, {name: {"gradient": gradient, **moved[name]}
                      for name, gradient in zip(trained, gradients, strict=True)}

    compiled = tf.function(one_step) if steps > WORKED_STEPS else one_step
    middle: list[tuple[Value, dict]] = []
    worked: list[States] = []
    for step in range(1, steps + 1):
        before = snapshot() if step > 1 else None
        loss, quantities = compiled(tf.constant(step, dtype=dtype))
        if before is not None:
            middle.append((value_of(loss), before))
        if step <= WORKED_STEPS:
            worked.append({name: {key: value_of(q) for key, q in values.items()}
                           for name, values in quantities.items()})
    return middle, tuple(worked)
