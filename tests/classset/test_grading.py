"""A class set grades a careful student right: one list of answers behind every output.

A simulated student works each variant of a two-step tanh neuron by hand, from the inputs the
sheet gives, rounding every number they write to the sheet's digits as on paper (the forward
pass, each local derivative from the rounded values before it, each gradient as the product of
the rounded local derivatives, each update from the rounded gradient, the second step from the
rounded first). Every Moodle blank and every QTI item must take that student's answer, and
refuse a gradient with its sign flipped. The student is written here, from the model's
mathematics, not from derive's code.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest

from derive.classset.batch import Settings, run_batch

TANH = '''
title = "A tanh neuron, two steps"
[inputs]
x1 = 0.5
x2 = -0.3
y = 0.2
[parameters]
w1 = 0.2
w2 = -0.4
b = 0.1
[graph]
z = "x1*w1 + x2*w2 + b"
o = "tanh(z)"
L = "0.5*(o - y)**2"
[train]
learning_rate = 0.5
steps = 2
[variants]
seed = 11
x1 = { min = -1.0, max = 1.0, step = 0.1 }
x2 = { min = -1.0, max = 1.0, step = 0.1 }
w1 = { min = -0.5, max = 0.5, step = 0.1 }
w2 = { min = -0.5, max = 0.5, step = 0.1 }
b = { choices = [-0.1, 0.0, 0.1] }
'''
COUNT = 100


def rounded(value: float, digits: int) -> float:
    """``value`` as a student writes it: ``digits`` significant digits."""
    return float(f"{value:.{digits}g}")


def careful_student(row: dict[str, str], digits: int) -> dict[str, float]:
    """The student's answers by answers.csv column, each worked from rounded numbers."""
    x1, x2, y = (float(row[f"input:{n}"]) for n in ("x1", "x2", "y"))
    w = {n: float(row[f"parameter:{n}"]) for n in ("w1", "w2", "b")}
    rate = float(row["learning_rate"])
    r = lambda v: rounded(v, digits)  # noqa: E731 - the student's pencil
    answers: dict[str, float] = {}
    for step in (0, 1, 2):
        z = r(x1 * w["w1"] + x2 * w["w2"] + w["b"])
        o = r(np.tanh(z))
        loss = r(0.5 * (o - y) ** 2)
        if step == 0:
            answers.update({"forward:z": z, "forward:o": o, "forward:L": loss})
        else:
            answers[f"loss:after@{step}"] = loss
        if step == 2:
            break
        dl_do, do_dz = r(o - y), r(1 - o * o)
        grads = {"w1": r(dl_do * do_dz * x1), "w2": r(dl_do * do_dz * x2), "b": r(dl_do * do_dz * 1)}
        if step == 0:
            answers.update({"local:z/w1": x1, "local:z/w2": x2, "local:z/b": 1.0, "local:o/z": do_dz,
                            "local:L/o": dl_do})
            answers.update({f"gradient:{n}": g for n, g in grads.items()})
        w = {n: r(v - rate * grads[n]) for n, v in w.items()}
        answers.update({f"updated:{n}@{step + 1}": v for n, v in w.items()})
    return answers


@pytest.fixture(scope="module")
def graded_set(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("graded")
    run_batch(TANH, "tanh.toml", "tanh", out, Settings(count=COUNT, formats=(), quizzes=("moodle", "qti")))
    return out


def _rows(out: Path) -> list[dict[str, str]]:
    with (out / "answers.csv").open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _moodle(out: Path) -> dict[str, list[tuple[Decimal, Decimal]]]:
    """Each variant's Cloze blanks in order: (value, margin)."""
    root = ElementTree.parse(out / "quiz.moodle.xml").getroot()
    found = {}
    for question in root.iter("question"):
        if question.get("type") != "cloze":
            continue
        text = question.find("questiontext/text").text
        blanks = re.findall(r"\{1:NUMERICAL:=([^:]+):([^#}]+)", text)
        found[question.find("name/text").text] = [(Decimal(v), Decimal(m)) for v, m in blanks]
    return found


def _qti(out: Path) -> dict[str, list[tuple[Decimal, Decimal]]]:
    """Each variant's numerical items in order: (low, high)."""
    found = {}
    with zipfile.ZipFile(out / "quiz.qti.zip") as package:
        for name in sorted(package.namelist()):
            if not name.endswith(".xml") or name == "imsmanifest.xml":
                continue
            root = ElementTree.parse(io.BytesIO(package.read(name))).getroot()
            title = next(e for e in root.iter() if e.tag.endswith("assessment")).get("title")
            bounds = []
            for item in (e for e in root.iter() if e.tag.endswith("item")):
                low = [e.text for e in item.iter() if e.tag.endswith("vargte")]
                high = [e.text for e in item.iter() if e.tag.endswith("varlte")]
                if low:
                    bounds.append((Decimal(low[0]), Decimal(high[0])))
            found[title.rsplit(": ", 1)[-1]] = bounds
    return found


def test_every_list_asks_the_same_questions_in_the_same_order(graded_set):
    rows = _rows(graded_set)
    columns = [c for c in rows[0] if ":" in c and not c.startswith(("input:", "parameter:"))]
    data = json.loads((graded_set / "answers.json").read_text())
    moodle, qti = _moodle(graded_set), _qti(graded_set)
    for row, record in zip(rows, data["variants"], strict=True):
        keys = [a["key"] for a in record["answers"]]
        assert keys == columns
        assert [Decimal(row[c]) for c in columns] == [v for v, _ in moodle[row["id"]]]
        assert len(qti[row["id"]]) == len(columns)
        for (low, high), column in zip(qti[row["id"]], columns, strict=True):
            assert low <= Decimal(row[column]) <= high


def test_a_careful_student_is_marked_right_on_every_blank(graded_set):
    rows = _rows(graded_set)
    digits = json.loads((graded_set / "answers.json").read_text())["precision"]
    moodle, qti = _moodle(graded_set), _qti(graded_set)
    refused = []
    for row in rows:
        student = careful_student(row, digits)
        columns = [c for c in row if c in student]
        assert len(columns) == len(student) == len(moodle[row["id"]])
        for column, (value, width), (low, high) in zip(columns, moodle[row["id"]], qti[row["id"]],
                                                       strict=True):
            mine = Decimal(repr(student[column]))
            if abs(mine - value) > width or not low <= mine <= high:
                refused.append(f"{row['id']} {column}: student {mine}, key {value} ± {width}")
    assert not refused, "\n".join(refused[:20])


def test_a_gradient_with_its_sign_flipped_is_marked_wrong(graded_set):
    rows = _rows(graded_set)
    moodle = _moodle(graded_set)
    for row in rows:
        columns = [c for c in row if ":" in c and not c.startswith(("input:", "parameter:"))]
        for column, (value, width) in zip(columns, moodle[row["id"]], strict=True):
            if column.startswith("gradient:") and value:
                assert abs(-value - value) > width, (row["id"], column)
