"""On US Letter, every built-in example stays inside the margins: the PDF (no ink beyond the side
margins) and the compiled .tex (no overfull line wider than 1 pt), both broken for Letter's text
block (``render.layout``), not A4's."""

from __future__ import annotations

import re
import subprocess

import pytest

from derive.render.html import SIDE_MARGIN_MM
from derive.render.pdf.document import render_pdf
from derive.render.tex import render_tex
from derive.sheet.build import build_worksheet
from derive.spec.examples import example_names, example_path
from derive.spec.schema import load_spec

from ..conftest import require_tool
from .test_page_fit import _pages

OVERFULL_PT = 1.0
"""The most a line of the compiled .tex may stick out (TeX reports any overfull box)."""
def _sheet(name: str):
    return build_worksheet(load_spec(example_path(name)), name)


def _overfull(log: str) -> list[float]:
    """How far each overfull horizontal box of a pdflatex log sticks out, in pt."""
    return [float(points) for points in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


def test_the_overfull_reader_reads_pdflatex():
    log = ("Overfull \\hbox (333.03893pt too wide) in paragraph at lines 251--258\n"
           "Underfull \\hbox (badness 10000) in paragraph at lines 263--280")
    assert _overfull(log) == [333.03893]


@pytest.mark.parametrize("name", example_names())
def test_the_letter_tex_has_no_line_past_the_margin(tmp_path, name):
    source = render_tex(_sheet(name), "letter")
    assert r"\documentclass[11pt,letterpaper,fleqn]{article}" in source
    (tmp_path / "sheet.tex").write_text(source, encoding="utf-8")
    run = subprocess.run([require_tool("pdflatex"), "-no-shell-escape", "-interaction=nonstopmode",
                          "-halt-on-error", "sheet.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    log = (tmp_path / "sheet.log").read_text(encoding="utf-8", errors="replace")
    wide = [points for points in _overfull(log) if points > OVERFULL_PT]
    assert not wide, f"{name}: lines {wide} pt too wide"


@pytest.mark.parametrize("name", example_names())
def test_the_letter_pdf_has_no_ink_past_the_margin(tmp_path, name):
    """Every page at 40 dpi, 8.5 in wide: nothing darker than the rules' grey beyond the side margins."""
    pages = _pages(render_pdf(_sheet(name), "letter"), tmp_path, name)
    margin = round(SIDE_MARGIN_MM / 25.4 * 40) - 2  # px at 40 dpi, less a pixel of antialiasing each side
    for number, page in enumerate(pages, 1):
        width, height = page.size
        assert width == round(8.5 * 40), f"{name}: page {number} is not Letter"
        pixels = page.load()
        outside = [(x, y) for y in range(height) for x in (*range(margin), *range(width - margin, width))
                   if pixels[x, y] < 160]
        assert not outside, f"{name}, page {number}: ink at {outside[:3]} outside the text block"
