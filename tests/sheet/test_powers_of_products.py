"""A power of a matrix product or a transpose, ``sum((x @ W)**2)``: LaTeX's printer hands the power
to the product's printer (as it does for sigma^2(z)), which raised a TypeError before."""

from __future__ import annotations

import numpy as np

from derive.render.html import render_page
from derive.render.tex import render_tex
from derive.sheet.build import build_worksheet

from ..conftest import spec_from

X = np.array([[1.0, 2.0]])
W = np.array([[0.5, -0.2], [0.1, 0.3]])


def test_the_square_of_a_matrix_product_derives_prints_and_matches_numpy():
    spec = (f'title = "squared product"\n[inputs]\nx = {X.tolist()}\n[parameters]\nW = {W.tolist()}\n'
            '[graph]\nL = "sum((x @ W)**2)"\n[display]\ndtype = "float64"\n')
    sheet = build_worksheet(spec_from(spec), "squared")
    (chain,) = sheet.chains
    np.testing.assert_allclose(np.asarray(chain.value), 2 * X.T @ (X @ W), rtol=1e-9)
    tex = render_tex(sheet)
    assert r"\left(x W\right)^{2}" in tex
    assert "<math" in render_page(sheet)
