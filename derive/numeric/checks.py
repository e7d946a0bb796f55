"""The three-way check: SymPy (float64), the tape, and central finite differences.

Every local derivative and every total gradient is computed all three ways. The largest
disagreement with the tape is reported on the sheet; one beyond the tolerance stops the run
with a message naming the term, so a wrong derivation never reaches a class. The tolerance is
relative to each element's own value (``TOLERANCE``), with a floor for rounding: the tape's
dtype rounds every operation by its unit roundoff, so a derivative that is a small difference
of large terms (1 - tanh^2 near saturation) carries an absolute error of about that roundoff
times the size of the terms (``evaluate.magnitude``); the finite differences' own error
estimate (Ridders') is allowed on top for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import NumericError
from ..graph.dag import Graph
from ..graph.evaluate import evaluate, forward_values, magnitude, reduce_to
from ..spec.limits import MAX_JACOBIAN
from ..symbolic.derivation import UPSTREAM, Derivation, EdgeDerivation, check_arguments
from .finite_difference import derivative, estimate
from .kinks import clear_scale, poles, switches
from .tape_result import TapeResult

TOLERANCE = {"float32": 1e-4, "float64": 1e-7}
"""Largest allowed disagreement relative to the value itself (element by element)."""
UNIT_ROUNDOFF = {"float32": 2.0**-24, "float64": 2.0**-53}
"""The floor: this times the magnitude of the terms a derivative adds up (one rounding of them)."""
FD_SAFETY = 10.0
"""The finite differences may be off by this many times their own error estimate."""


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
    magnitude: float | np.ndarray | None = None
    """The size of the terms the derivative adds up (``evaluate.magnitude``), for the rounding floor;
    None where it is not known (then the floor is the old one: the tolerance times 1)."""
    finite_difference_error: float | np.ndarray = 0.0
    """Ridders' error estimate of the finite differences."""

    @property
    def disagreement(self) -> float:
        """The largest absolute difference to the tape, over every element."""
        return float(max(np.max(np.abs(np.subtract(self.symbolic, self.tape))),
                         np.max(np.abs(np.subtract(self.finite_difference, self.tape)))))


def three_way(graph: Graph, derivation: Derivation, tape: TapeResult, dtype: str,
              exact: dict | None = None, twin: Callable[[], TapeResult] | None = None) -> tuple[Check, ...]:
    """Compute every check and fail on the first term beyond tolerance.

    ``exact`` is the float64 forward pass, if the caller has it already. ``twin`` runs the tape in
    float64: a float32 term beyond tolerance whose float64 twin passes every check is float32's
    rounding, refused as an ``ImpreciseError`` naming both values and the way out.
    """
    exact = exact if exact is not None else forward_values(graph, graph.values())
    checks = computed(graph, derivation, tape, exact)
    for check in checks:
        try:
            verify(check, _spec_key(graph, check), _term_name(graph, check), dtype)
        except DifferencesOnlyError:
            raise
        except NumericError as error:
            if dtype == "float32" and twin is not None:
                _refuse_rounding(graph, derivation, twin(), exact, check, error)
            raise
    return checks


def _refuse_rounding(graph: Graph, derivation: Derivation, twin: TapeResult, exact: dict, check: Check,
                     error: NumericError) -> None:
    """Raise an ImpreciseError for ``check`` (refused in float32) if the float64 tape passes every
    check: then float32's rounding is the cause, e.g. (w + 0.001)**2 - w**2 at w = 1e4, whose
    float32 derivative is 0.001953125 where it is 0.002. Return if float64 is refused too."""
    twins = computed(graph, derivation, twin, exact)
    try:
        for other in twins:
            verify(other, _spec_key(graph, other), _term_name(graph, other), "float64")
    except NumericError:
        return
    [same] = [other for other in twins if (other.term, other.kind) == (check.term, check.kind)]
    raise rounding_refusal(error.key, _term_name(graph, check), check, same.tape) from error


