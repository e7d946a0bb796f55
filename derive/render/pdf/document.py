"""The PDF handout: WeasyPrint prints the print-styled HTML, fetching nothing.

Figures arrive as inline SVG and each formula as an empty box that ``pdf.formulas`` draws
into after layout, so the document needs no resource at all; the URL fetcher refuses the
network and every file outside the templates folder.
Metadata dates are fixed so the same spec gives the same PDF.

The PDF is tagged (WeasyPrint's ``pdf_tags``): its structure tree holds the headings, the
paragraphs, the tables with their header cells, the language (the page's ``lang``) and the
title shown as the window's; ``pdf.tags`` gives each formula drawn after layout its element and
its text. It claims no PDF/UA conformance (``pdf_variant="pdf/ua-1"`` would write that claim
into its metadata), as nothing here checks it against the standard.

A student sheet's numbers are drawn after layout too, so the variants of a class set share
one HTML page, and its layout and WeasyPrint's PDF of it (all of WeasyPrint's time) are kept
and drawn into again with each variant's numbers: a worker lays out and writes one student
sheet per distinct page (usually one or two per set: the stated precision can differ) instead
of one per variant.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ...errors import DeriveError
from ...sheet.model import Worksheet
from ..html import render_print_html, shares_layout
from ..templating import templates_dir
from .formulas import FormulaBoxes
from .tags import WRITE_OPTIONS
from .weasy import weasyprint

FIXED_DATE = "2000-01-01T00:00:00Z"
_KEPT_LAYOUTS = threading.Lock()


def local_only_fetcher():
    """A WeasyPrint fetcher for ``file:`` URLs inside the templates folder, refusing all else.

    A refused fetch stops the render (``fail_on_errors``) instead of printing without it.
    """
    URLFetcher = weasyprint().urls.URLFetcher  # noqa: N806 - a class

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict | None = None):
            root = templates_dir().resolve()
            if url.startswith("file://"):
                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.is_relative_to(root):
                    return super().fetch(url, headers)
            raise DeriveError("pdf", f"refused to fetch {url!r}: the PDF uses only the templates folder")

    return LocalOnlyFetcher(allowed_protocols=("file",), fail_on_errors=True)


def render_pdf(sheet: Worksheet, paper: str = "a4") -> bytes:
    """The worksheet as PDF bytes."""
    boxes = FormulaBoxes()
    if sheet.variant:
        role = "student sheet" if sheet.student else "answer key"
        boxes.title = f"{sheet.title} ({role}, variant {sheet.variant})"
    html = render_print_html(sheet, boxes, paper).replace(
        "<head>", f'<head>\n<meta name="dcterms.created" content="{FIXED_DATE}">'
        f'\n<meta name="dcterms.modified" content="{FIXED_DATE}">', 1)
    if not shares_layout(sheet):
        return boxes.write_pdf(layout(html))
    with _KEPT_LAYOUTS:  # one thread lays a page out, the others wait and share it
        document, data = kept_layout(html)
    return boxes.draw(document, data)  # reads only the document's pages, boxes and size


def layout(html: str):
    """WeasyPrint's laid-out document of the print page ``html``."""
    # inline SVG style attributes (matplotlib's) are applied but logged as unknown CSS
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return weasyprint().HTML(string=html, base_url=templates_dir().as_uri() + "/",
                           url_fetcher=local_only_fetcher()).render()


@lru_cache(maxsize=8)
def kept_layout(html: str) -> tuple[Any, bytes]:
    """``layout(html)`` of a class set's sheet (a student sheet or a key) and WeasyPrint's (tagged)
    PDF of it, kept for the next variant with the same page: the same layout gives the same
    bytes, so each variant only has its numbers drawn in."""
    document = layout(html)
    return document, document.write_pdf(**WRITE_OPTIONS)
