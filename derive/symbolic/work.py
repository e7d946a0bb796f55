"""How much arithmetic a sheet's three-way check will do, counted before any of it runs.

The check's finite differences perturb each number of an input on its own and evaluate the
node again (for a total gradient, the whole forward pass), a Ridders tableau of up to
``RIDDERS`` evaluations per number, nested once per order of a [gradient] table. So an
array of n numbers feeding a node of n numbers costs about n^2: 39 softmax nodes over 1000
numbers ran 600 s and 12.9 GB before this count refused them. The count is operations times
the numbers each touches (plus ``OVERHEAD`` for the walk over the expression), from the
shapes alone; a spec past ``MAX_CHECK_WORK`` is refused in a moment, naming the derivative
that costs most. A Jacobian too large to check whole (``checks.MAX_JACOBIAN``) costs nothing:
it is checked through the gradients it feeds.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..errors import SpecError
from ..graph.dag import Graph
from ..spec.limits import MAX_CHECK_WORK, MAX_JACOBIAN
from .backprop import mixing_edges
from .derivation import Target

RIDDERS = 20
"""Evaluations one difference quotient takes at most (two a row of the tableau, ten rows)."""
OVERHEAD = 2_000
"""What one operation of an evaluation costs beyond the numbers it touches, in numbers: NumPy's
and the tree walk's own time (about 3 us a call, as long as 2,000 numbers take)."""


def check_work(graph: Graph, values: dict, targets: tuple[Target, ...] = (),
               mixing: frozenset[str] | None = None) -> None:
    """Refuse a graph whose three-way check would do more than ``MAX_CHECK_WORK``, naming the
    derivative that costs most (a one-line ``SpecError``); ``mixing``: ``backprop.mixing_edges``."""
    parts = work(graph, values, targets, mixing)
    total = sum(parts.values())
    if total <= MAX_CHECK_WORK:
        return
    by_node: dict[str, int] = {}
    for (node, _), amount in parts.items():
        by_node[node] = by_node.get(node, 0) + amount
    node, largest = max(by_node.items(), key=lambda item: item[1])
    sources = list(dict.fromkeys(source for (of, source) in parts if of == node))
    widest = max(sources, key=lambda source: np.size(values[source]))
    named = ", ".join(sources[:3]) + (f" ... ({len(sources)} names)" if len(sources) > 3 else "")
    raise SpecError(f"graph.{node}", f"checking the derivatives would take about {_round(total)} "
                    f"operations; the limit is {_round(MAX_CHECK_WORK)}. {largest / total:.0%} of it checks "
                    f"the derivatives of {node} with respect to {named}, whose finite differences evaluate "
                    f"again for each number perturbed ({np.size(values[widest]):,} in {widest}): use "
                    "smaller arrays, fewer nodes over them, or a lower gradient.order")


def work(graph: Graph, values: dict, targets: tuple[Target, ...] = (),
         mixing: frozenset[str] | None = None) -> dict[tuple[str, str], int]:
    """The check's work by what it checks: (node, input) for a local derivative, (loss or a
    table's ``of``, source) for a total gradient."""
    size = {name: int(np.size(value)) for name, value in values.items()}
    cost = {node.name: _evaluation(node.expression.sympy, [node.name, *node.inputs], size)
            for node in graph.nodes}
    mixing = mixing if mixing is not None else mixing_edges(graph, values)
    parts: dict[tuple[str, str], int] = {}

    def add(key: tuple[str, str], amount: int) -> None:
        parts[key] = parts.get(key, 0) + amount

    for edge in graph.edges:
        jacobian = size[edge.node] * size[edge.input]
        if edge.key in mixing and jacobian > MAX_JACOBIAN:
            continue  # checked through the gradients it feeds
        add((edge.node, edge.input), RIDDERS * size[edge.input] * cost[edge.node])
    for name in graph.trainable:
        add((graph.loss, name), RIDDERS * size[name] * _forward(graph, cost, graph.loss))
    for target in targets:
        add((target.of, target.wrt),
            RIDDERS ** target.order * size[target.wrt] * _forward(graph, cost, target.of))
    return parts


def _evaluation(expression: sp.Expr, names: list[str], size: dict[str, int]) -> int:
    """One evaluation of a node: its operations, each over the widest array it meets."""
    operations = sum(1 for _ in sp.preorder_traversal(expression))
    return operations * (max(size[name] for name in names) + OVERHEAD)


def _forward(graph: Graph, cost: dict[str, int], up_to: str) -> int:
    """One forward pass up to node ``up_to``."""
    nodes = graph.nodes[: graph.nodes.index(graph.node_by_name[up_to]) + 1]
    return sum(cost[node.name] for node in nodes)


def _round(amount: int) -> str:
    """A large count in words: ``68 billion``."""
    for value, word in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
        if amount >= value:
            return f"{amount / value:,.0f} {word}"
    return f"{amount:,}"
