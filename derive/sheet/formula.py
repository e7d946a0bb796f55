r"""Formulas on the sheet as structured values, printed on demand by a printer style.

A ``Formula`` is a chain ``lhs = p_1 = p_2 = ...`` (or an update ``lhs \leftarrow p_1 = p_2``)
of parts, each one of:

- ``Symbolic``: a SymPy expression (the graph's arithmetic, or a sheet form such as
  ``forms.Partial``) under the sheet's ``Notation``, with its ``role``: ``"question"`` (what
  to differentiate: kept on every sheet), ``"step"`` (a derivation step: a box on a
  ``--blanks steps`` student sheet) or ``"given"`` (part of the exercise: kept);
- ``Number``: one value, the significant digits it is shown with, and whether it is given;
- ``Numbers``: numbers substituted into a product or a sum: ``Number`` items between operators.

``printed`` prints a formula in a style (``printers.TEX``, ``printers.MATHML``) for the key, or
for a student (each answer a box; in steps mode the work before it one step box), in rows
broken by the parts' printed sizes; nothing is cut apart or parsed back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import sympy as sp

from ..numbers import shown
from . import forms
from .printers import MATHML, TEX, Style
from .printers.mathml_width import width_em
from .printers.tex import ARRAY_BOX, NUMBER_BOX, STEP_BOX, DerivePrinter, ordered_terms, per_thread

__all__ = ["ARRAY_BOX", "NUMBER_BOX", "STEP_BOX", "Formula", "Notation", "Number", "Numbers", "Part",
           "Printed", "Symbolic", "frozen", "part_tex", "printed", "width"]

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
    width: float = 0
    """0: rows as wide as the line; else rows of at most this many em (a derivation's rows, a
    table's column), a part wider than that broken at its + and -; under ``COLUMN`` em, one
    part per row (parts broken only at the line)."""

    @property
    def tex(self) -> str:
        """The key's TeX on one line, unbroken (JSON, tests)."""
        relation = "leftarrow" if self.arrow else "="
        return TEX.chain(part_tex(self.lhs), relation, [part_tex(part) for part in self.parts])


@dataclass(frozen=True)
class Printed:
    """A printed formula in one style: its left-hand side, the first relation, rows of parts;
    a row in ``continued`` opens with a sum's continuation (``+ c - d``), not with ``=``."""

    style: Style
    lhs: str
    relation: str
    rows: tuple[tuple[str, ...], ...]
    continued: frozenset[int] = frozenset()

    def later(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The rows after the first, each with what opens it: ``=``, or ``continue`` (a sum's indent)."""
        return tuple(("continue" if index in self.continued else "=", row)
                     for index, row in enumerate(self.rows[1:], 1))

    def lines(self) -> tuple[str, ...]:
        """Each row as one formula: ``lhs = a = b``, then ``= c = d`` (or ``+ c = d``)."""
        first = self.style.chain(self.lhs, self.relation, self.rows[0])
        return (first, *(self.style.chain(None, lead, row) for lead, row in self.later()))

    def pieces(self) -> tuple[tuple[str, ...], ...]:
        """Each row as its parts with their relations, for a layout that sets parts one by one."""
        s = self.style
        head = (self.lhs, s.chain(None, "=", self.rows[0][:1])) if self.relation == "=" else (
            s.chain(self.lhs, self.relation, self.rows[0][:1]),)  # a leading arrow stays with its side
        first = (*head, *(s.chain(None, "=", (p,)) for p in self.rows[0][1:]))
        return (first, *((s.chain(None, lead, row[:1]), *(s.chain(None, "=", (p,)) for p in row[1:]))
                         for lead, row in self.later()))

    def cells(self) -> tuple[str, tuple[tuple[str, ...], ...]]:
        """``block()``'s two columns for a layout that sets parts one by one: the left-hand side
        (the first row's left cell; the others are empty), and each row's right cell as its parts
        with their relations (``= a``, ``= b``; a continuation row opens with its indent)."""
        s = self.style
        leads = ((self.relation, self.rows[0]), *self.later())
        return self.lhs, tuple((s.chain(None, lead, row[:1]), *(s.chain(None, "=", (p,)) for p in row[1:]))
                               for lead, row in leads)

    def aligned(self) -> tuple[str, ...]:
        """Each row for LaTeX's ``align*``: ``lhs &= a = b``, then ``&= c`` (or ``&\\quad + c``)."""
        first = self.style.chain(self.lhs, "&" + self.relation, self.rows[0])
        return (first, *(self.style.chain(None, f"&{lead}", row) for lead, row in self.later()))

    def block(self) -> str:
        """The whole formula as one display formula: one row as it is, several aligned on the
        relation (a MathML ``<mtable>``, TeX's ``aligned``)."""
        if len(self.rows) == 1:
            return self.lines()[0]
        rows = ((self.relation, self.rows[0]), *self.later())
        return self.style.aligned(self.lhs, [self.style.chain(None, lead, row) for lead, row in rows])


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


def _is_work(part: Part) -> bool:
    """Whether a part is work a steps-mode student sheet leaves to the student."""
    if isinstance(part, Symbolic):
        return part.role == "step"
    items = part.items if isinstance(part, Numbers) else (part,)  # numbers plugged in are work
    return any(isinstance(item, Number) and not item.given for item in items)


def _value_box(part: Part) -> str:
    return "array" if isinstance(part, Number) and part.array else "number"


LINE = 37.0
"""The widest row, in em of display math: the narrowest text block (A4 PDF: 174 mm, less the
equation's indent, 40 em at 11 pt) less what the estimate (``mathml_width``) may fall short."""
RELATION = 1.4
"""The width of ``=`` or an arrow with its spaces, in em."""
CONTINUATION = 1.0
"""The indent of a row that continues a sum (TeX's ``\\quad``), in em."""
COLUMN = 10.0
"""The narrowest column a formula's ``width`` asks for; a smaller one means one part per row."""
STEP_WIDTH = 13 * 1.33
"""A step box's width in em, as ``mathml_width`` measures it."""


def printed(formula: Formula, student: bool = False, steps: bool = False, style: Style = TEX,
            column: float = 0, rows_of_student: bool = False) -> Printed:
    """``formula`` printed in ``style`` for the key, or for a student sheet in 'numbers' or
    ``steps`` mode, in rows that fit the line (or a table's ``column`` of that many em).

    Rows hold whole parts (a derivation's rows at most ``width`` em, any row at most ``LINE``);
    a part wider than a line is a sum broken at its ``+`` and ``-`` into continuation rows.
    Widths are measured on what the sheet prints (a student's answer boxes are wider than the
    key's numbers, so a student's row of boxes breaks more often). In steps mode a derivation
    (``width``) keeps its question, then one step box, and a box for the value on the next
    row: ``d/dx(...) = [step]``, ``= [value]``; a one-row chain with work
    before its last part becomes ``w <- [step] = [value]``. With ``rows_of_student``, the key
    is printed in the rows of the 'numbers' student sheet (whose answer boxes do not depend on
    the numbers), so that a class set's keys break alike.
    """
    if student:
        formula = for_student(formula)
    lhs = part_text(formula.lhs, style, student, steps)
    relation = "leftarrow" if formula.arrow else "="
    parts = formula.parts
    if student and steps and (formula.width or any(_is_work(p) for p in parts[:-1])):
        head = [part_text(p, style) for p in parts[:1] if isinstance(p, Symbolic) and p.role == "question"]
        value = style.box(_value_box(parts[-1]))
        step = style.box("step")
        fits = not head or width(parts[0]) + RELATION + STEP_WIDTH <= _room(formula, True, column or LINE)
        if formula.width or not fits:
            rows = ((*head, step), (value,)) if fits else ((*head,), (step,), (value,))
        else:
            rows = ((*head, step, value),)
        return Printed(style, lhs, relation, rows)
    rows, continued = _rows(formula, student or rows_of_student, column)
    texts = tuple(tuple(part_text(p, style, student, steps) for p in row) for row in rows)
    return Printed(style, lhs, relation, texts, continued)


def for_student(formula: Formula) -> Formula:
    """``formula`` without the parts that only repeat answers asked elsewhere (a student's)."""
    kept = tuple(p for p in formula.parts if not (isinstance(p, Numbers) and p.references))
    return formula if kept == formula.parts else replace(formula, parts=kept)


def _room(formula: Formula, student: bool, line: float) -> float:
    """The width a row of ``formula`` may fill on a ``line`` em wide, right of its left-hand side."""
    return line - width(formula.lhs, student) - RELATION


Rows = tuple[tuple[tuple[Part, ...], ...], frozenset[int]]
"""Parts in rows, and which rows continue a sum."""


@lru_cache(maxsize=65536)
def _rows(formula: Formula, student: bool, column: float = 0) -> Rows:
    """``formula``'s parts in rows that fit (a derivation's ``width``, a table's ``column``, the
    line), a part wider than that broken into pieces, each after the first on a row of its own."""
    budget = min(column or formula.width or LINE, LINE)
    room, indent = _room(formula, student, budget), CONTINUATION
    line = _room(formula, student, budget if budget >= COLUMN else LINE)
    rows: list[list[Part]] = [[]]
    continued: set[int] = set()
    used = 0.0
    for part in formula.parts:
        pieces = [part] if width(part, student) <= line else broken(part, line - indent, student)
        for index, piece in enumerate(pieces):
            size = width(piece, student) + (RELATION if rows[-1] else 0.0)
            if index or (rows[-1] and used + size > room):
                rows.append([])
                if index:
                    continued.add(len(rows) - 1)
                used, size = (indent if index else 0.0), width(piece, student)
            rows[-1].append(piece)
            used += size
    return tuple(tuple(row) for row in rows), frozenset(continued)


def broken(part: Part, room: float, student: bool = False) -> list[Part]:
    """A part too wide for a row as pieces that each fit, broken at the top-level ``+`` and ``-``
    of its sum: terms (a ``forms.Terms`` or a sum) or numbers between operators (and a product of
    numbers still too wide, a student's row of answer boxes, at its dots); anything else whole."""
    if isinstance(part, Numbers):
        def measure(items: list) -> float:
            return width(Numbers(tuple(items)), student)

        runs = [piece for run in _runs_at(part.items, ("+", "-"))
                for piece in (_runs_at(run, ("cdot",)) if measure(run) > room else [run])]
        return [Numbers(tuple(group)) for group in _packed(runs, room, measure)]
    terms = _terms(part)
    if terms is None:
        return [part]
    assert isinstance(part, Symbolic)

    def as_part(group: list, first: bool) -> Symbolic:
        form = forms.Terms if first else forms.Continued
        return Symbolic(form(*group), part.notation, part.role, part.written)

    groups = _packed([[term] for term in terms], room, lambda group: width(as_part(group, False), student))
    return [as_part(group, index == 0) for index, group in enumerate(groups)]


def _terms(part: Part) -> list[sp.Expr] | None:
    """The terms of a part that is a sum, in printed order; None for anything else."""
    if not isinstance(part, Symbolic):
        return None
    expr = part.expr
    if isinstance(expr, forms.Terms) and len(expr.args) > 1:
        return list(expr.args)
    if isinstance(expr, sp.Add):
        printer = per_thread(DerivePrinter, part.notation.names, part.notation.arrays, part.written)
        return ordered_terms(printer, expr)
    return None


def _runs_at(items: Iterable, operators: tuple[str, ...]) -> list[list]:
    """Numbers' items in runs that each start at one of the ``operators`` (the first at the start)."""
    runs: list[list] = [[]]
    for item in items:
        if item in operators and runs[-1]:
            runs.append([])
        runs[-1].append(item)
    return runs


def _packed(runs: list[list], room: float, measure) -> list[list]:
    """``runs`` joined greedily into groups (flat lists of their items) whose ``measure`` fits ``room``."""
    groups: list[list] = []
    for run in runs:
        if groups and measure([*groups[-1], *run]) <= room:
            groups[-1].extend(run)
        else:
            groups.append(list(run))
    return groups


@lru_cache(maxsize=65536)
def width(part: Part, student: bool = False) -> float:
    """How wide the part prints as display MathML on the key (or a student sheet), in em."""
    return width_em(part_text(part, MATHML, student))
