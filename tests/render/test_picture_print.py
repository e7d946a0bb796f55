"""The printed graph: the SVG's shapes with outlined labels, looking as WeasyPrint draws the SVG."""

from __future__ import annotations

import logging
import re
import subprocess
from io import BytesIO

import pytest

from derive.render.figures.geometry import LABEL_PX
from derive.render.figures.layout import pieces
from derive.render.figures.picture import MIN_PRINT_PT, graph_svg
from derive.render.pdf.formulas import ANCHOR_PREFIX, FormulaBoxes
from derive.render.pdf.picture_print import _printed, graph_print_html
from derive.sheet.build import build_worksheet
from derive.spec.examples import example_path
from derive.spec.schema import load_spec

from ..conftest import require_tool, write_page_pdf

LINE_PX = 657.64  # A4 less two 18 mm margins, in CSS px


@pytest.fixture(scope="module", params=["neuron-bce", "two-layer-chain", "matrix-layer"])
def sheet(request):
    return build_worksheet(load_spec(example_path(request.param)), request.param)


def _gray_page(tmp_path, name: str, body: str, boxes=None):
    import weasyprint
    from PIL import Image

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    html = f"<html><body style='margin:0'><div style='width:{LINE_PX}px'>{body}</div></body></html>"
    (tmp_path / f"{name}.pdf").write_bytes(write_page_pdf(weasyprint.HTML(string=html), boxes))
    subprocess.run([require_tool("pdftoppm"), "-png", "-r", "150", "-gray", "-singlefile",
                    str(tmp_path / f"{name}.pdf"), str(tmp_path / name)], check=True)
    return Image.open(BytesIO((tmp_path / f"{name}.png").read_bytes())).convert("L")


def test_the_printed_graph_looks_like_the_svg(tmp_path, sheet):
    """The reference is WeasyPrint drawing the page's SVG (text and all) at the same width.
    Outlines are rasterised a little thinner than hinted text, so both pages are blurred by
    1.5 pixels (at 150 dpi) first; then ours differs in about 1% of the inked pixels, and a
    label one CSS pixel too low in about half of them."""
    from PIL import ImageChops, ImageFilter

    lay = pieces(sheet, LINE_PX * LABEL_PX * 0.75 / MIN_PRINT_PT)[0]  # the picture, not the tables under it
    reference = _gray_page(tmp_path, "svg", graph_svg(sheet, lay))
    boxes = FormulaBoxes()
    printed = _gray_page(tmp_path, "print", _printed(sheet, lay, LINE_PX, boxes, "graph"), boxes)
    inked = sum(1 for value in reference.getdata() if value < 128)
    blurred = (image.filter(ImageFilter.GaussianBlur(1.5)) for image in (reference, printed))
    strong = sum(1 for value in ImageChops.difference(*blurred).getdata() if value > 32)
    assert inked > 5000 and strong < 0.05 * inked, (strong, inked)


def test_the_svg_holds_only_shapes_and_one_box_takes_the_labels(sheet):
    boxes = FormulaBoxes()
    printed = str(graph_print_html(sheet, LINE_PX, boxes))
    svg = printed[printed.index("<svg"):printed.index("</svg>")]
    assert "<text" not in svg and "<tspan" not in svg and 'aria-hidden="true"' in svg
    assert 'role="img" aria-label="Computational graph:' in printed
    assert len(boxes.placed) == 1 and f'id="{ANCHOR_PREFIX}0"' in printed
    labels = boxes.placed[0]
    assert (labels.left, labels.top) == (0.0, 0.0)
    assert f"width:{labels.width:.2f}px;height:{labels.height:.2f}px" in printed


def test_a_line_too_narrow_for_7_pt_labels_leaves_them_to_the_local_derivatives():
    """The neuron's derivatives are numbers, each stated under Local derivatives: the unlabelled
    picture says where they are instead of repeating them in a table."""
    sheet = build_worksheet(load_spec(example_path("neuron-bce")), "neuron-bce")
    boxes = FormulaBoxes()
    printed = str(graph_print_html(sheet, 300.0, boxes))
    assert printed.count("<tr><td>∂") == 0
    assert "worked out, with its value, under Local derivatives" in printed


def test_the_graph_shrinks_to_the_printed_line_only():
    sheet = build_worksheet(load_spec(example_path("neuron-bce")), "neuron-bce")
    boxes = FormulaBoxes()
    wide = str(graph_print_html(sheet, 2000.0, boxes))
    width = lambda html: float(re.search(r"width:([\d.]+)px;height", html).group(1))  # noqa: E731
    line = 0.9 * width(wide)  # a little narrower: the labels shrink, staying above 7 pt
    narrow = str(graph_print_html(sheet, line, boxes))
    assert width(wide) <= 680.0 and "graph-derivatives" not in narrow
    assert width(narrow) == pytest.approx(line, abs=0.005)  # the style's width is rounded to 0.01 px
    scale = lambda shape: float(shape.operators.split()[1])  # noqa: E731 - the labels' "q s 0 0 s 0 0 cm"
    assert scale(boxes.placed[1]) / scale(boxes.placed[0]) == pytest.approx(line / width(wide), rel=1e-4)
