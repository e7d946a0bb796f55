r"""The backward pass as vector-Jacobian products, for graphs whose nodes mix elements.

Where a node's Jacobian is not diagonal (``@``, softmax, a sum or a mean whose value is
broadcast back over an array, a cross-entropy per row), a path's product of element-wise
local derivatives no longer says what backpropagation does; the upstream gradient G of each
node is passed to its inputs instead: element-wise parts multiply G by their local
derivative, ``A @ B`` sends ``G B^T`` to A and ``A^T G`` to B, and a registry function with a
``vjp`` sends what its entry says (softmax: p ⊙ (G - Σ_j G_j p_j)). A scalar-valued call
inside an array receives G summed over that array, which is what a broadcast's gradient is.

Run over the nodes in reverse order this gives every dL/d(name) twice: ``gradients``,
written out over inputs, parameters and nodes (for the numbers), and ``shown``, where a long
upstream gradient stays a symbol dL/d(node) (for the sheet: dL/dW1 = x^T (dL/dh ⊙ h ⊙ (1 - h))).
Shapes come from one float64 forward pass at the spec's values; they decide where sums go.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..errors import SpecError
from ..graph.axes import axis_mean, axis_sum, reduction_note, summed_over_elements
from ..graph.dag import Graph
from ..graph.evaluate import evaluate, forward_values
from ..graph.functions import (
    CUSTOM_CLASSES,
    FUNCTIONS,
    matmul,
    outer,
    spread,
    total,
    transpose,
)
from ..graph.products import count
from ..graph.vectors import cross_entropy, row_sum, rowsum
from .bounds import bounded
from .tidy import size, tidy

INLINE_OPS = 6
"""An upstream gradient of at most this many operations (and no @) is written out where it is
used; a longer one stays the symbol dL/d(node), defined in its own row."""


class Upstream(sp.Symbol):
    """dL/d(node) as one symbol, named ``"L/node"`` (a '/' no spec name can hold); the printers
    write it as the partial it stands for (``_print_Upstream``)."""

    @property
    def partial(self) -> tuple[str, str]:
        """The names of the loss and the node."""
        of, wrt = self.name.split("/")
        return of, wrt


class Shapes:
    """The shape of any expression over a graph's names, from its float64 values."""

    def __init__(self, graph: Graph, values: dict | None = None) -> None:
        values = values if values is not None else forward_values(graph, graph.values())
        self.env = {graph.symbols[name]: value for name, value in values.items()}

    def of(self, expression: sp.Expr) -> tuple[int, ...]:
        return np.shape(evaluate(expression, self.env))

    def given(self, symbol: sp.Symbol, shape: tuple[int, ...]) -> None:
        """Let ``symbol`` (an upstream gradient) stand for an array of ``shape``."""
        self.env[symbol] = np.ones(shape)


@dataclass(frozen=True)
class Backward:
    """The symbolic upstream gradient of every name the loss depends on."""

    of: str
    gradients: dict[str, sp.Expr]
    """d(of)/d(name) for nodes, inputs and parameters, in node names (broadcasts not yet summed)."""
    order: tuple[str, ...]
    """Nodes in the order the backward pass visits them."""
    shown: dict[str, sp.Expr] | None = None
    """The same as the sheet writes them, a long upstream gradient kept as dL/d(node)."""
    steps: dict[str, sp.Expr] | None = None
    """A node's gradient before a simplification (softmax then cross-entropy: p ⊙ (Σ_j t - t/p))."""
    notes: tuple[str, ...] = ()
    """The simplifications used, in words."""


def _mixes(call: sp.Basic) -> bool:
    return isinstance(call, matmul) or (
        type(call) in CUSTOM_CLASSES and FUNCTIONS[CUSTOM_CLASSES[type(call)]].vjp is not None)


def mixing_calls(expression: sp.Expr, shapes: Shapes) -> list[sp.Expr]:
    """The outermost calls of ``expression`` whose Jacobian is not element-wise: every ``@``,
    softmax and log-softmax, and a reduction unless it and all around it are scalars."""
    found: list[sp.Expr] = []

    def walk(node: sp.Basic, inside_array: bool) -> None:
        here = inside_array or int(np.prod(shapes.of(node))) > 1  # one element reads as a scalar
        if _mixes(node):
            entry = FUNCTIONS.get(CUSTOM_CLASSES.get(type(node), ""))
            plain = entry is not None and entry.reduces and not here and len(node.args) == 1
            if not plain:
                found.append(node)
                return
        for arg in node.args:
            if not arg.is_Atom:
                walk(arg, here)

    walk(expression, False)
    return list(dict.fromkeys(found))


