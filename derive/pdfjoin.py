"""Join PDFs page for page (students.pdf, keys.pdf) without drawing anything again.

WeasyPrint spends most of a sheet's time drawing its SVG formulas; drawing every sheet a
second time to combine them would double a class set's PDF time. Instead each sheet's
PDF, already rendered, is read back and copied: the objects its page tree reaches are
renumbered and written out, each sheet's page tree becomes one kid of a new page tree
(so every sheet starts on a new page and keeps its page sizes and resources), and an
outline gets one entry per sheet. Metadata is fixed, so the same inputs give the same bytes.

``pdfread`` reads each sheet's PDF back; the output is a plain PDF 1.7 with a classic
cross-reference table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import BinaryIO

from .pdfread import PDFDocument, tokens


def _renumber(text: bytes, mapping: dict[int, int]) -> bytes:
    """``text`` with every reference ``n g R`` pointing at ``mapping[n]`` (strings left alone)."""
    found = list(tokens(text))
    pieces, last = [], 0
    for i in range(len(found) - 2):
        (k1, s1, e1), (k2, _, _), (_, s3, e3) = found[i:i + 3]
        if k1 == "num" and k2 == "num" and text[s3:e3] == b"R" and b"." not in text[s1:e1]:
            pieces += [text[last:s1], str(mapping[int(text[s1:e1])]).encode()]
            last = e1
    pieces.append(text[last:])
    return b"".join(pieces)


def _text(value: str) -> bytes:
    """A PDF text string: literal if printable ASCII, else UTF-16 with a byte order mark."""
    if value.isascii() and value.isprintable():
        return b"(" + re.sub(rb"([()\\])", rb"\\\1", value.encode()) + b")"
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"


class _Writer:
    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.offsets: dict[int, int] = {}
        self.position = 0
        self.emit(b"%PDF-1.7\n%\xb5\xed\xae\xfb\n")

    def emit(self, data: bytes) -> None:
        self.out.write(data)
        self.position += len(data)

    def obj(self, num: int, head: bytes, stream: bytes | None = None) -> None:
        self.offsets[num] = self.position
        self.emit(b"%d 0 obj\n" % num + head)
        if stream is not None:
            self.emit(b"\nstream\n" + stream + b"\nendstream")
        self.emit(b"\nendobj\n")


def join_pdfs(documents: Iterable[bytes], out: BinaryIO, titles: Iterable[str],
              info: dict[str, str]) -> int:
    """Write the pages of ``documents`` in order to ``out`` as one PDF; return the page count.

    ``titles`` names each document in the outline; ``info`` is the document information
    (Title, Producer, CreationDate ...), written as given.
    """
    writer = _Writer(out)
    catalog, root, information, outlines = 1, 2, 3, 4
    next_num = 5
    kids: list[tuple[int, int, int]] = []  # (page tree, first page, page count)
    for data in documents:
        doc = PDFDocument(data)
        pages = doc.get(doc.root.num).value["Pages"].num
        numbers = doc.reachable(pages)
        mapping = {old: next_num + i for i, old in enumerate(numbers)}
        next_num += len(numbers)
        for old in numbers:
            obj = doc.get(old)
            head = _renumber(obj.head, mapping)
            if old == pages:
                head = head.replace(b"<<", b"<</Parent %d 0 R" % root, 1)
            writer.obj(mapping[old], head, obj.stream)
        kids.append((mapping[pages], mapping[doc.first_page(pages)], int(doc.get(pages).value["Count"])))
    items = list(zip(range(next_num, next_num + len(kids)), kids, titles, strict=False))
    for n, (num, (_, first, _), title) in enumerate(items):
        links = b"".join((b"/Prev %d 0 R" % items[n - 1][0] if n else b"",
                          b"/Next %d 0 R" % items[n + 1][0] if n + 1 < len(items) else b""))
        writer.obj(num, b"<</Title " + _text(title) + b"/Parent %d 0 R" % outlines + links
                   + b"/Dest [%d 0 R /Fit]>>" % first)
    total = sum(count for _, _, count in kids)
    writer.obj(root, b"<</Type /Pages/Kids [" + b" ".join(b"%d 0 R" % k for k, _, _ in kids)
               + b"]/Count %d>>" % total)
    outline = (b"/First %d 0 R/Last %d 0 R/Count %d" % (items[0][0], items[-1][0], len(items))
               if items else b"")
    writer.obj(outlines, b"<</Type /Outlines" + outline + b">>")
    writer.obj(catalog, b"<</Type /Catalog/Pages %d 0 R/Outlines %d 0 R>>" % (root, outlines))
    writer.obj(information, b"<<" + b"".join(b"/" + key.encode() + b" " + _text(value)
                                             for key, value in info.items()) + b">>")
    size = max([next_num + len(kids) - 1, *writer.offsets]) + 1
    start = writer.position
    entries = [b"0000000000 65535 f \n"] + [
        b"%010d 00000 n \n" % writer.offsets[n] if n in writer.offsets else b"0000000000 65535 f \n"
        for n in range(1, size)]
    writer.emit(b"xref\n0 %d\n" % size + b"".join(entries))
    writer.emit(b"trailer\n<</Size %d/Root %d 0 R/Info %d 0 R>>\nstartxref\n%d\n%%%%EOF\n"
                % (size, catalog, information, start))
    return total
