"""The graph picture's layout: boxes, edge curves, arrow tips and label places (see ``picture``).

``engine`` (Graphviz ``dot``) does the placing; this module measures what it places, from
the names as the sheet writes them (``names``) and the shown numbers, and reads a sheet
down to a ``_Key`` of those, so a layout is computed once per key and shared, immutable,
by every picture of equal ones (a key and its student sheet differ only where the numbers do).
When the labelled picture would have to shrink its labels below the smallest readable size,
``fitted`` returns the layout without edge labels (the picture then lists them in a table).
A box whose value is an array too wide to read in it shows the array's shape instead
(``box_text``; the values go to a table). When even the picture without labels is too wide,
``pieces`` splits it into parts of consecutive ranks (``_bands``): each part starts from
dashed connector boxes that repeat the nodes of the parts before it that feed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

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

BOX_ENTRIES_MOST = 3
"""The most entries an array may have and still be written in its box (``[0.1, 0.2, -0.1]``);
a larger one shows its shape, on the key and the student sheet alike (a shape is no answer)."""
LABEL_MOST = 170.0
"""The widest an edge label may be (px); a wider one (an array) sends every label to the table."""


def box_text(q: Quantity) -> str:
    """What a box shows under its name: the shown value, or the shape of an array too large
    for a box (``5×3 matrix``, ``vector of 6``), which the picture's value table then lists."""
    shape = np.shape(q.value)
    if int(np.prod(shape)) <= BOX_ENTRIES_MOST:
        return q.shown
    return f"vector of {shape[0]}" if len(shape) == 1 else "×".join(map(str, shape)) + (
        " matrix" if len(shape) == 2 else " array")


def shape_only(sheet: Worksheet) -> tuple[Quantity, ...]:
    """The quantities whose boxes show only their shape."""
    return tuple(q for q in (*sheet.inputs, *sheet.parameters, *sheet.forward)
                 if int(np.prod(np.shape(q.value))) > BOX_ENTRIES_MOST)


def _key(sheet: Worksheet) -> _Key:
    runs = {q.name: name_runs(q.symbol) for q in (*sheet.inputs, *sheet.parameters, *sheet.forward)}

    def qs(quantities: tuple[Quantity, ...]) -> tuple[_Q, ...]:
        return tuple(_Q(q.name, box_text(q), runs[q.name]) for q in quantities)
    return _Key(qs(sheet.inputs), qs(sheet.parameters), qs(sheet.forward),
                tuple(_D(d.node, d.input, d.shown, runs[d.node], runs[d.input], d.relevant)
                      for d in sheet.local))


@dataclass(frozen=True)
class Layout:
    """A finished layout: immutable, as one is shared by every picture of equal key."""

    boxes: tuple[_Box, ...]
    routes: tuple[_Edge, ...]
    view: Rect  # viewBox: left, top, width, height
    labelled: bool
    """False when the edge labels are left out (too many to stay readable): a table lists them."""
    continued: frozenset[str] = frozenset()
    """Names drawn as connectors: boxes repeated from an earlier part of a split picture."""


def layout(sheet: Worksheet, labelled: bool = True) -> Layout:
    """The layout of ``sheet``, with or without its edge labels; computed once per key."""
    return _placed(_key(sheet), labelled)


def fitted(sheet: Worksheet, most: float) -> Layout:
    """The labelled layout if it is at most ``most`` px wide and its labels are short, else
    the one without labels."""
    key = _key(sheet)
    if all(label_size(d, _lines(d))[0] <= LABEL_MOST for d in key.local if d.relevant):
        full = _placed(key, True)
        if full.view[2] <= most:
            return full
    return _placed(key, False)


def pieces(sheet: Worksheet, most: float) -> tuple[Layout, ...]:
    """The picture as one layout (``fitted``) if it is at most ``most`` px wide, else split
    into the fewest parts of consecutive ranks, without labels, each at most ``most`` wide
    (a part of one rank that is still wider stays as it is)."""
    whole = fitted(sheet, most)
    if whole.view[2] <= most:
        return (whole,)
    key = _key(sheet)
    depth = _depths(key)
    deepest = max(depth.values(), default=1)
    for count in range(2, deepest + 1):
        parts = tuple(_placed_part(key, band) for band in _bands(deepest, count))
        if all(part.view[2] <= most for part in parts):
            return parts
    return tuple(_placed_part(key, (d, d)) for d in range(1, deepest + 1))


def _depths(key: _Key) -> dict[str, int]:
    """Each graph node's rank: 1 past the deepest node it reads (inputs and parameters are 0)."""
    reads: dict[str, list[str]] = {}
    for d in key.local:
        reads.setdefault(d.node, []).append(d.input)
    depth: dict[str, int] = {}
    for q in key.forward:  # in graph order: a node reads only names defined before it
        depth[q.name] = 1 + max((depth.get(name, 0) for name in reads.get(q.name, ())), default=0)
    return depth


def _bands(deepest: int, count: int) -> list[tuple[int, int]]:
    """Ranks 1..deepest cut into ``count`` runs of near-equal length, first to last."""
    edges = [round(i * deepest / count) for i in range(count + 1)]
    return [(edges[i] + 1, edges[i + 1]) for i in range(count) if edges[i + 1] > edges[i]]


def _placed_part(key: _Key, band: tuple[int, int]) -> Layout:
    """The part of ``key`` whose nodes have ranks in ``band``, with what feeds them: inputs,
    parameters, and earlier nodes as connectors on the first rank."""
    depth = _depths(key)
    inside = {name for name, d in depth.items() if band[0] <= d <= band[1]}
    local = tuple(d for d in key.local if d.node in inside)
    fed = {d.input for d in local}
    earlier = tuple(q for q in key.forward if q.name in fed and q.name not in inside)
    part = _Key(tuple(q for q in key.inputs if q.name in fed) + earlier,
                tuple(q for q in key.parameters if q.name in fed),
                tuple(q for q in key.forward if q.name in inside), local)
    placed = _placed(part, False)
    return Layout(placed.boxes, placed.routes, placed.view, False, frozenset(q.name for q in earlier))


def _lines(d: _D) -> int:
    """Labels break after "=" when one line would be long: ranks stay narrow."""
    return 1 if not d.shown or _run_width(_label_text(d, 1)[0], LABEL_PX) <= 70 else 2


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
    labels = [label_size(d, n) if labelled and d.relevant else None
              for d, n in zip(key.local, lines, strict=True)]
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
