"""The practice page in a real headless Chromium, opened from a file as a student would.

A careful student's answers (seed 003's neuron worked on paper: each number from the numbers
written before it, each written to the sheet's digits, computed here in Python) are every one
right; a flipped sign is wrong; Enter checks and the live region says so; Tab goes through the
boxes in the sheet's order (answers.csv's); "Show the step" shows the key's step; "New numbers"
brings the next variant, whose boxes check against its own row of answers.csv. axe-core finds
nothing, at 1000 px and at 400 px, where the page reflows. ``make screenshots`` copies the shot
of the page mid-exercise into the README's pictures.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from derive.classset.blanks import student_sheet
from derive.render.practice.page import render_practice
from derive.render.practice.variant import practice_variant
from derive.render.quiz.tolerance import Tolerance
from derive.sheet.build import build_worksheet
from derive.spec.examples import example_names, example_path
from derive.spec.schema import load_spec

from ..classset.quiz_sets import answer_rows, precision, quiz_set
from ..conftest import headless_chromium
from .test_accessibility import OVERFLOW, PHONE_WIDTH, RUN_AXE, axe_source

SCREENSHOTS = Path(__file__).resolve().parents[2] / "output" / "practice"
README_SHOT = Path(__file__).parent / "screenshots" / "practice.png"
ANSWER = ("forward:", "local:", "gradient:", "updated:", "loss:")
NARROWED = ("mazur-matrix", "minibatch-logistic-regression", "neuron-bce", "linear-regression",
            "relu-minibatch", "tanh-sigmoid-network")
"""The examples whose practice pages are also checked at a phone's width: matrices, long vectors of
boxes, a step table, long derivations."""

MARKS = """() => Object.fromEntries([...document.querySelectorAll('main .sheet input.box')].map(input =>
  [input.dataset.column, document.getElementById(input.getAttribute('aria-describedby')).textContent]))"""


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> Path:
    return quiz_set(tmp_path_factory.mktemp("practice"), quizzes=("practice",))


@pytest.fixture(scope="module")
def browser():
    with headless_chromium() as launched:
        yield launched


def _opened(browser, drawn: Path, bypass_csp: bool = False):
    """The page from its file, failing the test on any script error or any request but the page;
    ``bypass_csp`` for axe, whose script the page's Content-Security-Policy refuses."""
    opened = browser.new_page(viewport={"width": 1000, "height": 900}, bypass_csp=bypass_csp)
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"error: {error}"))
    opened.on("console", lambda message: message.type in ("error", "warning")
              and problems.append(message.text))
    opened.on("request", lambda request: request.url.startswith("file:") or problems.append(request.url))
    opened.goto((drawn / "practice.html").as_uri())
    yield opened, problems
    opened.close()
    assert problems == []


@pytest.fixture
def page(browser, drawn):
    for opened, _ in _opened(browser, drawn):
        yield opened


@pytest.fixture
def page_for_axe(browser, drawn):
    for opened, _ in _opened(browser, drawn, bypass_csp=True):
        yield opened


def on_paper(row: dict[str, str]) -> dict[str, str]:
    """Seed 003's neuron as a careful student works it on paper: each number from the numbers
    written before it (the local derivatives' product for a gradient, the new weights for the
    new loss), each written down to the sheet's significant digits."""
    digits = precision(row)

    def written(value: float) -> float:
        return float(f"{value:.{digits}g}")

    x1, x2, y = (float(row[f"input:{n}"]) for n in ("x1", "x2", "Y"))
    w = {n: float(row[f"parameter:{n}"]) for n in ("w1", "w2", "b")}
    rate = float(row["learning_rate"])

    def forward(w1: float, w2: float, b: float) -> tuple[float, float, float]:
        a1 = written(x1 * w1 + x2 * w2 + b)
        a2 = written(1 / (1 + math.exp(-a1)))
        return a1, a2, written(-(y * math.log(a2) + (1 - y) * math.log(1 - a2)))

    a1, a2, a3 = forward(w["w1"], w["w2"], w["b"])
    d21, d32 = written(a2 * (1 - a2)), written(-y / a2 + (1 - y) / (1 - a2))
    gradient = {"w1": written(d32 * d21 * x1), "w2": written(d32 * d21 * x2), "b": written(d32 * d21)}
    new = {n: written(w[n] - rate * gradient[n]) for n in w}
    values = {"forward:A1": a1, "forward:A2": a2, "forward:A3": a3, "local:A1/w1": x1, "local:A1/w2": x2,
              "local:A1/b": 1.0, "local:A2/A1": d21, "local:A3/A2": d32,
              "loss:after": forward(new["w1"], new["w2"], new["b"])[2]}
    values.update({f"gradient:{n}": g for n, g in gradient.items()})
    values.update({f"updated:{n}": v for n, v in new.items()})
    return {column: repr(value) for column, value in values.items()}


