"""The graph picture's layout: columns, rows, edge routes and label places (see ``picture``).

A layout reads only names, shown values and edges, so it is cached by those (``_Key``) and
shared, immutable, by every picture of equal ones.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from ...sheet.model import Quantity, Worksheet
from .geometry import (
    _D,
    _Q,
    ARROW,
    BOX_H,
    LABEL_PX,
    LEGEND_H,
    MARGIN,
    MIN_GAP,
    NAME_PX,
    ROW,
    STYLE,
    VALUE_PX,
    Rect,
    _at,
    _Box,
    _curve,
    _Edge,
    _Item,
    _Key,
    _Route,
    _run_width,
    _runs,
    _spread,
    _width,
)


def _key(sheet: Worksheet) -> _Key:
    def qs(quantities: tuple[Quantity, ...]) -> tuple[_Q, ...]:
        return tuple(_Q(q.name, q.shown) for q in quantities)
    return _Key(qs(sheet.inputs), qs(sheet.parameters), qs(sheet.forward),
                tuple(_D(d.node, d.input, d.shown) for d in sheet.local))


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
