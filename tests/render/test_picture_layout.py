"""The graph picture's layout by Graphviz ``dot``: readable from 3 to 25 boxes, names from ``[notation]``.

Every check is computed from the positions: no label box over another label, a box or any
edge's curve; labels never shown below 9 px (HTML) or 7 pt (print, LaTeX), and when they
would be, the picture leaves them out and a table lists every one.
"""

from __future__ import annotations

import re
import textwrap
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from derive.render.figures.engine import warm
from derive.render.figures.geometry import LABEL_PX, SVG_WIDTH, TIKZ_PT, _at
from derive.render.figures.layout import Layout, _placed, fitted, layout, pieces
from derive.render.figures.picture import (
    HTML_MOST,
    TEX_LABEL_PT,
    TEX_LINE_PT,
    TEX_MOST,
    graph_html,
    graph_svg,
    graph_tikz,
)
from derive.render.pdf.formulas import FormulaBoxes
from derive.render.pdf.picture_print import graph_print_html
from derive.sheet.build import build_worksheet
from derive.sheet.model import Worksheet

from ..conftest import DEFAULT, spec_from

SVG_NS = "{http://www.w3.org/2000/svg}"
A4_LINE_PX = 657.64


def network(inputs: int, hidden: int, biases: int, squash: bool) -> str:
    """A spec of ``inputs`` inputs, ``hidden`` tanh units (the first ``biases`` with a bias),
    one linear output, optionally squashed, and a squared error: a graph of a chosen size."""
    xs = [f"x{i}" for i in range(1, inputs + 1)]
    params, graph = {}, {}
    for j in range(1, hidden + 1):
        terms = []
        for i, x in enumerate(xs, 1):
            params[f"w{i}{j}"] = round(0.3 * (-1) ** (i + j) + 0.1 * j, 2)
            terms.append(f"{x}*w{i}{j}")
        if j <= biases:
            params[f"b{j}"] = 0.1 * j
            terms.append(f"b{j}")
        graph[f"a{j}"], graph[f"h{j}"] = " + ".join(terms), f"tanh(a{j})"
        params[f"v{j}"] = round(0.5 - 0.3 * j, 2)
    graph["o"] = " + ".join(f"v{j}*h{j}" for j in range(1, hidden + 1))
    out = "o"
    if squash:
        graph["p"], out = "sigmoid(o)", "p"
    graph["L"] = f"({out} - t)**2"
    lines = ['title = "Generated"', "[inputs]", *(f"{x} = {0.5 * i}" for i, x in enumerate(xs, 1)), "t = 1.0",
             "[parameters]", *(f"{k} = {v}" for k, v in params.items()),
             "[graph]", *(f'{k} = "{v}"' for k, v in graph.items()),
             "[train]", 'loss = "L"', "learning_rate = 0.1"]
    return "\n".join(lines) + "\n"


THREE = textwrap.dedent('''
    title = "Three boxes"
    [inputs]
    x = 2.0
    [parameters]
    w = 3.0
    [graph]
    y = "x*w"
    [train]
    learning_rate = 0.1
''')
SPECS = {3: THREE, 13: network(1, 2, 1, False), 20: network(2, 3, 0, False), 25: network(3, 3, 0, True)}


@pytest.fixture(scope="module", params=sorted(SPECS))
def sized(request: pytest.FixtureRequest) -> tuple[int, Worksheet]:
    return request.param, build_worksheet(spec_from(SPECS[request.param]))


def boxes_of(sheet: Worksheet) -> int:
    return len(sheet.inputs) + len(sheet.parameters) + len(sheet.forward)


def overlap(a: tuple, b: tuple) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def test_the_generated_specs_have_the_sizes_they_claim(sized: tuple[int, Worksheet]) -> None:
    size, sheet = sized
    assert boxes_of(sheet) == size


@pytest.mark.parametrize("labelled", [True, False])
def test_no_label_covers_a_box_another_label_or_an_edge(sized: tuple[int, Worksheet], labelled: bool) -> None:
    _, sheet = sized
    lay = layout(sheet, labelled)
    assert len([r for r in lay.routes if r.label]) == (len(sheet.derivatives) if labelled else 0)
    assert_clear(lay)


def assert_clear(lay: Layout) -> None:
    """No box over a box, no label over a box, a label or any edge's curve; all inside the view."""
    labels = [r.label for r in lay.routes if r.label]
    boxes = [b.rect for b in lay.boxes]
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if overlap(a, b)]
    assert not [(r.d, b) for r in lay.routes if r.label for b in boxes if overlap(r.label, b)]
    assert not [(a, b) for i, a in enumerate(labels) for b in labels[i + 1:] if overlap(a, b)]
    for route in lay.routes:
        if route.label is None:
            continue
        left, top, right, bottom = route.label
        inside = [(other.d.node, other.d.input, p) for other in lay.routes for c in other.segments
                  for p in (_at(c, k / 40) for k in range(41))
                  if left + 1 < p[0] < right - 1 and top + 1 < p[1] < bottom - 1]
        assert not inside, (route.d.node, route.d.input, inside[:3])
    x0, y0, w, h = lay.view  # everything inside the picture
    for left, top, right, bottom in boxes + labels:
        assert x0 <= left and right <= x0 + w and y0 <= top and bottom <= y0 + h


