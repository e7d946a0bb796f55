r"""Formulas on the sheet as structured values, and the one printer that writes them as TeX.

A ``Formula`` is a chain ``lhs = p_1 = p_2 = ...`` (or an update ``lhs \leftarrow p_1 = p_2``)
of parts, each one of:

- ``Symbolic``: TeX that SymPy's printer wrote when the sheet was built, with its ``role``:
  ``"question"`` (what to differentiate: kept on every sheet), ``"step"`` (a derivation step:
  a box on a ``--blanks steps`` student sheet) or ``"given"`` (part of the exercise: kept);
- ``Number``: one value with the TeX the key shows for it and whether it is given;
- ``Numbers``: numbers substituted into a product or a sum: ``Number`` items between operators.

``printed`` is the printer: the key's TeX as before, or a student's, where each answer
``Number`` is an answer box (``NUMBER_BOX``, ``ARRAY_BOX``) and, in steps mode, the work
between the question and the value is one ``STEP_BOX``. Row breaks come from the parts'
sizes, never from cutting TeX apart; renderers only join what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NUMBER_BOX = r"\rule{0.06em}{1.1em}\rule{6em}{0.06em}\rule{0.06em}{1.1em}"
"""A fill-in field for one number, about as wide as a 7-digit number."""
ARRAY_BOX = r"\rule{0.06em}{1.5em}\rule{10em}{0.06em}\rule{0.06em}{1.5em}"
"""A wider, taller field for a vector or matrix."""
STEP_BOX = r"\rule{0.06em}{1.5em}\rule{13em}{0.06em}\rule{0.06em}{1.5em}"
"""The widest field, for a derivation step."""

ARROW = r"\leftarrow"


def frozen(value):
    """A value for the model: a float, or nested tuples of floats for an array (never an ndarray)."""
    if value is None:
        return None
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return float(array)
    return tuple(frozen(item) for item in array)


@dataclass(frozen=True)
class Symbolic:
    """TeX of an expression, as SymPy's printer wrote it at build time."""

    tex: str
    role: str = "step"
    """'question' (kept on every sheet), 'step' (boxed in steps mode) or 'given' (kept)."""


@dataclass(frozen=True)
class Number:
    """One number: its value, the TeX the key shows, and whether the exercise gives it."""

    value: float | tuple
    shown: str
    given: bool = False

    @property
    def array(self) -> bool:
        return isinstance(self.value, tuple)


@dataclass(frozen=True)
class Numbers:
    """Numbers substituted into a product or sum: ``Number`` items between operator TeX."""

    items: tuple[Number | str, ...]

    @property
    def answers(self) -> bool:
        return any(isinstance(item, Number) and not item.given for item in self.items)


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
    """A printed formula: its left-hand side, the first relation, and rows of right-hand parts."""

    lhs: str
    relation: str
    rows: tuple[tuple[str, ...], ...]

    def lines(self) -> tuple[str, ...]:
        """Each row as one formula: ``lhs = a = b``, then ``= c = d``."""
        first = f"{self.lhs} {self.relation} {' = '.join(self.rows[0])}"
        return (first, *(f"= {' = '.join(row)}" for row in self.rows[1:]))

    def pieces(self) -> tuple[tuple[str, ...], ...]:
        """Each row as its parts with their relations, for a layout that sets parts one by one."""
        head = (self.lhs, f"= {self.rows[0][0]}") if self.relation == "=" else (
            f"{self.lhs} {self.relation} {self.rows[0][0]}",)  # as set before: a leading arrow stays put
        first = (*head, *(f"= {p}" for p in self.rows[0][1:]))
        return (first, *(tuple(f"= {p}" for p in row) for row in self.rows[1:]))

    def aligned(self) -> tuple[str, ...]:
        """Each row for LaTeX's ``align*``: ``lhs &= a = b``, then ``&= c``."""
        first = f"{self.lhs} &{self.relation} {' = '.join(self.rows[0])}"
        return (first, *(f"&= {' = '.join(row)}" for row in self.rows[1:]))


def part_tex(part: Part | str, student: bool = False, steps: bool = False) -> str:
    """One part as TeX: the key's, or a student's (answers boxed; steps boxed in steps mode)."""
    if isinstance(part, str):
        return part
    if isinstance(part, Symbolic):
        return STEP_BOX if student and steps and part.role == "step" else part.tex
    if isinstance(part, Number):
        if student and not part.given:
            return ARRAY_BOX if part.array else NUMBER_BOX
        return part.shown
    return "".join(part_tex(item, student, steps) for item in part.items)


def _is_work(part: Part) -> bool:
    """Whether a part is work a steps-mode student sheet leaves to the student."""
    if isinstance(part, Symbolic):
        return part.role == "step"
    return part.answers if isinstance(part, Numbers) else not part.given


def _value_box(part: Part) -> str:
    return ARRAY_BOX if isinstance(part, Number) and part.array else NUMBER_BOX


def printed(formula: Formula, student: bool = False, steps: bool = False) -> Printed:
    """``formula`` printed for the key, or for a student sheet in 'numbers' or ``steps`` mode.

    In steps mode a derivation (``width``) keeps its question, then one step box, and a box
    for the value on the next row: ``d/dx(...) = [step]``, ``= [value]``; a one-row chain with
    work before its last part becomes ``w <- [step] = [value]``.
    """
    lhs = part_tex(formula.lhs, student, steps)
    relation = ARROW if formula.arrow else "="
    parts = formula.parts
    if student and steps and (formula.width or any(_is_work(p) for p in parts[:-1])):
        head = [part_tex(p) for p in parts[:1] if isinstance(p, Symbolic) and p.role == "question"]
        value = _value_box(parts[-1])
        rows = ((*head, STEP_BOX), (value,)) if formula.width else ((*head, STEP_BOX, value),)
        return Printed(lhs, relation, rows)
    texts = [part_tex(p, student, steps) for p in parts]
    if not formula.width:
        return Printed(lhs, relation, (tuple(texts),))
    return Printed(lhs, relation, _grouped(texts, [size(part_tex(p)) for p in parts], formula.width))


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


_UNCOUNTED = ("frac", "operatorname", "mathbb")


def size(tex: str) -> tuple[int, bool]:
    """About how many characters ``tex`` shows, and whether it holds a fraction (which stacks
    its halves, so a row of fractions holds more): a command counts one, braces, scripts and
    spaces none, ``\\frac`` and the like none."""
    chars, index = 0, 0
    while index < len(tex):
        character = tex[index]
        if character == "\\" and index + 1 < len(tex) and tex[index + 1].isalpha():
            end = index + 1
            while end < len(tex) and tex[end].isalpha():
                end += 1
            word = tex[index + 1:end]
            prefix = next((p for p in _UNCOUNTED if word.startswith(p)), None)
            chars += len(word) - len(prefix) if prefix is not None else 1
            index = end
            continue
        chars += character not in "{}_^ "
        index += 1
    return chars, "frac" in tex


def rule_steps(steps: tuple[Formula, ...], definitions: int, formula: Formula,
               blank_steps: bool) -> tuple[Formula, ...]:
    """A general rule's lines: its steps; in steps mode its definition, then the rule to derive."""
    return (*steps[:definitions], formula) if blank_steps else steps