def columns(row: dict[str, str]) -> list[str]:
    return [column for column in row if column.startswith(ANSWER)]


def fill(page, values: dict[str, str]) -> None:
    for box in page.locator("main .sheet input.box").all():
        box.fill(values[box.get_attribute("data-column")])


def status(page) -> str:
    return page.locator("main .status").text_content().strip()


def test_a_careful_students_answers_are_all_right(page, drawn):
    row = next(iter(answer_rows(drawn).values()))
    worked = on_paper(row)
    assert set(worked) == set(columns(row))
    assert sum(worked[c] != row[c] for c in worked) >= 3  # the paper's numbers are not the key's
    fill(page, worked)
    page.get_by_role("button", name="Check").click()
    assert set(page.evaluate(MARKS).values()) == {"✓ right"}
    assert status(page) == f"{len(worked)} of {len(worked)} boxes right."


def test_a_flipped_sign_is_wrong_and_said_to_be(page, drawn):
    row = next(iter(answer_rows(drawn).values()))
    values = {c: row[c] for c in columns(row)}
    values["gradient:w1"] = row["gradient:w1"].removeprefix("-") if row["gradient:w1"].startswith("-") \
        else "-" + row["gradient:w1"]
    fill(page, values)
    box = page.locator('input.box[data-column="gradient:w1"]')
    box.press("Enter")
    marks = page.evaluate(MARKS)
    assert marks.pop("gradient:w1") == "✗ wrong" and set(marks.values()) == {"✓ right"}
    assert box.get_attribute("aria-invalid") == "true"
    assert status(page) == f"This box: wrong. {len(values) - 1} of {len(values)} boxes right, 1 wrong."


def test_enter_checks_and_the_live_region_announces(page, drawn):
    row = next(iter(answer_rows(drawn).values()))
    live = page.locator("main .status")
    assert live.get_attribute("role") == "status"  # a polite live region
    box = page.locator('input.box[data-column="forward:A2"]')
    box.fill(row["forward:A2"])
    box.press("Enter")
    total = len(columns(row))
    assert status(page) == f"This box: right. 1 of {total} boxes right, {total - 1} empty."
    box.press("Enter")  # the same words again are still a change the region announces
    assert live.text_content() == f"This box: right. 1 of {total} boxes right, {total - 1} empty.\u00a0"
    box.fill("two")
    assert page.evaluate(MARKS)["forward:A2"] == ""  # typing clears the box's mark
    box.press("Enter")
    assert page.evaluate(MARKS)["forward:A2"] == "? not a number"
    assert status(page).startswith("This box: not a number. 0 of")


@pytest.mark.parametrize("typed", ["{}", " {} ", "{u}", "{e}", "{x}", "{c}"])
def test_a_number_may_be_typed_as_on_paper(page, drawn, typed):
    """A Unicode minus, a power of ten (``×10^-1``, ``e-1``) and a decimal comma are read too."""
    key = next(iter(answer_rows(drawn).values()))["gradient:w1"]
    value = float(key)
    mantissa, exponent = f"{value * 10:.{len(key)}g}", "-1"
    text = typed.format(key, u=key.replace("-", "\u2212"), e=f"{mantissa}e{exponent}",
                        x=f"{mantissa}×10^{exponent}", c=key.replace(".", ","))
    box = page.locator('input.box[data-column="gradient:w1"]')
    box.fill(text)
    box.press("Enter")
    assert page.evaluate(MARKS)["gradient:w1"] == "✓ right", text


