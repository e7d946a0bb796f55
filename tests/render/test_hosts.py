"""``--host``: the fragment for Canvas, Moodle and MkDocs, through the hosts' real sanitizers.

What each host keeps is not taken from derive's own tables: the fragment goes through Canvas's
allowlist under Ruby's Sanitize gem and Moodle's HTMLPurifier configuration
(``tests/render/hosts/``), and the tests compare what went in with what came out.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections import Counter
from html.parser import HTMLParser

import pytest

from derive.errors import DeriveError
from derive.render.formats import Options, render_all
from derive.sheet.build import build_worksheet
from derive.sheet.model import Worksheet

from ..conftest import DEFAULT, HOSTILE_INTRO, HOSTILE_TITLE, run_cli, spec_from
from .hosts import sanitizers
from .test_render import shown_title

SVG_NS = "{http://www.w3.org/2000/svg}"
NAME = "neuron-bce.fragment.html"


@pytest.fixture(scope="module")
def sheet() -> Worksheet:
    """The seed's neuron trained for 30 steps: every table, the graph and the loss plot."""
    return build_worksheet(spec_from(DEFAULT, "train.steps=30"), "neuron-bce")


@pytest.fixture(scope="module")
def fragments(sheet: Worksheet) -> dict[str, dict[str, str | bytes]]:
    """Each host's files, keyed by host."""
    return {host: render_all(sheet, ("fragment",), Options(host=host))
            for host in ("plain", "canvas", "moodle", "mkdocs")}


