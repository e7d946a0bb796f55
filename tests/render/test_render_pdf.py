"""The PDF: real text with the sheet's numbers, fixed metadata, and a fetcher that fetches nothing."""

from __future__ import annotations

import subprocess

import pytest

from derive.errors import DeriveError
from derive.render.pdf.document import local_only_fetcher, render_pdf
from derive.render.templating import templates_dir
from derive.sheet.build import build_worksheet

from ..conftest import DEFAULT, HOSTILE_TITLE, require_tool, spec_from


@pytest.fixture(scope="module")
def pdf_bytes():
    return render_pdf(build_worksheet(spec_from(DEFAULT), "neuron-bce"))


def pdf_text(tmp_path, data: bytes) -> str:
    pdftotext = require_tool("pdftotext")
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    return subprocess.run([pdftotext, "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_pdf_holds_the_key_numbers_as_text(tmp_path, pdf_bytes):
    text = pdf_text(tmp_path, pdf_bytes).replace("{-}", "-")  # a formula's text is its TeX: {-}0.25
    for number in ("1.3", "0.7824498", "0.2453255", "-0.2828153", "-0.4568555", "-0.2175502",
                   "0.7282815", "-0.2543145", "1.021755", "0.2136941"):
        assert number in text, number
    assert "Page 1 of" in text and "Backpropagation through one sigmoid neuron" in text


def test_pdf_is_a4_by_default_and_letter_on_request(tmp_path, pdf_bytes):
    pdfinfo = require_tool("pdfinfo")
    letter = render_pdf(build_worksheet(spec_from(DEFAULT)), paper="letter")
    sizes = []
    for name, data in (("a4.pdf", pdf_bytes), ("letter.pdf", letter)):
        (tmp_path / name).write_bytes(data)
        info = subprocess.run([pdfinfo, str(tmp_path / name)], capture_output=True, text=True).stdout
        sizes.append(next(line for line in info.splitlines() if line.startswith("Page size")))
    assert "(A4)" in sizes[0] and "(letter)" in sizes[1]


def test_pdf_is_deterministic(pdf_bytes):
    assert render_pdf(build_worksheet(spec_from(DEFAULT), "neuron-bce")) == pdf_bytes


def test_hostile_title_is_text_in_the_pdf(tmp_path):
    data = render_pdf(build_worksheet(spec_from(DEFAULT, f"title={HOSTILE_TITLE}")))
    assert "<script>alert(1)</script> & \\input{/etc/passwd} 100% $x$ a_b" in pdf_text(tmp_path, data)


@pytest.mark.parametrize("url", ["https://example.com/font.woff", "http://127.0.0.1/x.css",
                                 "file:///etc/passwd", "ftp://example.com/a"])
def test_fetcher_refuses_network_and_outside_files(url):
    with pytest.raises(DeriveError, match="refused to fetch"):
        local_only_fetcher().fetch(url)


def test_fetcher_serves_the_templates():
    css = (templates_dir() / "html" / "worksheet.css").resolve().as_uri()
    response = local_only_fetcher().fetch(css)
    assert b".derive-worksheet" in response.read()
    response.close()


def test_a_class_sets_student_sheets_share_one_page_laid_out_once(tmp_path):
    """Their given numbers and IDs are drawn after layout, so variants with the same stated
    precision have the same print HTML; the layout is kept, and a kept layout drawn again
    gives the same bytes as a fresh one."""
    from derive.classset.blanks import student_sheet
    from derive.classset.variant_job import VariantTask, _derivation, _plan, draw_sheet
    from derive.render.html import render_print_html
    from derive.render.pdf import document as module
    from derive.render.pdf.formulas import FormulaBoxes

    from ..classsets import CLASS

    derivation = _derivation(CLASS, "class.toml", ())
    plan = _plan(CLASS, "class.toml", "neuron", 2026, ())
    tasks = [VariantTask(CLASS, "class.toml", "neuron", 2026, k, derivation=derivation) for k in range(1, 7)]
    students = [student_sheet(draw_sheet(task, plan)[0]) for task in tasks]
    by_precision = {}
    for sheet in students:
        by_precision.setdefault(sheet.precision, []).append(sheet)
    first, second = max(by_precision.values(), key=len)[:2]
    assert first.inputs != second.inputs and first.variant != second.variant
    assert render_print_html(first, FormulaBoxes()) == render_print_html(second, FormulaBoxes())

    module.kept_layout.cache_clear()
    pdfs = [render_pdf(sheet) for sheet in (first, second)]
    assert module.kept_layout.cache_info().hits == 1 and pdfs[0] != pdfs[1]
    module.kept_layout.cache_clear()
    assert render_pdf(second) == pdfs[1]  # laid out afresh: the same bytes
    for sheet, pdf in zip((first, second), pdfs, strict=True):  # drawn, and text (invisible) as well
        text = pdf_text(tmp_path, pdf)
        assert f"variant {sheet.variant}" in text
        assert all(q.shown in text for q in (*sheet.inputs, *sheet.parameters)), text


def _class_keys(count: int, precision: int = 5) -> list:
    """The keys of the class-set tests' first ``count`` variants at one set precision."""
    from derive.classset.variant_job import VariantTask, _derivation, _plan, draw_sheet

    from ..classsets import CLASS

    derivation = _derivation(CLASS, "class.toml", ())
    plan = _plan(CLASS, "class.toml", "neuron", 2026, ())
    return [draw_sheet(VariantTask(CLASS, "class.toml", "neuron", 2026, k, derivation=derivation,
                                   precision=precision), plan)[0] for k in range(1, count + 1)]


def test_a_class_sets_keys_share_one_page_and_print_their_own_numbers(tmp_path):
    """A key's numbers are drawn after layout into boxes sized like its student sheet's answer
    boxes (and a negative number's parentheses), so every key of the set has one print page;
    each PDF still holds its own answers, checked against a sigmoid neuron computed here."""
    import math

    from derive.render.html import render_print_html
    from derive.render.pdf import document as module
    from derive.render.pdf.formulas import FormulaBoxes

    from ..classsets import found, key_answers

    keys = _class_keys(12)
    assert len({tuple(q.shown for q in key.inputs) for key in keys}) == 12
    pages = {render_print_html(key, FormulaBoxes()) for key in keys}
    assert len(pages) == 1
    module.kept_layout.cache_clear()
    pdfs = [render_pdf(key) for key in keys[:3]]
    assert module.kept_layout.cache_info().hits == 2 and len(set(pdfs)) == 3
    module.kept_layout.cache_clear()
    assert render_pdf(keys[2]) == pdfs[2]  # laid out afresh: the same bytes
    for key, pdf in zip(keys[:3], pdfs, strict=True):
        text = pdf_text(tmp_path, pdf)
        assert f"variant {key.variant}" in text
        assert found(text, key_answers(key)) == key_answers(key)
        v = {q.name: float(q.value) for q in (*key.inputs, *key.parameters)}
        z = v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"]
        a = 1 / (1 + math.exp(-z))
        loss = -(v["Y"] * math.log(a) + (1 - v["Y"]) * math.log(1 - a))
        dw1 = (a - v["Y"]) * v["x1"]
        for value in (a, loss, dw1, v["w1"] - 0.1 * dw1):
            assert f"{value:.5g}" in text, (value, key.variant)
