"""A title or intro in any Unicode gives .tex that pdflatex compiles: Greek and math signs as
math symbols, Latin-1 as it is, anything else (an emoji, CJK) as its code point."""

from __future__ import annotations

from derive.render.tex import pdflatex_text, render_tex
from derive.sheet.build import build_worksheet

from ..conftest import DEFAULT, spec_from
from .test_render_tex import compile_tex


def test_characters_pdflatex_cannot_set_are_written_as_it_can():
    assert pdflatex_text("σ-Neuron") == r"\ensuremath{\sigma}-Neuron"
    assert pdflatex_text("café, Ω ≤ 1 − x") == (r"café, \ensuremath{\Omega} \ensuremath{\leq} 1 "
                                                r"\ensuremath{-} x")
    assert pdflatex_text("😀 中") == r"\texttt{[U+1F600]} \texttt{[U+4E2D]}"
    assert pdflatex_text("Α") == "A"  # a capital alpha looks like, and is set as, A
    assert pdflatex_text(r"plain \textbf{ascii}") == r"plain \textbf{ascii}"


def test_a_unicode_title_and_intro_compile(tmp_path):
    text = DEFAULT.replace('title = "Backpropagation through one sigmoid neuron"',
                           'title = "σ-Neuron 😀 中文 über café"').replace(
        'intro = "One training example, one neuron, binary cross-entropy."',
        'intro = "Le réseau: α → β, ∂L/∂w ≈ 0 🚀"')
    sheet = build_worksheet(spec_from(text), "unicode")
    source = render_tex(sheet)
    text_out = compile_tex(tmp_path, source)
    assert "σ-Neuron [U+1F600] [U+4E2D][U+6587] über café" in text_out
    assert "Le réseau: α → β, ∂L/∂w ≈ 0 [U+1F680]" in text_out
