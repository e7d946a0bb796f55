"""The tables under the graph picture and its alt text: Jacobians stated by their pattern and
printed as grids whose numbers are computed here independently; the picture read as sentences."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from derive.classset.blanks import student_sheet
from derive.render.figures.jacobian import pattern
from derive.render.figures.picture import graph_html, graph_svg, graph_tikz
from derive.render.figures.tables import derivative_table
from derive.render.tex import render_tex
from derive.sheet.build import build_worksheet
from derive.spec.examples import example_path

from ..conftest import DEFAULT, spec_from

X = np.array([[0.5], [-1.0], [1.5], [2.0], [-0.375]])  # relu-minibatch's inputs, as its spec gives them
W1, B1 = np.array([[0.4, -0.6, 0.9]]), np.array([0.1, 0.2, -0.1])


def example(name: str):
    return build_worksheet(spec_from(example_path(name).read_text()), name)


@pytest.fixture(scope="module")
def relu():
    """relu-minibatch with x trained too (as an adversarial example's input is), so that the
    Jacobian of a matrix product with respect to each side is on the sheet."""
    text = example_path("relu-minibatch").read_text()
    x = "x = [[0.5], [-1.0], [1.5], [2.0], [-0.375]]\n"
    text = text.replace(x, "").replace("[parameters]\n", "[parameters]\n" + x)
    return build_worksheet(spec_from(text), "relu-minibatch")


def rows_of(html: str) -> dict[str, str]:
    """The derivative table's rows: arrow text -> the cell's HTML."""
    table = html[html.index('<table class="graph-derivatives">'):]
    rows = [line.removeprefix("<tr><td>").removesuffix("</td></tr>").split("</td><td>", 1)
            for line in table.splitlines() if line.startswith("<tr><td>")]  # one row a line
    return {re.sub("<.*?>", "", arrow): cell for arrow, cell in rows}


def grids(cell: str) -> list[np.ndarray]:
    """Every grid of a cell as numbers, read back from its <td>s row by row."""
    out = []
    for table in re.findall(r'<table class="graph-matrix">(.*?)</table>', cell):
        rows = re.findall(r"<tr>(.*?)</tr>", table)[1:]  # the first row heads the columns
        rows = [re.sub(r'^(<th scope="row">.*?</th>|<td></td>)', "", row) for row in rows]  # the row's index
        out.append(np.array([[float(v) for v in re.findall(r"<td>(.*?)</td>", r)] for r in rows]))
    return out


def test_a_jacobian_of_a_matrix_product_is_stated_by_its_pattern(relu):
    rows = rows_of(graph_html(relu))
    assert set(rows) == {f"∂{d.node}/∂{d.input}" for d in relu.derivatives}
    assert "∂L/∂y" not in rows  # the labels' derivative: nobody asked for it
    by_x = rows["∂a/∂x"]  # a_ij = sum_k x_ik W_kj + b_j: d a_ij / d x_k1 = W_1j if k = i, else 0
    assert "= 0 unless k = i" in by_x and "the same for every i" in by_x and "[" not in by_x
    assert [g.tolist() for g in grids(by_x)] == [W1.tolist()]
    by_w = rows["∂a/∂W1"]  # d a_ij / d W_1l = x_i1 if l = j, else 0
    assert "= 0 unless k = j" in by_w and "the same for every j" in by_w
    assert [g.tolist() for g in grids(by_w)] == [X.T.tolist()]


def test_an_entrywise_derivative_is_one_grid_of_the_nodes_shape(relu):
    cell = rows_of(graph_html(relu))["∂h/∂a"]
    relu_slope = (X @ W1 + B1 > 0).astype(float)
    assert "Entry by entry" in cell and [g.tolist() for g in grids(cell)] == [relu_slope.tolist()]


def test_array_values_of_shape_only_boxes_are_listed_as_grids(relu):
    html = graph_html(relu)
    values = html[html.index('<table class="graph-values">'):html.index('<table class="graph-derivatives">')]
    a = X @ W1 + B1
    found = grids(values)
    assert [g.shape for g in found] == [(5, 3), (5, 3)]
    np.testing.assert_allclose(found[0], a, rtol=10.0 ** -relu.precision)
    np.testing.assert_allclose(found[1], np.maximum(a, 0), rtol=10.0 ** -relu.precision)
    assert re.search(r"the values of (x, y|y, x) are in the table of inputs and parameters", html)


def test_the_softmax_jacobian_is_its_3_by_3_matrix():
    sheet = example("softmax-cross-entropy")
    p = np.asarray(next(q.value for q in sheet.forward if q.name == "p"), dtype=float).ravel()
    cell = rows_of(graph_html(sheet))["∂p/∂z"]
    assert "unless" not in cell  # every entry of a softmax's Jacobian is non-zero
    (found,) = grids(cell)
    np.testing.assert_allclose(found, np.diag(p) - np.outer(p, p), rtol=10.0 ** (1 - sheet.precision),
                               atol=10.0 ** -sheet.precision)


def test_a_jacobian_with_a_diagonal_on_its_second_input_axis_pairs_it():
    # h_1i = sigmoid(sum_k x_1k W_ki + b_i): dh_i / dW_kl = sigmoid'(a_i) x_k if l = i, else 0
    a = np.array([0.3, -0.2])
    x = np.array([0.05, 0.10])
    slope = 1 / (1 + np.exp(-a)) * (1 - 1 / (1 + np.exp(-a)))
    jacobian = np.einsum("i,k,il->ikl", slope, x, np.eye(2)).reshape(1, 2, 2, 2)
    p = pattern(jacobian, (1, 2), (2, 2))
    assert (p.out, p.input, p.equal, p.every, p.letters) == ("i", "kl", (("l", "i"),), "", "ik")
    np.testing.assert_allclose(p.values, np.outer(slope, x))


def test_the_student_sheet_keeps_the_tables_cells_empty(relu):
    student = student_sheet(relu)
    html = graph_html(student)
    assert "graph-matrix" not in html and '<table class="graph-values">' not in html
    assert all(cell == "= " for cell in rows_of(derivative_table(student)).values())


def test_the_latex_table_prints_jacobians_as_matrices_and_passes_the_tex_check(relu):
    tikz = graph_tikz(relu)
    assert r"0 unless $k = i$" in tikz and r"\begin{bmatrix} 0.4 & {-}0.6 & 0.9 \end{bmatrix}" in tikz
    assert "array (" not in tikz
    render_tex(relu)  # refuses any control sequence derive does not write


def test_the_alt_text_says_who_feeds_whom_with_the_values():
    sheet = build_worksheet(spec_from(DEFAULT))
    about = ET.fromstring(graph_svg(sheet)).get("aria-label")
    assert about == ("Computational graph: x1 = 1.3, w1 = 0.7, x2 = 2.1, w2 = -0.3 and b = 1 feed A1 = 1.28; "
                     "A1 feeds A2 = 0.7824498; A2 and Y = 1 feed A3 = 0.2453255; A3 is the loss.")


def test_the_alt_text_speaks_the_notation_and_a_student_sheet_leaves_answers_unsaid():
    text = DEFAULT.replace('A1 = "x1*w1 + x2*w2 + b"', 'A1 = "x1*w1 + x2*w2 + lam*b"').replace(
        "Y  = 1.0", "Y  = 1.0\nlam = 0.5") + '[notation]\nlam = "\\\\lambda"\nA2 = "\\\\hat{y}"\n'
    sheet = build_worksheet(spec_from(text))
    about = ET.fromstring(graph_svg(sheet)).get("aria-label")
    assert "lambda = 0.5" in about and "feeds y hat = 0.6" in about and "lam " not in about
    blank = ET.fromstring(graph_svg(student_sheet(sheet))).get("aria-label")
    assert "x1 = 1.3" in blank and "feed A1;" in blank and "A3 is the loss" in blank


def test_a_split_pictures_parts_each_say_their_own_nodes():
    from .test_picture_layout import CHAIN

    html = graph_html(build_worksheet(spec_from(CHAIN)))
    labels = re.findall(r'aria-label="(.*?)"', html)
    assert len(labels) >= 2 and "L is the loss" in labels[-1] and "is the loss" not in labels[0]
    assert labels[0].startswith("Computational graph: x = 0.5, w = 0.8 and b = 0.1 feed a1 = ")


def test_a_wide_grid_is_printed_in_tables_of_at_most_six_columns_in_order():
    """A row of eight values (a 1x8 node) would leave the text block as one table."""
    import re

    from derive.render.figures.tables import _grid

    values = np.array([[0.5, -1.25, 2.0, 0.75, -0.3, 1.1, -0.65, 0.2]])
    html = _grid(values, "", "i", 4)
    assert [g.tolist() for g in grids(html)] == [values[:, :6].tolist(), values[:, 6:].tolist()]
    tables = html.split("</table>")[:-1]
    assert [t.count('<th scope="col">') for t in tables] == [6, 2]
    assert re.findall(r"i = (\d+)", html) == [str(k) for k in range(1, 9)]
    shown = ["0.5", "-1.25", "2", "0.75", "-0.3", "1.1", "-0.65", "0.2"]
    assert re.findall(r"<td>(-?[\d.]+)</td>", html) == shown
    assert "<th></th>" not in html and '<th scope="row"></th>' not in html  # no empty header (axe)
