"""The backward pass as vector-Jacobian products, for graphs with matrix products.

With ``@`` in a graph, a path's product of element-wise local derivatives no longer says
what backpropagation does; the upstream gradient G of each node is passed to its inputs
instead: element-wise parts multiply G by their local derivative, and ``A @ B`` sends
``G B^T`` to A and ``A^T G`` to B. Run over the nodes in reverse order this gives, for
seed 001's layer, dL/dy = 2y/n, dL/dW = x^T (2y/n) and dL/db = 2y/n, symbolically.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..graph.dag import Graph
from ..graph.functions import matmul, transpose
from .bounds import bounded, small


@dataclass(frozen=True)
class Backward:
    """The symbolic upstream gradient of every name the loss depends on."""

    of: str
    gradients: dict[str, sp.Expr]
    """d(of)/d(name) for nodes, inputs and parameters, in node names (broadcasts not yet summed)."""
    order: tuple[str, ...]
    """Nodes in the order the backward pass visits them."""


def has_matrix_product(graph: Graph) -> bool:
    """Whether any node multiplies matrices (then the sheet shows the backward pass)."""
    return any(node.expression.sympy.atoms(matmul) for node in graph.nodes)


def backward(graph: Graph, of: str) -> Backward:
    """Propagate d(of)/d(of) = 1 back through the graph, node by node."""
    gradients: dict[sp.Symbol, sp.Expr] = {graph.symbols[of]: sp.Integer(1)}
    visited: list[str] = []
    for node in reversed(graph.nodes[: graph.nodes.index(graph.node_by_name[of]) + 1]):
        upstream = gradients.get(graph.symbols[node.name])
        if upstream is None:
            continue
        visited.append(node.name)
        bounded(upstream, f"graph.{node.name}", f"d{of}/d{node.name}")
        vjp(node.expression.sympy, upstream, gradients)
    by_name = {name: sp.factor(gradients[symbol]) if small(gradients[symbol]) else gradients[symbol]
               for name, symbol in graph.symbols.items() if symbol in gradients}
    return Backward(of, by_name, tuple(visited))


def vjp(expression: sp.Expr, upstream: sp.Expr, gradients: dict[sp.Symbol, sp.Expr]) -> None:
    """Add what ``expression`` passes back to each symbol it uses, given its upstream gradient."""
    products = [m for m in sp.preorder_traversal(expression) if isinstance(m, matmul)]
    outermost = [m for m in products if not any(o is not m and o.has(m) for o in products)]
    temporaries = {sp.Dummy(f"M{index}"): product for index, product in enumerate(outermost)}
    flat = expression.xreplace({product: dummy for dummy, product in temporaries.items()})
    for symbol in sorted(flat.free_symbols, key=lambda s: s.name):
        local = sp.diff(flat, symbol)
        if local == 0:
            continue
        passed = upstream * local
        if symbol in temporaries:
            left, right = temporaries[symbol].args
            vjp(left, matmul(passed, transpose(right)), gradients)
            vjp(right, matmul(transpose(left), passed), gradients)
        else:
            gradients[symbol] = gradients.get(symbol, sp.Integer(0)) + passed
