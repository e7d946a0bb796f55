"""Rendering: the worksheet model to documents in memory, one entry per format.

Rendering returns text or bytes keyed by file name; only ``writer`` touches the disk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..sheet.model import Worksheet

FORMATS = ("html", "fragment", "pdf", "tex", "json")


@dataclass(frozen=True)
class Options:
    """Choices that change a rendering but not the numbers."""

    math: str = "mathml"
    paper: str = "a4"


def _renderers(options: Options) -> dict[str, tuple[str, Callable[[Worksheet], str | bytes]]]:
    from .html import render_fragment, render_page
    from .json import to_json
    from .pdf.document import render_pdf
    from .tex import render_tex

    return {
        "html": (".html", render_page),
        "fragment": (".fragment.html", lambda sheet: render_fragment(sheet, options.math)),
        "pdf": (".pdf", lambda sheet: render_pdf(sheet, options.paper)),
        "tex": (".tex", lambda sheet: render_tex(sheet, options.paper)),
        "json": (".json", to_json),
    }


def render_all(
    sheet: Worksheet, formats: tuple[str, ...], options: Options = Options()
) -> dict[str, str | bytes]:
    """Every requested format of ``sheet``, keyed by output file name."""
    renderers = _renderers(options)
    documents: dict[str, str | bytes] = {}
    for name in formats:
        suffix, function = renderers[name]
        documents[f"{sheet.stem}{suffix}"] = function(sheet)
    return documents
