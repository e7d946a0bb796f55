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
    "five-paths": textwrap.dedent('''
        title = "One weight on five paths"
        [inputs]
        x1 = 0.5
        x2 = -1.25
        x3 = 2.0
        x4 = 0.75
        x5 = -0.3
        y = 1.0
        [parameters]
        w = 0.4
        b = -0.1
        [graph]
        a1 = "w*x1 + b"
        a2 = "w*x2 + b"
        a3 = "w*x3 + b"
        a4 = "w*x4 + b"
        a5 = "w*x5 + b"
        h1 = "sigmoid(a1)"
        h2 = "sigmoid(a2)"
        h3 = "tanh(a3)"
        h4 = "tanh(a4)"
        h5 = "sigmoid(a5)"
        L = "(h1 + h2 + h3 + h4 + h5 - y)**2"
        [train]
        learning_rate = 0.1
    '''),
    "eight-terms": textwrap.dedent('''
        title = "Eight inputs in one sum"
        [inputs]
        x1 = 0.5
        x2 = -1.25
        x3 = 2.0
        x4 = 0.75
        x5 = -0.3
        x6 = 1.1
        x7 = -0.65
        x8 = 0.2
        y = 1.0
        [parameters]
        w1 = 0.11
        w2 = -0.23
        w3 = 0.35
        w4 = -0.47
        w5 = 0.52
        w6 = -0.64
        w7 = 0.76
        w8 = -0.88
        b = 0.05
        [graph]
        a = "x1*w1 + x2*w2 + x3*w3 + x4*w4 + x5*w5 + x6*w6 + x7*w7 + x8*w8 + b"
        p = "sigmoid(a)"
        L = "bce(p, y)"
        [train]
        learning_rate = 0.1
    '''),
    "eight-by-eight": textwrap.dedent('''
        title = "An eight by eight layer"
        [inputs]
        x = [[0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8]]
        y = [[1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]]
        [parameters]
        W = [
            [0.12, -0.31, 0.25, 0.05, -0.44, 0.38, 0.21, -0.17],
            [0.33, 0.14, -0.22, 0.41, 0.09, -0.36, 0.27, 0.18],
            [-0.15, 0.26, 0.37, -0.48, 0.11, 0.22, -0.33, 0.44],
            [0.55, -0.16, 0.07, 0.28, -0.39, 0.13, 0.24, -0.35],
            [0.46, 0.17, -0.28, 0.19, 0.31, -0.42, 0.15, 0.06],
            [-0.27, 0.38, 0.49, -0.11, 0.22, 0.33, -0.44, 0.12],
            [0.23, -0.34, 0.16, 0.27, -0.18, 0.29, 0.41, -0.52],
            [0.14, 0.25, -0.36, 0.47, 0.08, -0.19, 0.32, 0.43],
        ]
        b = [0.1, -0.1, 0.2, -0.2, 0.3, -0.3, 0.05, -0.05]
        [graph]
        z = "x @ W + b"
        p = "sigmoid(z)"
        L = "mean(bce(p, y))"
        [train]
        learning_rate = 0.5
    '''),
    "ten-vector": textwrap.dedent('''
        title = "A weight vector of ten"
        [inputs]
        x = [0.5, -1.25, 2.0, 0.75, -0.3, 1.1, -0.65, 0.2, 0.9, -0.45]
        y = 1.0
        [parameters]
        w = [0.11, -0.23, 0.35, -0.47, 0.52, -0.64, 0.76, -0.88, 0.15, 0.27]
        [graph]
        z = "sum(x*w)"
        L = "(z - y)**2"
        [train]
        learning_rate = 0.05
    '''),
}
"""Specs an instructor writes that no example covers: many parameters, a five-path sum, a sum
of eight terms, an 8 x 8 matrix's update and a vector of ten; with the built-in examples, every
layout the sheet has."""

STUDENT = {"five-paths.numbers": ("five-paths", "numbers"), "eight-terms.steps": ("eight-terms", "steps"),
           "tanh-sigmoid-network.numbers": ("tanh-sigmoid-network", "numbers")}
"""Student sheets, whose answer boxes are wider than the key's numbers: rows of boxes wrap (a
product of five local derivatives, tanh-sigmoid-network's chain rule, breaks at its dots)."""

CASES = [*example_names(), *WIDE, *STUDENT]


def _spec(name: str):
    return spec_from(WIDE[name]) if name in WIDE else load_spec(example_path(name))


def _sheet(name: str):
    if name in STUDENT:
        from derive.classset.blanks import student_sheet

        spec, blanks = STUDENT[name]
        return student_sheet(build_worksheet(_spec(spec), name), blanks)
    return build_worksheet(_spec(name), name)


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    """Each case's PDF, rendered once for the module."""
    return {name: render_all(_sheet(name), ("pdf",), Options())[f"{name}.pdf"] for name in CASES}


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
    page = render_page(_sheet(name))
    html.write_text(page.replace("</body>", measure), encoding="utf-8")
    dom = chromium(tmp_path, "--window-size=1000,1200", "--dump-dom", html.as_uri()).stdout
    scroll, inner = (int(v) for v in dom.split('data-fit="[')[1].split("]")[0].split(","))
    assert scroll <= inner, f"{name}: {scroll} px wide in a {inner} px window"
