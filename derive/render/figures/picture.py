"""The computational graph as a picture: inline SVG for HTML and TikZ for LaTeX.

The PDF takes the SVG's shapes with its text as HTML (``picture_print``).

``layout`` has Graphviz ``dot`` place the boxes, curves and edge labels, left to right;
``scene`` turns a layout into shapes and texts for any back end, the names written as the
sheet writes them (``names``: ``[notation]`` honoured). Coordinates are SVG pixels; TikZ
reuses them as ``x=0.73pt, y=-0.73pt`` (where Computer Modern fits the DejaVu width
estimates). A picture whose labels would be shown smaller than 9 px (HTML) or 7 pt (print,
LaTeX) is drawn without edge labels, and ``derivative_table`` lists them under it instead.
"""

from __future__ import annotations

import re
from html import escape

from ...sheet.model import Quantity, Worksheet
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
from .layout import Layout, _legend, fitted

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
        out.append(("box", b.rect, fill, stroke, dashed, radius, 2.4 if b.q.name == sheet.loss else 1.2))
        middle, y = (b.rect[0] + b.rect[2]) / 2, (b.rect[1] + b.rect[3]) / 2
        out.append(("text", middle, y - 7, NAME_PX, list(b.q.runs), f"${tex[b.q.name]}$", False))
        out.append(("text", middle, y + 9, VALUE_PX, [(b.q.shown, 0)], f"${_tex_number(b.q.shown)}$", False))
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
    head, number = rf"\partial {tex[d.node]}/\partial {tex[d.input]}", _tex_number(d.shown)
    return [f"${head} = {number}$"] if lines == 1 else [f"${head} = {{}}$", f"${number}$"]


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


def graph_svg(sheet: Worksheet, lay: Layout | None = None) -> str:
    """The graph as an inline ``<svg>``: no ids, no scripts, no external references."""
    lay = lay or fitted(sheet, HTML_MOST)
    x0, y0, w, h = lay.view
    scale, about = min(1.0, SVG_WIDTH / w), escape(describe(sheet))
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w * scale:.0f}" height="{h * scale:.0f}" '
            f'viewBox="{x0:.1f} {y0:.1f} {w:.1f} {h:.1f}" role="img" aria-label="{about}" '
            # width:100% + max-width, not max-width:100% + height:auto, which WeasyPrint 70 mis-sizes
            f'font-family="{FONT}" fill="#1a1a1a" '
            f'style="width:100%;max-width:{w * scale:.0f}px;height:auto">')
    body = [SVG_ELEMENTS[kind](*args) for kind, *args in scene(sheet, lay)]
    return "\n".join([head, f"<title>{about}</title>", *body, "</svg>"])


def graph_html(sheet: Worksheet) -> str:
    """The picture for the HTML page: the SVG, and the table of local derivatives if it left them out."""
    lay = fitted(sheet, HTML_MOST)
    return graph_svg(sheet, lay) + ("" if lay.labelled else "\n" + derivative_table(sheet))


def html_runs(runs: Runs) -> str:
    """Runs as HTML text: scripts in ``<sub>``/``<sup>``."""
    tags = {1: "sub", -1: "sup"}
    return "".join(f"<{tags[s]}>{escape(t)}</{tags[s]}>" if s in tags else escape(t) for t, s in runs)


def derivative_table(sheet: Worksheet) -> str:
    """The local derivatives the picture leaves out, one row per arrow, with a sentence that says why."""
    from .layout import _key

    rows = "\n".join(f'<tr><td>{html_runs([("∂", 0), *d.node_runs, ("/∂", 0), *d.input_runs])}</td>'
                     f"<td>= {escape(d.shown)}</td></tr>" for d in _key(sheet).local)
    return ('<p class="graph-note">The graph has too many arrows to label them readably, so their '
            "local derivatives are listed here instead.</p>\n"
            f'<table class="graph-derivatives">\n<tr><th scope="col">Arrow</th><th scope="col">Local '
            f"derivative</th></tr>\n{rows}\n</table>")


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
    """The same picture in plain TikZ, shrunk to ``\\linewidth`` only when wider than it; the
    local derivatives in a table under it when the picture leaves them out."""
    lay = fitted(sheet, TEX_MOST)
    body = [_TIKZ[kind](*args) for kind, *args in scene(sheet, lay)]
    return "\n".join([
        r"\begingroup\setbox0=\hbox{%",
        rf"\begin{{tikzpicture}}[x={TIKZ_PT}pt,y=-{TIKZ_PT}pt,inner sep=0pt,line cap=round,line join=round]",
        *body, r"\end{tikzpicture}}%",
        r"\ifdim\wd0>\linewidth\setbox0=\hbox{\resizebox{\linewidth}{!}{\box0}}\fi",
        r"\par\noindent\makebox[\linewidth]{\box0}\par\endgroup",
        *([] if lay.labelled else _tikz_table(sheet)),
        ""])


def _tikz_table(sheet: Worksheet) -> list[str]:
    """The left-out labels as a LaTeX table, with the sentence that says why."""
    tex = {q.name: q.tex for q in (*sheet.inputs, *sheet.parameters, *sheet.forward)}
    rows = [rf"$\partial {tex[d.node]}/\partial {tex[d.input]}$ & $= {_tex_number(d.shown)}$ \\"
            for d in sheet.local]
    return [r"\par The graph has too many arrows to label them readably, so their local "
            r"derivatives are listed here instead.\par",
            r"\begin{tabular}{ll}", r"Arrow & Local derivative \\[2pt]", *rows, r"\end{tabular}\par"]
