"""The pipeline: spec -> graph -> SymPy -> tape -> three-way check -> worksheet model.

``build_worksheet`` is the one entry point the CLI and the Python API share. It turns
the stages' SymPy expressions and floats into the model's formulas (parts holding the
expressions, which the printers write on demand, and numbers with their digits) and tuples
of floats.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..graph.dag import Graph
from ..graph.evaluate import forward_values, reduce_to
from ..graph.functions import FUNCTIONS
from ..numbers import agreed_digits, shown, shown_compact
from ..numeric.checks import TOLERANCE, Check, kink_notes, three_way, verify_forward
from ..numeric.runner import IN_PROCESS, TapeRunner
from ..numeric.tape_result import TapeResult
from ..spec.schema import Spec
from ..symbolic.derivation import Derivation, EdgeDerivation, FunctionRule
from ..symbolic.prepare import Prepared, prepare
from . import forms, model
from .build_gradients import gradient_tables, symbol_part
from .chains import ROW, chain_view
from .formula import Formula, Number, Numbers, Symbolic, frozen, part_tex
from .parts import Parts


def build_worksheet(source: Spec | Prepared, stem: str = "worksheet", variant: str = "",
                    precision: int | None = None, tape_runner: TapeRunner = IN_PROCESS) -> model.Worksheet:
    """Compute and assemble the whole worksheet for ``source``, a spec or its preparation
    (``symbolic.prepare``; a class set prepares once and redraws the numbers per variant).

    ``precision`` (a class set's one precision) replaces ``display.precision`` as the digits
    computed numbers start from; given numbers stay as the spec gives them. ``tape_runner``
    runs TensorFlow: in this process by default, in a child for ``derive render``
    (``numeric.tape_process``).
    """
    prepared = source if isinstance(source, Prepared) else prepare(source)
    spec, graph, derivation = prepared.spec, prepared.graph, prepared.derivation
    exact = forward_values(graph, graph.values())  # float64 (shapes checked), shared by every check below
    # everything that can be refused without the tape has been: only now is TensorFlow asked
    rate = spec.train.learning_rate if spec.train else None
    steps = spec.train.steps if spec.train else 0
    tape = tape_runner.run_tape(graph, spec.display.dtype, rate, max(steps, 1))
    verify_forward(graph, tape.forward)
    checks = list(three_way(graph, derivation, tape, spec.display.dtype, exact))
    given = spec.display.precision  # inputs and parameters are shown as the spec gives them
    p = _trustworthy_digits(graph, tape, spec, rate, precision or spec.display.precision, tape_runner)
    arrays = [name for name, value in exact.items() if np.ndim(value) > 0]
    upstream = ["G"] if arrays else []  # the upstream gradient of a backward rule, dL/d(node)
    t = Parts(graph, spec.notation, arrays=[*arrays, *upstream, *(f"{graph.loss}/{name}" for name in arrays)])
    gradient_sheet = bool(spec.gradients) and spec.train is None
    if gradient_sheet:  # no loss chain rules on the sheet, so no rows checking them
        checks = [check for check in checks if check.kind != "gradient"]
    tables = (gradient_tables(spec, graph, derivation, t, tape.local, checks, exact, tape_runner)
              if spec.gradients else ())

    def role(name: str) -> str:
        return "parameter" if name in graph.trainable else "parameter, not trainable"

    def quantity(name: str, value: float, role: str, digits: int | None = None) -> model.Quantity:
        return model.Quantity(name, t.name(name), frozen(value), shown(value, digits or p), role)

    after = tape.loss_after
    local = tuple(_local(t, d, graph, tape.local[k], p) for k, d in derivation.edges.items())
    history = tuple(
        model.Step(i, frozen(loss), tuple((k, frozen(v)) for k, v in params.items()), shown(loss, p),
                   tuple(shown(v, p) for v in params.values()))
        for i, (loss, params) in enumerate(tape.history)
    ) if rate is not None else ()
    return model.Worksheet(
        stem=stem,
        title=spec.title,
        intro=spec.intro,
        dtype=spec.display.dtype,
        precision=p,
        loss=graph.loss,
        loss_symbol=t.name(graph.loss),
        learning_rate=rate,
        shown_learning_rate=shown(rate, given) if rate is not None else "",
        rate=Formula(Symbolic(LEARNING_RATE, role="given"), (Number(frozen(rate), given, given=True),))
        if rate is not None else None,
        steps=steps,
        inputs=tuple(quantity(n, v, "input", given) for n, v in graph.inputs.items()),
        parameters=tuple(quantity(n, v, role(n), given) for n, v in graph.parameters.items()),
        equations=tuple(
            model.Equation(n.name, n.expression.source,
                           Formula(t.name(n.name), (t.written(n.expression.display),)))
            for n in graph.nodes
        ),
        forward=tuple(quantity(n.name, tape.forward[n.name], "node") for n in graph.nodes),
        local=local,
        rules=tuple(dict.fromkeys(rule for d in local for rule in d.rules)),
        chains=() if gradient_sheet else tuple(
            chain_view(t, graph.loss, derivation, c, tape.local, tape.gradients[c.parameter], p)
            for c in derivation.chains.values()),
        checks=tuple(_check_row(t, graph, c, p) for c in checks),
        tolerance=TOLERANCE[spec.display.dtype],
        symbolic_vs_tape=max((_largest(c.symbolic, c.tape) for c in checks), default=0.0),
        finite_difference_vs_tape=max((_largest(c.finite_difference, c.tape) for c in checks), default=0.0),
        updates=_updates(t, graph, tape, rate, p) if rate is not None else (),
        loss_before=frozen(tape.loss_before),
        loss_after=frozen(after),
        shown_loss_before=shown(tape.loss_before, p),
        shown_loss_after=shown(after, p) if after is not None else "",
        shown_decrease=shown(np.subtract(tape.loss_before, after), p) if after is not None else "",
        loss_decreased=after is not None and float(np.sum(after)) < float(np.sum(tape.loss_before)),
        history=history,
        history_table=_sampled(history),
        gradient_tables=tables,
        backward_pass=_backward_pass(t, graph, derivation, exact, p),
        notes=(*_dense_notes(graph, tape.gradients, spec.display.dtype, tape_runner),
               *_jacobian_notes(graph, derivation),
               *(derivation.backward.notes if derivation.backward is not None else ()),
               *kink_notes(graph, exact)),
        variant=variant,
    )


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
            *steps, t.expr(written), Number(frozen(value), p)))))
    return tuple(rows)


def _jacobian_notes(graph: Graph, derivation: Derivation) -> tuple[str, ...]:
    """Which local derivatives are whole Jacobians, and how the check compared them."""
    mixing = [d.edge for d in derivation.edges.values() if d.through_matrix_product and not d.matrix_product]
    if not mixing:
        return ()
    names = ", ".join(f"d{e.node}/d{e.input}" for e in mixing)
    return (f"{names}: the node mixes the elements of its input, so its local derivative is a whole "
            "Jacobian (one row per output element, one column per input element); the check compares "
            "that Jacobian entry by entry: SymPy's backward rule applied to each one-hot upstream G, the "
            "tape's jacobian, and central differences of the whole output per input element.",)


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


def _trustworthy_digits(graph: Graph, tape: TapeResult, spec: Spec, rate: float | None, precision: int,
                        tape_runner: TapeRunner) -> int:
    """Significant digits for computed numbers: ``precision``, lowered until the float32
    tape and a float64 twin agree on every value (cancellation can leave float32 with
    fewer good digits than 7, e.g. -1 - 0.09 + 1 = -0.09000003)."""
    if spec.display.dtype == "float64":
        return precision
    twin = tape_runner.run_tape(graph, "float64", rate, 1)
    pairs = [(tape.forward[n], twin.forward[n]) for n in tape.forward]
    pairs += [(tape.local[k], twin.local[k]) for k in tape.local]
    pairs += [(tape.gradients[k], twin.gradients[k]) for k in tape.gradients]
    # the first step only: over many steps float32 drifts from float64 by design, and what a
    # student checks by hand is the first update
    first = zip(tape.history[:2], twin.history[:2], strict=True)
    for (loss, parameters), (twin_loss, twin_parameters) in first:
        pairs += [(loss, twin_loss)] + [(parameters[k], twin_parameters[k]) for k in parameters]
    return min((agreed_digits(a, b, precision) for a, b in pairs), default=precision)


def _largest(a, b) -> float:
    """The largest absolute difference between two values, over every element."""
    return float(np.max(np.abs(np.subtract(a, b))))


def _sampled(history: tuple[model.Step, ...], rows: int = 10) -> tuple[model.Step, ...]:
    if len(history) <= rows + 1:
        return history
    every = max(1, (len(history) - 1) // rows)
    picked = history[::every]
    return picked if picked[-1] is history[-1] else (*picked, history[-1])


LEARNING_RATE = sp.Symbol("gamma")
"""The learning rate's symbol on every sheet."""


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


def _local(t: Parts, d: EdgeDerivation, graph: Graph, value: float, p: int) -> model.LocalDerivative:
    edge = d.edge
    symbol = t.partial(edge.node, edge.input)
    if d.through_matrix_product:
        rule = t.expr(forms.Jacobian(sp.Integer(np.ndim(value)), sp.Symbol("G"), d.derivative))
        return model.LocalDerivative(edge.key, edge.node, edge.input, symbol,
                                     Formula(symbol, (rule,), width=ROW), frozen(value),
                                     shown_compact(value, p), tuple(_rule(t, r) for r in d.rules))
    written = graph.node_by_name[edge.node].expression.display
    question = t.written(forms.derivative_of(written, t.symbol(edge.input)), "question")
    parts: list = [question, t.expr(d.derivative)]
    if d.in_nodes != d.derivative:
        parts.append(t.expr(d.in_nodes))
    parts.append(Number(frozen(value), p))
    if d.expression.is_Atom:
        parts = parts[1:]
    distinct = tuple({part_tex(part): part for part in parts}.values())  # a number wins a tie
    return model.LocalDerivative(edge.key, edge.node, edge.input, symbol,
                                 Formula(symbol, distinct, width=ROW), frozen(value),
                                 shown(value, p), tuple(_rule(t, r) for r in d.rules))


def _check_row(t: Parts, graph: Graph, check: Check, p: int) -> model.CheckRow:
    if check.kind in ("local", "target"):
        node, name = check.term.split("/")
        term = symbol_part(t, node, name, check.order)
    else:
        term = t.partial(graph.loss, check.term)
    return model.CheckRow(check.term, term, frozen(check.symbolic), frozen(check.tape),
                          frozen(check.finite_difference), frozen(check.disagreement),
                          shown_compact(check.symbolic, p), shown_compact(check.tape, p),
                          shown_compact(check.finite_difference, p), f"{check.disagreement:.1e}")


def _updates(t: Parts, graph: Graph, tape, rate: float, p: int) -> tuple[model.Update, ...]:
    """The first descent step, with numbers (later steps are in the history)."""
    rows = []
    first_step = tape.history[1][1]
    gamma = Number(frozen(rate), p, given=True)
    for name in graph.trainable:
        old = graph.parameters[name]
        new, grad = first_step[name], tape.gradients[name]
        target = t.name(name)
        gradient = t.partial_form(graph.loss, name)
        descent = t.expr(forms.Descent(t.symbol(name), LEARNING_RATE, gradient), "given")
        rule = Formula(target, (descent,), arrow=True)
        plugged = Numbers((Number(frozen(old), p, given=True), "-", gamma, "cdot",
                           Number(frozen(grad), p, factor=True)))
        numbers = Formula(target, (plugged, Number(frozen(new), p)), arrow=True)
        rows.append(model.Update(name, t.name(name), frozen(old), frozen(grad), frozen(new), shown(old, p),
                                 shown(new, p), rule, numbers))
    return tuple(rows)
