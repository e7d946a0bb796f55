r"""One variant as a quiz question: blocks of text, TeX and blanks, the model both quiz formats read.

A ``Question`` is the student sheet's steps as ``Block``s of segments, each plain ``Text``,
``Math`` (TeX from the sheet's TeX printer), a ``Blank`` (an answer box: the key's number as
it prints it and its digits) or a ``Picture``; ``answers`` lists the same answers one by one,
each with the TeX of what it asks (the numerical questions of a QTI package). ``sheet_question.question_of``
builds it from an answer key. Everything here is frozen and picklable, so a worker builds it
beside the variant's sheets.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    """Plain text, escaped by the format that writes it."""

    text: str


@dataclass(frozen=True)
class Math:
    """TeX printed by the sheet's TeX printer (the format puts it between ``\\( \\)``)."""

    tex: str


@dataclass(frozen=True)
class Blank:
    """An answer box: which answer (one element of it), the key's number as it prints it
    (``-0.2828153``), its significant digits, how far a careful student may land from it
    (``sheet.model.Answer.spread``), and what it asks, as the sheet names it (TeX)."""

    key: str
    """The answer's key, an array's element indexed (``gradient:W[0][1]``): the answers.csv column."""
    shown: str
    digits: int
    spread: float = 0.0
    asks: str = ""
    """What the box asks in plain words (``∂L/∂w1``, ``w1 after step 2``): a Cloze field's feedback."""


@dataclass(frozen=True)
class Picture:
    """A file the question shows: its name, its bytes, its MIME type and its alternative text."""

    name: str
    content: bytes
    mime: str
    alt: str


Segment = Text | Math | Blank | Picture


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph of segments."""

    kind: str
    """'heading' or 'paragraph'."""
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Answer:
    """One answer on its own: the answers.csv column, what it asks (text and TeX), and its box."""

    column: str
    asks: tuple[Segment, ...]
    blank: Blank


@dataclass(frozen=True)
class Question:
    """One variant's quiz question."""

    variant: str
    title: str
    blocks: tuple[Block, ...]
    answers: tuple[Answer, ...]
    given: int
    """How many blocks, from the first, state the problem (no blank): the inputs, the model, the graph."""

    @property
    def blanks(self) -> tuple[Blank, ...]:
        return tuple(s for b in self.blocks for s in b.segments if isinstance(s, Blank))

    @property
    def pictures(self) -> tuple[Picture, ...]:
        return tuple(s for b in self.blocks for s in b.segments if isinstance(s, Picture))


