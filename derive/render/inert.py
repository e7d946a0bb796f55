r"""User text (a title, an intro, a variant ID) as HTML that no MathJax or KaTeX reads as math.

A course site that runs MathJax or KaTeX (Moodle, Canvas, MkDocs, Jupyter) typesets any text
on the page between math delimiters (``\( \)``, ``\[ \]``, ``$$``, ``$``, ``\begin{...}``),
and MathJax makes a ``\href{javascript:...}{...}`` in it a live link. Escaping does not stop
it: the browser decodes ``&#92;(`` to ``\(`` before MathJax reads the page. What does: both
look for delimiters within one run of text, which an element ends (MathJax 2 and 3 join text
across ``<br>``, ``<wbr>`` and comments only; KaTeX's auto-render, adjacent text nodes only).
So each ``\`` and ``$`` of user text is written in an element of its own, and no delimiter
can form; the text, and what a reader sees, stay the same.

The element is a ``<span>`` with a class and content, which the hosts' sanitizers keep (Canvas's
allowlist, Moodle's HTMLPurifier) and so does TinyMCE, the editor of both, which drops a span
that is empty or has no attribute. The class is MathJax 3's and MathJax 2's ignore class, a
second guard where a host keeps the default.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

IGNORE_CLASS = "mathjax_ignore tex2jax_ignore"
"""The classes MathJax 3 (``ignoreHtmlClass``) and MathJax 2 (``ignoreClass``) skip by default."""
_DELIMITING = re.compile(r"[\\$]")
r"""The characters every delimiter starts with: ``\`` (``\( \[ \begin``) and ``$``."""


def inert_html(text: str) -> Markup:
    """``text`` HTML-escaped, each ``\\`` and ``$`` in a ``<span>`` of its own (for element content,
    never an attribute)."""
    return Markup(_DELIMITING.sub(_isolated, str(escape(text))))


def _isolated(match: re.Match[str]) -> str:
    return f'<span class="{IGNORE_CLASS}">{match.group()}</span>'
