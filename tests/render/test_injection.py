"""A spec is inert data: nothing it holds runs in a reader's browser or reads a file through the .tex.

Each attack of issue 10 is tried end to end, with the notation grammar in place and with it
bypassed (so the guards behind it, on the MathML and on the finished LaTeX, are tested too),
and each detector is shown to fire on a page or document that really does carry the attack.
"""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser

import pytest

from derive.errors import DeriveError, SpecError
from derive.render.html import render_fragment, render_page
from derive.render.tex import render_tex
from derive.sheet.build import build_worksheet

from ..conftest import DEFAULT, require_tool, spec_from
from .test_render_browser import chromium

MARK = "document.documentElement.setAttribute('data-pwned','1')"
HOSTILE_TEXT = DEFAULT.replace(
    'title = "Backpropagation through one sigmoid neuron"',
    f'''title = "<script>{MARK}</script> \\\\input{{/etc/passwd}} ^^5c &#x3C;"''',
).replace(
    'intro = "One training example, one neuron, binary cross-entropy."',
    f'''intro = "<img src=x onerror=\\"{MARK}\\"> <a href='javascript:{MARK}'>x</a> \\\\catcode95=12"''',
) + r"""
[notation]
x1 = '\text{in (kg), 1st: a+b=c!}'
w1 = '\hat{\boldsymbol{w}}_{1}^{(1)}'
A2 = '\mathrm{out}_{h1}'
"""
"""Hostile title and intro (escaped, not refused) and admitted notation at its widest."""

ATTACKS = {
    "script": r"\text{<script>" + MARK + "</script>}",
    "image": r"\text{<img/src=http://192.0.2.1/x.png onerror=" + MARK + ">}",
    "href": r"\href{javascript:" + MARK + "}{x}",
    "file-read": r"\text{\catcode95=12\relax\input{/etc/passwd}}",
    "write18": r"\immediate\write18{touch /tmp/derive-pwned}",
}



def with_notation(value: str) -> str:
    """The default spec with ``value`` as x1's notation, as a TOML literal string."""
    return DEFAULT + f"[notation]\nx1 = '''{value}'''\n"


HTML_ELEMENTS = frozenset("""
html head meta title style body main section header footer h1 h2 h3 h4 p div span table thead tbody tr
th td caption figure figcaption ul ol li strong em b i code pre br hr small sub sup details summary
""".split())
SVG_ELEMENTS = frozenset("svg g path rect text tspan title desc line circle polyline polygon".split())
MATHML = frozenset("""math mrow mi mn mo ms mtext mspace msub msup msubsup mfrac msqrt mroot mover munder
munderover mtable mtr mtd mstyle mpadded mphantom menclose""".split())


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def unsafe_markup(document: str) -> list[str]:
    """What in ``document`` could run or fetch: unknown elements, on* handlers, links, javascript:."""
    parser = _Collect()
    parser.feed(document)
    found = []
    for tag, attrs in parser.tags:
        if tag not in HTML_ELEMENTS | SVG_ELEMENTS | MATHML:
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("href", "src", "xlink:href", "action", "formaction"):
                found.append(f"{name}= on <{tag}>")
            if value and "javascript:" in value.lower():
                found.append(f"javascript: in {name}= on <{tag}>")
    return found


@pytest.fixture(scope="module")
def hostile_sheet():
    return build_worksheet(spec_from(HOSTILE_TEXT), "hostile")


@pytest.fixture
def no_grammar(monkeypatch):
    """The notation grammar switched off, as if it had a hole: the output guards must still hold."""
    monkeypatch.setattr("derive.spec.schema.check_notation", lambda key, value: value)


@pytest.mark.parametrize("name", list(ATTACKS))
def test_every_attack_is_refused_by_the_spec_naming_the_key(name):
    with pytest.raises(SpecError, match=r"^notation\.x1: "):
        spec_from(with_notation(ATTACKS[name]))


def test_unsafe_markup_detects_what_it_looks_for():
    page = f'<p><script>{MARK}</script><img src=x onerror="x()"><a href="javascript:x()">x</a></p>'
    assert unsafe_markup(page) == ["<script>", "<img>", "src= on <img>", "onerror= on <img>", "<a>",
                                   "href= on <a>", "javascript: in href= on <a>"]


@pytest.mark.parametrize("render", [render_page, render_fragment,
                                    lambda sheet: render_fragment(sheet, math="tex")],
                         ids=["page", "fragment", "fragment-tex"])
def test_no_element_or_attribute_outside_the_allowlist(hostile_sheet, render):
    document = render(hostile_sheet)
    assert unsafe_markup(document) == []
    assert "<script" not in document and not re.search(r"<[^>]*\son\w+=", document)
    assert "&lt;script&gt;" in document  # the title is there, as text


@pytest.mark.parametrize("name", ["script", "image", "href"])
def test_with_the_grammar_bypassed_the_mathml_guard_refuses(no_grammar, name):
    sheet = build_worksheet(spec_from(with_notation(ATTACKS[name])), "attack")
    with pytest.raises(DeriveError, match=r"^html: MathML"):
        render_page(sheet)
    with pytest.raises(DeriveError, match=r"^html: MathML"):
        render_fragment(sheet)


@pytest.mark.parametrize("name", ["file-read", "write18"])
def test_with_the_grammar_bypassed_the_tex_guard_refuses(no_grammar, name):
    sheet = build_worksheet(spec_from(with_notation(ATTACKS[name])), "attack")
    with pytest.raises(DeriveError, match=r"^tex: the LaTeX would hold .*\\(catcode|immediate)"):
        render_tex(sheet)


