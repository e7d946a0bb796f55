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

from ..spec.schema import Spec
from .expressions import ParsedExpression, parse_expression

MAX_PATHS = 256


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

    def paths(self, target: str, source: str | None = None) -> tuple[tuple[str, ...], ...]:
        """Every path source (default: the loss) -> ... -> target along edges, in a stable order."""
        found: list[tuple[str, ...]] = []

        def walk(path: tuple[str, ...]) -> None:
            head = path[-1]
            if head == target:
                found.append(path)
                return
            node = self.node_by_name.get(head)
            for name in node.inputs if node else ():
                walk((*path, name))
                if len(found) > MAX_PATHS:
                    raise ValueError(f"more than {MAX_PATHS} paths lead to {target}")

        walk((source or self.loss,))
        return tuple(found)

    def inlined(self, name: str) -> sp.Expr:
        """Node ``name``'s expression over inputs and parameters only (nodes substituted)."""
        expression = self.node_by_name[name].expression.sympy
        for node in reversed(self.nodes[: self.nodes.index(self.node_by_name[name])]):
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
        known[name] = symbols[name]
    graph = Graph(inputs, parameters, tuple(nodes), spec.loss, symbols, spec.trainable)
    _check_shapes(graph)
    return graph


def _value(value: float | list) -> float | np.ndarray:
    return np.asarray(value, dtype=np.float64) if isinstance(value, list) else float(value)


def _check_shapes(graph: Graph) -> None:
    """Evaluate once in float64, so a shape that does not fit is reported at its node."""
    from .evaluate import forward_values

    forward_values(graph, graph.values())
