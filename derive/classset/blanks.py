"""The student sheet: the answer key with its computed numbers (and, on request, steps) blanked.

``student_sheet`` returns a ``dataclasses.replace`` of the key's model with ``student=True``:

- every shown computed number (forward values, local derivatives, gradients, updates,
  losses, the check table, the step table, the [gradient] tables) is ``""``, which the
  templates draw as an answer box;
- in TeX strings (derivation rows, path products, update lines, the backward pass) every
  computed number is ``NUMBER_BOX`` and every computed array ``ARRAY_BOX``: fill-in fields
  built from ``\\rule``, which latex2mathml (HTML), ziamath (PDF), pdflatex and
  MathJax/KaTeX all draw; signs and parentheses go with the number;
- ``blanks="steps"`` also blanks the derivation itself: each derivative keeps only its
  question (d/dx of the expression, or its symbol), the chain rule only its left-hand side,
  the general rules only the function's definition, each with a wider ``STEP_BOX``.

Inputs, parameters and the learning rate stay: they are the exercise. The loss curve and
the notes (which comment on computed numbers) are dropped; the float values stay in the
model but are never rendered, and ``problem_json`` gives the student sheet's JSON without
them. Model fields added after this module (``_KNOWN``) go through ``_blank_any``, which
applies the same rules by field name, so a new table cannot leak its answers.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields, is_dataclass, replace
from typing import Any

from ..sheet import model
from ..sheet.model import Worksheet

MODES = ("numbers", "steps")

NUMBER_BOX = r"\rule{0.06em}{1.1em}\rule{6em}{0.06em}\rule{0.06em}{1.1em}"
"""A fill-in field for one number, about as wide as a 7-digit number."""
ARRAY_BOX = r"\rule{0.06em}{1.5em}\rule{10em}{0.06em}\rule{0.06em}{1.5em}"
"""A wider, taller field for a vector or matrix."""
STEP_BOX = r"\rule{0.06em}{1.5em}\rule{13em}{0.06em}\rule{0.06em}{1.5em}"
"""The widest field, for a derivation step."""

_NUMBER = r"(?:\{-\}|-)?\d+(?:\.\d+)?(?:\s*\\times\s*10\^\{-?\d+\})?"
_ITEM = rf"(?:{_NUMBER}|\\ldots)"
_ARRAY = (rf"(?:\\left\[\s*{_ITEM}(?:\s*,\s*{_ITEM})*\s*\\right\]"
          rf"|\\begin\{{bmatrix\}}\s*{_ITEM}(?:\s*(?:&|\\\\)\s*{_ITEM})*\s*\\end\{{bmatrix\}})")
_SCALAR = rf"(?:\\left\(\s*{_NUMBER}\s*\\right\)|{_NUMBER})"
_FACTOR = rf"(?:\\sum_\{{i\}}\s*)?(?:{_ARRAY}|{_SCALAR})"
_VALUE = re.compile(rf"(?P<array>{_ARRAY})|(?P<scalar>{_SCALAR})")
_NUMERIC = re.compile(rf"\s*{_FACTOR}(?:\s*(?:\\cdot|\+|-)\s*{_FACTOR})*\s*")
_LAST_FACTOR = re.compile(rf"\\cdot\s*{_FACTOR}\s*$")
_DERIVATIVE = re.compile(r"\s*\\frac\{(d|\\partial)")

_KNOWN = frozenset("""
    stem title intro dtype precision loss loss_tex learning_rate shown_learning_rate steps inputs parameters
    equations forward local rules chains checks tolerance symbolic_vs_tape finite_difference_vs_tape updates
    loss_before loss_after shown_loss_before shown_loss_after shown_decrease history history_table
    variant student
""".split())
"""The model's fields handled one by one below; any other goes through ``_blank_any``."""


def student_sheet(sheet: Worksheet, blanks: str = "numbers", stem: str | None = None) -> Worksheet:
    """The student version of ``sheet`` (an answer key) under ``blanks`` ('numbers' or 'steps')."""
    if blanks not in MODES:
        raise ValueError(f"blanks must be one of {MODES}, not {blanks!r}")
    steps = blanks == "steps"
    later = {f.name: _blank_any(getattr(sheet, f.name), f.name, steps)
             for f in fields(sheet) if f.name not in _KNOWN}
    return replace(
        sheet,
        **later,
        stem=stem if stem is not None else sheet.stem,
        student=True,
        forward=tuple(replace(q, shown="") for q in sheet.forward),
        local=tuple(_local(d, steps) for d in sheet.local),
        rules=tuple(_rule(r) for r in sheet.rules) if steps else sheet.rules,
        chains=tuple(_chain(c, steps) for c in sheet.chains),
        checks=tuple(replace(r, shown_symbolic="", shown_tape="", shown_finite_difference="",
                             shown_disagreement="") for r in sheet.checks),
        updates=tuple(_update(u, steps) for u in sheet.updates),
        shown_loss_before="",
        shown_loss_after="",
        shown_decrease="",
        history=(),
        history_table=tuple(_step(s) for s in sheet.history_table),
    )


