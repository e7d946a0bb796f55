"""The computational graph as a picture: inline SVG for HTML and TikZ for LaTeX.

The PDF takes the SVG's shapes with its text as HTML (``picture_print``).

One layout algorithm feeds both: inputs and parameters in column 0, each node one column
right of its deepest input, spec order kept within a column. Edges that skip columns run
through lanes reserved in the columns between, and edge labels go greedily where they
cover no box, no other label and few edges. Coordinates are SVG pixels; TikZ reuses them
as ``x=0.73pt, y=-0.73pt`` (where Computer Modern fits the DejaVu width estimates) with
the gaps between columns stretched less (470 px instead of 680 px), to suit the LaTeX line width.
A layout reads only names, shown values and edges, so it is cached by those (``_Key``) and
shared, immutable, by every picture of equal ones.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from typing import NamedTuple

from .model import Quantity, Worksheet

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


def _key(sheet: Worksheet) -> _Key:
    def qs(quantities: tuple[Quantity, ...]) -> tuple[_Q, ...]:
        return tuple(_Q(q.name, q.shown) for q in quantities)
    return _Key(qs(sheet.inputs), qs(sheet.parameters), qs(sheet.forward),
                tuple(_D(d.node, d.input, d.shown) for d in sheet.local))


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


@dataclass(frozen=True)
class Layout:
    """A finished layout: immutable, as one is shared by every picture of equal key."""

    boxes: tuple[_Box, ...]
    routes: tuple[_Edge, ...]
    left: tuple[float, ...]
    widths: tuple[float, ...]
    view: Rect  # viewBox: left, top, width, height


def layout(sheet: Worksheet, target: float) -> Layout:
    """Columns, rows, edge routes and label places for ``sheet``, about ``target`` px wide.

    Computed once per key and column stretch: the SVG and the TikZ picture share it when
    both widths stretch the gaps alike (not at all, or to the cap), and so do two sheets
    showing the same names and numbers (a key and a student sheet whose labels agree).
    """
    key = _key(sheet)
    widths, gaps = _columns(key)
    spare = max(0.0, target - 2 * MARGIN - sum(widths) - sum(gaps)) / max(len(gaps), 1)
    return _placed(key, min(spare, 150.0))


def _graph(key: _Key) -> tuple[list[_Item], list[_Route], int]:
    """Fresh boxes (in order), routes and the number of columns of ``key``."""
    boxes = {q.name: _Item(q, 0) for q in (*key.inputs, *key.parameters)}
    for q in key.forward:
        boxes[q.name] = _Item(q, 1 + max((boxes[d.input].layer for d in key.local
                                          if d.node == q.name and d.input in boxes), default=0))
    routes = []
    for d in key.local:
        src, dst = boxes[d.input], boxes[d.node]
        routes.append(_Route(d, src, dst, [_Item(None, layer) for layer in range(src.layer + 1, dst.layer)]))
        for a, b in zip(routes[-1].chain, routes[-1].chain[1:], strict=False):
            a.outs.append(routes[-1])
            b.ins.append(routes[-1])
    return list(boxes.values()), routes, max(item.layer for item in boxes.values()) + 1


@lru_cache(maxsize=256)
def _columns(key: _Key) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Column widths and the least gaps between columns."""
    boxes, routes, layers = _graph(key)
    widths = [46.0] * layers
    for b in boxes:
        assert b.q is not None
        inner = max(_run_width(_runs(b.q.name), NAME_PX), _width(b.q.shown, VALUE_PX))
        widths[b.layer] = max(widths[b.layer], inner + 18)
    gaps = [MIN_GAP] * (layers - 1)
    direct = [r for r in routes if not r.lanes]
    for route in direct:  # a one-gap edge keeps its label in its gap: make room (one line if crowded)
        crowded = sum(r.src.layer == route.src.layer for r in direct) > 2
        gaps[route.src.layer] = max(gaps[route.src.layer], route.size(1 if crowded else 2)[0] + ARROW + 14)
    return tuple(widths), tuple(gaps)


