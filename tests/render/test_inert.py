r"""User text opens no math region on a host that runs MathJax (issue 25): a title, an intro or a
variant ID holding ``\( \)``, ``\[ \]``, ``$$``, ``$`` or ``\begin{...}`` around a
``\href{javascript:...}`` stays text, in the page, every --host's fragment after the host's
sanitizer, and the Moodle and QTI question text, typeset by the pinned MathJax in headless
Chromium: no ``javascript:`` link, no formula made of user text, the same text as written.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
import zipfile
from dataclasses import replace
from html.parser import HTMLParser
from io import BytesIO

import pytest
from markupsafe import escape

from derive.render.formats import Options, render_all
from derive.render.inert import inert_html
from derive.render.quiz.html import inert
from derive.render.quiz.moodle import render_moodle
from derive.render.quiz.qti import render_qti
from derive.render.quiz.sheet_question import question_of
from derive.render.quiz.tolerance import Tolerance
from derive.sheet.build import build_worksheet

from ..conftest import DEFAULT, headless_chromium, spec_from
from .hosts import pages, sanitizers
from .test_hosts_browser import require_mathjax

TITLE = r"Title \(\href{javascript:alert(1)}{a}\) end"
INTRO = (r"Intro \[\href{javascript:alert(2)}{b}\] $$\href{javascript:alert(3)}{c}$$ "
         r"$\href{javascript:alert(4)}{d}$ \begin{equation}\href{javascript:alert(5)}{e}\end{equation} "
         r"\eqref{x} costs \$5, not \$6 end")
VARIANT = r"$$\href{javascript:alert(6)}{f}$$-3-01"
r"""Each delimiter MathJax knows around a link that would run a script, and MathJax's escapes
(``\$`` would lose its backslash) and ``\eqref`` (typeset outside math): what a reader must
see as written."""
DELIMITERS = ("\\(", "\\)", "\\[", "\\]", "$$", "$", "\\begin", "\\end", "\\eqref", "\\$")


class _TextRuns(HTMLParser):
    """The text of a document cut where MathJax and KaTeX cut it: at every element but ``<br>``
    and ``<wbr>`` (comments join too)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.runs = [""]

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "wbr"):
            self.runs.append("")

    def handle_endtag(self, tag):
        self.runs.append("")

    def handle_data(self, data):
        self.runs[-1] += data


def text_runs(html: str) -> list[str]:
    parser = _TextRuns()
    parser.feed(html)
    parser.close()
    return [run for run in parser.runs if run]


def test_no_run_of_text_holds_a_delimiter():
    for text in (TITLE, INTRO, VARIANT, "$", "\\", "a$$b\\\\(c"):
        runs = text_runs(inert_html(text))
        assert "".join(runs) == text  # the same characters, in order
        assert not [run for run in runs if any(d in run for d in DELIMITERS) and run not in ("$", "\\")]


def test_the_runs_see_what_plain_escaping_leaves():
    assert "\\(" in "".join(text_runs(str(escape(TITLE))))
    assert "$$" in text_runs(inert(INTRO))[0]  # character references are decoded first


def test_text_without_a_delimiter_is_only_escaped():
    assert inert_html("x < 1 & y") == "x &lt; 1 &amp; y"


@pytest.fixture(scope="module")
def hostile():
    """The default sheet as a variant's key, with the hostile title, intro and variant ID."""
    sheet = build_worksheet(spec_from(DEFAULT), "neuron-bce")
    return replace(sheet, title=TITLE, intro=INTRO, variant=VARIANT)


@pytest.fixture(scope="module")
def browser():
    require_mathjax()
    with headless_chromium("--allow-file-access-from-files") as launched:  # MathJax's fonts
        yield launched


TYPESET = """() => {
  const math = [];
  for (const item of MathJax.startup.document.math) math.push(item.math);
  const links = [...document.querySelectorAll("[href]")].map((e) => e.getAttribute("href"))
    .filter((h) => /^\\s*javascript:/i.test(h));
  const holding = (mark) => [...document.querySelectorAll("h1, h2, p, strong")]
    .filter((e) => e.textContent.includes(mark) && !e.querySelector("h1, h2, p"))
    .map((e) => ({text: e.innerText, content: e.textContent,
                  containers: e.querySelectorAll("mjx-container").length}));
  return {math, links, containers: document.querySelectorAll("mjx-container").length,
          title: holding("Title "), intro: holding("Intro "), variant: holding("-3-01")};
}"""


def _typeset(browser, tmp_path, html: str) -> dict:
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    page = browser.new_page()
    page.goto((tmp_path / "page.html").as_uri())
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=60_000)
    page.evaluate("MathJax.startup.promise")
    found = page.evaluate(TYPESET)
    page.close()
    return found


