"""Quizzes: set formats, each one file for a whole class set, found in one table as the sheet formats are.

A sheet format (``render.formats``) renders one worksheet; a set format renders every
variant's *piece* (built by each variant's job from its answer key and student sheet, by the
format's ``piece``) into one file: Moodle XML (``moodle``) or a QTI 1.2 zip for Canvas
(``qti``), which an LMS imports, from each variant's ``question.Question``; a practice page
that checks itself (``practice``, ``render.practice``) or that page as a SCORM 1.2 package
(``scorm``), from each variant's ``render.practice.variant.PracticeVariant``.
Adding one is one entry in ``SET_FORMATS`` and its module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...sheet.model import Worksheet
from .question import Question
from .tolerance import Tolerance


def quiz_question(key: Worksheet, student: Worksheet) -> Question:
    """A variant's quiz question: its key's steps, with the student sheet's graph as its picture."""
    from .sheet_question import graph_picture, question_of

    return question_of(key, graph_picture(student))


@dataclass(frozen=True)
class SetFormat:
    """A set format: its ``--format`` name, its file name in the set's folder, and its renderer."""

    name: str
    file_name: str
    render: Callable[[tuple[Any, ...], str, Tolerance], bytes]
    """(the variants' pieces, the set's name, the tolerance) -> the file's bytes."""
    piece: Callable[[Worksheet, Worksheet], Any] = quiz_question
    """(a variant's key, its student sheet) -> what the renderer takes of that variant (picklable,
    built in the variant's job): its quiz ``Question`` unless the format says otherwise."""
    for_render: bool = False
    """Also written by ``derive render`` (one spec's own sheet, or N variants of its rules)."""


def _moodle(questions: tuple[Question, ...], name: str, tolerance: Tolerance) -> bytes:
    from .moodle import render_moodle

    return render_moodle(questions, name, tolerance)


def _qti(questions: tuple[Question, ...], name: str, tolerance: Tolerance) -> bytes:
    from .qti import render_qti

    return render_qti(questions, name, tolerance)


def _practice_variant(key: Worksheet, student: Worksheet) -> Any:
    from ..practice.variant import practice_variant

    return practice_variant(key, student)


def _practice(variants: tuple[Any, ...], name: str, tolerance: Tolerance) -> bytes:
    from ..practice.page import render_practice

    return render_practice(variants, name, tolerance).encode("utf-8")


def _scorm(variants: tuple[Any, ...], name: str, tolerance: Tolerance) -> bytes:
    from ..practice.scorm import render_scorm

    return render_scorm(variants, name, tolerance)


SET_FORMATS: dict[str, SetFormat] = {f.name: f for f in (
    SetFormat("moodle", "quiz.moodle.xml", _moodle),
    SetFormat("qti", "quiz.qti.zip", _qti),
    SetFormat("practice", "practice.html", _practice, _practice_variant, for_render=True),
    SetFormat("scorm", "practice.scorm.zip", _scorm, _practice_variant, for_render=True),
)}
