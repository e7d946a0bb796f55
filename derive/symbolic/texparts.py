"""TeX pieces shared by the worksheet builders: names, partials, and equation rows."""

from __future__ import annotations

import re
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


def rows(parts: list[str], width: int = 44) -> tuple[str, ...]:
    """Group '='-separated parts into rows of about ``width`` visible characters each."""
    grouped: list[str] = []
    for part in parts:
        if grouped and _visible(grouped[-1]) + _visible(part) + 3 <= width:
            grouped[-1] = f"{grouped[-1]} = {part}"
        else:
            grouped.append(part)
    return tuple(grouped)


def _visible(tex_text: str) -> int:
    """A rough count of the characters a formula shows (fractions count their longer half)."""
    stripped = re.sub(r"\\(frac|operatorname|mathbb)", "", tex_text)
    stripped = re.sub(r"\\[a-zA-Z]+", "x", stripped)
    stripped = re.sub(r"[{}_^ ]", "", stripped)
    return int(len(stripped) * (0.6 if "frac" in tex_text else 1.0))
