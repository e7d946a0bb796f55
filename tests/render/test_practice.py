"""The practice page as a file: its bounds are the quizzes' margins around the key's numbers, every
answer of every built-in example has exactly one box, user text stays text, the page allows only its
own script, and the same set gives the same bytes. (The page at work: test_practice_browser.py.)
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
import io
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from derive.classset.blanks import student_sheet
from derive.render.practice.page import render_practice
from derive.render.practice.scorm import render_scorm
from derive.render.practice.variant import practice_variant
from derive.render.quiz.tolerance import Tolerance
from derive.sheet.answers import elements
from derive.sheet.build import build_worksheet
from derive.spec.examples import example_names, example_path
from derive.spec.schema import load_spec

from ..classset.quiz_sets import answer_rows, quiz_set
from ..classset.test_quiz_moodle import check_moodle

ANSWER = ("forward:", "local:", "gradient:", "updated:", "loss:")
INPUT = re.compile(r'<input class="box" type="text" data-box="(\d+)" data-column="([^"]*)"')


def page_data(html: str) -> dict:
    """The JSON the page's script reads."""
    text = re.search(r'<script type="application/json" id="practice-data">(.*?)</script>', html, re.S)[1]
    return json.loads(text)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> Path:
    return quiz_set(tmp_path_factory.mktemp("practice"), quizzes=("practice", "scorm", "moodle"))


@pytest.fixture(scope="module")
def keys() -> dict:
    return {name: build_worksheet(load_spec(example_path(name)), name) for name in example_names()}


def test_the_bounds_are_moodles_margins_around_the_keys_numbers(drawn):
    """Each box's bounds are the Cloze blank's value minus and plus its margin (the quiz's and the
    page's margins are one), in answers.csv's order, variant by variant."""
    data = page_data((drawn / "practice.html").read_text(encoding="utf-8"))
    rows = answer_rows(drawn)
    questions = check_moodle((drawn / "quiz.moodle.xml").read_bytes())
    assert [v["id"] for v in data["variants"]] == [name for name, _ in questions] == list(rows)
    for variant, (name, blanks) in zip(data["variants"], questions, strict=True):
        columns = [c for c in rows[name] if c.startswith(ANSWER)]
        assert [box["column"] for box in variant["boxes"]] == columns
        for box, blank in zip(variant["boxes"], blanks, strict=True):
            value, width = Decimal(blank["value"]), Decimal(blank["tolerance"])
            assert value == Decimal(rows[name][box["column"]])
            assert (Decimal(box["lo"]), Decimal(box["hi"])) == (value - width, value + width)
            assert 0 < width < abs(value) / 2 or value == 0  # a flipped sign never passes


def test_the_scorm_package_holds_the_page_reporting_to_the_lms(drawn):
    page = (drawn / "practice.html").read_text(encoding="utf-8")
    with zipfile.ZipFile(io.BytesIO((drawn / "practice.scorm.zip").read_bytes())) as archive:
        assert sorted(archive.namelist()) == ["imsmanifest.xml", "practice.html"]
        packaged = archive.read("practice.html").decode("utf-8")
    assert page_data(page)["scorm"] is False and page_data(packaged)["scorm"] is True
    assert packaged.replace('{"scorm":true,', '{"scorm":false,') == page


def test_every_answer_of_every_example_has_one_box_in_the_sheets_order(keys):
    """Arrays element by element, the step tables, the [gradient] tables: one input an answer
    element, numbered and named as answers.csv's columns, in the list's order (the tab order)."""
    for name, key in keys.items():
        variant = practice_variant(key, student_sheet(key))
        found = INPUT.findall(variant.body)
        columns = [column for column, _, _ in elements(key.answers)]
        assert [int(i) for i, _ in found] == list(range(len(columns))), name
        assert [column for _, column in found] == columns == [box.key for box in variant.boxes], name
        assert variant.body.count('class="show-step"') == variant.body.count('class="key-step"'), name


def test_user_text_stays_text(keys):
    """A title and a variant ID holding markup, a script's end and MathJax delimiters: escaped in
    the page, inert in the sheet, and unable to end the JSON's script element."""
    hostile = r"</script><script>alert(1)</script><!-- \(x\) $y$ & é"
    key = dataclasses.replace(keys["square"], title=hostile, variant=hostile)
    page = render_practice((practice_variant(key, student_sheet(key)),), hostile, Tolerance())
    assert page.count("<script") == page.count("</script>") == 2 and "alert(1)</script>" not in page
    assert "<!--" not in page and page_data(page)["variants"][0]["id"] == hostile
    assert f"<title>{hostile.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}" in page


def test_the_page_allows_its_own_script_and_nothing_else(keys):
    key = keys["neuron-bce"]
    page = render_practice((practice_variant(key, student_sheet(key)),), key.title, Tolerance())
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    policy = html.unescape(meta[1])
    script = re.search(r"<script>(.*?)</script>", page, re.S)[1]
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'" and directives["script-src"] == f"'sha256-{digest}'"
    assert "http" not in policy and not re.search(r'\s(?:src|href)="', page)


def test_one_sheet_has_no_new_numbers_and_the_same_set_gives_the_same_bytes(keys):
    key = keys["neuron-bce"]
    variant = practice_variant(key, student_sheet(key))
    page = render_practice((variant,), key.title, Tolerance())
    assert 'class="new-numbers"' not in page and "<template" not in page
    assert page == render_practice((practice_variant(key, student_sheet(key)),), key.title, Tolerance())
    package = render_scorm((variant,), key.title, Tolerance())
    assert package == render_scorm((variant,), key.title, Tolerance())


def test_a_relative_tolerance_gives_bounds_of_that_share(keys):
    key = keys["neuron-bce"]
    variant = practice_variant(key, student_sheet(key))
    data = page_data(render_practice((variant,), key.title, Tolerance(percent=Decimal(1))))
    for box, blank in zip(data["variants"][0]["boxes"], variant.boxes, strict=True):
        value = Decimal(blank.shown)
        assert Decimal(box["hi"]) - value == value - Decimal(box["lo"]) == abs(value) / 100
