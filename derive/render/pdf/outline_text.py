"""DejaVu text as glyph outlines, drawn into the PDF after layout: graph labels, given numbers.

Two kinds of text are not set by WeasyPrint. The graph's labels (``picture_print``): it sets
SVG text one letter at a time. And, on a student sheet, the numbers a student is given and
the variant ID (``given_box``): drawn into boxes whose size does not depend on them, so that
every variant's student sheet has the same HTML and ``document.render_pdf`` lays it out once.

The faces are DejaVu Sans (regular and bold) and DejaVu Sans Mono, the stylesheet's, read
from the copies matplotlib ships (found without importing it; matplotlib is pinned, so the
outlines are the same on every machine). fontTools (which WeasyPrint already uses) reads only
what a line needs, lazily: opening a face takes milliseconds, where parsing all of its
positioning tables (as ziafont does) took 0.8 s in every batch worker. Kerning is the face's
GPOS ``kern`` feature for Latin (pair adjustments, as HarfBuzz applies them when WeasyPrint
sets text); there are no ligatures (the stylesheet turns them off where text and outlines
must match). Outlines are PDF path operators in font units, y up, drawn once per glyph as a
shared Form XObject (``formulas.Glyph``).
"""

from __future__ import annotations

import importlib.util
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont
from markupsafe import Markup, escape

from .formulas import Drawing, FormulaBoxes, Glyph, Ink, PDFPen, glyph_from_operators, merged
from .tags import Alternative

FACES = {"sans": "DejaVuSans.ttf", "sans-bold": "DejaVuSans-Bold.ttf", "mono": "DejaVuSansMono.ttf",
         "serif": "DejaVuSerif.ttf", "running": "DejaVuSans.ttf"}
"""The faces, by the names used here, and their files in matplotlib's ``mpl-data/fonts/ttf``
(``running``: the running header's, on every page)."""
RUNNING = "running"
"""The face of given text in the running header: drawn on every page, as an artifact (a
pagination artifact is not read as content, but ``pdftotext`` finds it on each page)."""
TEXT_COLOUR = b"0.102 0.102 0.102 rg"
"""#1a1a1a, the stylesheet's and the SVG's text colour."""


ROOT_PX = 10 * 96 / 72
"""The print stylesheet's ``html { font-size: 10pt }``, in CSS px."""
GIVEN_PX = {"mono": 0.92 * ROOT_PX, "sans-bold": 0.95 * ROOT_PX, "serif": ROOT_PX, "running": 8.5 * 96 / 72}
"""Given text's size by face: ``td.num`` (0.92rem, DejaVu Sans Mono), the variant line (0.95rem,
bold), a number in a paragraph (1rem, DejaVu Serif, the sheet's text), the running header (8.5pt,
the print page's margin boxes)."""
GIVEN_MIN_CHARS = 7
"""A given number's box is at least this many monospace characters wide (``-0.125`` has six),
so that numbers of different lengths leave the same layout."""


class Face:
    """One DejaVu face: what setting a line of text needs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._font = TTFont(path, lazy=True)
        self.units_per_em: int = self._font["head"].unitsPerEm
        self.ascent: int = self._font["hhea"].ascent
        """Above the baseline, in font units (hhea, as Pango measures a line)."""
        self.descent: int = -self._font["hhea"].descent
        self._cmap: dict[int, str] = self._font.getBestCmap()
        self._glyph_set = self._font.getGlyphSet()
        self._metrics = self._font["hmtx"].metrics
        self._kern_subtables = _latin_kerning(self._font)
        self._outlines: dict[str, Glyph | None] = {}
        self._pairs: dict[tuple[str, str], int] = {}
        self._reading = threading.Lock()  # fontTools decodes lazily, and not thread-safely

    def glyph_name(self, character: str) -> str:
        return self._cmap.get(ord(character), ".notdef")

    def has(self, text: str) -> bool:
        """Whether the face has a glyph for every character of ``text``."""
        return all(ord(character) in self._cmap for character in text)

    def advance(self, name: str) -> int:
        """The glyph's advance width, in font units."""
        return self._metrics[name][0]

    def outline(self, name: str) -> Glyph | None:
        """The glyph's outline (font units, y up), or None for a glyph that draws nothing."""
        if name not in self._outlines:
            with self._reading:
                pen = PDFPen(_number, self._glyph_set)
                self._glyph_set[name].draw(pen)
            drawn = " ".join(pen.operators)
            self._outlines[name] = glyph_from_operators(drawn + " f") if drawn else None
        return self._outlines[name]

    def kerning(self, left: str, right: str) -> int:
        """The advance adjustment of ``left`` when ``right`` follows it, in font units."""
        if (left, right) not in self._pairs:
            with self._reading:
                self._pairs[left, right] = sum(_pair_adjustment(lookup, left, right)
                                               for lookup in self._kern_subtables)
        return self._pairs[left, right]


@lru_cache(maxsize=len(FACES))
def face(name: str) -> Face:
    """The face called ``name`` in ``FACES``, from matplotlib's copy (found without importing it)."""
    spec = importlib.util.find_spec("matplotlib")
    folder = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    return Face(folder / FACES[name])


