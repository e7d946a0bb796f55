"""The optimizers on the tape: three float64 steps equal tf.keras.optimizers driven on the same
tape and an update written here in NumPy, to 9 digits; every state the tape keeps too."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

from derive.graph.dag import build_graph
from derive.numeric.tape import run_tape
from derive.spec.optimizers import HYPERPARAMETERS

from ..conftest import DEFAULT, spec_from

OPTIMIZERS = [name for name in HYPERPARAMETERS if name != "sgd"]
X, Y = np.array([1.3, 2.1]), 1.0


def _spec(name: str, extra: str = "", rate: float = 0.1):
    text = DEFAULT.replace("learning_rate = 0.1\nsteps = 1\n", f"learning_rate = {rate}\nsteps = 3\n")
    assert text != DEFAULT
    return spec_from(text + f'optimizer = "{name}"\n' + extra)


def _gradient(w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
    """d bce(sigmoid(x.w + b), Y) / d(w, b) = (p - Y) (x, 1), written out."""
    p = 1 / (1 + np.exp(-(X @ w + b)))
    return (p - Y) * X, p - Y


def _numpy_steps(name: str, h: dict[str, float], rate: float, steps: int = 3):
    """Each step's parameters and states, from Keras's formulas written out here (not derive's)."""
    theta = np.array([0.7, -0.3, 1.0])
    first, second = np.zeros(3), np.zeros(3)
    out = []
    for t in range(1, steps + 1):
        gw, gb = _gradient(theta[:2], theta[2])
        g = np.array([*gw, gb])
        row = {"gradient": g}
        if "weight_decay" in h:  # decoupled, before the step, for every optimizer (Keras's base_optimizer)
            theta = theta - rate * h["weight_decay"] * theta
        if name == "sgd":
            theta = theta - rate * g
        elif name in ("momentum", "nesterov"):
            first = h["momentum"] * first - rate * g
            theta = theta + (h["momentum"] * first - rate * g if name == "nesterov" else first)
            row["velocity"] = first
        elif name == "rmsprop":
            first = h["rho"] * first + (1 - h["rho"]) * g**2
            theta = theta - rate * g / np.sqrt(first + h["epsilon"])
            row["s"] = first
        else:
            first = h["beta_1"] * first + (1 - h["beta_1"]) * g
            second = h["beta_2"] * second + (1 - h["beta_2"]) * g**2
            alpha = rate * np.sqrt(1 - h["beta_2"] ** t) / (1 - h["beta_1"] ** t)
            step = alpha * first / (np.sqrt(second) + h["epsilon"])
            theta = theta - step
            row |= {"m": first, "v": second, "alpha": np.full(3, alpha), "step": step}
        out.append((theta.copy(), row))
    return out


@contextlib.contextmanager
def _keras_float64():
    import keras

    before = keras.config.floatx()
    keras.config.set_floatx("float64")  # Keras keeps its learning rate in floatx: float64 here too
    try:
        yield keras
    finally:
        keras.config.set_floatx(before)


def _keras_steps(name: str, h: dict[str, float], rate: float, steps: int = 3) -> list[np.ndarray]:
    import tensorflow as tf

    with _keras_float64() as keras:
        decay = h.get("weight_decay")
        kinds = {"sgd": lambda: keras.optimizers.SGD(rate, weight_decay=decay),
                 "momentum": lambda: keras.optimizers.SGD(rate, momentum=h["momentum"], weight_decay=decay),
                 "nesterov": lambda: keras.optimizers.SGD(rate, momentum=h["momentum"], nesterov=True,
                                                          weight_decay=decay),
                 "rmsprop": lambda: keras.optimizers.RMSprop(rate, rho=h["rho"], epsilon=h["epsilon"],
                                                             weight_decay=decay),
                 "adam": lambda: keras.optimizers.Adam(rate, beta_1=h["beta_1"], beta_2=h["beta_2"],
                                                       epsilon=h["epsilon"], weight_decay=decay),
                 "adamw": lambda: keras.optimizers.AdamW(rate, weight_decay=h["weight_decay"],
                                                         beta_1=h["beta_1"], beta_2=h["beta_2"],
                                                         epsilon=h["epsilon"])}
        optimizer = kinds[name]()
        w = tf.Variable([0.7, -0.3], dtype=tf.float64)
        b = tf.Variable(1.0, dtype=tf.float64)
        x = tf.constant(X)
        out = []
        for _ in range(steps):
            with tf.GradientTape() as tape:
                p = tf.sigmoid(tf.tensordot(x, w, 1) + b)
                loss = -(Y * tf.math.log(p) + (1 - Y) * tf.math.log(1 - p))
            optimizer.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b], strict=True))
            out.append(np.array([*w.numpy(), b.numpy()]))
    return out


