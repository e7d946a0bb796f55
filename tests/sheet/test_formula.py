"""Formulas as parts: the model is frozen and hashable, and the printer writes the key's TeX."""

from __future__ import annotations

from dataclasses import fields, is_dataclass

import numpy as np
import sympy as sp

from derive.classset.blanks import student_sheet
from derive.sheet.build import build_worksheet
from derive.sheet.formula import NUMBER_BOX, Formula, Number, Symbolic, printed

from ..conftest import DEFAULT, spec_from


def _values(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _values(item)
    elif is_dataclass(value) and not isinstance(value, type):
        for field in fields(value):
            yield from _values(getattr(value, field.name))


def test_the_sheet_is_hashable_and_equal_to_a_rebuild():
    sheet = build_worksheet(spec_from(DEFAULT), "neuron-bce")
    assert list(_values(sheet)) == []  # tuples, never ndarrays
    again = build_worksheet(spec_from(DEFAULT), "neuron-bce")
    assert sheet == again and hash(sheet) == hash(again)
    student = student_sheet(sheet)
    assert hash(student) != hash(sheet) and student != sheet


def test_the_key_prints_the_chain_rule_as_before():
    sheet = build_worksheet(spec_from(DEFAULT))
    chain = next(c for c in sheet.chains if c.parameter == "w1")
    assert printed(chain.formula).aligned() == (
        r"\frac{\partial A_{3}}{\partial w_{1}} &= \frac{\partial A_{3}}{\partial A_{2}} \cdot "
        r"\frac{\partial A_{2}}{\partial A_{1}} \cdot \frac{\partial A_{1}}{\partial w_{1}} = "
        r"\left(\frac{1 - Y}{1 - A_{2}} - \frac{Y}{A_{2}}\right) \cdot A_{2} \left(1 - A_{2}\right) "
        r"\cdot x_{1} = \left(A_{2} - Y\right) x_{1}",  # the textbook form, in the order of the path
        r"&= \left({-}1.278037\right) \cdot 0.1702221 \cdot 1.3 = {-}0.2828153")
    local = {d.key: d for d in sheet.local}
    question = r"\frac{\partial}{\partial w_{1}}\left(x_{1} w_{1} + x_{2} w_{2} + b\right)"
    symbol = r"\frac{\partial A_{1}}{\partial w_{1}}"
    assert local["A1/w1"].formula.tex == rf"{symbol} = {question} = x_{{1}} = 1.3"
    assert printed(sheet.equations[0].formula).pieces() == (("A_{1}", "= x_{1} w_{1} + x_{2} w_{2} + b"),)


def test_a_student_formula_holds_no_answer_digits():
    sheet = build_worksheet(spec_from(DEFAULT))
    for blanks in (False, True):
        for chain in sheet.chains:
            text = " ".join(printed(chain.formula, student=True, steps=blanks).lines())
            assert chain.shown.lstrip("-") not in text and NUMBER_BOX in text


def test_rows_hold_whole_parts_up_to_the_formulas_width():
    long_name, short_name = sp.Symbol("a" * 30), sp.Symbol("b" * 10)
    parts = (Symbolic(long_name), Symbolic(short_name), Number(2.0, 7))
    long = Formula(Symbolic(sp.Symbol("y"), role="given"), parts, width=22)
    printed_rows = printed(long).rows  # 30 letters fill a row of 22 em; 10 letters and "= 2" share the next
    assert printed_rows == ((rf"\mathrm{{{'a' * 30}}}",), (rf"\mathrm{{{'b' * 10}}}", "2"))  # words upright
    assert printed(long).continued == frozenset()