def blank_numbers(tex: str) -> str:
    """``tex`` with every number and array boxed if it holds only numbers (a value, a product,
    a sum); anything with a name in it is left alone."""
    if not _NUMERIC.fullmatch(tex):
        return tex
    return _VALUE.sub(lambda match: ARRAY_BOX if match["array"] else NUMBER_BOX, tex)


def _numbers_in_rows(rows: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(" = ".join(blank_numbers(part) for part in row.split(" = ")) for row in rows)


def _steps_in_rows(rows: tuple[str, ...]) -> tuple[str, ...]:
    """Keep the question (a derivative to take), then one step box and one box for the value."""
    parts = " = ".join(rows).split(" = ")
    head = f"{parts[0]} = " if _DERIVATIVE.match(parts[0]) and len(parts) > 1 else ""
    value = blank_numbers(parts[-1])
    return (f"{head}{STEP_BOX}", value if value != parts[-1] else NUMBER_BOX)


def _blank_any(value: Any, name: str, steps: bool) -> Any:
    """Blank a field by its name: ``shown*`` text is empty, ``notes`` go, and in TeX (``*tex*``,
    ``rows``) every number between '=' signs is boxed (in steps mode, every step after the
    question)."""
    if isinstance(value, str):
        if name.startswith("shown"):
            return ""
        if name == "rows" or ("tex" in name and " = " in value):
            if steps:
                return " = ".join(_steps_in_rows((value,)))
            return _numbers_in_rows((value,))[0]
        return value
    if isinstance(value, tuple):
        if name == "notes":
            return ()
        if name == "rows" and steps and value:
            return _steps_in_rows(value)
        return tuple(_blank_any(item, name, steps) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _blank_any(getattr(value, f.name), f.name, steps)
                                 for f in fields(value)})
    return value


def _local(d: model.LocalDerivative, steps: bool) -> model.LocalDerivative:
    rows = _steps_in_rows(d.rows) if steps else _numbers_in_rows(d.rows)
    return replace(d, shown="", rows=rows, rules=tuple(_rule(r) for r in d.rules) if steps else d.rules)


def _rule(rule: model.GeneralRule) -> model.GeneralRule:
    """Keep the function's definition; blank its derivative."""
    left = rule.tex.split(" = ")[0]
    definitions = tuple(step for step in rule.steps if not _DERIVATIVE.match(step))
    return replace(rule, tex=f"{left} = {STEP_BOX}", steps=(*definitions, f"{left} = {STEP_BOX}"))


def _chain(c: model.ChainRule, steps: bool) -> model.ChainRule:
    paths = tuple(replace(p, numbers_tex=blank_numbers(p.numbers_tex), shown=NUMBER_BOX,
                          expression_tex=STEP_BOX if steps else p.expression_tex,
                          simplified_tex=STEP_BOX if steps and p.simplified_tex else p.simplified_tex)
                  for p in c.paths)
    if steps:
        rows = (STEP_BOX, _steps_in_rows(c.rows)[1])
        simplifications = tuple(f"{s.split(' = ')[0]} = {STEP_BOX}" for s in c.simplifications)
        sum_tex = STEP_BOX
    else:
        rows, simplifications, sum_tex = _numbers_in_rows(c.rows), c.simplifications, c.sum_tex
    return replace(c, rows=rows, paths=paths, simplifications=simplifications, sum_tex=sum_tex,
                   numbers_tex=blank_numbers(c.numbers_tex), shown="")


def _update(u: model.Update, steps: bool) -> model.Update:
    left, _, right = u.numbers_tex.rpartition(" = ")
    target, arrow, plugged = left.partition(r" \leftarrow ")
    value = blank_numbers(right) if blank_numbers(right) != right else NUMBER_BOX
    gradient = _LAST_FACTOR.search(plugged) if arrow else None
    if steps or gradient is None:
        numbers = rf"{u.tex} \leftarrow {STEP_BOX} = {value}"
    else:  # the old value and the learning rate are given; the gradient and the result are not
        boxed = blank_numbers(gradient.group(0).removeprefix(r"\cdot").strip())
        numbers = rf"{target} \leftarrow {plugged[:gradient.start()]}\cdot {boxed} = {value}"
    return replace(u, shown_new="", numbers_tex=numbers)


def _step(s: model.Step) -> model.Step:
    """Step 0's parameters are the given ones; everything else on the step table is computed."""
    parameters = s.shown_parameters if s.step == 0 else tuple("" for _ in s.shown_parameters)
    return replace(s, shown_loss="", shown_parameters=parameters)


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
