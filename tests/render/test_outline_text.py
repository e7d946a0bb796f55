"""Text as outlines: advances and kerning agree with ziafont's reading of the same font file."""

from __future__ import annotations

from functools import lru_cache

import pytest

from derive.render.pdf.outline_text import face, set_line

LABELS = ["AVATAR Ty", "∂A/∂x = -1.278037", "0.1702221", "loss (bold outline)", "Yo, We'll kern Vi", "w1"]


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("text", LABELS)
def test_a_run_is_as_wide_as_ziafont_sets_it(text, bold):
    """ziafont parses the whole GPOS table itself; we read only the Latin kern lookups."""
    import ziafont

    ziafont.config.svg2 = True
    expected = ziafont.Text(text, _ziafont(bold), size=13.0).getsize()[0]
    width, _ = set_line(text, 13.0, _name(bold))
    assert width == pytest.approx(expected, abs=1e-6)


def test_a_blanked_value_sets_nothing():
    width, ink = set_line("", 13.0, "sans")
    assert width == 0.0 and ink.operators == b"" and ink.glyphs == ()


def test_kerning_pulls_a_v_together_and_leaves_digits_alone():
    font = face("sans")
    a, v, one, two = (font.glyph_name(c) for c in "AV12")
    assert font.kerning(a, v) < 0
    assert font.kerning(one, two) == 0


def test_outlines_are_boxed_inside_the_em_and_a_space_draws_nothing():
    font = face("sans")
    dot = font.outline(font.glyph_name("."))
    left, bottom, right, top = dot.bbox
    assert 0 <= left < right <= font.advance(font.glyph_name(".")) and 0 <= bottom < top < font.units_per_em
    assert dot.operators.endswith(b" h f")
    assert font.outline(font.glyph_name(" ")) is None


@lru_cache(maxsize=2)
def _ziafont(bold: bool):
    import ziafont

    return ziafont.Font(str(face(_name(bold)).path))


def _name(bold: bool) -> str:
    return "sans-bold" if bold else "sans"


def _page(tmp_path, name: str, given, boxes=None):
    """A variant line and a table of given numbers under the real stylesheet and the print
    page's root size; ``given`` sets each one."""
    import logging
    import subprocess
    from io import BytesIO

    import weasyprint
    from PIL import Image

    from derive.render.templating import templates_dir

    from ..conftest import require_tool, write_page_pdf

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    css = (templates_dir() / "html" / "worksheet.css").read_text(encoding="utf-8")
    print_page = (templates_dir() / "html" / "print.html.j2").read_text(encoding="utf-8")
    assert "html { font-size: 10pt; }" in print_page and ".derive-worksheet .given" in print_page
    rows = "".join(f'<tr><td>x</td><td class="num">{given(v)}</td></tr>' for v in NUMBERS)
    html = (
        f"<html><head><style>{css} html {{ font-size: 10pt }} body {{ margin: 0 }}"
        " .derive-worksheet .given { display: inline-block }</style></head><body>"
        "<main class='derive-worksheet'><p class='variant'>Student sheet, variant "
        f"<strong>{given(VARIANT, 'sans-bold')}</strong></p>"
        f"<table>{rows}</table></main></body></html>")
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(write_page_pdf(weasyprint.HTML(string=html), boxes))
    # 600 dpi, cropped to the text: poppler snaps a glyph's origin to the pixel grid, which
    # at 150 dpi can move text (not outlines) by most of a pixel
    subprocess.run([require_tool("pdftoppm"), "-png", "-r", "600", "-gray", "-singlefile", "-x", "0",
                    "-y", "0", "-W", "2000", "-H", "1100", str(pdf), str(tmp_path / name)], check=True)
    return Image.open(BytesIO((tmp_path / f"{name}.png").read_bytes())).convert("L")


VARIANT = "profile-2026-07"  # "fi": the stylesheet turns ligatures off, and outlines have none
NUMBERS = ["-0.1254", "0.70000", "1234567", "-2.5e-05"]  # seven characters or more: the box fits the text


def test_given_numbers_and_the_id_look_as_weasyprint_sets_them(tmp_path):
    """Both pages blurred by 6 px at 600 dpi (outlines rasterise a little thinner than text)."""
    from PIL import ImageChops, ImageFilter

    from derive.render.pdf.formulas import FormulaBoxes
    from derive.render.pdf.outline_text import given_box

    reference = _page(tmp_path, "text", lambda text, face="mono": text)
    boxes = FormulaBoxes()
    drawn = _page(tmp_path, "drawn", lambda text, face="mono": given_box(boxes, text, face), boxes)
    lower = FormulaBoxes()

    def one_px_lower(text, face="mono"):
        moved = "position:relative;top:1px;vertical-align:"
        return given_box(lower, text, face).replace("vertical-align:", moved)

    shifted = _page(tmp_path, "shifted", one_px_lower, lower)
    inked = sum(1 for value in reference.getdata() if value < 128)

    def strong(image):
        blurred = (page.filter(ImageFilter.GaussianBlur(6)) for page in (reference, image))
        return sum(1 for value in ImageChops.difference(*blurred).getdata() if value > 32)

    # measured: 0 of 33,735 inked pixels differ; 17,164 with the boxes 1 CSS px lower
    assert inked > 1500 and strong(drawn) < 0.01 * inked and strong(shifted) > 0.3 * inked


def test_a_glyph_reaching_past_its_box_is_not_clipped():
    """A bold J's hook lies left of its advance: the form's clip has a margin."""
    from derive.render.pdf.formulas import FormulaBoxes, _box
    from derive.render.pdf.outline_text import GIVEN_PX, given_box

    boxes = FormulaBoxes()
    given_box(boxes, "Jacobian-2026-01", "sans-bold")
    bold = face("sans-bold")
    hook = bold.outline(bold.glyph_name("J")).bbox[0] * GIVEN_PX["sans-bold"] / bold.units_per_em
    assert hook < 0 and _box(boxes.placed[0])[0] < hook


def test_text_the_face_cannot_draw_stays_text():
    from derive.render.pdf.formulas import FormulaBoxes
    from derive.render.pdf.outline_text import given_box

    boxes = FormulaBoxes()
    assert given_box(boxes, "神经-2026-01", "sans-bold") == "神经-2026-01" and boxes.placed == []
    assert given_box(boxes, "神<b>", "mono") == "神&lt;b&gt;"  # escaped, as the template would


def test_a_face_is_read_safely_from_many_threads():
    """fontTools decodes glyphs and kerning subtables lazily, which is not thread-safe."""
    from concurrent.futures import ThreadPoolExecutor

    from derive.render.pdf.outline_text import Face

    reference = Face(face("sans").path)
    names = sorted(set(reference._cmap.values()))[:600]
    pairs = [(a, b) for a in names[:25] for b in names[:25]]
    expected = ([reference.outline(n) for n in names], [reference.kerning(*p) for p in pairs])
    fresh = Face(reference.path)

    def read(shift: int):
        order = names[shift:] + names[:shift]
        outlines = {n: fresh.outline(n) for n in order}
        return [outlines[n] for n in names], [fresh.kerning(*p) for p in pairs[shift:] + pairs[:shift]]

    with ThreadPoolExecutor(8) as threads:
        results = list(threads.map(read, range(0, 800, 100)))
    for (outlines, kerning), shift in zip(results, range(0, 800, 100), strict=True):
        assert outlines == expected[0]
        assert kerning == expected[1][shift:] + expected[1][:shift]
