"""The sheet's one ordered list of answers, read off the model's answer sites.

Every number a student produces has one *site* on the sheet: a forward value's cell, a
``Number`` carrying its answer key at the end of a derivation or an update, a cell of the
step table. ``answer_list`` walks the model in the order the sheet is printed (forward pass,
local derivatives, [gradient] tables, backward pass, chain rule, update, steps, loss) and
makes one ``model.Answer`` per site, so the student sheet's boxes, the key's numbers,
answers.csv and the quizzes (which all read this list) ask the same questions in the same
order. A number inside a formula that repeats an answer asked before it (a local derivative
in a chain rule) is a reference (``Number.ref``), never a second site.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from . import forms, model
from .chains import answer_key
from .formula import Formula, Number, Numbers, Symbolic, frozen

SAFETY = 2.0
"""A margin covers this many spreads (``Answer.spread`` is a first-order bound)."""
CAP = 0.25
"""The widest a margin may be, as a share of its answer: wider, a flipped sign or a missing factor
could pass. An answer whose spread needs more is not one a student can work to the sheet's digits."""


def well_posed(value, spread) -> bool:
    """Whether a careful student's rounding leaves ``value`` within a margin that still refuses a
    flipped sign: ``SAFETY`` spreads at most ``CAP`` of its size, element by element (0 excepted)."""
    size = np.abs(np.asarray(value, dtype=np.float64))
    return bool(np.all((size == 0) | (SAFETY * np.asarray(spread, dtype=np.float64) <= CAP * size)))


def answer_list(sheet: model.Worksheet, spreads: Mapping[str, object]) -> tuple[model.Answer, ...]:
    """The answers of ``sheet`` in its order; ``spreads`` by answer key (missing: none)."""
    p = sheet.precision

    def answer(key: str, asks: Symbolic, step: int, value, digits: int | None = None) -> model.Answer:
        label = plain_name(asks) + (f" after step {step}" if step and sheet.steps > 1 else "")
        if step and sheet.steps == 1 and key.startswith("updated:"):
            label = f"the new {label}"
        elif step and sheet.steps == 1:
            label = f"{label} after the step"
        return model.Answer(key, asks, step, value, digits or p, frozen(spreads.get(key, 0.0)), label)

    found: list[model.Answer] = []
    found += [answer(answer_key("forward", q.name), q.symbol, 0, q.value) for q in sheet.forward]
    formulas = [d.formula for d in sheet.derivatives]
    formulas += [e.formula for table in sheet.gradient_tables for e in table.entries]
    formulas += [e.formula for e in sheet.backward_pass]
    formulas += [c.formula for c in sheet.chains]
    for formula in formulas:
        found += [answer(n.answer, formula.lhs, 0, n.value, n.digits) for n in sites(formula)]
    for u in sheet.updates:
        found += [answer(n.answer, u.symbol, 1, n.value, n.digits) for n in sites(u.numbers)]
    for worked in sheet.optimizer.steps if sheet.optimizer is not None else ():
        for formula in worked.rows:  # a gradient a step starts from is the one after the step before
            step = worked.step - 1 if isinstance(formula.parts[0], Symbolic) and isinstance(
                formula.parts[0].expr, forms.Partial) else worked.step
            found += [answer(n.answer, formula.lhs, step, n.value, n.digits) for n in sites(formula)]
    found += list(_steps(sheet, answer))
    return tuple(found)


def plain_name(asks: Symbolic) -> str:
    """A quantity in plain text: ``A2``, ``∂A3/∂A2``, ``∂²y/∂x²``."""
    expr = asks.expr
    if isinstance(expr, forms.Partial):
        power = {1: "", 2: "²", 3: "³"}.get(expr.order, f"^{expr.order}")
        return f"∂{power}{expr.top}/∂{expr.bottom}{power}"
    return str(expr)


def sites(formula: Formula) -> Iterator[Number]:
    """The answer sites of a formula, left to right."""
    for part in (formula.lhs, *formula.parts):
        items = part.items if isinstance(part, Numbers) else (part,)
        yield from (item for item in items if isinstance(item, Number) and item.answer)


def _steps(sheet: model.Worksheet, answer) -> Iterator[model.Answer]:
    """The loss after the step (one step), or the step table's rows after step 0 (several): the
    loss after each step, and each parameter after each step past the first (the first is the
    update's)."""
    if sheet.loss_after is None:
        return
    loss = sheet.loss_symbol
    if sheet.steps == 1:
        yield answer(answer_key("loss", "after", 1), loss, 1, sheet.loss_after)
        return
    symbols = {q.name: q.symbol for q in sheet.parameters}
    trained = _trained(sheet)
    for row in sheet.history_table:
        if row.step == 0:
            continue
        loss_digits, *digits = row.digits or [None] * (1 + len(row.parameters))  # a later step's own
        yield answer(answer_key("loss", "after", row.step, sheet.steps), loss, row.step, row.loss,
                     loss_digits)
        if row.step > sheet.worked_steps:
            for (name, value), places in zip(row.parameters, digits, strict=True):
                if name in trained:
                    yield answer(answer_key("updated", name, row.step, sheet.steps), symbols[name],
                                 row.step, value, places)


def step_cells(sheet: model.Worksheet, row: model.Step) -> tuple[str, ...]:
    """What each parameter cell of a step-table row is on a student sheet: 'given' (step 0),
    'box' (an answer asked here) or 'above' (the worked steps' values, asked in the update)."""
    trained = _trained(sheet)
    return tuple("given" if row.step == 0 or name not in trained else
                 "above" if row.step <= sheet.worked_steps else "box" for name, _ in row.parameters)


def _trained(sheet: model.Worksheet) -> set[str]:
    """The parameters the steps move: those the update (or the optimizer's first step) asks."""
    if sheet.optimizer is not None:
        return set(sheet.optimizer.trained)
    return {u.name for u in sheet.updates}


def elements(answers: tuple[model.Answer, ...]) -> Iterator[tuple[str, model.Answer, tuple[int, ...]]]:
    """Each answer element by element: (key, the answer, the element's index); an array's
    elements are ``gradient:W[0][1]``, a scalar's index is ()."""
    for a in answers:
        shape = np.shape(a.value)
        for index in np.ndindex(shape):
            yield a.key + "".join(f"[{i}]" for i in index), a, index


def element(value, index: tuple[int, ...]) -> float:
    """One element of a model value (nested tuples), or the value itself for ``()``."""
    for i in index:
        value = value[i]
    return float(value)
