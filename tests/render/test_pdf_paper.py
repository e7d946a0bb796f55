"""A class set's sheets on paper: the variant ID on every page, a name line, answer boxes a hand
can write a number in."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from derive.render.pdf.document import render_pdf

from ..conftest import DEFAULT, require_tool, spec_from
from .test_render_pdf import _class_keys

HAND_MM = 30.0
"""The least width of an answer box: ``-0.03714`` by hand is eight characters of about 3.5 mm
(digits about 5 mm tall)."""
DPI = 200


@pytest.fixture(scope="module")
def sheets() -> dict[str, tuple[object, bytes]]:
    from derive.classset.blanks import student_sheet

    key = _class_keys(1)[0]
    student = student_sheet(key)
    return {"Student sheet": (student, render_pdf(student)), "Answer key": (key, render_pdf(key))}


def pages_text(tmp_path: Path, data: bytes) -> list[str]:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    text = subprocess.run([require_tool("pdftotext"), str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return text.split("\f")[:-1]


def test_every_page_of_a_variants_sheets_carries_its_id(tmp_path, sheets):
    for label, (sheet, data) in sheets.items():
        pages = pages_text(tmp_path, data)
        assert len(pages) >= 3
        for page in pages:
            assert f"{label} {sheet.variant}" in page, (label, page[:200])


def test_page_one_of_a_student_sheet_has_a_name_line_and_a_key_has_none(tmp_path, sheets):
    student = pages_text(tmp_path, sheets["Student sheet"][1])
    assert "Name:" in student[0] and not any("Name:" in page for page in student[1:])
    assert not any("Name:" in page for page in pages_text(tmp_path, sheets["Answer key"][1]))


def test_the_running_id_is_drawn_once_a_page_as_an_artifact(tmp_path, sheets):
    """Laid out once, in the margin box, and drawn on every page; outside the structure tree (a
    ``span``, not the tree's marker element), so a reader reads the ID once, under the title."""
    from derive.render.html import render_print_html
    from derive.render.pdf.formulas import FormulaBoxes
    from derive.render.pdf.tags import MARKER_TAG

    for sheet, data in sheets.values():
        boxes = FormulaBoxes()
        html = render_print_html(sheet, boxes)
        running = html[html.index('<div class="running-id">'):]
        running = running[:running.index("</div>")]
        assert '<span class="given" id="derive-math-' in running and f"<{MARKER_TAG} " not in running
        assert sheet.variant not in running  # drawn after layout: every variant has this page
        roles = [alternative.role for alternative in boxes.alternatives if alternative is not None]
        assert roles.count("Artifact") == 1
        pages = pages_text(tmp_path, data)
        assert sum(page.count(sheet.variant) for page in pages) == len(pages) + 1  # and the title's line


def test_a_sheet_outside_a_class_set_keeps_its_plain_header(tmp_path):
    from derive.sheet.build import build_worksheet

    pages = pages_text(tmp_path, render_pdf(build_worksheet(spec_from(DEFAULT), "neuron-bce")))
    assert all("derive worksheet" in page for page in pages) and not any("Name:" in p for p in pages)


def answer_boxes_mm(tmp_path: Path, data: bytes) -> list[float]:
    """The widths of the box shapes on the pages, in mm: a horizontal line with a post of at
    least 3 mm rising at each end (a CSS answer box's bottom edge, or a formula's fill-in
    field: two posts and a base line), at least 8 mm long (no table rule has posts)."""
    from PIL import Image

    path = tmp_path / "boxes.pdf"
    path.write_bytes(data)
    subprocess.run([require_tool("pdftoppm"), "-png", "-r", str(DPI), str(path), str(tmp_path / "page")],
                   check=True)
    mm = DPI / 25.4
    post = int(3 * mm)
    widths = []
    for png in sorted(tmp_path.glob("page-*.png")):
        dark = np.asarray(Image.open(png).convert("L")) < 200
        for y in range(post, dark.shape[0] - 1):
            edges = np.diff(np.concatenate([[0], dark[y].astype(np.int8), [0]]))
            for start, end in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
                if end - start < 8 * mm or dark[y + 1, start:end].mean() > 0.5:
                    continue
                rising = (dark[y - post:y - 6, max(start - 6, 0):start + 3].any(axis=1).all()
                          and dark[y - post:y - 6, end - 3:end + 6].any(axis=1).all())
                if rising:
                    widths.append((end - start) / mm)
    return widths


def test_every_answer_box_of_a_student_sheet_takes_a_handwritten_number(tmp_path, sheets):
    widths = answer_boxes_mm(tmp_path, sheets["Student sheet"][1])
    boxes = [w for w in widths if w > 15]  # the graph's legend swatches are about 11 mm
    key = sheets["Answer key"][0]
    assert len(boxes) == len(key.answers)  # one box per answer, each found
    assert min(boxes) >= HAND_MM, sorted(boxes)


def test_the_latex_of_a_variant_has_its_id_on_every_page_and_a_name_line(tmp_path, sheets):
    from derive.render.tex import render_tex

    from .test_render_tex import compile_tex

    for label, (sheet, _) in sheets.items():
        folder = tmp_path / label.replace(" ", "-")
        folder.mkdir()
        pages = compile_tex(folder, render_tex(sheet)).split("\f")[:-1]
        assert len(pages) >= 2 and all(f"{label} {sheet.variant}" in page for page in pages)
        assert ("Name:" in pages[0]) == (label == "Student sheet")
        assert not any("Name:" in page for page in pages[1:])


def test_a_one_neuron_student_sheet_fits_three_pages_and_its_key_four(tmp_path, sheets):
    """Issue 23's stack of paper and issue 24's budget: the student sheet on at most 3 pages and the
    key on at most 4, as WeasyPrint prints them and as pdflatex compiles the .tex."""
    from derive.render.tex import render_tex

    from .test_render_tex import compile_tex

    budgets = {"Student sheet": 3, "Answer key": 4}
    for label, (sheet, data) in sheets.items():
        assert len(pages_text(tmp_path, data)) <= budgets[label], label
        folder = tmp_path / label.replace(" ", "-")
        folder.mkdir()
        compiled = compile_tex(folder, render_tex(sheet)).split("\f")[:-1]
        assert 2 <= len(compiled) <= budgets[label], (label, len(compiled))
        assert all(f"{label} {sheet.variant}" in page for page in compiled)
