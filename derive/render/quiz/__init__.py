"""Quizzes: set formats, each one file for a whole class set, found in one table as the sheet formats are.

A sheet format (``render.formats``) renders one worksheet; a set format renders every
variant's ``question.Question`` (built from its answer key beside the variant's sheets) into
one file an LMS imports: Moodle XML (``moodle``) or a QTI 1.2 zip for Canvas (``qti``).
Adding one is one entry in ``SET_FORMATS`` and its module here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .question import Question
from .tolerance import Tolerance


@dataclass(frozen=True)
class SetFormat:
    """A set format: its ``--format`` name, its file name in the set's folder, and its renderer."""

    name: str
    file_name: str
    render: Callable[[tuple[Question, ...], str, Tolerance], bytes]
    """(the variants' questions, the set's name, the tolerance) -> the file's bytes."""


def _moodle(questions: tuple[Question, ...], name: str, tolerance: Tolerance) -> bytes:
    from .moodle import render_moodle

    return render_moodle(questions, name, tolerance)


def _qti(questions: tuple[Question, ...], name: str, tolerance: Tolerance) -> bytes:
    from .qti import render_qti

    return render_qti(questions, name, tolerance)


SET_FORMATS: dict[str, SetFormat] = {f.name: f for f in (
    SetFormat("moodle", "quiz.moodle.xml", _moodle),
    SetFormat("qti", "quiz.qti.zip", _qti),
)}