def rounding_refusal(key: str, name: str, check: Check, twin_tape) -> ImpreciseError:
    """The refusal of a float32 term whose float64 tape ``twin_tape`` passes: one line naming the
    term, both values and the way out."""
    return ImpreciseError(key, f"float32 rounding puts {name} beyond the three-way check's tolerance "
                          f"(float32 {_text(check.tape)}, float64 {_text(twin_tape)}, SymPy "
                          f'{_text(check.symbolic)}); set display.dtype = "float64", or choose other inputs')


def computed(graph: Graph, derivation: Derivation, tape: TapeResult, exact: dict | None = None
             ) -> tuple[Check, ...]:
    """Every local derivative and total gradient, three ways, not yet compared."""
    exact = exact if exact is not None else forward_values(graph, graph.values())
    check_arguments(graph, exact)  # a variant's target must be a distribution too
    env = {graph.symbols[name]: value for name, value in exact.items()}
    checks: list[Check] = []
    for key, edge in derivation.edges.items():
        if edge.matrix_product:
            continue  # a 4-index Jacobian: checked through the gradients it feeds
        node = graph.node_by_name[edge.edge.node]
        variable = graph.symbols[edge.edge.input]
        kinks = clear_scale(switches(graph, [node.name]), lambda v, x=variable: {**env, x: v},
                            env[variable], edge.edge.input, poles(graph, [node.name]))
        if edge.through_matrix_product:  # elements mix: the whole Jacobian, all three ways
            if np.size(exact[node.name]) * np.size(exact[edge.edge.input]) <= MAX_JACOBIAN:
                checks.append(_jacobian_check(key, edge, node, variable, env, exact, tape.local[key],
                                              _smallest(_distance_to_trouble(edge, exact), kinks)))
            continue
        # rounding is relative to the terms the node adds up: erf(A1) - 1 is 1e-9 from terms of 1
        fd = estimate(lambda v, s=node.expression.sympy, x=variable: evaluate(s, {**env, x: v}),
                      env[variable], _smallest(_distance_to_trouble(edge, exact), kinks),
                      float(np.sum(magnitude(node.expression.sympy, env))))
        symbolic, taped = evaluate(edge.derivative, env), tape.local[key]
        size = magnitude(edge.derivative, env)
        out_shape, in_shape = np.shape(exact[node.name]), np.shape(exact[edge.edge.input])
        if int(np.prod(out_shape)) == 1:  # a scalar node (a mean, a sum, a loss of shape (1, 1)): its
            symbolic = reduce_to(symbolic, in_shape)  # derivative has the input's shape, summed
            size = reduce_to(size, in_shape)
            taped = np.reshape(taped, in_shape) if np.size(taped) == np.prod(in_shape) else taped
        elif in_shape and in_shape != out_shape:  # a broadcast input (a bias over a batch): compare
            # d sum(node) / d input, as the finite differences and backpropagation take it
            symbolic = reduce_to(np.broadcast_to(symbolic, out_shape), in_shape)
            size = reduce_to(np.broadcast_to(size, out_shape), in_shape)
            taped = reduce_to(np.broadcast_to(taped, out_shape), in_shape)
        checks.append(Check(key, "local", symbolic, taped, fd.value, 1, size, fd.error))
    values = graph.values()
    every = [node.name for node in graph.nodes]
    kinked, singular = switches(graph, every), poles(graph, every)

    def environment(name: str, value) -> dict:
        return {graph.symbols[n]: v for n, v in forward_values(graph, {**values, name: value}).items()}

    for name, chain in derivation.chains.items():
        scale = clear_scale(kinked, lambda v, n=name: environment(n, v), values[name], name, singular)
        fd = estimate(lambda v, n=name: np.sum(forward_values(graph, {**values, n: v})[graph.loss]),
                      values[name], scale)
        shape, full = np.shape(values[name]), evaluate(chain.total, env)
        symbolic = reduce_to(full, shape)
        size = reduce_to(np.broadcast_to(magnitude(chain.total, env), np.shape(full)), shape)
        checks.append(Check(name, "gradient", symbolic, tape.gradients[name], fd.value, 1, size, fd.error))
    return tuple(checks)


