"""The worksheet model as a Python user meets it: a short repr, a fragment in Jupyter."""

from __future__ import annotations

from derive.classset.blanks import student_sheet
from derive.sheet.build import build_worksheet

from ..conftest import DEFAULT, spec_from


def test_a_worksheet_repr_is_one_short_line():
    sheet = build_worksheet(spec_from(DEFAULT), "neuron-bce")
    assert repr(sheet) == ("<Worksheet 'Backpropagation through one sigmoid neuron' stem='neuron-bce', "
                           "3 nodes, 3 parameters>")
    student = student_sheet(sheet, "numbers", stem="neuron-bce.student")
    assert repr(student).endswith("stem='neuron-bce.student', 3 nodes, 3 parameters, student>")


def test_a_worksheet_repr_counts_in_the_singular():
    text = 'title = "One"\n[inputs]\nx = 2.0\n[parameters]\nw = 0.5\n[graph]\nL = "(x*w)**2"\n'
    sheet = build_worksheet(spec_from(text))
    assert repr(sheet) == "<Worksheet 'One' stem='worksheet', 1 node, 1 parameter>"
