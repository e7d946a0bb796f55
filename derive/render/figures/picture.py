"""The computational graph as a picture: inline SVG for HTML and TikZ for LaTeX.

The PDF takes the SVG's shapes with its text as HTML (``picture_print``).

``layout`` has Graphviz ``dot`` place the boxes, curves and edge labels, left to right;
``scene`` turns a layout into shapes and texts for any back end, the names written as the
sheet writes them (``names``: ``[notation]`` honoured). Coordinates are SVG pixels; TikZ
reuses them as ``x=0.73pt, y=-0.73pt`` (where Computer Modern fits the DejaVu width
estimates). A picture whose labels would be shown smaller than 9 px (HTML) or 7 pt (print,
LaTeX) is drawn without edge labels, and ``tables.derivative_table`` lists them under it
instead; one still too wide is drawn in parts (``layout.pieces``), each its own SVG (or TikZ
picture) with a line naming its nodes and the connectors it repeats.
"""

from __future__ import annotations

import re
from html import escape

import numpy as np

from ...sheet.model import Worksheet
from .geometry import (
    BOX_H,
    EDGE,
    FONT,
    LABEL_PX,
    LINE,
    NAME_PX,
    STYLE,
    SUB,
    SVG_WIDTH,
    TIKZ_PT,
    VALUE_PX,
    Cubic,
    Point,
    Rect,
    Runs,
)
from .layout import BOX_ENTRIES_MOST, Layout, _legend, fitted, pieces, shape_only
from .names import name_runs
from .spoken import graph_sentence
from .tables import (
    ELSEWHERE,
    NOTE,
    derivative_table,
    html_runs,
    listed_elsewhere,
    tex_derivative_rows,
    value_table,
)

__all__ = ["derivative_table", "html_runs"]  # re-exported: where the picture's tables used to live

MIN_HTML_PX, MIN_PRINT_PT, TEX_LINE_PT, TEX_LABEL_PT = 9.0, 7.0, 482.0, 8.0
"""The smallest label sizes; the LaTeX line (A4, 2 cm margins) and its ``\\scriptsize`` at 11 pt."""
HTML_MOST = SVG_WIDTH * LABEL_PX / MIN_HTML_PX
TEX_MOST = TEX_LINE_PT / TIKZ_PT * TEX_LABEL_PT / MIN_PRINT_PT


def scene(sheet: Worksheet, lay: Layout) -> list[tuple]:
    """What to draw, in order, for either back end: (kind, *arguments) of box, curve, arrow, patch, text.

    The layout holds names and shown values only (it is shared by sheets that agree on them),
    so roles and TeX come from ``sheet``, by name.
    """
    quantity = {q.name: q for q in (*sheet.inputs, *sheet.parameters, *sheet.forward)}
    tex = {name: q.tex for name, q in quantity.items()}
    out: list[tuple] = []
    for rect, role in _legend(lay.view[1]):
        fill, stroke, dashed, radius, text = STYLE[role]
        out.append(("box", rect, fill, stroke, dashed, min(radius, 6.0), 2.4 if role == "loss" else 1.2))
        out.append(("text", rect[2] + 5, rect[1] + 6, LABEL_PX, [(text, 0)], text, True))
    out += [("curve", r.segments) for r in lay.routes]
    out += [("arrow", r.segments[-1][-1], r.tip) for r in lay.routes]
    for b in lay.boxes:
        fill, stroke, dashed, radius, _ = STYLE.get(quantity[b.q.name].role, STYLE["node"])
        dashed = dashed or b.q.name in lay.continued  # a connector: repeated from an earlier part
        out.append(("box", b.rect, fill, stroke, dashed, radius, 2.4 if b.q.name == sheet.loss else 1.2))
        middle, y = (b.rect[0] + b.rect[2]) / 2, (b.rect[1] + b.rect[3]) / 2
        out.append(("text", middle, y - 7, NAME_PX, list(b.q.runs), f"${tex[b.q.name]}$", False))
        shape = np.shape(quantity[b.q.name].value)
        value = _tex_shape(shape) if int(np.prod(shape)) > BOX_ENTRIES_MOST else _tex_number(b.q.shown)
        out.append(("text", middle, y + 9, VALUE_PX, [(b.q.shown, 0)], f"${value}$", False))
    for r in lay.routes:
        if r.label is None:
            continue
        out.append(("patch", r.label))
        for i, (runs, line) in enumerate(zip(r.text(), _label_tex(tex, r.d, r.lines), strict=True)):
            y = r.label[1] + 2 + (i + 0.5) * LINE
            out.append(("text", (r.label[0] + r.label[2]) / 2, y, LABEL_PX, runs, line, False))
    return out


