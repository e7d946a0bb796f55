"""Formulas in the PDF: ziamath's glyph outlines as PDF Form XObjects, placed after layout.

(The printed graph's labels take the same road: see ``picture_print``.)

WeasyPrint can draw an inline SVG formula, but it parses every glyph outline point by
point in Python: about 1.1 s of a 2 s sheet. Instead, the print HTML holds an empty box of
the formula's exact size (``FormulaBoxes.box``), WeasyPrint lays the page out around it and
writes the PDF, and ``FormulaBoxes.write_pdf`` draws each formula into its box with pikepdf,
at the positions WeasyPrint's public API gives (``Page.anchors``): one Form XObject per
distinct formula per document, which places one shared Form XObject per distinct glyph
outline (ziafont's SVG 2 ``<symbol>``/``<use>``), so a sheet carries each glyph once instead
of once per use. Outlines are converted and compressed once per process (``drawing``,
``_deflated``): a formula or glyph that recurs on every sheet of a class set costs nothing
after the first. The glyphs, positions and sizes are ziamath's, exactly as in the SVG.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from ..formulas import TEXT_SIZE_PX, math_element
from .ink import Glyph, Ink, PDFPen, glyph_from_operators, merged, path_operators, svg_ink  # noqa: F401 - re-exported
from .tags import (
    FONT_NAME,
    MARKER_TAG,
    WRITE_OPTIONS,
    Alternative,
    Structure,
    artifact,
    invisible_font,
    invisible_text,
    marked,
)

ANCHOR_PREFIX = "derive-math-"
PX_TO_PT = 0.75
"""PDF points per CSS px (72 / 96), WeasyPrint's own scale."""


@dataclass(frozen=True)
class Drawing:
    """One formula in PDF terms: its box in CSS px and its outlines as content-stream bytes.

    The operators use SVG user units (px, y pointing down, baseline at y = 0, the formula
    starting at x = 0) inside the box whose corner is ``(left, top)``; ``descent`` is how far
    the box reaches below the baseline and ``advance`` where the next formula would start;
    ``glyphs`` are the outlines the operators place.
    """

    left: float
    top: float
    width: float
    height: float
    advance: float
    operators: bytes
    glyphs: tuple[Glyph, ...] = ()
    extent: tuple[float, float, float, float] | None = None
    """ziamath's bounding box of the formula (xmin, xmax, ymin, ymax; y up, no margin), which
    ``aligned_drawing`` sizes a table's rows and columns by; None where ziamath did not lay it out."""

    @property
    def descent(self) -> float:
        return self.top + self.height

    def then(self, other: Drawing) -> Drawing:
        """This formula followed on the same baseline by ``other``, as ziamath sets them in one row."""
        top = min(self.top, other.top)
        bottom = max(self.descent, other.descent)
        right = self.advance + other.left + other.width
        shifted = f"q 1 0 0 1 {self.advance:.3f} 0 cm\n".encode() + other.operators + b"\nQ"
        extent = None
        if self.extent is not None and other.extent is not None:
            (x0, x1, y0, y1), (u0, u1, v0, v1) = self.extent, other.extent
            extent = (min(x0, self.advance + u0), max(x1, self.advance + u1), min(y0, v0), max(y1, v1))
        return Drawing(self.left, top, right - self.left, bottom - top, self.advance + other.advance,
                       self.operators + b"\n" + shifted, merged(self.glyphs, other.glyphs), extent)


@dataclass(frozen=True)
class Aligned:
    """A formula in rows aligned on their relation (``Printed.cells``), as the MathML printer's
    two-column ``<mtable>`` sets it: the left-hand side, and each row's right cell as its parts."""

    lhs: str
    rows: tuple[tuple[str, ...], ...]


