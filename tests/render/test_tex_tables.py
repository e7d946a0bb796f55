"""Tables in the .tex print an array as a matrix, never as a nested list (issue 24, item 4), and
an identifier with underscores in prose may break at them, so neither runs past the margin."""

from __future__ import annotations

import re

from derive.render.tex import render_tex
from derive.sheet.build import build_worksheet

from ..conftest import spec_from

BATCH = """
title = "Two examples through a layer"
intro = "The option watch_accessed_variables_of_a_gradient_tape_is_long_enough_to_need_a_break is one word."
[inputs]
X = [[1.0, 2.0], [-0.5, 0.25]]
[parameters]
W = [[0.5, -1.0, 0.25], [2.0, 0.125, -0.75]]
[graph]
Z = "X @ W"
L = "sum(Z**2)"
[train]
learning_rate = 0.01
[display]
dtype = "float64"
"""


def _rows(tex: str, heading: str) -> str:
    start = tex.index(heading)
    return tex[start:tex.index(r"\bottomrule", start)]


def test_the_problem_and_forward_tables_print_matrices():
    tex = render_tex(build_worksheet(spec_from(BATCH)))
    problem, forward = _rows(tex, r"\section*{The problem}"), _rows(tex, r"\section*{Forward pass}")
    assert "[[" not in problem + forward
    # X W worked out here: [[1*0.5 + 2*2, ...], ...]
    x, w = [[1.0, 2.0], [-0.5, 0.25]], [[0.5, -1.0, 0.25], [2.0, 0.125, -0.75]]
    z = [[sum(x[i][k] * w[k][j] for k in range(2)) for j in range(3)] for i in range(2)]
    matrix = re.search(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", forward, re.S).group(1)
    cells = [[float(c.replace("{-}", "-")) for c in row.split("&")] for row in matrix.split(r"\\")]
    assert cells == z
    assert r"\begin{bmatrix}" in problem


def test_a_student_sheet_keeps_the_box_for_an_asked_array():
    from derive.classset.blanks import student_sheet

    tex = render_tex(student_sheet(build_worksheet(spec_from(BATCH))))
    forward = _rows(tex, r"\section*{Forward pass}")
    assert r"\answerbox" in forward and r"\begin{bmatrix}" not in forward


def test_underscores_in_prose_may_break_the_line():
    tex = render_tex(build_worksheet(spec_from(BATCH)))
    assert r"watch\_\allowbreak{}accessed" in tex