def test_tab_goes_through_the_boxes_in_the_sheets_order(page, drawn):
    """Tab stops at each box in answers.csv's order (the sheet's), each line's "Show the step"
    after its boxes, then at Check and New numbers."""
    row = next(iter(answer_rows(drawn).values()))
    page.locator("main .sheet input.box").first.focus()
    stops = []
    for _ in range(3 * len(columns(row)) + 5):
        stops.append(page.evaluate("""() => { const e = document.activeElement;
            return e.matches('input.box') ? e.dataset.column : e.textContent.trim(); }"""))
        if stops[-1] == "New numbers":
            break
        page.keyboard.press("Tab")
    boxes = [stop for stop in stops if stop.startswith(ANSWER)]
    assert boxes == columns(row)
    others = [stop for stop in stops if not stop.startswith(ANSWER)]
    assert others[-2:] == ["Check", "New numbers"]
    assert all(o.startswith("Show the step for ") for o in others[:-2])
    assert stops[1] == "Show the step for A1"  # a line's button right after its box


def test_show_the_step_shows_the_keys_step(page, drawn):
    row = next(iter(answer_rows(drawn).values()))
    button = page.get_by_role("button", name="Show the step for ∂A3/∂w1")
    step = page.locator(f"#{button.get_attribute('aria-controls')}")
    assert button.get_attribute("aria-expanded") == "false" and step.is_hidden()
    button.click()
    assert button.get_attribute("aria-expanded") == "true" and step.is_visible()
    assert row["gradient:w1"].replace("-", "\u2212") in step.inner_text()
    assert step.locator("math").count() == 1
    button.click()
    assert step.is_hidden()


def test_new_numbers_brings_the_next_variant_checked_against_its_own_key(page, drawn):
    rows = list(answer_rows(drawn).values())
    first, second = rows[0], rows[1]
    page.get_by_role("button", name="New numbers").click()
    assert page.locator("main .sheet .variant strong").inner_text() == second["id"]
    boxes = len(columns(second))
    assert status(page) == f"New numbers: variant {second['id']}, 2 of {len(rows)}; {boxes} boxes."
    assert page.evaluate("document.activeElement.dataset.column") == columns(second)[0]
    fill(page, {c: second[c] for c in columns(second)})
    page.get_by_role("button", name="Check").click()
    assert set(page.evaluate(MARKS).values()) == {"✓ right"}
    fill(page, {c: first[c] for c in columns(first)})  # the first variant's answers
    page.get_by_role("button", name="Check").click()
    marks = page.evaluate(MARKS)
    for column in columns(first):
        a, b = float(first[column]), float(second[column])
        if a == b:
            assert marks[column] == "✓ right", column
        elif abs(a - b) > 1e-3 * max(abs(a), abs(b)):
            assert marks[column] == "✗ wrong", column
    assert "✗ wrong" in marks.values()
    for _ in range(len(rows) - 1):  # round to the first again, its boxes empty
        page.get_by_role("button", name="New numbers").click()
    assert page.locator("main .sheet .variant strong").inner_text() == first["id"]
    assert [box.input_value() for box in page.locator("main .sheet input.box").all()] == [""] * len(marks)


def test_the_page_runs_no_script_but_its_own(browser, drawn):
    """Its Content-Security-Policy refuses any other script (here, one a test injects)."""
    for page, problems in _opened(browser, drawn):
        with pytest.raises(Exception, match="Content Security Policy"):
            page.add_script_tag(content="document.title = 'injected'")
        assert page.title() != "injected"
        assert [p for p in problems if "Content Security Policy" in p] != []
        problems.clear()


def _violations(page) -> list:
    page.add_script_tag(content=axe_source())
    return page.evaluate(RUN_AXE, {"resultTypes": ["violations"]})


