"""A name as the picture writes it: runs of plain, subscript and superscript text.

The runs come from the sheet's own MathML of the name's symbol (``Symbolic``), so the
spec's ``[notation]`` reaches every back end of the picture (``lam = "\\lambda"`` shows
λ, not "lam"): the MathML printer has already turned the notation's TeX into elements
(``<mi>λ</mi>``, ``<msub>``, ``<mover>``), which are read here as a tree, never as TeX.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache

from ...sheet.formula import Symbolic, part_text
from ...sheet.printers import MATHML

Run = tuple[str, int]  # (text, shift): 0 on the line, 1 subscript, -1 superscript
_ACCENTS = {"^": "\u0302", "ˆ": "\u0302", "~": "\u0303", "˜": "\u0303", "¯": "\u0304",
            "‾": "\u0305", "→": "\u20d7", "˙": "\u0307", "¨": "\u0308", ".": "\u0307"}


def name_runs(symbol: Symbolic) -> tuple[Run, ...]:
    """The runs of one name's symbol, e.g. ``A3`` -> (("A", 0), ("3", 1)); ``lam`` -> (("λ", 0),)."""
    return _runs_of(part_text(symbol, MATHML))


@lru_cache(maxsize=1024)
def _runs_of(mathml: str) -> tuple[Run, ...]:
    try:
        root = ET.fromstring(mathml)
    except ET.ParseError:
        return ((mathml, 0),)
    return tuple(_merged(_walk(root, 0)))


def _tag(element: ET.Element) -> str:
    return element.tag.rpartition("}")[2]


def _walk(element: ET.Element, shift: int) -> list[Run]:
    """Runs of a MathML element: scripts shifted (a script of a script stays one level off)."""
    tag, children = _tag(element), list(element)
    if tag in ("msub", "msup", "msubsup") and children:
        out = _walk(children[0], shift)
        shifts = {"msub": (1,), "msup": (-1,), "msubsup": (1, -1)}[tag]
        for child, level in zip(children[1:], shifts, strict=False):
            out += _walk(child, shift or level)
        return out
    if tag == "mover" and len(children) == 2:
        accent = _ACCENTS.get("".join(children[1].itertext()).strip())
        base = _walk(children[0], shift)
        if accent and base:
            text, level = base[-1]
            return [*base[:-1], (text + accent, level)]
        return base + _walk(children[1], shift or -1)
    if not children:
        text = (element.text or "").strip()
        return [(text.replace("\u2062", "").replace("\u2061", ""), shift)] if text else []
    return [run for child in children for run in _walk(child, shift)]


def _merged(runs: list[Run]) -> list[Run]:
    """Adjacent runs of one shift joined: ("w", 0), ("1", 1), ("2", 1) -> ("w", 0), ("12", 1)."""
    out: list[Run] = []
    for text, shift in runs:
        if out and out[-1][1] == shift:
            out[-1] = (out[-1][0] + text, shift)
        elif text:
            out.append((text, shift))
    return out
