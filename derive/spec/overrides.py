"""``--set key=value`` overrides, applied to the raw TOML data before validation.

A bare name (``x1``) means the input or parameter of that name; a dotted key
(``train.learning_rate``) walks the tables. The value is read as a TOML value, so
``2.0`` is a number and ``"text"`` a string; an unquoted word is taken as a string.
"""

from __future__ import annotations

import copy
import tomllib
from typing import Any

from ..errors import SpecError, quoted

SCALAR_TABLES = ("inputs", "parameters")
TOP_LEVEL_SCALARS = ("title", "intro")


def apply_overrides(data: dict[str, Any], overrides: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Return a copy of ``data`` with every ``key=value`` applied in order."""
    result = copy.deepcopy(data)
    for override in overrides:
        key, value = _split(override)
        table, leaf = _locate(result, key)
        if isinstance(table.get(leaf), dict) and "value" in table[leaf]:
            table, leaf = table[leaf], "value"  # x1 = { value = 3.0, trainable = false }
        if isinstance(table.get(leaf), dict | list):
            raise SpecError(f"--set {key}", "only single values can be overridden, not tables or arrays")
        table[leaf] = value
    return result


def _split(override: str) -> tuple[str, Any]:
    at = override.find("=")  # KEY=VALUE: the first '=' ends the key
    key, sep, raw = (override, "", "") if at < 0 else (override[:at], "=", override[at + 1:])
    key = key.strip()
    if not sep or not key:
        raise SpecError(f"--set {override}", "expected KEY=VALUE, e.g. --set x1=2.0")
    try:
        value = tomllib.loads(f"value = {raw.strip()}")["value"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    except (ValueError, RecursionError):  # an integer of over 4300 digits, arrays nested too deep
        raise SpecError(f"--set {key}", f"value out of range ({len(raw):,} characters)") from None
    if isinstance(value, dict | list):
        raise SpecError(f"--set {key}", "expected a single value, not a table or array")
    return key, value


def _locate(data: dict[str, Any], key: str) -> tuple[dict[str, Any], str]:
    parts = key.split(".")
    if len(parts) == 1:
        for section in SCALAR_TABLES:
            table = data.get(section, {})
            if not isinstance(table, dict):
                raise SpecError(section, f"expected a table of names and values, got {quoted(table)}")
            if key in table:
                return table, key
        if key in TOP_LEVEL_SCALARS:
            return data, key
        raise SpecError(f"--set {key}", "no input or parameter has this name")
    table = data
    for part in parts[:-1]:
        child = table.setdefault(part, {})
        if not isinstance(child, dict):
            raise SpecError(f"--set {key}", f"'{part}' is a value, not a table")
        table = child
    return table, parts[-1]
