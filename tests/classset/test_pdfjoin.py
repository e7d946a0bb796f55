"""Joining PDFs page for page: every document from an odd page, in order, readable by poppler."""

from __future__ import annotations

import io
import re
import subprocess
from html import unescape

import pikepdf
import pytest

from derive.classset.pdfjoin import PDFError, join_pdfs
from derive.errors import DeriveError

from ..conftest import require_tool

INFO = {"Title": "Joined", "Producer": "derive", "CreationDate": "D:20000101000000Z"}


def weasyprint_pdf(text: str, pages: int = 1, size: str = "A4") -> bytes:
    import weasyprint

    body = "".join(f'<p style="page-break-after: always">{text} page {n + 1}</p>' for n in range(pages))
    html = f"<html><head><style>@page {{ size: {size} }}</style></head><body>{body}</body></html>"
    return weasyprint.HTML(string=html).write_pdf()


def handmade_pdf(objects: list[bytes], version: bytes = b"1.4") -> bytes:
    """A PDF of ``objects`` (numbered from 1, the first the catalog) with a classic xref table."""
    out, offsets = bytearray(b"%PDF-" + version + b"\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start)
    return bytes(out)


def stream(content: bytes, head: bytes = b"") -> bytes:
    return b"<< %s/Length %d >>\nstream\n" % (head, len(content)) + content + b"\nendstream"


def classic_pdf(text: str) -> bytes:
    """A small PDF as many writers make: a classic xref table, the page size inherited from /Pages."""
    return handmade_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] >>",
        b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        stream(f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode())])


def layered_pdf() -> bytes:
    """One page drawn by a /Contents array of three streams, one of which draws a Form XObject."""
    return handmade_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 400] /Contents [5 0 R 6 0 R 7 0 R]"
        b" /Resources << /Font << /F1 4 0 R >> /XObject << /Fm1 8 0 R >> >> >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        stream(b"q BT /F1 12 Tf 20 360 Td (alpha) Tj ET"),
        stream(b"BT /F1 12 Tf 20 300 Td (beta) Tj ET Q"),
        stream(b"q 1 0 0 1 20 200 cm /Fm1 Do Q"),
        stream(b"BT /F1 12 Tf 0 0 Td (gamma) Tj ET", b"/Type /XObject /Subtype /Form /BBox [0 0 200 50]"
                                                   b" /Resources << /Font << /F1 4 0 R >> >> ")])


def joined(documents: list[bytes], titles: list[str], info: dict[str, str] = INFO) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    pages = join_pdfs(documents, buffer, titles, info)
    return buffer.getvalue(), pages


def poppler(tmp_path, tool: str, data: bytes, *args: str) -> str:
    """What a poppler tool prints about ``data``, failing on any syntax error it reports."""
    path = tmp_path / "joined.pdf"
    path.write_bytes(data)
    result = subprocess.run([require_tool(tool), *args, str(path), *(["-"] if tool == "pdftotext" else [])],
                            check=True, capture_output=True, text=True)
    assert "Syntax Error" not in result.stderr, result.stderr
    return result.stdout


def pdf_pages_text(tmp_path, data: bytes) -> list[str]:
    return [" ".join(page.split()) for page in poppler(tmp_path, "pdftotext", data).split("\f")[:-1]]


@pytest.fixture(scope="module")
def sheets() -> list[bytes]:
    return [weasyprint_pdf("first", 2), weasyprint_pdf("second", 3, "letter"), weasyprint_pdf("third", 1)]


def test_pages_come_in_order_each_document_from_an_odd_page(tmp_path, sheets):
    data, pages = joined(sheets, ["one", "two", "three"])
    assert pages == 7  # 2 pages, 3 and a blank one, 1: printed on both sides, no sheet shares paper
    assert pdf_pages_text(tmp_path, data) == ["first page 1", "first page 2", "second page 1",
                                              "second page 2", "second page 3", "", "third page 1"]


def test_each_page_keeps_its_size_and_poppler_reads_the_metadata(tmp_path, sheets):
    output = poppler(tmp_path, "pdfinfo", joined(sheets, ["one", "two", "three"])[0], "-f", "1", "-l", "7")
    sizes = [line.split(":", 1)[1].strip() for line in output.splitlines()
             if line.startswith("Page") and "size" in line]
    a4, letter = "595.276 x 841.89 pts (A4)", "612 x 792 pts (letter)"
    assert sizes == [a4, a4, letter, letter, letter, letter, a4]  # a blank page as the page before it
    assert "Title:           Joined" in output and "Producer:        derive" in output
    assert "CreationDate:    Sat Jan  1 00:00:00 2000 UTC" in output
    assert "ModDate" not in output  # the information is written as given, no date added


