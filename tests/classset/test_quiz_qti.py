"""The QTI 1.2 package for Canvas: a zip whose assessments validate against IMS's QTI 1.2 schema
(tests/classset/schemas, see its README), whose manifest lists every file, one assessment per
variant, and whose numerical answers and margins are the key's."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ElementTree
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import xmlschema

from derive.render.quiz.qti import render_qti
from derive.render.quiz.question import Answer, Blank, Question, Text
from derive.render.quiz.tolerance import Tolerance, parse_tolerance

from .quiz_sets import SEED_NEURON, agrees, answer_rows, neuron, precision, quiz_set

SCHEMA = Path(__file__).parent / "schemas" / "ims_qtiasiv1p2.xsd"
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
ANSWER_KINDS = ("forward", "local", "gradient", "updated", "loss")


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(str(SCHEMA))


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> Path:
    return quiz_set(tmp_path_factory.mktemp("qti"), quizzes=("qti",))


def entries(out: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(out / "quiz.qti.zip") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def numerical_items(assessment: bytes) -> dict[str, tuple[str, Decimal, Decimal]]:
    """Each numerical item's title (the answers.csv column): its exact answer and its bounds."""
    root = ElementTree.fromstring(assessment)
    found = {}
    for item in root.iter(f"{QTI}item"):
        fields = {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry")
                  for f in item.iter(f"{QTI}qtimetadatafield")}
        if fields["question_type"] != "numerical_question":
            assert fields["question_type"] == "text_only_question"
            continue
        either = item.find(f"{QTI}resprocessing/{QTI}respcondition/{QTI}conditionvar/{QTI}or")
        low, high = (Decimal(either.findtext(f"{QTI}and/{QTI}{tag}")) for tag in ("vargte", "varlte"))
        found[item.get("title")] = (either.findtext(f"{QTI}varequal"), low, high)
    return found


def test_every_assessment_validates_against_the_qti_schema(drawn, schema):
    files = entries(drawn)
    assessments = sorted(name for name in files if name.endswith("assessment.xml"))
    assert len(assessments) == len(answer_rows(drawn)) == 3
    for name in assessments:
        schema.validate(files[name].decode("utf-8"))


def test_the_schema_is_not_a_rubber_stamp(schema):
    broken = (b'<questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2">'
              b'<assessment title="no ident"><section ident="s"/></assessment></questestinterop>')
    assert not schema.is_valid(broken.decode())


def test_the_manifest_lists_every_file_once(drawn):
    files = entries(drawn)
    manifest = ElementTree.fromstring(files["imsmanifest.xml"])
    resources = manifest.findall(f"{CP}resources/{CP}resource")
    assert {r.get("type") for r in resources} == {"imsqti_xmlv1p2"}
    listed = [f.get("href") for r in resources for f in r.findall(f"{CP}file")]
    assert sorted(listed) == sorted(set(files) - {"imsmanifest.xml"})
    assert all(r.get("href") in files for r in resources)


def test_one_assessment_per_variant_with_the_keys_answers(drawn):
    files, rows = entries(drawn), answer_rows(drawn)
    for index, (variant, row) in enumerate(rows.items(), 1):
        assessment = files[f"variant-{index}/assessment.xml"]
        title = ElementTree.fromstring(assessment).find(f"{QTI}assessment").get("title")
        assert title.endswith(variant)
        items = numerical_items(assessment)
        columns = [c for c in row if c.split(":")[0] in ANSWER_KINDS]
        assert list(items) == columns
        expected = neuron(row)
        for column, (exact, low, high) in items.items():
            assert exact == row[column]
            assert low < Decimal(exact) < high and Decimal(exact) - low == high - Decimal(exact)
            if column in expected:
                assert agrees(exact, expected[column], precision(row)), column


def test_the_seed_neuron_and_its_margins(tmp_path):
    out = quiz_set(tmp_path, SEED_NEURON, count=1, quizzes=("qti",), tolerance=parse_tolerance("0.001"))
    items = numerical_items(entries(out)["variant-1/assessment.xml"])
    assert items["gradient:w1"] == ("-0.2828153", Decimal("-0.2838153"), Decimal("-0.2818153"))
    assert items["updated:w1"] == ("0.7282815", Decimal("0.7272815"), Decimal("0.7292815"))


def test_the_zip_is_deterministic_and_dated_1980():
    answer = Answer("gradient:w", (Text("w"),), Blank("-0.25", 7, "gradient:w"))
    question = Question("v-01", "T", (), (answer,), 0)
    first, second = (render_qti((question,), "set", Tolerance()) for _ in range(2))
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_the_same_set_gives_the_same_quiz_bytes(drawn, tmp_path):
    again = quiz_set(tmp_path, quizzes=("moodle", "qti"))
    assert (again / "quiz.qti.zip").read_bytes() == (drawn / "quiz.qti.zip").read_bytes()
    rerun = quiz_set(again, quizzes=("moodle", "qti"))  # a rerun into the same folder: variants complete
    assert (rerun / "quiz.qti.zip").read_bytes() == (drawn / "quiz.qti.zip").read_bytes()
    assert (rerun / "quiz.moodle.xml").read_bytes() == (again / "quiz.moodle.xml").read_bytes()
