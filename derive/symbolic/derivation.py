"""Symbolic derivation with SymPy: every local derivative, and the chain rule per parameter.

For each edge (node, input) the local derivative is ``diff`` of the node's expression,
rewritten in terms of the nodes (``sigma(A1)(1 - sigma(A1))`` becomes ``A2(1 - A2)``),
with the general rule of every non-linear function it passes through, derived step by
step from the function's elementary definition. For each parameter the chain rule is a
sum over every path from the loss, each path a product of named local derivatives; a
product that cancels to something shorter (BCE after a sigmoid gives ``A2 - Y``) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

from ..errors import SpecError
from ..graph.axes import summed_over_elements
from ..graph.dag import MAX_PATHS, Edge, Graph
from ..graph.evaluate import forward_values
from ..graph.functions import CUSTOM_CLASSES, FUNCTIONS, matmul
from .backprop import (
    Backward,
    Shapes,
    backward,
    mixing_calls,
    mixing_edges,
    node_terms,
    unspread,
    vjp,
)
from .bounds import bounded
from .budget import simplification_budget, simplified
from .tidy import tidy

UPSTREAM = sp.Symbol("G")
"""The upstream gradient in a vector-Jacobian rule (G -> x^T G)."""


@dataclass(frozen=True)
class FunctionRule:
    """The general derivative of one whitelisted function in one argument."""

    name: str
    derivative: sp.Expr
    """d f(z) / dz as an unevaluated ``Derivative``."""
    result: sp.Expr
    """The textbook form, e.g. sigma(z)(1 - sigma(z))."""
    steps: tuple[tuple[sp.Expr, sp.Expr], ...]
    """(left, right) equalities from the definition to the textbook form."""


@dataclass(frozen=True)
class EdgeDerivation:
    """The local derivative d(node)/d(input)."""

    edge: Edge
    expression: sp.Expr
    """The node's defining expression."""
    derivative: sp.Expr
    """diff of the expression, in terms of the names the node uses."""
    in_nodes: sp.Expr
    """The same with node definitions replaced by node names (A2 for sigma(A1))."""
    rules: tuple[FunctionRule, ...]
    through_matrix_product: bool = False
    """True when the local derivative is a Jacobian that mixes elements (the input enters through
    ``@``, a softmax, a sum broadcast back over an array): ``derivative`` is then the
    vector-Jacobian map G -> ... that backpropagation applies."""
    matrix_product: bool = False
    """True when the input enters through ``@`` (a 4-index Jacobian, checked through the gradients)."""


@dataclass(frozen=True)
class PathProduct:
    """One path from the loss to a parameter and the product of its local derivatives."""

    path: tuple[str, ...]
    edges: tuple[Edge, ...]
    product: sp.Expr
    simplified: sp.Expr | None
    """A shorter equal form of the product, where cancelling finds one."""
    in_order: tuple[sp.Expr, ...] = ()
    """The shorter form's factors as a textbook writes them, in the path's order from the loss
    down (``_in_path_order``); empty where the form is a sum over elements."""


@dataclass(frozen=True)
class Simplification:
    """Two consecutive factors whose product cancels, e.g. BCE' times sigma' = A2 - Y."""

    edges: tuple[Edge, Edge]
    result: sp.Expr


@dataclass(frozen=True)
class ChainRule:
    """d(of)/d(parameter) as a sum over paths (``of`` is the loss unless a [gradient] says)."""

    of: str
    parameter: str
    paths: tuple[PathProduct, ...]
    simplifications: tuple[Simplification, ...]
    backward: sp.Expr | None = None
    """With matrix products: the gradient from the backward pass (paths are then empty)."""
    shown_backward: sp.Expr | None = None
    """The same as the sheet writes it, long upstream gradients kept as dL/d(node)."""

    @property
    def total(self) -> sp.Expr:
        if self.backward is not None:
            return self.backward
        return sp.Add(*(path.product for path in self.paths))


@dataclass(frozen=True)
class Target:
    """One derivative a [gradient] table asks for: d^order(of) / d(wrt)^order."""

    of: str
    wrt: str
    order: int = 1


@dataclass(frozen=True)
class HigherDerivative:
    """d^n(of)/d(wrt)^n of the node written out over inputs and parameters."""

    target: Target
    function: sp.Expr
    derivatives: tuple[sp.Expr, ...]
    """First, second, ... up to the target's order."""
    notes: tuple[str, ...] = ()
    """What the sheet says of them (a kink's Dirac delta left out)."""