def assert_inert(found: dict, variant: bool = True) -> None:
    """No link to a script, no formula from user text, and the user text as written."""
    assert found["links"] == []
    assert not [m for m in found["math"] if "href" in m or "eqref" in m], found["math"]
    for key, text in (("title", TITLE), ("intro", INTRO), *((("variant", VARIANT),) if variant else ())):
        assert found[key], f"no element holds the {key}"
        for shown in found[key]:
            assert shown["containers"] == 0
            assert text in shown["content"] and text in shown["text"], shown


def _fragment(sheet, options: Options) -> str:
    return render_all(sheet, ("fragment",), options)[f"{sheet.stem}.fragment.html"]


EVERY = pages.EVERY_DELIMITER_MATHJAX


@pytest.mark.parametrize("math", ["mathml", "tex"])
def test_the_page_and_the_plain_fragment(browser, hostile, tmp_path, math):
    fragment = _fragment(hostile, Options(math=math))
    found = _typeset(browser, tmp_path, pages.jupyterlab_dark(fragment, EVERY))
    assert_inert(found)
    assert math == "mathml" or len(found["math"]) > 20  # derive's own formulas are typeset
    if math == "mathml":
        page = render_all(hostile, ("html",))[f"{hostile.stem}.html"]
        assert_inert(_typeset(browser, tmp_path, page.replace("</head>", pages._mathjax(EVERY) + "</head>")))


@pytest.mark.parametrize("math", ["mathml", "tex"])
def test_canvas_after_its_sanitizer(browser, hostile, tmp_path, math):
    kept = sanitizers.canvas(_fragment(hostile, Options(host="canvas", math=math)))
    found = _typeset(browser, tmp_path, pages.canvas(kept, EVERY))
    assert_inert(found)
    assert math == "mathml" or len(found["math"]) > 20


@pytest.mark.parametrize("mathjax", [pages.MOODLE_MATHJAX, EVERY], ids=["moodle-filter", "every-delimiter"])
def test_moodle_after_its_purifier(browser, hostile, tmp_path, mathjax):
    kept = sanitizers.moodle(_fragment(hostile, Options(host="moodle")))
    found = _typeset(browser, tmp_path, pages.moodle(kept, mathjax))
    assert_inert(found)
    assert len(found["math"]) > 20


@pytest.mark.parametrize("mathjax", [pages.MATERIAL_MATHJAX, EVERY], ids=["material", "every-delimiter"])
def test_mkdocs_through_markdown(browser, hostile, tmp_path, mathjax):
    built = pages.markdown_page(_fragment(hostile, Options(host="mkdocs")))
    found = _typeset(browser, tmp_path, pages.mkdocs_slate(built, mathjax))
    assert_inert(found)
    assert len(found["math"]) > 20


CLOZE = re.compile(r"\{1:NUMERICAL:[^}]*\}")


def test_the_moodle_question_and_its_category(browser, hostile, tmp_path):
    """As Moodle shows a Cloze question: its text purified, each blank an input field."""
    quiz = ElementTree.fromstring(render_moodle((question_of(hostile),), f"{TITLE} (x)", Tolerance()))
    info = quiz.findtext("question[@type='category']/info/text")
    text = quiz.findtext("question[@type='cloze']/questiontext/text")
    blanks = CLOZE.findall(text)
    assert len(blanks) > 10
    numbered = CLOZE.sub(lambda _: "{#}", text)
    kept = sanitizers.moodle(info + numbered).replace("{#}", '<input type="text" size="10">')
    found = _typeset(browser, tmp_path, pages.moodle(kept, EVERY))
    assert_inert(found)
    assert len(found["math"]) > 20


def test_the_qti_items_in_canvas(browser, hostile, tmp_path):
    with zipfile.ZipFile(BytesIO(render_qti((question_of(hostile),), "set", Tolerance()))) as archive:
        assessment = ElementTree.fromstring(archive.read("variant-1/assessment.xml"))
    texts = [e.text for e in assessment.iter() if e.tag.endswith("}mattext")]
    assert len(texts) > 10
    found = _typeset(browser, tmp_path, pages.canvas(sanitizers.canvas("\n".join(texts)), EVERY))
    assert_inert(found)
    assert len(found["math"]) > 10


@pytest.mark.parametrize("escaping", [escape, inert], ids=["escaped", "character-references"])
def test_the_check_fires_on_text_that_is_only_escaped(browser, tmp_path, escaping):
    """The control: the title and intro as derive wrote them before (escaped; the quizzes also
    wrote ``$`` as ``&#36;``) become live links under the Moodle filter's MathJax."""
    fragment = f'<h2>{escaping(TITLE)}</h2>\n<p class="intro">{escaping(INTRO)}</p>'
    found = _typeset(browser, tmp_path, pages.moodle(sanitizers.moodle(fragment), EVERY))
    assert "javascript:alert(1)" in found["links"] and "javascript:alert(3)" in found["links"]
    assert [m for m in found["math"] if "href" in m]
    with pytest.raises(AssertionError):
        assert_inert(found, variant=False)
