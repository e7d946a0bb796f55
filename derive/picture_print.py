"""The graph picture for the PDF: the SVG's shapes, with its text as HTML laid over them.

WeasyPrint sets SVG text one letter at a time (a Pango layout per letter, about a tenth of a
second per picture, the largest cost of a sheet after the formulas); HTML text is one run
per label. Each label is an absolutely placed line whose baseline falls where the SVG puts
it: ``top`` is the baseline less the distance from the top of a ``line-height: 1`` line to
its baseline in DejaVu Sans, and centred labels sit in a wide box with ``text-align:
center``, so they centre on the same point whatever their true width.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from .model import Worksheet
from .picture import _SVG, FONT, NAME_PX, SUB, SVG_WIDTH, Runs, _describe, _layout, _scene

BASELINE_EM = (1.0 - (0.9282 + 0.2358)) / 2 + 0.9282
"""Top of a ``line-height: 1`` line to its baseline, in em: half-leading plus DejaVu Sans'
ascent (1901/2048; descent 483/2048), as Pango and so WeasyPrint place it."""
CENTRED_BOX_PX = 400.0
"""Width of the box a centred label is centred in: wider than any label."""


def graph_print_html(sheet: Worksheet, width_px: float) -> Markup:
    """The picture at most ``width_px`` wide (the printed line), its text as HTML."""
    lay = _layout(sheet, SVG_WIDTH)
    x0, y0, w, h = lay.view
    scale = min(1.0, SVG_WIDTH / w, width_px / w)
    about = escape(_describe(sheet))
    scene = _scene(sheet, lay)
    svg = "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w * scale:.2f}" height="{h * scale:.2f}" '
        f'viewBox="{x0:.1f} {y0:.1f} {w:.1f} {h:.1f}" aria-hidden="true" fill="#1a1a1a">',
        *(_SVG[kind](*args) for kind, *args in scene if kind != "text"), "</svg>"])
    labels = [_label(*args, origin=(x0, y0), scale=scale) for kind, *args in scene if kind == "text"]
    return Markup(
        f'<div class="graph" role="img" aria-label="{about}" style="position:relative;'
        f'width:{w * scale:.2f}px;height:{h * scale:.2f}px;font-family:{FONT}">\n'
        + svg + "\n" + "\n".join(labels) + "\n</div>")


def _label(x: float, y: float, px: float, runs: Runs, _tex: str, start: bool, *,
           origin: tuple[float, float], scale: float) -> str:
    """One SVG ``<text>`` of ``picture._svg_text`` (middle at ``y``, baseline 0.35 em lower) as HTML."""
    size = px * scale
    left = (x - origin[0]) * scale
    top = (y + 0.35 * px - origin[1]) * scale - BASELINE_EM * size
    if not start:
        left -= CENTRED_BOX_PX / 2
    box = f"width:{CENTRED_BOX_PX:.0f}px;text-align:center;" if not start else ""
    weight = "font-weight:bold;" if px == NAME_PX else ""
    lowered = f'<span style="position:relative;top:{0.3 * size:.2f}px;font-size:{SUB * 100:.0f}%">'
    text = "".join(f"{lowered}{escape(t)}</span>" if sub else escape(t) for t, sub in runs)
    return (f'<span style="position:absolute;left:{left:.2f}px;top:{top:.2f}px;{box}font-size:{size:.2f}px;'
            f'line-height:1;white-space:nowrap;{weight}">{text}</span>')