def test_axe_finds_nothing_mid_exercise(page_for_axe, drawn):
    """Marks right and wrong, a step shown: nothing for axe, at 1000 px."""
    page = page_for_axe
    row = next(iter(answer_rows(drawn).values()))
    fill(page, {c: row[c] if i % 3 else "1" for i, c in enumerate(columns(row))})
    page.get_by_role("button", name="Check").click()
    page.get_by_role("button", name="Show the step for ∂A3/∂w1").click()
    assert _violations(page) == []


def test_the_page_reflows_at_400_px_and_axe_finds_nothing_there(page_for_axe, drawn):
    """At a phone's width nothing but an equation, a table or a step of the key scrolls sideways;
    the shot of the page mid-exercise at 1000 px and 400 px goes to output/practice/."""
    page = page_for_axe
    row = next(iter(answer_rows(drawn).values()))
    fill(page, {c: row[c] if i % 4 else "0.5" for i, c in enumerate(columns(row)[:12])} | {
        c: "" for c in columns(row)[12:]})
    page.get_by_role("button", name="Check").click()
    page.get_by_role("button", name="Show the step for ∂A2/∂A1").click()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator('input.box[data-column="local:A1/w1"]').scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 160)")
    page.screenshot(path=SCREENSHOTS / "practice-1000.png")
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    measured = page.evaluate(OVERFLOW.replace("'.equation, table, pre, figure'",
                                              "'.equation, table, pre, figure, .key-step'"))
    page.locator('input.box[data-column="local:A2/A1"]').scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "practice-400.png")
    assert measured["innerWidth"] == PHONE_WIDTH
    assert measured["scrollWidth"] <= PHONE_WIDTH and measured["outside"] == [], measured
    page.add_script_tag(content=axe_source())
    rules = {"rules": {"scrollable-region-focusable": {"enabled": False}}}
    assert page.evaluate(RUN_AXE, {"resultTypes": ["violations"], **rules}) == []


@pytest.fixture(scope="module")
def example_pages() -> dict[str, str]:
    """Every built-in example's sheet as a practice page of one variant."""
    pages = {}
    for name in example_names():
        key = build_worksheet(load_spec(example_path(name)), name)
        pages[name] = render_practice((practice_variant(key, student_sheet(key)),), key.title, Tolerance())
    return pages


def test_axe_finds_nothing_on_any_examples_practice_page(browser, example_pages):
    """Arrays' boxes in brackets and grids, step tables, [gradient] tables, at 1000 px and (the
    widest) at 400 px, where nothing but an equation, a table or a step of the key scrolls sideways."""
    found = {}
    for name, html in example_pages.items():
        for width in (1000, PHONE_WIDTH) if name in NARROWED else (1000,):
            page = browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
            try:
                page.set_content(html)
                measured = page.evaluate(OVERFLOW.replace("'.equation, table, pre, figure'",
                                                          "'.equation, table, pre, figure, .key-step'"))
                page.add_script_tag(content=axe_source())
                rules = {"rules": {"scrollable-region-focusable": {"enabled": width > PHONE_WIDTH}}}
                result = page.evaluate(RUN_AXE, {"resultTypes": ["violations"], **rules})
            finally:
                page.close()
            if result or measured["scrollWidth"] > width or measured["outside"]:
                found[f"{name} {width}"] = (result, measured)
    assert len(example_pages) >= 15 and found == {}, found


def copy_screenshots() -> None:
    """``make screenshots``: the page mid-exercise at 1000 px, reduced, as the README shows it."""
    from PIL import Image

    README_SHOT.parent.mkdir(exist_ok=True)
    with Image.open(SCREENSHOTS / "practice-1000.png") as image:
        image.convert("RGB").quantize(colors=64, dither=Image.Dither.NONE).save(README_SHOT, optimize=True)


def test_the_readme_shows_the_page():
    root = Path(__file__).resolve().parents[2]
    assert README_SHOT.exists() and f"]({README_SHOT.relative_to(root)})" in (
        root / "README.md").read_text(encoding="utf-8")
