"""The pipeline: spec -> graph -> SymPy -> tape -> three-way check -> worksheet model.

``build_worksheet`` is the one entry point the CLI and the Python API share. It turns
the stages' SymPy expressions and floats into the model's formulas (parts holding the
expressions, which the printers write on demand, and numbers with their digits) and tuples
of floats.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import sympy as sp

from ..graph.dag import Graph
from ..graph.evaluate import forward_values, reduce_to
from ..graph.functions import FUNCTIONS
from ..numbers import shown, shown_compact
from ..numeric.checks import (
    TOLERANCE,
    Check,
    jacobian_notes,
    kink_notes,
    three_way,
    verify_finite,
    verify_forward,
)
from ..numeric.exact_run import exact_overlay
from ..numeric.optimizer_check import verify_optimizer
from ..numeric.rounding import spreads
from ..numeric.runner import IN_PROCESS, TapeRunner
from ..numeric.tape_result import TapeResult, loss_total
from ..spec.optimizers import Optimizer
from ..spec.schema import Spec
from ..symbolic.derivation import Derivation, EdgeDerivation, FunctionRule
from ..symbolic.optimizers import Rule, update_rule
from ..symbolic.prepare import Prepared, prepare
from . import forms, model
from .answers import answer_list
from .build_gradients import gradient_tables
from .build_optimizer import optimizer_work
from .chains import answer_key, chain_view
from .digits import Digits, float64_twin, trustworthy_digits
from .formula import Formula, Number, Numbers, Symbolic, frozen, part_tex
from .parts import Parts, rate_symbol


def build_worksheet(source: Spec | Prepared, stem: str = "worksheet", variant: str = "",
                    precision: int | None = None, tape_runner: TapeRunner = IN_PROCESS) -> model.Worksheet:
    """The worksheet of ``source``, a spec or its preparation (``symbolic.prepare``). ``precision``:
    a class set's one precision for computed numbers; ``tape_runner`` runs TensorFlow (in this
    process, or in ``derive render``'s child)."""
    prepared = source if isinstance(source, Prepared) else prepare(source)
    run = _computed(prepared, tape_runner)
    spec, graph, derivation, numbers = prepared.spec, prepared.graph, prepared.derivation, run.numbers
    digits = trustworthy_digits(prepared, run.tape, run.rate, run.exact, precision or spec.display.precision,
                                tape_runner, sampled_steps(len(run.numbers.history)))
    p = digits.precision
    t = _parts(prepared, run.float64)
    given = spec.display.precision  # inputs and parameters are shown as the spec gives them

    local = tuple(_local(t, d, graph, numbers.local[k], p, k in prepared.relevant, run.float64)
                  for k, d in derivation.edges.items())
    history = _history(numbers, digits) if run.rate is not None else ()
    sheet = model.Worksheet(
        stem=stem,
        title=spec.title,
        intro=spec.intro,
        dtype=spec.display.dtype,
        precision=p,
        loss=graph.loss,
        loss_symbol=t.name(graph.loss),
        learning_rate=run.rate,
        shown_learning_rate=shown(run.rate, given) if run.rate is not None else "",
        rate=Formula(Symbolic(rate_symbol(graph), role="given"),
                     (Number(frozen(run.rate), given, given=True),)) if run.rate is not None else None,
        steps=run.steps,
        inputs=tuple(_quantity(t, n, v, "input", given) for n, v in graph.inputs.items()),
        parameters=tuple(_quantity(t, n, v, _role(graph, n), given) for n, v in graph.parameters.items()),
        equations=tuple(
            model.Equation(n.name, n.expression.source,
                           Formula(t.name(n.name), (t.written(n.expression.display),)))
            for n in graph.nodes
        ),
        forward=tuple(_quantity(t, n.name, numbers.forward[n.name], "node", p) for n in graph.nodes),
        local=local,
        rules=tuple(dict.fromkeys(rule for d in local if d.relevant for rule in d.rules)),
        chains=() if run.gradient_sheet else _once(tuple(
            chain_view(t, graph.loss, derivation, c, numbers.local, numbers.gradients[c.parameter], p,
                       answer_key("gradient", c.parameter))
            for c in derivation.chains.values())),
        checks=tuple(_check_row(t, graph, c, p) for c in run.checks),
        tolerance=TOLERANCE[spec.display.dtype],
        symbolic_vs_tape=max((_largest(c.symbolic, c.tape) for c in run.checks), default=0.0),
        finite_difference_vs_tape=max((_largest(c.finite_difference, c.tape) for c in run.checks),
                                      default=0.0),
        **_update_fields(t, graph, run, digits, given),
        **_loss_fields(numbers, digits),
        history=history,
        history_table=_sampled(history),
        gradient_tables=_gradient_tables(prepared, run, t, p, tape_runner),
        backward_pass=_backward_pass(t, graph, derivation, run.float64, p),
        notes=_notes(prepared, run, tape_runner),
        variant=variant,
    )
    return replace(sheet, answers=answer_list(sheet, _spreads(prepared, run, p)))