def _label_tex(tex: dict[str, str], d, lines: int) -> list[str]:
    """The label in TeX: ``$\\partial A_{3}/\\partial A_{2} = -1.28$``, on one line or two."""
    head = rf"\partial {tex[d.node]}/\partial {tex[d.input]}"
    if not d.shown:  # a picture without values: the name alone
        return [f"${head}$"]
    number = _tex_number(d.shown)
    return [f"${head} = {number}$"] if lines == 1 else [f"${head} = {{}}$", f"${number}$"]


def _tex_number(shown: str) -> str:
    """A shown number (ASCII like ``-1.2e-5``) as math: ``-1.2 \\times 10^{-5}``."""
    if re.fullmatch(r"\[[\[\]0-9.,e +-]*\]", shown):  # a short array, as the sheet lists it
        return rf"\text{{{shown}}}"
    mantissa, _, exponent = shown.partition("e")
    if not re.fullmatch(r"[-+]?[0-9.]+", mantissa) or not re.fullmatch(r"[-+]?[0-9]*", exponent):
        return rf"\mathrm{{{re.sub(r'[^A-Za-z0-9.+-]', '', shown)}}}"
    return mantissa + (rf" \times 10^{{{int(exponent)}}}" if exponent else "")


def _tex_shape(shape: tuple[int, ...]) -> str:
    """A box's shape line in TeX math, from the array's shape: ``5 \\times 3\\ \\text{matrix}``."""
    if len(shape) == 1:
        return rf"\text{{vector of }}{shape[0]}"
    return r" \times ".join(map(str, shape)) + (r"\ \text{matrix}" if len(shape) == 2 else r"\ \text{array}")


def describe(sheet: Worksheet, names: frozenset[str] | None = None, values: bool = True) -> str:
    """The picture (or the part of it holding the nodes ``names``) as sentences, for its alt text."""
    return graph_sentence(sheet, names, values)


def _svg_text(x: float, y: float, px: float, runs: Runs, _tex: str, start: bool) -> str:
    """Text centred (or started) at ``x`` with its middle at ``y``; scripts via tspan dy."""
    parts, level = [], 0.0
    for text, shift in runs:
        want = {1: 0.3, -1: -0.35}.get(shift, 0.0) * px
        dy = f' dy="{want - level:.1f}"' if abs(want - level) > 1e-9 else ""
        size = f' font-size="{px * SUB:.1f}"' if shift else ""
        parts.append(f"<tspan{dy}{size}>{escape(text)}</tspan>")
        level = want
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


def arrow_head(base: Point, tip: Point) -> tuple[Point, Point, Point]:
    """The arrowhead's corners: its tip and two corners 3.5 px either side of its base."""
    dx, dy = tip[0] - base[0], tip[1] - base[1]
    length = max((dx * dx + dy * dy) ** 0.5, 1e-9)
    nx, ny = -dy / length * 3.5, dx / length * 3.5
    return tip, (base[0] + nx, base[1] + ny), (base[0] - nx, base[1] - ny)


def _svg_arrow(base: Point, tip: Point) -> str:
    a, b, c = arrow_head(base, tip)
    return f'<path d="M{b[0]:.1f},{b[1]:.1f} L{a[0]:.1f},{a[1]:.1f} L{c[0]:.1f},{c[1]:.1f} Z" fill="{EDGE}"/>'