def mixing_edges(graph: Graph, values: dict | None = None) -> frozenset[str]:
    """The edges (``node/input``) whose local derivative is a Jacobian, not element-wise: through a
    mixing call, or into a reduction whose result is broadcast over an array further down (a mean
    subtracted from every element, two nodes later)."""
    shapes = Shapes(graph, values)
    keys = set()
    rebroadcast = rebroadcast_reductions(graph, shapes)
    for node in graph.nodes:
        calls = mixing_calls(node.expression.sympy, shapes)
        if node.name in rebroadcast:
            calls += reductions_of_arrays(node.expression.sympy, shapes)
        for name in node.inputs:
            if any(call.has(graph.symbols[name]) for call in calls):
                keys.add(f"{node.name}/{name}")
    return frozenset(keys)


def _reduces(call: sp.Basic) -> bool:
    entry = FUNCTIONS.get(CUSTOM_CLASSES.get(type(call), ""))
    return entry is not None and entry.reduces


def reductions_of_arrays(expression: sp.Expr, shapes: Shapes) -> list[sp.Expr]:
    """The reductions in ``expression`` (sum, mean, var, std, a cross-entropy) that take an array to
    fewer elements: their derivative is one number per element of their argument."""
    return [call for call in sp.preorder_traversal(expression) if _reduces(call)
            and int(np.prod(shapes.of(call.args[0]))) > int(np.prod(shapes.of(call)))]


def reduces_an_array(expression: sp.Expr, shapes: Shapes) -> bool:
    return bool(reductions_of_arrays(expression, shapes))


def broadcast_inputs(expression: sp.Expr, shapes: Shapes) -> set[sp.Symbol]:
    """The symbols ``expression`` broadcasts over more elements than their own (a scalar in x - m,
    a row over a batch); a matrix product's operands are not broadcast by it."""
    found: set[sp.Symbol] = set()
    stack: list[tuple[sp.Basic, int]] = [(expression, 0)]
    while stack:
        node, widest = stack.pop()
        if node.is_Symbol:
            if widest > int(np.prod(shapes.of(node))):
                found.add(node)
            continue
        if not isinstance(node, matmul):
            widest = max(widest, int(np.prod(shapes.of(node))))
        stack.extend((arg, widest) for arg in node.args if not arg.is_Number)
    return found


def rebroadcast_reductions(graph: Graph, shapes: Shapes) -> set[str]:
    """Nodes that reduce an array and whose value, or a value computed from it, a later node
    broadcasts over an array: backpropagation must sum the gradient that comes back before it
    passes through the reduction (a sum over paths of element-wise factors would pair each
    element's gradient with that element's own share only, and lose the cross terms)."""
    reducing = {node.name for node in graph.nodes if reduces_an_array(node.expression.sympy, shapes)}
    upstream: dict[str, set[str]] = {}  # node -> the reducing nodes its value depends on
    found: set[str] = set()
    for node in graph.nodes:
        for symbol in broadcast_inputs(node.expression.sympy, shapes):
            found |= upstream.get(symbol.name, set())
        sources = set().union(*(upstream.get(name, set()) for name in node.inputs))
        upstream[node.name] = sources | ({node.name} if node.name in reducing else set())
    return found


def has_matrix_product(graph: Graph, values: dict | None = None) -> bool:
    """Whether any node mixes elements (then the sheet shows the backward pass)."""
    return bool(mixing_edges(graph, values))


def node_terms(graph: Graph) -> dict[sp.Expr, sp.Symbol]:
    """Each node's expression -> its name, so sigma(x W1 + b1)(1 - ...) reads h (1 - h)."""
    return {node.expression.sympy: graph.symbols[node.name] for node in graph.nodes
            if not node.expression.sympy.is_Atom}


