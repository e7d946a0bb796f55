"""Math for each medium: MathML for browsers, delimited TeX for MathJax hosts, SVG for the PDF."""

from __future__ import annotations

from derive.render.formulas import mathml, tex_delimited


def test_mathml_keeps_flat_parentheses_flat_and_fractions_stretchy():
    markup = mathml(r"\sigma\left(z\right) = \left(\frac{1}{2}\right)")
    assert markup.count('stretchy="false"') == 2 and markup.count('stretchy="true"') == 2


def test_mathml_names_and_negative_numbers():
    markup = mathml(r"\operatorname{BCE}\left(p, y\right) = {-}1.25")
    assert '<mi mathvariant="normal">BCE</mi>' in markup
    assert "<mn>&#x02212;1.25</mn>" in markup


def test_a_function_name_after_an_operand_gets_texs_thin_space():
    """TeX sets ``y \\log(p)`` with a thin space (an ordinary atom, then an operator); MathML
    Core draws ``<mi>y</mi><mi>log</mi>`` as "ylog"."""
    space = '<mspace width="0.1667em"/>'
    markup = mathml(r"- y \log{\left(p \right)} - (1 - y) \log{\left(1 - p \right)}"
                    r" + 2 \operatorname{BCE}(p, y)")
    assert markup.count(space) == 3  # y log, (1 - y) log, 2 BCE
    assert f"<mi>y</mi>{space}<mi>log</mi>" in markup and f"&#x00029;</mo>{space}<mi>log</mi>" in markup
    assert f'<mn>2</mn>{space}<mi mathvariant="normal">BCE</mi>' in markup
    assert space not in mathml(r"\log(p) + \sigma(z) + x y")  # no operand before it, or no function
    assert f"</msqrt>{space}<mi>log</mi>" in mathml(r"\sqrt{x} \log(x)")
    assert f"<mn>3</mn>{space}<msub><mi>log</mi>" in mathml(r"3 \log_{2} x")


def test_tex_delimited_escapes_html():
    assert tex_delimited("a < b") == r'<span class="math">\(a &lt; b\)</span>'
    assert tex_delimited("x", display=True) == r'<span class="math">\[x\]</span>'


def test_tex_for_ziamath_keeps_fences_only_around_fractions():
    from derive.render.formulas import flatten_fences

    tex = r"\sigma\left(z\right) \left(1 - \sigma\left(z\right)\right) = \left(\frac{1}{2}\right)"
    assert flatten_fences(tex) == r"\sigma(z) (1 - \sigma(z)) = \left(\frac{1}{2}\right)"