@lru_cache(maxsize=256)
def _placed(key: _Key, stretch: float) -> Layout:
    """The layout of ``key`` with every gap between columns widened by ``stretch``."""
    boxes, routes, layers = _graph(key)
    widths, gaps = _columns(key)
    left = [MARGIN]
    for width, gap in zip(widths, gaps, strict=False):
        left.append(left[-1] + width + gap + stretch)
    _rows(boxes, layers)
    for item in boxes:  # ports: spread the arrows along a box's sides, in order
        for edges, attr, step in ((item.ins, "in_y", -1), (item.outs, "out_y", 1)):
            edges.sort(key=lambda r: r.chain[r.chain.index(item) + step].y)
            pitch = min(8.0, (BOX_H - 12) / max(len(edges) - 1, 1))
            for i, route in enumerate(edges):
                setattr(route, attr, item.y + (i - (len(edges) - 1) / 2) * pitch)
    for route in routes:
        points = [(left[route.src.layer] + widths[route.src.layer], route.out_y)]
        for lane in route.lanes:
            points += [(left[lane.layer], lane.y), (left[lane.layer] + widths[lane.layer], lane.y)]
        points.append((left[route.dst.layer] - ARROW, route.in_y))
        route.segments = [_curve(a, b) for a, b in zip(points, points[1:], strict=False)]
    rects = [(left[b.layer], b.y - BOX_H / 2, left[b.layer] + widths[b.layer], b.y + BOX_H / 2)
             for b in boxes]
    _labels(routes, rects)
    found = rects + [r.label for r in routes]
    top = min(r[1] for r in found) - LEGEND_H - MARGIN
    right = max(max(r[2] for r in found), _legend(0.0)[-1][0][2] + 5 + _width(STYLE["loss"][4], LABEL_PX))
    placed = tuple(_Box(b.q, b.layer, b.y) for b in boxes if b.q is not None)
    edges = tuple(_Edge(r.d, r.dst.layer, r.in_y, tuple(r.segments), r.label, r.lines) for r in routes)
    return Layout(placed, edges, tuple(left), widths,
                   (0.0, top, right + MARGIN, max(r[3] for r in found) + MARGIN - top))


def _rows(boxes: list[_Item], layers: int) -> None:
    """Column 0 evenly spaced; later items near the mean of what feeds them, order kept."""
    column0 = [b for b in boxes if b.layer == 0]
    for i, item in enumerate(column0):
        item.y = i * ROW
    fallback = sum(b.y for b in column0) / max(len(column0), 1)
    lanes = [lane for b in boxes for r in b.outs for lane in r.lanes]
    for layer in range(1, layers):
        real = [b for b in boxes if b.layer == layer]
        here = [lane for lane in lanes if lane.layer == layer]
        for item in real + here:
            feeds = [r.chain[r.chain.index(item) - 1].y for r in item.ins]
            item.desired = sum(feeds) / len(feeds) if feeds else fallback
        here.sort(key=lambda lane: lane.desired)
        order: list[_Item] = []
        while real or here:
            take = here if here and (not real or here[0].desired < real[0].desired) else real
            order.append(take.pop(0))
        seps = [(BOX_H / 2 if a.q else 0) + (BOX_H / 2 if b.q else 0) + (14 if a.q and b.q else 18)
                for a, b in zip(order, order[1:], strict=False)]
        weights = [1.0 if i.q else 4.0 for i in order]  # lanes rather stay straight
        for item, y in zip(order, _spread([i.desired for i in order], seps, weights), strict=True):
            item.y = y


_T = (0.5, 0.38, 0.62, 0.26, 0.74, 0.14, 0.86)  # along a segment, middle first


