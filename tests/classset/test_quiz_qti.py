"""The QTI 1.2 package for Canvas: a zip that passes the QTI 1.2 and content-package checker
(qti_checker.py, which the tests here also show rejecting broken files), whose manifest lists
every file, one assessment per variant, and whose numerical answers and margins are the key's."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ElementTree
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from derive.render.quiz.qti import render_qti
from derive.render.quiz.question import Answer, Blank, Block, Picture, Question, Text
from derive.render.quiz.tolerance import Tolerance, parse_tolerance

from .qti_checker import assessment_problems, package_problems
from .quiz_sets import SEED_NEURON, agrees, answer_rows, neuron, precision, quiz_set

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
ANSWER_KINDS = ("forward", "local", "gradient", "updated", "loss")


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> Path:
    return quiz_set(tmp_path_factory.mktemp("qti"), quizzes=("qti",))


def entries(out: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(out / "quiz.qti.zip") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def numerical_items(assessment: bytes) -> dict[str, tuple[str, Decimal, Decimal]]:
    """Each numerical item's title (``Answer k``, in the sheet's order): its exact answer and its bounds."""
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


def test_every_assessment_and_the_package_pass_the_checker(drawn):
    files = entries(drawn)
    assessments = sorted(name for name in files if name.endswith("assessment.xml"))
    assert len(assessments) == len(answer_rows(drawn)) == 3
    for name in assessments:
        assert assessment_problems(files[name], name) == []
    assert package_problems((drawn / "quiz.qti.zip").read_bytes()) == []


def small_package() -> bytes:
    """One variant with one numerical answer and a picture, as render_qti writes it."""
    answer = Answer("gradient:w", (Text("w"),), Blank("gradient:w", "-0.25", 7, 0.0, "∂L/∂w"))
    picture = Picture("graph.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", "the graph")
    question = Question("v-01", "T", (Block("paragraph", (picture,)),), (answer,), 1)
    return render_qti((question,), "set", Tolerance())


def assessment_of(package: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return archive.read("variant-1/assessment.xml")


def replaced(data: bytes, old: str, new: str) -> bytes:
    """``data`` with the first ``old`` made ``new``."""
    assert old.encode() in data, old
    return data.replace(old.encode(), new.encode(), 1)


def rezipped(package: bytes, change) -> bytes:
    """The package with its entries as ``change`` makes them (a dict from name to bytes)."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        files = change({name: archive.read(name) for name in archive.namelist()})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_the_checker_accepts_the_small_package():
    package = small_package()
    assert "graph.svg" in assessment_of(package).decode()
    assert package_problems(package) == []


SECTION = '<section ident="root_section">'
RESPONSE = '<response_str ident="response1" rcardinality="Single">'
LABEL, ENTRY = "<fieldlabel>cc_maxattempts</fieldlabel>", "<fieldentry>1</fieldentry>"
PROCESSING = ("<resprocessing><outcomes><decvar/></outcomes><respcondition><conditionvar><other/>"
              "</conditionvar></respcondition></resprocessing>")
BROKEN = {  # a fault: what it replaces in the small package's assessment, by what, and the problem found
    "a missing ident": (SECTION, "<section>", "missing required attribute ident"),
    "a wrong child order": (f"{LABEL}\n        {ENTRY}", ENTRY + LABEL,
                            "children (fieldentry, fieldlabel) do not follow (fieldlabel, fieldentry)"),
    "resprocessing before presentation": (
        "</presentation>\n        <resprocessing>",
        f"</presentation>{PROCESSING}<presentation><material><mattext/></material></presentation><resprocessing>",
        "(itemmetadata, presentation, resprocessing, presentation, resprocessing) do not follow"),
    "an unknown element": ("<itemmetadata>", "<itemmetadata><qmd_weighting>1</qmd_weighting>",
                           f"unknown element {QTI}qmd_weighting"),
    "an element out of place": ("<or>", "<or><setvar>1</setvar>", "<setvar> is not allowed here"),
    "a dangling response reference": ('<vargte respident="response1">', '<vargte respident="response2">',
                                      "refers to response 'response2', which the item does not have"),
    "a cardinality outside the enumeration": (
        RESPONSE, RESPONSE.replace("Single", "single"),
        "rcardinality='single' is not one of Single, Multiple, Ordered"),
    "an unknown attribute": (RESPONSE, RESPONSE.replace(">", ' numtype="Decimal">'),
                             "unknown attribute numtype"),
    "a duplicate ident": ('<item ident="variant-1-1"', '<item ident="root_section"',
                          "ident 'root_section' of <item> is already the ident of a <section>"),
    "a bound that is not a number": (">-0.249999<", ">about -0.25<", "not a number of that kind"),
    "an undeclared variable": ('varname="SCORE">100', 'varname="POINTS">100',
                               "sets 'POINTS', which no <decvar> declares"),
    "a foreign namespace": (f'xmlns="{QTI[1:-1]}"', f'xmlns="{QTI[1:-1]}p1"', "the root is"),
    "no section": (SECTION, '</assessment><assessment ident="x" title="x">' + SECTION,
                   "children (qtimetadata) do not follow"),
    "text among elements": ("<presentation>", "<presentation>Compute", "where only elements go"),
    "not well-formed": ("</questestinterop>", "</questestinterop", "not well-formed XML"),
}


