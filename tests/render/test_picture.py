"""The computational-graph picture: safe inline SVG, every name and value shown, TikZ that compiles."""

from __future__ import annotations

import subprocess
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from derive.classset.blanks import student_sheet
from derive.render.figures import layout as layout_module
from derive.render.figures.geometry import SVG_WIDTH
from derive.render.figures.layout import _placed, layout
from derive.render.figures.picture import _tex_number, graph_svg, graph_tikz
from derive.sheet.build import build_worksheet
from derive.sheet.model import Worksheet

from ..conftest import DEFAULT, TWO_OUTPUTS, require_tool, spec_from

SVG_NS = "http://www.w3.org/2000/svg"


@pytest.fixture(scope="module", params=["default", "two_outputs"])
def sheet(request: pytest.FixtureRequest) -> Worksheet:
    if request.param == "default":
        return build_worksheet(spec_from(DEFAULT, "train.steps=30"))
    return build_worksheet(spec_from(TWO_OUTPUTS))


def texts(svg: str) -> list[str]:
    """Every <text> element's visible string, tspans joined (A<tspan>3</tspan> -> A3)."""
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{{{SVG_NS}}}text")]


def compile_latex(body: str, tmp_path: Path, packages: str = r"\usepackage{tikz}") -> None:
    """Compile ``body`` in an article with pdflatex; fail with the log's errors if it does not."""
    pdflatex = require_tool("pdflatex")
    (tmp_path / "doc.tex").write_text(
        rf"\documentclass{{article}}{packages}\begin{{document}}{body}\end{{document}}", encoding="utf-8")
    run = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    errors = [line for line in run.stdout.splitlines() if line.startswith("!")]
    assert run.returncode == 0 and (tmp_path / "doc.pdf").is_file(), errors or run.stdout[-2000:]


def test_svg_is_an_inline_accessible_element_without_ids_links_or_scripts(sheet: Worksheet) -> None:
    svg = graph_svg(sheet)
    root = ET.fromstring(svg)
    assert root.tag == f"{{{SVG_NS}}}svg" and svg.startswith("<svg ")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert "id=" not in svg
    assert "http" not in svg.replace(SVG_NS, "")
    assert "<script" not in svg and "href" not in svg and "url(" not in svg and "<style" not in svg
    assert root.get("role") == "img" and sheet.loss in root.get("aria-label", "")
    assert root.find(f"{{{SVG_NS}}}title") is not None
    assert root.get("viewBox") and 200 <= float(root.get("width", 0)) <= SVG_WIDTH
    assert "max-width" in root.get("style", "") and "DejaVu Sans" in root.get("font-family", "")


def test_svg_shows_every_name_value_and_local_derivative(sheet: Worksheet) -> None:
    shown = texts(graph_svg(sheet))
    for q in (*sheet.inputs, *sheet.parameters, *sheet.forward):
        assert q.name in shown, q.name
        assert q.shown in shown, q.shown
    joined = "\n".join(shown)
    for d in sheet.local:  # the derivatives the sheet derives are labelled; data's arrows are not
        assert (f"∂{d.node}/∂{d.input}" in joined) == d.relevant, d.key
        if d.relevant:
            assert d.shown in joined, d.key


def test_trailing_digits_are_subscripts(sheet: Worksheet) -> None:
    root = ET.fromstring(graph_svg(sheet))
    names = {q.name for q in (*sheet.inputs, *sheet.parameters, *sheet.forward)}
    for text in root.iter(f"{{{SVG_NS}}}text"):
        if "".join(text.itertext()) in names:
            spans = list(text)
            name = "".join(text.itertext())
            if name[-1].isdigit():
                assert spans[-1].text.isdigit() and spans[-1].get("font-size") and spans[-1].get("dy")
            else:
                assert len(spans) == 1 and spans[0].get("dy") is None


def test_output_is_deterministic(sheet: Worksheet) -> None:
    assert graph_svg(sheet) == graph_svg(sheet)
    assert graph_tikz(sheet) == graph_tikz(sheet)


