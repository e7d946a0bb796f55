"""The [gradient] tables of a worksheet: tape.gradient as TensorFlow answers it, explained.

For each source the tape's value (or None, with the watch rule that makes it None) stands
beside SymPy's derivative and finite differences; the prediction of None from the rules
must match what the tape did. Seed 002's one-sided differences are shown where asked.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import sympy as sp

from ..errors import NumericError
from ..graph.dag import Graph
from ..graph.evaluate import evaluate, forward_values, reduce_to
from ..numbers import shown
from ..numeric.checks import Check, DifferencesOnlyError, finite_difference, rounding_refusal, verify
from ..numeric.runner import IN_PROCESS, TapeRunner
from ..numeric.watch_rules import watch_of
from ..spec.schema import Gradient, Spec
from ..symbolic.derivation import ChainRule, Derivation, HigherDerivative, Target
from . import forms, model
from .chains import answer_key, chain_view
from .digits import agreed_or_refused
from .formula import Formula, Number, Symbolic, frozen
from .parts import Parts


def gradient_tables(spec: Spec, graph: Graph, derivation: Derivation, t: Parts, local: dict[str, float],
                    checks: list[Check], exact: dict,
                    tape_runner: TapeRunner = IN_PROCESS) -> tuple[model.GradientTable, ...]:
    """Run (on ``tape_runner``), check and lay out every [gradient] table; append their checks to
    ``checks``."""
    p, dtype = spec.display.precision, spec.display.dtype
    env = {graph.symbols[name]: value for name, value in exact.items()}
    tables = []
    for index, table in enumerate(spec.gradients):
        key = f"gradient[{index}]" if isinstance(spec.gradient, list) else "gradient"
        of = table.of or graph.loss
        wrt = tuple(table.wrt or graph.trainable)
        tape = tape_runner.run_gradient_table(graph, table, of, wrt, dtype)
        # float32's values are shown to the digits float64's twin agrees on (0.001953125 is not 0.002)
        twin = tape if dtype == "float64" else tape_runner.run_gradient_table(graph, table, of, wrt,
                                                                              "float64")
        entries, notes = [], []
        for name in wrt:
            target = Target(of, name, table.order)
            derived = derivation.targets[target]
            notes.extend(getattr(derived, "notes", ()))  # a higher derivative's (a kink's delta left out)
            watch = watch_of(graph, table, of, name)
            if (tape[name] is not None) != (watch.watched and watch.connected):
                raise NumericError(f"{key}.wrt", f"the tape gave {tape[name]} for {name}, but TensorFlow's "
                                   f"watch rules predict otherwise ({watch.reason})")
            symbolic = reduce_to(evaluate(_expression(derived), env), np.shape(exact[name]))
            fd = finite_difference(graph, of, name, table.order, exact) if watch.connected else 0.0
            if tape[name] is not None:
                check = Check(f"{of}/{name}", "target", symbolic, tape[name], fd, table.order)
                try:
                    verify(check, key, _symbol_text(of, name, table.order), dtype)
                except DifferencesOnlyError:
                    raise
                except NumericError as error:  # float32's rounding, if the float64 tape passes
                    twin_check = replace(check, tape=twin[name])
                    if dtype == "float32" and twin[name] is not None and _passes(twin_check, key):
                        raise rounding_refusal(key, _symbol_text(of, name, table.order), check,
                                               twin[name]) from error
                    raise
                checks.append(check)
            digits = p if tape[name] is None or twin[name] is None else agreed_or_refused(
                key, _symbol_text(of, name, table.order), tape[name], twin[name], p)
            one_sided = _one_sided(graph, table, of, name, exact) if table.forward_difference else None
            if one_sided is not None:
                notes.append(_one_sided_note(graph, table, of, name, one_sided, symbolic, exact, p))
            entries.append(_entry(t, derivation, derived, local, name, tape[name], symbolic, fd, watch,
                                  one_sided, table.order, digits))
        tables.append(model.GradientTable(of, t.name(of), table.order, _code(graph, table, of, wrt),
                                          tuple(entries), tuple(notes)))
    return tuple(tables)


def _passes(check: Check, key: str) -> bool:
    """Whether ``check`` passes in float64."""
    try:
        verify(check, key, check.term, "float64")
    except NumericError:
        return False
    return True


def _expression(derived: ChainRule | HigherDerivative) -> sp.Expr:
    return derived.total if isinstance(derived, ChainRule) else derived.derivatives[-1]


def _symbol_text(of: str, wrt: str, order: int) -> str:
    return f"d{of}/d{wrt}" if order == 1 else f"d^{order}{of}/d{wrt}^{order}"


def symbol_part(t: Parts, of: str, wrt: str, order: int) -> Symbolic:
    """d(of)/d(wrt) as a fraction, with the order as a power when above 1."""
    return t.partial(of, wrt, order)


def _entry(t: Parts, derivation: Derivation, derived, local, name, tape_value, symbolic, fd, watch,
           one_sided, order, p) -> model.GradientEntry:
    symbol = symbol_part(t, derived.target.of if isinstance(derived, HigherDerivative) else derived.of,
                         name, order)
    if isinstance(derived, ChainRule):
        total = tape_value if tape_value is not None else symbolic
        formula = chain_view(t, derived.of, derivation, derived, local, total, p,
                             answer_key("derivative", f"{derived.of}/{name}")).formula
    else:
        question = t.expr(forms.derivative_of(derived.function, t.symbol(name), order), "question")
        key = answer_key(f"derivative{order}", f"{derived.target.of}/{name}")
        formula = Formula(symbol, (question, t.expr(derived.derivatives[-1]),
                                   Number(frozen(symbolic), p, answer=key)), derivation=True)
    tape_text = "None" if tape_value is None else shown(tape_value, p)
    return model.GradientEntry(
        name, t.name(name), symbol, formula, frozen(tape_value), tape_text, frozen(symbolic),
        shown(symbolic, p),
        frozen(fd) if watch.connected else None, shown(fd, p) if watch.connected else "",
        watch.watched and watch.connected, watch.reason, frozen(one_sided),
        f"{one_sided!r}" if one_sided is not None else "")


def _one_sided(graph: Graph, table: Gradient, of: str, wrt: str, exact: dict[str, float]) -> float | None:
    """(f(x + h) - f(x)) / h in float64, as seed 002 computes it by hand."""
    if table.order != 1 or wrt in graph.node_by_name:
        return None
    values = graph.values()
    h = table.forward_difference
    shifted = forward_values(graph, {**values, wrt: values[wrt] + h})[of]
    return (shifted - exact[of]) / h


def _one_sided_note(graph, table, of, wrt, one_sided, symbolic, exact, p) -> str:
    second = evaluate(sp.diff(graph.inlined(of), graph.symbols[wrt], 2),
                      {graph.symbols[n]: v for n, v in exact.items()})
    h = table.forward_difference
    return (f"d{of}/d{wrt}: the one-sided difference with h = {h:g} gives {one_sided!r}, off by "
            f"{one_sided - symbolic:.3g} from {shown(symbolic, p)}. Its error is about (h/2)·f'' = "
            f"{h / 2 * second:.3g}: it leans along the curve's bend. The tape differentiates the recorded "
            "operations exactly, and the central differences of the check cancel that first-order term.")


def _literal(value) -> str:
    """A value as Python source: 3.0, or [2.0, 3.0] for an array."""
    return repr(value.tolist()) if isinstance(value, np.ndarray) else repr(value)


def _code(graph: Graph, table: Gradient, of: str, wrt: tuple[str, ...]) -> str:
    """The TensorFlow code the table corresponds to, in the seed notebooks' style."""
    lines = [f"{n} = tf.constant({_literal(v)})" for n, v in graph.inputs.items()]
    for name, value in graph.parameters.items():
        flag = "" if name in graph.trainable else ", trainable=False"
        lines.append(f"{name} = tf.Variable({_literal(value)}{flag})")
    arguments = "" if table.watch_accessed_variables else "watch_accessed_variables=False"
    nodes = graph.nodes[: graph.nodes.index(graph.node_by_name[of]) + 1]
    body = [f"tape.watch({name})" for name in table.watch]
    body += [f"{node.name} = {node.expression.source}" for node in nodes]
    sources = wrt[0] if len(wrt) == 1 else f"[{', '.join(wrt)}]"
    if table.order == 1:
        lines.append(f"with tf.GradientTape({arguments}) as tape:")
        lines += [f"    {line}" for line in body]
        lines.append(f"grads = tape.gradient({of}, {sources})")
        return "\n".join(lines)
    for level in range(table.order):
        lines.append(f"{'    ' * level}with tf.GradientTape({arguments}) as tape{level + 1}:")
        lines += [f"{'    ' * (level + 1)}tape{level + 1}.watch({name})" for name in table.watch]
    indent = "    " * table.order
    lines += [f"{indent}{node.name} = {node.expression.source}" for node in nodes]
    target = of
    for level in range(table.order, 0, -1):
        result = f"d{table.order - level + 1}_{of}"
        lines.append(f"{'    ' * (level - 1)}{result} = tape{level}.gradient({target}, {sources})")
        target = result
    return "\n".join(lines)