def backward(graph: Graph, of: str, values: dict | None = None) -> Backward:
    """Propagate d(of)/d(of) = 1 back through the graph, node by node."""
    shapes = Shapes(graph, values)
    names = node_terms(graph)
    targets = _distribution_rules(graph)
    numeric: dict[sp.Symbol, sp.Expr] = {graph.symbols[of]: sp.Integer(1)}
    display: dict[sp.Symbol, sp.Expr] = {graph.symbols[of]: sp.Integer(1)}
    shown, steps, visited = {}, {}, []
    for node in reversed(graph.nodes[: graph.nodes.index(graph.node_by_name[of]) + 1]):
        symbol = graph.symbols[node.name]
        if symbol not in numeric:
            continue
        visited.append(node.name)
        raw = display[symbol].xreplace(names)
        tidied = tidy(_summed_to_one(raw, targets, shapes))
        # a scalar node fed by an array (a batch's mean or variance): its gradient sums over the batch
        summed = (node.name != of and not tidied.has(matmul)
                  and _broadcast(shapes, numeric[symbol], symbol))
        shown[node.name] = summed_over_elements(tidied, lambda f: not shapes.of(f)) if summed else tidied
        if tidied != tidy(raw):
            steps[node.name] = tidy(raw)
        upstream = tidied
        if tidied.has(matmul) or tidied.atoms(Upstream) or size(tidied) > INLINE_OPS:
            upstream = Upstream(f"{of}/{node.name}", real=True)
            shapes.given(upstream, shapes.of(symbol))
        bounded(numeric[symbol], f"graph.{node.name}", f"d{of}/d{node.name}")
        vjp(node.expression.sympy, numeric[symbol].xreplace(names), numeric, shapes)
        vjp(node.expression.sympy, upstream, display, shapes)
    gradients = {name: numeric[s].xreplace(names) for name, s in graph.symbols.items() if s in numeric}
    for name, s in graph.symbols.items():
        if s in display and name not in shown:
            shown[name] = tidy(_summed_to_one(display[s].xreplace(names), targets, shapes))
    for name in graph.trainable:  # a broadcast parameter (a bias over the batch): its gradient sums
        if name in shown and _broadcast(shapes, numeric.get(graph.symbols[name]), graph.symbols[name]):
            shown[name] = summed_over_elements(shown[name])
    notes = (_SOFTMAX_NOTE,) if steps and targets else ()
    reductions = [(name, call) for name in visited
                  for call in graph.node_by_name[name].expression.sympy.atoms(axis_sum, axis_mean)]
    notes += tuple(reduction_note(call, name, shapes.of(call.args[0])) for name, call in reductions)
    return Backward(of, gradients, tuple(visited), shown, steps, notes)


def _broadcast(shapes: Shapes, gradient: sp.Expr | None, symbol: sp.Symbol) -> bool:
    """Whether ``symbol``'s gradient, before summing, is an array over more rows than it has: a
    scalar or a bias broadcast over a batch (summed over its leading axis or all elements)."""
    if gradient is None or gradient.has(matmul):
        return False
    own, full = shapes.of(symbol), shapes.of(gradient)
    if not full:  # one number for every element (a gradient that cancelled to 0): nothing to sum
        return False
    return full != own and (not own or (len(full) == len(own) + 1 or full[0] != own[0]))


_SOFTMAX_NOTE = ("Cross-entropy after softmax: the softmax's backward rule p (G - sum_j G_j p_j), element "
                 "by element, with G = -t/p gives p sum_j t_j - t = p - t, because the target t sums to 1 "
                 "(under a mean over a batch of n rows, G = -t/(n p) and the same steps give (p - t)/n).")


def _distribution_rules(graph: Graph) -> frozenset[sp.Symbol]:
    """Every cross-entropy target that is an input or parameter: checked to be a distribution, so
    its rows sum to 1, which turns the softmax's rule into p - t."""
    return frozenset(call.args[1] for node in graph.nodes
                     for call in node.expression.sympy.atoms(cross_entropy) if call.args[1].is_Symbol)


def _summed_to_one(expression: sp.Expr, targets: frozenset[sp.Symbol], shapes: Shapes) -> sp.Expr:
    """``expression`` with Σ_j (c t)_j written c, for a target t whose rows sum to 1 and a factor c
    the same for every element (a mean's 1/n): P Σ_j (T/n) - T/n becomes (P - T)/n."""
    def rule(call: sp.Expr) -> sp.Expr:
        factors = sp.Mul.make_args(call.args[0])
        rest = [f for f in factors if f not in targets]
        if len(factors) - len(rest) == 1 and all(f.is_number or isinstance(f.as_base_exp()[0], count)
                                                  or not shapes.of(f) for f in rest):
            return sp.Mul(*rest)
        return call

    return expression.replace(lambda e: isinstance(e, rowsum), rule) if targets else expression


