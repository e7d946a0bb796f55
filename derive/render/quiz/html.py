r"""A question's blocks as the HTML an LMS shows: headings, paragraphs, TeX in ``\( \)``.

Both quiz formats write their question text with ``blocks_html``, each with its own way of
writing a blank (a Cloze field, or nothing) and a picture (a file the package carries).
Text and TeX are HTML-escaped; TeX is first checked against the commands derive writes (a
host's MathJax would run a ``\href``), and every ``{`` and ``$`` outside the blanks is written
as a character reference, so that no text can spell a Cloze field
(``{1:NUMERICAL:...}``) or a ``$$`` that a filter finds in the source: the browser shows the
same characters. Text also has each ``\`` and ``$`` in an element of its own (``render.inert``),
since the browser decodes a character reference before MathJax reads the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from html import escape

from ..inert import inert_html
from ..tex_safety import check_tex
from .question import Blank, Block, Math, Picture, Question, Segment, Text

_INERT = str.maketrans({"{": "&#123;", "$": "&#36;"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Characters XML 1.0 cannot hold (and DEL): a title's control character becomes a space."""


def xml_text(text: str) -> str:
    """``text`` with each character XML cannot hold as a space (for names and titles)."""
    return _CONTROL.sub(" ", text)


def inert(text: str) -> str:
    """``text`` HTML-escaped, with the characters a Cloze parser or MathJax would read as
    syntax written as character references, and no character XML cannot hold (for TeX and
    attribute values)."""
    return _CONTROL.sub(" ", escape(text, quote=True)).translate(_INERT)


def inert_text(text: str) -> str:
    """``text`` as ``inert`` writes it, each ``\\`` and ``$`` in an element of its own, so that no
    host's MathJax reads a delimiter in it either (for element content: a title, an intro)."""
    return str(inert_html(xml_text(text))).translate(_INERT)


def variant_line(question: Question) -> str:
    """The question's first line: ``Variant <ID> of "<title>".``"""
    variant, title = inert_text(question.variant), inert_text(question.title)
    return f'<p>Variant <strong>{variant}</strong> of "{title}".</p>\n'


def segment_html(segment: Segment, blank: Callable[[Blank], str], picture: Callable[[Picture], str]) -> str:
    if isinstance(segment, Text):
        return inert_text(segment.text)
    if isinstance(segment, Math):
        return r"\(" + inert(check_tex(segment.tex)) + r"\)"
    if isinstance(segment, Blank):
        return blank(segment)
    return picture(segment)


def segments_html(segments: Iterable[Segment], blank: Callable[[Blank], str],
                  picture: Callable[[Picture], str]) -> str:
    return "".join(segment_html(s, blank, picture) for s in segments)


def blocks_html(blocks: Iterable[Block], blank: Callable[[Blank], str], picture: Callable[[Picture], str],
                heading: str = "h4") -> str:
    """One ``<h4>`` or ``<p>`` a block, a line each."""
    lines = []
    for block in blocks:
        tag = heading if block.kind == "heading" else "p"
        lines.append(f"<{tag}>{segments_html(block.segments, blank, picture)}</{tag}>")
    return "\n".join(lines) + "\n"


def image_html(source: str, picture: Picture) -> str:
    """An ``<img>`` of ``picture`` at ``source``, as wide as the text at most."""
    return (f'<img src="{escape(source, quote=True)}" alt="{inert(picture.alt)}" '
            'style="max-width:100%;height:auto">')
