"""Each optimizer's update rule as SymPy expressions: what the sheet prints and the float64 numbers follow.

A rule is a list of rows over generic symbols: the parameter w, its gradient g = dL/dw, the step
t = 1, 2, ..., the learning rate, the hyperparameters and the rows above. A row is a state kept from
step to step (``kept``: velocity, Adam's m and v, and w itself, written with an arrow), or a quantity
of this step alone (Adam's rate alpha and its step, written with =). Every state
starts at 0. Rows are built unevaluated, in textbook order, and follow Keras's update_step of
tf.keras.optimizers (keras/src/optimizers/sgd.py, rmsprop.py, adam.py, and base_optimizer's
decoupled weight decay, applied before the step):

- sgd (with a weight decay only; plain SGD is the sheet's descent rule): w <- w - rate g
- momentum: v <- mu v - rate g, w <- w + v; nesterov: w <- w + mu v - rate g (the new v)
- rmsprop: s <- rho s + (1 - rho) g^2, w <- w - rate g / sqrt(s + epsilon) (epsilon under the root)
- adam: the step's rate alpha = rate sqrt(1 - beta2^t) / (1 - beta1^t) (both bias corrections, the
  same for every parameter), m <- beta1 m + (1 - beta1) g, v <- beta2 v + (1 - beta2) g^2,
  step = alpha m / (sqrt(v) + epsilon), w <- w - step: Keras's order of computation, which Kingma
  and Ba give beside their Algorithm 1 (Section 2). It equals rate m-hat / sqrt(v-hat) with
  m-hat = m / (1 - beta1^t), v-hat = v / (1 - beta2^t), but for where epsilon is added.
- adamw: Adam's rows; and any optimizer with a weight decay lambda: w <- w - rate lambda w + ...,
  the decay written first in the parameter's row, since Keras applies it before the step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import sympy as sp

from ..graph.evaluate import Value, evaluate
from ..spec.optimizers import Optimizer

W, G, T = sp.symbols("w g t")
"""The generic parameter, its gradient and the step number."""
LETTERS = {"momentum": "mu", "beta_1": "beta_1", "beta_2": "beta_2", "epsilon": "epsilon", "rho": "rho",
           "weight_decay": "lambda"}
"""Each hyperparameter's letter on the sheet (with a subscript "opt" where the spec uses the letter)."""


@dataclass(frozen=True)
class Row:
    """One line of the rule: ``key`` <- (or =) ``expression``."""

    key: str
    """``velocity``, ``s``, ``m``, ``v``, ``alpha``, ``step`` or ``w``."""
    letter: str
    """How the state is written: v, s, m, v, alpha, Delta; w for the parameter."""
    hat: bool
    kept: bool
    """A state carried to the next step (printed with an arrow); the parameter row is kept too."""
    expression: sp.Expr
    meaning: str
    """What the row is, in words, for the sheet's legend."""
    shared: bool = False
    """The same for every parameter (Adam's alpha): worked once a step, not once a parameter."""


@dataclass(frozen=True)
class Rule:
    """An optimizer's rows, and the symbols its hyperparameters and learning rate are written with."""

    optimizer: Optimizer
    rate: sp.Symbol
    symbols: tuple[tuple[str, sp.Symbol], ...]
    rows: tuple[Row, ...]

    @property
    def states(self) -> tuple[Row, ...]:
        """The rows that are not the parameter: what the sheet shows step by step."""
        return tuple(row for row in self.rows if row.key != "w")

    def symbol(self, key: str) -> sp.Symbol:
        """A row's generic symbol (its key without underscores), or a hyperparameter's letter."""
        hyper = dict(self.symbols)
        return hyper[key] if key in hyper else sp.Symbol(key.replace("_", ""))

    def values(self, rate: float) -> dict[sp.Symbol, float]:
        """The learning rate's and hyperparameters' symbols with their values."""
        return {self.rate: rate, **{symbol: self.optimizer[key] for key, symbol in self.symbols}}


def _add(*terms: sp.Expr) -> sp.Expr:
    return sp.Add(*terms, evaluate=False)


def _mul(*factors: sp.Expr) -> sp.Expr:
    return sp.Mul(*factors, evaluate=False)


def _over(numerator: sp.Expr, denominator: sp.Expr) -> sp.Expr:
    return _mul(numerator, sp.Pow(denominator, -1, evaluate=False))


def _minus(term: sp.Expr) -> sp.Expr:
    return _mul(sp.Integer(-1), term)