def _labels(routes: list[_Route], rects: list[Rect]) -> None:
    """Greedily put each edge label where it covers no box, no label and few edges.

    A candidate costs, in this order: how far from the middle it sits, its shift off the
    edge, a second line, 1000 per px² over a box (pad 3) or a placed label (pad 2), 30 per
    sample of another edge under it, and 3 per px outside the boxes' hull. Every term is
    >= 0 and float addition is monotone, so once a partial sum reaches the best cost so
    far the candidate cannot win and is skipped; terms that are exactly 0 add nothing and
    are left out of their sums. The sums keep their order, so each cost that is finished
    is the very same float as when every term is added.
    """
    samples = {id(r): [_at(c, k / 8) for c in r.segments for k in range(9)] for r in routes}
    hull = tuple(f(r[i] for r in rects) for i, f in enumerate((min, min, max, max)))
    near_boxes = [(b[0] - 3, b[1] - 3, b[2] + 3, b[3] + 3) for b in rects]  # boxes, padded by 3
    near_placed: list[Rect] = []  # labels placed so far, padded by 2
    for route in sorted(routes, key=lambda r: len(r.segments)):
        best, best_rect, best_lines = float("inf"), route.label, 1
        others = sorted(p for r in routes if r is not route for p in samples[id(r)])
        xs = [p[0] for p in others]
        for lines in (1, 2):
            if (lines - 1) * 25 >= best:  # as cheap as a candidate of this many lines can be
                break
            w, h = route.size(lines)
            half_w, half_h = w / 2, h / 2
            shifts = ((0, 0), (-h / 2 - 2, 6), (h / 2 + 2, 6),
                      (-h / 2 - BOX_H / 2 - 4, 30), (h / 2 + BOX_H / 2 + 4, 30))
            for segment in route.segments:
                for t in _T:
                    x = y = None
                    for shift, penalty in shifts:
                        cost = abs(t - 0.5) * 10 + penalty + (lines - 1) * 25
                        if cost >= best:
                            continue
                        if x is None:
                            x, y = _at(segment, t)
                        middle = y + shift
                        left, top, right, bottom = x - half_w, middle - half_h, x + half_w, middle + half_h
                        terms = _covered(left, top, right, bottom, near_boxes)
                        if terms:
                            cost = cost + 1000 * sum(terms)
                            if cost >= best:
                                continue
                        terms = _covered(left, top, right, bottom, near_placed)
                        if terms:
                            cost = cost + 1000 * sum(terms)
                            if cost >= best:
                                continue
                        crossed = 0
                        for i in range(bisect_right(xs, left), bisect_left(xs, right)):
                            if top < others[i][1] < bottom:
                                crossed += 1
                        if crossed:
                            cost = cost + 30 * crossed
                            if cost >= best:
                                continue
                        outside = [d for d in (hull[0] - left, hull[1] - top,
                                               right - hull[2], bottom - hull[3]) if d > 0.0]
                        if outside:
                            cost = cost + 3 * sum(outside)
                        if cost < best:
                            best, best_rect, best_lines = cost, (left, top, right, bottom), lines
        route.label, route.lines = best_rect, best_lines
        near_placed.append((best_rect[0] - 2, best_rect[1] - 2, best_rect[2] + 2, best_rect[3] + 2))


def _covered(left: float, top: float, right: float, bottom: float, near: list[Rect]) -> list[float]:
    """Where the rectangle overlaps each of ``near`` (padded): the areas in order, zeros left out."""
    areas = []
    for n_left, n_top, n_right, n_bottom in near:
        across = min(right, n_right) - max(left, n_left)
        if across > 0.0:
            down = min(bottom, n_bottom) - max(top, n_top)
            if down > 0.0:
                areas.append(across * down)
    return areas


def _legend(top: float) -> list[tuple[Rect, str]]:
    """Legend swatches left to right: (swatch, role)."""
    entries, x = [], MARGIN
    for role, style in STYLE.items():
        entries.append(((x, top + MARGIN, x + 18, top + MARGIN + 12), role))
        x += 18 + 5 + _width(style[4], LABEL_PX) + 16
    return entries