def _tape_parameters(result, step: int) -> np.ndarray:
    parameters = result.history[step][1]
    return np.array([parameters["w1"], parameters["w2"], parameters["b"]])


EXACT_IN_FLOAT32 = {"momentum": 0.875, "beta_1": 0.875, "beta_2": 0.9990234375, "epsilon": 2.0**-20,
                    "rho": 0.875, "weight_decay": 0.0078125}
"""Hyperparameters float32 holds exactly: Keras casts its Python floats through float32 (0.9 is
0.8999999761581421 in its float64 arithmetic), so with these its numbers are the rule's own."""


def _check(name: str, extra: str, keras_rtol: float, keras_atol: float = 0.0) -> None:
    spec = _spec(name, extra)
    settings = spec.train.settings
    h = dict(settings.hyperparameters)
    result = run_tape(build_graph(spec), "float64", 0.1, 3, settings)
    keras_steps = _keras_steps(name, h, 0.1)
    numpy_steps = _numpy_steps(name, h, 0.1)
    for step in range(1, 4):
        tape = _tape_parameters(result, step)
        np.testing.assert_allclose(tape, keras_steps[step - 1], rtol=keras_rtol, atol=keras_atol)
        np.testing.assert_allclose(tape, numpy_steps[step - 1][0], rtol=1e-12, atol=0)
        states = result.states[step - 1]
        for key, expected in numpy_steps[step - 1][1].items():
            got = np.array([states["w1"][key], states["w2"][key], states["b"][key]])
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0, err_msg=f"{key} at step {step}")


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_three_float64_steps_equal_keras_and_numpy_to_9_digits(name):
    extra = "".join(f"{key} = {EXACT_IN_FLOAT32[key]!r}\n" for key in HYPERPARAMETERS[name])
    _check(name, extra, keras_rtol=1e-9)


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "rmsprop", "adam"])
def test_a_weight_decay_equals_kerass_on_every_optimizer(name):
    """Keras's decoupled decay (w <- w - rate lambda w, then the step) on every optimizer, with
    hyperparameters float32 holds exactly: three float64 steps equal Keras's to 9 digits and NumPy's
    to 12, and the decay moves the parameters (against the same steps without it)."""
    keys = [*HYPERPARAMETERS[name], "weight_decay"]
    extra = "".join(f"{key} = {EXACT_IN_FLOAT32[key]!r}\n" for key in keys)
    _check(name, extra, keras_rtol=1e-9)
    spec = _spec(name, extra)
    plain = {key: value for key, value in spec.train.settings.hyperparameters if key != "weight_decay"}
    decayed = run_tape(build_graph(spec), "float64", 0.1, 3, spec.train.settings)
    assert np.max(np.abs(_tape_parameters(decayed, 3) - _numpy_steps(name, plain, 0.1)[2][0])) > 1e-4


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_with_keras_defaults_keras_differs_by_its_float32_hyperparameters_only(name):
    """Keras's float64 Adam takes beta_2^t from float32(0.999) = 0.99900001287, so 1 - beta_2 is off
    by 1.3e-5 of itself and its first step by 6.7e-7 of a step of 0.1: derive keeps the stated 0.999
    (NumPy agrees to 1e-12), and Keras stays within that."""
    _check(name, "", keras_rtol=0, keras_atol=3 * 0.1 * 1e-5)  # three steps of 0.1, each off by 1e-5


def test_hyperparameters_given_in_the_spec_reach_the_tape():
    spec = _spec("adam", "beta_1 = 0.5\nbeta_2 = 0.75\nepsilon = 0.01\n", rate=0.05)
    h = dict(spec.train.settings.hyperparameters)
    assert h == {"beta_1": 0.5, "beta_2": 0.75, "epsilon": 0.01}
    result = run_tape(build_graph(spec), "float64", 0.05, 3, spec.train.settings)
    expected = _numpy_steps("adam", h, 0.05)
    np.testing.assert_allclose(_tape_parameters(result, 3), expected[2][0], rtol=1e-12)
    np.testing.assert_allclose(_tape_parameters(result, 3), _keras_steps("adam", h, 0.05)[2], rtol=1e-9)


def test_float32_steps_stay_within_float32_of_float64():
    spec = _spec("adam")
    graph = build_graph(spec)
    single = run_tape(graph, "float32", 0.1, 3, spec.train.settings)
    double = run_tape(graph, "float64", 0.1, 3, spec.train.settings)
    np.testing.assert_allclose(_tape_parameters(single, 3), _tape_parameters(double, 3), rtol=1e-5)
