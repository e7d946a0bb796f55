"""How numbers are shown: significant digits on the sheet, shortest round-trip in JSON."""

from __future__ import annotations

import numpy as np


def _array(value):
    """Tuples (the model's arrays) and lists as ndarrays; anything else as it is."""
    return np.asarray(value, dtype=np.float64) if isinstance(value, tuple | list) else value


def shown(value, precision: int) -> str:
    """``value`` to ``precision`` significant digits, plain text (``-0.2828153``); arrays as lists."""
    value = _array(value)
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return "[" + ", ".join(shown(item, precision) for item in value) + "]"
    text = f"{float(value):.{precision}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return "0" if text in ("-0", "0") else text


def agreed_digits(value, twin, precision: int, floor: int = 4) -> int:
    """The most significant digits (from ``precision`` down to ``floor``) on which a float32
    result and its float64 twin agree, so a sheet shows no digit that is rounding noise."""
    value, twin = np.asarray(value, dtype=np.float64), np.asarray(twin, dtype=np.float64)
    for digits in range(precision, floor - 1, -1):
        if shown(value, digits) == shown(twin, digits):
            return digits
    return floor


def shown_compact(value, precision: int, items: int = 3) -> str:
    """Like ``shown``, but an array longer than ``items`` ends in an ellipsis (for narrow tables)."""
    value = _array(value)
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.size > items:
        return "[" + ", ".join(shown(item, precision) for item in value[:items]) + ", …]"
    if isinstance(value, np.ndarray) and value.ndim > 1 and value.size > 2 * items:
        return f"{value.shape[0]}×{value.shape[1]} matrix" if value.ndim == 2 else f"array {value.shape}"
    return shown(value, precision)


def tex_number(value, precision: int) -> str:
    """The same in TeX, with a power of ten for very small or large values; arrays as brackets."""
    value = _array(value)
    if isinstance(value, np.ndarray) and value.ndim == 2:
        body = r" \\ ".join(" & ".join(tex_number(item, precision) for item in row) for row in value)
        return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"
    if isinstance(value, np.ndarray) and value.ndim == 1:
        items = [tex_number(item, precision) for item in value]
        if len(items) > 8:
            items = [*items[:3], r"\ldots", *items[-2:]]
        return r"\left[" + ", ".join(items) + r"\right]"
    text = shown(value, precision)
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa} \times 10^{{{exponent}}}"
    # {-} is an ordinary atom: a unary minus without the spacing of a binary one
    return "{-}" + text[1:] if text.startswith("-") else text


def tex_factor(value, precision: int) -> str:
    """A number ready to multiply: negative values in parentheses."""
    value = _array(value)
    text = tex_number(value, precision)
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return text
    return rf"\left({text}\right)" if value < 0 or "times" in text else text


def exact(value, dtype: str):
    """The shortest decimal that round-trips in ``dtype`` (``0.7824498`` for float32); arrays as lists."""
    value = _array(value)
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return [exact(item, dtype) for item in value]
    if dtype == "float32":
        return float(str(np.float32(value)))
    return float(value)
