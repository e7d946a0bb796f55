"""Text alternatives for what is drawn after layout: its element in the PDF's structure tree,
and the same text, invisible, on the page.

WeasyPrint tags the PDF (``pdf_tags``): headings, paragraphs, tables and their cells. But a
formula, or a student sheet's given number, is an empty box to it (``formulas``), drawn as
outlines afterwards, which neither a screen reader nor ``pdftotext`` can read. So each such box
is an ``<a>`` without a link (``MARKER_TAG``), which WeasyPrint tags as an empty ``/Link`` at the
box's place in the reading order (the print page has no other ``<a>``), and ``Structure`` turns
that element into a ``/Formula`` whose ``/Alt`` is the formula's TeX (or a ``/Span`` for a
number), owning a new marked-content sequence that holds the outlines and the text once more,
in a font whose glyphs are all blank (render mode 3, invisible): the text ``pdftotext`` and
copy-and-paste find, squeezed to the box's width so that it sits where the formula does.
Outlines that have no alternative of their own (the graph's labels, which the graph's
description covers) are marked as artifacts, and so is a running header's text (an
``Artifact`` alternative), with its invisible text: outside the tree, but found on every page.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

WRITE_OPTIONS = {"pdf_tags": True}
"""WeasyPrint's options for writing the PDF: tagged."""
MARKER_TAG = "a"
"""The element of a box with a text alternative: the one tag WeasyPrint gives its own kind (/Link)."""
FONT_NAME = "DeriveText"
"""The invisible text's font, as the pages' resources name it."""
ADVANCE = 500
"""Every glyph's advance in the invisible font (units per em: 1000)."""
MIN_ADVANCE = 0.3
"""The least advance of an invisible character, in em (``invisible_text``)."""
FIRST, LAST = 32, 126
"""The characters of the invisible font: printable ASCII (TeX and numbers need no more)."""


@dataclass(frozen=True)
class Alternative:
    """What a drawn box says: its ``text``, and its role in the structure tree (``Formula`` with
    the text as its ``/Alt``, or ``Span``, whose content the text is), or ``Artifact``: no element
    (a running header's, repeated on every page), the text only invisibly on the page."""

    text: str
    role: str = "Formula"


class Structure:
    """The structure tree of a PDF that WeasyPrint tagged, as ``FormulaBoxes.draw`` fills it in."""

    def __init__(self, pdf: Any) -> None:
        import pikepdf

        self.pdf = pdf
        root = pdf.Root.StructTreeRoot
        numbers = root.ParentTree.Nums
        self._marked = {int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers), 2)
                        if isinstance(numbers[i + 1], pikepdf.Array)}
        """Each page's array of the elements its MCIDs belong to, by the page's /StructParents."""
        self._markers = self._find_markers(root)

    def _find_markers(self, root: Any) -> dict[tuple[int, int], list[Any]]:
        """The empty /Link elements of the tree, in reading order, by the page they are on."""
        found: dict[tuple[int, int], list[Any]] = defaultdict(list)
        for element in _elements(root):
            if element.S == "/Link" and len(element.get("/K", ())) == 0:
                found[element.Pg.objgen].append(element)
        return found

    def markers(self, pdf_page: Any) -> list[Any]:
        """The page's marker elements, in the order of the boxes on it."""
        return self._markers.get(pdf_page.obj.objgen, [])

    def tag(self, element: Any, pdf_page: Any, alternative: Alternative) -> int:
        """Make the marker ``element`` the box's element, owning a new marked-content sequence on
        ``pdf_page``: the MCID to mark the box's drawing with."""
        import pikepdf

        marked = self._marked[int(pdf_page.obj.StructParents)]
        mcid = len(marked)
        marked.append(element)
        element.S = pikepdf.Name("/" + alternative.role)
        element.K = pikepdf.Array([mcid])
        if alternative.role == "Formula":
            element.Alt = pikepdf.String(alternative.text)
        return mcid


