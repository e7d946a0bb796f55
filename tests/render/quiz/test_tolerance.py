"""--tolerance judged by its value before any work, and margins that stay short as text (issue 25)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from derive.errors import SpecError
from derive.render.quiz.tolerance import MAX_TEXT, Tolerance, decimal_text, margin, parse_tolerance


@pytest.mark.parametrize(("text", "said"), [
    ("1e999999999", "expected an absolute margin of at most 1e6"),  # once decimal.Overflow, at the end
    ("1e999999", "expected an absolute margin of at most 1e6"),  # once a 62 MB quiz for two variants
    ("1000001", "expected an absolute margin of at most 1e6"),
    ("1e-999999", "expected an absolute margin of 0 or 1e-15 to 1e6"),
    ("1e-16", "expected an absolute margin of 0 or 1e-15 to 1e6"),
    ("101%", "expected 0% or 1e-6% to 100%"),
    ("1e999999999%", "expected 0% or 1e-6% to 100%"),
    ("1e-7%", "expected 0% or 1e-6% to 100%"),
    ("0.1234567", "expected at most 6 significant digits"),
    ("1" * 200, "expected a percentage such as 1%"),
])
def test_a_tolerance_out_of_range_is_one_line(text, said):
    with pytest.raises(SpecError) as raised:
        parse_tolerance(text)
    assert raised.value.key == "--tolerance" and said in raised.value.message
    assert "\n" not in str(raised.value) and len(str(raised.value)) < 300


@pytest.mark.parametrize(("text", "expected"), [
    ("1e6", Tolerance(absolute=Decimal(10) ** 6)),
    ("0", Tolerance(absolute=Decimal(0))),
    ("1e-15", Tolerance(absolute=Decimal("1e-15"))),
    ("100%", Tolerance(percent=Decimal(100))),
    ("0.5%", Tolerance(percent=Decimal("0.5"))),
    ("33.3333%", Tolerance(percent=Decimal("33.3333"))),
])
def test_a_tolerance_in_range_is_taken(text, expected):
    assert parse_tolerance(text) == expected


def test_the_widest_and_finest_margins_print_in_plain_decimals():
    assert decimal_text(margin("0.5", 7, parse_tolerance("1e6"))) == "1000000"
    assert decimal_text(margin("0.5", 7, parse_tolerance("1e-15"))) == "0.000000000000001"
    assert parse_tolerance("1e6").text == "plus or minus 1000000"


@pytest.mark.parametrize(("shown", "tolerance"), [
    ("1e-300", Tolerance()),  # ten units in the 7th digit of 1e-300: 1e-306
    ("-4.940656e-320", parse_tolerance("1%")),
    ("1.234567e-40", parse_tolerance("33.3333%")),
])
def test_a_tiny_answers_margin_is_written_with_an_exponent_not_hundreds_of_zeros(shown, tolerance):
    width = margin(shown, 7, tolerance)
    text = decimal_text(width)
    assert len(text) <= MAX_TEXT and Decimal(text) == width  # the same number, read back
    assert "E" in text
