"""Formulas as parts: the model is frozen and hashable, and holds no layout."""

from __future__ import annotations

from dataclasses import fields, is_dataclass

import numpy as np

from derive.classset.blanks import student_sheet
from derive.sheet.build import build_worksheet

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


def test_a_formula_says_what_it_is_never_how_wide_it_prints():
    """Issue 24, item 6: the model keeps a formula's parts and what it is (a derivation, parts one
    per row); widths, lines and rows are the renderer's (``render.layout``)."""
    from derive.sheet.formula import Formula

    assert {field.name for field in fields(Formula)} == {"lhs", "parts", "arrow", "derivation", "one_per_row"}
    sheet = build_worksheet(spec_from(DEFAULT))
    assert all(d.formula.derivation for d in sheet.local) and all(c.formula.derivation for c in sheet.chains)
    assert not any(e.formula.derivation for e in sheet.equations)