@lru_cache(maxsize=4096)
def drawing(markup: str | tuple[str, ...] | Aligned, display: bool = False) -> Drawing:
    """A formula (the MathML printer's markup) as ziamath lays it out, in PDF operators.

    A chain of equalities comes as its parts (``("a", "= b", "= c")``, as the sheet's printer
    gives a row) and is laid out one part at a time, the parts set side by side: ziamath gives
    a leading ``=`` the same spacing as an inner one, so the result is the same, and the
    symbolic parts that every variant of a class set repeats are laid out once (ziamath's
    layout is most of a sheet's remaining formula cost).
    """
    if isinstance(markup, Aligned):
        result = aligned_drawing(markup, display)
    else:
        result = _row((markup,) if isinstance(markup, str) else markup, display)
    return replace(result, operators=b"0 g\n" + result.operators)


def _row(parts: tuple[str, ...], display: bool) -> Drawing:
    """Parts laid out one by one and set side by side on one baseline."""
    result = _laid_out(parts[0], display)
    for part in parts[1:]:
        result = result.then(_laid_out(part, display))
    return result


ROW_SPACING_EM = 0.5
"""The printer's ``<mtable rowspacing="0.5em">`` (its ``columnspacing`` is 0)."""
MARGIN_PX = 1.0
"""The margin ziamath's SVG leaves round a formula's bounding box (``Math(margin=1)``)."""


def aligned_drawing(formula: Aligned, display: bool) -> Drawing:
    """An aligned formula set as ziamath sets the printer's two-column ``<mtable>``, from its
    cells laid out one part at a time (``_row``), so that parts every variant repeats are laid
    out once: laying the whole table out in one piece costs ziamath about 0.1 s a table, as it
    lays each nested row out twice (once to measure what its stretchy operators must span).

    The arithmetic is ziamath's ``Mtable`` for this table: rows as tall as their tallest cell
    and ``ROW_SPACING_EM`` apart, the first column right-aligned and the second left-aligned,
    the whole table centred on the math axis; a test compares it with ziamath's own layout of
    the ``<mtable>``.
    """
    size = _size(display)
    cells = [(_laid_out(formula.lhs, display) if index == 0 else None, _row(parts, display))
             for index, parts in enumerate(formula.rows)]
    row_space = ROW_SPACING_EM * _ZIAMATH_EM_PX * size
    heights = [max(cell.extent[3] for cell in row if cell is not None) for row in cells]
    depths = [min(cell.extent[2] for cell in row if cell is not None) for row in cells]
    left_width = max((left.extent[1] for left, _ in cells if left is not None), default=0.0)
    right_width = max(right.extent[1] for _, right in cells)
    total = sum(heights) - sum(depths) + row_space * (len(cells) - 1)
    y = -total / 2 - _axis_height_px(size)
    out: list[bytes] = []
    glyphs: list[tuple[Glyph, ...]] = []
    baselines = []
    for (left, right), height, depth in zip(cells, heights, depths, strict=True):
        baseline = y + height
        baselines.append(baseline)
        y += height - depth + row_space
        for cell, x in ((left, None), (right, left_width)):
            if cell is None:
                continue
            if x is None:  # right-aligned in the first column
                x = left_width - (cell.extent[1] - cell.extent[0])
            out.append(f"q 1 0 0 1 {x:.3f} {baseline:.3f} cm\n".encode() + cell.operators + b"\nQ")
            glyphs.append(cell.glyphs)
    width = left_width + right_width
    bottom = min(cell.extent[2] - baselines[-1] for cell in cells[-1] if cell is not None)
    top = max(cell.extent[3] - baselines[0] for cell in cells[0] if cell is not None)
    return Drawing(-MARGIN_PX, -top - MARGIN_PX, width + 2 * MARGIN_PX, top - bottom + 2 * MARGIN_PX,
                   width, b"\n".join(out), merged(*glyphs), (0.0, width, bottom, top))


_ZIAMATH_EM_PX = 10.00002 * 1.333 / 10
"""One em in px per px of font size, by ziamath's unit table (``Mnode.size_px``: an em is
10.00002 pt at 10 pt, a pt 1.333 px)."""