def test_layout_runs_left_to_right_and_labels_clear_of_boxes(sheet: Worksheet) -> None:
    lay = layout(sheet)
    rect = {b.q.name: b.rect for b in lay.boxes}
    assert set(rect) == {q.name for q in (*sheet.inputs, *sheet.parameters, *sheet.forward)}
    for d in sheet.local:  # every arrow runs rightwards, into its node's left side
        assert rect[d.input][2] < rect[d.node][0], d.key
    for r in lay.routes:  # the arrow's tip touches its node's box
        left, top, right, bottom = rect[r.d.node]
        assert left - 2 <= r.tip[0] <= right + 2 and top - 2 <= r.tip[1] <= bottom + 2, r.d
    boxes, labels = list(rect.values()), [r.label for r in lay.routes if r.d.relevant]
    assert all(labels) and all(r.label is None for r in lay.routes if not r.d.relevant)

    def overlap(a: tuple, b: tuple) -> bool:
        return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])

    assert not [(r.d.node, r.d.input, b) for r in lay.routes if r.label for b in boxes if overlap(r.label, b)]
    assert not [(a, b) for i, a in enumerate(labels) for b in labels[i + 1:] if overlap(a, b)]


def test_layout_is_computed_once_for_the_same_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = build_worksheet(spec_from(DEFAULT))
    retitled = build_worksheet(spec_from(DEFAULT, "title=Other"))  # the same names and numbers
    real, calls = layout_module.place, []

    def counted(*arguments: object) -> object:
        calls.append(arguments)
        return real(*arguments)

    monkeypatch.setattr(layout_module, "place", counted)
    _placed.cache_clear()
    svg = graph_svg(sheet)
    assert len(calls) == 1
    assert graph_svg(sheet) == svg == graph_svg(retitled)
    tikz = graph_tikz(sheet)  # the same layout: TikZ scales the SVG's pixels
    assert graph_tikz(sheet) == tikz == graph_tikz(retitled) and len(calls) == 1
    assert layout(sheet) is layout(retitled)
    moved = build_worksheet(spec_from(DEFAULT, "x1=1.7"))  # other numbers: laid out anew
    assert layout(moved) is not layout(sheet)
    assert layout(student_sheet(sheet)) is not layout(sheet)  # blanks are narrower


def test_svg_and_tikz_share_the_layout() -> None:
    small = build_worksheet(spec_from(textwrap.dedent('''
        title = "Small"
        [inputs]
        x = 2.0
        [parameters]
        w = 3.0
        [graph]
        y = "x*w"
        [train]
        learning_rate = 0.1
    ''')))
    _placed.cache_clear()
    graph_svg(small), graph_tikz(small)
    assert _placed.cache_info().misses == 1


def test_a_shared_layout_cannot_be_changed(sheet: Worksheet) -> None:
    lay = layout(sheet)
    for value in (lay, lay.boxes[0], lay.routes[0]):
        with pytest.raises(FrozenInstanceError):
            value.labelled = False  # type: ignore[misc]
    labelled = next(r for r in lay.routes if r.label)
    assert all(isinstance(v, tuple) for v in (lay.boxes, lay.routes, lay.view, lay.boxes[0].rect,
                                              labelled.segments, labelled.label))
    assert layout(sheet) is lay


def test_tikz_needs_no_library_and_uses_the_model_tex(sheet: Worksheet) -> None:
    tikz = graph_tikz(sheet)
    assert r"\begin{tikzpicture}" in tikz and r"\end{tikzpicture}" in tikz
    assert "usetikzlibrary" not in tikz and "pgfplots" not in tikz
    for q in sheet.forward:
        assert f"${q.tex}$" in tikz
    for d in sheet.derivatives:
        assert _tex_number(d.shown) in tikz


def test_shown_numbers_become_safe_math() -> None:
    assert _tex_number("-1.278037") == "-1.278037"
    assert _tex_number("1.5e-5") == r"1.5 \times 10^{-5}"
    assert _tex_number("inf") == r"\mathrm{inf}"
    assert _tex_number("nan") == r"\mathrm{nan}"


def test_tikz_compiles_with_pdflatex(sheet: Worksheet, tmp_path: Path) -> None:
    compile_latex(f"Text before.\n\n{graph_tikz(sheet)}\nText after.", tmp_path)


def test_tikz_compiles_inside_the_worksheet_preamble(sheet: Worksheet, tmp_path: Path) -> None:
    preamble = r"\usepackage[T1]{fontenc}\usepackage{lmodern}\usepackage{amsmath}\usepackage{tikz}"
    compile_latex(rf"\begin{{center}}{graph_tikz(sheet)}\end{{center}}", tmp_path, preamble)
