"""Glyph outlines and SVG ink as PDF content-stream operators (ziamath's and fontTools').

What ``formulas`` and ``outline_text`` draw after layout: a glyph is a path in its own units,
shared as one Form XObject per document wherever it recurs; an SVG (ziamath's formula, with
ziafont's ``<symbol>``/``<use>`` glyphs) becomes paths, rectangles and placed glyphs.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fontTools.pens.basePen import BasePen
from fontTools.svgLib.path import parse_path


@dataclass(frozen=True)
class Glyph:
    """One glyph outline (a filled path in its SVG ``<symbol>``'s units) and its bounding box.

    ``name`` comes from the outline itself, so equal outlines share one Form XObject.
    """

    name: str
    bbox: tuple[float, float, float, float]
    operators: bytes


@dataclass(frozen=True)
class Ink:
    """What an SVG draws, in PDF operators: paths and rectangles, and ``/name Do`` for each glyph."""

    operators: bytes
    glyphs: tuple[Glyph, ...] = ()



def merged(*glyph_sets: tuple[Glyph, ...]) -> tuple[Glyph, ...]:
    """The glyphs of all sets, each once, in order of first use."""
    return tuple(dict.fromkeys(glyph for glyphs in glyph_sets for glyph in glyphs))


def svg_ink(root: ET.Element) -> Ink:
    """What ziamath and ziafont draw under ``root``: paths, rectangles and placed ``<symbol>`` glyphs.

    A ``<use>`` maps its symbol's viewBox onto its own box; ziafont keeps the aspect ratio,
    so that is one scale and a shift (anything else is refused rather than drawn wrong).
    """
    every_symbol = [element for element in root.iter() if _tag(element) == "symbol"]
    symbols = {symbol.attrib["id"]: symbol for symbol in every_symbol}  # ziafont may repeat one
    inside_symbols = {path for symbol in every_symbol for path in symbol.iter() if _tag(path) == "path"}
    out: list[str] = []
    glyphs: list[Glyph] = []
    for element in root.iter():
        tag = _tag(element)
        if element.attrib.get("transform", "").strip():
            raise ValueError(f"unsupported SVG transform on <{tag}> in a formula")
        if tag == "path" and element not in inside_symbols:
            out.append(path_operators(element.attrib.get("d", "")))
        elif tag == "rect":
            x, y, w, h = (float(element.attrib.get(k, 0)) for k in ("x", "y", "width", "height"))
            out.append(f"{x:.3f} {y:.3f} {w:.3f} {h:.3f} re f")
        elif tag == "use":
            symbol = symbols[element.attrib["href"].removeprefix("#")]
            glyph = _glyph(tuple(path.attrib.get("d", "") for path in symbol.iter() if _tag(path) == "path"))
            if glyph is None:  # a space
                continue
            vx, vy, vw, vh = (float(v) for v in symbol.attrib["viewBox"].split())
            x, y, w, h = (float(element.attrib.get(k, 0)) for k in ("x", "y", "width", "height"))
            scale = w / vw if vw else h / vh
            if abs(h - vh * scale) > 1e-3 * max(h, 1.0):
                raise ValueError("unsupported <use> in a formula: its box changes the glyph's aspect ratio")
            out.append(f"q {scale:.5f} 0 0 {scale:.5f} {x - vx * scale:.3f} {y - vy * scale:.3f} cm "
                       f"/{glyph.name} Do Q")
            glyphs.append(glyph)
    return Ink("\n".join(part for part in out if part).encode(), merged(tuple(glyphs)))


def _tag(element: ET.Element) -> str:
    """The element's name without its namespace (ziamath's SVG has one, ziafont's drawing may not)."""
    return element.tag.rpartition("}")[2]


@lru_cache(maxsize=16384)
def _glyph(paths: tuple[str, ...]) -> Glyph | None:
    """The glyph drawn by a ``<symbol>``'s paths, or None if it draws nothing."""
    operators = " ".join(part for part in map(path_operators, paths) if part)
    return glyph_from_operators(operators) if operators else None


def glyph_from_operators(operators: str) -> Glyph:
    """A glyph of these path operators, named by their hash and boxed by their points."""
    numbers = [float(token) for token in operators.split() if token[-1].isdigit()]
    xs, ys = numbers[0::2], numbers[1::2]  # every operand of m, l and c is an x, y pair
    name = "DeriveGlyph" + hashlib.sha256(operators.encode()).hexdigest()[:16]
    return Glyph(name, (min(xs), min(ys), max(xs), max(ys)), operators.encode())


def path_operators(d: str) -> str:
    """An SVG path (what ziafont writes) as a filled PDF path, read by fontTools' SVG path parser.

    PDF has no quadratic curve, so the pen turns ``Q`` into the equivalent cubic (control
    points two thirds of the way from each end point to the quadratic's control point).
    """
    pen = PDFPen(lambda value: f"{value:.3f}")
    parse_path(d, pen)
    return " ".join(pen.operators) + (" f" if pen.operators else "")


class PDFPen(BasePen):
    """Collects contours as PDF path operators (``m l c h``); ``number`` formats each coordinate.
    BasePen turns quadratic curves into cubics, and an SVG arc arrives as cubics too."""

    def __init__(self, number: Callable[[float], str], glyph_set: Any = None) -> None:
        super().__init__(glyph_set)
        self.number = number
        self.operators: list[str] = []

    def _moveTo(self, point):
        self.operators.append(f"{self.number(point[0])} {self.number(point[1])} m")

    def _lineTo(self, point):
        self.operators.append(f"{self.number(point[0])} {self.number(point[1])} l")

    def _curveToOne(self, first, second, end):
        self.operators.append(" ".join(self.number(v) for v in (*first, *second, *end)) + " c")

    def _closePath(self):
        self.operators.append("h")
