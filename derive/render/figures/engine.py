"""Graphviz ``dot`` places the picture: ranks left to right, crossings few, edge labels clear.

Boxes and labels are given to ``dot`` as fixed sizes measured here (``geometry``), so its
label placement (a label is a node of its own rank, beside its edge) keeps every label off
every box, edge and other label; ``-Tjson0`` returns where everything went, and derive's
own back ends (SVG, TikZ, PDF) draw from that. Coordinates are points, read as the
picture's pixels; y is turned to grow downwards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import graphviz

from .geometry import ARROW, Cubic, Point, Rect

NODESEP, RANKSEP = 0.18, 0.14  # inches: between boxes of one rank, between ranks
PAD = 6.0  # px of air around a label that dot keeps clear (the label is drawn without it)


@dataclass(frozen=True)
class Placed:
    """What ``dot`` returned, in picture pixels: box rectangles, edge curves, arrow tips, labels."""

    boxes: tuple[Rect, ...]
    curves: tuple[tuple[Cubic, ...], ...]
    tips: tuple[Point, ...]
    labels: tuple[Rect | None, ...]
    size: tuple[float, float]


def source(sizes: list[tuple[float, float]], first: list[int],
           edges: list[tuple[int, int, tuple[float, float] | None]]) -> str:
    """The ``dot`` text: boxes ``sizes`` (px), ``first`` on the leftmost rank, edges with label sizes."""
    lines = ["digraph G {", f"graph [rankdir=LR, nodesep={NODESEP}, ranksep={RANKSEP}, splines=true, "
             "outputorder=edgesfirst, pad=0];",
             'node [shape=box, fixedsize=true, label="", margin=0];',
             f"edge [arrowhead=normal, arrowsize={ARROW / 10:.2f}];"]
    lines += [f"n{i} [width={w / 72:.4f}, height={h / 72:.4f}];" for i, (w, h) in enumerate(sizes)]
    if first:
        lines.append("{rank=min; " + " ".join(f"n{i};" for i in first) + "}")
    for src, dst, label in edges:
        if label is None:
            lines.append(f"n{src} -> n{dst};")
        else:
            table = (f'<TABLE FIXEDSIZE="TRUE" WIDTH="{label[0] + PAD:.0f}" HEIGHT="{label[1] + PAD:.0f}" '
                     'BORDER="0" CELLPADDING="0" CELLSPACING="0"><TR><TD></TD></TR></TABLE>')
            lines.append(f"n{src} -> n{dst} [label=<{table}>];")
    return "\n".join([*lines, "}", ""])


def place(text: str, edges: list[tuple[int, int, tuple[float, float] | None]]) -> Placed:
    """Run ``dot`` on ``text`` and read its positions back; ``edges`` as given to ``source``."""
    out = json.loads(graphviz.pipe("dot", "json0", text.encode()))
    height = float(out["bb"].split(",")[3])

    def point(text: str) -> Point:
        x, y = text.split(",")[-2:]
        return float(x), height - float(y)

    boxes = []
    nodes = [o for o in out.get("objects", []) if "pos" in o]
    for node in sorted(nodes, key=lambda o: int(o["name"][1:])):
        x, y = point(node["pos"])
        w, h = float(node["width"]) * 36, float(node["height"]) * 36
        boxes.append((x - w, y - h, x + w, y + h))
    curves, tips, rects = [], [], []
    number = {o["_gvid"]: int(o["name"][1:]) for o in nodes}  # dot's ids -> ours (n<i>)
    found = {(number[e["tail"]], number[e["head"]]): e for e in out.get("edges", [])}
    for src, dst, size in edges:
        edge = found[src, dst]
        parts = edge["pos"].split()
        points = [point(p) for p in parts if not p.startswith(("e,", "s,"))]
        tip = [point(p) for p in parts if p.startswith("e,")]
        tips.append(tip[0] if tip else points[-1])
        curves.append(tuple((points[i], points[i + 1], points[i + 2], points[i + 3])
                            for i in range(0, len(points) - 3, 3)))
        if size is None:
            rects.append(None)
        else:
            x, y = point(edge["lp"])
            rects.append((x - size[0] / 2, y - size[1] / 2, x + size[0] / 2, y + size[1] / 2))
    return Placed(tuple(boxes), tuple(curves), tuple(tips), tuple(rects),
                  (float(out["bb"].split(",")[2]), height))
