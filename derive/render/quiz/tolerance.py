"""How far from the key's number a student's answer may be and still count.

By default, ten units in the last significant digit the key shows (one unit in the digit
before it: ``-0.2828153`` at 7 digits, 1e-6), or more where a careful student's rounding of the
numbers the answer is worked from carries further (``numeric.rounding``: w2 after two steps is
the difference of two numbers of size 0.1, so its last digits are not a student's to know).
Half a unit would take only answers that round
to the key's digits, but a student works from the sheet's rounded numbers: over 200 variants
of neuron-bce, a gradient multiplied from the shown local derivatives missed the key by more
than half a unit in 326 of 600 cases, by at most 5.2 units (7.2 over another 40 variants);
a loss after the step recomputed from the shown new weights, by up to 4.7 units. Ten units
passes every one of them, and a wrong derivative still misses by far more.
``--tolerance 1%`` is relative to each answer, ``--tolerance 0.001`` absolute. Both LMSs take an absolute
margin per answer, so ``margin`` turns each into one, in exact decimals (``decimal``), so
that the bounds a QTI file states are the key's digits plus and minus the margin, with no
binary rounding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ...errors import SpecError, quoted
from ...sheet.answers import CAP, SAFETY

UNITS = 10
"""The default margin, in units of the last significant digit the key shows."""
_TOLERANCE = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?%?")
MAX_ABSOLUTE = Decimal("1e6")
"""The widest absolute margin: beyond it every answer a student could type passes."""
MIN_ABSOLUTE = Decimal("1e-15")
"""The finest absolute margin but 0: finer than the digits any key shows (float64 holds about 16)."""
MIN_PERCENT = Decimal("1e-6")
"""The finest relative margin but 0%."""
MAX_DIGITS = 6
"""Significant digits of a margin as given (1%, 0.001, 2.5%)."""
MAX_TEXT = 30
"""Characters of a number a quiz writes in plain decimals; a longer one (the margin of a tiny
answer) is written with an exponent, ``1E-42``, as the keys' own numbers are."""


@dataclass(frozen=True)
class Tolerance:
    """A relative (``percent``) or absolute margin, or neither: ten units in the last shown digit."""

    percent: Decimal | None = None
    absolute: Decimal | None = None

    @property
    def text(self) -> str:
        """How the README and the quiz describe it."""
        if self.percent is not None:
            return f"{self.percent}% of the answer"
        if self.absolute is not None:
            return f"plus or minus {decimal_text(self.absolute)}"
        return "ten units in the last digit shown"


def parse_tolerance(text: str | None) -> Tolerance:
    """``None`` (the default), ``"1%"`` or ``"0.001"``; anything else is a one-line error."""
    if text is None:
        return Tolerance()
    value = text.strip()
    if len(value) > 2 * MAX_TEXT or not _TOLERANCE.fullmatch(value):
        raise SpecError("--tolerance", f"expected a percentage such as 1% or an absolute margin such as "
                                       f"0.001, got {quoted(text)}")
    number = Decimal(value.removesuffix("%"))  # checked by its value before any arithmetic with it
    if value.endswith("%"):
        if number > 100 or (number and number < MIN_PERCENT):
            raise SpecError("--tolerance", f"expected 0% or 1e-6% to 100%, got {quoted(text)}")
    elif number > MAX_ABSOLUTE:
        raise SpecError("--tolerance", f"expected an absolute margin of at most 1e6, got {quoted(text)}: "
                                       "wider than the answers, it would pass every answer (1% is relative)")
    elif number and number < MIN_ABSOLUTE:
        raise SpecError("--tolerance", f"expected an absolute margin of 0 or 1e-15 to 1e6, got "
                                       f"{quoted(text)}: finer than the digits any key shows")
    if number and len(number.normalize().as_tuple().digits) > MAX_DIGITS:
        raise SpecError("--tolerance", f"expected at most {MAX_DIGITS} significant digits, got "
                                       f"{quoted(text)}")
    return Tolerance(percent=number) if value.endswith("%") else Tolerance(absolute=number)


def margin(shown: str, digits: int, tolerance: Tolerance, spread: float = 0.0) -> Decimal:
    """The absolute margin around the key's number ``shown`` (printed to ``digits`` significant
    digits): by default the larger of ten units in its last digit and what a careful student's
    rounding carries into it (``spread``, ``numeric.rounding``: doubled, for what the first-order
    bound leaves out, plus the student's own last rounding), one significant digit, rounded up,
    and never a quarter of the answer's size (so a flipped sign or a missing factor never passes)."""
    value = Decimal(shown)
    if tolerance.percent is not None:
        return plain(abs(value) * tolerance.percent / 100)
    if tolerance.absolute is not None:
        return tolerance.absolute
    lead = value.adjusted() if value else 0  # a zero is read as 0.000000 at the sheet's digits
    unit = Decimal(1).scaleb(lead - digits + 1)
    carried = _rounded_up(Decimal(repr(SAFETY * float(spread))) + unit / 2) if spread > 0 else Decimal(0)
    width = max(UNITS * unit, carried)
    if value and width > abs(value) * Decimal(repr(CAP)):
        width = max(UNITS * unit, _rounded_down(abs(value) * Decimal(repr(CAP))))
    return plain(width)


def _rounded_up(value: Decimal) -> Decimal:
    """``value`` to one significant digit, rounded up (0.000123 -> 0.0002)."""
    exponent = value.adjusted()
    return (value.scaleb(-exponent).to_integral_value(rounding="ROUND_CEILING")).scaleb(exponent)


def _rounded_down(value: Decimal) -> Decimal:
    exponent = value.adjusted()
    return (value.scaleb(-exponent).to_integral_value(rounding="ROUND_FLOOR")).scaleb(exponent)


def plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros (``5E-8``, not ``5.000E-8``)."""
    return value.normalize() if value else Decimal(0)


def decimal_text(value: Decimal) -> str:
    """A decimal as plain digits (``0.00000005``), as both LMSs read numbers; one that would take
    more than ``MAX_TEXT`` characters with an exponent (``1E-42``)."""
    text = format(plain(value), "f")
    return text if len(text) <= MAX_TEXT else format(plain(value), "E")
