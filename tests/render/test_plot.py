"""The loss curve: one SVG point per step, deterministic, inline-safe; TikZ that compiles."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from derive.render.figures.plot import CURVE, MAX_POINTS, _subsample, loss_plot_svg, loss_plot_tikz
from derive.sheet.build import build_worksheet
from derive.sheet.model import Step, Worksheet

from ..conftest import DEFAULT, TWO_OUTPUTS, spec_from
from .test_picture import compile_latex

SVG_NS = "http://www.w3.org/2000/svg"


@pytest.fixture(scope="module")
def sheet() -> Worksheet:
    return build_worksheet(spec_from(DEFAULT, "train.steps=30"))


def with_losses(sheet: Worksheet, losses: list[float]) -> Worksheet:
    """``sheet`` with a made-up history, to test scales and thinning without training."""
    history = tuple(Step(i, loss, (), f"{loss:.7g}", ()) for i, loss in enumerate(losses))
    return dataclasses.replace(sheet, history=history)


def curve_points(svg: str) -> list[tuple[float, float]]:
    """The vertices of the loss curve's path (the one stroked in the curve colour)."""
    paths = [p for p in ET.fromstring(svg).iter(f"{{{SVG_NS}}}path") if CURVE in p.get("style", "")]
    assert len(paths) == 1
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", paths[0].get("d", ""))]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def test_svg_has_one_point_per_step_in_order(sheet: Worksheet) -> None:
    assert len(sheet.history) == 31
    points = curve_points(loss_plot_svg(sheet))
    assert len(points) == len(sheet.history)
    xs = [x for x, _ in points]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert points[0][1] < points[-1][1]  # the loss falls, and SVG y grows downwards


def test_svg_is_inline_ready_and_deterministic(sheet: Worksheet) -> None:
    svg = loss_plot_svg(sheet)
    assert svg == loss_plot_svg(sheet)
    root = ET.fromstring(svg)
    assert svg.startswith("<svg ") and "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert "<style" not in svg and "<metadata" not in svg and "<script" not in svg
    assert root.get("role") == "img" and "30 descent steps" in root.get("aria-label", "")
    assert root.get("viewBox") and "max-width" in root.get("style", "")
    assert not re.search(r"\sid=", svg) and "<use" not in svg and "url(#" not in svg  # two plots on one page
    labels = ["".join(t.itertext()) for t in root.iter(f"{{{SVG_NS}}}text")]
    assert "step" in labels and "loss" in labels


def test_log_axis_only_beyond_two_decades(sheet: Worksheet) -> None:
    assert "10^{" not in loss_plot_tikz(sheet)
    steep = with_losses(sheet, [10.0 ** -k for k in range(6)])
    assert r"$10^{-5}$" in loss_plot_tikz(steep)
    root = ET.fromstring(loss_plot_svg(steep))
    ticks = ["".join("".join(t.itertext()).split()) for t in root.iter(f"{{{SVG_NS}}}text")]
    assert "10−5" in ticks  # mathtext: 10 with a superscript −5


def test_nothing_drawn_for_two_steps_or_fewer() -> None:
    two = build_worksheet(spec_from(TWO_OUTPUTS))
    assert len(two.history) <= 2
    assert loss_plot_svg(two) == "" and loss_plot_tikz(two) == ""


def test_tikz_is_plain_and_thinned_to_at_most_200_points(sheet: Worksheet) -> None:
    tikz = loss_plot_tikz(sheet)
    assert "pgfplots" not in tikz and "usetikzlibrary" not in tikz and r"\begin{axis}" not in tikz
    assert len(re.search(r"plot coordinates \{([^}]*)\}", tikz)[1].split()) == len(sheet.history)
    long = with_losses(sheet, [1.0 / (1 + k) for k in range(1001)])
    coordinates = re.search(r"plot coordinates \{([^}]*)\}", loss_plot_tikz(long))[1].split()
    assert len(coordinates) <= MAX_POINTS
    assert coordinates[0].startswith("(0.000,") and coordinates[-1].startswith("(10.000,")


def test_subsample_keeps_ends_and_spreads_evenly() -> None:
    assert _subsample(5) == [0, 1, 2, 3, 4]
    picked = _subsample(1001)
    assert picked[0] == 0 and picked[-1] == 1000 and len(picked) <= MAX_POINTS
    gaps = {b - a for a, b in zip(picked, picked[1:], strict=False)}
    assert max(gaps) - min(gaps) <= 1


def test_tikz_compiles_with_pdflatex(sheet: Worksheet, tmp_path: Path) -> None:
    steep = with_losses(sheet, [10.0 ** -k for k in range(12)])
    compile_latex(f"{loss_plot_tikz(sheet)}\n\n{loss_plot_tikz(steep)}", tmp_path)


def test_a_vector_loss_is_plotted_as_its_sum() -> None:
    from derive.render.figures.plot import _series
    from derive.spec.examples import example_path
    from derive.spec.schema import load_spec

    sheet = build_worksheet(load_spec(example_path("linear-regression")), "lr")
    # |0.5 x + 0.25 - y| at x = -1..4, y = 2x - 1: 2.75 + 1.25 + 0.25 + 1.75 + 3.25 + 4.75
    assert _series(sheet)[1][0] == pytest.approx(14.0, abs=1e-6)