def scene(sheet: Worksheet, lay: Layout) -> list[tuple]:
    """What to draw, in order, for either back end: (kind, *arguments) of box, curve, arrow, patch, text.

    The layout holds names and shown values only (it is shared by sheets that agree on them),
    so roles and TeX come from ``sheet``, by name, the last of a name winning as in the layout.
    """
    quantity = {q.name: q for q in (*sheet.inputs, *sheet.parameters, *sheet.forward)}
    tex = {name: q.tex for name, q in quantity.items()}
    out: list[tuple] = []
    for rect, role in _legend(lay.view[1]):
        fill, stroke, dashed, radius, text = STYLE[role]
        out.append(("box", rect, fill, stroke, dashed, min(radius, 6.0), 2.4 if role == "loss" else 1.2))
        out.append(("text", rect[2] + 5, rect[1] + 6, LABEL_PX, [(text, False)], text, True))
    out += [("curve", r.segments) for r in lay.routes]
    out += [("arrow", lay.left[r.dst_layer], r.in_y) for r in lay.routes]
    for b in lay.boxes:
        fill, stroke, dashed, radius, _ = STYLE.get(quantity[b.q.name].role, STYLE["node"])
        x, w = lay.left[b.layer], lay.widths[b.layer]
        out.append(("box", (x, b.y - BOX_H / 2, x + w, b.y + BOX_H / 2), fill, stroke, dashed, radius,
                    2.4 if b.q.name == sheet.loss else 1.2))
        out.append(("text", x + w / 2, b.y - 7, NAME_PX, _runs(b.q.name), f"${tex[b.q.name]}$", False))
        value = f"${_tex_number(b.q.shown)}$"
        out.append(("text", x + w / 2, b.y + 9, VALUE_PX, [(b.q.shown, False)], value, False))
    for r in lay.routes:
        out.append(("patch", r.label))
        head, number = rf"\partial {tex[r.d.node]}/\partial {tex[r.d.input]}", _tex_number(r.d.shown)
        lines = [f"${head} = {number}$"] if r.lines == 1 else [f"${head} = {{}}$", f"${number}$"]
        for i, (runs, line) in enumerate(zip(r.text(), lines, strict=True)):
            y = r.label[1] + 2 + (i + 0.5) * LINE
            out.append(("text", (r.label[0] + r.label[2]) / 2, y, LABEL_PX, runs, line, False))
    return out


def _tex_number(shown: str) -> str:
    """A shown number (ASCII like ``-1.2e-5``) as math: ``-1.2 \\times 10^{-5}``."""
    mantissa, _, exponent = shown.partition("e")
    if not re.fullmatch(r"[-+]?[0-9.]+", mantissa) or not re.fullmatch(r"[-+]?[0-9]*", exponent):
        return rf"\mathrm{{{re.sub(r'[^A-Za-z0-9.+-]', '', shown)}}}"
    return mantissa + (rf" \times 10^{{{int(exponent)}}}" if exponent else "")


def describe(sheet: Worksheet) -> str:
    """The picture in words, for its ``aria-label``."""
    def names(qs: tuple[Quantity, ...]) -> str:
        return ", ".join(q.name for q in qs) or "none"
    return (f"Computational graph: inputs {names(sheet.inputs)}; parameters {names(sheet.parameters)}; "
            f"nodes {names(sheet.forward)}; loss {sheet.loss}. Each arrow runs from an input of a node "
            "to the node and is labelled with its local derivative.")


def _svg_text(x: float, y: float, px: float, runs: Runs, _tex: str, start: bool) -> str:
    """Text centred (or started) at ``x`` with its middle at ``y``; subscripts via tspan dy."""
    parts, low = [], False
    for text, sub in runs:
        dy = f' dy="{(0.3 if sub else -0.3) * px:.1f}"' if sub != low else ""
        size = f' font-size="{px * SUB:.1f}"' if sub else ""
        parts.append(f"<tspan{dy}{size}>{escape(text)}</tspan>")
        low = sub
    weight = ' font-weight="bold"' if px == NAME_PX else ""
    return (f'<text x="{x:.1f}" y="{y + 0.35 * px:.1f}" font-size="{px:.1f}" '
            f'text-anchor="{"start" if start else "middle"}"{weight}>{"".join(parts)}</text>')


def _svg_rect(r: Rect, extra: str) -> str:
    return (f'<rect x="{r[0]:.1f}" y="{r[1]:.1f}" width="{r[2] - r[0]:.1f}" height="{r[3] - r[1]:.1f}" '
            f"{extra}/>")


def _svg_curve(segments: list[Cubic]) -> str:
    d = "M{:.1f},{:.1f}".format(*segments[0][0])
    d += "".join(" C" + " ".join(f"{x:.1f},{y:.1f}" for x, y in c[1:]) for c in segments)
    return f'<path d="{d}" fill="none" stroke="{EDGE}" stroke-width="1.2"/>'