def test_the_hostile_title_reaches_the_tex_only_as_text(hostile_sheet):
    document = render_tex(hostile_sheet)
    assert r"\input{/etc" not in document and "^^" not in document
    assert r"\textbackslash{}input\{/etc/passwd\}" in document


def _script_ran(tmp_path, name: str, document: str) -> bool:
    html = tmp_path / f"{name}.html"
    html.write_text(document, encoding="utf-8")
    run = chromium(tmp_path, "--virtual-time-budget=3000", "--dump-dom", html.as_uri())
    assert "<html" in run.stdout, run.stderr[-2000:]
    return re.search(r"<html[^>]*data-pwned", run.stdout) is not None


def test_chromium_runs_no_script_from_the_page_or_the_fragment(tmp_path, hostile_sheet):
    control = render_page(hostile_sheet).replace("</body>", f"<script>{MARK}</script></body>")
    assert _script_ran(tmp_path, "control", control)  # the marker is seen when a script does run
    assert not _script_ran(tmp_path, "page", render_page(hostile_sheet))
    host = f"<!doctype html><html><head><title>host</title></head><body>{render_fragment(hostile_sheet)}"
    assert not _script_ran(tmp_path, "fragment", host + "</body></html>")


def _pdftext(tmp_path, name: str, tex: str) -> str:
    pdflatex, pdftotext = require_tool("pdflatex"), require_tool("pdftotext")
    folder = tmp_path / name
    folder.mkdir()
    (folder / "sheet.tex").write_text(tex, encoding="utf-8")
    subprocess.run([pdflatex, "-no-shell-escape", "-interaction=nonstopmode", "sheet.tex"], cwd=folder,
                   capture_output=True, timeout=180)
    assert (folder / "sheet.pdf").exists(), (folder / "sheet.log").read_text(errors="replace")[-3000:]
    return subprocess.run([pdftotext, "sheet.pdf", "-"], cwd=folder, capture_output=True, text=True).stdout


def test_the_compiled_tex_holds_no_file_contents(tmp_path, hostile_sheet, monkeypatch):
    passwd = re.compile(r"root\s*:\s*x\s*:\s*0")
    text = _pdftext(tmp_path, "hostile", render_tex(hostile_sheet))
    assert "input{/etc/passwd}" in text  # the title, printed as the characters it holds
    assert not passwd.search(text)
    # the control: the same attack with both guards off does read the file, so the check can fail
    monkeypatch.setattr("derive.spec.schema.check_notation", lambda key, value: value)
    monkeypatch.setattr("derive.render.tex.check_tex", lambda document: document)
    attack = build_worksheet(spec_from(with_notation(ATTACKS["file-read"])), "a")
    assert passwd.search(_pdftext(tmp_path, "attack", render_tex(attack)))


def test_the_command_line_refuses_the_attack_in_one_line_and_writes_nothing(monkeypatch, capsys, tmp_path):
    from ..conftest import run_cli

    spec = tmp_path / "attack.toml"
    spec.write_text(with_notation(ATTACKS["file-read"]))
    code, out, err = run_cli(monkeypatch, capsys, "render", str(spec), "--out", str(tmp_path / "out"))
    assert code == 2 and out == "" and not (tmp_path / "out").exists()
    assert err.startswith(r"derive: error: notation.x1: holds '\catcode' inside \text")
    assert err.count("\n") == 1


VERBATIM_ESCAPE = r"x1*w1 + b # \end{verbatim}\begin{input}{/etc/passwd}\begin{verbatim}"
"""The review's attack: a comment in an expression closed the .tex's verbatim block of code."""


def test_an_expression_holds_no_comment_or_backslash():
    from derive.graph.dag import build_graph

    for attack in (VERBATIM_ESCAPE, "x1*w1 + b \\\n + x2", "x1 # note"):
        spec = DEFAULT.replace('A1 = "x1*w1 + x2*w2 + b"', "A1 = '''" + attack + "'''")
        with pytest.raises(SpecError, match=r"^graph\.A1: \S{3,4} is not allowed; expressions use only"):
            build_graph(spec_from(spec))
    with pytest.raises(SpecError, match=r"^graph\.A1: '#' is not allowed"):
        build_graph(spec_from(DEFAULT, f"graph.A1={VERBATIM_ESCAPE}"))


@pytest.mark.parametrize("body", [r"\begin{input}{/etc/passwd}", r"\begin {input}{/etc/passwd}",
                                  r"\begin\relax{input}", r"\end{document}\begin{csname}"])
def test_the_tex_guard_checks_environment_names(body):
    from derive.render.tex import check_tex

    with pytest.raises(DeriveError, match=r"^tex: the LaTeX would"):
        check_tex("\\begin{document}\n" + body + "\n\\end{document}\n")


def test_with_the_grammar_bypassed_the_tex_fragment_holds_no_command_mathjax_would_run(no_grammar):
    """A --math tex fragment is read by the host's MathJax: \\href, \\require and friends never reach it."""
    for attack in (r"\href{javascript:alert(1)}{x}", r"\require{action}", r"\unicode{x41}", r"\style{x}{y}"):
        sheet = build_worksheet(spec_from(with_notation(attack)), "attack")
        with pytest.raises(DeriveError, match=r"^tex: the LaTeX would hold"):
            render_fragment(sheet, math="tex")
