"""The printers of the sheet's parts: TeX (``tex``) and MathML (``mathml``), both SymPy printer
subclasses that print the same expression the same way, and each a ``Style`` that prints a part's
numbers, operators, answer boxes and chains of equalities in its language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

import sympy as sp

from .mathml_style import MathMLStyle
from .tex import TexStyle


class Style(Protocol):
    """What ``render.layout.printed`` asks of a printer style."""

    name: str

    def expression(self, expr: sp.Basic, notation: Mapping[str, str], arrays: frozenset[str],
                   written: bool) -> str: ...

    def number(self, value: float | tuple, digits: int, factor: bool) -> str: ...

    def operator(self, name: str) -> str: ...

    def box(self, kind: str) -> str: ...

    def joined(self, texts: Iterable[str]) -> str: ...

    def chain(self, lhs: str | None, relation: str, parts: Iterable[str]) -> str: ...

    def aligned(self, lhs: str, rows: Iterable[str]) -> str: ...


TEX = TexStyle()
MATHML = MathMLStyle()
STYLES: dict[str, Style] = {style.name: style for style in (TEX, MATHML)}