def _update_fields(t: Parts, graph: Graph, run: _Run, digits: Digits, given: int) -> dict:
    """The update: plain SGD's descent rows, or an optimizer's rule and worked steps (or neither)."""
    if run.rate is None:
        return dict(updates=(), optimizer=None)
    if run.rule is None:
        return dict(updates=_updates(t, graph, run.numbers, run.rate, digits.precision, run.steps),
                    optimizer=None)
    return dict(updates=(), optimizer=optimizer_work(t, graph, run.rule, run.numbers, run.rate, digits, given,
                                                     run.steps))


def _quantity(t: Parts, name: str, value, role: str, digits: int) -> model.Quantity:
    return model.Quantity(name, t.name(name), frozen(value), shown(value, digits), role, digits)


def _role(graph: Graph, name: str) -> str:
    return "parameter" if name in graph.trainable else "parameter, not trainable"


def _loss_fields(numbers: TapeResult, digits: Digits) -> dict:
    """The model's loss before and after the steps (the scalar the tape differentiates), shown (each
    to its digits), and whether it went down."""
    before = loss_total(numbers.loss_before)
    after = loss_total(numbers.loss_after) if numbers.loss_after is not None else None
    last = len(numbers.history) - 1
    return dict(loss_before=frozen(before), loss_after=frozen(after),
                loss_terms=int(np.size(numbers.loss_before)),
                shown_loss_before=shown(before, digits.precision),
                shown_loss_after=shown(after, digits.of(f"history:{last}:loss")) if after is not None else "",
                shown_decrease=shown(np.subtract(before, after), digits.of("decrease")) if after is not None
                else "",
                loss_decreased=after is not None and float(after) < float(before))


def _notes(prepared: Prepared, run: _Run, tape_runner: TapeRunner) -> tuple[str, ...]:
    """The sentences under the chain rule: Keras's check, Jacobians, the backward pass, kinks."""
    graph, derivation = prepared.graph, prepared.derivation
    return (*_dense_notes(graph, run.tape.gradients, prepared.spec.display.dtype, tape_runner),
            *jacobian_notes(derivation, prepared.relevant, run.float64),
            *(derivation.backward.notes if derivation.backward is not None else ()),
            *kink_notes(graph, run.float64))


def _spreads(prepared: Prepared, run: _Run, p: int) -> dict:
    """Each answer's spread (``numeric.rounding``) by its answer key."""
    found = spreads(prepared.graph, prepared.derivation, prepared.relevant, run.numbers, run.rate, p,
                    run.rule)
    return {answer_key(*_key_of(kind, name), step, run.steps): value
            for (kind, name, step), value in found.items()}


def _once(chains: tuple[model.ChainRule, ...]) -> tuple[model.ChainRule, ...]:
    """The chain rules with each simplification stated once, under the first that uses it
    (BCE after a sigmoid is A2 - Y for every weight: the sheet says it once)."""
    said: set[str] = set()
    out = []
    for chain in chains:
        new = tuple(s for s in chain.simplifications if s.tex not in said)
        said.update(s.tex for s in new)
        out.append(replace(chain, simplifications=new))
    return tuple(out)


def _key_of(kind: str, name: str) -> tuple[str, str]:
    """A spread's (kind, name) as the answer's: the loss after a step is ``loss:after``."""
    return ("loss", "after") if kind == "loss" else (kind, name)


@dataclass(frozen=True)
class _Run:
    """Everything computed for one sheet before it is laid out in parts."""

    float64: dict
    """The float64 forward pass (SymPy's values), shared by every check."""
    tape: TapeResult
    numbers: TapeResult
    """The tape's numbers where exact arithmetic does not know them better (``exact_run``)."""
    exact: frozenset[str]
    """Which of ``numbers`` are exact: their digits need no float32/float64 survey."""
    checks: list[Check]
    rate: float | None
    steps: int
    gradient_sheet: bool
    """[gradient] tables without [train]: no loss chain rules, so no rows checking them."""
    rule: Rule | None = None
    """The optimizer's rule, for any but plain SGD (``symbolic.optimizers``)."""