def _size(display: bool) -> float:
    """The font size ziamath sets a formula at, in px."""
    return TEXT_SIZE_PX * (1.1 if display else 1.0)


@lru_cache(maxsize=4)
def _axis_height_px(size: float) -> float:
    """The math font's axis height (its MATH table's ``AxisHeight``) at ``size`` px, which ziamath
    centres a table on; read with fontTools from the font file ziamath ships and uses."""
    from importlib.resources import files

    from fontTools.ttLib import TTFont

    font = TTFont(str(files("ziamath.fonts") / "STIXTwoMath-Regular.ttf"), lazy=True)
    return font["MATH"].table.MathConstants.AxisHeight.Value * size / font["head"].unitsPerEm


@lru_cache(maxsize=8192)
def _laid_out(markup: str, display: bool) -> Drawing:
    import ziamath

    ziamath.config.svg2 = True  # each glyph a <symbol>, placed by <use>
    math = ziamath.Math(str(math_element(markup, display=True)), size=_size(display), margin=MARGIN_PX)
    root = math.svgxml()
    left, top, width, height = (float(v) for v in root.attrib["viewBox"].split())
    ink = svg_ink(root)
    box = math.node.bbox
    return Drawing(left, top, width, height, box.xmax, ink.operators, ink.glyphs,
                   (box.xmin, box.xmax, box.ymin, box.ymax))


PARENTHESES = "<mrow><mo>(</mo><mo>−</mo><mn>0</mn><mo>)</mo></mrow>"
"""A negative number as a product prints it: a class set's key sizes its boxes at least this
tall, as its student sheet's boxes hold no numbers to parenthesize."""