@dataclass(frozen=True)
class Derivation:
    """Everything SymPy derives for one graph."""

    edges: dict[str, EdgeDerivation]
    chains: dict[str, ChainRule]
    """The loss with respect to each trainable parameter."""
    backward: Backward | None
    """The symbolic backward pass, for graphs with matrix products."""
    targets: dict[Target, ChainRule | HigherDerivative]
    """What the [gradient] tables ask for: chain rules for order 1, higher derivatives above."""


def derive(graph: Graph, targets: tuple[Target, ...] = ()) -> Derivation:
    """Derive every local derivative, every trainable parameter's chain rule, and ``targets``,
    simplifying within one counted budget (``budget.BUDGET``)."""
    with simplification_budget():
        return _derive(graph, targets)


def _derive(graph: Graph, targets: tuple[Target, ...]) -> Derivation:
    values = forward_values(graph, graph.values())
    check_arguments(graph, values)
    mixing = mixing_edges(graph, values)
    edges = {edge.key: _derive_edge(graph, edge, edge.key in mixing, values) for edge in graph.edges}
    if mixing or _too_many_paths(graph, graph.loss, graph.trainable):
        passed = backward(graph, graph.loss, values)
        chains = {name: ChainRule(graph.loss, name, (), (), passed.gradients.get(name, sp.Integer(0)),
                                  passed.shown.get(name, sp.Integer(0)))
                  for name in graph.trainable}
    else:
        passed = None
        shapes = Shapes(graph, values)
        chains = {name: _chain_rule(graph, graph.loss, name, edges, shapes) for name in graph.trainable}
    derived: dict[Target, ChainRule | HigherDerivative] = {}
    backwards = {graph.loss: passed} if passed is not None else {}
    for target in targets:
        if target.order == 1 and (mixing or _too_many_paths(graph, target.of, (target.wrt,))):
            # a path's product of mixing local derivatives is a vector-Jacobian map (G -> x^T G),
            # not a number: the backward pass gives the gradient, as it does the loss's
            if target.of not in backwards:
                backwards[target.of] = backward(graph, target.of, values)
            found = backwards[target.of]
            derived[target] = ChainRule(target.of, target.wrt, (), (),
                                        found.gradients.get(target.wrt, sp.Integer(0)),
                                        (found.shown or {}).get(target.wrt, sp.Integer(0)))
        elif target.order == 1:
            derived[target] = _chain_rule(graph, target.of, target.wrt, edges)
        else:
            refuse_mixing(graph, target, mixing)
            function = graph.inlined(target.of, keep=target.wrt)  # a node source is held, as on the tape
            variable = graph.symbols[target.wrt]
            derivatives, notes = _higher(function, variable, target)
            _computable(derivatives[-1], graph, values, target)
            derived[target] = HigherDerivative(target, function, derivatives, notes)
    return Derivation(edges, chains, passed, derived)


def _higher(function: sp.Expr, variable: sp.Symbol, target: Target) -> tuple[tuple[sp.Expr, ...],
                                                                            tuple[str, ...]]:
    """The first to the target's order derivatives, each factored where that is cheap (else as
    ``diff`` gives it), and the sheet's notes on them. One order at a time: ``diff(f, x, 4)``
    simplifies each order on its own (factor_terms, which took 16 s on four nested sigmoids), and
    each order is bounded in size.

    A kink's step (relu' = H(z)) differentiates to a Dirac delta, which is 0 everywhere but at the
    kink, where no derivative exists (the checks refuse a point exactly on a kink): it is left out,
    and the sheet says so. A derivative SymPy leaves unevaluated (a second derivative through
    ``@`` or a softmax, whose Jacobian the sheet writes only as a backward rule) is refused."""
    derivatives, derivative, notes = [], function, []
    for order in range(1, target.order + 1):
        name = f"d^{order}{target.of}/d{target.wrt}^{order}"
        derivative = bounded(sp.diff(derivative, variable), "gradient.order", name)
        if derivative.find(_step_differentiated):
            derivative = derivative.replace(_step_differentiated, lambda e: sp.Integer(0)).replace(
                lambda e: e.is_Pow and isinstance(e.base, sp.Heaviside) and e.exp.is_positive,
                lambda e: e.base)  # a step is 0 or 1: H(z)^2 = H(z)
            notes.append(f"{name}: differentiating a kink's step again (relu' = H(z), |z|' = sign z) "
                         "gives a Dirac delta at the kink, which is 0 everywhere else, so it is left out "
                         "(at the kink itself the derivative does not exist).")
        derivatives.append(simplified("factor", derivative, sp.factor, derivative))
    return tuple(derivatives), tuple(dict.fromkeys(notes))


