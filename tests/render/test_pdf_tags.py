"""The tagged PDF: headings, tables and formulas in the structure tree, each formula's TeX its
/Alt and its text for ``pdftotext``, every marked sequence on a page owned by one element."""

from __future__ import annotations

import io
import subprocess

import pytest

from derive.render.html import print_layout
from derive.render.layout import printed
from derive.render.pdf.document import render_pdf
from derive.sheet.build import build_worksheet
from derive.spec.examples import example_path
from derive.spec.schema import load_spec

from ..conftest import DEFAULT, TWO_OUTPUTS, require_tool, spec_from

SHEETS = {"neuron-bce": DEFAULT, "two-outputs": TWO_OUTPUTS}
"""The default sheet (one path to each parameter) and one with two paths from the loss to w and b."""


@pytest.fixture(scope="module", params=sorted(SHEETS))
def rendered(request):
    sheet = build_worksheet(spec_from(SHEETS[request.param]), request.param)
    return sheet, render_pdf(sheet)


def _tool_output(tmp_path, tool: str, data: bytes, *arguments: str) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    command = [require_tool(tool), *arguments, str(path), *(["-"] if tool == "pdftotext" else [])]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _elements(parent):
    import pikepdf

    kids = parent.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _elements(kid)


def test_pdfinfo_says_tagged(tmp_path, rendered):
    info = _tool_output(tmp_path, "pdfinfo", rendered[1])
    assert "Tagged:          yes" in info
    assert f"Title:           {rendered[0].title}" in info


def test_pdftotext_finds_each_chain_rules_tex(tmp_path, rendered):
    sheet, data = rendered
    text = _tool_output(tmp_path, "pdftotext", data)
    rows = [row for chain in sheet.chains for row in printed(chain.formula, print_layout("a4")).lines()]
    assert sheet.chains and len(rows) >= 2 * len(sheet.chains)  # the symbolic row and the numbers' row
    for row in rows:
        assert row in text, row


def test_the_default_sheets_chain_rule_reads_as_written_by_hand(tmp_path):
    """The TeX a reader gets for dA3/dw1, written here, with the seed's value (SPEC.md)."""
    data = render_pdf(build_worksheet(spec_from(DEFAULT), "neuron-bce"))
    text = _tool_output(tmp_path, "pdftotext", data)
    assert (r"\frac{\partial A_{3}}{\partial w_{1}} = \frac{\partial A_{3}}{\partial A_{2}} \cdot "
            r"\frac{\partial A_{2}}{\partial A_{1}} \cdot \frac{\partial A_{1}}{\partial w_{1}}") in text
    assert r"\cdot 1.3 = {-}0.2828153" in text


def test_structure_tree_has_language_headings_tables_and_formulas_with_alt(rendered):
    import pikepdf

    sheet, data = rendered
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert str(pdf.Root.Lang) == "en" and pdf.Root.MarkInfo.Marked
        elements = list(_elements(pdf.Root.StructTreeRoot))
        kinds = [str(element.S) for element in elements]
        assert kinds.count("/H1") == 1 and kinds.count("/H2") >= 6
        assert kinds.count("/Table") >= 3 and "/TH" in kinds and "/TD" in kinds
        assert "/Link" not in kinds  # every formula box's marker became its formula
        alts = [str(element.Alt) for element in elements if element.S == "/Formula"]
        assert len(alts) == kinds.count("/Formula") > 40 and all(alts)
        for chain in sheet.chains:  # a formula in aligned rows: its alternative reads the rows in order
            assert " ".join(printed(chain.formula, print_layout("a4")).lines()) in alts
        headings = [element for element in elements if element.S == "/H2"]
        assert any(heading.K[0].get("/S") == "/Span" for heading in headings)


def test_every_marked_sequence_belongs_to_the_element_that_owns_it(rendered):
    """The parent tree maps each MCID of a page's content to an element whose /K names it."""
    import pikepdf

    with pikepdf.open(io.BytesIO(rendered[1])) as pdf:
        numbers = pdf.Root.StructTreeRoot.ParentTree.Nums
        parents = {int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers), 2)}
        for page in pdf.pages:
            mcids = [int(operands[1].MCID) for operands, operator in pikepdf.parse_content_stream(page)
                     if operator == pikepdf.Operator("BDC") and "/MCID" in operands[1]]
            owners = parents[int(page.obj.StructParents)]
            assert sorted(mcids) == list(range(len(owners)))
            for mcid in mcids:
                assert mcid in [int(kid) for kid in owners[mcid].K if isinstance(kid, int)]


def test_the_alternative_text_is_invisible(rendered):
    """Every text object in the invisible font is set in render mode 3."""
    import pikepdf

    with pikepdf.open(io.BytesIO(rendered[1])) as pdf:
        for page in pdf.pages:
            font, invisible = None, False
            for operands, operator in pikepdf.parse_content_stream(page):
                if operator == pikepdf.Operator("BT"):
                    font, invisible = None, False
                elif operator == pikepdf.Operator("Tf"):
                    font = str(operands[0])
                elif operator == pikepdf.Operator("Tr"):
                    invisible = int(operands[0]) == 3
                elif operator == pikepdf.Operator("Tj") and font == "/DeriveText":
                    assert invisible


def test_a_student_sheets_given_numbers_are_spans_of_text(tmp_path):
    import dataclasses

    import pikepdf

    from derive.classset.blanks import student_sheet

    key = build_worksheet(load_spec(example_path("neuron-bce")), "neuron-bce")
    sheet = student_sheet(dataclasses.replace(key, variant="v-007"))
    data = render_pdf(sheet)
    assert "Tagged:          yes" in _tool_output(tmp_path, "pdfinfo", data)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        kinds = [str(element.S) for element in _elements(pdf.Root.StructTreeRoot)]
    assert "/Link" not in kinds and "/Formula" in kinds
    text = _tool_output(tmp_path, "pdftotext", data)
    assert "variant v-007" in text and "0.7" in text and "-0.3" in text  # the given w1, w2


def test_the_invisible_font_has_a_blank_glyph_of_one_advance_for_each_printable_character():
    from fontTools.pens.recordingPen import RecordingPen
    from fontTools.ttLib import TTFont

    from derive.render.pdf.tags import _font_program

    font = TTFont(io.BytesIO(_font_program()))
    cmap = font.getBestCmap()
    assert sorted(cmap) == list(range(0x20, 0x7F))  # space to tilde
    glyphs = font.getGlyphSet()
    for name in cmap.values():
        pen = RecordingPen()
        glyphs[name].draw(pen)
        assert pen.value == [] and font["hmtx"][name][0] == 500
    assert font["head"].created == font["head"].modified == 3029529600  # 2000-01-01, in seconds from 1904


def test_invisible_text_shows_what_the_font_lacks_as_a_question_mark():
    from derive.render.pdf.tags import invisible_text

    operators = invisible_text("\\lambda = λ (x)", 10.0, 20.0, 30.0, 11.0)
    assert operators.endswith(rb"(\\lambda = ? \(x\)) Tj ET Q")
    assert b" 3 Tr " in operators and b" 10.000 20.000 Td " in operators
    size, scale = (float(value) for value in operators.split()[3:8:4])  # /DeriveText size Tf 3 Tr scale Tz
    assert size * 0.5 * scale / 100 * 15 == pytest.approx(30.0, rel=1e-3)  # 15 characters fill 30 pt
    assert invisible_text("", 0, 0, 10, 11) == b"" == invisible_text("x", 0, 0, 0, 11)
