"""One preparation of a spec for everything that follows: its graph, its derivation, what matters.

``prepare`` is the one place a spec becomes a ``Prepared``: the graph (names, shapes checked by
the float64 forward pass, so a spec that cannot be computed is refused here, before any
TensorFlow), the SymPy derivation with every target its ``[gradient]`` tables ask for, and
the relevance of each local derivative. ``derive render``, ``check``, ``batch``, ``stress``,
``preview`` and the Python API all start from it, so none can forget a part (the ``[gradient]``
targets once were, in four of six places).

A class set derives once per spec: a variant's draw changes numbers, never the structure, so
``Prepared.redrawn`` rebuilds the graph from the drawn spec and keeps the derivation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import SpecError
from ..graph.dag import Graph, build_graph
from ..graph.evaluate import forward_values
from ..spec.limits import MAX_ELEMENTS
from ..spec.schema import Spec
from .backprop import mixing_edges
from .derivation import Derivation, Target, derive, refuse_mixing
from .work import check_work


@dataclass(frozen=True)
class Prepared:
    """A spec ready for numbers."""

    spec: Spec
    graph: Graph
    derivation: Derivation
    relevant: frozenset[str]
    """The keys (``node/input``) of the local derivatives on a path from what is trained, or what
    a ``[gradient]`` table asks for, to the loss (or to that table's ``of``): the ones a sheet shows."""

    @property
    def targets(self) -> tuple[Target, ...]:
        return targets_of(self.spec, self.graph)

    def redrawn(self, spec: Spec) -> Prepared:
        """The same structure with ``spec``'s numbers (a class-set variant's draw)."""
        return prepare(spec, self.derivation)


def prepare(spec: Spec, derivation: Derivation | None = None, graph: Graph | None = None) -> Prepared:
    """Build, shape-check and derive ``spec``; refuses a bad spec with a one-line ``SpecError``.
    ``derivation``: one derived from a spec of the same structure (a class set's); ``graph``:
    ``shaped_graph(spec)``, where the caller needed it first."""
    # a redrawn spec (a class set's variant) has the structure, and so the work, of the first
    graph = graph if graph is not None else shaped_graph(spec, structure=derivation is None)
    targets = targets_of(spec, graph)
    if derivation is None:
        derivation = derive(graph, targets)
    return Prepared(spec, graph, derivation, relevant_edges(graph, targets))


def shaped_graph(spec: Spec, structure: bool = True) -> Graph:
    """``spec``'s graph, its shapes checked by the float64 forward pass: everything that can be
    refused without a derivative or a tape has been (with ``structure``, also the check's work and
    a higher derivative through a node that mixes elements: a class set's variants skip them)."""
    graph = build_graph(spec)
    values = forward_values(graph, graph.values())
    for node in graph.nodes:  # broadcasting can make a node larger than any input: x (1000, 1) + y (1, 1000)
        if np.size(values[node.name]) > MAX_ELEMENTS:
            shape = "x".join(map(str, np.shape(values[node.name])))
            raise SpecError(f"graph.{node.name}", f"a {shape} array holds {np.size(values[node.name]):,} "
                                                  f"numbers; the limit is {MAX_ELEMENTS:,}")
    if structure:
        targets, mixing = targets_of(spec, graph), mixing_edges(graph, values)
        for target in targets:
            refuse_mixing(graph, target, mixing)
        check_work(graph, values, targets, mixing)
    return graph


def targets_of(spec: Spec, graph: Graph) -> tuple[Target, ...]:
    """Every derivative the spec's [gradient] tables ask for."""
    return tuple(Target(table.of or graph.loss, name, table.order)
                 for table in spec.gradients for name in (table.wrt or graph.trainable))


def relevant_edges(graph: Graph, targets: tuple[Target, ...] = ()) -> frozenset[str]:
    """Edges on a path from a trained parameter to the loss, or from a target's ``wrt`` to its
    ``of``: d(node)/d(input) matters when ``input`` depends on a source and ``node`` reaches the end."""
    pairs = [(graph.loss, set(graph.trainable))] if graph.trainable else []
    pairs += [(target.of, {target.wrt}) for target in targets]
    keys: set[str] = set()
    for end, sources in pairs:
        reaching = _reaching(graph, end)
        depending = _depending(graph, sources)
        keys.update(edge.key for edge in graph.edges
                    if edge.node in reaching and edge.input in depending)
    return frozenset(keys)


def _reaching(graph: Graph, end: str) -> set[str]:
    """The nodes from which ``end`` can be reached (``end`` included)."""
    reaching = {end}
    for node in reversed(graph.nodes):
        if node.name in reaching:
            reaching.update(node.inputs)
    return reaching


def _depending(graph: Graph, sources: set[str]) -> set[str]:
    """``sources`` and every node that uses one of them, directly or not."""
    depending = set(sources)
    for node in graph.nodes:
        if depending.intersection(node.inputs):
            depending.add(node.name)
    return depending
