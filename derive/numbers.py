"""How numbers are shown: significant digits on the sheet, shortest round-trip in JSON."""

from __future__ import annotations

import numpy as np


def _array(value):
    """Tuples (the model's arrays) and lists as ndarrays; anything else as it is."""
    return np.asarray(value, dtype=np.float64) if isinstance(value, tuple | list) else value


def at_precision(value, precision: int):
    """An array with each entry that is zero at ``precision`` significant digits of the array's
    largest entry set to 0 (float32 noise: 2.235e-8 beside 0.36, where SymPy's exact value is
    2e-17); a scalar as it is. Every printed array passes here: a sheet shows an entry to the
    digits of its array, so noise below the last digit shown is 0."""
    value = _array(value)
    if not isinstance(value, np.ndarray) or value.ndim == 0 or not value.size:
        return value
    largest = float(np.max(np.abs(value), initial=0.0, where=np.isfinite(value)))
    if largest == 0.0:
        return value
    last_digit = 10.0 ** (np.floor(np.log10(largest)) - precision + 1)
    return np.where(np.abs(value) < last_digit / 2, 0.0, value)


def shown(value, precision: int) -> str:
    """``value`` to ``precision`` significant digits, plain text (``-0.2828153``); arrays as lists
    (noise below their precision as 0)."""
    return _shown(at_precision(value, precision), precision)


def _shown(value, precision: int) -> str:
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return "[" + ", ".join(_shown(item, precision) for item in value) + "]"
    number = float(value)
    text = f"{number:.{min(precision, held_digits(number))}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return "0" if text in ("-0", "0") else text


SUBNORMAL_SPACING_EXPONENT = -323
"""ceil(log10(2**-1074)): the last decimal place a subnormal float64 resolves (5e-324 is its spacing)."""


def held_digits(number: float) -> int:
    """The significant digits a float64 holds of ``number``: all (17), except that a subnormal has
    fewer, its spacing being 2**-1074 (5e-324 holds one digit: 4.940656e-324 would show six that
    no float64 has, while the spec said 5e-324)."""
    if not np.isfinite(number) or number == 0.0 or abs(number) >= np.finfo(np.float64).tiny:
        return 17
    exponent = int(np.floor(np.log10(abs(number))))
    return max(1, exponent + 1 - SUBNORMAL_SPACING_EXPONENT)


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
    value = at_precision(value, precision)
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.size > items:
        return "[" + ", ".join(_shown(item, precision) for item in value[:items]) + ", …]"
    if isinstance(value, np.ndarray) and value.ndim > 1 and value.size > 2 * items:
        return f"{value.shape[0]}×{value.shape[1]} matrix" if value.ndim == 2 else f"array {value.shape}"
    return shown(value, precision)


def tex_number(value, precision: int) -> str:
    """The same in TeX, with a power of ten for very small or large values; arrays as brackets."""
    return _tex_number(at_precision(value, precision), precision)


VECTOR_ENTRIES = 6
"""The most entries of a vector printed in a formula (six 7-digit entries fill the line)."""
MATRIX_COLUMNS = 6
"""The most columns of a matrix printed in a formula (six 7-digit entries fill the line)."""
MATRIX_ROWS = 8


def kept(count: int, most: int) -> list[int | None]:
    """Which of ``count`` entries a formula prints: all of up to ``most``, else the first three,
    an ellipsis (None) and the last two; the full values are in the JSON and the tables."""
    if count <= most:
        return list(range(count))
    return [0, 1, 2, None, count - 2, count - 1]


def _tex_entry(matrix: np.ndarray, i: int | None, j: int | None, precision: int) -> str:
    """One cell of a printed matrix: an entry, or a left-out row's or column's dots."""
    if i is None:
        return "" if j is None else r"\vdots"
    return r"\cdots" if j is None else _tex_number(matrix[i, j], precision)


def _tex_number(value, precision: int) -> str:
    if isinstance(value, np.ndarray) and value.ndim == 2:
        rows = [" & ".join(_tex_entry(value, i, j, precision) for j in kept(value.shape[1], MATRIX_COLUMNS))
                for i in kept(value.shape[0], MATRIX_ROWS)]
        return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"
    if isinstance(value, np.ndarray) and value.ndim == 1:
        items = [r"\ldots" if i is None else _tex_number(value[i], precision)
                 for i in kept(value.size, VECTOR_ENTRIES)]
        return r"\left[" + ", ".join(items) + r"\right]"
    text = _shown(value, precision)
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
