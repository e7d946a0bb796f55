"""The MathML printer as a ``Style``: a part's expression, numbers, operators, answer boxes and
chains of equalities as the inside of a ``<math>``, for HTML pages and the PDF's layout."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import sympy as sp

from ...numbers import MATRIX_COLUMNS, MATRIX_ROWS, VECTOR_ENTRIES, at_precision, kept, shown
from .mathml import DeriveMathMLPrinter, plain_row
from .tex import per_thread

_BOX_SIZES = {"number": ("1.1em", "7em"), "array": ("1.5em", "10em"), "step": ("1.5em", "13em")}
_OPERATORS = {"+": "<mo>+</mo>", "-": "<mo>−</mo>", "cdot": "<mo>·</mo>",
              "sum": "<munder><mo>∑</mo><mi>i</mi></munder>"}
_RELATIONS = {"=": "<mo>=</mo>", "leftarrow": "<mo>←</mo>", "continue": '<mspace width="1em" />'}
"""What opens a row: a relation, or (``continue``) the indent of a sum continued from the row above."""


class MathMLStyle:
    """The sheet's parts as MathML (the inside of a ``<math>``): HTML pages and the PDF's layout."""

    name = "mathml"

    def expression(self, expr: sp.Basic, notation: Mapping[str, str], arrays: frozenset[str],
                   written: bool) -> str:
        printer = per_thread(DeriveMathMLPrinter, tuple(sorted(notation.items())), arrays, written)
        node = printer._print(expr)
        return "".join(child.toxml() for child in node.childNodes) if plain_row(node) else node.toxml()

    def number(self, value: float | tuple, digits: int, factor: bool) -> str:
        return number_mathml(value, digits, factor)

    def operator(self, name: str) -> str:
        return _OPERATORS[name]

    def box(self, kind: str) -> str:
        """A fill-in field: two thin posts and a base line, as the TeX box's three rules."""
        height, width = _BOX_SIZES[kind]
        post = f'<mspace mathbackground="black" width="0.06em" height="{height}" />'
        return f'<mrow>{post}<mspace mathbackground="black" width="{width}" height="0.06em" />{post}</mrow>'

    def joined(self, texts: Iterable[str]) -> str:
        return "".join(texts)

    def chain(self, lhs: str | None, relation: str, parts: Iterable[str]) -> str:
        """``lhs = a = b`` as one ``<mrow>`` (``lhs`` None: ``= a = b``); alignment marks are TeX's."""
        equals = _RELATIONS["="]
        head = _RELATIONS[relation.lstrip("&")] + equals.join(parts)
        return f"<mrow>{head}</mrow>" if lhs is None else f"<mrow>{lhs}{head}</mrow>"

    def aligned(self, lhs: str, rows: Iterable[str]) -> str:
        """Rows (each a ``chain`` without its left-hand side) aligned on their relation, ``lhs``
        right of the first: a two-column ``<mtable>`` (Chromium has no automatic line breaking),
        its cells in display style, as amsmath's ``aligned``."""
        cells = [(lhs, row) if index == 0 else ("", row) for index, row in enumerate(rows)]
        body = "".join(f'<mtr><mtd columnalign="right">{left}</mtd><mtd columnalign="left">{right}</mtd>'
                       "</mtr>" for left, right in cells)
        table = '<mtable displaystyle="true" columnalign="right left" columnspacing="0em" rowspacing="0.5em">'
        return f"{table}{body}</mtable>"


def _mn(text: str) -> str:
    return f"<mn>{text.replace('-', '−')}</mn>"


def number_mathml(value, digits: int, factor: bool = False) -> str:
    """A number as the key shows it (as ``numbers.tex_number``): digits, a power of ten for a
    very small or large value, a vector in brackets and a matrix as a table (long ones elided,
    ``numbers.kept``), an array's entries below its precision as 0."""
    return _number(at_precision(value, digits), digits, factor)


def _entry(matrix: np.ndarray, i: int | None, j: int | None, digits: int) -> str:
    """One cell of a printed matrix: an entry, or a left-out row's or column's dots."""
    if i is None:
        return "" if j is None else "<mo>⋮</mo>"
    return "<mo>⋯</mo>" if j is None else _number(matrix[i, j], digits)


def _number(value, digits: int, factor: bool = False) -> str:
    array = np.asarray(value, dtype=np.float64)
    if array.ndim > 2:  # as the TeX printer: the nested lists, as text
        return f"<mtext>{shown(array, digits)}</mtext>"
    if array.ndim == 2:
        columns = kept(array.shape[1], MATRIX_COLUMNS)
        rows = "".join("<mtr>" + "".join(f"<mtd>{_entry(array, i, j, digits)}</mtd>" for j in columns)
                       + "</mtr>" for i in kept(array.shape[0], MATRIX_ROWS))
        return f'<mrow><mo>[</mo><mtable>{rows}</mtable><mo>]</mo></mrow>'
    if array.ndim == 1:
        items = ["<mo>…</mo>" if i is None else _number(array[i], digits)
                 for i in kept(array.size, VECTOR_ENTRIES)]
        return f"<mrow><mo>[</mo>{'<mo>,</mo>'.join(items)}<mo>]</mo></mrow>"
    text = shown(float(array), digits)
    if "e" in text:
        mantissa, exponent = text.split("e")
        body = f"<mrow>{_mn(mantissa)}<mo>×</mo><msup><mn>10</mn>{_mn(exponent)}</msup></mrow>"
    else:
        body = _mn(text)
    if factor and (float(array) < 0 or "e" in text):
        return f"<mrow><mo>(</mo>{body}<mo>)</mo></mrow>"
    return body
