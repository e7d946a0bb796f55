"""Formulas in the PDF: ziamath's glyph outlines as PDF Form XObjects, placed after layout.

(The printed graph's labels take the same road: see ``picture_print``.)

WeasyPrint can draw an inline SVG formula, but it parses every glyph outline point by
point in Python: about 1.1 s of a 2 s sheet. Instead, the print HTML holds an empty box of
the formula's exact size (``FormulaBoxes.box``), WeasyPrint lays the page out around it,
and ``FormulaBoxes.finisher`` (WeasyPrint's public post-processing hook) draws each formula
into its box: one Form XObject per distinct formula per document, its outlines converted
once per process (``drawing``), so a formula that recurs on every sheet of a class set is
converted once. The glyphs, positions and sizes are ziamath's, exactly as in the SVG.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from functools import lru_cache

from markupsafe import Markup, escape

from .formulas import TEXT_SIZE_PX, flatten_fences

ANCHOR_PREFIX = "derive-math-"
PX_TO_PT = 0.75
"""PDF points per CSS px (72 / 96), WeasyPrint's own scale."""
_SVG = "{http://www.w3.org/2000/svg}"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[A-Za-z]")


@dataclass(frozen=True)
class Drawing:
    """One formula in PDF terms: its box in CSS px and its outlines as content-stream bytes.

    The operators use SVG user units (px, y pointing down, baseline at y = 0, the formula
    starting at x = 0) inside the box whose corner is ``(left, top)``; ``descent`` is how far
    the box reaches below the baseline and ``advance`` where the next formula would start.
    """

    left: float
    top: float
    width: float
    height: float
    advance: float
    operators: bytes

    @property
    def descent(self) -> float:
        return self.top + self.height

    def then(self, other: Drawing) -> Drawing:
        """This formula followed on the same baseline by ``other``, as ziamath sets them in one row."""
        top = min(self.top, other.top)
        bottom = max(self.descent, other.descent)
        right = self.advance + other.left + other.width
        shifted = f"q 1 0 0 1 {self.advance:.3f} 0 cm\n".encode() + other.operators + b"\nQ"
        return Drawing(self.left, top, right - self.left, bottom - top, self.advance + other.advance,
                       self.operators + b"\n" + shifted)


@lru_cache(maxsize=4096)
def drawing(tex: str, display: bool = False) -> Drawing:
    """``tex`` as ziamath lays it out, in PDF operators.

    A chain of equalities is laid out one ``= ...`` part at a time and the parts are set
    side by side: ziamath gives a leading ``=`` the same spacing as an inner one, so the
    result is the same, and the symbolic parts that every variant of a class set repeats
    are laid out once (ziamath's layout is most of a sheet's remaining formula cost).
    """
    parts = equality_parts(flatten_fences(tex))
    result = _laid_out(parts[0], display)
    for part in parts[1:]:
        result = result.then(_laid_out(part, display))
    return replace(result, operators=b"0 g\n" + result.operators)


@lru_cache(maxsize=8192)
def _laid_out(tex: str, display: bool) -> Drawing:
    import ziamath

    ziamath.config.svg2 = False  # plain paths, no <use>
    size = TEXT_SIZE_PX * (1.1 if display else 1.0)
    math = ziamath.Latex(tex, size=size)
    root = math.svgxml()
    left, top, width, height = (float(v) for v in root.attrib["viewBox"].split())
    return Drawing(left, top, width, height, math.node.bbox.xmax, svg_operators(root))


_GROUPING = re.compile(r"\\left\b|\\right\b|\\begin\b|\\end\b|\\.|[{}]| = ")


def equality_parts(tex: str) -> list[str]:
    """``a = b = c`` as ``["a", "= b", "= c"]``, splitting only at top-level `` = ``
    (outside braces, ``\\left ... \\right`` and environments)."""
    parts, depth, start = [], 0, 0
    for match in _GROUPING.finditer(tex):
        token = match.group(0)
        if token in ("{", "\\left", "\\begin"):
            depth += 1
        elif token in ("}", "\\right", "\\end"):
            depth -= 1
        elif token == " = " and depth == 0 and tex[start:match.start()].strip():
            parts.append(tex[start:match.start()])
            start = match.start() + 1
    parts.append(tex[start:])
    return parts


def svg_operators(root: ET.Element) -> bytes:
    """The filled paths and rectangles under ``root``: all that ziamath draws."""
    out: list[str] = []
    for element in root.iter():
        tag = element.tag.removeprefix(_SVG)
        if tag == "path":
            out.append(path_operators(element.attrib.get("d", "")))
        elif tag == "rect":
            x, y, w, h = (float(element.attrib.get(k, 0)) for k in ("x", "y", "width", "height"))
            out.append(f"{x:.3f} {y:.3f} {w:.3f} {h:.3f} re f")
    return "\n".join(part for part in out if part).encode()


