"""How wide printed MathML is, in em of the display font: an estimate from the element tree.

The sheet decides its line breaks before any layout engine runs (the same breaks for the
HTML, the PDF and the LaTeX), so it measures what the MathML printer wrote: glyphs by class
(a digit half an em, a relation with its thick spaces on either side), fractions as their
wider half, scripts at 70 %, tables column by column. ``tests/sheet/test_mathml_width.py``
holds the estimate against ziamath's layout of the same markup.
"""

from __future__ import annotations

from xml.etree import ElementTree

SCRIPT = 0.7
"""The size of a sub- or superscript, relative to its base."""
_RELATIONS = frozenset("=←→↦><≥≤≠≈")
_BINARY = frozenset("+−⊙·×")
_NARROW = frozenset("()[]|,.:;")
CALIBRATION = 1.08
"""The glyphs' scale, fitted to ziamath's layout (the PDF's, the widest of the three media)."""
SPACE = 1.33
"""ziamath sets an ``<mspace>`` of 1em this many em of its math font wide (an answer box)."""
_SPACES = {"thinmathspace": 0.1667, "mediummathspace": 0.2222, "thickmathspace": 0.2778}


def width_em(markup: str) -> float:
    """The width of ``markup`` (the inside of a display ``<math>``), in em."""
    return _width(ElementTree.fromstring(f"<mrow>{markup}</mrow>"))


def _width(node: ElementTree.Element) -> float:
    tag = node.tag.rpartition("}")[2]
    children = list(node)
    if tag in ("mi", "mn", "mtext"):
        return CALIBRATION * _text(node.text or "", italic=tag == "mi")
    if tag == "mo":
        return CALIBRATION * _operator(node.text or "")
    if tag == "mspace":
        return SPACE * _length(node.get("width", "0"))
    if tag == "mfrac":
        return max((_width(child) for child in children), default=0.0) + 0.24
    if tag in ("msub", "msup"):
        return _width(children[0]) + SCRIPT * _width(children[1]) + 0.05
    if tag == "msubsup":
        return _width(children[0]) + SCRIPT * max(_width(children[1]), _width(children[2])) + 0.05
    if tag in ("munder", "mover", "munderover"):
        return max([_width(children[0]), *(SCRIPT * _width(c) for c in children[1:])])
    if tag == "mtable":
        return _table(node)
    return sum(_width(child) for child in children)


def _table(node: ElementTree.Element) -> float:
    """Columns as wide as their widest cell, with ziamath's default 0.3em between them."""
    columns: list[float] = []
    for row in node:
        for index, cell in enumerate(row):
            if index == len(columns):
                columns.append(0.0)
            columns[index] = max(columns[index], _width(cell))
    spacing = _length(node.get("columnspacing", "0.3em").split()[0])
    return sum(columns) + spacing * max(len(columns) - 1, 0) + 0.2


def _text(text: str, italic: bool) -> float:
    width = 0.0
    for character in text:
        if character == "\u2062":  # invisible times
            continue
        if character.isdigit():
            width += 0.5
        elif character in _NARROW or character == "\u00a0":
            width += 0.28
        elif character == "−":
            width += 0.78
        elif character.isupper():
            width += 0.68
        else:
            width += 0.55 if italic else 0.5
    return width


def _operator(text: str) -> float:
    if text in _RELATIONS:
        return 0.78 + 2 * 0.2778
    if text in _BINARY:
        return (0.28 if text == "·" else 0.78) + 2 * 0.2222
    if text == "∑":
        return 1.1
    if text == "\u2062":
        return 0.0
    if text == ",":
        return 0.28 + 0.1667
    if text in _NARROW:
        return 0.39
    return _text(text, italic=False)


def _length(value: str) -> float:
    """A MathML length in em (what derive writes: em, or a named space)."""
    if value in _SPACES:
        return _SPACES[value]
    if value.endswith("em"):
        return float(value[:-2])
    if value.endswith("ex"):
        return 0.43 * float(value[:-2])
    return 0.0
