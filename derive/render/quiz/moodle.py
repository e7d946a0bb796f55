r"""A class set as a Moodle XML quiz file: one Cloze (embedded answers) question per variant.

The file opens with a ``<question type="category">`` named after the set (``$course$/top/``
then the set's name, a ``/`` in it doubled, as Moodle's category paths escape it), then one
``<question type="cloze">`` per variant, named by its ID. Its text is the student sheet's
steps as HTML, formulas as TeX in ``\( \)`` for Moodle's MathJax filter, and each answer box
a blank ``{1:NUMERICAL:=value:margin}`` (Moodle's Cloze syntax: weight, type, ``=`` for the
correct answer, an absolute margin; a ``#`` feedback naming the answer where the sheet
names it, with ``} # ~ / " \`` escaped by a backslash as the Cloze documentation says).
Pictures travel inside the file as ``<file name=... path="/" encoding="base64">`` of the
question text, which refers to them as ``@@PLUGINFILE@@/name``.

Written with the standard library's ElementTree: attribute order and indentation are fixed,
so the same set gives the same bytes.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ElementTree
from urllib.parse import quote

from .html import blocks_html, image_html, inert, inert_text, variant_line, xml_text
from .question import Blank, Picture, Question
from .tolerance import Tolerance, decimal_text, margin

PENALTY = "0.3333333"
"""Moodle's default penalty for each wrong try (in adaptive mode), as its own export writes it."""
_CLOZE_SPECIALS = str.maketrans({c: "\\" + c for c in '}#~/"\\'})


def cloze_escape(text: str) -> str:
    """``text`` for inside a Cloze answer or feedback: ``} # ~ / " \\`` each after a backslash."""
    return text.translate(_CLOZE_SPECIALS)


def cloze_blank(blank: Blank, tolerance: Tolerance) -> str:
    """``{1:NUMERICAL:=-0.2828153:0.00000005}``, with ``#feedback`` when the blank has a label."""
    feedback = f"#{cloze_escape(inert(blank.asks))}" if blank.asks else ""
    width = decimal_text(margin(blank.shown, blank.digits, tolerance, blank.spread))
    return f"{{1:NUMERICAL:={blank.shown}:{width}{feedback}}}"


def category_path(name: str) -> str:
    """A category at the top of the course's question bank; a ``/`` in the name is doubled."""
    return "$course$/top/" + xml_text(name).replace("/", "//")


def render_moodle(questions: tuple[Question, ...], name: str, tolerance: Tolerance) -> bytes:
    """The Moodle XML of a class set: its category, then each variant's Cloze question."""
    quiz = ElementTree.Element("quiz")
    category = _sub(quiz, "question", type="category")
    _text(_sub(category, "category"), category_path(name))
    _text(_sub(category, "info", format="html"),
          f"<p>{inert_text(name)}: one question per variant, made by derive; answers count within "
          f"{inert(tolerance.text)}.</p>")
    _sub(category, "idnumber")
    for question in questions:
        _cloze(quiz, question, tolerance)
    ElementTree.indent(quiz, "  ")
    return ElementTree.tostring(quiz, encoding="UTF-8", xml_declaration=True) + b"\n"


def _cloze(quiz: ElementTree.Element, question: Question, tolerance: Tolerance) -> None:
    item = _sub(quiz, "question", type="cloze")
    _text(_sub(item, "name"), question.variant)
    text = _sub(item, "questiontext", format="html")
    blocks = blocks_html(question.blocks, lambda b: cloze_blank(b, tolerance), _image)
    _text(text, variant_line(question) + blocks)
    for picture in dict.fromkeys(question.pictures):
        file = _sub(text, "file", name=picture.name, path="/", encoding="base64")
        file.text = base64.b64encode(picture.content).decode("ascii")
    _text(_sub(item, "generalfeedback", format="html"), "")
    _sub(item, "penalty").text = PENALTY
    _sub(item, "hidden").text = "0"
    _sub(item, "idnumber").text = question.variant


def _image(picture: Picture) -> str:
    return image_html("@@PLUGINFILE@@/" + quote(picture.name), picture)


def _sub(parent: ElementTree.Element, tag: str, **attributes: str) -> ElementTree.Element:
    return ElementTree.SubElement(parent, tag, attributes)


def _text(parent: ElementTree.Element, text: str) -> None:
    _sub(parent, "text").text = text
