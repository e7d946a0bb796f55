"""The computational graph: named nodes in spec order, their edges and their paths.

Each node may use only names defined before it, so spec order is a topological order
and a cycle cannot be written. An edge (node, input) exists for every name a node's
expression uses; a path runs from the loss back along edges to a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp

from ..errors import SpecError
from ..spec.limits import MAX_USES
from ..spec.schema import Spec
from .expressions import ParsedExpression, parse_expression

MAX_PATHS = 32
"""Paths from the loss to one parameter that a sheet writes out as a sum of products; beyond
this the chain rule is the backward recursion instead (dL/dnode, node by node), as with ``@``."""
MAX_INLINED = 5000
"""Parts of a node written out over inputs and parameters (higher derivatives need it): a
graph that reuses each node twice doubles the size a level, so 40 such nodes never finish."""


@dataclass(frozen=True)
class Node:
    """One graph node: its name and validated expression."""

    name: str
    expression: ParsedExpression

    @property
    def inputs(self) -> tuple[str, ...]:
        """The names this node uses directly, in order of first use."""
        return self.expression.names


@dataclass(frozen=True)
class Edge:
    """A node and one name it uses: the local derivative d(node)/d(input) lives here."""

    node: str
    input: str

    @property
    def key(self) -> str:
        return f"{self.node}/{self.input}"


@dataclass(frozen=True)
class Graph:
    """The whole model: constants, trainable parameters, nodes, and the loss node."""

    inputs: dict[str, float]
    parameters: dict[str, float]
    nodes: tuple[Node, ...]
    loss: str
    symbols: dict[str, sp.Symbol]
    trainable: tuple[str, ...] = ()
    """Parameters that gradient descent updates and the tape watches by default."""

    @cached_property
    def node_by_name(self) -> dict[str, Node]:
        return {node.name: node for node in self.nodes}

    @cached_property
    def edges(self) -> tuple[Edge, ...]:
        return tuple(Edge(node.name, name) for node in self.nodes for name in node.inputs)

    def values(self) -> dict[str, float]:
        """Every input and parameter with its starting value."""
        return {**self.inputs, **self.parameters}

    def path_count(self, target: str, source: str | None = None) -> int:
        """How many paths lead from ``source`` (default: the loss) to ``target``, counted by
        dynamic programming over the nodes, so a graph with Fibonacci-many paths costs nothing."""
        start = source or self.loss
        counts: dict[str, int] = {target: 1}
        for node in self.nodes:
            if node.name != target:
                counts[node.name] = sum(counts.get(name, 0) for name in node.inputs)
            if node.name == start:
                break
        return counts.get(start, 0)

    def paths(self, target: str, source: str | None = None) -> tuple[tuple[str, ...], ...]:
        """Every path source (default: the loss) -> ... -> target along edges, in a stable order.

        At most ``MAX_PATHS`` (count them with ``path_count`` first); more is a SpecError."""
        start = source or self.loss
        count = self.path_count(target, start)
        if count > MAX_PATHS:
            raise SpecError(f"graph.{start}", f"{count:,} paths lead to {target}; the limit is {MAX_PATHS}")
        found: list[tuple[str, ...]] = []
        stack: list[tuple[str, ...]] = [(start,)]
        while stack:  # depth first, without recursion (a chain may be as long as the graph)
            path = stack.pop()
            if path[-1] == target:
                found.append(path)
                continue
            node = self.node_by_name.get(path[-1])
            stack.extend((*path, name) for name in reversed(node.inputs if node else ()))
        return tuple(found)

    def inlined_size(self, name: str) -> int:
        """How many parts ``inlined(name)`` has, counted without building it."""
        sizes: dict[sp.Symbol, int] = {}
        for node in self.nodes:
            size = 0
            for part in sp.preorder_traversal(node.expression.sympy):
                size += sizes.get(part, 1)
            sizes[self.symbols[node.name]] = size
            if node.name == name:
                return size
        raise KeyError(name)

    def inlined(self, name: str, keep: str | None = None) -> sp.Expr:
        """Node ``name``'s expression over inputs and parameters only (nodes substituted), but for
        node ``keep``, which stays a name (a derivative with respect to a recorded node holds it).

        At most ``MAX_INLINED`` parts; more is a SpecError naming the node."""
        size = self.inlined_size(name)
        if size > MAX_INLINED:
            raise SpecError(f"graph.{name}", f"written out over inputs and parameters it has {size:,} "
                                             f"parts; the limit is {MAX_INLINED:,}")
        expression = self.node_by_name[name].expression.sympy
        for node in reversed(self.nodes[: self.nodes.index(self.node_by_name[name])]):
            if node.name != keep:
                expression = expression.xreplace({self.symbols[node.name]: node.expression.sympy})
        return expression


def build_graph(spec: Spec) -> Graph:
    """Parse every node of ``spec`` over the names defined before it."""
    names = [*spec.inputs, *spec.parameters, *spec.graph]
    symbols = {name: sp.Symbol(name, real=True) for name in names}
    known = {name: symbols[name] for name in (*spec.inputs, *spec.parameters)}
    inputs = {name: _value(value) for name, value in spec.inputs.items()}
    parameters = {name: _value(value) for name, value in spec.parameter_values().items()}
    nodes: list[Node] = []
    node_names = list(spec.graph)
    for index, (name, source) in enumerate(spec.graph.items()):
        later = frozenset(node_names[index:])
        parsed = parse_expression(source, f"graph.{name}", known, later)
        nodes.append(Node(name, parsed))
        uses = sum(len(node.inputs) for node in nodes)
        if uses > MAX_USES:  # each use is a local derivative, computed and checked three ways
            raise SpecError(f"graph.{name}", f"the nodes up to here use names {uses:,} times; the limit is "
                                             f"{MAX_USES} (each use is a local derivative on the sheet)")
        known[name] = symbols[name]
    graph = Graph(inputs, parameters, tuple(nodes), spec.loss, symbols, spec.trainable)
    _check_shapes(graph)
    return graph


def _value(value: float | list) -> float | np.ndarray:
    return np.asarray(value, dtype=np.float64) if isinstance(value, list) else float(value)


def _check_shapes(graph: Graph) -> None:
    """Evaluate once in float64, so a shape that does not fit is reported at its node; a part SymPy
    cancelled (``0 * (w @ w)`` is 0, ``1 ** w1`` is 1) is evaluated as written too, since the tape
    computes it: its shapes must fit, and not change the node's."""
    from .evaluate import forward_values, node_value

    values = forward_values(graph, graph.values())
    env = {graph.symbols[name]: value for name, value in values.items()}
    for node in graph.nodes:
        written, simplified = node.expression.display, node.expression.sympy
        cancelled = written.atoms(sp.Function, sp.Symbol) - simplified.atoms(sp.Function, sp.Symbol)
        shape = np.shape(node_value(node, written, env, values)) if cancelled else None
        if cancelled and shape != np.shape(values[node.name]):  # x1 + 1**w1: w1 broadcasts x1
            raise SpecError(f"graph.{node.name}", f"as written it has the shape {shape}, but SymPy "
                            f"simplifies it to {simplified}, of shape {np.shape(values[node.name])}; write "
                            f"it without the part that cancels ({', '.join(sorted(map(str, cancelled)))})")
