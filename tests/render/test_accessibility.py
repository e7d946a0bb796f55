"""The HTML in a real headless Chromium: axe-core finds no violation on any built-in example's
page or fragment, and at 400 px (a phone) the page reflows instead of scrolling sideways.

axe-core comes from npm, pinned, installed by ``.ci/run`` into ``.ci/axe`` (not committed).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from derive.render.html import render_fragment, render_page
from derive.sheet.build import build_worksheet
from derive.spec.examples import example_names, example_path
from derive.spec.schema import load_spec

from ..conftest import headless_chromium

AXE_VERSION = "4.14.1"
"""The version ``.ci/run`` installs."""
AXE = Path(__file__).resolve().parents[2] / ".ci" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WIDE = ("mazur-matrix", "minibatch-logistic-regression", "neuron-bce")
"""Wide pages: matrices and long derivations, arrays in tables, a five-column check table."""
PHONE_WIDTH = 400

HOST_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Week 3: backpropagation</title></head>
<body><main><h1>Week 3: backpropagation</h1>
{fragment}
</main></body></html>"""
"""The least a course page around a fragment has: a language, a title, a main landmark, a
level-one heading (the fragment's headings start at h2)."""

RUN_AXE = """async (options) => (await axe.run(document, options)).violations.map(violation =>
  ({id: violation.id, impact: violation.impact, help: violation.help,
    nodes: violation.nodes.slice(0, 3).map(node => node.html.slice(0, 160))}))"""

OVERFLOW = """() => {
  const outside = [];
  for (const element of document.querySelectorAll('body *')) {
    if (element.getBoundingClientRect().right <= innerWidth + 0.5) continue;
    let scroller = element.parentElement;
    while (scroller && getComputedStyle(scroller).overflowX !== 'auto') scroller = scroller.parentElement;
    const scoped = scroller && scroller.closest('.derive-worksheet')
      && scroller.matches('.equation, table, pre, figure');
    if (!scoped) outside.push(element.outerHTML.slice(0, 120));
  }
  const shrunk = [...document.querySelectorAll('figure svg[aria-label^="Computational graph"]')]
    .filter(svg => svg.getBoundingClientRect().width < svg.width.baseVal.value - 0.5).length;
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth, outside, shrunk};
}"""
"""What lies past the right edge of the window outside a scroller of the sheet's own (an
equation, a table, a code listing or the graph's figure), how wide the document is, and how many
graph pictures are drawn smaller than their size (their labels would fall below 9 px)."""


def axe_source() -> str:
    """axe-core's script; without it the test skips, or fails under DERIVE_REQUIRE_TOOLS=1."""
    if not AXE.exists():
        message = f"axe-core is not installed at {AXE} (run .ci/run, or npm install it there)"
        if os.environ.get("DERIVE_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser():
    with headless_chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def sheets():
    return {name: build_worksheet(load_spec(example_path(name)), name) for name in example_names()}


def violations(browser, html: str, width: int = 1000, **options) -> list[dict]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.set_content(html)
        page.add_script_tag(content=axe_source())
        assert page.evaluate("axe.version") == AXE_VERSION
        return page.evaluate(RUN_AXE, {"resultTypes": ["violations"], **options})
    finally:
        page.close()


def test_axe_finds_nothing_on_any_examples_page_or_fragment(browser, sheets):
    found = {}
    for name, sheet in sheets.items():
        for kind, html in (("page", render_page(sheet)),
                           ("fragment", HOST_PAGE.format(fragment=render_fragment(sheet)))):
            if result := violations(browser, html):
                found[f"{name} {kind}"] = result
    assert len(sheets) >= 15 and not found, found


def test_axe_finds_nothing_on_a_student_page(browser, sheets):
    """Answer boxes, given numbers and the variant line of a student sheet."""
    import dataclasses

    from derive.classset.blanks import student_sheet

    for name in ("neuron-bce", "linear-regression"):
        student = student_sheet(dataclasses.replace(sheets[name], variant="v-001"))
        assert violations(browser, render_page(student)) == [], name


def test_axe_catches_a_formula_only_table_header(browser):
    """The check is real: a header cell holding only MathML is a violation."""
    cell = '<th scope="row"><math><mi>x</mi></math></th>'
    html = HOST_PAGE.format(fragment=f"<table><tr>{cell}<td>1</td></tr></table>")
    assert [violation["id"] for violation in violations(browser, html)] == ["empty-table-header"]


@pytest.mark.parametrize("name", WIDE)
def test_a_wide_page_reflows_on_a_phone(browser, sheets, tmp_path, name):
    """At 400 px nothing but an equation or a table scrolls sideways, each on its own, and axe
    finds nothing there either but those scrollers: a scroller without focusable content is
    reachable from the keyboard in Chromium (since 130) and Firefox without a tabindex, which
    would put every equation in the tab order at every width."""
    page = browser.new_page(viewport={"width": PHONE_WIDTH, "height": 800})
    try:
        page.set_content(render_page(sheets[name]))
        measured = page.evaluate(OVERFLOW)
        page.screenshot(path=tmp_path / f"{name}-{PHONE_WIDTH}.png", full_page=True)
    finally:
        page.close()
    assert measured["innerWidth"] == PHONE_WIDTH
    assert measured["scrollWidth"] <= PHONE_WIDTH and measured["outside"] == [], measured
    assert measured["shrunk"] == 0, measured
    rules = {"rules": {"scrollable-region-focusable": {"enabled": False}}}
    assert violations(browser, render_page(sheets[name]), PHONE_WIDTH, **rules) == []
