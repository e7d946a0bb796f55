"""The printed graph: the SVG's shapes with HTML text, looking as WeasyPrint draws the SVG."""

from __future__ import annotations

import logging
import re
import subprocess
from io import BytesIO

import pytest

from derive.build import build_worksheet
from derive.examples import example_path
from derive.picture import graph_svg
from derive.picture_print import graph_print_html
from derive.spec import load_spec

from .conftest import require_tool

LINE_PX = 657.64  # A4 less two 18 mm margins, in CSS px


@pytest.fixture(scope="module", params=["neuron-bce", "two-layer-chain", "matrix-layer"])
def sheet(request):
    return build_worksheet(load_spec(example_path(request.param)), request.param)


def _gray_page(tmp_path, name: str, body: str):
    import weasyprint
    from PIL import Image

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    html = f"<html><body style='margin:0'><div style='width:{LINE_PX}px'>{body}</div></body></html>"
    (tmp_path / f"{name}.pdf").write_bytes(weasyprint.HTML(string=html).write_pdf())
    subprocess.run([require_tool("pdftoppm"), "-png", "-r", "150", "-gray", "-singlefile",
                    str(tmp_path / f"{name}.pdf"), str(tmp_path / name)], check=True)
    return Image.open(BytesIO((tmp_path / f"{name}.png").read_bytes())).convert("L")


def test_the_printed_graph_looks_like_the_svg(tmp_path, sheet):
    """The reference is WeasyPrint drawing the page's SVG (text and all) at the same width.
    Text set as one run instead of letter by letter moves by less than a pixel here and there;
    a label one pixel too high or low differs in about half its inked pixels."""
    from PIL import ImageChops

    reference = _gray_page(tmp_path, "svg", graph_svg(sheet))
    printed = _gray_page(tmp_path, "html", graph_print_html(sheet, LINE_PX))
    strong = sum(1 for value in ImageChops.difference(reference, printed).getdata() if value > 96)
    inked = sum(1 for value in reference.getdata() if value < 128)
    assert inked > 5000 and strong < 0.08 * inked, (strong, inked)


def test_text_is_html_and_the_svg_only_shapes(sheet):
    printed = str(graph_print_html(sheet, LINE_PX))
    svg = printed[printed.index("<svg"):printed.index("</svg>")]
    assert "<text" not in svg and "<tspan" not in svg and 'aria-hidden="true"' in svg
    assert 'role="img" aria-label="Computational graph:' in printed
    names = [q.name for q in (*sheet.inputs, *sheet.parameters, *sheet.forward)]
    text = re.sub(r"<[^>]+>", "", printed[printed.index("</svg>"):])
    for name in names:
        assert re.sub(r"\d+$", "", name) in text


def test_the_graph_shrinks_to_the_printed_line_only():
    sheet = build_worksheet(load_spec(example_path("neuron-bce")), "neuron-bce")
    wide, narrow = (str(graph_print_html(sheet, px)) for px in (2000.0, 400.0))
    width = lambda html: float(re.search(r"width:([\d.]+)px;height", html).group(1))  # noqa: E731
    assert width(wide) <= 680.0 and width(narrow) == pytest.approx(400.0)
    size = lambda html: float(re.search(r"font-size:([\d.]+)px", html).group(1))  # noqa: E731
    assert size(narrow) / size(wide) == pytest.approx(400.0 / width(wide), rel=1e-3)  # text shrinks alike
