r"""The Moodle XML quiz: it parses, passes a checker written from Moodle's format documentation
and import code, and every blank is the key's answer.

The checker (``check_moodle``) follows docs.moodle.org's "Moodle XML format" and "Embedded
Answers (Cloze) question type" pages and Moodle's own import code (question/format/xml/
format.php ``import_multianswer``, question/type/multianswer/questiontype.php
``qtype_multianswer_extract_question``): a ``<quiz>`` of ``<question type=...>``, a category
path under ``$course$/``, a Cloze question's name, HTML question text, files in base64 that
the text refers to as ``@@PLUGINFILE@@/``, and the subquestions Moodle's own pattern
(``ANSWER_REGEX``, copied below in Python's syntax) finds, each of which must be our blank
form ``{weight:NUMERICAL:=value:tolerance}`` with Moodle's ``NUMBER_REGEX`` numbers.
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ElementTree
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from derive.errors import SpecError
from derive.render.quiz.moodle import category_path, cloze_escape
from derive.render.quiz.tolerance import Tolerance, margin, parse_tolerance

from ..conftest import run_cli
from .quiz_sets import SEED_NEURON, agrees, answer_rows, neuron, precision, quiz_set

QUESTION_TYPES = {"category", "cloze", "multichoice", "truefalse", "shortanswer", "numerical", "essay",
                  "matching", "description", "calculated", "ddwtos", "gapselect"}
"""Moodle XML's question types (format.php's ``try_importing_using_qtypes`` and the core list)."""
# Moodle's patterns (questiontype.php), as Python regular expressions:
NUMBER = r"-?(?:(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)(?:[eE][-+]?[0-9]+)?)"
ANSWER_START = r"\{([0-9]*):(NUMERICAL|NM|MULTICHOICE|MC|MULTICHOICE_V|MCV|MULTICHOICE_H|MCH|" \
               r"SHORTANSWER|SA|MW|SHORTANSWER_C|SAC|MWC|MULTIRESPONSE|MR|MULTIRESPONSE_H|MRH):"
MOODLE_SUBQUESTION = re.compile(ANSWER_START + r"(.*?)(?<!\\)\}")
OUR_BLANK = re.compile(rf"\{{(?P<weight>[0-9]+):NUMERICAL:=(?P<value>{NUMBER}):(?P<tolerance>{NUMBER})"
                       r"(?:#(?P<feedback>(?:[^\\}~#]|\\.)*))?\}")


def check_moodle(xml: bytes) -> list[tuple[str, list[re.Match]]]:
    """Every rule of the checker; returns each Cloze question's name and its blanks."""
    root = ElementTree.fromstring(xml)
    assert root.tag == "quiz"
    questions = root.findall("question")
    assert questions and all(q.get("type") in QUESTION_TYPES for q in questions)
    assert questions[0].get("type") == "category"
    path = questions[0].findtext("category/text")
    assert path.startswith("$course$/top/") and len(path) > len("$course$/top/")
    found = []
    for question in questions[1:]:
        assert question.get("type") == "cloze"
        name = question.findtext("name/text")
        assert name and name == question.findtext("idnumber")
        text_element = question.find("questiontext")
        assert text_element.get("format") == "html"
        text = text_element.findtext("text")
        assert question.find("generalfeedback/text") is not None
        assert 0 <= float(question.findtext("penalty")) <= 1 and question.findtext("hidden") in ("0", "1")
        files = {f.get("name"): f for f in text_element.findall("file")}
        for file in files.values():
            assert file.get("path") == "/" and file.get("encoding") == "base64"
            assert base64.b64decode(file.text, validate=True).lstrip().startswith(b"<svg")
        assert set(re.findall(r"@@PLUGINFILE@@/([^\"'\s>]+)", text)) == set(files)
        moodle_sees = MOODLE_SUBQUESTION.findall(text)
        blanks = list(OUR_BLANK.finditer(text))
        assert len(moodle_sees) == len(blanks) > 0
        assert all(b.group("weight") == "1" for b in blanks)
        rest = OUR_BLANK.sub("", text)
        assert "{" not in rest, "a brace outside a blank could start a subquestion"
        assert rest.count(r"\(") == rest.count(r"\)")
        found.append((name, blanks))
    return found


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> Path:
    return quiz_set(tmp_path_factory.mktemp("moodle"), quizzes=("moodle",))


def test_the_quiz_parses_and_passes_the_checker(drawn):
    questions = check_moodle((drawn / "quiz.moodle.xml").read_bytes())
    assert [name for name, _ in questions] == list(answer_rows(drawn))


def test_the_category_is_named_after_the_set(drawn):
    root = ElementTree.fromstring((drawn / "quiz.moodle.xml").read_bytes())
    assert root.find("question/category/text").text == (
        "$course$/top/Backpropagation through one sigmoid neuron (neuron-2026)")
    assert category_path("a/b") == "$course$/top/a//b"


def test_each_blank_is_the_csv_answer_in_order_and_numpy_agrees(drawn):
    """The Cloze blanks are answers.csv's answers, one each, in order; each one's feedback names
    it as the sheet does (no answers.csv column), and NumPy agrees with each."""
    rows = answer_rows(drawn)
    for name, blanks in check_moodle((drawn / "quiz.moodle.xml").read_bytes()):
        row, expected = rows[name], neuron(rows[name])
        columns = [c for c in row if c.startswith(("forward:", "local:", "gradient:", "updated:", "loss:"))]
        assert [b.group("value") for b in blanks] == [row[c] for c in columns]
        feedback = [b.group("feedback") for b in blanks]
        assert feedback[:3] == ["A1", "A2", "A3"] and "the new w1" in feedback
        assert not [f for f in feedback if ":" in f]
        for column in columns:
            if column in expected:
                assert agrees(row[column], expected[column], precision(row)), column


