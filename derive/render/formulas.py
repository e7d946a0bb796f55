"""TeX formulas to what each output medium can show.

- MathML (latex2mathml) for HTML pages and fragments: every current browser renders it.
- ``\\( \\)`` / ``\\[ \\]`` text for course sites that already run MathJax or KaTeX.
- Glyph outlines (ziamath, offline, its own STIX font) for the PDF, since WeasyPrint
  renders no MathML: see ``pdf.formulas``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from functools import lru_cache

from markupsafe import Markup, escape

from ..errors import DeriveError

TEXT_SIZE_PX = 14.5
"""PDF formula size in CSS px, matching the print stylesheet's 11pt body text."""


_FENCE = re.compile(r'<mo stretchy="true" fence="true" form="(prefix|postfix)">')
_OPERATOR_NAME = re.compile(r"<mo>([A-Za-z]{2,})</mo>")
_FUNCTION_AFTER_OPERAND = re.compile(  # an identifier, number or ")" then \log, \exp, ... or \operatorname
    r'((?:</mi>|</mn>|&#x00029;</mo>|</msub>|</msup>|</msubsup>|</mfrac>|</msqrt>)(?:</mrow>)*)'
    r'((?:<msub>|<msup>)?<mi>(?:log|ln|exp|sin|cos|tan|sinh|cosh|tanh)</mi>'
    r'|<mi mathvariant="normal">[A-Za-z]{2,}</mi>)')
THIN_SPACE = '<mspace width="0.1667em"/>'


@lru_cache(maxsize=4096)
def mathml(tex: str, display: bool = False) -> Markup:
    """A ``<math>`` element for ``tex``, with four fixes to latex2mathml's output:
    operator names as upright identifiers, flat parentheses that do not stretch, a
    negative number (``{-}1.2``) as one ``<mn>`` instead of a binary minus, and TeX's thin
    space between an operand and a function name (``y \\log(p)``; MathML Core adds none)."""
    from latex2mathml.converter import convert

    markup = convert(tex, display="block" if display else "inline")
    markup = _OPERATOR_NAME.sub(r'<mi mathvariant="normal">\1</mi>', markup)
    markup = markup.replace("<mrow><mo>&#x02212;</mo></mrow><mn>", "<mn>&#x02212;")
    markup = _FUNCTION_AFTER_OPERAND.sub(rf"\1{THIN_SPACE}\2", markup)
    return Markup(check_mathml(_unstretch_flat_fences(markup)))


MATHML_ELEMENTS = frozenset("""
math mrow mi mn mo ms mtext mspace msub msup msubsup mfrac msqrt mroot mover munder munderover
mtable mtr mtd mstyle mpadded mphantom menclose
""".split())
MATHML_ATTRIBUTES = frozenset("""
xmlns display mathvariant stretchy fence form separator accent accentunder lspace rspace width
height depth displaystyle scriptlevel columnalign columnspacing rowspacing columnlines rowlines
linethickness movablelimits symmetric largeop minsize maxsize notation mathbackground mathcolor
""".split())
"""What latex2mathml writes for derive's formulas; anything else means the TeX was not ours."""


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


def _unstretch_flat_fences(markup: str) -> str:
    """Parentheses stretch only around fractions; ``sigma(z)`` keeps text-height parentheses.

    Browsers without a math font otherwise draw every ``\\left( \\right)`` as tall as a bracket.
    """
    def unstretch(opening: str, closing: str) -> tuple[str, str]:
        return tuple(tag.replace('stretchy="true"', 'stretchy="false"') for tag in (opening, closing))

    return _rewrite_flat_pairs(markup, _FENCE, lambda m: m.group(1) == "prefix", "<mfrac", unstretch)


def _rewrite_flat_pairs(text: str, fence: re.Pattern, is_opening, tall: str, rewrite) -> str:
    """Rewrite each matched pair of fences whose contents hold no ``tall`` marker (a fraction)."""
    pieces: list[str] = []
    openings: list[int] = []
    position = 0
    for match in fence.finditer(text):
        pieces += [text[position:match.start()], match.group(0)]
        position = match.end()
        if is_opening(match):
            openings.append(len(pieces) - 1)
        elif openings:
            start = openings.pop()
            if tall not in "".join(pieces[start:]):
                pieces[start], pieces[-1] = rewrite(pieces[start], pieces[-1])
    pieces.append(text[position:])
    return "".join(pieces)


def tex_delimited(tex: str, display: bool = False) -> Markup:
    """``tex`` between MathJax/KaTeX delimiters, HTML-escaped, once it holds only commands derive
    writes (the host's MathJax would run a ``\\href`` or a ``\\require``)."""
    from .tex_safety import check_tex

    opening, closing = (r"\[", r"\]") if display else (r"\(", r"\)")
    return Markup(f'<span class="math">{opening}{escape(check_tex(tex))}{closing}</span>')


_TEX_FENCE = re.compile(r"\\left\(|\\right\)")


def flatten_fences(tex: str) -> str:
    """``\\left( \\right)`` around no fraction as plain parentheses: the same look, and
    ziamath skips measuring stretchy delimiters, its slowest step."""
    return _rewrite_flat_pairs(tex, _TEX_FENCE, lambda m: m.group(0) == "\\left(", "\\frac",
                               lambda opening, closing: ("(", ")"))
