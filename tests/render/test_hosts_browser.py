"""Each host's fragment, after the host's sanitizer, in headless Chromium: separated numbers,
loaded pictures, rendered math; and readable text on dark themes (WCAG contrast, from the
computed colours). Screenshots go to ``output/hosts/`` (``make screenshots`` copies them into
``tests/render/hosts/screenshots/`` for the README).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from derive.render.formats import Options, render_all
from derive.sheet.build import build_worksheet
from derive.sheet.model import Worksheet

from ..conftest import DEFAULT, headless_chromium, require_tool, spec_from
from .hosts import pages, sanitizers

SCREENSHOTS = Path(__file__).resolve().parents[2] / "output" / "hosts"
NAME = "neuron-bce.fragment.html"

MEASURE = """() => {
  const text = (cell) => { const r = document.createRange(); r.selectNodeContents(cell);
    return r.getBoundingClientRect(); };
  const gaps = [];
  for (const row of document.querySelectorAll("table tr")) {
    const cells = [...row.children].filter((c) => c.matches("td.num") && c.textContent.trim());
    for (let i = 1; i < cells.length; i++) {
      if (cells[i].previousElementSibling !== cells[i - 1]) continue;
      gaps.push(text(cells[i]).left - text(cells[i - 1]).right);
    }
  }
  const images = [...document.images].map((i) => ({src: i.getAttribute("src"), ok: i.complete,
    width: i.naturalWidth, shown: i.getBoundingClientRect().width}));
  const math = [...document.querySelectorAll("math")].map((m) => {
    const r = m.getBoundingClientRect(); return [r.width, r.height]; });
  const fractions = [...document.querySelectorAll("mfrac")].map((f) =>
    f.children[0].getBoundingClientRect().bottom <= f.children[1].getBoundingClientRect().top + 1);
  return {gaps, images, math, fractions, mathjax: document.querySelectorAll("mjx-container").length,
    errors: document.querySelectorAll("mjx-merror").length, text: document.body.innerText};
}"""

COLOURS = """() => {
  const out = [];
  for (const el of document.querySelectorAll(".derive-worksheet *")) {
    if (el.closest("svg, math, mjx-container")) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const bg = getComputedStyle(e).backgroundColor; layers.push(bg);
      if (/^rgb\\(/.test(bg)) break;
    }
    out.push({tag: el.tagName, text: el.textContent.trim().slice(0, 40),
              color: getComputedStyle(el).color, layers});
  }
  return out;
}"""


@pytest.fixture(scope="module")
def sheet() -> Worksheet:
    return build_worksheet(spec_from(DEFAULT, "train.steps=30"), "neuron-bce")


@pytest.fixture(scope="module")
def browser():
    with headless_chromium("--allow-file-access-from-files") as launched:  # MathJax's fonts
        yield launched


def _show(browser, tmp_path: Path, files: dict[str, str | bytes], page_html: str, shot: str) -> dict:
    """``page_html`` opened from a folder holding ``files`` (the pictures), measured and shot."""
    for name, content in files.items():
        (tmp_path / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    (tmp_path / "page.html").write_text(page_html)
    page = browser.new_page(viewport={"width": 900, "height": 1000})
    page.goto((tmp_path / "page.html").as_uri())
    page.wait_for_load_state("load")
    if "tex-chtml.js" in page_html:
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
        page.evaluate("MathJax.startup.promise")
    measured = page.evaluate(MEASURE)
    measured["colours"] = page.evaluate(COLOURS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / shot), full_page=True)
    page.close()
    return measured


def _assert_readable_sheet(measured: dict, math: str, pictures: int) -> None:
    assert len(measured["gaps"]) >= 12 and min(measured["gaps"]) >= 8, measured["gaps"]
    assert len(measured["images"]) == pictures
    assert all(i["ok"] and i["width"] > 300 and i["shown"] > 300 for i in measured["images"]), measured
    if math == "mathml":
        assert len(measured["math"]) > 20 and all(w > 0 and h > 0 for w, h in measured["math"])
        assert measured["fractions"] and all(measured["fractions"])  # numerator laid out above
    else:
        assert measured["mathjax"] > 20 and measured["errors"] == 0
        assert not re.search(r"\\[(\[]", measured["text"]), "raw TeX left on the page"
    assert "0.2453255" in measured["text"]  # the seed's loss, as the sheet shows it


def test_canvas_after_its_sanitizer(browser, sheet, tmp_path) -> None:
    files = render_all(sheet, ("fragment",), Options(host="canvas"))
    kept = sanitizers.canvas(files.pop(NAME))
    measured = _show(browser, tmp_path, files, pages.canvas(kept), "canvas.png")
    _assert_readable_sheet(measured, "mathml", pictures=2)


def test_the_checks_see_what_canvas_does_to_the_plain_fragment(browser, sheet, tmp_path) -> None:
    """The issue's report, measured: without --host canvas the numbers all but touch (the browser's
    2 px cell spacing, no padding) and the pictures vanish."""
    kept = sanitizers.canvas(render_all(sheet, ("fragment",), Options())[NAME])
    measured = _show(browser, tmp_path, {}, pages.canvas(kept), "canvas-plain-fragment.png")
    assert min(measured["gaps"]) <= 2 and measured["images"] == [] and "<svg" not in kept


def test_moodle_after_its_purifier_with_mathjax(browser, sheet, tmp_path) -> None:
    require_mathjax()
    files = render_all(sheet, ("fragment",), Options(host="moodle"))
    kept = sanitizers.moodle(files.pop(NAME))
    measured = _show(browser, tmp_path, files, pages.moodle(kept), "moodle.png")
    _assert_readable_sheet(measured, "tex", pictures=2)


def test_mkdocs_material_slate_with_arithmatex(browser, sheet, tmp_path) -> None:
    require_mathjax()
    fragment = render_all(sheet, ("fragment",), Options(host="mkdocs"))[NAME]
    built = pages.markdown_page(fragment)
    assert fragment.strip() in built  # Python-Markdown passes the fragment through as it is
    measured = _show(browser, tmp_path, {}, pages.mkdocs_slate(built), "mkdocs-slate.png")
    _assert_readable_sheet(measured, "tex", pictures=0)
    assert_contrast(measured["colours"])


@pytest.mark.parametrize("page, shot", [(pages.furo_dark, "sphinx-furo-dark.png"),
                                        (pages.jupyterlab_dark, "jupyterlab-dark.png")])
def test_plain_on_dark_themes(browser, sheet, tmp_path, page, shot) -> None:
    fragment = render_all(sheet, ("fragment",), Options())[NAME]
    measured = _show(browser, tmp_path, {}, page(fragment), shot)
    _assert_readable_sheet(measured, "mathml", pictures=0)
    assert_contrast(measured["colours"])


def require_mathjax() -> None:
    if not pages.MATHJAX.exists():
        require_tool("mathjax (npm install --prefix tests/render/hosts mathjax@3.2.2, as .ci/run does)")


def _rgba(css: str) -> tuple[float, float, float, float]:
    values = [float(v) for v in re.findall(r"[\d.]+", css)]
    return (*values[:3], values[3] if len(values) > 3 else 1.0)  # type: ignore[return-value]


def _over(top: tuple, bottom: tuple) -> tuple:
    """``top`` composited over an opaque ``bottom``."""
    alpha = top[3]
    return (*(alpha * t + (1 - alpha) * b for t, b in zip(top[:3], bottom[:3], strict=True)), 1.0)


def _luminance(rgb: tuple) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0-255 channels)."""
    def linear(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(colour: str, layers: list[str]) -> float:
    """The WCAG contrast ratio of text ``colour`` over the stacked backgrounds ``layers`` (innermost
    first; the page under them all is white, as a browser's canvas is)."""
    ground = (255.0, 255.0, 255.0, 1.0)
    for layer in reversed(layers):
        ground = _over(_rgba(layer), ground)
    text = _over(_rgba(colour), ground)
    lighter, darker = sorted((_luminance(text), _luminance(ground)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_is_the_wcag_formula() -> None:
    assert contrast("rgb(0, 0, 0)", ["rgb(255, 255, 255)"]) == pytest.approx(21.0)
    assert contrast("rgb(119, 119, 119)", ["rgb(255, 255, 255)"]) == pytest.approx(4.48, abs=0.01)  # WebAIM
    assert contrast("rgba(0, 0, 0, 0)", ["rgb(17, 17, 17)"]) == pytest.approx(1.0)
    # the case: dark text on a transparent sheet over a dark page
    assert contrast("rgb(26, 26, 26)", ["rgba(0, 0, 0, 0)", "rgb(30, 33, 41)"]) < 1.2


def assert_contrast(colours: list[dict]) -> None:
    assert len(colours) > 50
    worst = min(colours, key=lambda c: contrast(c["color"], c["layers"]))
    assert contrast(worst["color"], worst["layers"]) >= 4.5, worst


def test_screenshots_are_small_enough_to_commit() -> None:
    committed = Path(__file__).parent / "hosts" / "screenshots"
    shots = [committed / name for name in README_SHOTS]
    assert all(p.exists() and p.stat().st_size < 150_000 for p in shots), shots
    if not SCREENSHOTS.exists():
        return
    for shot in shots:  # the README's pictures are today's: regenerated by the tests above
        assert (SCREENSHOTS / shot.name).exists()


def copy_screenshots() -> None:
    """``make screenshots``: the tests' full-page shots, cut to their first screen and reduced."""
    from PIL import Image

    target = Path(__file__).parent / "hosts" / "screenshots"
    for name in README_SHOTS:
        with Image.open(SCREENSHOTS / name) as image:
            top = image.crop((0, 0, image.width, min(image.height, 1100))).convert("RGB")
            top.quantize(colors=48, dither=Image.Dither.NONE).save(target / name, optimize=True)


README_SHOTS = ("canvas.png", "moodle.png", "mkdocs-slate.png", "sphinx-furo-dark.png", "jupyterlab-dark.png")
"""The screenshots the README shows, one a host."""
