r"""Formulas on the sheet as structured values, printed on demand by a printer style.

A ``Formula`` is a chain ``lhs = p_1 = p_2 = ...`` (or an update ``lhs \leftarrow p_1 = p_2``)
of parts, each one of:

- ``Symbolic``: a SymPy expression (the graph's arithmetic, or a sheet form such as
  ``forms.Partial``) under the sheet's ``Notation``, with its ``role``: ``"question"`` (what
  to differentiate: kept on every sheet), ``"step"`` (a derivation step: a box on a
  ``--blanks steps`` student sheet) or ``"given"`` (part of the exercise: kept);
- ``Number``: one value, the significant digits it is shown with, and whether it is given;
- ``Numbers``: numbers substituted into a product or a sum: ``Number`` items between operators.

The model holds what a formula says, never how wide it prints: ``part_text`` prints one part
in a style (``printers.TEX``, ``printers.MATHML``) for the key or a student, and where a formula
breaks into rows is each renderer's decision (``render.layout``: its line, in em, per paper or
page); nothing is cut apart or parsed back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import sympy as sp

from ..numbers import shown
from .printers import TEX, Style
from .printers.tex import ARRAY_BOX, NUMBER_BOX, STEP_BOX

__all__ = ["ARRAY_BOX", "NUMBER_BOX", "STEP_BOX", "Formula", "Notation", "Number", "Numbers", "Part",
           "Symbolic", "for_student", "frozen", "is_work", "part_tex", "part_text"]

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
    answer: str = ""
    """The key of the answer whose one box this number is on a student sheet (its site), or empty."""
    ref: Symbolic | None = None
    """An answer asked elsewhere (a local derivative in a chain rule): a student sheet prints this."""

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
    def answers(self) -> bool:  # an answer's site among them
        return any(isinstance(item, Number) and not item.given and item.ref is None for item in self.items)

    @property
    def references(self) -> bool:  # only answers asked elsewhere: a student sheet leaves it out
        numbers = [item for item in self.items if isinstance(item, Number)]
        return bool(numbers) and all(item.ref is not None for item in numbers)

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
    derivation: bool = False
    """A derivation worked out from its question (a local derivative, a chain rule): a steps-mode
    student sheet asks for its work in one step box and its value in another, on a row of its own."""
    one_per_row: bool = False
    """Each part on a row of its own, however wide the line (a matrix chain rule's backward
    formula above its value), unless a table's column sets the rows."""

    @property
    def tex(self) -> str:
        """The key's TeX on one line, unbroken (JSON, tests)."""
        relation = "leftarrow" if self.arrow else "="
        return TEX.chain(part_tex(self.lhs), relation, [part_tex(part) for part in self.parts])


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
        if student and part.ref is not None:
            return _printed_part(part.ref, style, student, steps)
        if student and not part.given:
            return style.box("array" if part.array else "number")
        return style.number(part.value, part.digits, part.factor)
    return style.joined([style.operator(item) if isinstance(item, str) else
                         _printed_part(item, style, student, steps) for item in part.items])


def part_tex(part: Part, student: bool = False, steps: bool = False) -> str:
    """One part as TeX (JSON, tests)."""
    return part_text(part, TEX, student, steps)


def is_work(part: Part) -> bool:
    """Whether a part is work a steps-mode student sheet leaves to the student."""
    if isinstance(part, Symbolic):
        return part.role == "step"
    items = part.items if isinstance(part, Numbers) else (part,)  # numbers plugged in are work
    return any(isinstance(item, Number) and not item.given for item in items)


def for_student(formula: Formula) -> Formula:
    """``formula`` without the parts that only repeat answers asked elsewhere (a student's)."""
    kept = tuple(p for p in formula.parts if not (isinstance(p, Numbers) and p.references))
    return formula if kept == formula.parts else replace(formula, parts=kept)
