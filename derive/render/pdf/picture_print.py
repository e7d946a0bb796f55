"""The graph picture for the PDF: the SVG's shapes, with its labels drawn as glyph outlines.

WeasyPrint sets SVG text one letter at a time (a Pango layout per letter), and even HTML
labels cost it about two milliseconds each: together the largest cost of a sheet after the
formulas. So the printed picture is the SVG's shapes plus one empty box over them, which
``formulas.FormulaBoxes`` draws the labels into after layout: DejaVu Sans outlines
(the SVG's font, set by ``outline_text``) with the font's kerning, centred or started
where the SVG's ``text-anchor`` puts them, on the SVG's baseline.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from markupsafe import Markup

from ...sheet.model import Worksheet
from ..figures.geometry import LABEL_PX, NAME_PX, SUB, SVG_WIDTH
from ..figures.layout import Layout, layout, pieces
from ..figures.picture import (
    MIN_PRINT_PT,
    SVG_ELEMENTS,
    _part_names,
    describe,
    part_caption,
    scene,
    under_picture,
)
from .formulas import Drawing, FormulaBoxes, Ink, merged
from .outline_text import TEXT_COLOUR, set_line

MAX_HEIGHT_PX = 640.0
"""The tallest the printed picture may be (about 170 mm): with its heading, legend and caption
it takes at most three quarters of an A4 or Letter page, so its heading never stands alone above
a picture pushed to the next page, and a page the picture leaves is at least a quarter full."""


def graph_print_html(sheet: Worksheet, width_px: float, boxes: FormulaBoxes, values: bool = True) -> Markup:
    """The picture at most ``width_px`` wide (the printed line); ``boxes`` draws its labels; its
    alternative text names the values unless ``values`` is False (a class set's sheets, which
    share one page).
    Labels that would print below 7 pt are left out, and listed in a table under the picture;
    a picture still too wide is printed in parts (``layout.pieces``)."""
    most = min(SVG_WIDTH, width_px) * LABEL_PX * 0.75 / MIN_PRINT_PT
    parts = pieces(sheet, most)
    if len(parts) == 1 and parts[0].labelled:
        x0, y0, w, h = parts[0].view
        if LABEL_PX * min(1.0, SVG_WIDTH / w, width_px / w, MAX_HEIGHT_PX / h) * 0.75 < MIN_PRINT_PT:
            parts = (layout(sheet, False),)  # too tall to label readably
    out = []
    for number, lay in enumerate(parts, 1):
        if len(parts) > 1:
            out.append(f'<p class="graph-part">{part_caption(sheet, lay, number, len(parts))}</p>')
        names = _part_names(lay) if len(parts) > 1 else None
        out.append(_printed(sheet, lay, width_px, boxes, describe(sheet, names, values=values)))
    return Markup("\n".join(out) + under_picture(sheet, all(lay.labelled for lay in parts)))


def _printed(sheet: Worksheet, lay: Layout, width_px: float, boxes: FormulaBoxes, about: str) -> str:
    """One picture (or part) as printed HTML: the SVG's shapes and a box its labels are drawn into."""
    x0, y0, w, h = lay.view
    scale = min(1.0, SVG_WIDTH / w, width_px / w, MAX_HEIGHT_PX / h)
    about = escape(about)
    shapes = scene(sheet, lay)
    svg = "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w * scale:.2f}" height="{h * scale:.2f}" '
        f'viewBox="{x0:.1f} {y0:.1f} {w:.1f} {h:.1f}" aria-hidden="true" fill="#1a1a1a">'
        f"<title>{about}</title>",  # the tagged PDF's /Alt of the figure
        *(SVG_ELEMENTS[kind](*args) for kind, *args in shapes if kind != "text"), "</svg>"])
    texts = [args for kind, *args in shapes if kind == "text"]
    labels = [_label(x - x0, y - y0, px, tuple(runs), start) for x, y, px, runs, _, start in texts]
    drawing = Drawing(0.0, 0.0, w * scale, h * scale, w * scale,
                      b"q %.5f 0 0 %.5f 0 0 cm\n" % (scale, scale) + TEXT_COLOUR + b"\n"
                      + b"\n".join(label.operators for label in labels) + b"\nQ",
                      merged(*(label.glyphs for label in labels)))
    size = f"width:{w * scale:.2f}px;height:{h * scale:.2f}px"
    return (f'<div class="graph" role="img" aria-label="{about}" style="position:relative;{size}">\n{svg}\n'
            f'<span class="graph-labels" id="{boxes.place(drawing)}" '
            f'style="position:absolute;left:0;top:0;display:block;{size}"></span>\n</div>')


@lru_cache(maxsize=4096)
def _label(x: float, y: float, px: float, runs: tuple[tuple[str, int], ...], start: bool) -> Ink:
    """One SVG ``<text>`` of ``picture._svg_text`` (middle at ``y``, baseline 0.35 em lower) as
    PDF operators in the picture's units: each run set in turn, scripts smaller, subscripts
    0.3 em low and superscripts 0.35 em high."""
    bold = px == NAME_PX
    face = "sans-bold" if bold else "sans"
    pieces = [(set_line(text, px * SUB if shift else px, face), {1: 0.3, -1: -0.35}.get(shift, 0.0) * px)
              for text, shift in runs]
    width = sum(advance for (advance, _), _ in pieces)
    left = x if start else x - width / 2
    out = []
    for (advance, ink), dy in pieces:
        out.append(b"q 1 0 0 1 %.3f %.3f cm\n%s\nQ" % (left, y + 0.35 * px + dy, ink.operators))
        left += advance
    return Ink(b"\n".join(out), merged(*(ink.glyphs for (_, ink), _ in pieces)))
