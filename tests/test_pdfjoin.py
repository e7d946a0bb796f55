"""Joining PDFs page for page: every document from a new page, in order, readable by poppler."""

from __future__ import annotations

import io
import subprocess

import pytest

from derive.pdfjoin import join_pdfs
from derive.pdfread import PDFDocument, PDFError

from .conftest import require_tool

INFO = {"Title": "Joined", "Producer": "derive", "CreationDate": "D:20000101000000Z"}


def weasyprint_pdf(text: str, pages: int = 1, size: str = "A4") -> bytes:
    import weasyprint

    body = "".join(f'<p style="page-break-after: always">{text} page {n + 1}</p>' for n in range(pages))
    html = f"<html><head><style>@page {{ size: {size} }}</style></head><body>{body}</body></html>"
    return weasyprint.HTML(string=html).write_pdf()


def classic_pdf(text: str) -> bytes:
    """A small PDF with a cross-reference table (not a stream), as many writers make."""
    content = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] >>",
               b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start)
    return bytes(out)


def joined(documents: list[bytes], titles: list[str]) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    pages = join_pdfs(documents, buffer, titles, INFO)
    return buffer.getvalue(), pages


def pdf_pages_text(tmp_path, data: bytes) -> list[str]:
    pdftotext = require_tool("pdftotext")
    path = tmp_path / "joined.pdf"
    path.write_bytes(data)
    result = subprocess.run([pdftotext, str(path), "-"], check=True, capture_output=True, text=True)
    assert "Syntax Error" not in result.stderr, result.stderr
    return [page.strip() for page in result.stdout.split("\f")[:-1]]


@pytest.fixture(scope="module")
def sheets() -> list[bytes]:
    return [weasyprint_pdf("first", 2), weasyprint_pdf("second", 3, "letter"), weasyprint_pdf("third", 1)]


def test_pages_come_in_order_each_document_from_a_new_page(tmp_path, sheets):
    data, pages = joined(sheets, ["one", "two", "three"])
    assert pages == 6
    assert pdf_pages_text(tmp_path, data) == ["first page 1", "first page 2", "second page 1",
                                              "second page 2", "second page 3", "third page 1"]


def test_each_page_keeps_its_size_and_poppler_reads_the_metadata(tmp_path, sheets):
    pdfinfo = require_tool("pdfinfo")
    data, _ = joined(sheets, ["one", "two", "three"])
    path = tmp_path / "joined.pdf"
    path.write_bytes(data)
    result = subprocess.run([pdfinfo, "-f", "1", "-l", "6", str(path)], check=True, capture_output=True,
                            text=True)
    assert "Syntax Error" not in result.stderr
    sizes = [line.split(":", 1)[1].split("pts")[0].strip() for line in result.stdout.splitlines()
             if line.startswith("Page") and "size" in line]
    assert sizes[0] == sizes[1] == sizes[5] and sizes[2] == sizes[3] == sizes[4] != sizes[0]
    assert "Title:           Joined" in result.stdout and "2000" in result.stdout


def test_the_outline_has_one_entry_per_document_pointing_at_its_first_page(sheets):
    data, _ = joined(sheets, ["one", "two (é)", "three"])
    doc = PDFDocument(data)
    catalog = doc.get(doc.root.num).value
    outline = doc.get(catalog["Outlines"].num).value
    assert outline["Count"] == 3
    item, titles, firsts = outline["First"], [], []
    while item is not None:
        entry = doc.get(item.num).value
        titles.append(entry["Title"])
        firsts.append(entry["Dest"][0].num)
        item = entry.get("Next")
    assert titles[0] == b"(one)" and titles[1].startswith(b"<FEFF") and titles[2] == b"(three)"
    kids = [doc.get(k.num).value for k in doc.get(catalog["Pages"].num).value["Kids"]]
    assert firsts == [kid["Kids"][0].num for kid in kids]


def test_joining_is_deterministic(sheets):
    assert joined(sheets, ["a", "b", "c"]) == joined(sheets, ["a", "b", "c"])


def test_a_classic_cross_reference_table_is_read_too(tmp_path, sheets):
    data, pages = joined([classic_pdf("plain"), sheets[2]], ["plain", "third"])
    assert pages == 2
    assert pdf_pages_text(tmp_path, data) == ["plain", "third page 1"]


def test_something_that_is_not_a_pdf_is_refused():
    with pytest.raises(PDFError, match="not a PDF"):
        joined([b"hello"], ["x"])
