"""Rendering: golden documents, determinism, escaping, and what each format promises."""

from __future__ import annotations

import difflib
import re
from html import unescape
from pathlib import Path

import pytest

from derive.render.formats import FORMATS, TABLE, Format, Options, render_all
from derive.sheet.build import build_worksheet

from ..conftest import DEFAULT, HOSTILE_INTRO, HOSTILE_TITLE, TWO_OUTPUTS, spec_from

GOLDEN = Path(__file__).parent / "golden"
TEXT_FORMATS = ("html", "fragment", "tex", "json")


@pytest.fixture(scope="module")
def sheet():
    return build_worksheet(spec_from(DEFAULT), "neuron-bce")


@pytest.fixture(scope="module")
def documents(sheet):
    return render_all(sheet, FORMATS)


@pytest.mark.parametrize("suffix", [".html", ".fragment.html", ".tex"])
def test_golden_documents(documents, request, suffix):
    name = f"neuron-bce{suffix}"
    golden = GOLDEN / name
    if request.config.getoption("--update-golden"):
        golden.write_text(documents[name], encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    if documents[name] != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), documents[name].splitlines(True),
                                            "golden", "rendered", n=1))
        pytest.fail(f"{name} differs from its golden file (make golden to accept):\n{diff[:4000]}")


def test_rendering_twice_gives_identical_bytes(sheet, documents):
    again = render_all(build_worksheet(spec_from(DEFAULT), "neuron-bce"), FORMATS)
    for name, content in documents.items():
        assert again[name] == content, name


def test_html_references_nothing_outside(documents):
    for name in ("neuron-bce.html", "neuron-bce.fragment.html"):
        html = documents[name]
        assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html, re.I)
        assert not re.search(r"url\(\s*['\"]?https?:", html, re.I)
        assert "<script" not in html.lower()
        assert "<math" in html


def test_page_is_accessible(documents):
    html = documents["neuron-bce.html"]
    assert '<html lang="en">' in html
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    assert '<th scope="col">' in html
    assert re.search(r'<svg[^>]*role="img"', html) and "aria-label" in html


def test_fragment_is_scoped(documents):
    import tinycss2

    fragment = documents["neuron-bce.fragment.html"]
    assert fragment.startswith('<section class="derive-worksheet"')
    assert not re.search(r"<(html|head|body)[\s>]", fragment)
    assert not re.search(r"\sid=", fragment)
    css = "".join(re.findall(r"<style>(.*?)</style>", fragment, re.S))
    rules = tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)
    media = [rule for rule in rules if rule.type == "at-rule" and rule.lower_at_keyword == "media"]
    rules = [rule for rule in rules if rule not in media] + [  # a media query's rules are scoped too
        inner for rule in media for inner in tinycss2.parse_rule_list(rule.content, True, True)]
    selectors = [sel.strip() for rule in rules if rule.type == "qualified-rule"
                 for sel in tinycss2.serialize(rule.prelude).split(",")]
    assert selectors and all(sel.startswith(".derive-worksheet") for sel in selectors), selectors
    assert all(rule.type == "qualified-rule" for rule in rules)


def test_fragment_with_tex_math_for_mathjax(sheet):
    fragment = render_all(sheet, ("fragment",), Options(math="tex"))["neuron-bce.fragment.html"]
    assert "<math" not in fragment
    assert r"\(A_{3}\)" in fragment and r"\[A_{1} = x_{1} w_{1} + x_{2} w_{2} + b\]" in fragment


def test_jupyter_shows_the_fragment(sheet):
    assert sheet._repr_html_().startswith('<section class="derive-worksheet"')
    assert sheet._repr_html_() == render_all(sheet, ("fragment",))["neuron-bce.fragment.html"]


def test_a_format_is_one_entry_of_the_table(sheet):
    assert FORMATS == tuple(TABLE) == ("html", "fragment", "pdf", "tex", "json")
    assert all(isinstance(f, Format) and f.name == name for name, f in TABLE.items())
    assert len({f.suffix for f in TABLE.values()}) == len(TABLE)
    documents = render_all(sheet, ("json", "tex"))
    assert list(documents) == ["neuron-bce.json", "neuron-bce.tex"]
    assert documents["neuron-bce.tex"] == TABLE["tex"].render(sheet, Options())


@pytest.fixture(scope="module")
def hostile():
    spec = spec_from(DEFAULT, f"title={HOSTILE_TITLE}", f"intro={HOSTILE_INTRO}")
    return render_all(build_worksheet(spec, "hostile"), FORMATS)


def test_hostile_text_is_text_in_html(hostile):
    for name in ("hostile.html", "hostile.fragment.html"):
        html = hostile[name]
        assert "<script>" not in html and "<b>bold</b>" not in html
        assert shown_title(html) == HOSTILE_TITLE


def shown_title(html: str) -> str:
    """The text of the document's first heading, as a browser shows it."""
    heading = re.search(r"<h([12])[^>]*>(.*?)</h\1>", html, re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", "", heading.group(2)))


def test_hostile_text_is_escaped_in_tex(hostile):
    tex = hostile["hostile.tex"]
    assert r"\input{/etc/passwd}" not in tex
    assert r"\textbackslash{}input\{/etc/passwd\} 100\% \$x\$ a\_\allowbreak{}b \#1" in tex


def test_steps_add_a_table_and_a_plot():
    sheet = build_worksheet(spec_from(DEFAULT, "train.steps=40"), "many")
    documents = render_all(sheet, ("html", "tex"))
    html = documents["many.html"]
    assert "Training steps" in html and html.count("<svg") >= 2
    single = render_all(build_worksheet(spec_from(DEFAULT)), ("html",))["worksheet.html"]
    assert "Training steps" not in single
    assert len(sheet.history_table) <= 12 and sheet.history_table[-1].step == 40


def test_two_paths_are_listed(documents):
    html = render_all(build_worksheet(spec_from(TWO_OUTPUTS), "two"), ("html",))["two.html"]
    assert html.count("2 paths lead from the loss to") == 2
