"""Math for each medium: MathML for browsers, delimited TeX for MathJax hosts, SVG for the PDF."""

from __future__ import annotations

from derive.formulas import mathml, tex_delimited


def test_mathml_keeps_flat_parentheses_flat_and_fractions_stretchy():
    markup = mathml(r"\sigma\left(z\right) = \left(\frac{1}{2}\right)")
    assert markup.count('stretchy="false"') == 2 and markup.count('stretchy="true"') == 2


def test_mathml_names_and_negative_numbers():
    markup = mathml(r"\operatorname{BCE}\left(p, y\right) = {-}1.25")
    assert '<mi mathvariant="normal">BCE</mi>' in markup
    assert "<mn>&#x02212;1.25</mn>" in markup


def test_tex_delimited_escapes_html():
    assert tex_delimited("a < b") == r'<span class="math">\(a &lt; b\)</span>'
    assert tex_delimited("x", display=True) == r'<span class="math">\[x\]</span>'


def test_tex_for_ziamath_keeps_fences_only_around_fractions():
    from derive.formulas import flatten_fences

    tex = r"\sigma\left(z\right) \left(1 - \sigma\left(z\right)\right) = \left(\frac{1}{2}\right)"
    assert flatten_fences(tex) == r"\sigma(z) (1 - \sigma(z)) = \left(\frac{1}{2}\right)"