SVG_ELEMENTS = {  # kind -> (*arguments) -> element
    "box": lambda r, fill, stroke, dashed, radius, width: _svg_rect(
        r, f'rx="{radius:.1f}" fill="{fill}" stroke="{stroke}" stroke-width="{width:.1f}"'
        + (' stroke-dasharray="4 2"' if dashed else "")),
    "curve": _svg_curve,
    "arrow": _svg_arrow,
    "patch": lambda r: _svg_rect(r, 'rx="3" fill="#ffffff" fill-opacity="0.9"'),
    "text": _svg_text,
}


def graph_svg(sheet: Worksheet, lay: Layout | None = None, about: str | None = None) -> str:
    """The graph as an inline ``<svg>``: no ids, no scripts, no external references."""
    lay = lay or fitted(sheet, HTML_MOST)
    x0, y0, w, h = lay.view
    scale, about = min(1.0, SVG_WIDTH / w), escape(about if about is not None else describe(sheet))
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w * scale:.0f}" height="{h * scale:.0f}" '
            f'viewBox="{x0:.1f} {y0:.1f} {w:.1f} {h:.1f}" role="img" aria-label="{about}" '
            # width:100% + max-width, not max-width:100% + height:auto, which WeasyPrint 70 mis-sizes
            f'font-family="{FONT}" fill="#1a1a1a" '
            f'style="width:100%;max-width:{w * scale:.0f}px;height:auto">')
    body = [SVG_ELEMENTS[kind](*args) for kind, *args in scene(sheet, lay)]
    return "\n".join([head, f"<title>{about}</title>", *body, "</svg>"])


def graph_html(sheet: Worksheet) -> str:
    """The picture for the HTML page: the SVG (or its parts), and the tables of what it leaves out."""
    parts = pieces(sheet, HTML_MOST)
    out = []
    for number, lay in enumerate(parts, 1):
        if len(parts) > 1:
            out.append(f'<p class="graph-part">{part_caption(sheet, lay, number, len(parts))}</p>')
        out.append(graph_svg(sheet, lay, describe(sheet, _part_names(lay) if len(parts) > 1 else None)))
    return "\n".join(out) + under_picture(sheet, all(lay.labelled for lay in parts))


def under_picture(sheet: Worksheet, labelled: bool) -> str:
    """What goes under the picture: the value table of shape-only boxes, the derivative table."""
    shapes = shape_only(sheet)
    return ("\n" + value_table(sheet, shapes) if shapes else "") + (
        "" if labelled else "\n" + derivative_table(sheet))


def _part_names(lay: Layout) -> frozenset[str]:
    return frozenset(b.q.name for b in lay.boxes if b.q.name not in lay.continued)


def part_caption(sheet: Worksheet, lay: Layout, number: int, count: int) -> str:
    """``Part 2 of 3: h3 to L; the dashed boxes repeat a2, h2 from the parts before.`` (HTML)."""
    runs = {q.name: list(name_runs(q.symbol)) for q in (*sheet.inputs, *sheet.parameters, *sheet.forward)}
    nodes = [q.name for q in sheet.forward if q.name in _part_names(lay)]
    text = f"Part {number} of {count}: {html_runs(runs[nodes[0]])} to {html_runs(runs[nodes[-1]])}"
    repeated = [q.name for q in sheet.forward if q.name in lay.continued]
    if repeated:
        text += (f"; the dashed boxes repeat {', '.join(html_runs(runs[n]) for n in repeated)} "
                 "from the part before")
    return text + "."


def _rgb(hex_colour: str) -> str:
    return "{{rgb,255:red,{};green,{};blue,{}}}".format(*(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)))


def _xy(x: float, y: float) -> str:
    return f"({x:.1f},{y:.1f})"


