"""Printed formulas to what each output medium shows.

- MathML (the sheet's MathML printer) for HTML pages and fragments: every current browser
  renders it.
- ``\\( \\)`` / ``\\[ \\]`` TeX (the TeX printer) for course sites that already run MathJax or KaTeX.
- Glyph outlines (ziamath, offline, its own STIX font, from the same MathML) for the PDF, since
  WeasyPrint renders no MathML: see ``pdf.formulas``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from functools import lru_cache

from markupsafe import Markup, escape

from ..errors import DeriveError

TEXT_SIZE_PX = 14.5
"""PDF formula size in CSS px: 11 pt, a little larger than the print stylesheet's 10 pt body text."""
NAMESPACE = "http://www.w3.org/1998/Math/MathML"


@lru_cache(maxsize=8192)
def math_element(markup: str, display: bool = False) -> Markup:
    """The MathML printer's ``markup`` as a ``<math>`` element, once it holds only the elements
    and attributes derive writes."""
    mode = "block" if display else "inline"
    return Markup(check_mathml(f'<math xmlns="{NAMESPACE}" display="{mode}">{markup}</math>'))


mathml = math_element
"""The math style of HTML pages and fragments."""


MATHML_ELEMENTS = frozenset("""
math mrow mi mn mo ms mtext mspace msub msup msubsup mfrac msqrt mroot mover munder munderover
mtable mtr mtd mstyle mpadded mphantom menclose
""".split())
MATHML_ATTRIBUTES = frozenset("""
xmlns display mathvariant stretchy fence form separator accent accentunder lspace rspace width
height depth displaystyle scriptlevel columnalign columnspacing rowspacing columnlines rowlines
linethickness movablelimits symmetric largeop minsize maxsize notation mathbackground mathcolor
""".split())
"""What the MathML printer (and latex2mathml, for a notation's names) writes; anything else is refused."""


def check_mathml(markup: str) -> str:
    """``markup`` if it is well-formed MathML of allowlisted elements and attributes (no
    ``on*`` handler, no ``href``, no ``javascript:``), else a DeriveError: the last guard
    behind the notation and expression grammars, so no script reaches a page."""
    try:
        root = ElementTree.fromstring(markup)
    except ElementTree.ParseError as error:
        raise DeriveError("html", f"MathML that is not well-formed XML ({error}); refused") from None
    for element in root.iter():
        tag = element.tag.rpartition("}")[2]
        if tag not in MATHML_ELEMENTS:
            raise DeriveError("html", f"MathML with a <{tag}> element, which derive never writes; refused")
        for name, value in element.attrib.items():
            bare = name.rpartition("}")[2]
            if bare not in MATHML_ATTRIBUTES or "javascript:" in value.lower().replace(" ", ""):
                raise DeriveError("html", f"MathML with a {bare}= attribute on <{tag}>, which derive "
                                          "never writes; refused")
    return markup


def tex_delimited(tex: str, display: bool = False) -> Markup:
    """``tex`` between MathJax/KaTeX delimiters, HTML-escaped, once it holds only commands derive
    writes (the host's MathJax would run a ``\\href`` or a ``\\require``)."""
    from .tex_safety import check_tex

    opening, closing = (r"\[", r"\]") if display else (r"\(", r"\)")
    return Markup(f'<span class="math">{opening}{escape(check_tex(tex))}{closing}</span>')
