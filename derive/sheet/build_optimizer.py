"""The update section of an optimizer other than plain SGD: its rule, hyperparameters and worked steps.

The rule is the optimizer's SymPy rows (``symbolic.optimizers``) printed twice: once in general form
(m <- beta_1 m + (1 - beta_1) g, with g = dL/dw), and, for every worked step and trained parameter,
with the parameter's own letters and the step number written in (m_{w1} <- beta_1 m_{w1} + ...), each
row ending in its value, the site of its answer (``state:m:w1@2``; the parameter's is
``updated:w1@2``; the gradient a step after the first starts from is ``gradient:w1@1``).
"""

from __future__ import annotations

import sympy as sp

from ..graph.dag import Graph
from ..numeric.tape_result import TapeResult
from ..symbolic.optimizers import G, Row, Rule, T, W, at_step
from . import forms, model
from .chains import answer_key
from .digits import Digits
from .formula import Formula, Number, Symbolic, frozen
from .parts import Parts

NAMES = {"sgd": "SGD with weight decay", "momentum": "SGD with momentum",
         "nesterov": "SGD with Nesterov momentum", "rmsprop": "RMSprop",
         "adam": "Adam", "adamw": "AdamW"}
MEANINGS = {"momentum": "how much of the velocity a step keeps", "beta_1": "the decay of m",
            "beta_2": "the decay of v", "epsilon": "a small constant that keeps the division finite",
            "rho": "the decay of s",
            "weight_decay": "the weight decay: each step first shrinks w by the learning rate times lambda w"}
EPSILON_NOTE = ("Kingma and Ba's Algorithm 1 corrects m and v for starting at 0, m-hat = m/(1 - beta_1^t) "
                "and v-hat = v/(1 - beta_2^t), and steps by eta m-hat/(sqrt(v-hat) + epsilon). Keras moves "
                "both corrections into the step's rate alpha, as their Section 2 suggests, since "
                "eta m-hat/sqrt(v-hat) is alpha m/sqrt(v): the two steps differ only in where epsilon is "
                "added, in the digits epsilon reaches.")


def _letters(rule: Rule, parameter: sp.Basic | None) -> dict[sp.Basic, sp.Basic]:
    """The rule's generic symbols written for ``parameter`` (or in general form, for None)."""
    letters: dict[sp.Basic, sp.Basic] = {G: forms.state("g", False, parameter)}
    if parameter is not None:
        letters[W] = parameter
    for row in rule.states:
        letters[rule.symbol(row.key)] = forms.state(row.letter, row.hat, None if row.shared else parameter)
    return letters


def _written(expression: sp.Expr, letters: dict[sp.Basic, sp.Basic]) -> sp.Expr:
    with sp.evaluate(False):  # kept in textbook order: the printer writes it as built
        return expression.xreplace(letters)


def optimizer_work(t: Parts, graph: Graph, rule: Rule, numbers: TapeResult, rate: float, digits: Digits,
                   given: int, steps: int) -> model.OptimizerWork:
    """The model's optimizer section for ``rule`` on ``graph``, from the tape's worked states, each
    number to its ``digits``."""
    general = _letters(rule, None)
    lines = []
    for row in rule.rows:
        target = t.general(general.get(rule.symbol(row.key), W) if row.key != "w" else W, "given")
        written = Symbolic(_written(row.expression, general), role="given", written=True)
        lines.append(Formula(target, (written,), arrow=row.kept))
    legend = [(t.general(W, "given"), "the parameter, moved in the last row"),
              (t.general(sp.Symbol("g"), "given"), f"the gradient ∂{graph.loss}/∂w at the step's start")]
    legend += [(t.general(general[rule.symbol(row.key)], "given"), row.meaning) for row in rule.states]
    legend.append((t.general(T, "given"), "the step: 1, 2, 3, ..."))
    hyper = tuple(Formula(t.general(symbol, "given"), (Number(rule.optimizer[key], given, given=True),))
                  for key, symbol in rule.symbols)
    legend += [(t.general(symbol, "given"), MEANINGS[key]) for key, symbol in rule.symbols]
    worked = tuple(model.OptimizerStep(k, _step_rows(t, graph, rule, numbers, k, digits, steps))
                   for k in range(1, len(numbers.states) + 1))
    adam = rule.optimizer.name in ("adam", "adamw")
    name = rule.optimizer.name
    decayed = rule.optimizer.decayed and name not in ("sgd", "adamw")
    title = NAMES[name] + (", with weight decay" if decayed else "")
    return model.OptimizerWork(title, f"tf.keras.optimizers.{rule.optimizer.keras}",
                               tuple(lines), tuple(legend), hyper, EPSILON_NOTE if adam else "", worked,
                               tuple(graph.trainable), _keras_step(t, rule, general) if adam else None)