def _jacobian_check(key: str, edge, node, variable, env: dict, exact: dict, taped, scale) -> Check:
    """d(node)/d(input) as the full Jacobian (output indices, then input indices): SymPy's
    backward rule applied to each one-hot upstream gradient, the tape's ``jacobian``, and
    central differences of the node's whole output per input element."""
    out_shape, in_shape = np.shape(exact[node.name]), np.shape(exact[edge.edge.input])
    symbolic = symbolic_jacobian(edge, env, out_shape, in_shape)
    size = symbolic_jacobian(edge, env, out_shape, in_shape, magnitude)
    at = np.asarray(exact[edge.edge.input], dtype=np.float64)
    fd, fd_error = np.zeros(out_shape + in_shape), np.zeros(out_shape + in_shape)
    for index in np.ndindex(in_shape):
        def along(v: float, index=index) -> np.ndarray:
            moved = at.copy()
            moved[index] = v
            return np.asarray(evaluate(node.expression.sympy, {**env, variable: moved}))
        found = estimate(along, float(at[index]), scale)
        fd[(...,) + index], fd_error[(...,) + index] = found.value, found.error
    rows, columns = int(np.prod(out_shape)), int(np.prod(in_shape))  # one row per output element
    return Check(key, "local", symbolic.reshape(rows, columns), np.asarray(taped).reshape(rows, columns),
                 fd.reshape(rows, columns), 1, size.reshape(rows, columns), fd_error.reshape(rows, columns))


def symbolic_jacobian(edge: EdgeDerivation, env: dict, out_shape: tuple[int, ...],
                      in_shape: tuple[int, ...], evaluated=evaluate) -> np.ndarray:
    """d(node)/d(input) as an array of shape ``out_shape + in_shape``: the edge's backward rule
    (G -> ...) applied to each one-hot upstream gradient G (``evaluated``: its value, or with
    ``evaluate.magnitude`` the size of the terms it adds up)."""
    symbolic = np.zeros(out_shape + in_shape)
    for index in np.ndindex(out_shape):
        one_hot = np.zeros(out_shape)
        one_hot[index] = 1.0
        row = evaluated(edge.derivative, {**env, UPSTREAM: one_hot})
        symbolic[index] = reduce_to(np.broadcast_to(row, np.broadcast_shapes(np.shape(row), in_shape)),
                                    in_shape)
    return symbolic


def kink_notes(graph: Graph, exact: dict) -> tuple[str, ...]:
    """What the sheet says of the finite differences near each kink: how close the nearest one is
    and that the central differences' steps stay on one side of it."""
    env = {graph.symbols[name]: value for name, value in exact.items()}
    notes = []
    for node, function, switch in switches(graph, [node.name for node in graph.nodes]):
        distance = float(np.min(np.abs(evaluate(switch, env))))
        if distance < 0.1:  # nearer than the first step a difference takes elsewhere (0.1)
            notes.append(f"{function} in {node}: the nearest kink is {distance:.3g} away ({switch} = 0 "
                         "there), so the finite differences of every check through it start with a step "
                         "below that distance and shrink it (Ridders' central differences): no step "
                         "crosses the kink.")
    return tuple(dict.fromkeys(notes))