@lru_cache(maxsize=4096)
def set_line(text: str, px: float, face_name: str) -> tuple[float, Ink]:
    """``text`` at ``px`` as (advance width, outlines with the baseline at y = 0), kerned."""
    if not text:  # a student sheet's blanked value
        return 0.0, Ink(b"")
    font = face(face_name)
    scale = px / font.units_per_em
    names = [font.glyph_name(character) for character in text]
    x = 0  # font units
    out: list[str] = []
    for name, following in zip(names, [*names[1:], None], strict=True):
        glyph = font.outline(name)
        if glyph is not None:  # a space draws nothing
            out.append(f"q {scale:.6f} 0 0 {-scale:.6f} {x * scale:.3f} 0 cm /{glyph.name} Do Q")
        x += font.advance(name) + (font.kerning(name, following) if following else 0)
    glyphs = tuple(glyph for glyph in map(font.outline, names) if glyph is not None)
    return x * scale, Ink("\n".join(out).encode(), merged(glyphs))


def given_box(boxes: FormulaBoxes, text: str, face_name: str = "mono", computed: bool = False,
              wide_chars: int = GIVEN_MIN_CHARS) -> Markup:
    """On a student sheet, a given number (or, in ``sans-bold`` or ``running``, the variant ID) as
    an empty box that ``boxes`` draws it into, right-aligned, on the line's baseline.

    The box's size does not depend on the digits: a number's is ``GIVEN_MIN_CHARS`` monospace
    characters (a ``computed`` one's, on a class set's key, ``wide_chars``: as many as any
    number at the set's precision takes), or its length if longer; an ID's (or a sans-serif
    number's in a sentence, ``1.2e-07``) is its advance, the same for every ID of a class set (DejaVu's
    digits all have one width). Text the face cannot draw (an ID
    from a spec named in another script) stays text, for WeasyPrint to set with a fallback font.
    The PDF's structure tree holds the text, and the page holds it invisibly (``tags``); in the
    running header (``running``), a box in every page's margin, it is an artifact with the text
    invisibly on each page.
    """
    font = face(face_name)
    if not text or not font.has(text):
        return Markup(escape(text))
    px = GIVEN_PX[face_name]
    width, ink = set_line(text, px, face_name)
    scale = px / font.units_per_em
    box = set_line(re.sub(r"[0-9]", "0", text), px, face_name)[0]  # kerning aside, digits have one width
    if face_name == "mono":
        chars = max(len(text), wide_chars if computed else GIVEN_MIN_CHARS)
        box = chars * font.advance(font.glyph_name("0")) * scale
    ascent, descent = font.ascent * scale, font.descent * scale
    operators = b"q 1 0 0 1 %.3f 0 cm\n%s\n%s\nQ" % (box - width, TEXT_COLOUR, ink.operators)
    drawing = Drawing(0.0, -ascent, box, ascent + descent, box, operators, ink.glyphs)
    style = f"width:{box:.2f}px;height:{ascent + descent:.2f}px;vertical-align:{-descent:.2f}px"
    role = "Artifact" if face_name == RUNNING else "Span"
    return boxes.marked_box(drawing, Alternative(text, role), "given", style)


def _latin_kerning(font: Any) -> list[list[Any]]:
    """The subtables of each lookup of the ``kern`` feature, for Latin (else the default script)."""
    if "GPOS" not in font:
        return []
    table = font["GPOS"].table
    scripts = {record.ScriptTag: record.Script for record in table.ScriptList.ScriptRecord}
    script = scripts.get("latn") or scripts.get("DFLT")
    if script is None or script.DefaultLangSys is None:
        return []
    features = [table.FeatureList.FeatureRecord[i] for i in script.DefaultLangSys.FeatureIndex]
    indices = sorted({i for record in features if record.FeatureTag == "kern"
                      for i in record.Feature.LookupListIndex})
    lookups = []
    for index in indices:
        lookup = table.LookupList.Lookup[index]
        subtables = [s.ExtSubTable if lookup.LookupType == 9 else s for s in lookup.SubTable]
        lookups.append([s for s in subtables if s.LookupType == 2])  # pair adjustment
    return lookups


def _pair_adjustment(subtables: list[Any], left: str, right: str) -> int:
    """The first subtable of a pair-positioning lookup that covers ``left right``: its x advance."""
    for subtable in subtables:
        if left not in subtable.Coverage.glyphs:
            continue
        if subtable.Format == 1:
            pairs = subtable.PairSet[subtable.Coverage.glyphs.index(left)].PairValueRecord
            record = next((r for r in pairs if r.SecondGlyph == right), None)
            if record is None:
                continue
            value = record.Value1
        else:
            first = subtable.ClassDef1.classDefs.get(left, 0)
            second = subtable.ClassDef2.classDefs.get(right, 0)
            value = subtable.Class1Record[first].Class2Record[second].Value1
        return (getattr(value, "XAdvance", 0) or 0) if value is not None else 0
    return 0


def _number(value: float) -> str:
    """Font units: integers as they are, other points to 1/100 unit."""
    return str(int(value)) if value == int(value) else f"{value:.2f}"