def update_rule(optimizer: Optimizer, rate: sp.Symbol, taken: Iterable[str] = ()) -> Rule | None:
    """The rule of ``optimizer`` with the learning rate written ``rate`` (None for plain SGD, whose
    update is the sheet's descent rule); ``taken``: the spec's names, which no letter may shadow."""
    if optimizer.plain:
        return None
    taken = set(taken)
    symbols = {key: sp.Symbol(LETTERS[key] if LETTERS[key] not in taken else f"{LETTERS[key]}_opt")
               for key, _ in optimizer.hyperparameters}
    name = optimizer.name
    moved = [W] if "weight_decay" not in symbols else [W, _minus(_mul(rate, symbols["weight_decay"], W))]
    if name == "sgd":
        rows: tuple[Row, ...] = (Row("w", "w", False, True, _add(*moved, _minus(_mul(rate, G))),
                                     "the parameter"),)
    elif name in ("momentum", "nesterov"):
        rows = _momentum(symbols["momentum"], rate, moved, nesterov=name == "nesterov")
    elif name == "rmsprop":
        rows = _rmsprop(symbols["rho"], symbols["epsilon"], rate, moved)
    else:
        rows = _adam(symbols["beta_1"], symbols["beta_2"], symbols["epsilon"], rate, moved)
    # a row written without the parameter's subscript (alpha) must not look like a name of the spec
    rows = tuple(replace(row, letter=f"{row.letter}_opt") if row.shared and row.letter in taken else row
                 for row in rows)
    return Rule(optimizer, rate, tuple(symbols.items()), rows)


def _momentum(mu: sp.Symbol, rate: sp.Symbol, moved: list[sp.Expr], nesterov: bool) -> tuple[Row, ...]:
    """``moved``: the parameter's row begins with w, or w - rate lambda w with a weight decay."""
    v = sp.Symbol("velocity")
    velocity = _add(_mul(mu, v), _minus(_mul(rate, G)))
    after = _add(*moved, _mul(mu, v), _minus(_mul(rate, G))) if nesterov else _add(*moved, v)
    return (Row("velocity", "v", False, True, velocity, "the velocity"),
            Row("w", "w", False, True, after, "the parameter"))


def _rmsprop(rho: sp.Symbol, epsilon: sp.Symbol, rate: sp.Symbol, moved: list[sp.Expr]) -> tuple[Row, ...]:
    s = sp.Symbol("s")
    mean_square = _add(_mul(rho, s), _mul(_add(1, _minus(rho)), sp.Pow(G, 2, evaluate=False)))
    step = _over(_mul(rate, G), sp.sqrt(_add(s, epsilon), evaluate=False))
    return (Row("s", "s", False, True, mean_square, "the running mean of the squared gradient"),
            Row("w", "w", False, True, _add(*moved, _minus(step)), "the parameter"))


def _adam(beta_1: sp.Symbol, beta_2: sp.Symbol, epsilon: sp.Symbol, rate: sp.Symbol,
          moved: list[sp.Expr]) -> tuple[Row, ...]:
    m, v, alpha, delta = sp.symbols("m v alpha step")
    root = sp.sqrt(_add(1, _minus(sp.Pow(beta_2, T, evaluate=False))), evaluate=False)
    corrected_rate = _over(_mul(rate, root), _add(1, _minus(sp.Pow(beta_1, T, evaluate=False))))
    step = _over(_mul(alpha, m), _add(sp.sqrt(v, evaluate=False), epsilon))
    return (
        Row("alpha", "alpha", False, False, corrected_rate,
            "the step's learning rate, with the bias corrections of m and v (both start at 0) in it; "
            "the same for every parameter", shared=True),
        Row("m", "m", False, True, _add(_mul(beta_1, m), _mul(_add(1, _minus(beta_1)), G)),
            "the first moment, a running mean of the gradient"),
        Row("v", "v", False, True,
            _add(_mul(beta_2, v), _mul(_add(1, _minus(beta_2)), sp.Pow(G, 2, evaluate=False))),
            "the second moment, a running mean of the squared gradient"),
        Row("step", "Delta", False, False, step, "the step"),
        Row("w", "w", False, True, _add(*moved, _minus(delta)), "the parameter"),
    )


def at_step(expression: sp.Expr, step: int) -> sp.Expr:
    """A row with the step number written in (1 - beta_1^2), still unevaluated."""
    return expression.xreplace({T: sp.Integer(step)})


def follow(rule: Rule, rate: float, parameter: Value, gradient: Value, before: Mapping[str, Value],
           step: int) -> dict[str, Value]:
    """One step of ``rule`` in float64: every row's value, from the parameter, its gradient and the
    states after the step before (``before``: empty at step 1, when every state is 0)."""
    env: dict[sp.Symbol, Value] = {**rule.values(rate), W: parameter, G: gradient, T: float(step)}
    for row in rule.rows:
        if row.kept and row.key != "w":
            env[rule.symbol(row.key)] = before.get(row.key, 0.0)
    values: dict[str, Value] = {}
    for row in rule.rows:
        values[row.key] = evaluate(row.expression, env)
        if row.key != "w":
            env[rule.symbol(row.key)] = values[row.key]
    return values
