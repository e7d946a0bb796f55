"""The graph labels' font: advances and kerning agree with ziafont's reading of the same file."""

from __future__ import annotations

from functools import lru_cache

import pytest

from derive.label_fonts import label_font
from derive.picture_print import _run

LABELS = ["AVATAR Ty", "∂A/∂x = -1.278037", "0.1702221", "loss (bold outline)", "Yo, We'll kern Vi", "w1"]


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("text", LABELS)
def test_a_run_is_as_wide_as_ziafont_sets_it(text, bold):
    """ziafont parses the whole GPOS table itself; we read only the Latin kern lookups."""
    import ziafont

    ziafont.config.svg2 = True
    expected = ziafont.Text(text, _ziafont(bold), size=13.0).getsize()[0]
    width, _ = _run(text, 13.0, bold)
    assert width == pytest.approx(expected, abs=1e-6)


def test_a_blanked_value_sets_nothing():
    assert _run("", 13.0, False) == (0.0, _run("", 13.0, True)[1]) and not _run("", 13.0, False)[1].operators


def test_kerning_pulls_a_v_together_and_leaves_digits_alone():
    font = label_font(False)
    a, v, one, two = (font.glyph_name(c) for c in "AV12")
    assert font.kerning(a, v) < 0
    assert font.kerning(one, two) == 0


def test_outlines_are_boxed_inside_the_em_and_a_space_draws_nothing():
    font = label_font(False)
    dot = font.outline(font.glyph_name("."))
    left, bottom, right, top = dot.bbox
    assert 0 <= left < right <= font.advance(font.glyph_name(".")) and 0 <= bottom < top < font.units_per_em
    assert dot.operators.endswith(b" h f")
    assert font.outline(font.glyph_name(" ")) is None


@lru_cache(maxsize=2)
def _ziafont(bold: bool):
    import ziafont

    return ziafont.Font(str(label_font(bold).path))
