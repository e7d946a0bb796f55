"""DejaVu Sans for the printed graph's labels: glyph outlines, advances and kerning, via fontTools.

The SVG picture names DejaVu Sans; matplotlib ships it (regular and bold), so the font files
are found in matplotlib's package data without importing matplotlib. fontTools (which
WeasyPrint already uses) reads only what a label needs, lazily: opening a face takes
milliseconds, where parsing all of its positioning tables (as ziafont does) took 0.8 s in
every batch worker.

Kerning is the font's GPOS ``kern`` feature for Latin (pair adjustments, as HarfBuzz applies
them when WeasyPrint sets the SVG's text); outlines are PDF path operators in font units,
y up, drawn once per glyph as a shared Form XObject (``pdf_formulas.Glyph``).
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import Any

from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont

from .pdf_formulas import Glyph, glyph_from_operators


class LabelFont:
    """One face of DejaVu Sans: what setting a line of label text needs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._font = TTFont(path, lazy=True)
        self.units_per_em: int = self._font["head"].unitsPerEm
        self._cmap: dict[int, str] = self._font.getBestCmap()
        self._glyph_set = self._font.getGlyphSet()
        self._metrics = self._font["hmtx"].metrics
        self._kern_subtables = _latin_kerning(self._font)
        self._outlines: dict[str, Glyph | None] = {}
        self._pairs: dict[tuple[str, str], int] = {}

    def glyph_name(self, character: str) -> str:
        return self._cmap.get(ord(character), ".notdef")

    def advance(self, name: str) -> int:
        """The glyph's advance width, in font units."""
        return self._metrics[name][0]

    def outline(self, name: str) -> Glyph | None:
        """The glyph's outline (font units, y up), or None for a glyph that draws nothing."""
        if name not in self._outlines:
            pen = _PDFPen(self._glyph_set)
            self._glyph_set[name].draw(pen)
            drawn = " ".join(pen.operators)
            self._outlines[name] = glyph_from_operators(drawn + " f") if drawn else None
        return self._outlines[name]

    def kerning(self, left: str, right: str) -> int:
        """The advance adjustment of ``left`` when ``right`` follows it, in font units."""
        if (left, right) not in self._pairs:
            self._pairs[left, right] = sum(_pair_adjustment(lookup, left, right)
                                           for lookup in self._kern_subtables)
        return self._pairs[left, right]


@lru_cache(maxsize=2)
def label_font(bold: bool) -> LabelFont:
    """DejaVu Sans, regular or bold, from matplotlib's copy (found without importing it)."""
    spec = importlib.util.find_spec("matplotlib")
    folder = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    return LabelFont(folder / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"))


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


class _PDFPen(BasePen):
    """Collects a glyph's contours as PDF path operators (BasePen turns quadratics into cubics)."""

    def __init__(self, glyph_set: Any) -> None:
        super().__init__(glyph_set)
        self.operators: list[str] = []

    def _moveTo(self, point):
        self.operators.append(f"{_number(point[0])} {_number(point[1])} m")

    def _lineTo(self, point):
        self.operators.append(f"{_number(point[0])} {_number(point[1])} l")

    def _curveToOne(self, first, second, end):
        self.operators.append(" ".join(_number(v) for v in (*first, *second, *end)) + " c")

    def _closePath(self):
        self.operators.append("h")


def _number(value: float) -> str:
    """Font units: integers as they are, other points to 1/100 unit."""
    return str(int(value)) if value == int(value) else f"{value:.2f}"
