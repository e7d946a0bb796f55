"""The computational graph as a picture: inline SVG for HTML and TikZ for LaTeX.

The PDF takes the SVG's shapes with its text as HTML (``picture_print``).

One layout algorithm feeds both: inputs and parameters in column 0, each node one column
right of its deepest input, spec order kept within a column. Edges that skip columns run
through lanes reserved in the columns between, and edge labels go greedily where they
cover no box, no other label and few edges. Coordinates are SVG pixels; TikZ reuses them
as ``x=0.73pt, y=-0.73pt`` (where Computer Modern fits the DejaVu width estimates) with
the gaps between columns stretched less (470 px instead of 680 px), to suit the LaTeX line width.
The layout is ``layout``'s, the measures and parts ``geometry``'s; this module draws.
"""

from __future__ import annotations

import re
from html import escape

from ...sheet.model import Quantity, Worksheet
from .geometry import (
    ARROW,
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
    TIKZ_WIDTH,
    VALUE_PX,
    Cubic,
    Rect,
    Runs,
    _runs,
)
from .layout import Layout, _legend, layout


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
