"""TeX pieces shared by the worksheet builders: names, partials and expressions under the notation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sympy as sp

from ..graph.dag import Graph
from .printing import tex, tex_as_written


class Tex:
    """TeX for names and expressions under the spec's notation; ``arrays`` names the
    array-valued inputs, parameters and nodes (their products are element-wise, ``\\odot``)."""

    def __init__(self, graph: Graph, notation: Mapping[str, str], arrays: Iterable[str] = ()) -> None:
        self.graph = graph
        self.notation = notation
        self.arrays = frozenset(arrays)

    def name(self, name: str) -> str:
        return tex(self.graph.symbols[name], self.notation)

    def expr(self, expression: sp.Basic) -> str:
        return tex(expression, self.notation, self.arrays)

    def written(self, expression: sp.Basic) -> str:
        """An unevaluated expression in the order the spec wrote it."""
        return tex_as_written(expression, self.notation, self.arrays)

    def partial(self, top: str, bottom: str) -> str:
        return rf"\frac{{\partial {self.name(top)}}}{{\partial {self.name(bottom)}}}"
