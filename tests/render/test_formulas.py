"""Math for each medium: MathML for browsers (and the PDF's layout), delimited TeX for MathJax hosts."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.errors import DeriveError
from derive.graph.functions import bce, sigmoid
from derive.render.formulas import mathml, tex_delimited
from derive.sheet.formula import Number, Symbolic, part_text
from derive.sheet.printers import MATHML

z, p, y, x = sp.symbols("z p y x")
SPACE = '<mspace width="0.1667em"/>'


def _markup(expr: sp.Basic) -> str:
    return str(mathml(part_text(Symbolic(expr), MATHML)))


def test_mathml_keeps_flat_parentheses_flat_and_fractions_stretchy():
    flat = _markup(sigmoid(z) * (1 - sigmoid(z)))
    assert flat.count('stretchy="false"') == 6 and 'stretchy="true"' not in flat  # sigma(z) twice, (1 - ...)
    tall = _markup((1 / (1 + sp.exp(-z)) + x) ** 2)
    assert tall.count('stretchy="true"') == 2


def test_mathml_names_and_negative_numbers():
    assert '<mi mathvariant="normal">BCE</mi>' in _markup(bce(p, y))
    assert "<mn>\u22121.25</mn>" in part_text(Number(-1.25, 7), MATHML)
    factor = "<mrow><mo>(</mo><mn>\u22121.25</mn><mo>)</mo></mrow>"
    assert part_text(Number(-1.25, 7, factor=True), MATHML) == factor
    assert "<msub><mi>w</mi><mn>1</mn></msub>" in _markup(sp.Symbol("w1"))  # the index upright, as TeX's
    assert "<mi>\u03bb</mi>" in _markup(sp.Symbol("lambda"))


def test_a_function_name_after_an_operand_gets_texs_thin_space():
    """TeX sets ``y \\log(p)`` with a thin space (an ordinary atom, then an operator); MathML
    Core draws ``<mi>y</mi><mi>log</mi>`` as "ylog"."""
    markup = _markup(-y * sp.log(p) - (1 - y) * sp.log(1 - p) + 2 * bce(p, y))
    assert markup.count(SPACE) == 3  # y log, (1 - y) log, 2 BCE
    assert f"<mi>y</mi>{SPACE}<mrow><mi mathvariant=\"normal\">log</mi>" in markup
    assert SPACE not in _markup(sp.log(p) + sigmoid(z) + x * y)  # no operand before it, or no function


def test_the_mathml_holds_no_element_the_printer_does_not_write():
    with pytest.raises(DeriveError, match="<script> element"):
        mathml("<mi>x</mi><script>alert(1)</script>")


def test_tex_delimited_escapes_html():
    assert tex_delimited("a < b") == r'<span class="math">\(a &lt; b\)</span>'
    assert tex_delimited("x", display=True) == r'<span class="math">\[x\]</span>'
