"""One variant of the practice page: its student sheet as HTML, each answer box an input, each
step's key beside it, hidden until asked.

The sheet is the student sheet's own template (``html/base.html.j2``, through
``practice/sheet.html.j2``, which overrides only the two tables that hold boxes). A formula
that holds answer sites is printed part by part, each part (with the relation before it) a
``<math>`` of its own and each site an input, so the line wraps between parts on a narrow
screen; it is split at its sites by walking its parts, as ``quiz.sheet_question`` does for
TeX, never by cutting printed MathML. A formula without a site prints as on the student
sheet. Every answer element of the sheet's one list (``key.answers``) gets exactly one input,
numbered by its place in the list (``data-box``), and a sheet where one does not is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np
from markupsafe import Markup

from ...errors import DeriveError
from ...numbers import shown
from ...sheet.answers import element, elements
from ...sheet.chains import answer_key
from ...sheet.formula import Formula, Number, Numbers, Part, for_student, part_text
from ...sheet.model import Answer, Worksheet
from ...sheet.printers import MATHML
from .. import formulas
from ..html import _render, formula_block, widest_chars
from ..layout import PAGE
from ..quiz.question import Blank


@dataclass(frozen=True)
class PracticeVariant:
    """One variant as the page carries it: the sheet's HTML and what each of its boxes takes."""

    variant: str
    title: str
    precision: int
    body: str
    """The student sheet as HTML (no page around it); input ``data-box="i"`` is ``boxes[i]``."""
    boxes: tuple[Blank, ...]
    """Every answer element in the sheet's order: its answers.csv column, the key's number as
    printed, its digits and spread (what the quizzes' margin is computed from), what it asks."""


@dataclass(frozen=True)
class _Site:
    """Where a formula holds an answer's box."""

    answer: str


def practice_variant(key: Worksheet, student: Worksheet) -> PracticeVariant:
    """The variant of answer key ``key`` whose student sheet is ``student``."""
    sheet = _Sheet(key, student)
    body = _render("practice/sheet.html.j2", student, (MATHML, formulas.mathml), top=1, layout=PAGE,
                   line=sheet.line, m=sheet.math, md=partial(sheet.math, display=True), boxes=sheet.inputs,
                   reveal_forward=sheet.reveal_forward, reveal_answers=sheet.reveal_answers,
                   step_key=partial(_step_key, steps=student.steps))
    sheet.check_written()
    return PracticeVariant(key.variant, key.title, key.precision, body, sheet.boxes)


def _step_key(kind: str, name: str, step: int, steps: int) -> str:
    return answer_key(kind, name, step, steps)


def _blank(answer: Answer, index: tuple[int, ...]) -> Blank:
    """One answer element as the quizzes mark it (``quiz.question.Blank``)."""
    column = answer.key + "".join(f"[{i}]" for i in index)
    spread = element(answer.spread, index) if isinstance(answer.spread, tuple) else float(answer.spread)
    where = ", element " + "".join(f"[{i}]" for i in index) if index else ""
    return Blank(column, shown(element(answer.value, index), answer.digits), answer.digits, spread,
                 answer.label + where)


