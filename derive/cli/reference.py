"""The spec format as entries (key, type, default, doc), read from the schema and the registry.

Each key comes from the pydantic models of ``spec/schema.py``: its type and constraints from
the annotation, its default, and the docstring under the field, which pydantic keeps as the
field's description (``use_attribute_docstrings``). The expression grammar and the functions
come from ``graph/``. So ``derive keys`` cannot drift from what derive accepts, and
``tests/cli/test_keys.py`` fails on a key without a doc. What the schema leaves open (a
``[variants]`` entry is checked after it, by ``VariantRule``) is named here, in ``CHECKED_AFTER``.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ..classset.variants import DEFAULT_SEED
from ..graph.expressions import MAX_CALL_DEPTH, MAX_EXPONENT, MAX_LITERAL, MAX_SOURCE_CHARS, OPERATOR_WORDS
from ..graph.functions import FUNCTIONS, Function
from ..spec.schema import Spec, VariantRule

NAME = "<name>"
"""A key's part that the spec's author chooses (an input's name, a node's)."""

CHECKED_AFTER: dict[str, type[BaseModel]] = {"variants": VariantRule}
"""Tables the schema takes as any value and ``validate`` checks entry by entry, with the model it uses."""

BINARY = {
    "+": "sum",
    "-": "difference",
    "*": "product, element by element",
    "/": "quotient, element by element",
    "**": f"power; a number as exponent is at most {MAX_EXPONENT} in size, powers of powers too",
    "@": "matrix product (arrays and matrices, not scalars)",
}
"""Each binary operator of the grammar (``graph.expressions``) and what it means."""
UNARY = {"-": "negation", "+": "the value itself"}
"""Each sign of the grammar and what it means."""


@dataclass(frozen=True)
class Entry:
    """One line of the reference: ``train.learning_rate``, ``number > 0``, ``required``, and its doc."""

    key: str
    kind: str = ""
    default: str = ""
    doc: str = ""


def sections() -> list[list[Entry]]:
    """The top-level keys, then one list per table of ``Spec`` (its own line first), in the schema's order."""
    top: list[Entry] = []
    tables: list[list[Entry]] = []
    for name, field in Spec.model_fields.items():
        models = _models(field.annotation)
        if models:
            several = any(typing.get_origin(a) is list for a in typing.get_args(field.annotation))
            tables.append([_table(name, field, "table or array of tables" if several else "table"),
                           *_fields(name, models[0])])
        elif typing.get_origin(field.annotation) is dict:
            tables.append([_table(name, field, "table"), *_named(name, typing.get_args(field.annotation)[1])])
        else:
            top.append(Entry(name, _kind(field.annotation, field.metadata), _default(field), _doc(field)))
    return [top, *tables]


def _table(name: str, field: FieldInfo, kind: str) -> Entry:
    return Entry(f"[{name}]", kind, _default(field), _doc(field))


def _fields(prefix: str, model: type[BaseModel]) -> list[Entry]:
    """``prefix.field`` for each field of ``model`` (and of the tables it holds)."""
    entries = []
    for name, field in model.model_fields.items():
        key = f"{prefix}.{name}"
        entries.append(Entry(key, _kind(field.annotation, field.metadata), _default(field), _doc(field)))
        for inner in _models(field.annotation):
            entries.extend(_fields(key, inner))
    return entries


def _named(section: str, value: Any) -> list[Entry]:
    """The entries of a table of names (``inputs.<name>``), and the tables they may be."""
    key = f"{section}.{NAME}"
    if section in CHECKED_AFTER:
        seed = Entry(f"{section}.seed", "whole number >= 0", f"default: {DEFAULT_SEED}",
                     "The set's seed: the same spec and seed give the same variants; derive batch "
                     "--seed and derive stress --seed override it.")
        model = CHECKED_AFTER[section]
        return [seed, Entry(key, "table", "", " ".join((model.__doc__ or "").split())), *_fields(key, model)]
    entries = [Entry(key, _kind(value))]
    for model in _models(value):
        entries.extend(_fields(key, model))
    return entries


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation holds, a table of names' excepted (``Gradient | list[Gradient]``:
    Gradient)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for argument in typing.get_args(annotation) if typing.get_origin(annotation) is not dict else ():
        found.extend(model for model in _models(argument) if model not in found)
    return found


def _doc(field: FieldInfo) -> str:
    return " ".join((field.description or "").split())


def _default(field: FieldInfo) -> str:
    """``required``, ``optional`` (a table, or a key whose doc says what leaving it out means), or
    the default."""
    if field.is_required():
        return "required"
    value = field.default
    if value is None or isinstance(value, BaseModel | dict) or (value == [] and _models(field.annotation)):
        return "optional"
    return f"default: {_toml(value)}"