def _computed(prepared: Prepared, tape_runner: TapeRunner) -> _Run:
    """The tape, its three-way check, and the sheet's numbers (exact where they can be)."""
    spec, graph, derivation = prepared.spec, prepared.graph, prepared.derivation
    float64 = forward_values(graph, graph.values())
    rate = spec.train.learning_rate if spec.train else None
    steps = spec.train.steps if spec.train else 0
    optimizer = spec.train.settings if spec.train else Optimizer()
    rule = update_rule(optimizer, rate_symbol(graph), graph.symbols)
    # everything that can be refused without the tape has been: only now is TensorFlow asked
    tape = tape_runner.run_tape(graph, spec.display.dtype, rate, max(steps, 1), optimizer)
    verify_forward(graph, tape.forward)
    checks = [c for c in three_way(graph, derivation, tape, spec.display.dtype, float64,
                                   lambda: float64_twin(prepared, rate, tape_runner))
              if c.kind != "local" or c.term in prepared.relevant]
    gradient_sheet = bool(spec.gradients) and spec.train is None
    if gradient_sheet:
        checks = [check for check in checks if check.kind != "gradient"]
    # exact arithmetic follows the descent, plain or the optimizer's rule, while it stays rational
    numbers, exact = exact_overlay(graph, derivation, tape, rate, rule)
    verify_finite(graph, numbers)
    if rule is not None:
        verify_optimizer(rule, rate, numbers, spec.display.dtype)
    return _Run(float64, tape, numbers, exact, checks, rate, steps, gradient_sheet, rule)


def _parts(prepared: Prepared, float64: dict) -> Parts:
    """The sheet's parts: array names print as matrices, and so do the upstream gradients."""
    graph = prepared.graph
    arrays = [name for name, value in float64.items() if np.ndim(value) > 0]
    upstream = ["G"] if arrays else []  # the upstream gradient of a backward rule, dL/d(node)
    return Parts(graph, prepared.spec.notation,
                 arrays=[*arrays, *upstream, *(f"{graph.loss}/{name}" for name in arrays)])


def _gradient_tables(prepared: Prepared, run: _Run, t: Parts, p: int,
                     tape_runner: TapeRunner) -> tuple[model.GradientTable, ...]:
    if not prepared.spec.gradients:
        return ()
    return gradient_tables(prepared.spec, prepared.graph, prepared.derivation, t, run.tape.local, run.checks,
                           run.float64, tape_runner)


def _history(numbers: TapeResult, digits: Digits) -> tuple[model.Step, ...]:
    """Every step's loss (the scalar the tape differentiates) and parameters, each shown to its own
    digits (a later step's may be fewer)."""
    rows = []
    for i, (loss, params) in enumerate(numbers.history):
        loss = loss_total(loss)
        places = (digits.of(f"history:{i}:loss"), *(digits.of(f"history:{i}:{k}") for k in params))
        shown_values = tuple(shown(v, d) for v, d in zip((loss, *params.values()), places, strict=True))
        rows.append(model.Step(i, frozen(loss), tuple((k, frozen(v)) for k, v in params.items()),
                               shown_values[0], shown_values[1:], places))
    return tuple(rows)


def _backward_pass(t: Parts, graph: Graph, derivation: Derivation, exact: dict,
                   p: int) -> tuple[model.Equation, ...]:
    """dL/d(node) for every node the backward pass visits, symbolic and in numbers (float64)."""
    if derivation.backward is None:
        return ()
    from ..graph.evaluate import evaluate

    env = {graph.symbols[name]: value for name, value in exact.items()}
    rows = []
    passed = derivation.backward
    for name in passed.order[1:]:  # the first is the loss itself: dL/dL = 1
        value = reduce_to(evaluate(passed.gradients[name], env), np.shape(exact[name]))
        written = passed.shown[name] if passed.shown else passed.gradients[name]
        steps = [t.expr(passed.steps[name])] if passed.steps and name in passed.steps else []
        rows.append(model.Equation(name, "", Formula(t.partial(graph.loss, name), (
            *steps, t.expr(written), Number(frozen(value), p, answer=answer_key("backward", name))))))
    return tuple(rows)


def _dense_notes(graph: Graph, gradients, dtype: str, tape_runner: TapeRunner) -> tuple[str, ...]:
    """The Keras check of each dense node (run where the tape runs: Keras is TensorFlow's)."""
    from ..numeric.keras_check import dense_nodes

    if not dense_nodes(graph):
        return ()
    return tuple(
        f"Keras check: a tf.keras.layers.Dense({c.kernel_shape[1]}) layer with kernel = {c.kernel} and "
        f"bias = {c.bias}, put in the place of {c.node}, gives gradients of shapes {c.kernel_shape} and "
        f"{c.bias_shape} (the shapes of {c.kernel} and {c.bias}), equal to the tape's above (largest "
        f"difference {c.difference:.1g})."
        for c in tape_runner.check_dense(graph, gradients, dtype, TOLERANCE[dtype]))


def _largest(a, b) -> float:
    """The largest absolute difference between two values, over every element."""
    return float(np.max(np.abs(np.subtract(a, b))))


def _sampled(history: tuple[model.Step, ...]) -> tuple[model.Step, ...]:
    """The rows of the step table: ``sampled_steps`` of the history."""
    return tuple(history[i] for i in sampled_steps(len(history)))