def test_the_seed_neuron_asks_the_seeds_numbers(tmp_path):
    out = quiz_set(tmp_path, SEED_NEURON, count=1, quizzes=("moodle",))
    [(_, blanks)] = check_moodle((out / "quiz.moodle.xml").read_bytes())
    values = [b.group("value") for b in blanks]
    # seed notebook 003: dA3/dw1 = -0.2828153, w1 <- 0.7282815; loss 0.2453255 -> 0.2136941
    assert "-0.2828153" in values and "0.7282815" in values
    assert values[2] == "0.2453255" and values[-1] == "0.2136941"  # the loss: forward pass, after the step
    assert values.count("-1.278037") == 1  # dA3/dA2 is asked once, not again inside each chain rule
    tolerance = {b.group("value"): Decimal(b.group("tolerance")) for b in blanks}
    assert tolerance["-0.2828153"] == Decimal("0.000001")  # ten units in the 7th digit
    assert tolerance["1.3"] == Decimal("0.00001")


def test_a_relative_tolerance(tmp_path):
    out = quiz_set(tmp_path, SEED_NEURON, count=1, quizzes=("moodle",), tolerance=parse_tolerance("1%"))
    [(_, blanks)] = check_moodle((out / "quiz.moodle.xml").read_bytes())
    widths = {b.group("value"): b.group("tolerance") for b in blanks}
    assert widths["-0.2828153"] == "0.002828153" and widths["0.7282815"] == "0.007282815"


def test_tolerances_parse_or_fail_in_one_line():
    assert margin("-0.2828153", 7, Tolerance()) == Decimal("1E-6")
    assert margin("4", 7, Tolerance()) == Decimal("1E-5")  # %g writes 4.000000 as 4
    assert margin("2.5e-5", 7, parse_tolerance("0.001")) == Decimal("0.001")
    assert margin("-2", 7, parse_tolerance("1%")) == Decimal("0.02")
    for bad in ("abc", "-1%", "1e", "200%", "1 %%"):
        with pytest.raises(SpecError, match="^--tolerance: "):
            parse_tolerance(bad)


def test_cloze_specials_are_escaped():
    # Moodle's Cloze page: "}", "#", "~", "/", '"' and "\" inside answers and feedback take a backslash
    assert cloze_escape('a}b#c~d/e"f\\g') == 'a\\}b\\#c\\~d\\/e\\"f\\\\g'
    feedback = OUR_BLANK.fullmatch("{1:NUMERICAL:=1.5:0.1#" + cloze_escape("x}/#~") + "}")
    assert feedback and re.sub(r"\\(.)", r"\1", feedback.group("feedback")) == "x}/#~"


def test_a_hostile_title_cannot_spell_a_subquestion(tmp_path):
    hostile = SEED_NEURON.replace('title = "Backpropagation through one sigmoid neuron"',
                                  'title = "{1:SHORTANSWER:=x} $$x$$ <b>"')
    out = quiz_set(tmp_path, hostile, count=1, quizzes=("moodle", "qti"))
    xml = (out / "quiz.moodle.xml").read_bytes()
    with zipfile.ZipFile(out / "quiz.qti.zip") as archive:
        ElementTree.fromstring(archive.read("variant-1/assessment.xml"))  # well-formed
    [(_, blanks)] = check_moodle(xml)
    text = ElementTree.fromstring(xml).find("question[@type='cloze']/questiontext/text").text
    assert "&#123;1:SHORTANSWER:=x} " in text and " &lt;b&gt;" in text
    dollar = '<span class="mathjax_ignore tex2jax_ignore">&#36;</span>'  # each $ in an element of its own
    assert f" {dollar * 2}x{dollar * 2} " in text and "$" not in text.replace("&#36;", "")


@pytest.mark.parametrize("character", ["\\uFFFF", "\\u0001"])
def test_a_title_xml_cannot_hold_is_refused_before_any_work(monkeypatch, capsys, tmp_path, character):
    (tmp_path / "class.toml").write_text(SEED_NEURON.replace('title = "Back', f'title = "{character}Back'))
    out = tmp_path / "out"
    code, _, err = run_cli(monkeypatch, capsys, "batch", str(tmp_path / "class.toml"), "--count", "2",
                           "--format", "moodle,qti", "--out", str(out))
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"derive: error: title: holds U+{character[-4:]} (character 1), which the quizzes'")
    assert not out.exists()


@pytest.mark.parametrize("arguments, message", [
    (["--format", "moodle", "--tolerance", "ten"], "derive: error: --tolerance: expected a percentage"),
    (["--format", "moodle,bogus"], "derive: error: --format: unknown format 'bogus'; expected"),
])
def test_bad_quiz_options_are_one_line_with_exit_status_2(monkeypatch, capsys, tmp_path, arguments, message):
    (tmp_path / "class.toml").write_text(SEED_NEURON)
    out = tmp_path / "out"
    code, _, err = run_cli(monkeypatch, capsys, "batch", str(tmp_path / "class.toml"), "--count", "2",
                           "--out", str(out), *arguments)
    assert code == 2 and err.startswith(message) and err.count("\n") == 1, err
    assert not out.exists()