def _keras_step(t: Parts, rule: Rule, letters: dict[sp.Basic, sp.Basic]) -> Formula:
    """The textbook's bias-corrected ratio is the rule's: eta m-hat / sqrt(v-hat) = alpha m / sqrt(v)."""
    hatted = {key: forms.state(key, True, None) for key in ("m", "v")}
    with sp.evaluate(False):
        textbook = sp.Mul(rule.rate, hatted["m"], sp.Pow(sp.sqrt(hatted["v"]), -1))
        ours = sp.Mul(letters[rule.symbol("alpha")], letters[rule.symbol("m")],
                      sp.Pow(sp.sqrt(letters[rule.symbol("v")]), -1))
    return Formula(t.general(textbook, "given"), (Symbolic(ours, role="given", written=True),))


def _step_rows(t: Parts, graph: Graph, rule: Rule, numbers: TapeResult, k: int, digits: Digits,
               steps: int) -> tuple[Formula, ...]:
    """Step ``k``: the rows shared by every parameter (Adam's alpha), then for every trained parameter
    its gradient (past the first step), each row of the rule with its value, the parameter after the
    step last."""
    states = numbers.states[k - 1]
    first = states[graph.trainable[0]]
    general = _letters(rule, None)
    shared = f"{graph.trainable[0]}@{k}"  # a shared row's digits: the first parameter's
    rows = [_row(t, rule, row, general, k, first[row.key], digits.of(f"state:{row.key}:{shared}"),
                 answer_key("state", row.key, k, steps)) for row in rule.rows if row.shared]
    for name in graph.trainable:
        letters = _letters(rule, t.symbol(name))
        if k > 1:
            key = answer_key("gradient", name, k - 1, steps)
            places = digits.of(f"state:gradient:{name}@{k}")
            site = Number(frozen(states[name]["gradient"]), places, answer=key)
            rows.append(Formula(t.expr(letters[G], "given"), (t.partial(graph.loss, name), site)))
        for row in rule.rows:
            if row.shared:
                continue
            if row.key == "w":
                value, key = numbers.history[k][1][name], answer_key("updated", name, k, steps)
                places = digits.of(f"history:{k}:{name}")
            else:
                value, key = states[name][row.key], answer_key("state", f"{row.key}:{name}", k, steps)
                places = digits.of(f"state:{row.key}:{name}@{k}")
            target = t.name(name) if row.key == "w" else None
            rows.append(_row(t, rule, row, letters, k, value, places, key, target))
    return tuple(rows)


def _row(t: Parts, rule: Rule, row: Row, letters: dict[sp.Basic, sp.Basic], k: int, value, p: int, key: str,
         target: Symbolic | None = None) -> Formula:
    """One row of the rule at step ``k`` in ``letters``, ending in ``value``, the site of answer ``key``."""
    target = target if target is not None else t.expr(letters[rule.symbol(row.key)], "given")
    written = Symbolic(_written(at_step(row.expression, k), letters), t.notation, "given", written=True)
    return Formula(target, (written, Number(frozen(value), p, answer=key)), arrow=row.kept)
