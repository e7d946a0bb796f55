"""Shared material for the class-set tests: a spec with [variants], and answer searching."""

from __future__ import annotations

import re
import textwrap

from derive.sheet.model import Worksheet

from .conftest import DEFAULT

RULES = textwrap.dedent('''
    [variants]
    seed = 2026
    x1 = { min = -2.0, max = 2.0, step = 0.1 }
    x2 = { min = -2.0, max = 2.0, step = 0.1 }
    Y  = { choices = [0.0, 1.0] }
    w1 = { choices = [0.5, 0.7, 0.9, -0.4] }
''')

CLASS = DEFAULT + RULES
"""seed 003's neuron, with four of its values drawn per student."""


def given_numbers(sheet: Worksheet) -> set[str]:
    """What the exercise states: inputs, parameters, the learning rate."""
    given = {q.shown for q in (*sheet.inputs, *sheet.parameters)}
    return given | {sheet.shown_learning_rate}


def key_answers(key: Worksheet) -> set[str]:
    """Every computed number the key prints, except those equal to a given number or with
    fewer than three digits (``1``, ``0.5``: too common on any page to search for)."""
    texts = {q.shown for q in key.forward} | {d.shown for d in key.local} | {c.shown for c in key.chains}
    texts |= {u.shown_new for u in key.updates} | {key.shown_loss_before, key.shown_loss_after,
                                                   key.shown_decrease}
    texts |= {p.shown for c in key.chains if len(c.paths) > 1 for p in c.paths}
    for step in key.history_table:
        texts.add(step.shown_loss)
        if step.step > 0:
            texts.update(step.shown_parameters)
    for row in key.checks:
        texts |= {row.shown_symbolic, row.shown_tape, row.shown_finite_difference}
    texts = {t.lstrip("-") for t in texts if t} - {g.lstrip("-") for g in given_numbers(key)}
    return {t for t in texts if sum(c.isdigit() for c in t) >= 3}


def found(text: str, answers: set[str]) -> set[str]:
    """The answers that occur in ``text`` as whole numbers (not inside a longer number)."""
    hits = set()
    for answer in answers:
        mantissa = answer.split("e")[0]
        if re.search(rf"(?<![\d.]){re.escape(mantissa)}(?![\d])", text):
            hits.add(answer)
    return hits


def html_text(html: str) -> str:
    """The text of an HTML page: no style sheet, no tags, no attribute values."""
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"<[^>]*>", " ", html)


def tex_text(tex: str) -> str:
    """The document body of a TeX file without TikZ coordinates and drawing options."""
    body = tex.split(r"\begin{document}", 1)[1]
    body = re.sub(r"\\(?:draw|node|fill|path)\[[^\]]*\]|\\begin\{tikzpicture\}\[[^\]]*\]", " ", body)
    return re.sub(r"\(\s*-?[\d.]+\s*,\s*-?[\d.]+\s*\)", " ", body)
