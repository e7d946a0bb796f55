"""Pages hold their content: no ink outside the PDF's text block, no page of a lone heading, and
no sideways scrolling of the HTML page at 1000 px, for every built-in example and wide specs."""

from __future__ import annotations

import subprocess
import textwrap
from io import BytesIO

import pytest

from derive.render.formats import Options, render_all
from derive.render.html import SIDE_MARGIN_MM, render_page
from derive.sheet.build import build_worksheet
from derive.spec.examples import example_names, example_path
from derive.spec.schema import load_spec

from ..conftest import require_tool, spec_from

WIDE = {
    "many-parameters": textwrap.dedent('''
        title = "Eight weights on one neuron"
        [inputs]
        x1 = 0.5
        x2 = -1.25
        x3 = 2.0
        x4 = 0.75
        y = 1.0
        [parameters]
        w1 = 0.11
        w2 = -0.23
        w3 = 0.35
        w4 = -0.47
        v1 = 0.52
        v2 = -0.64
        v3 = 0.76
        v4 = -0.88
        [graph]
        a = "x1*w1 + x2*w2 + x3*w3 + x4*w4"
        b = "x1*v1 + x2*v2 + x3*v3 + x4*v4"
        h = "sigmoid(a) * tanh(b) + sigmoid(b) * tanh(a)"
        L = "(h - y)**2"
        [train]
        learning_rate = 0.1
        steps = 3
    '''),
    "six-vectors": textwrap.dedent('''
        title = "A layer of six on a batch"
        [inputs]
        x = [[0.1, -0.2, 0.3, 0.4, -0.5, 0.6], [0.7, 0.1, -0.9, 0.2, 0.3, -0.1]]
        y = [[1.0], [0.0]]
        [parameters]
        W = [[0.12], [-0.31], [0.25], [0.05], [-0.44], [0.38]]
        b = [0.1]
        [graph]
        z = "x @ W + b"
        p = "sigmoid(z)"
        L = "mean(bce(p, y))"
        [train]
        learning_rate = 0.5
    '''),
}
"""Specs an instructor writes that no example covers: many parameters and four-path sums, and
arrays of six; with the built-in examples, every layout the sheet has."""

CASES = [*example_names(), *WIDE]


def _spec(name: str):
    return spec_from(WIDE[name]) if name in WIDE else load_spec(example_path(name))


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    """Each case's PDF, rendered once for the module."""
    return {name: render_all(build_worksheet(_spec(name), name), ("pdf",), Options())[f"{name}.pdf"]
            for name in CASES}


def _pages(pdf: bytes, tmp_path, name: str):
    from PIL import Image

    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run([require_tool("pdftoppm"), "-gray", "-r", "40", "-png", str(path), str(tmp_path / name)],
                   check=True)
    return [Image.open(BytesIO(p.read_bytes())).convert("L") for p in sorted(tmp_path.glob(f"{name}-*.png"))]


@pytest.mark.parametrize("name", CASES)
def test_no_ink_leaves_the_text_block(pdfs, tmp_path, name):
    """Every page, rasterized: nothing darker than the rules' grey beyond the side margins."""
    for number, page in enumerate(_pages(pdfs[name], tmp_path, name), 1):
        width, height = page.size
        margin = round(SIDE_MARGIN_MM / 25.4 * 40) - 2  # px at 40 dpi, less a pixel of antialiasing each side
        pixels = page.load()
        outside = [(x, y) for y in range(height) for x in (*range(margin), *range(width - margin, width))
                   if pixels[x, y] < 160]
        assert not outside, f"{name}, page {number}: ink at {outside[:3]} outside the text block"


@pytest.mark.parametrize("name", CASES)
def test_no_page_but_the_last_is_nearly_empty(pdfs, tmp_path, name):
    """A lone heading (or caption) at a page's top and nothing under it: the body's ink must
    reach below its first fifth on every page but the last. (Formulas are outlines, so the
    text layer cannot tell; the raster can.)"""
    pages = _pages(pdfs[name], tmp_path, name)
    for number, page in enumerate(pages[:-1], 1):
        width, height = page.size
        top, bottom = round(height * 0.09), round(height * 0.92)  # below the running header, above the footer
        pixels = page.load()
        inked = [y for y in range(top, bottom) if any(pixels[x, y] < 160 for x in range(0, width, 2))]
        reach = (max(inked) - top) / (bottom - top) if inked else 0.0
        assert reach > 0.2, f"{name}, page {number}: the body ends {reach:.0%} of the way down"


@pytest.mark.parametrize("name", CASES)
def test_the_page_never_scrolls_sideways_at_1000_px(tmp_path, name):
    from .test_render_browser import chromium

    measure = ("<script>document.body.setAttribute('data-fit', JSON.stringify([document.documentElement"
               ".scrollWidth, window.innerWidth]));</script></body>")
    html = tmp_path / "page.html"
    page = render_page(build_worksheet(_spec(name), name))
    html.write_text(page.replace("</body>", measure), encoding="utf-8")
    dom = chromium(tmp_path, "--window-size=1000,1200", "--dump-dom", html.as_uri()).stdout
    scroll, inner = (int(v) for v in dom.split('data-fit="[')[1].split("]")[0].split(","))
    assert scroll <= inner, f"{name}: {scroll} px wide in a {inner} px window"
