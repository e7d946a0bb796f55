r"""An answer key walked into its quiz ``Question``, in the sheet's order, one blank per answer.

``question_of(key)`` goes through the key's model as the student sheet shows it (the problem,
the model, the graph, the forward pass, the local derivatives, the [gradient] tables, the
chain rule, the update, the steps and the loss). Each answer of the sheet's one list
(``key.answers``) is a blank where the student sheet has its box, and nowhere else: a number
that repeats an answer asked before it (a local derivative inside a chain rule) is its symbol,
as on the student sheet. A formula is split at its answers only, by walking its parts, never
by cutting printed TeX; each part is printed by the sheet's TeX printer. Question texts name
quantities in the sheet's mathematics (``\(w_{1}\) after step 2``), never by answer keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ...numbers import shown
from ...sheet.answers import element, elements, step_cells
from ...sheet.formula import Formula, Number, Numbers, Part, for_student, part_text
from ...sheet.model import Answer as SheetAnswer
from ...sheet.model import Worksheet
from ...sheet.printers import TEX
from .question import Answer, Blank, Block, Math, Picture, Question, Segment, Text


def question_of(key: Worksheet, graph: Picture | None = None) -> Question:
    """The question of the answer key ``key``; ``graph``, the student sheet's graph picture, if any."""
    answers = {a.key: a for a in key.answers}
    given = [*_problem(key), *_model(key, graph)]
    work = [*_forward(key, answers), *_local(key, answers), *_gradient_tables(key, answers),
            *_chains(key, answers), *_updates(key, answers), *_steps(key, answers)]
    return Question(key.variant, key.title, (*given, *work), tuple(_answers(key)), len(given))


def asked(answer: SheetAnswer, index: tuple[int, ...] = ()) -> tuple[Segment, ...]:
    """What an answer asks, as the sheet names it: its quantity, the step it is after, an
    array's element: ``\\(w_{1}\\), after step 2``, ``\\(W\\), element [0][1]``."""
    parts: list[Segment] = [Math(answer.asks_tex)]
    if answer.step:
        parts.append(Text(f", after step {answer.step}"))
    if index:
        parts.append(Text(", element " + "".join(f"[{i}]" for i in index)))
    return tuple(parts)


def formula_segments(formula: Formula, answers: dict[str, SheetAnswer]) -> tuple[Segment, ...]:
    """``formula`` as the student sheet prints it, its answer sites as blanks, adjacent TeX joined."""
    formula = for_student(formula)
    pieces: list[Segment] = [*_part(formula.lhs, answers)]
    for index, part in enumerate(formula.parts):
        relation = "leftarrow" if formula.arrow and index == 0 else "="
        pieces.append(Math(TEX.chain(None, relation, ())))
        pieces.extend(_part(part, answers))
    return joined(pieces)


def joined(pieces: Iterable[Segment]) -> tuple[Segment, ...]:
    """Adjacent ``Math`` segments as one (joined by the TeX style), so MathJax sees whole formulas."""
    out: list[Segment] = []
    for piece in pieces:
        if isinstance(piece, Math) and out and isinstance(out[-1], Math):
            out[-1] = Math(TEX.joined((out[-1].tex, " ", piece.tex)))
        else:
            out.append(piece)
    return tuple(out)


def _part(part: Part, answers: dict[str, SheetAnswer]) -> Iterator[Segment]:
    if isinstance(part, Number):
        yield from _number(part, answers)
    elif isinstance(part, Numbers):
        for item in part.items:
            if isinstance(item, str):
                yield Math(TEX.operator(item))
            else:
                yield from _number(item, answers)
    else:
        yield Math(part_text(part, TEX))


def _number(number: Number, answers: dict[str, SheetAnswer]) -> Iterator[Segment]:
    """A given number as TeX, a reference as its symbol, an answer's site as its blanks."""
    if number.ref is not None:
        yield Math(part_text(number.ref, TEX))
    elif number.answer:
        yield from _blanks(answers[number.answer])
    else:
        yield Math(part_text(number, TEX))


def _blanks(answer: SheetAnswer) -> Iterator[Segment]:
    """An answer's blank, or an array's blanks element by element in brackets."""
    import numpy as np

    shape = np.shape(answer.value)
    if not shape:
        yield _blank(answer, ())
        return
    yield from _nested(answer, shape, ())


def _nested(answer: SheetAnswer, shape: tuple[int, ...], prefix: tuple[int, ...]) -> Iterator[Segment]:
    yield Text("[")
    for i in range(shape[0]):
        if i:
            yield Text(", ")
        if len(shape) > 1:
            yield from _nested(answer, shape[1:], (*prefix, i))
        else:
            yield _blank(answer, (*prefix, i))
    yield Text("]")


def _blank(answer: SheetAnswer, index: tuple[int, ...]) -> Blank:
    value = element(answer.value, index)
    spread = element(answer.spread, index) if isinstance(answer.spread, tuple) else float(answer.spread)
    where = ", element " + "".join(f"[{i}]" for i in index) if index else ""
    return Blank(answer.key + "".join(f"[{i}]" for i in index), shown(value, answer.digits), answer.digits,
                 spread, answer.label + where)


def _line(*segments: Segment) -> Block:
    return Block("paragraph", joined(segments))


def _heading(text: str) -> Block:
    return Block("heading", (Text(text),))