def test_label_sizes_never_go_below_the_limits(sized: tuple[int, Worksheet]) -> None:
    _, sheet = sized
    root = ET.fromstring(graph_svg(sheet))
    scale = float(root.get("width")) / float(root.get("viewBox").split()[2])
    labelled = fitted(sheet, HTML_MOST).labelled
    assert scale <= 1.0 and (not labelled or LABEL_PX * scale >= 9.0 - 1e-9)
    assert all(float(t.get("font-size")) * scale >= 9.0 - 0.06 for t in root.iter(f"{SVG_NS}text")
               if not labelled or t.get("font-size") == f"{LABEL_PX:.1f}")
    printed = str(graph_print_html(sheet, A4_LINE_PX, FormulaBoxes()))
    width = float(re.search(r"width:([\d.]+)px;height", printed).group(1))
    print_lay = fitted(sheet, A4_LINE_PX * LABEL_PX * 0.75 / 7.0)
    if print_lay.labelled:
        assert LABEL_PX * width / print_lay.view[2] * 0.75 >= 7.0 - 1e-9  # CSS px -> pt
    tex_lay = fitted(sheet, TEX_MOST)
    if tex_lay.labelled:
        assert TEX_LABEL_PT * min(1.0, TEX_LINE_PT / (tex_lay.view[2] * TIKZ_PT)) >= 7.0 - 1e-9


def test_a_large_graph_of_numbers_points_to_its_local_derivatives_instead_of_repeating_them() -> None:
    """Every derivative of this graph is a number, and the section on local derivatives states each
    with its value: under the unlabelled picture a sentence says so, and no table repeats them."""
    sheet = build_worksheet(spec_from(SPECS[25]))
    assert layout(sheet, True).view[2] > TEX_MOST  # labelled, print and LaTeX would go below 7 pt
    tikz = graph_tikz(sheet)
    printed = str(graph_print_html(sheet, A4_LINE_PX, FormulaBoxes()))
    for text in (printed, tikz):
        assert "worked out, with its value, under Local derivatives" in text
        assert "graph-derivatives" not in text and "listed here instead" not in text
    assert r"\partial" not in tikz  # no label on an arrow, no table under it
    assert all(np.ndim(d.value) == 0 and d.shown for d in sheet.derivatives)
    html = graph_html(sheet)  # 787 px wide: shown at 680 px its labels are 9.5 px, so the HTML keeps them
    assert fitted(sheet, HTML_MOST).labelled and "worked out" not in html
    narrow = fitted(sheet, 500.0)
    assert not narrow.labelled and all(r.label is None for r in narrow.routes)
    svg = graph_svg(sheet, narrow)
    assert "∂" not in "".join(ET.fromstring(svg).itertext())


def test_a_small_graph_keeps_its_labels_and_no_table() -> None:
    sheet = build_worksheet(spec_from(DEFAULT))
    assert fitted(sheet, HTML_MOST).labelled and "graph-derivatives" not in graph_html(sheet)
    assert "listed here instead" not in graph_tikz(sheet)


def test_notation_names_the_boxes_and_labels() -> None:
    text = DEFAULT.replace('A1 = "x1*w1 + x2*w2 + b"', 'A1 = "x1*w1 + x2*w2 + lam*b"').replace(
        "Y  = 1.0", "Y  = 1.0\nlam = 0.5") + '[notation]\nlam = "\\\\lambda"\nA2 = "\\\\hat{y}"\n'
    sheet = build_worksheet(spec_from(text))
    svg = graph_svg(sheet)
    shown = ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG_NS}text")]
    assert "λ" in shown and "lam" not in shown
    assert "y\u0302" in shown and "A2" not in shown
    assert any(s.startswith("∂A3/∂y\u0302") for s in shown)  # an arrow the sheet derives: labelled
    assert r"$\lambda$" in graph_tikz(sheet) and r"\hat{y}" in graph_tikz(sheet)


def test_layout_is_quick_and_computed_once_per_graph() -> None:
    sheet = build_worksheet(spec_from(SPECS[25]))
    _placed.cache_clear()
    warm()  # Graphviz's module is compiled (or loaded) once per process, before the first layout
    start = time.perf_counter()
    layout(sheet, True), layout(sheet, False)
    assert time.perf_counter() - start < 2.0  # dot takes about 0.05 s a graph on a busy machine
    graph_svg(sheet), graph_tikz(sheet), graph_print_html(sheet, A4_LINE_PX, FormulaBoxes())
    assert _placed.cache_info().misses == 2
    assert SVG_WIDTH < HTML_MOST