def jacobian_notes(derivation: Derivation, relevant: frozenset[str], exact: dict) -> tuple[str, ...]:
    """What the sheet says of the local derivatives (of ``relevant`` edges) that are whole Jacobians:
    how the check compared them, or (past ``MAX_JACOBIAN`` entries) that it left them out."""
    mixing = [d.edge for key, d in derivation.edges.items()
              if d.through_matrix_product and not d.matrix_product and key in relevant]
    large = [e for e in mixing if np.size(exact[e.node]) * np.size(exact[e.input]) > MAX_JACOBIAN]
    whole = [e for e in mixing if e not in large]
    notes = []
    if whole:
        names = ", ".join(f"d{e.node}/d{e.input}" for e in whole)
        notes.append(f"{names}: the node mixes the elements of its input, so its local derivative is a whole "
                     "Jacobian (one row per output element, one column per input element); the check "
                     "compares that Jacobian entry by entry: SymPy's backward rule applied to each one-hot "
                     "upstream G, the tape's jacobian, and central differences of the whole output per input "
                     "element.")
    if large:
        names = ", ".join(f"d{e.node}/d{e.input}" for e in large)
        notes.append(f"{names}: the node mixes the elements of its input, and its Jacobian would hold more "
                     f"than {MAX_JACOBIAN:,} entries, so it is neither computed nor printed; the sheet "
                     "writes the backward rule that backpropagation applies, and the gradients it feeds are "
                     "checked three ways.")
    return tuple(notes)


def finite_difference(graph: Graph, of: str, wrt: str, order: int, exact: dict[str, float]) -> float:
    """d^order(of)/d(wrt)^order by nested Ridders differences on the float64 forward pass.

    ``wrt`` may be a node: it is then held at the perturbed value and only what follows it
    is recomputed, which is what the tape's gradient with respect to a recorded tensor means.
    """
    fixed = {**graph.values(), **({wrt: exact[wrt]} if wrt in graph.node_by_name else {})}

    def of_value(v: float) -> float:
        return np.sum(forward_values(graph, {**fixed, wrt: v})[of])

    def environment(v) -> dict:
        return {graph.symbols[n]: value for n, value in forward_values(graph, {**fixed, wrt: v}).items()}

    # as the loss's gradients: no step crosses a kink or a pole (nested steps add up: each level a share)
    every = [node.name for node in graph.nodes]
    scale = clear_scale(switches(graph, every), environment, exact[wrt], wrt, poles(graph, every))
    scale = scale / order if scale is not None else None
    function = of_value
    for _ in range(order - 1):
        function = (lambda inner: lambda v: derivative(inner, v, scale))(function)
    return derivative(function, exact[wrt], scale)


def _smallest(*scales: float | None) -> float | None:
    known = [scale for scale in scales if scale is not None]
    return min(known) if known else None


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
    """Raise a NumericError naming ``key`` and the term when the three ways disagree: element by
    element, beyond the tolerance relative to the value plus the rounding floor (the finite
    differences also their own error estimate)."""
    values = (check.symbolic, check.tape, check.finite_difference)
    if not all(np.all(np.isfinite(v)) for v in values):
        raise NumericError(key, f"{name} is not finite (SymPy {_text(check.symbolic)}, tape "
                           f"{_text(check.tape)}): a log of 0 or a division by 0, e.g. a saturated "
                           "sigmoid; choose values that keep it inside (0, 1)")
    limit = tolerance(check, dtype)
    fd_limit = limit + FD_SAFETY * np.abs(np.asarray(check.finite_difference_error, dtype=np.float64))
    excess = np.maximum(np.abs(np.subtract(check.symbolic, check.tape)) - limit,
                        np.abs(np.subtract(check.finite_difference, check.tape)) - fd_limit)
    if np.max(excess) > 0:
        worst = np.unravel_index(int(np.argmax(excess)), np.shape(excess))
        element = f" (at element {tuple(int(i) for i in worst)})" if np.ndim(excess) else ""
        allowed = float(np.broadcast_to(limit, np.shape(excess))[worst])
        way_out = ""
        if dtype == "float32" and _rounding(check, limit, fd_limit):
            way_out = ("; SymPy and the finite differences agree, so float32 rounding is the cause: set "
                       "display.dtype = \"float64\" or choose other values")
        # SymPy and the tape agree: only the finite differences are off (the check's failure, not the spec's)
        only_differences = bool(np.all(np.abs(np.subtract(check.symbolic, check.tape)) <= limit))
        raise (DifferencesOnlyError if only_differences else NumericError)(
            key, f"the three ways disagree on {name}: SymPy {_text(check.symbolic)}, tape "
                 f"{_text(check.tape)}, finite differences {_text(check.finite_difference)} (disagreement "
                 f"{check.disagreement:.2g}{element} > tolerance {allowed:.2g} for {dtype}){way_out}")