@pytest.mark.parametrize("fault", list(BROKEN))
def test_the_checker_rejects_a_broken_assessment(fault):
    old, new, expected = BROKEN[fault]
    problems = assessment_problems(replaced(assessment_of(small_package()), old, new))
    assert any(expected in problem for problem in problems), problems


def test_the_checker_rejects_a_broken_package():
    package = small_package()
    manifest = "imsmanifest.xml"
    unlisted = rezipped(package, lambda files: {**files, "variant-1/notes.txt": b"extra"})
    assert package_problems(unlisted) == [
        f"{manifest}: the zip entry variant-1/notes.txt is listed by no <file>"]
    missing = rezipped(package, lambda files: {n: c for n, c in files.items() if not n.endswith(".svg")})
    assert any("the file variant-1/graph.svg is not in the zip" in p for p in package_problems(missing))
    assert any("shows the picture 'graph.svg'" in p for p in package_problems(missing))
    no_manifest = rezipped(package, lambda files: {n: c for n, c in files.items() if n != manifest})
    assert package_problems(no_manifest) == ["zip: no imsmanifest.xml at its root"]

    def manifest_with(old: str, new: str):
        return lambda files: {**files, manifest: replaced(files[manifest], old, new)}

    twice = rezipped(package, manifest_with('identifier="variant-1"', 'identifier="derive-quiz"'))
    assert any("the identifier 'derive-quiz' is given 2 times" in p for p in package_problems(twice))
    untyped = rezipped(package, manifest_with(' type="imsqti_xmlv1p2"', ""))
    assert any("missing required attribute type" in p for p in package_problems(untyped))
    outside = rezipped(package, manifest_with('href="variant-1/graph.svg"', 'href="../graph.svg"'))
    assert any("is not a path inside the package" in p for p in package_problems(outside))
    broken_quiz = rezipped(package, lambda files: {**files, "variant-1/assessment.xml": replaced(
        files["variant-1/assessment.xml"], SECTION, "<section>")})
    assert any("missing required attribute ident" in p for p in package_problems(broken_quiz))


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
        assert list(items) == [f"Answer {k}" for k in range(1, len(columns) + 1)]  # no internal key shown
        expected = neuron(row)
        for column, (exact, low, high) in zip(columns, items.values(), strict=True):
            assert exact == row[column]
            assert low < Decimal(exact) < high and Decimal(exact) - low == high - Decimal(exact)
            if column in expected:
                assert agrees(exact, expected[column], precision(row)), column


def test_the_seed_neuron_and_its_margins(tmp_path):
    out = quiz_set(tmp_path, SEED_NEURON, count=1, quizzes=("qti",), tolerance=parse_tolerance("0.001"))
    row = next(iter(answer_rows(out).values()))
    columns = [c for c in row if c.split(":")[0] in ANSWER_KINDS]
    found = numerical_items(entries(out)["variant-1/assessment.xml"])
    items = dict(zip(columns, found.values(), strict=True))
    assert items["gradient:w1"] == ("-0.2828153", Decimal("-0.2838153"), Decimal("-0.2818153"))
    assert items["updated:w1"] == ("0.7282815", Decimal("0.7272815"), Decimal("0.7292815"))


def test_the_zip_is_deterministic_and_dated_1980():
    answer = Answer("gradient:w", (Text("w"),), Blank("gradient:w", "-0.25", 7, 0.0, "∂L/∂w"))
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
