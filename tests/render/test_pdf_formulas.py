"""PDF formulas: ziamath's outlines as PDF paths, drawn where WeasyPrint would draw the SVG."""

from __future__ import annotations

import logging
import re
import subprocess
import xml.etree.ElementTree as ET
import zlib

import pytest
import sympy as sp

from derive.graph.functions import sigmoid
from derive.render.formulas import TEXT_SIZE_PX, math_element
from derive.render.html import render_print_html
from derive.render.pdf.formulas import ANCHOR_PREFIX, FormulaBoxes, drawing, path_operators
from derive.sheet.build import build_worksheet
from derive.sheet.forms import partial
from derive.sheet.formula import Number, Symbolic, part_text
from derive.sheet.printers import MATHML

from ..conftest import DEFAULT, require_tool, spec_from, write_page_pdf


def _bezier(points: list[tuple[float, float]], t: float) -> tuple[float, float]:
    """De Casteljau: the point at ``t`` of the Bézier curve with these control points."""
    while len(points) > 1:
        pairs = zip(points, points[1:], strict=False)
        points = [((1 - t) * a[0] + t * b[0], (1 - t) * a[1] + t * b[1]) for a, b in pairs]
    return points[0]


def test_a_quadratic_becomes_the_same_curve_as_a_cubic():
    operators = path_operators("M 1 2 Q 5 9 8 3 Z")
    numbers = [float(v) for v in re.findall(r"-?\d+\.\d+", operators)]
    assert operators.startswith("1.000 2.000 m") and operators.endswith("c 1.000 2.000 l h f")
    cubic = [(1.0, 2.0), *zip(numbers[2:8:2], numbers[3:8:2], strict=True)]
    for t in (0.0, 0.2, 0.5, 0.9, 1.0):
        qx, qy = _bezier([(1, 2), (5, 9), (8, 3)], t)
        cx, cy = _bezier(cubic, t)
        assert (cx, cy) == pytest.approx((qx, qy), abs=2e-3)


def test_lines_moves_and_implicit_linetos():
    assert path_operators("M 0 0 L 1 0 H 3 V 4 Z M 5 5 6 6 Z") == (
        "0.000 0.000 m 1.000 0.000 l 3.000 0.000 l 3.000 4.000 l 0.000 0.000 l h "
        "5.000 5.000 m 6.000 6.000 l 5.000 5.000 l h f")  # Z draws its closing line, then closes
    arc = path_operators("M 0 0 A 1 1 0 0 1 2 2")  # fontTools' parser turns an arc into cubics
    assert arc.startswith("0.000 0.000 m") and arc.endswith("2.000 2.000 c f")


A3, W1, L, Y, A2, X1, Z = sp.symbols("A3 w1 L Y A2 x1 z")


def _mathml(*parts) -> str:
    """The MathML printer's markup of sheet parts (expressions and numbers)."""
    return "".join(part_text(part if isinstance(part, Number) else Symbolic(part), MATHML) for part in parts)


EQUALS = "<mo>=</mo>"


def test_the_drawing_has_ziamaths_box_and_every_outline():
    import ziamath

    parts = (_mathml(partial(A3, W1)), EQUALS + _mathml(sigmoid(Z)), EQUALS + _mathml(Number(-0.2828153, 7)))
    whole = "".join(parts)
    shape = drawing(parts)  # sets ziamath to SVG 2 (<symbol> and <use>)
    ziamath.config.svg2 = False  # the reference: one plain path per glyph drawn
    svg = ET.fromstring(ziamath.Math(str(math_element(whole, display=True)), size=TEXT_SIZE_PX).svg())
    left, top, width, height = (float(v) for v in svg.get("viewBox").split())
    # laid out in three parts (a = b = c), set side by side: the same box as in one piece
    assert drawing(whole).width == pytest.approx(shape.width, abs=1e-3)
    box = (shape.left, shape.top, shape.width, shape.height)
    assert box == pytest.approx((left, top, width, height), abs=1e-3)
    assert shape.descent == pytest.approx(top + height) and shape.descent > 0  # the fraction reaches below
    paths = [p for p in svg.iter("{http://www.w3.org/2000/svg}path") if p.get("d")]
    rects = list(svg.iter("{http://www.w3.org/2000/svg}rect"))
    placed = re.findall(rb" cm /(DeriveGlyph[0-9a-f]{16}) Do Q", shape.operators)
    filled = re.findall(rb" f(?:\n|$)", shape.operators)
    assert len(placed) + len(filled) == len(paths) + len(rects) and rects  # the glyphs and the fraction bar
    assert len(filled) == len(rects)  # every glyph is a shared form, placed by name
    assert sorted({glyph.name.encode() for glyph in shape.glyphs}) == sorted(set(placed))
    assert len(shape.glyphs) < len(placed)  # "\partial", "w" and "1" recur, and are drawn from one form each


def test_boxes_are_empty_sized_and_numbered_in_order():
    boxes = FormulaBoxes()
    x1, fraction = _mathml(X1), _mathml(sp.Symbol("a") / sp.Symbol("b"))
    first, second = boxes.box(x1), boxes.box(fraction, display=True)
    assert f'id="{ANCHOR_PREFIX}0"' in first and "></a>" in first
    assert second.startswith('<span class="display-math"><a class="formula"')
    assert "width:" in first and "width:" not in second  # a display formula's block spans the line
    assert re.search(r"vertical-align:-\d+\.\d\dpx", first)
    assert boxes.placed == [drawing(x1), drawing(fraction, display=True)]


