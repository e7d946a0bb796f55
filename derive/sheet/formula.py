r"""Formulas on the sheet as structured values, printed on demand by a printer style.

A ``Formula`` is a chain ``lhs = p_1 = p_2 = ...`` (or an update ``lhs \leftarrow p_1 = p_2``)
of parts, each one of:

- ``Symbolic``: a SymPy expression (the graph's arithmetic, or a sheet form such as
  ``forms.Partial``) under the sheet's ``Notation``, with its ``role``: ``"question"`` (what
  to differentiate: kept on every sheet), ``"step"`` (a derivation step: a box on a
  ``--blanks steps`` student sheet) or ``"given"`` (part of the exercise: kept);
- ``Number``: one value, the significant digits it is shown with, and whether it is given;
- ``Numbers``: numbers substituted into a product or a sum: ``Number`` items between operators.

``printed`` prints a formula in a style (``printers.TEX`` or ``printers.MATHML``) for the
key, or for a student, where each answer ``Number`` is an answer box and, in steps mode,
the work between the question and the value is one step box. Row breaks come from the
parts' sizes as the MathML printer lays them out; nothing is cut apart or parsed back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import sympy as sp

from ..numbers import shown
from .printers import MATHML, TEX, Style
from .printers.tex import ARRAY_BOX, NUMBER_BOX, STEP_BOX

__all__ = ["ARRAY_BOX", "NUMBER_BOX", "STEP_BOX", "Formula", "Notation", "Number", "Numbers", "Part",
           "Printed", "Symbolic", "frozen", "part_tex", "printed", "rule_steps"]

OPERATORS = ("+", "-", "cdot", "sum")
"""What stands between the numbers of a ``Numbers``: plus, minus, a dot, and a sum over i."""


def frozen(value):
    """A value for the model: a float, or nested tuples of floats for an array (never an ndarray)."""
    if value is None:
        return None
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return float(array)
    return tuple(frozen(item) for item in array)


@dataclass(frozen=True)
class Notation:
    """How the sheet writes names: the spec's ``[notation]``, and which names hold arrays
    (their products are element-wise, ``\\odot``)."""

    names: tuple[tuple[str, str], ...] = ()
    arrays: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, names: Mapping[str, str], arrays: Iterable[str] = ()) -> Notation:
        return cls(tuple(sorted(names.items())), frozenset(arrays))

    @property
    def mapping(self) -> dict[str, str]:
        return dict(self.names)


PLAIN = Notation()


@dataclass(frozen=True)
class Symbolic:
    """An expression on the sheet; ``written`` prints an unevaluated tree in the spec's order."""

    expr: sp.Basic
    notation: Notation = PLAIN
    role: str = "step"
    """'question' (kept on every sheet), 'step' (boxed in steps mode) or 'given' (kept)."""
    written: bool = False

    @property
    def tex(self) -> str:
        return part_text(self, TEX)


@dataclass(frozen=True)
class Number:
    """One number: its value, its significant digits, whether the exercise gives it, and
    whether it stands as a factor (a negative one in parentheses)."""

    value: float | tuple
    digits: int
    given: bool = False
    factor: bool = False

    @property
    def array(self) -> bool:
        return isinstance(self.value, tuple)

    @property
    def shown(self) -> str:
        """The digits as plain text (``-0.2828153``; an array as a list)."""
        return shown(self.value, self.digits)

    @property
    def tex(self) -> str:
        return part_text(self, TEX)


@dataclass(frozen=True)
class Numbers:
    """Numbers substituted into a product or sum: ``Number`` items between ``OPERATORS``."""

    items: tuple[Number | str, ...]

    def __post_init__(self) -> None:
        unknown = [item for item in self.items if isinstance(item, str) and item not in OPERATORS]
        if unknown:
            raise ValueError(f"Numbers holds {unknown[0]!r}; operators are {OPERATORS}")

    @property
    def answers(self) -> bool:
        return any(isinstance(item, Number) and not item.given for item in self.items)

    @property
    def tex(self) -> str:
        return part_text(self, TEX)


Part = Symbolic | Number | Numbers


@dataclass(frozen=True)
class Formula:
    """``lhs = parts[0] = parts[1] = ...``; with ``arrow``, ``lhs \\leftarrow parts[0] = ...``."""

    lhs: Part
    parts: tuple[Part, ...]
    arrow: bool = False
    width: int = 0
    """0: one row; else the parts go in rows of about this many characters (a derivation)."""

    @property
    def tex(self) -> str:
        """The key's TeX on one line (JSON, tests)."""
        return " ".join(printed(self).lines())


