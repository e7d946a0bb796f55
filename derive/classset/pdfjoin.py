"""Join PDFs page for page (students.pdf, keys.pdf) without drawing anything again.

WeasyPrint spends most of a sheet's time drawing its SVG formulas; drawing every sheet a
second time to combine them would double a class set's PDF time. Instead pikepdf (qpdf)
reads each sheet's PDF back and copies its pages, each with everything it uses (contents,
resources, fonts, images, form XObjects, annotations), so every sheet starts on a new page
and keeps its page sizes. Every sheet starts on an odd page: after a sheet with an odd page
count comes a blank page of its last page's size, so that a double-sided print never puts
the end of one student's sheet and the start of the next on one sheet of paper.
Flate-compressed stream data is passed through as it is (not decoded and compressed again)
and written straight to ``out``; the small objects are packed into compressed object
streams. The outline gets one entry per sheet (the sheet's own headings are left out). The
document information is written as given, nothing adds a date, and the file identifier is a
digest of the written content, so the same inputs give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import BinaryIO

import pikepdf
from pikepdf import Dictionary, ObjectStreamMode, OutlineItem, Pdf

from ..errors import DeriveError


class _Guarded(io.RawIOBase):
    """A stream for qpdf that never raises: an exception inside qpdf's C++ writer (a full disk)
    aborts the process, so the first OSError is kept, later writes dropped, and ``join_pdfs``
    raises it once qpdf has returned."""

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__()
        self.stream = stream
        self.error: OSError | None = None

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if self.error is None:
            try:
                self.stream.write(data)
            except OSError as error:
                self.error = error
        return len(data)

    def flush(self) -> None:
        if self.error is None:
            try:
                self.stream.flush()
            except OSError as error:
                self.error = error


class PDFError(DeriveError, ValueError):
    """A document that cannot be read as a PDF, named by its title."""


# What reading a damaged PDF with qpdf can raise (PikepdfError: PdfError, PasswordError ...).
_READ_ERRORS = (pikepdf.PikepdfError, RuntimeError, ValueError, KeyError, IndexError, TypeError)


def _copy_pages(pdf: Pdf, data: bytes, name: str) -> tuple[str, int]:
    """Append every page of the PDF ``data`` to ``pdf``; raise PDFError naming ``name``.

    Returns the source's PDF version and extension level. pikepdf has qpdf copy the pages'
    stream data at once (``setImmediateCopyFrom``), so the source is closed here, not kept
    open until ``pdf`` is written.
    """
    buffer = io.BytesIO(data)

    def refuse(reason: str) -> PDFError:
        return PDFError(name, f"cannot read it as a PDF ({reason})")

    def clean(message: object) -> str:
        # qpdf names the input "stream <_io.BytesIO object at 0x...>": the key names the sheet.
        return str(message).replace(f"stream {buffer}", "").lstrip(" ,:")

    try:
        # No repairs: a damaged file is refused rather than joined with pages missing. The
        # page tree is walked (and quietly mended by qpdf) only once /Count has been read;
        # inherited page attributes are pushed to each page as it is copied.
        with Pdf.open(buffer, attempt_recovery=False, inherit_page_attributes=False) as source:
            count = source.Root.Pages.get("/Count")
            pages = source.pages
            if count == len(pages):
                pdf.pages.extend(pages)
            warnings = source.get_warnings()  # what qpdf read past or repaired while copying
            version = source.pdf_version, source.extension_level
    except _READ_ERRORS as error:
        raise refuse(f"{type(error).__name__}: {clean(error)}") from error
    if count != len(pages):
        raise refuse(f"its page tree counts {count} pages but holds {len(pages)}")
    if warnings:
        raise refuse(f"{len(warnings)} problem(s), first: {clean(warnings[0])}")
    return version


def _newer(version: tuple[str, int], other: tuple[str, int]) -> tuple[str, int]:
    """The later of two (PDF version, extension level) pairs."""
    def key(pair: tuple[str, int]) -> tuple[tuple[int, ...], int]:
        return tuple(int(part) for part in pair[0].split(".") if part.isdigit()), pair[1]

    return max(version, other, key=key)


def _blank_page_after(pdf: Pdf) -> None:
    """Add a blank page the size of ``pdf``'s last page."""
    x0, y0, x1, y1 = (float(v) for v in pdf.pages[-1].mediabox)
    pdf.add_blank_page(page_size=(x1 - x0, y1 - y0))


def join_pdfs(documents: Iterable[bytes], out: BinaryIO, titles: Iterable[str],
              info: dict[str, str]) -> int:
    """Write the pages of ``documents`` in order to ``out`` as one PDF, each from an odd page (a
    blank page before it where needed); return the page count.

    ``titles`` names each document in the outline (a document without a title gets no
    entry); ``info`` is the document information (Title, Producer, CreationDate ...), written
    as given. A document that is not a readable PDF raises PDFError.
    """
    with Pdf.new() as pdf:
        version = pdf.pdf_version, pdf.extension_level
        items: list[OutlineItem] = []
        names = iter(titles)
        for number, data in enumerate(documents, 1):
            title = next(names, None)
            if len(pdf.pages) % 2:
                _blank_page_after(pdf)
            first = len(pdf.pages)
            name = title if title is not None else f"document {number}"
            version = _newer(version, _copy_pages(pdf, data, name))
            if title is not None and len(pdf.pages) > first:
                items.append(OutlineItem(title, first))  # a flat entry: /Dest [its first page /Fit]
        if items:
            with pdf.open_outline() as outline:
                outline.root.extend(items)
        if info:
            pdf.trailer.Info = pdf.make_indirect(Dictionary({f"/{key}": text for key, text in info.items()}))
        # deterministic_id: both halves of /ID are a digest of the content written (so of the
        # inputs, titles and info) instead of the time and file name. Flate streams are copied
        # as they are; the other objects go into compressed object streams.
        guarded = _Guarded(out)
        pdf.save(guarded, min_version=version, object_stream_mode=ObjectStreamMode.generate,
                 deterministic_id=True)
        if guarded.error is not None:
            raise guarded.error
        out.flush()
        return len(pdf.pages)
