"""The graph picture as sentences, for screen readers: who feeds whom, with the values.

"x1 = 1.3, w1 = 0.7 and b = 1 feed A1 = 1.28; A1 feeds A2 = 0.7824498; A2 and Y = 1 feed
A3 = 0.2453255; A3 is the loss." Names are spoken as the sheet writes them (``names``: the
``[notation]`` runs, Greek letters by their names, an accent by its word), values as the
sheet shows them (an array by its shape, as its box); a student sheet's blank values are left
unsaid.
"""

from __future__ import annotations

import unicodedata

import numpy as np

from ...sheet.model import Quantity, Worksheet
from .layout import BOX_ENTRIES_MOST, box_text
from .names import name_runs

_ACCENT_WORDS = {"\u0302": " hat", "\u0303": " tilde", "\u0304": " bar", "\u0305": " bar",
                 "\u20d7": " vector", "\u0307": " dot", "\u0308": " double dot"}


def spoken_name(q: Quantity) -> str:
    """A name as spoken: ``λ`` -> ``lambda``, ``ŷ`` -> ``y hat``, ``A`` with subscript 3 -> ``A3``."""
    out = []
    for text, shift in name_runs(q.symbol):
        word = "".join(_spoken_char(c) for c in text)
        out.append(f" superscript {word}" if shift == -1 else word)
    return "".join(out).strip()


def _spoken_char(c: str) -> str:
    if c in _ACCENT_WORDS:
        return _ACCENT_WORDS[c]
    name = unicodedata.name(c, "")
    if name.startswith("GREEK"):
        word = name.split()[-1].lower().replace("lamda", "lambda")
        return (" " + word + " ") if len(word) > 1 else c
    return c


def _said(q: Quantity, with_value: bool) -> str:
    value = box_text(q)
    if not with_value or not value:
        return spoken_name(q)
    large = int(np.prod(np.shape(q.value))) > BOX_ENTRIES_MOST
    return f"{spoken_name(q)}, a {value}" if large else f"{spoken_name(q)} = {value}"


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def graph_sentence(sheet: Worksheet, names: frozenset[str] | None = None, values: bool = True) -> str:
    """The graph (or the part holding the nodes ``names``) as one sentence per node, joined;
    without ``values``, names only (a class set's printed student sheet: every variant shares
    its page, whose given numbers are read from the problem's table)."""
    quantity = {q.name: q for q in (*sheet.inputs, *sheet.parameters, *sheet.forward)}
    nodes = {q.name for q in sheet.forward}
    reads: dict[str, list[str]] = {}
    for d in sheet.local:
        reads.setdefault(d.node, []).append(d.input)
    clauses = []
    for q in sheet.forward:
        if names is not None and q.name not in names:
            continue
        read = dict.fromkeys(reads.get(q.name, ()))
        sources = [_said(quantity[n], values and n not in nodes) for n in read]
        verb = "feeds" if len(sources) == 1 else "feed"
        clauses.append(f"{_listed(sources)} {verb} {_said(q, values)}" if sources else _said(q, values))
    text = "; ".join(clauses)
    if names is None or sheet.loss in names:
        text += f"; {spoken_name(quantity[sheet.loss])} is the loss"
    text = " ".join(text.split())
    return f"Computational graph: {text}." if text else "Computational graph."