def _problem(key: Worksheet) -> Iterator[Block]:
    if key.intro:
        yield _line(Text(key.intro))
    yield _heading("The problem")
    for q in (*key.inputs, *key.parameters):
        kind = "input" if q in key.inputs else q.role
        yield _line(Math(TEX.chain(part_text(q.symbol, TEX), "=", ())), Text(f" {q.shown} ({kind})"))
    if key.rate is not None:
        steps = "one step" if key.steps == 1 else f"{key.steps} steps"
        yield _line(Text("Learning rate "), *formula_segments(key.rate, {}),
                    Text(f", {steps} of gradient descent."))


def _model(key: Worksheet, graph: Picture | None) -> Iterator[Block]:
    yield _heading("The model")
    for e in key.equations:
        yield _line(*formula_segments(e.formula, {}))
    if graph is not None:
        yield _line(graph)


def _forward(key: Worksheet, answers: dict[str, SheetAnswer]) -> Iterator[Block]:
    yield _heading("Forward pass")
    for q, e in zip(key.forward, key.equations, strict=False):
        yield _line(*formula_segments(e.formula, answers), Math(TEX.chain(None, "=", ())),
                    *_blanks(answers[f"forward:{q.name}"]))


def _local(key: Worksheet, answers: dict[str, SheetAnswer]) -> Iterator[Block]:
    if not key.derivatives:
        return
    yield _heading("Local derivatives")
    for rule in key.rules:
        yield _line(Text(f"{rule.title[:1].upper()}{rule.title[1:]}: "), *formula_segments(rule.formula, {}))
    for d in key.derivatives:
        yield _line(*formula_segments(d.formula, answers))


def _gradient_tables(key: Worksheet, answers: dict[str, SheetAnswer]) -> Iterator[Block]:
    for table in key.gradient_tables:
        yield _heading("Derivatives on the tape")
        for entry in table.entries:
            yield _line(*formula_segments(entry.formula, answers))


def _chains(key: Worksheet, answers: dict[str, SheetAnswer]) -> Iterator[Block]:
    if not key.chains:
        return
    if key.backward_pass:
        yield _heading("The backward pass")
        for e in key.backward_pass:
            yield _line(*formula_segments(e.formula, answers))
    yield _heading("The chain rule")
    for c in key.chains:
        if len(c.paths) > 1:
            for path in c.paths:
                yield _line(Math(part_text(path.route, TEX)), Text(": "), Math(part_text(path.symbols, TEX)))
        yield _line(*formula_segments(c.formula, answers))


def _updates(key: Worksheet, answers: dict[str, SheetAnswer]) -> Iterator[Block]:
    if key.optimizer is not None:
        yield from _optimizer(key, answers)
    if not key.updates:
        return
    yield _heading("The weight update" if key.steps == 1 else "The weight update, step 1")
    for u in key.updates:
        yield _line(*formula_segments(u.numbers, answers))


def _optimizer(key: Worksheet, answers: dict[str, SheetAnswer]) -> Iterator[Block]:
    """The optimizer's rule, its hyperparameters, and each worked step's rows with their blanks."""
    o = key.optimizer
    yield _heading(f"The weight update: {o.name}")
    yield _line(Text(f"Each step moves every parameter as {o.keras} does; every state starts at 0."))
    for formula in o.rule:
        yield _line(*formula_segments(formula, {}))
    for symbol, meaning in o.legend:
        yield _line(Math(part_text(symbol, TEX)), Text(f": {meaning}"))
    hyper = [segment for f in (key.rate, *o.hyperparameters) if f is not None
             for segment in (Text(", "), *formula_segments(f, {}))]
    yield _line(Text("Here "), *hyper[1:])
    for worked in o.steps:
        yield _heading(f"Step {worked.step}")
        for formula in worked.rows:
            yield _line(*formula_segments(formula, answers))


def _steps(key: Worksheet, answers: dict[str, SheetAnswer]) -> Iterator[Block]:
    """The loss after the step, or each step's row of the step table: its loss, and each
    trained parameter past the first step (the first is the update's)."""
    if key.loss_after is None:
        return
    loss = Math(part_text(key.loss_symbol, TEX))
    if key.steps == 1:
        yield _heading("The new loss")
        yield _line(Text("The loss "), loss, Text(" after the step: "), *_blanks(answers["loss:after"]))
        return
    yield _heading("The steps of gradient descent")
    symbols = {q.name: q.symbol for q in key.parameters}
    for row in key.history_table:
        if row.step == 0:
            continue
        segments: list[Segment] = [Text(f"After step {row.step}: "), loss, Math(TEX.chain(None, "=", ())),
                                   *_blanks(answers[f"loss:after@{row.step}"])]
        for (name, _), cell in zip(row.parameters, step_cells(key, row), strict=True):
            if cell == "box":
                segments += [Text(", "), Math(TEX.chain(part_text(symbols[name], TEX), "=", ())),
                             *_blanks(answers[f"updated:{name}@{row.step}"])]
        yield _line(*segments)


def _answers(key: Worksheet) -> Iterator[Answer]:
    """Every answer of the sheet's list, element by element, with what it asks and its blank."""
    for _, answer, index in elements(key.answers):
        blank = _blank(answer, index)
        yield Answer(blank.key, asked(answer, index), blank)


def graph_picture(student: Worksheet) -> Picture:
    """The student sheet's graph (its boxes without the key's numbers) as an SVG file."""
    from ..figures.picture import describe, graph_svg

    return Picture("graph.svg", graph_svg(student).encode("utf-8"), "image/svg+xml", describe(student))