def _toml(value: object) -> str:
    """A value as TOML writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _kind(annotation: Any, metadata: list | tuple = ()) -> str:
    """A type in the spec's words: ``number > 0``, ``whole number, 1 to 4``, ``number, array of numbers
    or matrix``."""
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _kind(arguments[0], [*metadata, *arguments[1:]])
    if origin in (typing.Union, types.UnionType):
        kinds = list(dict.fromkeys(_kind(a) for a in arguments if a is not type(None)))
        return kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} or {kinds[-1]}"
    if origin is Literal:
        return " or ".join(_toml(v) for v in arguments)
    if origin is list:
        item = _kind(arguments[0])
        plural = {"number": "numbers", "string": "strings", "table": "tables"}
        return "matrix" if item.startswith("array of numbers") else f"array of {plural.get(item, item)}"
    if origin is dict:
        return f"table of {NAME} = {_kind(arguments[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table"
    words = {bool: "true or false", int: "whole number", float: "number", str: "string"}
    if annotation not in words:
        return "any value"
    return words[annotation] + _bounds(annotation, _constraints(metadata))


def _constraints(metadata: list | tuple) -> dict[str, Any]:
    """Bounds and lengths from pydantic's metadata (``Gt(gt=0)``, ``MaxLen``, a nested ``Field``)."""
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, FieldInfo):
            found.update(_constraints(item.metadata))
        found.update({name: getattr(item, name) for name in BOUNDS if getattr(item, name, None) is not None})
    return found


BOUNDS = ("gt", "ge", "lt", "le", "min_length", "max_length")
"""The constraints the schema uses, as pydantic's metadata names them."""


def _bounds(annotation: type, found: dict[str, Any]) -> str:
    if annotation is str:
        shortest, longest = found.get("min_length", 0), found.get("max_length")
        if longest is None:
            return ""
        return f", {shortest:,} to {longest:,} characters" if shortest else f", up to {longest:,} characters"
    low = (">=", found["ge"]) if "ge" in found else (">", found["gt"]) if "gt" in found else None
    high = ("<=", found["le"]) if "le" in found else ("<", found["lt"]) if "lt" in found else None
    if low and high and (low[0], high[0]) == (">=", "<="):
        return f", {low[1]:,} to {high[1]:,}"
    if low and high:
        return f", {low[1]:,} {low[0].replace('>', '<')} x {high[0]} {high[1]:,}"
    return f" {(low or high)[0]} {(low or high)[1]:,}" if low or high else ""


def signature(function: Function) -> str:
    """``leaky_relu(z, alpha = 0.2)``, ``sum(u[, axis])``: how a spec calls ``function``."""
    given = function.parameters[: function.arity - int(function.axis)]
    defaults = dict(zip(given[len(given) - len(function.defaults):], function.defaults, strict=True))
    shown = [f"{name} = {defaults[name]:g}" if name in defaults else name for name in given]
    axis = f"[, {function.parameters[-1]}]" if function.axis else ""
    return f"{function.name}({', '.join(shown)}{axis})"


def function_entries() -> list[Entry]:
    """Every function of the registry: its signature, its title, and where it acts."""
    entries = []
    for function in FUNCTIONS.values():
        notes = [function.title]
        if function.vector:
            notes.append("over the last axis")
        if function.axis:
            notes.append(f"of every element, or along {function.parameters[-1]} (a whole number)")
        entries.append(Entry(signature(function), doc=", ".join(notes)))
    return entries


def expression_entries() -> list[Entry]:
    """The grammar of ``[graph]`` values, briefly: numbers, names, operators, calls and limits."""
    return [
        Entry("1.3  -2  1e-3", doc=f"numbers, at most {MAX_LITERAL:g} in size".replace("+", "")),
        Entry("x1  w_out  lambda", doc="names of inputs, parameters and nodes above; letters, digits and _; "
              f"Python keywords are names too, except {', '.join(sorted(OPERATOR_WORDS))}; Greek names "
              "print as Greek letters"),
        *(Entry(f"a {op} b", doc=meaning) for op, meaning in BINARY.items()),
        *(Entry(f"{op}a", doc=meaning) for op, meaning in UNARY.items()),
        Entry("(a)", doc="parentheses group"),
        Entry("f(a, b)", doc=f"a call of a function (derive keys functions); calls nest at most "
              f"{MAX_CALL_DEPTH} deep"),
        Entry("arrays", doc="operators and functions work element by element, broadcasting as NumPy does "
              "(a bias (k,) over a batch (n, k)); mean and sum reduce; the gradient of an array is the "
              "gradient of its sum, as on the tape"),
        Entry("limits", doc=f"an expression holds at most {MAX_SOURCE_CHARS:,} characters; it is parsed by "
              "a whitelist grammar, never run as code"),
    ]
