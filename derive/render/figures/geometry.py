"""The graph picture's measures and parts: sizes, colours, text widths, curves, and the
placed boxes and edges (``layout`` has them placed, ``picture`` draws them).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

FONT = "DejaVu Sans, Arial, sans-serif"
NAME_PX, VALUE_PX, LABEL_PX, SUB, LINE = 13.0, 11.5, 11.0, 0.75, 13.0
BOX_H, MARGIN, ARROW, LEGEND_H = 40.0, 12.0, 8.0, 22.0
SVG_WIDTH, TIKZ_WIDTH, TIKZ_PT = 680.0, 470.0, 0.73
STYLE = {  # role: fill, stroke, dashed, corner radius, legend text
    "input": ("#eeeeee", "#6b6b6b", True, 4.0, "input"),
    "parameter": ("#fde3c8", "#c8661a", False, 4.0, "parameter"),
    "node": ("#dbe8f7", "#2f6db3", False, 14.0, "graph node"),
    "loss": ("#ffffff", "#333333", False, 3.0, "loss (bold outline)"),
}
EDGE = "#555555"
Point = tuple[float, float]
Cubic = tuple[Point, Point, Point, Point]
Rect = tuple[float, float, float, float]  # left, top, right, bottom
Runs = list[tuple[str, int]]  # (text, shift): 0 on the line, 1 subscript, -1 superscript


def _width(text: str, px: float) -> float:
    """Advance width of ``text`` in DejaVu Sans (wider than Arial, so a safe estimate)."""
    def em(c: str) -> float:
        if unicodedata.combining(c):
            return 0.0
        if c in "fijlrtIJ.,:;'|/ -()[]":
            return 0.36
        return 0.96 if c in "mwMW%" else 0.84 if c in "=+<>" else 0.72 if c.isupper() else 0.63
    return px * sum(em(c) for c in text)


def _run_width(runs: Runs, px: float) -> float:
    """Width of runs, scripts (shift +-1) set smaller."""
    return sum(_width(text, px * SUB if shift else px) for text, shift in runs)


class _Q(NamedTuple):
    """What the layout reads of a quantity: its name, shown value and name as written."""

    name: str
    shown: str
    runs: tuple[tuple[str, int], ...]


class _D(NamedTuple):
    """What the layout reads of a local derivative: its edge, shown value and names as written."""

    node: str
    input: str
    shown: str
    node_runs: tuple[tuple[str, int], ...]
    input_runs: tuple[tuple[str, int], ...]
    relevant: bool = True
    """Whether the sheet derives it: only those arrows are labelled."""


class _Key(NamedTuple):
    """Everything the layout reads of a sheet, by value: equal keys give equal pictures."""

    inputs: tuple[_Q, ...]
    parameters: tuple[_Q, ...]
    forward: tuple[_Q, ...]
    local: tuple[_D, ...]


def _label_text(d: _D, lines: int) -> list[Runs]:
    """The label "∂A3/∂A2 = -1.278037" on one line, or broken after "=" on two."""
    head = [("∂", 0), *d.node_runs, ("/∂", 0), *d.input_runs]
    if not d.shown:  # a picture without values (a student's, a class set's printed key): the name
        return [head]
    if lines == 1:
        return [[*head, (f" = {d.shown}", 0)]]
    return [[*head, (" =", 0)], [(d.shown, 0)]]


@dataclass(frozen=True)
class _Box:
    """A placed box: the quantity (name, shown value, runs) and its rectangle."""

    q: _Q
    rect: Rect


@dataclass(frozen=True)
class _Edge:
    """A placed edge: its curve, its arrow's tip, and its label's patch (None when left out)."""

    d: _D
    segments: tuple[Cubic, ...]
    tip: Point
    label: Rect | None
    lines: int

    def text(self) -> list[Runs]:
        return _label_text(self.d, self.lines)


def _at(c: Cubic, t: float) -> Point:
    w = ((1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3)
    return sum(k * p[0] for k, p in zip(w, c, strict=True)), sum(k * p[1] for k, p in zip(w, c, strict=True))