@dataclass
class FormulaBoxes:
    """The drawings of one print document: empty boxes in its HTML, drawn in after layout."""

    placed: list[Drawing] = field(default_factory=list)
    ascents: list[float] = field(default_factory=list)
    """Each box's height above its baseline, where its drawing's baseline goes (a box may be
    taller than its drawing: sized for every variant of a class set, ``box(like=)``)."""
    alternatives: list[Alternative | None] = field(default_factory=list)
    """Each drawing's text alternative (``tags``); None for outlines described elsewhere."""
    title: str | None = None
    """The PDF's title, if not the page's: a student sheet's names its variant there, since its
    variant ID is drawn as outlines (searchable neither on the page nor in a viewer)."""

    def place(self, shape: Drawing, alternative: Alternative | None = None,
              ascent: float | None = None) -> str:
        """The anchor (element id) of a box to be drawn as ``shape``, its baseline ``ascent`` below
        the box's top (by default the drawing's own: the box is the drawing's)."""
        self.placed.append(shape)
        self.alternatives.append(alternative)
        self.ascents.append(-shape.top if ascent is None else ascent)
        return f"{ANCHOR_PREFIX}{len(self.placed) - 1}"

    def marked_box(self, shape: Drawing, alternative: Alternative, css_class: str, style: str,
                   ascent: float | None = None) -> Markup:
        """An empty box to be drawn as ``shape`` that the PDF's structure tree gives ``alternative``:
        the marker element that ``tags`` finds it by, the same whatever the text."""
        anchor = self.place(shape, alternative, ascent)
        tag = "span" if alternative.role == "Artifact" else MARKER_TAG  # no element in the tree
        return Markup(f'<{tag} class="{css_class}" id="{anchor}" style="{style}"></{tag}>')

    def box(self, markup: str | tuple[str, ...] | Aligned, display: bool = False, alt: str = "",
            like: str | tuple[str, ...] | Aligned | None = None) -> Markup:
        """An empty inline box exactly the size of the formula ``markup`` (MathML), baseline on the
        line's baseline; ``alt`` (the formula's TeX) is its text in the PDF. With ``like``, the
        box is also as large as that formula (the same one on the student sheet, whose answer
        boxes do not depend on the numbers), so that a class set's keys share one layout.

        A display formula's box is a block as wide as the line, the formula drawn at its left
        edge as before: its width is the only part of the box a number in it changes, so
        leaving it out keeps a student sheet's HTML the same from variant to variant.
        """
        shape = drawing(markup, display)
        frames = (shape,) if like is None else (shape, drawing(like, display), drawing(PARENTHESES, display))
        ascent, descent = max(-frame.top for frame in frames), max(frame.descent for frame in frames)
        size = "" if display else f"width:{max(frame.width for frame in frames[:2]):.2f}px;"
        style = f"{size}height:{ascent + descent:.2f}px;vertical-align:{-descent:.2f}px"
        markup = self.marked_box(shape, Alternative(alt), "formula", style, ascent)
        return Markup(f'<span class="display-math">{markup}</span>' if display else markup)

    def write_pdf(self, document) -> bytes:
        """The laid-out WeasyPrint ``document`` as PDF bytes, every box's drawing drawn into it.

        WeasyPrint writes the document as it is (``Document.write_pdf``); pikepdf then adds,
        page by page, the forms the page places to its resources and a content stream that
        places them, at the boxes' positions from WeasyPrint's public ``Page.anchors``.
        """
        return self.draw(document, document.write_pdf(**WRITE_OPTIONS))

    def draw(self, document, data: bytes) -> bytes:
        """``data`` (WeasyPrint's tagged PDF of ``document``) with every box's drawing drawn into it,
        and its text alternative in the structure tree and, invisible, on the page (``tags``)."""
        import pikepdf

        with pikepdf.Pdf.open(io.BytesIO(data)) as pdf:
            if self.title is not None:
                pdf.docinfo[pikepdf.Name.Title] = pikepdf.String(self.title)
            structure = Structure(pdf)
            font = invisible_font(pdf) if any(self.alternatives) else None
            glyphs = pdf.make_indirect(pikepdf.Dictionary(XObject=pikepdf.Dictionary()))
            """The glyph forms, named in one resource dictionary that every formula's form names."""
            glyph_names: set[str] = set()
            forms: dict[Drawing, tuple[str, Any]] = {}
            for page, pdf_page in zip(document.pages, pdf.pages, strict=True):
                elements = self._elements(page, pdf_page, structure)
                placements: list[bytes] = []
                used: dict[str, Any] = {}
                for anchor, (x, y, _, _) in sorted(page.anchors.items(), key=lambda item: _index(item[0])):
                    if not anchor.startswith(ANCHOR_PREFIX):
                        continue
                    shape = self.placed[_index(anchor)]
                    if shape not in forms:
                        forms[shape] = (f"DeriveMath{len(forms)}",
                                        _form(pdf, shape.operators, _box(shape), glyphs))
                        for glyph in shape.glyphs:
                            if glyph.name not in glyph_names:
                                glyph_names.add(glyph.name)
                                glyphs.XObject[f"/{glyph.name}"] = _form(pdf, glyph.operators, glyph.bbox)
                    name, form = forms[shape]
                    used[name] = form
                    e = PX_TO_PT * (x - shape.left)
                    f = PX_TO_PT * (page.height - y - self.ascents[_index(anchor)])
                    placement = f"q {PX_TO_PT} 0 0 {-PX_TO_PT} {e:.3f} {f:.3f} cm /{name} Do Q".encode()
                    alternative = self.alternatives[_index(anchor)]
                    if alternative is None:
                        placements.append(artifact(placement))
                        continue
                    text = invisible_text(alternative.text, PX_TO_PT * x, f, PX_TO_PT * shape.width,
                                          PX_TO_PT * TEXT_SIZE_PX)
                    if alternative.role == "Artifact":
                        placements.append(artifact(placement + b"\n" + text))
                        continue
                    mcid = structure.tag(elements[anchor], pdf_page, alternative)
                    placements.append(marked(alternative.role, mcid, placement + b"\n" + text))
                if placements:
                    _add_resources(pdf_page, used, font)
                    _append_content(pdf, pdf_page, b"\n".join(placements))
            out = io.BytesIO()
            # the same input gives the same bytes: /ID is a digest of the content, nothing adds
            # a date (WeasyPrint's are the page's fixed ones); compressed streams are written as
            # they are, the small objects packed into object streams
            pdf.save(out, deterministic_id=True, compress_streams=True,
                     stream_decode_level=pikepdf.StreamDecodeLevel.none,
                     object_stream_mode=pikepdf.ObjectStreamMode.generate)
            return out.getvalue()

    def _elements(self, page, pdf_page, structure: Structure) -> dict[str, Any]:
        """The structure element of each box on the page that has a text alternative, by anchor:
        the page's markers, in reading order, are its marked boxes in the order WeasyPrint found
        their anchors (its walk of the page's boxes, as its tagging walks them)."""
        anchors = [anchor for anchor in page.anchors if anchor.startswith(ANCHOR_PREFIX)
                   and getattr(self.alternatives[_index(anchor)], "role", "Artifact") != "Artifact"]
        markers = structure.markers(pdf_page)
        if len(markers) != len(anchors):
            raise ValueError(f"the tagged PDF has {len(markers)} formula elements on a page that "
                             f"holds {len(anchors)} formula boxes")
        return dict(zip(anchors, markers, strict=True))