@dataclass(frozen=True)
class Printed:
    """A printed formula in one style: its left-hand side, the first relation, rows of parts."""

    style: Style
    lhs: str
    relation: str
    rows: tuple[tuple[str, ...], ...]

    def lines(self) -> tuple[str, ...]:
        """Each row as one formula: ``lhs = a = b``, then ``= c = d``."""
        first = self.style.chain(self.lhs, self.relation, self.rows[0])
        return (first, *(self.style.chain(None, "=", row) for row in self.rows[1:]))

    def pieces(self) -> tuple[tuple[str, ...], ...]:
        """Each row as its parts with their relations, for a layout that sets parts one by one."""
        s = self.style
        head = (self.lhs, s.chain(None, "=", self.rows[0][:1])) if self.relation == "=" else (
            s.chain(self.lhs, self.relation, self.rows[0][:1]),)  # a leading arrow stays with its side
        first = (*head, *(s.chain(None, "=", (p,)) for p in self.rows[0][1:]))
        return (first, *(tuple(s.chain(None, "=", (p,)) for p in row) for row in self.rows[1:]))

    def aligned(self) -> tuple[str, ...]:
        """Each row for LaTeX's ``align*``: ``lhs &= a = b``, then ``&= c``."""
        first = self.style.chain(self.lhs, "&" + self.relation, self.rows[0])
        return (first, *(self.style.chain(None, "&=", row) for row in self.rows[1:]))


def part_text(part: Part, style: Style = TEX, student: bool = False, steps: bool = False) -> str:
    """One part in ``style``: the key's, or a student's (answers boxed; steps boxed in steps mode)."""
    return _printed_part(part, style, student, steps)


@lru_cache(maxsize=65536)
def _printed_part(part: Part, style: Style, student: bool, steps: bool) -> str:
    if isinstance(part, Symbolic):
        if student and steps and part.role == "step":
            return style.box("step")
        return style.expression(part.expr, part.notation.mapping, part.notation.arrays, part.written)
    if isinstance(part, Number):
        if student and not part.given:
            return style.box("array" if part.array else "number")
        return style.number(part.value, part.digits, part.factor)
    return style.joined([style.operator(item) if isinstance(item, str) else
                         _printed_part(item, style, student, steps) for item in part.items])


def part_tex(part: Part, student: bool = False, steps: bool = False) -> str:
    """One part as TeX (JSON, tests)."""
    return part_text(part, TEX, student, steps)


def _is_work(part: Part) -> bool:
    """Whether a part is work a steps-mode student sheet leaves to the student."""
    if isinstance(part, Symbolic):
        return part.role == "step"
    return part.answers if isinstance(part, Numbers) else not part.given


def _value_box(part: Part) -> str:
    return "array" if isinstance(part, Number) and part.array else "number"


def printed(formula: Formula, student: bool = False, steps: bool = False, style: Style = TEX) -> Printed:
    """``formula`` printed in ``style`` for the key, or for a student sheet in 'numbers' or
    ``steps`` mode.

    In steps mode a derivation (``width``) keeps its question, then one step box, and a box
    for the value on the next row: ``d/dx(...) = [step]``, ``= [value]``; a one-row chain with
    work before its last part becomes ``w <- [step] = [value]``.
    """
    lhs = part_text(formula.lhs, style, student, steps)
    relation = "leftarrow" if formula.arrow else "="
    parts = formula.parts
    if student and steps and (formula.width or any(_is_work(p) for p in parts[:-1])):
        head = [part_text(p, style) for p in parts[:1] if isinstance(p, Symbolic) and p.role == "question"]
        value = style.box(_value_box(parts[-1]))
        step = style.box("step")
        rows = ((*head, step), (value,)) if formula.width else ((*head, step, value),)
        return Printed(style, lhs, relation, rows)
    texts = [part_text(p, style, student, steps) for p in parts]
    if not formula.width:
        return Printed(style, lhs, relation, (tuple(texts),))
    sizes = [size(p) for p in parts]
    return Printed(style, lhs, relation, _grouped(texts, sizes, formula.width))


def _grouped(texts: list[str], sizes: list[tuple[int, bool]], width: int) -> tuple[tuple[str, ...], ...]:
    """Parts in rows of about ``width`` visible characters, measured on the key's parts (so a
    student sheet breaks where the key does)."""
    rows: list[list[str]] = []
    row_size = (0, False)
    for text, (chars, frac) in zip(texts, sizes, strict=True):
        joined = (row_size[0] + 1 + chars, row_size[1] or frac)
        if rows and _visible(*row_size) + _visible(chars, frac) + 3 <= width:
            rows[-1].append(text)
            row_size = joined
        else:
            rows.append([text])
            row_size = (chars, frac)
    return tuple(tuple(row) for row in rows)


def _visible(chars: int, frac: bool) -> int:
    return int(chars * (0.6 if frac else 1.0))


def size(part: Part) -> tuple[int, bool]:
    """About how many characters the key's ``part`` shows, and whether it holds a fraction (which
    stacks its halves, so a row of fractions holds more), as the MathML printer lays it out."""
    return MATHML.size(part_text(part, MATHML))


def rule_steps(steps: tuple[Formula, ...], definitions: int, formula: Formula,
               blank_steps: bool) -> tuple[Formula, ...]:
    """A general rule's lines: its steps; in steps mode its definition, then the rule to derive."""
    return (*steps[:definitions], formula) if blank_steps else steps
