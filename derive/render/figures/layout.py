"""The graph picture's layout: boxes, edge curves, arrow tips and label places (see ``picture``).

``engine`` (Graphviz ``dot``) does the placing; this module measures what it places, from
the names as the sheet writes them (``names``) and the shown numbers, and reads a sheet
down to a ``_Key`` of those, so a layout is computed once per key and shared, immutable,
by every picture of equal ones (a key and its student sheet differ only where the numbers do).
When the labelled picture would have to shrink its labels below the smallest readable size,
``fitted`` returns the layout without edge labels (the picture then lists them in a table).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ...sheet.model import Quantity, Worksheet
from .engine import place, source
from .geometry import (
    _D,
    _Q,
    BOX_H,
    LABEL_PX,
    LEGEND_H,
    MARGIN,
    NAME_PX,
    STYLE,
    VALUE_PX,
    Rect,
    _Box,
    _Edge,
    _Key,
    _label_text,
    _run_width,
    _width,
)
from .names import name_runs


def _key(sheet: Worksheet) -> _Key:
    runs = {q.name: name_runs(q.symbol) for q in (*sheet.inputs, *sheet.parameters, *sheet.forward)}

    def qs(quantities: tuple[Quantity, ...]) -> tuple[_Q, ...]:
        return tuple(_Q(q.name, q.shown, runs[q.name]) for q in quantities)
    return _Key(qs(sheet.inputs), qs(sheet.parameters), qs(sheet.forward),
                tuple(_D(d.node, d.input, d.shown, runs[d.node], runs[d.input]) for d in sheet.local))


@dataclass(frozen=True)
class Layout:
    """A finished layout: immutable, as one is shared by every picture of equal key."""

    boxes: tuple[_Box, ...]
    routes: tuple[_Edge, ...]
    view: Rect  # viewBox: left, top, width, height
    labelled: bool
    """False when the edge labels are left out (too many to stay readable): a table lists them."""


def layout(sheet: Worksheet, labelled: bool = True) -> Layout:
    """The layout of ``sheet``, with or without its edge labels; computed once per key."""
    return _placed(_key(sheet), labelled)


def fitted(sheet: Worksheet, most: float) -> Layout:
    """The labelled layout if it is at most ``most`` px wide, else the one without labels."""
    full = layout(sheet, True)
    return full if full.view[2] <= most else layout(sheet, False)


def _lines(d: _D) -> int:
    """Labels break after "=" when one line would be long: ranks stay narrow."""
    return 1 if _run_width(_label_text(d, 1)[0], LABEL_PX) <= 70 else 2


def label_size(d: _D, lines: int) -> tuple[float, float]:
    """A label's patch: its widest line and its lines, with a little air."""
    return max(_run_width(r, LABEL_PX) for r in _label_text(d, lines)) + 6, lines * 13.0 + 4


@lru_cache(maxsize=256)
def _placed(key: _Key, labelled: bool) -> Layout:
    """Measure the boxes and labels of ``key``, let ``dot`` place them, and keep the result."""
    quantities = {q.name: q for q in (*key.inputs, *key.parameters, *key.forward)}
    names = list(quantities)
    sizes = [(max(46.0, max(_run_width(q.runs, NAME_PX), _width(q.shown, VALUE_PX)) + 18), BOX_H)
             for q in quantities.values()]
    index = {name: i for i, name in enumerate(names)}
    lines = [_lines(d) for d in key.local]
    labels = [label_size(d, n) if labelled else None for d, n in zip(key.local, lines, strict=True)]
    edges = [(index[d.input], index[d.node], size) for d, size in zip(key.local, labels, strict=True)]
    first = [index[q.name] for q in key.inputs if q.name in index]
    done = place(source(sizes, first, edges), edges)
    dx, dy = MARGIN, MARGIN + LEGEND_H + 4

    def moved(r: Rect) -> Rect:
        return r[0] + dx, r[1] + dy, r[2] + dx, r[3] + dy
    boxes = tuple(_Box(quantities[name], moved(rect)) for name, rect in zip(names, done.boxes, strict=True))
    routes = tuple(
        _Edge(d, tuple(tuple((x + dx, y + dy) for x, y in c) for c in curve), (tip[0] + dx, tip[1] + dy),
              moved(label) if label else None, n)
        for d, curve, tip, label, n in zip(key.local, done.curves, done.tips, done.labels, lines,
                                           strict=True))
    legend_right = _legend(0.0)[-1][0][2] + 5 + _width(STYLE["loss"][4], LABEL_PX)
    width = max(done.size[0] + 2 * MARGIN, legend_right + MARGIN)
    return Layout(boxes, routes, (0.0, 0.0, width, done.size[1] + dy + MARGIN), labelled)


def _legend(top: float) -> list[tuple[Rect, str]]:
    """Legend swatches left to right: (swatch, role)."""
    entries, x = [], MARGIN
    for role, style in STYLE.items():
        entries.append(((x, top + MARGIN, x + 18, top + MARGIN + 12), role))
        x += 18 + 5 + _width(style[4], LABEL_PX) + 16
    return entries
