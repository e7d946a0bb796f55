"""Where a formula breaks into rows: each output's layout policy, and the printing that follows it.

The model (``sheet.formula``) says what a formula is: its parts, whether it is a derivation, and
whether its parts stand one per row. How wide a row may be is the renderer's decision: a ``Layout``
holds the line, in em of display math as ``mathml_width`` estimates it, fitted to the text block
of one output: the PDF and the LaTeX article on each paper (``html.print_layout``,
``tex.tex_layout``), the HTML page (``PAGE``) and a course site's column (``FRAGMENT``).

``printed`` prints a formula in a style (``printers.TEX``, ``printers.MATHML``) for the key, or
for a student (each answer a box; in steps mode the work before it one step box), in rows
broken by the parts' printed sizes; nothing is cut apart or parsed back.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from ..sheet import forms
from ..sheet.formula import Formula, Number, Numbers, Part, Symbolic, for_student, is_work, part_text
from ..sheet.printers import MATHML, TEX, Style
from ..sheet.printers.mathml_width import width_em
from ..sheet.printers.tex import DerivePrinter, ordered_terms, per_thread

FILL = 0.92
"""The share of a text block a row's estimated width may fill: the estimate (``mathml_width``)
falls short of ziamath's laid-out width (the PDF's) by at most 8 % (``tests/sheet/test_mathml_width.py``)."""
TEX_FILL = 0.88
"""The same for pdflatex's Latin Modern: 37 em on the A4 article's 42.5, the line its sheets have
been checked at. (Measured on 129 wide parts of seven examples, Latin Modern sets a part at most
8.4 % wider than the estimate, so ``FILL`` would fit too; it would change every A4 .tex.)"""
PT_PER_MM = 72 / 25.4
PT_PER_PX = 72 / 96


@dataclass(frozen=True)
class Layout:
    """One output's policy for breaking formulas: ``line``, the widest row of display math in em
    (as ``mathml_width`` estimates it), the left-hand side included."""

    line: float

    @classmethod
    def fitted(cls, text_pt: float, indent_pt: float, font_pt: float, fill: float = FILL) -> Layout:
        """The line of a text block ``text_pt`` wide whose display formulas are indented
        ``indent_pt`` and set at ``font_pt``: the room left in em, times ``fill``, in whole em."""
        return cls(float(math.floor((text_pt - indent_pt) / font_pt * fill)))


PAGE_COLUMN_PX = 16 * (50 - 2 * 1.2)
"""The HTML page's column: ``page.html.j2``'s body, 50 rem less its padding of 1.2 rem each side
(``worksheet.css`` caps the sheet at 48 rem, a little wider), at a browser's 16 px."""
PAGE = Layout.fitted(PAGE_COLUMN_PX * PT_PER_PX, 1.2 * 12, 12)
"""The self-contained HTML page (and the practice page, which shares its column): a display
formula's 1.2 em indent (``worksheet.css``), math at the text's 16 px (12 pt)."""
FRAGMENT_COLUMN_PX = 640
"""A course site's content column, where the fragment is pasted: Moodle's Boost caps course content
at 830 px, about 700 px with its course index and block drawers open on a 1366 px laptop; MkDocs
Material's column between its two sidebars is about 690 px, Canvas's beside its global and course
navigation on a 1280 px screen is alike; less a label's or a card's padding, 640 px."""
FRAGMENT = Layout.fitted(FRAGMENT_COLUMN_PX * PT_PER_PX, 1.2 * 12, 12)
"""The course-site fragment (and Jupyter, which shows it): ``FRAGMENT_COLUMN_PX`` at a host's 16 px."""

RELATION = 1.4
"""The width of ``=`` or an arrow with its spaces, in em."""
CONTINUATION = 1.0
"""The indent of a row that continues a sum (TeX's ``\\quad``), in em."""
COLUMN = 10.0
"""The narrowest table column a row may be fitted to; a narrower one means one part per row."""
STEP_WIDTH = 13 * 1.33
"""A step box's width in em, as ``mathml_width`` measures it."""


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


def _value_box(part: Part) -> str:
    return "array" if isinstance(part, Number) and part.array else "number"


def printed(formula: Formula, layout: Layout, student: bool = False, steps: bool = False,
            style: Style = TEX, column: float = 0, rows_of_student: bool = False) -> Printed:
    """``formula`` printed in ``style`` for the key, or for a student sheet in 'numbers' or
    ``steps`` mode, in rows that fit ``layout``'s line (or a table's ``column`` of that many em).

    Rows hold whole parts, at most the line wide (a ``one_per_row`` formula one part a row);
    a part wider than a line is a sum broken at its ``+`` and ``-`` into continuation rows.
    Widths are measured on what the sheet prints (a student's answer boxes are wider than the
    key's numbers, so a student's row of boxes breaks more often). In steps mode a derivation
    keeps its question, then one step box, and a box for the value on the next
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
    if student and steps and (formula.derivation or any(is_work(p) for p in parts[:-1])):
        head = [part_text(p, style) for p in parts[:1] if isinstance(p, Symbolic) and p.role == "question"]
        value = style.box(_value_box(parts[-1]))
        step = style.box("step")
        room = _room(formula, True, column or layout.line)
        fits = not head or width(parts[0]) + RELATION + STEP_WIDTH <= room
        if formula.derivation or not fits:
            rows = ((*head, step), (value,)) if fits else ((*head,), (step,), (value,))
        else:
            rows = ((*head, step, value),)
        return Printed(style, lhs, relation, rows)
    rows, continued = _rows(formula, student or rows_of_student, layout.line, column)
    texts = tuple(tuple(part_text(p, style, student, steps) for p in row) for row in rows)
    return Printed(style, lhs, relation, texts, continued)


def _room(formula: Formula, student: bool, line: float) -> float:
    """The width a row of ``formula`` may fill on a ``line`` em wide, right of its left-hand side."""
    return line - width(formula.lhs, student) - RELATION


Rows = tuple[tuple[tuple[Part, ...], ...], frozenset[int]]
"""Parts in rows, and which rows continue a sum."""


@lru_cache(maxsize=65536)
def _rows(formula: Formula, student: bool, line: float, column: float = 0) -> Rows:
    """``formula``'s parts in rows that fit (a table's ``column``, else the ``line``; one part a
    row for a ``one_per_row`` formula), a part wider than that broken into pieces, each after the
    first on a row of its own."""
    if column:
        budget = min(column, line)
    else:
        budget = 0.0 if formula.one_per_row else line  # no two parts fit a row of 0 em
    room, indent = _room(formula, student, budget), CONTINUATION
    wrap = _room(formula, student, budget if budget >= COLUMN else line)
    rows: list[list[Part]] = [[]]
    continued: set[int] = set()
    used = 0.0
    for part in formula.parts:
        pieces = [part] if width(part, student) <= wrap else broken(part, wrap - indent, student)
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