ROUNDING_REACH = 100.0
"""float32 rounding is named as the cause only of a disagreement within this many tolerances."""


def _rounding(check: Check, limit: np.ndarray, fd_limit: np.ndarray) -> bool:
    """Whether float32 rounding explains a disagreement: SymPy and the finite differences (both
    float64) agree, the tape has their shape, and it is off by at most ``ROUNDING_REACH`` tolerances."""
    if np.shape(check.tape) != np.shape(check.symbolic):
        return False
    agree = np.abs(np.subtract(check.symbolic, check.finite_difference)) <= tolerance(check, "float64") + \
        fd_limit - limit
    near = np.abs(np.subtract(check.symbolic, check.tape)) <= ROUNDING_REACH * limit
    return bool(np.all(agree) and np.all(near))


def tolerance(check: Check, dtype: str) -> np.ndarray:
    """The largest disagreement allowed with the tape, element by element: ``TOLERANCE`` times the
    value's own size, plus the dtype's unit roundoff times the magnitude of the terms it adds up
    (the smallest normal number of the dtype at least, so that an exact 0 may round to a tiny one)."""
    value = np.abs(np.asarray(check.symbolic, dtype=np.float64))
    if check.magnitude is None:  # nothing known of the terms: as large as the value, and at least 1
        return np.asarray(TOLERANCE[dtype] * max(1.0, float(np.max(value))))
    floor = UNIT_ROUNDOFF[dtype] * np.abs(np.asarray(check.magnitude, dtype=np.float64))
    return TOLERANCE[dtype] * value + floor + np.finfo(dtype).tiny


def _text(value) -> str:
    """A value on one line of a message: long arrays summarized (``[1., 1., ..., 1.]``)."""
    return np.array2string(np.asarray(value), precision=9, separator=", ", max_line_width=10**6,
                           threshold=6, edgeitems=2).replace("\n", "")


def _spec_key(graph: Graph, check: Check) -> str:
    if check.kind == "local":
        return f"graph.{check.term.split('/')[0]}"
    return f"parameters.{check.term}"


class DifferencesOnlyError(NumericError):
    """SymPy and the tape agree and only the finite differences are off: the check's own failure,
    never the spec's (the fuzz property ``no valid spec is refused by its finite differences``)."""


class ImpreciseError(NumericError):
    """float32 and float64 agree on too few digits of a number for the sheet to show it."""


def verify_finite(graph: Graph, numbers: TapeResult) -> None:
    """Refuse a sheet with a value that is not finite anywhere: a gradient, an update, a step's
    loss or parameter (a learning rate so large that the descent diverges)."""
    for name, value in numbers.gradients.items():
        if not np.all(np.isfinite(value)):
            raise NumericError(f"parameters.{name}", f"the gradient d{graph.loss}/d{name} is not finite "
                               f"({_text(value)})")
    for step, (loss, parameters) in enumerate(numbers.history):
        if step == 0:
            continue
        for name, value in parameters.items():
            if not np.all(np.isfinite(value)):
                raise NumericError("train.learning_rate", f"{name} after step {step} is not finite "
                                   f"({_text(value)}): the descent diverges; choose a smaller learning rate "
                                   "or fewer steps")
        if not np.all(np.isfinite(loss)):
            raise NumericError("train.learning_rate", f"the loss after step {step} is not finite "
                               f"({_text(loss)}): the descent diverges; choose a smaller learning rate or "
                               "fewer steps")


def verify_forward(graph: Graph, forward: dict[str, float]) -> None:
    """Refuse a forward value that is not finite, naming the node."""
    for node in graph.nodes:
        value = forward[node.name]
        if not np.all(np.isfinite(value)):
            raise NumericError(f"graph.{node.name}", f"value is not finite ({value}): a log of 0, "
                               "a division by 0 or an overflow, e.g. a saturated sigmoid under bce")
