"""The student sheet: the answer key marked for students, its computed numbers (and, on request,
steps) printed as answer boxes.

``student_sheet`` returns a ``dataclasses.replace`` of the key's model with ``student=True``
and ``blanks`` set; the printer (``render.layout.printed``) does the rest:

- every ``shown*`` text of a computed number (forward values, local derivatives, gradients,
  updates, losses, the check table, the step table, the [gradient] tables, and any field a
  later model adds) is ``""``, which the templates draw as an answer box;
- every formula is a ``Formula`` of parts, so the printer writes each answer ``Number`` as
  an answer box (wider for an array): a fill-in field, three ``\\rule``s in TeX and three
  ``<mspace>``s in MathML, which browsers, ziamath (PDF), pdflatex and MathJax/KaTeX all draw; the numbers the
  exercise gives (an update's old value and learning rate) stay;
- ``blanks="steps"`` also blanks the derivation itself: each derivative keeps only its
  question (d/dx of the expression, or its symbol), the chain rule only its left-hand side,
  the general rules only the function's definition, each with a wider ``STEP_BOX``.

Inputs, parameters and the learning rate stay: they are the exercise. The loss curve and
the notes (which comment on computed numbers) are dropped; the float values stay in the
model but are never rendered, and ``problem_json`` gives the student sheet's JSON without
them. Nothing here reads or cuts TeX.
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass, replace
from typing import Any

from ..sheet.answers import step_cells
from ..sheet.formula import ARRAY_BOX, NUMBER_BOX, STEP_BOX, Formula, Number, Numbers, Symbolic
from ..sheet.model import Step, Worksheet

__all__ = ["ARRAY_BOX", "MODES", "NUMBER_BOX", "STEP_BOX", "problem_data", "problem_json", "student_sheet"]

MODES = ("numbers", "steps")

_GIVEN = frozenset({"inputs", "parameters", "equations", "shown_old", "shown_learning_rate"})
"""Fields that state the exercise: kept as they are."""
_FORMULAS = (Formula, Symbolic, Number, Numbers)


def student_sheet(sheet: Worksheet, blanks: str = "numbers", stem: str | None = None) -> Worksheet:
    """The student version of ``sheet`` (an answer key) under ``blanks`` ('numbers' or 'steps')."""
    if blanks not in MODES:
        raise ValueError(f"blanks must be one of {MODES}, not {blanks!r}")
    blank = _blank_any(sheet)
    table = tuple(_step_row(sheet, row, key) for row, key in zip(blank.history_table, sheet.history_table,
                                                                  strict=True))
    return replace(blank, stem=stem if stem is not None else sheet.stem, student=True, blanks=blanks,
                   history=(), history_table=table, shown_loss_before=EARLIER,
                   shown_loss_after="" if sheet.steps == 1 else EARLIER)


EARLIER = "—"
"""What a student sheet shows where it repeats a number asked earlier on it (each answer has
one box): the loss before the first step (the forward pass's), the parameters after it (the
update's), the loss after the last step (the step table's)."""


def _step_row(sheet: Worksheet, row: Step, key: Step) -> Step:
    """A step-table row on a student sheet: boxes where ``sheet.answers`` asks (``step_cells``),
    given values as the key shows them, a dash where the answer was asked before."""
    cells = step_cells(sheet, key)
    shown = tuple({"given": given, "above": EARLIER, "box": ""}[cell]
                  for cell, given in zip(cells, key.shown_parameters, strict=True))
    return replace(row, shown_parameters=shown, shown_loss=EARLIER if row.step == 0 else "")


def _blank_any(value: Any, name: str = "") -> Any:
    """Blank a value by its field's name: ``shown*`` text is empty and ``notes`` go, all the way
    down (so a table added to the model later is blanked too); formulas are left to the printer,
    which boxes their answers on a student sheet, and the exercise's fields stay."""
    if name in _GIVEN or isinstance(value, _FORMULAS):
        return value
    if isinstance(value, str):
        return "" if name.startswith("shown") else value
    if isinstance(value, tuple):
        return () if name == "notes" else tuple(_blank_any(item, name) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _blank_any(getattr(value, f.name), f.name) for f in fields(value)})
    return value


def problem_data(sheet: Worksheet, blanks: str = "numbers") -> dict[str, Any]:
    """What a student sheet's JSON holds: the exercise, no answers."""
    def plain(value: Any) -> Any:
        return value.tolist() if hasattr(value, "tolist") else value

    return {
        "title": sheet.title,
        "intro": sheet.intro,
        "variant": sheet.variant,
        "sheet": "student",
        "blanks": blanks,
        "dtype": sheet.dtype,
        "precision": sheet.precision,
        "inputs": {q.name: plain(q.value) for q in sheet.inputs},
        "parameters": {q.name: plain(q.value) for q in sheet.parameters},
        "learning_rate": sheet.learning_rate,
        "steps": sheet.steps,
        "graph": {e.name: e.source for e in sheet.equations},
        "loss_node": sheet.loss,
    }


def problem_json(sheet: Worksheet, blanks: str = "numbers") -> str:
    """Deterministic JSON text of ``problem_data``."""
    return json.dumps(problem_data(sheet, blanks), indent=2, ensure_ascii=False) + "\n"
