"""Every whitelisted function's textbook derivative equals the derivative of its definition."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.graph.evaluate import evaluate
from derive.graph.functions import FUNCTIONS
from derive.symbolic.derivation import function_rule

POINTS = {"bce": [(0.3, 1.0), (0.8, 0.0), (0.6, 0.25)], "mse": [(0.3, 1.0), (2.0, -1.0)],
          "log": [(0.3,), (2.1,)], "sqrt": [(0.3,), (2.1,)]}
DEFAULT_POINTS = [(-1.3,), (0.7,), (2.1,)]


@pytest.mark.parametrize("name", [n for n in FUNCTIONS if n not in ("mean", "sum")])
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
    from derive.symbolic.printing import tex

    rule = function_rule("sigmoid", 0)
    assert tex(rule.result) == r"\sigma\left(z\right) \left(1 - \sigma\left(z\right)\right)"
    assert tex(rule.steps[0][1]) == r"\frac{1}{1 + e^{- z}}"
    assert tex(rule.steps[1][1]) == r"\frac{e^{- z}}{\left(1 + e^{- z}\right)^{2}}"


def test_bce_rule_is_the_textbook_form():
    from derive.symbolic.printing import tex

    assert tex(function_rule("bce", 0).result) == r"\frac{1 - y}{1 - p} - \frac{y}{p}"