def _page_png(tmp_path, name: str, html: str, boxes=None) -> bytes:
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(write_page_pdf(weasyprint.HTML(string=html), boxes))
    subprocess.run([require_tool("pdftoppm"), "-png", "-r", "100", "-gray", "-singlefile", str(pdf),
                    str(tmp_path / name)], check=True)
    return (tmp_path / f"{name}.png").read_bytes()


def test_a_formula_lands_exactly_where_weasyprint_draws_its_svg(tmp_path):
    """The reference is WeasyPrint's own drawing of ziamath's SVG, aligned on the baseline."""
    from io import BytesIO

    import ziamath
    from PIL import Image, ImageChops

    markup = (_mathml(partial(L, W1)) + EQUALS + _mathml(sp.Mul((1 - Y) / (1 - A2), X1, evaluate=False))
           + EQUALS + _mathml(Number(-0.2828153, 7)))
    shape = drawing(markup)
    svg = ziamath.Math(str(math_element(markup, display=True)), size=TEXT_SIZE_PX).svg().replace(
        "<svg ", f'<svg style="vertical-align:{-shape.descent:.2f}px" ', 1)
    page = ('<html><body style="font-size:11pt">{lines}</body></html>')
    lines = "".join(f"<p>Line {n}: the gradient {{math}} and text after it.</p>" for n in range(12))
    reference = _page_png(tmp_path, "svg", page.format(lines=lines.replace("{math}", svg)))
    boxes = FormulaBoxes()
    boxed = lines.replace("{math}", "{}").format(*(boxes.box(markup) for _ in range(12)))
    html = page.format(lines=boxed).replace("<body", "<head><style>.formula{display:inline-block}</style>"
                                                      "</head><body", 1)
    ours = _page_png(tmp_path, "boxes", html, boxes)
    a, b = (Image.open(BytesIO(data)).convert("L") for data in (reference, ours))
    assert a.size == b.size
    strong = sum(1 for value in ImageChops.difference(a, b).getdata() if value > 96)
    inked = sum(1 for value in a.getdata() if value < 128)
    assert inked > 5000 and strong < inked * 0.01, (strong, inked)


def test_every_formula_of_a_sheet_is_drawn_once_per_box(tmp_path):
    boxes = FormulaBoxes()
    sheet = build_worksheet(spec_from(DEFAULT), "neuron-bce")
    html = render_print_html(sheet, boxes)
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    pdf = boxes.write_pdf(weasyprint.HTML(string=html).render())
    streams = b"".join(zlib.decompress(raw) for raw in re.findall(rb"stream\n(.*?)\nendstream", pdf, re.S)
                       if raw[:1] == b"x")  # the Flate-compressed ones
    drawn = re.findall(rb"/DeriveMath(\d+) Do", streams)
    boxed = html.count('class="formula"') + html.count('class="graph-labels"')
    assert len(boxes.placed) > 40 and boxed == len(boxes.placed) == len(drawn)
    assert len(set(drawn)) == len(set(boxes.placed))  # one form per distinct drawing


def test_a_repeated_glyph_is_one_form_placed_at_each_use():
    """ziafont may define a recurring glyph's <symbol> more than once; each use still places a form."""
    from derive.render.pdf.outline_text import set_line

    _, ink = set_line("0.1702221", 13.0, "sans")
    placed = re.findall(rb"/(DeriveGlyph[0-9a-f]{16}) Do", ink.operators)
    assert len(placed) == 9 and len(set(placed)) == len(ink.glyphs) == 5  # 0 . 1 7 2
    assert b" m " not in ink.operators  # no outline drawn outside a glyph form


def test_every_placed_form_is_named_where_it_is_drawn():
    """Each page names the formula forms it places, and each formula form the glyph forms it places."""
    import io

    import pikepdf
    import weasyprint

    boxes = FormulaBoxes(title="A sheet (student sheet, variant v-1)")
    html = render_print_html(build_worksheet(spec_from(DEFAULT), "neuron-bce"), boxes)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    data = boxes.write_pdf(weasyprint.HTML(string=html).render())
    assert data == boxes.write_pdf(weasyprint.HTML(string=html).render())  # the same bytes again
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert str(pdf.docinfo.Title) == "A sheet (student sheet, variant v-1)"

        def placed(owner) -> list[str]:
            operators = pikepdf.parse_content_stream(owner)
            return [str(operands[0]) for operands, operator in operators if str(operator) == "Do"]

        formulas = glyphs = 0
        for page in pdf.pages:
            for name in placed(page):
                form = page.obj.Resources.XObject[name]
                assert form.Subtype == "/Form"
                if name.startswith("/DeriveMath"):
                    formulas += 1
                    for glyph in placed(form):
                        assert form.Resources.XObject[glyph].Subtype == "/Form"
                        glyphs += 1
        assert formulas == len(boxes.placed) and glyphs > formulas
