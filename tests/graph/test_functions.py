"""Every whitelisted function's textbook derivative equals the derivative of its definition."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.graph.evaluate import evaluate
from derive.graph.functions import FUNCTIONS
from derive.symbolic.derivation import function_rule

POINTS = {"bce": [(0.3, 1.0), (0.8, 0.0), (0.6, 0.25)], "mse": [(0.3, 1.0), (2.0, -1.0)],
          "log": [(0.3,), (2.1,)], "sqrt": [(0.3,), (2.1,)],
          "leaky_relu": [(-1.3, 0.2), (0.7, 0.2), (2.1, 0.1)], "elu": [(-1.3, 1.0), (0.7, 1.0), (-0.4, 0.5)],
          "huber": [(0.3, 1.0, 1.0), (2.5, 0.2, 1.0), (-1.0, 0.5, 0.8)],  # inside, beyond, beyond delta
          "max": [(0.3, 1.0), (2.0, -1.0)], "min": [(0.3, 1.0), (2.0, -1.0)]}
DEFAULT_POINTS = [(-1.3,), (0.7,), (2.1,)]


SCALAR = [n for n in FUNCTIONS if not FUNCTIONS[n].vector and n != "transpose"]
"""Functions of one number each (the vector ones, softmax and cross_entropy, in
tests/numeric/test_canon_specs.py; transpose, a matrix's, in tests/graph/test_lecture_functions.py)."""


@pytest.mark.parametrize("name", [n for n in SCALAR if not FUNCTIONS[n].reduces])
def test_rule_matches_definition(name):
    spec = FUNCTIONS[name]
    symbols = [sp.Symbol(p, real=True) for p in spec.parameters]
    definition = spec.definition(*symbols)
    for index in range(spec.arity):
        rule = function_rule(name, index)
        raw = sp.diff(definition, symbols[index])
        for point in POINTS.get(name, DEFAULT_POINTS):
            values = dict(zip(symbols, point, strict=True))
            expected = float(raw.subs(values).evalf())
            assert evaluate(rule.result, values) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_sigmoid_rule_has_the_steps_of_seed_003():
    from derive.sheet.printers.tex import tex

    rule = function_rule("sigmoid", 0)
    assert tex(rule.result) == r"\sigma\left(z\right) \left(1 - \sigma\left(z\right)\right)"
    assert tex(rule.steps[0][1]) == r"\frac{1}{1 + e^{- z}}"
    assert tex(rule.steps[1][1]) == r"\frac{e^{- z}}{\left(1 + e^{- z}\right)^{2}}"


def test_bce_rule_is_the_textbook_form():
    from derive.sheet.printers.tex import tex

    assert tex(function_rule("bce", 0).result) == r"\frac{1 - y}{1 - p} - \frac{y}{p}"


def _draws(entry, count: int = 5) -> list[tuple[float, ...]]:
    """Random points in the entry's domain, away from relu's and abs's kink at 0."""
    import numpy as np

    generator = np.random.default_rng(sum(map(ord, entry.name)))
    points = []
    while len(points) < count:
        point = tuple(float(generator.uniform(low, high)) for low, high in entry.domain)
        if all(abs(value) > 0.05 for value in point):
            points.append(point)
    return points


@pytest.mark.parametrize("name", [n for n in SCALAR if not FUNCTIONS[n].reduces])
def test_every_entry_agrees_with_itself(name):
    """Value: NumPy = the definition = TensorFlow; derivative: SymPy's = the definition's =
    the tape's = a central difference of the NumPy op, at random points of its domain."""
    import numpy as np
    import tensorflow as tf

    entry = FUNCTIONS[name]
    symbols = sp.symbols(" ".join(entry.parameters), real=True)
    symbols = symbols if isinstance(symbols, tuple) else (symbols,)
    built, definition = entry.build(*symbols), entry.definition(*symbols)
    operation = entry.tensorflow(tf)
    for point in _draws(entry):
        values = dict(zip(symbols, point, strict=True))
        expected = float(definition.subs(values).evalf(30))
        assert float(entry.numpy(*map(np.float64, point))) == pytest.approx(expected, rel=1e-12)
        variables = [tf.Variable(value, dtype=tf.float64) for value in point]
        with tf.GradientTape() as tape:
            result = operation(*variables)
        assert float(result.numpy()) == pytest.approx(expected, rel=1e-12)
        for index, gradient in enumerate(tape.gradient(result, variables)):
            by_definition = float(sp.diff(definition, symbols[index]).subs(values).evalf(30))
            assert float(sp.diff(built, symbols[index]).subs(values).evalf(30)) == pytest.approx(
                by_definition, rel=1e-10, abs=1e-12)
            assert float(gradient.numpy()) == pytest.approx(by_definition, rel=1e-9, abs=1e-12)
            h = 1e-6
            up = [*point[:index], point[index] + h, *point[index + 1:]]
            down = [*point[:index], point[index] - h, *point[index + 1:]]
            central = (entry.numpy(*map(np.float64, up)) - entry.numpy(*map(np.float64, down))) / (2 * h)
            assert float(central) == pytest.approx(by_definition, rel=1e-6, abs=1e-8)


U = [0.5, -1.25, 2.0, 3.5]


def _by_hand(name: str, u):
    """A reduction's value and its gradient per element, in NumPy written here (population var, std)."""
    import numpy as np

    n, centred = u.size, u - u.mean()
    variance = (centred**2).sum() / n
    deviation = np.sqrt(variance)
    return {"mean": (u.sum() / n, np.full(n, 1 / n)), "sum": (u.sum(), np.ones(n)),
            "var": (variance, 2 * centred / n), "std": (deviation, centred / (n * deviation))}[name]


@pytest.mark.parametrize("name", [n for n in SCALAR if FUNCTIONS[n].reduces])
def test_every_reduction_agrees_with_itself(name):
    """mean, sum, var and std of an array: NumPy = TensorFlow = by hand, and the tape's gradient is each
    element's share (1/n, 1, 2 (u - mu)/n, (u - mu)/(n std))."""
    import numpy as np
    import tensorflow as tf

    entry, values = FUNCTIONS[name], np.array(U)
    variable = tf.Variable(values)
    with tf.GradientTape() as tape:
        result = entry.tensorflow(tf)(variable)
    value, share = _by_hand(name, values)
    assert float(entry.numpy(values)) == pytest.approx(value, rel=1e-12)
    assert float(result.numpy()) == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(tape.gradient(result, variable).numpy(), share, rtol=1e-12)


@pytest.mark.parametrize("name", ["var", "std"])
def test_the_moments_rules_and_backward_rules_are_the_exact_gradient(name):
    """var's and std's textbook rule (2 (u_j - mu)/n, (u_j - mu)/(n s)), their derivative as SymPy
    differentiates a call, and their vector-Jacobian product, against the gradient by hand; along an
    axis, against NumPy per column."""
    import numpy as np

    from derive.graph.evaluate import evaluate

    values = np.array(U)
    _, share = _by_hand(name, values)
    rule = function_rule(name, 0)
    mu, n = values.mean(), values.size
    spread = float(np.sqrt(((values - mu) ** 2).mean()))
    names = {s.name: s for s in rule.result.free_symbols}
    for j, expected in enumerate(share):
        point = {names["u_j"]: values[j], names["mu"]: mu, names["n"]: n, **({names["s"]: spread}
                                                                         if "s" in names else {})}
        assert float(rule.result.subs(point)) == pytest.approx(expected, rel=1e-12)
    u, g = sp.Symbol("u", real=True), sp.Symbol("G", real=True)
    entry = FUNCTIONS[name]
    np.testing.assert_allclose(evaluate(sp.diff(entry.build(u), u), {u: values}), share, rtol=1e-12)
    np.testing.assert_allclose(evaluate(entry.vjp((u,), g)[0], {u: values, g: 1.0}), share, rtol=1e-12)
    matrix = np.array([U, [1.0, 0.25, -0.5, 2.0], [0.0, 1.5, 1.0, -1.0]])  # axis 0: per column of 3
    along_axis = entry.vjp((u, sp.Integer(0)), g)[0]
    columns = np.array([_by_hand(name, matrix[:, k])[1] for k in range(4)]).T
    np.testing.assert_allclose(evaluate(along_axis, {u: matrix, g: np.ones(4)}), columns, rtol=1e-12)
    np.testing.assert_allclose(entry.numpy(matrix, 0), [_by_hand(name, matrix[:, k])[0] for k in range(4)],
                               rtol=1e-12)


def test_only_the_registry_names_the_functions():
    """A function lives in one module: no other module of derive spells its TensorFlow or NumPy op."""
    import re
    from pathlib import Path

    import derive

    package = Path(derive.__file__).parent
    for path in package.rglob("*.py"):
        if path.name == "functions.py":
            continue
        text = path.read_text()
        for pattern in (r"\bsoftplus\b", r"tf\.math\.(softplus|tanh|sin|cos)", r"np\.logaddexp"):
            assert not re.search(pattern, text), f"{path.name} names {pattern}"
