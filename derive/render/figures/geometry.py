"""The graph picture's measures and parts: sizes, colours, text widths, curves, and the
boxes, lanes and edges a layout moves around (``layout`` places them, ``picture`` draws them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

FONT = "DejaVu Sans, Arial, sans-serif"
NAME_PX, VALUE_PX, LABEL_PX, SUB, LINE = 13.0, 11.5, 11.0, 0.75, 13.0
BOX_H, ROW, MARGIN, ARROW, MIN_GAP, LEGEND_H = 40.0, 54.0, 12.0, 8.0, 76.0, 22.0
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
Runs = list[tuple[str, bool]]  # (text, is subscript)


def _width(text: str, px: float) -> float:
    """Advance width of ``text`` in DejaVu Sans (wider than Arial, so a safe estimate)."""
    def em(c: str) -> float:
        if c in "fijlrtIJ.,:;'|/ -()[]":
            return 0.36
        return 0.96 if c in "mwMW%" else 0.84 if c in "=+<>" else 0.72 if c.isupper() else 0.63
    return px * sum(em(c) for c in text)


def _runs(name: str) -> Runs:
    """``A3`` -> [("A", False), ("3", True)]: a trailing number becomes a subscript."""
    match = re.fullmatch(r"(.*?[^\d_])_?(\d+)", name)
    return [(match[1], False), (match[2], True)] if match else [(name, False)]


def _run_width(runs: Runs, px: float) -> float:
    return sum(_width(text, px * SUB if sub else px) for text, sub in runs)


class _Q(NamedTuple):
    """What the layout reads of a quantity: its name and shown value."""

    name: str
    shown: str


class _D(NamedTuple):
    """What the layout reads of a local derivative: its edge and shown value."""

    node: str
    input: str
    shown: str


class _Key(NamedTuple):
    """Everything the layout reads of a sheet, by value: equal keys give equal pictures."""

    inputs: tuple[_Q, ...]
    parameters: tuple[_Q, ...]
    forward: tuple[_Q, ...]
    local: tuple[_D, ...]


def _label_text(d: _D, lines: int) -> list[Runs]:
    """The label "∂A3/∂A2 = -1.278037" on one line, or broken after "=" on two."""
    head = [("∂", False), *_runs(d.node), ("/∂", False), *_runs(d.input)]
    if lines == 1:
        return [[*head, (f" = {d.shown}", False)]]
    return [[*head, (" =", False)], [(d.shown, False)]]


@dataclass(eq=False)
class _Item:
    """A box (``q`` set) or a lane an edge runs through (``q`` None) in one column, while laying out."""

    q: _Q | None
    layer: int
    y: float = 0.0
    desired: float = 0.0
    ins: list[_Route] = field(default_factory=list)
    outs: list[_Route] = field(default_factory=list)


@dataclass(eq=False)
class _Route:
    """One edge input -> node while laying out: its lanes, ports, curve and label."""

    d: _D
    src: _Item
    dst: _Item
    lanes: list[_Item]
    out_y: float = 0.0
    in_y: float = 0.0
    segments: list[Cubic] = field(default_factory=list)
    label: Rect = (0.0, 0.0, 0.0, 0.0)
    lines: int = 1

    @property
    def chain(self) -> list[_Item]:
        return [self.src, *self.lanes, self.dst]

    def size(self, lines: int) -> tuple[float, float]:
        return max(_run_width(r, LABEL_PX) for r in _label_text(self.d, lines)) + 6, lines * LINE + 4


@dataclass(frozen=True)
class _Box:
    """A placed box: the quantity's name and shown value, its column and middle."""

    q: _Q
    layer: int
    y: float


@dataclass(frozen=True)
class _Edge:
    """A placed edge: its curve, where its arrow enters its node, and its label."""

    d: _D
    dst_layer: int
    in_y: float
    segments: tuple[Cubic, ...]
    label: Rect
    lines: int

    def text(self) -> list[Runs]:
        return _label_text(self.d, self.lines)


def _spread(desired: list[float], seps: list[float], weights: list[float]) -> list[float]:
    """Positions closest (weighted least squares) to ``desired`` keeping order and gaps ``seps``."""
    offsets = [0.0]
    for sep in seps:
        offsets.append(offsets[-1] + sep)
    blocks: list[list[float]] = []  # weighted sum, weight, count (pool adjacent violators)
    for value, offset, weight in zip(desired, offsets, weights, strict=True):
        blocks.append([(value - offset) * weight, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            last = blocks.pop()
            blocks[-1] = [a + b for a, b in zip(blocks[-1], last, strict=True)]
    flat = [total / weight for total, weight, count in blocks for _ in range(int(count))]
    return [value + offset for value, offset in zip(flat, offsets, strict=True)]


def _curve(a: Point, b: Point) -> Cubic:
    """A straight segment, or an S-curve leaving and entering horizontally."""
    k = (b[0] - a[0]) / (3 if abs(a[1] - b[1]) < 0.05 else 2)
    return a, (a[0] + k, a[1]), (b[0] - k, b[1]), b


def _at(c: Cubic, t: float) -> Point:
    w = ((1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3)
    return sum(k * p[0] for k, p in zip(w, c, strict=True)), sum(k * p[1] for k, p in zip(w, c, strict=True))
