"""``sum(x, axis)`` and ``mean(x, axis)``: values, gradients against NumPy by hand, printing, errors.

The gradient of a reduction along an axis is its upstream gradient broadcast back along that
axis (over n for a mean); every expected number below is that rule written out in NumPy.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from derive.graph.axes import axis_mean, axis_sum
from derive.sheet.build import build_worksheet
from derive.sheet.printers.mathml import DeriveMathMLPrinter
from derive.sheet.printers.tex import tex

from ..conftest import run_cli, spec_from

X = np.array([[0.5, 1.0, -0.3], [-1.0, 0.5, 2.0], [1.5, -0.5, 0.1], [0.0, -1.0, 0.7], [0.2, 0.4, -0.6]])
W = np.array([0.3, -0.2, 0.5])
COLUMNS = textwrap.dedent(f'''
    title = "Sums over the batch axis"
    [inputs]
    x = {X.tolist()}
    [parameters]
    w = {W.tolist()}
    [graph]
    a = "x * w"
    s = "sum(a, 0)"
    L = "mean(sigmoid(s), -1)"
    [display]
    dtype = "float64"
''')
ROWS = textwrap.dedent(f'''
    title = "Means over the feature axis"
    [inputs]
    x = {X.tolist()}
    y = [1.0, 0.0, 0.5, 0.2, -0.4]
    [parameters]
    w = {W.tolist()}
    [graph]
    m = "mean(x * w, 1)"
    L = "sum((m - y)**2)"
    [display]
    dtype = "float64"
''')


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sheet_of(text: str):
    return build_worksheet(spec_from(text))


def gradient(sheet, name: str) -> np.ndarray:
    return np.asarray(next(c.value for c in sheet.chains if c.parameter == name))


def test_a_sum_over_axis_0_broadcasts_its_gradient_back_over_the_rows():
    sheet = sheet_of(COLUMNS)
    s = (X * W).sum(axis=0)  # one number per column
    forward = {q.name: np.asarray(q.value) for q in sheet.forward}
    np.testing.assert_allclose(forward["s"], s, rtol=1e-12)
    assert float(forward["L"]) == pytest.approx(sigmoid(s).mean(), rel=1e-12)
    upstream = sigmoid(s) * (1 - sigmoid(s)) / 3  # dL/ds: the mean over the last axis, n = 3
    dL_da = np.broadcast_to(upstream, X.shape)  # each row gets the same dL/ds
    np.testing.assert_allclose(gradient(sheet, "w"), (dL_da * X).sum(axis=0), rtol=1e-10)
    assert sheet.symbolic_vs_tape < 1e-10 and sheet.finite_difference_vs_tape < 1e-6
    assert any("sum over axis 0 of a (5, 3) array" in note and "broadcast back" in note
               for note in sheet.notes)


def test_a_mean_over_axis_1_divides_by_the_row_length():
    sheet = sheet_of(ROWS)
    y = np.array([1.0, 0.0, 0.5, 0.2, -0.4])
    m = (X * W).mean(axis=1)
    upstream = 2 * (m - y)  # dL/dm, one per row
    dL_dproduct = upstream[:, None] / X.shape[1]  # back along axis 1, over n = 3
    np.testing.assert_allclose(gradient(sheet, "w"), (dL_dproduct * X).sum(axis=0), rtol=1e-10)
    assert sheet.symbolic_vs_tape < 1e-10 and sheet.finite_difference_vs_tape < 1e-6
    assert any("divided by n = 3" in note for note in sheet.notes)


def test_a_negative_axis_counts_from_the_end():
    last = sheet_of(ROWS.replace("mean(x * w, 1)", "mean(x * w, -1)"))
    first = sheet_of(ROWS)
    np.testing.assert_allclose(gradient(last, "w"), gradient(first, "w"), rtol=1e-12)


def test_the_reduction_prints_its_axis_in_both_printers():
    import sympy as sp

    x = sp.Symbol("x")
    assert tex(axis_sum(x, 0)) == r"\operatorname{sum}_{\mathrm{axis}=0}\left(x\right)"
    assert tex(axis_mean(x, -1)) == r"\operatorname{mean}_{\mathrm{axis}=-1}\left(x\right)"
    markup = DeriveMathMLPrinter().doprint(axis_sum(x, 0))
    assert ">sum<" in markup and ">axis<" in markup and ">0<" in markup


BAD = {
    "axis-out-of-range": ('s = "sum(a, 0)"', 's = "sum(a, 2)"',
                          "graph.s: sum over axis 2 of a (5, 3) array; the axis must be -2..1"),
    "negative-axis-out-of-range": ('s = "sum(a, 0)"', 's = "sum(a, -3)"', "the axis must be -2..1"),
    "mean-axis-out-of-range": ('L = "mean(sigmoid(s), -1)"', 'L = "mean(sigmoid(s), 1)"',
                               "graph.L: mean over axis 1 of a (3,) array; the axis must be -1..0"),
    "non-integer-axis": ('s = "sum(a, 0)"', 's = "sum(a, 0.5)"',
                         "graph.s: sum(): the axis must be an integer"),
    "a-name-as-axis": ('s = "sum(a, 0)"', 's = "sum(a, w)"', "graph.s: sum(): the axis must be an integer"),
    "three-arguments": ('s = "sum(a, 0)"', 's = "sum(a, 0, 1)"', "graph.s: sum() takes 1 to 2"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_axis_is_one_line_naming_the_key(monkeypatch, capsys, tmp_path, case):
    old, new, fragment = BAD[case]
    spec = tmp_path / "bad.toml"
    spec.write_text(COLUMNS.replace(old, new))
    code, _, err = run_cli(monkeypatch, capsys, "render", str(spec), "--format", "json", "--out",
                           str(tmp_path / "out"))
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert fragment in err, err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