def vjp(expression: sp.Expr, upstream: sp.Expr, gradients: dict[sp.Symbol, sp.Expr],
        shapes: Shapes) -> None:
    """Add what ``expression`` passes back to each symbol it uses, given its upstream gradient
    (an array of the expression's shape)."""
    shape = shapes.of(expression)
    if shapes.of(upstream) != shape and reduces_an_array(expression, shapes):
        # G is broadcast over more than this expression (a mean subtracted from every element):
        # summed first, since a reduction's local derivative is per element of its argument and
        # must not be paired element by element with G
        upstream = summed_down(upstream, shape, shapes.of(upstream), expression)
    calls = mixing_calls(expression, shapes)
    temporaries = {sp.Dummy(f"M{index}"): call for index, call in enumerate(calls)}
    flat = expression.xreplace({call: dummy for dummy, call in temporaries.items()})
    for symbol in sorted(flat.free_symbols, key=lambda s: s.name):
        local = unspread(sp.diff(flat, symbol).xreplace(temporaries), shapes)  # a sibling call stays
        if local == 0:
            continue
        passed = upstream * local
        if symbol not in temporaries:
            gradients[symbol] = gradients.get(symbol, sp.Integer(0)) + _spread(passed, expression, shape,
                                                                                shapes)
            continue
        call = temporaries[symbol]
        passed = _spread(passed, expression, shape, shapes)  # then summed to the call's own shape: a sum
        passed = summed_down(passed, shapes.of(call), shapes.of(passed), expression)  # in it stays summed
        if isinstance(call, matmul):
            _matmul_vjp(call, passed, gradients, shapes)
            continue
        parts = FUNCTIONS[CUSTOM_CLASSES[type(call)]].vjp(call.args, passed)
        for argument, part in zip(call.args, parts, strict=True):
            if argument.free_symbols:
                vjp(argument, part, gradients, shapes)


def unspread(expression: sp.Expr, shapes: Shapes) -> sp.Expr:
    """``expression`` without the spreads that change no shape (d sum(r^2)/dr = 2 r, already r's
    shape): only a term that holds no array of its own (the 1 of a bias) stays spread."""
    return expression.replace(
        lambda e: isinstance(e, spread) and shapes.of(e.args[0]) == shapes.of(e.args[1]),
        lambda e: e.args[0])


def _matmul_vjp(call: matmul, passed: sp.Expr, gradients: dict[sp.Symbol, sp.Expr], shapes: Shapes) -> None:
    """A @ B sends G B^T to A and A^T G to B; a vector operand (1-D) makes these outer products."""
    left, right = call.args
    if not shapes.of(passed) and shapes.of(call):  # one number for every entry (d sum(A @ B)/d(A @ B))
        passed = spread(passed, call)
    vector_left, vector_right = len(shapes.of(left)) == 1, len(shapes.of(right)) == 1
    if vector_left and vector_right:  # a dot product: a scalar G times the other vector
        to_left, to_right = passed * right, passed * left
    else:
        to_left = outer(passed, right, 1) if vector_right else matmul(passed, transpose(right))
        to_right = outer(left, passed, 0) if vector_left else matmul(transpose(left), passed)
    vjp(left, to_left, gradients, shapes)
    vjp(right, to_right, gradients, shapes)


def _spread(passed: sp.Expr, expression: sp.Expr, shape: tuple[int, ...], shapes: Shapes) -> sp.Expr:
    """``passed`` as an array of ``shape`` where it holds no array itself (1/n under a sum)."""
    own = shapes.of(passed)
    if own == shape or np.broadcast_shapes(own, shape) == own or (not own and np.prod(shape) == 1):
        return passed  # the same, or a single element (a loss of shape (1, 1)) needs no spreading
    return spread(passed, expression)


def summed_down(passed: sp.Expr, target: tuple[int, ...], shape: tuple[int, ...],
                expression: sp.Expr) -> sp.Expr:
    """The gradient a value of shape ``target`` gets when it is broadcast over ``shape``: ``passed``
    (of ``shape``) summed over the broadcast axes, as the vector-Jacobian product of a broadcast is."""
    if target == shape or len(target) > len(shape):
        return passed
    if target in ((), (1,)):
        return total(passed)
    if target == (*shape[:-1], 1):
        return row_sum(passed)
    if target == shape[len(shape) - len(target):]:
        for _ in range(len(shape) - len(target)):  # over the leading (batch) axes, one at a time
            passed = axis_sum(passed, sp.Integer(0))
        return passed
    raise SpecError("graph", f"a value of shape {target} broadcast over {shape} in "
                    f"{expression}: sum it explicitly first")