def _computable(derivative: sp.Expr, graph: Graph, values: dict, target: Target) -> None:
    """Refuse a higher derivative that float64 evaluation cannot compute: what SymPy leaves
    unevaluated (d/dx of a call it cannot differentiate, re() of an entry it does not know to be
    real), one line rather than a traceback where the numbers are checked."""
    from ..graph.evaluate import evaluate

    try:
        evaluate(derivative, {graph.symbols[name]: value for name, value in values.items()})
    except TypeError as error:
        raise SpecError("gradient.order", f"d^{target.order}{target.of}/d{target.wrt}^{target.order}: "
                        f"derive {error} (SymPy left it in the derivative); ask for a lower order") from None


def _step_differentiated(expression: sp.Basic) -> bool:
    """A kink's step differentiated again: SymPy's Dirac delta, or d sign(u) / dv left unevaluated
    where u is not known to be real (a matrix product's entry); 0 everywhere but at the kink."""
    return isinstance(expression, sp.DiracDelta) or (
        isinstance(expression, sp.Derivative) and isinstance(expression.expr, sp.sign | sp.Heaviside))


def refuse_mixing(graph: Graph, target: Target, mixing: frozenset[str]) -> None:
    """Refuse a higher derivative whose path passes through a node that mixes elements (``@``, a
    softmax, a reduction broadcast back; ``mixing``: their edges): its Jacobian is written only as
    a backward rule, once. Order 1 passes."""
    if target.order == 1:
        return
    reaching, depending = {target.of}, {target.wrt}
    for node in reversed(graph.nodes):
        if node.name in reaching:
            reaching.update(node.inputs)
    for node in graph.nodes:
        if depending.intersection(node.inputs):
            depending.add(node.name)
    for edge in graph.edges:
        if edge.key in mixing and edge.node in reaching and edge.input in depending:
            written = graph.node_by_name[edge.node].expression.source
            raise SpecError("gradient.order", f"order {target.order} of {target.of} in {target.wrt} passes "
                            f"through {edge.node} = {written}, which mixes the elements of {edge.input}; "
                            "derive differentiates such a node once only (as a backward rule): ask for "
                            f"order = 1, or for a source whose path to {target.of} is element-wise")


def check_arguments(graph: Graph, values: dict) -> None:
    """Refuse a call whose arguments its registry entry does not allow (a cross-entropy target
    that is not a distribution), naming the node: a one-line SpecError."""
    from ..graph.evaluate import evaluate

    env = {graph.symbols[name]: value for name, value in values.items()}
    for node in graph.nodes:
        for call in sp.preorder_traversal(node.expression.sympy):
            entry = FUNCTIONS.get(CUSTOM_CLASSES.get(type(call), ""))
            if entry is None or entry.check is None:
                continue
            problem = entry.check(*(evaluate(arg, env) for arg in call.args))
            if problem:
                raise SpecError(f"graph.{node.name}", f"{entry.name}(): {problem}")


def _too_many_paths(graph: Graph, of: str, sources: tuple[str, ...]) -> bool:
    """Whether a sum over paths would be too long to show (then the backward recursion is)."""
    return any(graph.path_count(source, of) > MAX_PATHS for source in sources)


def _derive_edge(graph: Graph, edge: Edge, mixing: bool, values: dict) -> EdgeDerivation:
    expression = graph.node_by_name[edge.node].expression.sympy
    variable = graph.symbols[edge.input]
    if mixing:
        # the local derivative is a Jacobian that mixes elements (4 indices through a matrix
        # product); what the backward pass does with it is the vector-Jacobian product,
        # G -> G B^T or A^T G, G -> p (G - sum_j G_j p_j) for a softmax
        shapes = Shapes(graph, values)
        shapes.given(UPSTREAM, shapes.of(expression))
        passed: dict[sp.Symbol, sp.Expr] = {}
        vjp(expression, UPSTREAM, passed, shapes)
        rule = tidy(passed.get(variable, sp.Integer(0)).xreplace(node_terms(graph)))
        products = [call for call in mixing_calls(expression, shapes) if isinstance(call, matmul)]
        through = any(call.has(variable) for call in products)
        return EdgeDerivation(edge, expression, rule, rule, _rules_used(expression, variable), True, through)
    derivative = bounded(unspread(sp.diff(expression, variable), Shapes(graph, values)),
                         f"graph.{edge.node}", f"d{edge.node}/d{edge.input}")
    return EdgeDerivation(
        edge, expression, derivative, _in_node_terms(graph, derivative, edge.node),
        _rules_used(expression, variable),
    )


def _in_node_terms(graph: Graph, expression: sp.Expr, up_to: str) -> sp.Expr:
    replacements: dict[sp.Expr, sp.Symbol] = {}
    for node in graph.nodes:
        if not node.expression.sympy.is_Atom:
            replacements[node.expression.sympy] = graph.symbols[node.name]
        if node.name == up_to:
            break
    return expression.xreplace(replacements)


