"""A small evaluator for the MathML derive prints in matrix formulas, written for the tests.

The twin of ``texeval`` for the MathML printer: it reads printed presentation MathML back as
mathematics and computes it with NumPy, so the HTML's and the PDF's formulas are checked by
their value. A row is read as a sequence of operands and operators: juxtaposition of two
arrays (an invisible times, or nothing) is a matrix product, of a scalar and anything a
scaling; ``⊙`` and ``·`` multiply element-wise; ``<msup>`` with ``T`` transposes; ``𝟏[a > 0]``
is the indicator. A name is matched by its own printed MathML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np

NS = "{http://www.w3.org/1998/Math/MathML}"
MINUS, TIMES, INVISIBLE, ODOT = "\u2212", "\u00b7", "\u2062", "\u2299"


def _bare(element: ET.Element) -> ET.Element:
    for node in element.iter():
        node.tag = node.tag.removeprefix(NS)
    return element


def _key(element: ET.Element) -> str:
    return ET.tostring(element, encoding="unicode")


def _normal(markup: str) -> str:
    """A name's markup as one element's serialization (a row of one element is that element)."""
    row = _bare(ET.fromstring(f"<mrow>{markup}</mrow>"))
    return _key(row[0] if len(row) == 1 else row)


class MathMLEvaluator:
    """Evaluate MathML over ``names``: a map from each name's printed MathML to its value."""

    def __init__(self, names: dict[str, object]) -> None:
        self.names = {_normal(markup): np.asarray(value, dtype=np.float64) for markup, value in names.items()}

    def __call__(self, markup: str) -> np.ndarray:
        return self.row(list(_bare(ET.fromstring(f"<mrow>{markup}</mrow>"))))

    # a row: operands and operators, read like texeval's grammar ---------------------------

    def row(self, items: list[ET.Element]) -> np.ndarray:
        self.stack = getattr(self, "stack", [])
        self.stack.append((items, 0))
        try:
            value = self.sum()
            items, position = self.stack[-1]
            if position != len(items):
                raise ValueError(f"unread MathML from {_key(items[position])!r}")
            return value
        finally:
            self.stack.pop()

    def peek(self) -> ET.Element | None:
        items, position = self.stack[-1]
        return items[position] if position < len(items) else None

    def take(self) -> ET.Element:
        items, position = self.stack[-1]
        self.stack[-1] = (items, position + 1)
        return items[position]

    def operator(self) -> str | None:
        item = self.peek()
        if item is not None and item.tag == "mo" and not item.get("fence"):
            return item.text
        return "space" if item is not None and item.tag == "mspace" else None

    def sum(self) -> np.ndarray:
        negative = self.operator() == MINUS and self.take() is not None
        value = self.elementwise()
        value = -value if negative else value
        while self.operator() in ("+", MINUS):
            sign = self.take().text
            right = self.elementwise()
            value = value + right if sign == "+" else value - right
        return value

    def elementwise(self) -> np.ndarray:
        value = self.juxtaposed()
        while self.operator() in (ODOT, TIMES):
            self.take()
            value = value * self.juxtaposed()
        return value

    def juxtaposed(self) -> np.ndarray:
        value = self.operand()
        while self.peek() is not None and self.operator() in (None, INVISIBLE, "space"):
            if self.operator() is not None:
                self.take()
            right = self.operand()
            value = value @ right if value.ndim >= 1 and right.ndim >= 1 else value * right
        return value

    def operand(self) -> np.ndarray:
        item = self.take()
        if _key(item) in self.names:
            return self.names[_key(item)]
        if item.tag == "mn" and item.get("mathvariant") == "bold":  # the indicator 1[a > 0]
            inner = list(self.take())[1:-1]
            return (self.row(inner[:-2]) > 0).astype(float)
        if item.tag == "mn":
            return np.float64(item.text.replace(MINUS, "-"))
        if item.tag == "mfrac":
            numerator, denominator = (self.row([part]) for part in item)
            return numerator / denominator
        if item.tag == "msup":
            base, exponent = item
            value = self.row([base])
            return value.T if exponent.tag == "mi" and exponent.text == "T" else value ** self.row([exponent])
        if item.tag == "munder" and item[0].text == "\u2211":  # a sum over the batch (the first axis)
            return np.sum(self.elementwise(), axis=0)
        if item.tag == "mrow" and len(item) and (item[0].get("fence") or item[0].text == "("):
            return self.row(list(item)[1:-1])  # parentheses: a fenced group, or a negative number's
        if item.tag == "mrow":
            return self.row(list(item))
        raise ValueError(f"cannot read {_key(item)!r}")


def aligned_sides(markup: str) -> list[list[ET.Element]]:
    """The sides of a chain of equalities, however it is broken into rows: one ``<mrow>``, or a
    two-column ``<mtable>`` (the left-hand side in the first row's first cell, each row's
    chain in its second, a continued row opening with its indent and its sign), each side as
    the elements to evaluate (``MathMLEvaluator.row``). The left-hand side is the first."""
    items = _opened(list(_bare(ET.fromstring(f"<mrow>{markup}</mrow>"))))
    if len(items) == 1 and items[0].tag == "mtable":
        rows = list(items[0])
        items = _opened(list(rows[0][0]))
        for row in rows:
            items += [item for item in _opened(list(row[-1])) if item.tag != "mspace"]
    sides: list[list[ET.Element]] = [[]]
    for item in items:
        if item.tag == "mo" and item.text in ("=", "\u2190"):
            sides.append([])
        else:
            sides[-1].append(item)
    return sides


def _opened(items: list[ET.Element]) -> list[ET.Element]:
    """A cell's (or a formula's) one grouping row, without fences, opened into its children."""
    if len(items) == 1 and items[0].tag == "mrow" and not (len(items[0]) and items[0][0].get("fence")):
        return list(items[0])
    return items