class Elements(HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def declared(self) -> Counter:
        """(tag, CSS property) of every declaration in a style= attribute."""
        return Counter((tag, declaration.split(":")[0].strip().lower())
                       for tag, attrs in self.tags for declaration in attrs.get("style", "").split(";")
                       if declaration.strip())


def test_the_host_decides_the_default_math_and_refuses_what_it_cannot_show() -> None:
    assert Options().math == "mathml" and Options(host="canvas").math == "mathml"
    assert Options(host="moodle").math == "tex" and Options(host="mkdocs").math == "tex"
    with pytest.raises(DeriveError, match="--math"):
        Options(host="moodle", math="mathml")
    with pytest.raises(DeriveError, match="--host"):
        Options(host="blackboard")


def test_a_bad_host_is_one_line_exit_2_and_nothing_written(monkeypatch, capsys, tmp_path) -> None:
    code, out, err = run_cli(monkeypatch, capsys, "render", "--format", "fragment", "--host", "moodle",
                             "--math", "mathml", "--out", str(tmp_path / "out"))
    assert code == 2 and err.count("\n") == 1 and "--math" in err
    assert not (tmp_path / "out").exists()


def test_no_ids_and_every_table_has_a_class(fragments) -> None:
    for host, files in fragments.items():
        for name, text in files.items():
            assert not re.search(r"\sid=", str(text)), (host, name)  # two sheets on one page
        tables = [attrs for tag, attrs in Elements(files[NAME]).tags if tag == "table"]
        assert len(tables) >= 6 and all(attrs.get("class") for attrs in tables), host


def test_plain_keeps_its_style_block_and_inline_pictures(fragments) -> None:
    fragment = fragments["plain"][NAME]
    assert list(fragments["plain"]) == [NAME]
    assert fragment.count("<style>") == 1 and fragment.count("<svg") == 2 and "<math" in fragment
    # the sheet is an explicit light page, whatever colour the host's text is
    assert re.search(r"\.derive-worksheet \{ background: #ffffff; color: #1a1a1a;", fragment)


def test_canvas_keeps_every_style_and_picture_derive_writes(fragments) -> None:
    files = fragments["canvas"]
    fragment = files[NAME]
    assert "<style" not in fragment and "<svg" not in fragment and "<math" in fragment
    kept = Elements(sanitizers.canvas(fragment))
    written = Elements(fragment)
    assert kept.declared() == written.declared()  # not one property dropped
    lost = Counter(tag for tag, _ in written.tags) - Counter(tag for tag, _ in kept.tags)
    assert set(lost) <= {"section", "header"}  # unwrapped, their content kept
    images = [attrs for tag, attrs in kept.tags if tag == "img"]
    assert [i["src"] for i in images] == ["neuron-bce.graph.svg", "neuron-bce.loss.svg"]
    assert all(len(i["alt"]) > 40 for i in images)
    for image in images:
        root = ElementTree.fromstring(files[image["src"]])
        assert root.tag == f"{SVG_NS}svg" and float(root.get("width")) > 300
    math = [attrs for tag, attrs in kept.tags if tag == "math"]
    assert len(math) == fragment.count("<math") > 20


@pytest.mark.parametrize("example", ["matrix-layer", "softmax-cross-entropy"])
def test_canvas_keeps_the_styles_of_array_sheets_too(example: str) -> None:
    """Stacked check tables, matrices and the graph's derivative table, where it has one."""
    from derive.spec.examples import example_path
    from derive.spec.schema import load_spec

    sheet = build_worksheet(load_spec(example_path(example)), example)
    fragment = render_all(sheet, ("fragment",), Options(host="canvas"))[f"{example}.fragment.html"]
    kept, written = Elements(sanitizers.canvas(fragment)), Elements(fragment)
    assert kept.declared() == written.declared() and len(written.declared()) > 20


def test_moodle_gets_tex_and_keeps_the_cell_padding(fragments) -> None:
    fragment = fragments["moodle"][NAME]
    assert "<math" not in fragment and "<svg" not in fragment and "<style" not in fragment
    kept_text = sanitizers.moodle(fragment)
    kept, written = Elements(kept_text), Elements(fragment)
    assert r"\(w_{1}\)" in kept_text and r"\[A_{1} = x_{1} w_{1} + x_{2} w_{2} + b\]" in kept_text
    lost = written.declared() - kept.declared()
    removed = {"section", "header", "figure", "figcaption"}  # XHTML 1.0 has none of them
    # HTMLPurifier takes no percentage for max-width: the one declaration of derive's it drops
    assert {tag for tag, _ in lost} - removed == {"img"}
    assert {p for t, p in lost if t == "img"} == {"max-width"}
    cells = [a["style"] for tag, a in kept.tags if tag == "td" and "text-align:right" in a["style"]]
    assert len(cells) > 20 and all("padding:.3em .8em" in style for style in cells)
    assert [a["src"] for t, a in kept.tags if t == "img"] == ["neuron-bce.graph.svg", "neuron-bce.loss.svg"]


def test_mkdocs_wraps_tex_as_arithmatex_does(fragments) -> None:
    fragment = fragments["mkdocs"][NAME]
    inline = re.findall(r'<span class="arithmatex">\\\((.*?)\\\)</span>', fragment)
    display = re.findall(r'<div class="arithmatex">\\\[(.*?)\\\]</div>', fragment)
    assert "A_{1} = x_{1} w_{1} + x_{2} w_{2} + b" in display and "w_{1}" in inline
    assert fragment.count(r"\(") == len(inline) and fragment.count(r"\[") == len(display)
    assert "<math" not in fragment and fragment.count("<svg") == 2


def test_the_fragment_and_its_pictures_are_written_beside_each_other(monkeypatch, capsys, tmp_path) -> None:
    code, out, err = run_cli(monkeypatch, capsys, "render", "--format", "fragment", "--host", "canvas",
                             "--set", "train.steps=3", "--out", str(tmp_path))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "neuron-bce.fragment.html", "neuron-bce.graph.svg", "neuron-bce.loss.svg"]
    assert 'src="neuron-bce.graph.svg"' in (tmp_path / "neuron-bce.fragment.html").read_text()


def test_each_host_is_deterministic(sheet: Worksheet, fragments) -> None:
    for host, files in fragments.items():
        assert render_all(sheet, ("fragment",), Options(host=host)) == files, host


def test_hostile_text_stays_text_after_the_styles_are_inlined() -> None:
    """css-inline parses and writes the fragment again: what was escaped stays escaped."""
    sheet = build_worksheet(spec_from(DEFAULT, f"title={HOSTILE_TITLE}", f"intro={HOSTILE_INTRO}"), "hostile")
    for host in ("canvas", "moodle"):
        html = render_all(sheet, ("fragment",), Options(host=host))["hostile.fragment.html"]
        assert "<script>" not in html and "<b>bold</b>" not in html
        assert shown_title(html) == HOSTILE_TITLE