def _elements(parent: Any):
    """The structure elements under ``parent``, depth first, in reading order."""
    import pikepdf

    kids = parent.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _elements(kid)


def marked(role: str, mcid: int, operators: bytes) -> bytes:
    """``operators`` as the marked-content sequence ``mcid`` of an element of type ``role``."""
    return b"/%s <</MCID %d>> BDC\n%s\nEMC" % (role.encode(), mcid, operators)


def artifact(operators: bytes) -> bytes:
    """``operators`` marked as an artifact: drawn, but not content a reader reads."""
    return b"/Artifact BMC\n" + operators + b"\nEMC"


def invisible_text(text: str, x: float, baseline: float, width: float, size: float) -> bytes:
    """``text`` in render mode 3 (invisible) from ``(x, baseline)`` (PDF points, y up) and squeezed
    (or stretched) to ``width``, so that text extraction finds it where the box is: at ``size``
    pt, or smaller for a long text in a narrow box, as extraction drops a character that starts
    within a tenth of an em of the same character before it (its test for fake bold), so that
    each character advances ``MIN_ADVANCE`` em at least. A character the invisible font lacks is
    shown as ``?`` (the element's /Alt keeps it)."""
    length, literal = _shown(text)
    if not length or width <= 0:
        return b""
    size = min(size, width / (length * MIN_ADVANCE))
    scale = 100 * width / (length * size * ADVANCE / 1000)
    return (b"q BT /%s %.3f Tf 3 Tr %.3f Tz %.3f %.3f Td %s Tj ET Q"
            % (FONT_NAME.encode(), size, scale, x, baseline, literal))


@lru_cache(maxsize=16384)
def _shown(text: str) -> tuple[int, bytes]:
    """How many characters ``text`` shows in the invisible font, and the PDF string that shows
    them; once per process (a class set's variants repeat their symbolic rows)."""
    import pikepdf

    shown = "".join(c if FIRST <= ord(c) <= LAST else "?" for c in text)
    return len(shown), pikepdf.String(shown.encode("ascii")).unparse()


def invisible_font(pdf: Any) -> Any:
    """The invisible font, embedded in ``pdf`` (a simple TrueType font in WinAnsi encoding, so that
    each code is its ASCII character to text extraction)."""
    import pikepdf

    program = pikepdf.Stream(pdf, _font_program())
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/" + FONT_NAME), Flags=32,
        FontBBox=[0, -200, ADVANCE, 800], ItalicAngle=0, Ascent=800, Descent=-200, CapHeight=700,
        StemV=80, FontFile2=pdf.make_indirect(program))
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.TrueType, BaseFont=pikepdf.Name("/" + FONT_NAME),
        FirstChar=FIRST, LastChar=LAST, Widths=[ADVANCE] * (LAST - FIRST + 1),
        Encoding=pikepdf.Name.WinAnsiEncoding, FontDescriptor=pdf.make_indirect(descriptor)))


@lru_cache(maxsize=1)
def _font_program() -> bytes:
    """A TrueType font of blank glyphs for printable ASCII, built once per process (fixed dates,
    so the same bytes every time)."""
    from fontTools.agl import UV2AGL
    from fontTools.fontBuilder import FontBuilder
    from fontTools.misc.timeTools import timestampFromString
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    characters = {code: UV2AGL[code] for code in range(FIRST, LAST + 1)}
    names = [".notdef", *characters.values()]
    builder = FontBuilder(1000, isTTF=True)
    fixed = timestampFromString("Sat Jan  1 00:00:00 2000")  # the PDF's own fixed date
    builder.setupHead(unitsPerEm=1000, created=fixed, modified=fixed)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap(characters)
    builder.setupGlyf({name: TTGlyphPen(None).glyph() for name in names})
    builder.setupHorizontalMetrics({name: (ADVANCE, 0) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": FONT_NAME, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()