def path_operators(d: str) -> str:
    """An SVG path of absolute ``M L H V Q C Z`` commands (what ziafont writes) as a filled PDF path.

    PDF has no quadratic curve, so ``Q`` becomes the equivalent cubic: control points two
    thirds of the way from each end point to the quadratic's control point.
    """
    tokens = _NUMBER.findall(d)
    out: list[str] = []
    x = y = start_x = start_y = 0.0
    i, command = 0, ""
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                out.append("h")
                x, y = start_x, start_y
                continue
        values = tokens[i:i + {"M": 2, "L": 2, "H": 1, "V": 1, "Q": 4, "C": 6}.get(command, 0)]
        if command not in "MLHVQC" or not values:
            raise ValueError(f"unsupported SVG path command {command!r} in a formula")
        i += len(values)
        v = [float(t) for t in values]
        if command == "M":
            x, y = start_x, start_y = v
            out.append(f"{x:.3f} {y:.3f} m")
            command = "L"  # further pairs after a moveto are linetos
        elif command in "LHV":
            x, y = (v[0], v[1]) if command == "L" else (v[0], y) if command == "H" else (x, v[0])
            out.append(f"{x:.3f} {y:.3f} l")
        elif command == "Q":
            (qx, qy, ex, ey) = v
            out.append(f"{x + 2 * (qx - x) / 3:.3f} {y + 2 * (qy - y) / 3:.3f} "
                       f"{ex + 2 * (qx - ex) / 3:.3f} {ey + 2 * (qy - ey) / 3:.3f} {ex:.3f} {ey:.3f} c")
            x, y = ex, ey
        else:
            out.append(" ".join(f"{c:.3f}" for c in v) + " c")
            x, y = v[4], v[5]
    return " ".join(out) + (" f" if out else "")


@dataclass
class FormulaBoxes:
    """The drawings of one print document: empty boxes in its HTML, drawn in by the finisher."""

    placed: list[Drawing] = field(default_factory=list)

    def place(self, shape: Drawing) -> str:
        """The anchor (element id) of a box to be drawn as ``shape``."""
        self.placed.append(shape)
        return f"{ANCHOR_PREFIX}{len(self.placed) - 1}"

    def box(self, tex: str, display: bool = False) -> Markup:
        """An empty inline box exactly the size of ``tex``, baseline on the line's baseline."""
        shape = drawing(tex, display)
        style = (f"width:{shape.width:.2f}px;height:{shape.height:.2f}px;"
                 f"vertical-align:{-shape.descent:.2f}px")
        markup = (f'<span class="formula" id="{self.place(shape)}" role="img" aria-label="{escape(tex)}" '
                  f'style="{style}"></span>')
        return Markup(f'<span class="display-math">{markup}</span>' if display else markup)

    def finisher(self, document, pdf) -> None:
        """Draw every box's drawing into it, as WeasyPrint's ``write_pdf(finisher=...)``."""
        import pydyf

        resources = _shared_resources(pdf)
        names: dict[Drawing, str] = {}
        for page, pdf_page in zip(document.pages, _pdf_pages(pdf), strict=True):
            placements: list[str] = []
            for anchor, (x, y, _, _) in sorted(page.anchors.items(), key=lambda item: _index(item[0])):
                if not anchor.startswith(ANCHOR_PREFIX):
                    continue
                shape = self.placed[_index(anchor)]
                if shape not in names:
                    names[shape] = f"DeriveMath{len(names)}"
                    resources["XObject"][names[shape]] = _form(pdf, shape).reference
                e = PX_TO_PT * (x - shape.left)
                f = PX_TO_PT * (page.height - y + shape.top)
                placements.append(f"q {PX_TO_PT} 0 0 {-PX_TO_PT} {e:.3f} {f:.3f} cm /{names[shape]} Do Q")
            if placements:
                _append_content(pdf, pdf_page, "\n".join(placements).encode(), pydyf)


def _index(anchor: str) -> int:
    return int(anchor.removeprefix(ANCHOR_PREFIX)) if anchor.startswith(ANCHOR_PREFIX) else -1


def _form(pdf, shape: Drawing):
    """A Form XObject of ``shape`` in its own px units, added to ``pdf``."""
    import pydyf

    bbox = [shape.left, shape.top, shape.left + shape.width, shape.top + shape.height]
    form = pydyf.Stream([shape.operators], pydyf.Dictionary({
        "Type": "/XObject", "Subtype": "/Form", "BBox": pydyf.Array(round(v, 3) for v in bbox)}),
        compress=True)
    pdf.add_object(form)
    return form


def _pdf_pages(pdf) -> list:
    """The page dictionaries of a pydyf document, in page order (``Kids`` is ``n 0 R`` triples)."""
    return [pdf.objects[number] for number in pdf.pages["Kids"][::3]]


def _shared_resources(pdf):
    """The resource dictionary WeasyPrint gives every page (one per document)."""
    references = {page["Resources"] for page in _pdf_pages(pdf)}
    if len(references) != 1:
        raise RuntimeError("expected WeasyPrint to share one resource dictionary between pages")
    return pdf.objects[int(references.pop().split()[0])]


def _append_content(pdf, pdf_page, operators: bytes, pydyf) -> None:
    """Draw ``operators`` on top of the page, in the page's default coordinates.

    WeasyPrint's page stream flips the y axis without saving the state first, so its
    stream is wrapped in ``q ... Q`` and the formulas follow the ``Q``.
    """
    opening = pydyf.Stream([b"q"])
    closing = pydyf.Stream([b"Q\n" + operators], compress=True)
    pdf.add_object(opening)
    pdf.add_object(closing)
    pdf_page["Contents"] = pydyf.Array([opening.reference, pdf_page["Contents"], closing.reference])