def _rules_used(expression: sp.Expr, variable: sp.Symbol) -> tuple[FunctionRule, ...]:
    rules: list[FunctionRule] = []
    for sub in sp.preorder_traversal(expression):
        name = CUSTOM_CLASSES.get(type(sub))
        if name is None:
            continue
        for index, argument in enumerate(sub.args):
            if variable in argument.free_symbols:
                rule = function_rule(name, index)
                if rule not in rules:
                    rules.append(rule)
    return tuple(rules)


@cache
def function_rule(name: str, argindex: int) -> FunctionRule:
    """The general rule of function ``name`` in its argument ``argindex``, with steps."""
    spec = FUNCTIONS[name]
    if spec.rule is not None:  # a vector function: its Jacobian in index form
        derivative, result, steps = spec.rule(argindex)
        return FunctionRule(name, derivative, result, steps)
    parameters = [sp.Symbol(p, real=True) for p in spec.parameters[:spec.arity - int(spec.axis)]]
    applied = spec.build(*parameters)
    wrt = parameters[argindex]
    result = sp.diff(applied, wrt)
    derivative = sp.Derivative(applied, wrt)
    definition = spec.definition(*parameters)
    steps: list[tuple[sp.Expr, sp.Expr]] = []
    if definition != applied:
        steps.append((applied, definition))
        raw = sp.diff(definition, wrt)
        steps.append((derivative, raw))
        if raw != result:
            steps.append((derivative, result))
    return FunctionRule(name, derivative, result, tuple(steps))


def _chain_rule(graph: Graph, of: str, parameter: str, edges: dict[str, EdgeDerivation],
                shapes: Shapes | None = None) -> ChainRule:
    products: list[PathProduct] = []
    simplifications: list[Simplification] = []
    for path in graph.paths(parameter, of):
        path_edges = tuple(Edge(a, b) for a, b in zip(path, path[1:], strict=False))
        factors = [edges[edge.key].in_nodes for edge in path_edges]
        product = sp.Mul(*factors)
        in_order = _in_path_order(factors)
        in_order = () if in_order == tuple(factors) else in_order  # nothing to cancel, gather or leave out
        shorter = sp.Mul(*in_order) if in_order else None
        if shapes is not None and _summed(shapes, product, parameter, graph):
            in_order = ()
            if shorter is not None:
                shorter = summed_over_elements(shorter)
            elif len(path_edges) == 1:  # a one-node reduction: its 1 (or 1/n) per element, summed
                shorter = summed_over_elements(product)
        products.append(PathProduct(path, path_edges, product, shorter, in_order))
        for first, second in zip(path_edges, path_edges[1:], strict=False):
            pair = _shorter(edges[first.key].in_nodes * edges[second.key].in_nodes)
            found = Simplification((first, second), pair) if pair is not None else None
            if found is not None and found not in simplifications:
                simplifications.append(found)
    return ChainRule(of, parameter, tuple(products), tuple(simplifications))


def _summed(shapes: Shapes, product: sp.Expr, parameter: str, graph: Graph) -> bool:
    """Whether a path's product is an array summed into a scalar parameter's gradient."""
    try:
        return not shapes.of(graph.symbols[parameter]) and bool(shapes.of(product))
    except (ValueError, TypeError, KeyError):
        return False


def _in_path_order(factors: list[sp.Expr]) -> tuple[sp.Expr, ...]:
    """The textbook form of a path's product as its factors: from the loss down, each pair of
    neighbours that cancels (BCE' times sigma' = p - y) replaced by its short form, the others as
    they are (1 - h^2, never (h - 1)(h + 1)), one number in front, ones left out:
    (o - y), v1, (1 - h1^2), x1."""
    merged: list[sp.Expr] = []
    for factor in factors:  # from the loss down, as the path's edges run
        pair = _shorter(merged[-1] * factor) if merged else None
        if pair is not None:
            merged[-1] = pair
        else:
            merged.append(factor)
    flat = [a for f in merged for a in (f.args if f.is_Mul and sp.fraction(f)[1] == 1 else (f,))]
    coefficient = sp.Mul(*(f for f in flat if f.is_Number))
    rest = tuple(f for f in flat if not f.is_Number)
    return rest if coefficient == 1 and rest else (coefficient, *rest)


def _shorter(product: sp.Expr) -> sp.Expr | None:
    """A shorter equal form of a product, where cancelling finds one, signs taken inside
    (p - y, not -(y - p))."""
    return simplified("shorter", product, _cancelled, None)


def _cancelled(product: sp.Expr) -> sp.Expr | None:
    candidate = tidy(sp.factor(sp.cancel(product)))
    if sp.count_ops(candidate) < sp.count_ops(product):
        return candidate
    return None
