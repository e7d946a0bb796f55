"""How numbers are shown: significant digits on the sheet, shortest round-trip in JSON."""

from __future__ import annotations

import numpy as np


def shown(value: float, precision: int) -> str:
    """``value`` to ``precision`` significant digits, plain text (``-0.2828153``)."""
    text = f"{value:.{precision}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return "0" if text in ("-0", "0") else text


def tex_number(value: float, precision: int) -> str:
    """The same in TeX, with a power of ten for very small or large values."""
    text = shown(value, precision)
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa} \times 10^{{{exponent}}}"
    # {-} is an ordinary atom: a unary minus without the spacing of a binary one
    return "{-}" + text[1:] if text.startswith("-") else text


def tex_factor(value: float, precision: int) -> str:
    """A number ready to multiply: negative values in parentheses."""
    text = tex_number(value, precision)
    return rf"\left({text}\right)" if value < 0 or "times" in text else text


def exact(value: float, dtype: str) -> float:
    """The shortest decimal that round-trips in ``dtype`` (``0.7824498`` for float32)."""
    if dtype == "float32":
        return float(str(np.float32(value)))
    return float(value)