_TEX_SIZE, _SCRIPT = {NAME_PX: r"\footnotesize"}, r"\scriptsize"  # names, everything else


_TIKZ = {  # kind -> (*arguments) -> command
    "box": lambda r, fill, stroke, dashed, radius, width: (
        rf"\draw[fill={_rgb(fill)},draw={_rgb(stroke)},line width={width * TIKZ_PT:.2f}pt,"
        rf"rounded corners={min(radius, BOX_H / 2) * TIKZ_PT:.2f}pt"
        rf"{',dash pattern=on 2.5pt off 1.2pt' if dashed else ''}] {_xy(*r[:2])} rectangle {_xy(*r[2:])};"),
    "curve": lambda segments: (
        rf"\draw[draw={_rgb(EDGE)},line width={1.2 * TIKZ_PT:.2f}pt] {_xy(*segments[0][0])}"
        + "".join(" .. controls {} and {} .. {}".format(*(_xy(*p) for p in c[1:])) for c in segments) + ";"),
    "arrow": lambda base, tip: r"\fill[fill={}] {} -- {} -- {} -- cycle;".format(
        _rgb(EDGE), *(_xy(*p) for p in (lambda a, b, c: (b, a, c))(*arrow_head(base, tip)))),
    "patch": lambda r: rf"\fill[white,opacity=0.9] {_xy(*r[:2])} rectangle {_xy(*r[2:])};",
    "text": lambda x, y, px, _runs, tex, start: (
        rf"\node[{'anchor=west,' if start else ''}font={_TEX_SIZE.get(px, _SCRIPT)}] "
        rf"at {_xy(x, y)} {{{tex}}};"),
}


def graph_tikz(sheet: Worksheet) -> str:
    """The same picture in plain TikZ, shrunk to ``\\linewidth`` only when wider than it (or
    in parts); the local derivatives in a table under it when the picture leaves them out."""
    parts = pieces(sheet, TEX_MOST)
    out = []
    for number, lay in enumerate(parts, 1):
        if len(parts) > 1:
            nodes = [q for q in sheet.forward if q.name in _part_names(lay)]
            repeated = [q for q in sheet.forward if q.name in lay.continued]
            out.append(rf"\par\noindent Part {number} of {len(parts)}: ${nodes[0].tex}$ to ${nodes[-1].tex}$"
                       + (f"; the dashed boxes repeat {', '.join(f'${q.tex}$' for q in repeated)} from the "
                          "part before" if repeated else "") + r".\par")
        body = [_TIKZ[kind](*args) for kind, *args in scene(sheet, lay)]
        out += [r"\begingroup\setbox0=\hbox{%",
                rf"\begin{{tikzpicture}}[x={TIKZ_PT}pt,y=-{TIKZ_PT}pt,inner sep=0pt,line cap=round,"
                "line join=round]",
                *body, r"\end{tikzpicture}}%",
                r"\ifdim\wd0>\linewidth\setbox0=\hbox{\resizebox{\linewidth}{!}{\box0}}\fi",
                r"\par\noindent\makebox[\linewidth]{\box0}\par\endgroup"]
    if shape_only(sheet):
        out.append(r"\par Boxes holding arrays too large to print in them show their shape; their values "
                   r"are in the tables of the problem and of the forward pass.\par")
    return "\n".join([*out, *([] if all(lay.labelled for lay in parts) else _tikz_table(sheet)), ""])


def _tikz_table(sheet: Worksheet) -> list[str]:
    """The left-out labels as a LaTeX table, with the sentence that says why (the sentence alone
    where the section on local derivatives states them all)."""
    if listed_elsewhere(sheet):
        return [rf"\par {ELSEWHERE}\par"]
    return [rf"\par {NOTE}\par",
            r"\begin{tabular}{l>{\raggedright\arraybackslash}p{0.75\linewidth}}",
            r"Arrow & Local derivative \\[2pt]",
            *tex_derivative_rows(sheet),
            r"\end{tabular}\par"]