CHAIN = "\n".join([
    'title = "A deep chain of twenty boxes"', "[inputs]", "x = 0.5", "t = 0.2", "[parameters]", "w = 0.8",
    "b = 0.1", "[graph]", 'a1 = "x*w + b"', 'h1 = "tanh(a1)"',
    *(line for k in range(2, 8) for line in (f'a{k} = "h{k - 1}*w + b"', f'h{k} = "tanh(a{k})"')),
    'o = "sigmoid(h7)"', 'L = "(o - t)**2"', "[train]", "learning_rate = 0.1", ""])
"""Twenty boxes in seventeen ranks: too wide for 9 px text even without its labels."""


@pytest.fixture(scope="module", params=["chain", "relu-minibatch"])
def wide(request: pytest.FixtureRequest) -> Worksheet:
    from derive.spec.examples import example_path

    text = CHAIN if request.param == "chain" else example_path(request.param).read_text()
    return build_worksheet(spec_from(text))


def test_the_chain_has_twenty_boxes_and_is_too_wide_unlabelled() -> None:
    sheet = build_worksheet(spec_from(CHAIN))
    assert boxes_of(sheet) == 20 and layout(sheet, False).view[2] > HTML_MOST


@pytest.mark.parametrize("most", [HTML_MOST, A4_LINE_PX * LABEL_PX * 0.75 / 7.0, TEX_MOST])
def test_a_wide_picture_splits_or_shows_shapes_and_keeps_every_part_readable(wide: Worksheet,
                                                                           most: float) -> None:
    parts = pieces(wide, most)
    assert all(part.view[2] <= most for part in parts)  # so text is never shown below the floor
    for part in parts:
        assert_clear(part)
    drawn = [b.q.name for part in parts for b in part.boxes if b.q.name not in part.continued]
    nodes = [q.name for q in wide.forward]
    assert sorted(n for n in drawn if n in nodes) == sorted(nodes)  # each node once, outside connectors
    edges = sorted((r.d.node, r.d.input) for part in parts for r in part.routes)
    assert edges == sorted((d.node, d.input) for d in wide.local)  # every arrow, once
    for number, part in enumerate(parts):
        inside = {b.q.name for b in part.boxes} - part.continued
        fed = {r.d.input for r in part.routes}
        assert part.continued == {n for n in fed if n in nodes and n not in inside}
        earlier = {b.q.name for p in parts[:number] for b in p.boxes if b.q.name not in p.continued}
        assert part.continued <= earlier


def test_every_text_of_a_split_html_picture_is_at_least_9_px(wide: Worksheet) -> None:
    html = graph_html(wide)
    svgs = re.findall(r"<svg .*?</svg>", html, re.DOTALL)
    assert len(svgs) == len(pieces(wide, HTML_MOST)) and (len(svgs) > 1) == (wide.loss == "L" and
                                                                             len(wide.forward) > 10)
    for svg in svgs:
        root = ET.fromstring(svg)
        scale = float(root.get("width")) / float(root.get("viewBox").split()[2])
        sizes = [float(t.get("font-size")) for t in root.iter(f"{SVG_NS}text")]
        assert min(sizes) * scale >= 9.0 - 0.06


def test_a_box_too_wide_for_its_array_shows_the_shape() -> None:
    from derive.spec.examples import example_path

    sheet = build_worksheet(spec_from(example_path("relu-minibatch").read_text()))
    shown = ["".join(t.itertext()) for t in ET.fromstring(graph_svg(sheet)).iter(f"{SVG_NS}text")]
    assert {"5×1 matrix", "5×3 matrix"} <= set(shown) and not [s for s in shown if s.startswith("[[0.5]")]
    assert "[0.1, 0.2, -0.1]" in shown  # b1 fits its box
    tikz = graph_tikz(sheet)
    assert r"5 \times 3\ \text{matrix}" in tikz and r"\text{[0.1, 0.2, -0.1]}" in tikz


def test_every_part_of_a_split_print_picture_keeps_7_pt_labels() -> None:
    sheet = build_worksheet(spec_from(CHAIN))
    printed = str(graph_print_html(sheet, A4_LINE_PX, FormulaBoxes()))
    views = [float(w) for w in re.findall(r'viewBox="[\d.]+ [\d.]+ ([\d.]+) ', printed)]
    widths = [float(w) for w in re.findall(r'<svg [^>]*width="([\d.]+)"', printed)]
    assert len(views) == len(widths) >= 2 and "Part 2 of" in printed
    assert all(LABEL_PX * w / v * 0.75 >= 7.0 - 1e-9 for w, v in zip(widths, views, strict=True))