def sampled_steps(count: int, rows: int = 10) -> tuple[int, ...]:
    """Which of ``count`` steps (0 included) the step table prints: all of up to ``rows`` + 1, else
    every k-th and the last (the loss after the steps)."""
    if count <= rows + 1:
        return tuple(range(count))
    every = max(1, (count - 1) // rows)
    picked = tuple(range(0, count, every))
    return picked if picked[-1] == count - 1 else (*picked, count - 1)


def _rule(t: Parts, rule: FunctionRule) -> model.GeneralRule:
    definitions = 0
    while definitions < len(rule.steps) and not isinstance(rule.steps[definitions][0], sp.Derivative):
        definitions += 1
    steps = tuple(Formula(t.general(left, "given"),
                          (t.general(right, "given" if i < definitions else "step"),))
                  for i, (left, right) in enumerate(rule.steps))
    title = FUNCTIONS[rule.name].title
    if len(rule.derivative.expr.args) > 1:
        title = f"{title}, with respect to {rule.derivative.variables[0]}"
    formula = Formula(t.general(rule.derivative, "given"), (t.general(rule.result),))
    return model.GeneralRule(rule.name, title, formula, steps, definitions)


def _local(t: Parts, d: EdgeDerivation, graph: Graph, value: float | None, p: int,
           relevant: bool, exact: dict) -> model.LocalDerivative:
    edge = d.edge
    symbol = t.partial(edge.node, edge.input)
    if d.through_matrix_product:  # value None: a Jacobian too large to compute (``checks.MAX_JACOBIAN``)
        indices = np.ndim(exact[edge.node]) + np.ndim(exact[edge.input])
        rule = t.expr(forms.Jacobian(sp.Integer(indices), sp.Symbol("G"), d.derivative))
        return model.LocalDerivative(edge.key, edge.node, edge.input, symbol,
                                     Formula(symbol, (rule,), derivation=True), frozen(value),
                                     shown_compact(value, p) if value is not None else "",
                                     tuple(_rule(t, r) for r in d.rules), relevant)
    written = graph.node_by_name[edge.node].expression.display
    question = t.written(forms.derivative_of(written, t.symbol(edge.input)), "question")
    parts: list = [question, t.expr(d.derivative)]
    if d.in_nodes != d.derivative:
        parts.append(t.expr(d.in_nodes))
    parts.append(Number(frozen(value), p, answer=answer_key("local", edge.key) if relevant else ""))
    if d.expression.is_Atom:
        parts = parts[1:]
    distinct = tuple({part_tex(part): part for part in parts}.values())  # a number wins a tie
    return model.LocalDerivative(edge.key, edge.node, edge.input, symbol,
                                 Formula(symbol, distinct, derivation=True), frozen(value),
                                 shown(value, p), tuple(_rule(t, r) for r in d.rules), relevant)


def _check_row(t: Parts, graph: Graph, check: Check, p: int) -> model.CheckRow:
    if check.kind in ("local", "target"):
        node, name = check.term.split("/")
        term = t.slashed(node, name, check.order)
    else:
        term = t.slashed(graph.loss, check.term)
    return model.CheckRow(check.term, term, frozen(check.symbolic), frozen(check.tape),
                          frozen(check.finite_difference), frozen(check.disagreement),
                          shown_compact(check.symbolic, p), shown_compact(check.tape, p),
                          shown_compact(check.finite_difference, p), f"{check.disagreement:.1e}")


def _updates(t: Parts, graph: Graph, numbers: TapeResult, rate: float, p: int,
             steps: int) -> tuple[model.Update, ...]:
    """The first descent step, with numbers (later steps are in the history): the gradient is
    the chain rule's answer (a reference), the new value the update's own."""
    rows = []
    first_step = numbers.history[1][1]
    gamma = Number(frozen(rate), p, given=True)
    for name in graph.trainable:
        old = graph.parameters[name]
        new, grad = first_step[name], numbers.gradients[name]
        target = t.name(name)
        gradient = t.partial_form(graph.loss, name)
        descent = t.expr(forms.Descent(t.symbol(name), rate_symbol(graph), gradient), "given")
        rule = Formula(target, (descent,), arrow=True)
        plugged = Numbers((Number(frozen(old), p, given=True), "-", gamma, "cdot",
                           Number(frozen(grad), p, factor=True, ref=t.partial(graph.loss, name))))
        site = Number(frozen(new), p, answer=answer_key("updated", name, 1, steps))
        plugged_formula = Formula(target, (descent, plugged, site), arrow=True)  # the rule, then its numbers
        rows.append(model.Update(name, t.name(name), frozen(old), frozen(grad), frozen(new), shown(old, p),
                                 shown(new, p), rule, plugged_formula))
    return tuple(rows)
