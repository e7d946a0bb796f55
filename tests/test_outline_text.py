"""Text as outlines: advances and kerning agree with ziafont's reading of the same font file."""

from __future__ import annotations

from functools import lru_cache

import pytest

from derive.outline_text import face, set_line

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


def _page(tmp_path, name: str, given, finisher=None):
    """A print-styled variant line and a table of given numbers; ``given`` sets each one."""
    import logging
    import subprocess
    from io import BytesIO

    import weasyprint
    from PIL import Image

    from .conftest import require_tool

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    rows = "".join(f'<tr><td>x</td><td class="num">{given(v)}</td></tr>' for v in NUMBERS)
    html = (
        "<html><head><style>html { font-size: 11pt } body { margin: 0; color: #1a1a1a }"
        " .variant { font-family: 'DejaVu Sans'; font-size: 0.95rem }"
        " td { padding: 0.3em 0.8em; line-height: 1.5; vertical-align: baseline;"
        "      font-family: 'DejaVu Serif' }"
        " td.num { text-align: right; font-family: 'DejaVu Sans Mono'; font-size: 0.92rem;"
        "          white-space: nowrap }"
        " .given { display: inline-block }</style></head><body>"
        "<p class='variant'>Student sheet, variant "
        f"<strong>{given('neuron-2026-07', 'sans-bold')}</strong></p>"
        f"<table style='border-collapse: collapse'>{rows}</table></body></html>")
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(weasyprint.HTML(string=html).write_pdf(finisher=finisher))
    subprocess.run([require_tool("pdftoppm"), "-png", "-r", "150", "-gray", "-singlefile", str(pdf),
                    str(tmp_path / name)], check=True)
    return Image.open(BytesIO((tmp_path / f"{name}.png").read_bytes())).convert("L")


NUMBERS = ["-0.1254", "0.70000", "1234567", "-2.5e-05"]  # seven characters or more: the box fits the text


def test_given_numbers_and_the_id_look_as_weasyprint_sets_them(tmp_path):
    """Both pages blurred by 1.5 px at 150 dpi (outlines rasterise a little thinner than text)."""
    from PIL import ImageChops, ImageFilter

    from derive.outline_text import given_box
    from derive.pdf_formulas import FormulaBoxes

    reference = _page(tmp_path, "text", lambda text, face="mono": text)
    boxes = FormulaBoxes()
    drawn = _page(tmp_path, "drawn", lambda text, face="mono": given_box(boxes, text, face), boxes.finisher)
    lower = FormulaBoxes()

    def one_px_lower(text, face="mono"):
        moved = "position:relative;top:1px;vertical-align:"
        return given_box(lower, text, face).replace("vertical-align:", moved)

    shifted = _page(tmp_path, "shifted", one_px_lower, lower.finisher)
    inked = sum(1 for value in reference.getdata() if value < 128)

    def strong(image):
        blurred = (page.filter(ImageFilter.GaussianBlur(1.5)) for page in (reference, image))
        return sum(1 for value in ImageChops.difference(*blurred).getdata() if value > 32)

    # measured: 6 of 3,840 inked pixels differ; 3,352 with the boxes 1 px lower
    assert inked > 1500 and strong(drawn) < 0.01 * inked and strong(shifted) > 0.3 * inked
