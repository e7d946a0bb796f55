"""The three-way check: SymPy (float64), the tape, and central finite differences.

Every local derivative and every total gradient is computed all three ways. The largest
disagreement with the tape is reported on the sheet; one beyond the dtype's tolerance
stops the run with a message naming the term, so a wrong derivation never reaches a class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import NumericError
from ..graph.dag import Graph
from ..graph.evaluate import evaluate, forward_values, reduce_to
from ..symbolic.derivation import Derivation
from .finite_difference import derivative

if TYPE_CHECKING:  # the tape's module loads TensorFlow; checking a spec must not
    from .tape import TapeResult

TOLERANCE = {"float32": 1e-4, "float64": 1e-7}
"""Largest allowed disagreement, relative to max(1, |value|)."""


@dataclass(frozen=True)
class Check:
    """One term computed three ways."""

    term: str
    """``A3/A2`` for a local derivative, a parameter name for a total gradient."""
    kind: str
    """'local', 'gradient' (of the loss) or 'target' (of a [gradient] table)."""
    symbolic: float
    tape: float
    finite_difference: float
    order: int = 1

    @property
    def disagreement(self) -> float:
        """The largest absolute difference to the tape, over every element."""
        return float(max(np.max(np.abs(np.subtract(self.symbolic, self.tape))),
                         np.max(np.abs(np.subtract(self.finite_difference, self.tape)))))


def three_way(graph: Graph, derivation: Derivation, tape: TapeResult, dtype: str,
              exact: dict | None = None) -> tuple[Check, ...]:
    """Compute every check and fail on the first term beyond tolerance.

    ``exact`` is the float64 forward pass, if the caller has it already.
    """
    exact = exact if exact is not None else forward_values(graph, graph.values())
    env = {graph.symbols[name]: value for name, value in exact.items()}
    checks: list[Check] = []
    for key, edge in derivation.edges.items():
        if edge.through_matrix_product:
            continue  # a 4-index Jacobian: checked through the gradients it feeds
        node = graph.node_by_name[edge.edge.node]
        variable = graph.symbols[edge.edge.input]
        fd = derivative(lambda v, s=node.expression.sympy, x=variable: evaluate(s, {**env, x: v}),
                        env[variable], _distance_to_trouble(edge, exact))
        symbolic = evaluate(edge.derivative, env)
        if np.ndim(exact[node.name]) == 0:  # a scalar node (a mean, a sum): its derivative has the
            symbolic = reduce_to(symbolic, np.shape(exact[edge.edge.input]))  # input's shape, summed
        checks.append(Check(key, "local", symbolic, tape.local[key], fd))
    values = graph.values()
    for name, chain in derivation.chains.items():
        fd = derivative(lambda v, n=name: np.sum(forward_values(graph, {**values, n: v})[graph.loss]),
                        values[name])
        symbolic = reduce_to(evaluate(chain.total, env), np.shape(values[name]))
        checks.append(Check(name, "gradient", symbolic, tape.gradients[name], fd))
    for check in checks:
        verify(check, _spec_key(graph, check), _term_name(graph, check), dtype)
    return tuple(checks)


def finite_difference(graph: Graph, of: str, wrt: str, order: int, exact: dict[str, float]) -> float:
    """d^order(of)/d(wrt)^order by nested Ridders differences on the float64 forward pass.

    ``wrt`` may be a node: it is then held at the perturbed value and only what follows it
    is recomputed, which is what the tape's gradient with respect to a recorded tensor means.
    """
    fixed = {**graph.values(), **({wrt: exact[wrt]} if wrt in graph.node_by_name else {})}

    def of_value(v: float) -> float:
        return np.sum(forward_values(graph, {**fixed, wrt: v})[of])

    function = of_value
    for _ in range(order - 1):
        function = (lambda inner: lambda v: derivative(inner, v))(function)
    return derivative(function, exact[wrt])


def _distance_to_trouble(edge, exact: dict[str, float]) -> float | None:
    """A first step for a probability near 0 or 1, so differences stay inside (0, 1)."""
    value = np.asarray(exact[edge.edge.input])
    if np.all((value > 0.0) & (value < 1.0)):
        return float(min(value.min(), 1.0 - value.max()))
    return None


def _term_name(graph: Graph, check: Check) -> str:
    if check.kind == "local":
        return f"d{check.term.replace('/', '/d')}"
    return f"d{graph.loss}/d{check.term}"


def verify(check: Check, key: str, name: str, dtype: str) -> None:
    """Raise a NumericError naming ``key`` and the term when the three ways disagree."""
    tolerance = TOLERANCE[dtype]
    values = (check.symbolic, check.tape, check.finite_difference)
    if not all(np.all(np.isfinite(v)) for v in values):
        raise NumericError(key, f"{name} is not finite (SymPy {_text(check.symbolic)}, tape "
                           f"{_text(check.tape)}): a log of 0 or a division by 0, e.g. a saturated "
                           "sigmoid; choose values that keep it inside (0, 1)")
    limit = tolerance * max(1.0, float(np.max(np.abs(check.symbolic))))
    if check.disagreement > limit:
        raise NumericError(key, f"the three ways disagree on {name}: SymPy {_text(check.symbolic)}, "
                           f"tape {_text(check.tape)}, finite differences {_text(check.finite_difference)} "
                           f"(disagreement {check.disagreement:.2g} > tolerance {limit:.2g} for {dtype})")


def _text(value) -> str:
    return np.array2string(np.asarray(value), precision=9, separator=", ")


def _spec_key(graph: Graph, check: Check) -> str:
    if check.kind == "local":
        return f"graph.{check.term.split('/')[0]}"
    return f"parameters.{check.term}"


def verify_forward(graph: Graph, forward: dict[str, float]) -> None:
    """Refuse a forward value that is not finite, naming the node."""
    for node in graph.nodes:
        value = forward[node.name]
        if not np.all(np.isfinite(value)):
            raise NumericError(f"graph.{node.name}", f"value is not finite ({value}): a log of 0, "
                               "a division by 0 or an overflow, e.g. a saturated sigmoid under bce")