def _index(anchor: str) -> int:
    return int(anchor.removeprefix(ANCHOR_PREFIX)) if anchor.startswith(ANCHOR_PREFIX) else -1


def _box(shape: Drawing) -> tuple[float, float, float, float]:
    """The form's clip: the drawing's box with a margin of its height all round, as glyphs
    may reach past the box (a bold J's hook left of its advance)."""
    margin = shape.height
    return (shape.left - margin, shape.top - margin, shape.left + shape.width + margin,
            shape.top + shape.height + margin)


def _form(pdf, operators: bytes, bbox: tuple[float, float, float, float], resources=None):
    """A Form XObject drawing ``operators`` (compressed once per process) in the pikepdf ``pdf``.

    A formula's form places glyph forms, so it names the ``resources`` where they are. The
    optional ``/Type /XObject`` is left out: a sheet has a few hundred forms, and qpdf writes
    each stream's dictionary with a space around every token.
    """
    import pikepdf

    extra = {} if resources is None else {"Resources": resources}
    return pikepdf.Stream(pdf, _deflated(operators), Subtype=pikepdf.Name.Form,
                          BBox=[round(v, 3) for v in bbox], Filter=pikepdf.Name.FlateDecode, **extra)


@lru_cache(maxsize=16384)
def _deflated(operators: bytes) -> bytes:
    """``operators`` compressed (zlib, level 9), once per process."""
    return zlib.compress(operators, 9)


def _add_resources(pdf_page, forms: dict[str, Any], font: Any) -> None:
    """Name ``forms`` and the invisible ``font`` in the page's resources (which WeasyPrint may
    share between pages)."""
    import pikepdf

    if "/Resources" not in pdf_page.obj:
        pdf_page.obj.Resources = pikepdf.Dictionary()
    resources = pdf_page.obj.Resources
    if "/XObject" not in resources:
        resources.XObject = pikepdf.Dictionary()
    for name, form in forms.items():
        resources.XObject[f"/{name}"] = form
    if font is not None:
        if "/Font" not in resources:
            resources.Font = pikepdf.Dictionary()
        resources.Font[f"/{FONT_NAME}"] = font


def _append_content(pdf, pdf_page, operators: bytes) -> None:
    """Draw ``operators`` on top of the page, in the page's default coordinates.

    WeasyPrint's page stream flips the y axis without saving the state first, so its
    stream is wrapped in ``q ... Q`` and the formulas follow the ``Q``.
    """
    import pikepdf

    closing = pikepdf.Stream(pdf, zlib.compress(b"Q\n" + operators, 9))
    closing.Filter = pikepdf.Name.FlateDecode
    pdf_page.contents_add(pikepdf.Stream(pdf, b"q"), prepend=True)
    pdf_page.contents_add(closing)
