"""The width estimate that decides line breaks, held against ziamath's layout (the PDF's) of
the same MathML: every wide part of three sheets, within the margin the line leaves for it."""

from __future__ import annotations

import pytest

from derive.render.layout import FILL
from derive.sheet.build import build_worksheet
from derive.sheet.formula import part_text
from derive.sheet.printers import MATHML
from derive.sheet.printers.mathml_width import width_em
from derive.spec.examples import example_path
from derive.spec.schema import load_spec

SIZE = 16.0
"""The font size ziamath lays out at, in px (the estimate is in em, so any size does)."""


def _laid_out_em(markup: str) -> float:
    import ziamath

    math = ziamath.Math(f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">{markup}</math>',
                        size=SIZE)
    return math.getsize()[0] / SIZE


@pytest.mark.parametrize("name", ["tanh-sigmoid-network", "relu-minibatch", "polynomial"])
def test_the_estimate_stays_near_the_laid_out_width(name):
    sheet = build_worksheet(load_spec(example_path(name)), name)
    formulas = [*(d.formula for d in sheet.local), *(c.formula for c in sheet.chains),
                *(u.numbers for u in sheet.updates), *(e.formula for e in sheet.equations)]
    measured = 0
    for formula in formulas:
        for part in (formula.lhs, *formula.parts):
            for student in (False, True):
                markup = part_text(part, MATHML, student)
                laid_out = _laid_out_em(markup)
                if laid_out < 8:  # short parts never decide a break
                    continue
                measured += 1
                estimate = width_em(markup)
                # never short by more than the margin a layout leaves below its text block, nor 25 % over
                assert estimate >= laid_out * FILL, markup
                assert estimate <= laid_out * 1.25, markup
    assert measured >= 5