class _Sheet:
    """One variant's rendering: the template's functions, and which inputs they have written."""

    def __init__(self, key: Worksheet, student: Worksheet) -> None:
        self.key, self.student = key, student
        self.answers = {a.key: a for a in key.answers}
        self.boxes = tuple(_blank(a, index) for _, a, index in elements(key.answers))
        self.position = {box.key: i for i, box in enumerate(self.boxes)}
        self.written: list[str] = []
        self.steps = 0

    def math(self, value: Markup | str | Part, display: bool = False) -> Markup:
        """A printed formula (or a part) as a ``<math>``; a line with boxes as it is."""
        if isinstance(value, Markup):
            return value
        if not isinstance(value, str):
            value = part_text(value, MATHML, True)
        return formulas.mathml(value, display=display)

    def line(self, formula: Formula, width: float = 0) -> str | Markup:
        """A formula as the student sheet prints it, or, holding answer sites, part by part with
        an input at each site and the key's formula behind a "Show the step" button."""
        student = for_student(formula)
        groups = [[*_pieces(student.lhs)]]
        for index, part in enumerate(student.parts):
            relation = "leftarrow" if student.arrow and index == 0 else "="
            groups.append([MATHML.chain(None, relation, ()), *_pieces(part)])
        sites = [item.answer for group in groups for item in group if isinstance(item, _Site)]
        if not sites:
            return formula_block(self.student, formula, PAGE, MATHML, width=width)
        parts = Markup("<wbr>").join(self._group(group) for group in groups)
        key = formulas.mathml(formula_block(self.key, formula, PAGE, MATHML), display=True)
        label = ", ".join(dict.fromkeys(self.answers[site].label for site in sites))
        return Markup('<span class="boxed-line">{}</span>').format(parts) + self._reveal(key, label)

    def _group(self, items: list[str | _Site]) -> Markup:
        """A relation and its part: runs of MathML as inline formulas, sites as inputs."""
        out: list[Markup] = []
        run: list[str] = []
        for item in [*items, None]:
            if isinstance(item, str):
                run.append(item)
                continue
            if run:
                out.append(formulas.mathml(f'<mstyle displaystyle="true">{MATHML.joined(run)}</mstyle>'))
                run = []
            if item is not None:
                out.append(self.inputs(item.answer))
        return Markup('<span class="piece">{}</span>').format(Markup("").join(out))

    def inputs(self, answer: str) -> Markup:
        """An answer's input, or an array's inputs element by element in brackets."""
        shape = np.shape(self.answers[answer].value)
        if not shape:
            return self._input(answer)
        return Markup('<span class="array" role="group" aria-label="{}">{}</span>').format(
            self.answers[answer].label, self._array(answer, shape, ()))

    def _array(self, answer: str, shape: tuple[int, ...], prefix: tuple[int, ...]) -> Markup:
        if len(shape) == 1:
            cells = [self._input(answer + "".join(f"[{i}]" for i in (*prefix, j))) for j in range(shape[0])]
            comma = Markup('<span class="comma">,</span> ')
            return Markup('<span class="vector">{}</span>').format(comma.join(cells))
        rows = (self._array(answer, shape[1:], (*prefix, i)) for i in range(shape[0]))
        return Markup('<span class="matrix">{}</span>').format(
            Markup("").join(Markup('<span class="matrix-row">{}</span>').format(row) for row in rows))

    def _input(self, column: str) -> Markup:
        i = self.position[column]
        self.written.append(column)
        return Markup('<input class="box" type="text" data-box="{0}" data-column="{1}" aria-label="{2}" '
                      'aria-describedby="mark-{0}" size="{3}" autocomplete="off" autocapitalize="off" '
                      'spellcheck="false"><span class="mark" id="mark-{0}"></span>').format(
            i, column, self.boxes[i].asks, widest_chars(self.boxes[i].digits))

    def _reveal(self, key: Markup, label: str) -> Markup:
        """A "Show the step" button and the key's step it shows (hidden until then)."""
        self.steps += 1
        return Markup('<button type="button" class="show-step" aria-expanded="false" '
                      'aria-controls="step-{0}">Show the step<span class="visually-hidden"> for {1}</span>'
                      '</button><div class="key-step" id="step-{0}" hidden>'
                      '<span class="key-label">Key:</span> {2}</div>').format(self.steps, label, key)

    def reveal_forward(self, index: int) -> Markup:
        """The key's step for a node's value: its equation, then its value."""
        node = self.key.forward[index]
        answer = self.answers[answer_key("forward", node.name)]
        equation = formula_block(self.key, self.key.equations[index].formula, PAGE, MATHML)
        value = MATHML.number(answer.value, answer.digits, False)
        return self._reveal(formulas.mathml(MATHML.chain(equation, "=", [value]), display=True), answer.label)

    def reveal_answers(self, keys: list[str]) -> Markup:
        """The key's values of answers asked in one table row: ``L = 0.2136941``, each its own formula."""
        answers = [self.answers[k] for k in keys]
        shown_ = Markup(", ").join(formulas.mathml(MATHML.chain(part_text(a.asks, MATHML), "=", [
            MATHML.number(a.value, a.digits, False)])) for a in answers)
        return self._reveal(shown_, ", ".join(a.label for a in answers))

    def check_written(self) -> None:
        """Refuse a page on which an answer has no input, or two."""
        missing = [box.key for box in self.boxes if box.key not in self.written]
        twice = sorted({column for column in self.written if self.written.count(column) > 1})
        if missing or twice:
            what = f"no box for {missing[0]}" if missing else f"two boxes for {twice[0]}"
            sheet = self.key.variant or self.key.stem
            raise DeriveError("practice", f"the practice page of {sheet} has {what}")


def _pieces(part: Part) -> Iterator[str | _Site]:
    """A part as the student sheet prints it, as MathML between its answer sites."""
    if isinstance(part, Number):
        yield _Site(part.answer) if part.answer and part.ref is None else part_text(part, MATHML, True)
    elif isinstance(part, Numbers):
        for item in part.items:
            if isinstance(item, str):
                yield MATHML.operator(item)
            else:
                yield from _pieces(item)
    else:
        yield part_text(part, MATHML, True)