SVG_ELEMENTS = {  # kind -> (*arguments) -> element
    "box": lambda r, fill, stroke, dashed, radius, width: _svg_rect(
        r, f'rx="{radius:.1f}" fill="{fill}" stroke="{stroke}" stroke-width="{width:.1f}"'
        + (' stroke-dasharray="4 2"' if dashed else "")),
    "curve": _svg_curve,
    "arrow": lambda x, y: f'<path d="M{x - ARROW:.1f},{y - 3.5:.1f} L{x:.1f},{y:.1f} '
                          f'L{x - ARROW:.1f},{y + 3.5:.1f} Z" fill="{EDGE}"/>',
    "patch": lambda r: _svg_rect(r, 'rx="3" fill="#ffffff" fill-opacity="0.9"'),
    "text": _svg_text,
}


def graph_svg(sheet: Worksheet) -> str:
    """The graph as an inline ``<svg>``: no ids, no scripts, no external references."""
    lay = layout(sheet, SVG_WIDTH)
    x0, y0, w, h = lay.view
    scale, about = min(1.0, SVG_WIDTH / w), escape(describe(sheet))
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w * scale:.0f}" height="{h * scale:.0f}" '
            f'viewBox="{x0:.1f} {y0:.1f} {w:.1f} {h:.1f}" role="img" aria-label="{about}" '
            # width:100% + max-width, not max-width:100% + height:auto, which WeasyPrint 70 mis-sizes
            f'font-family="{FONT}" fill="#1a1a1a" '
            f'style="width:100%;max-width:{w * scale:.0f}px;height:auto">')
    body = [SVG_ELEMENTS[kind](*args) for kind, *args in scene(sheet, lay)]
    return "\n".join([head, f"<title>{about}</title>", *body, "</svg>"])


def _rgb(hex_colour: str) -> str:
    return "{{rgb,255:red,{};green,{};blue,{}}}".format(*(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)))


def _xy(x: float, y: float) -> str:
    return f"({x:.1f},{y:.1f})"


_TEX_SIZE, _SCRIPT = {NAME_PX: r"\footnotesize"}, r"\scriptsize"  # names, everything else


_TIKZ = {  # kind -> (*arguments) -> command
    "box": lambda r, fill, stroke, dashed, radius, width: (
        rf"\draw[fill={_rgb(fill)},draw={_rgb(stroke)},line width={width * TIKZ_PT:.2f}pt,"
        rf"rounded corners={radius * TIKZ_PT:.2f}pt{',dash pattern=on 2.5pt off 1.2pt' if dashed else ''}] "
        rf"{_xy(*r[:2])} rectangle {_xy(*r[2:])};"),
    "curve": lambda segments: (
        rf"\draw[draw={_rgb(EDGE)},line width={1.2 * TIKZ_PT:.2f}pt] {_xy(*segments[0][0])}"
        + "".join(" .. controls {} and {} .. {}".format(*(_xy(*p) for p in c[1:])) for c in segments) + ";"),
    "arrow": lambda x, y: rf"\fill[fill={_rgb(EDGE)}] {_xy(x - ARROW, y - 3.5)} -- {_xy(x, y)} -- "
                          rf"{_xy(x - ARROW, y + 3.5)} -- cycle;",
    "patch": lambda r: rf"\fill[white,opacity=0.9] {_xy(*r[:2])} rectangle {_xy(*r[2:])};",
    "text": lambda x, y, px, _runs, tex, start: (
        rf"\node[{'anchor=west,' if start else ''}font={_TEX_SIZE.get(px, _SCRIPT)}] "
        rf"at {_xy(x, y)} {{{tex}}};"),
}


def graph_tikz(sheet: Worksheet) -> str:
    """The same picture in plain TikZ, shrunk to ``\\linewidth`` only when wider than it."""
    body = [_TIKZ[kind](*args) for kind, *args in scene(sheet, layout(sheet, TIKZ_WIDTH))]
    return "\n".join([
        r"\begingroup\setbox0=\hbox{%",
        rf"\begin{{tikzpicture}}[x={TIKZ_PT}pt,y=-{TIKZ_PT}pt,inner sep=0pt,line cap=round,line join=round]",
        *body, r"\end{tikzpicture}}%",
        r"\ifdim\wd0>\linewidth\setbox0=\hbox{\resizebox{\linewidth}{!}{\box0}}\fi",
        r"\par\noindent\makebox[\linewidth]{\box0}\par\endgroup", ""])