def test_the_outline_has_one_entry_per_document_pointing_at_its_first_page(tmp_path, sheets):
    import weasyprint

    headed = weasyprint.HTML(string="<h1>A heading</h1><h2>A section</h2>").write_pdf()
    assert "A heading" in poppler(tmp_path, "pdftohtml", headed, "-xml", "-i", "-stdout")  # its own outline
    data, _ = joined([*sheets, headed], ["one", "two (é)", "three", "four"])
    xml = poppler(tmp_path, "pdftohtml", data, "-xml", "-i", "-stdout")
    outline = xml[xml.index("<outline>"):xml.rindex("</outline>")]
    items = [(int(page), unescape(title)) for page, title in re.findall(r'<item page="(\d+)">(.*?)</item>',
                                                                        outline)]
    # the sheets have 2, 3, 1 and 1 pages, each from an odd page; their own headings are not copied
    assert items == [(1, "one"), (3, "two (é)"), (7, "three"), (9, "four")]


def test_joining_is_deterministic_and_the_identifier_follows_the_inputs(sheets):
    first = joined(sheets, ["a", "b", "c"])
    assert first == joined(sheets, ["a", "b", "c"])

    def identifier(data: bytes) -> bytes:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return bytes(pdf.trailer.ID[0])

    assert len(identifier(first[0])) == 16
    others = [joined(sheets[::-1], ["a", "b", "c"]), joined(sheets, ["a", "b", "d"]),
              joined(sheets, ["a", "b", "c"], {**INFO, "Title": "Other"})]
    assert len({identifier(first[0]), *(identifier(data) for data, _ in others)}) == 4


def test_a_classic_cross_reference_table_and_an_inherited_page_size_are_read_too(tmp_path, sheets):
    data, pages = joined([classic_pdf("plain"), sheets[2]], ["plain", "third"])
    assert pages == 3
    assert pdf_pages_text(tmp_path, data) == ["plain", "", "third page 1"]
    blank = "Page    2 size:  612 x 792 pts (letter)"
    assert blank in poppler(tmp_path, "pdfinfo", data, "-f", "2", "-l", "2")
    size = "Page    1 size:  612 x 792 pts (letter)"
    assert size in poppler(tmp_path, "pdfinfo", data, "-f", "1", "-l", "1")


def test_a_page_drawn_by_several_streams_and_a_form_xobject_is_copied_whole(tmp_path, sheets):
    data, pages = joined([sheets[2], layered_pdf(), classic_pdf("last")], ["third", "layered", "last"])
    assert pages == 5
    assert pdf_pages_text(tmp_path, data) == ["third page 1", "", "alpha beta gamma", "", "last"]


def test_documents_without_a_title_get_no_outline_entry(tmp_path, sheets):
    data, pages = joined(sheets[:2], ["one"])
    assert pages == 5
    with pikepdf.open(io.BytesIO(data)) as pdf, pdf.open_outline() as outline:
        assert [item.title for item in outline.root] == ["one"]


@pytest.mark.parametrize("broken", [b"hello", b"", b"%PDF-1.7\n1 0 obj\n<<"])
def test_something_that_is_not_a_pdf_is_refused_naming_the_document(sheets, broken):
    with pytest.raises(PDFError, match=r"^bad: cannot read it as a PDF") as caught:
        joined([sheets[0], broken], ["good", "bad"])
    assert isinstance(caught.value, DeriveError) and isinstance(caught.value, ValueError)


def test_a_truncated_pdf_is_refused(sheets):
    with pytest.raises(PDFError, match=r"^two: cannot read it as a PDF"):
        joined([sheets[0], sheets[1][:len(sheets[1]) // 2]], ["one", "two"])




@pytest.mark.parametrize("damage, reason", [
    ("stream length", r"1 problem\(s\), first: \(object 4 0, offset \d+\): expected endstream"),
    ("page count", r"its page tree counts 2 pages but holds 1")])
def test_a_damaged_pdf_is_refused_not_repaired(sheets, damage, reason):
    """qpdf would read past these (with a warning) or mend them quietly, and pages would go missing."""
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 400] /Resources << >>"
    if damage == "stream length":  # a content stream longer than its /Length says
        objects = [b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page + b" /Contents 4 0 R >>",
                   b"<< /Length 5 >>\nstream\nBT /F1 12 Tf (alpha) Tj ET\nendstream"]
    else:  # a page tree that counts a page it does not hold
        objects = [b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>", page + b" >>"]
    broken = handmade_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", *objects])
    with pytest.raises(PDFError, match=rf"^broken: cannot read it as a PDF \({reason}\)$"):
        joined([sheets[0], broken], ["good", "broken"])
