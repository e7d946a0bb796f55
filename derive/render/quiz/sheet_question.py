r"""An answer key walked into its quiz ``Question``, in the sheet's order.

``question_of(key)`` goes through the key's model as the sheet shows it (the problem, the
model, the graph, the forward pass, the local derivatives, the chain rule, the update, the
loss). A formula is split at its answers only, by walking its parts (``Number``, the items of
``Numbers``, ``Symbolic``), never by cutting printed TeX, so that an LMS can put an input
field where the student sheet has a box, outside the math; each part is printed by the
sheet's TeX printer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ...numbers import shown
from ...sheet.formula import Formula, Number, Numbers, Part, part_text
from ...sheet.model import Worksheet
from ...sheet.printers import TEX
from .question import Answer, Blank, Block, Math, Picture, Question, Segment, Text


def question_of(key: Worksheet, graph: Picture | None = None) -> Question:
    """The question of the answer key ``key``; ``graph``, the student sheet's graph picture, if any."""
    given = [*_problem(key), *_model(key, graph)]
    work = [*_forward(key), *_local(key), *_chains(key), *_gradient_tables(key), *_updates(key), *_loss(key)]
    return Question(key.variant, key.title, (*given, *work), tuple(_answers(key)), len(given))


def formula_segments(formula: Formula) -> tuple[Segment, ...]:
    """``formula`` as the key prints it, its answer numbers as blanks, adjacent TeX joined."""
    pieces: list[Segment] = [*_part(formula.lhs)]
    for index, part in enumerate(formula.parts):
        relation = "leftarrow" if formula.arrow and index == 0 else "="
        pieces.append(Math(TEX.chain(None, relation, ())))
        pieces.extend(_part(part))
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


def _part(part: Part) -> Iterator[Segment]:
    if isinstance(part, Number):
        yield from _number(part)
    elif isinstance(part, Numbers):
        for item in part.items:
            if isinstance(item, str):
                yield Math(TEX.operator(item))
            else:
                yield from _number(item)
    else:
        yield Math(part_text(part, TEX))


def _number(number: Number, label: str = "") -> Iterator[Segment]:
    """A given number as TeX; an answer as a blank, an array's element by element in brackets."""
    if number.given:
        yield Math(part_text(number, TEX))
    else:
        yield from _blanks(number.value, number.digits, label)


def _blanks(value: float | tuple, digits: int, label: str = "") -> Iterator[Segment]:
    if not isinstance(value, tuple):
        yield Blank(shown(value, digits), digits, label)
        return
    yield Text("[")
    for index, item in enumerate(value):
        if index:
            yield Text(", ")
        yield from _blanks(item, digits, f"{label}[{index}]" if label else "")
    yield Text("]")


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
        yield _line(Text("Learning rate "), *formula_segments(key.rate),
                    Text(f", {steps} of gradient descent."))


def _model(key: Worksheet, graph: Picture | None) -> Iterator[Block]:
    yield _heading("The model")
    for e in key.equations:
        yield _line(*formula_segments(e.formula))
    if graph is not None:
        yield _line(graph)


def _forward(key: Worksheet) -> Iterator[Block]:
    yield _heading("Forward pass")
    for q, e in zip(key.forward, key.equations, strict=False):
        yield _line(*formula_segments(e.formula), Math(TEX.chain(None, "=", ())),
                    *_blanks(q.value, key.precision, f"forward:{q.name}"))


def _local(key: Worksheet) -> Iterator[Block]:
    yield _heading("Local derivatives")
    for rule in key.rules:
        yield _line(Text(f"{rule.title[:1].upper()}{rule.title[1:]}: "), *formula_segments(rule.formula))
    for d in key.local:
        yield _line(*formula_segments(d.formula))


def _chains(key: Worksheet) -> Iterator[Block]:
    if not key.chains:
        return
    if key.backward_pass:
        yield _heading("The backward pass")
        for e in key.backward_pass:
            yield _line(*formula_segments(e.formula))
    yield _heading("The chain rule")
    for c in key.chains:
        if len(c.paths) > 1:
            for path in c.paths:
                yield _line(Math(part_text(path.route, TEX)), Text(": "), *formula_segments(path.numbers))
        yield _line(*formula_segments(c.formula))


def _gradient_tables(key: Worksheet) -> Iterator[Block]:
    for table in key.gradient_tables:
        yield _heading("Derivatives on the tape")
        for entry in table.entries:
            yield _line(*formula_segments(entry.formula))


def _updates(key: Worksheet) -> Iterator[Block]:
    if not key.updates:
        return
    yield _heading("The weight update")
    for u in key.updates:
        yield _line(*formula_segments(u.numbers))


def _loss(key: Worksheet) -> Iterator[Block]:
    if key.loss_after is None:
        return
    loss = Math(part_text(key.loss_symbol, TEX))
    after = "the step" if key.steps == 1 else f"{key.steps} steps"
    yield _heading("Old and new loss")
    yield _line(Text("The loss "), loss, Text(" before the update: "),
                *_blanks(key.loss_before, key.precision, "loss:before"))
    yield _line(Text(f"The loss after {after}: "), *_blanks(key.loss_after, key.precision, "loss:after"))


def _answers(key: Worksheet) -> Iterator[Answer]:
    """Every answer of answers.csv, in its column order, with the TeX of what it asks."""
    p = key.precision
    for q in key.forward:
        yield from _each(f"forward:{q.name}", (Math(part_text(q.symbol, TEX)),), q.value, p)
    for d in key.local:
        yield from _each(f"local:{d.key}", (Math(part_text(d.symbol, TEX)),), d.value, p)
    for c in key.chains:
        yield from _each(f"gradient:{c.parameter}", (Math(part_text(c.symbol, TEX)),), c.value, p)
    if key.history and key.loss_after is not None:
        symbols = {u.name: u.symbol for u in key.updates}
        for name, value in key.history[-1].parameters:
            asks = (Text("the new value of "), Math(part_text(symbols[name], TEX))) if name in symbols else (
                Text(f"the new value of {name}"),)
            yield from _each(f"updated:{name}", asks, value, p)
    loss = Math(part_text(key.loss_symbol, TEX))
    yield from _each("loss:before", (Text("the loss "), loss, Text(" before the update")),
                     key.loss_before, p)
    if key.loss_after is not None:
        yield from _each("loss:after", (Text("the loss "), loss, Text(" after the update")),
                         key.loss_after, p)


def _each(column: str, asks: tuple[Segment, ...], value: float | tuple, digits: int,
          index: str = "") -> Iterator[Answer]:
    """One answer, or one per element of an array (``gradient:W[0][1]``)."""
    if isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from _each(column, asks, item, digits, f"{index}[{i}]")
        return
    where = (Text(f", element {index}"),) if index else ()
    yield Answer(column + index, (*asks, *where), Blank(shown(value, digits), digits, column + index))


def graph_picture(student: Worksheet) -> Picture:
    """The student sheet's graph (its boxes without the key's numbers) as an SVG file."""
    from ..figures.picture import describe, graph_svg

    return Picture("graph.svg", graph_svg(student).encode("utf-8"), "image/svg+xml", describe(student))
