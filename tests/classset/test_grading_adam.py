"""An Adam class set grades a careful student right, state by state (test_grading's student, with Adam).

The student works each variant of a two-step tanh neuron trained by Adam by hand: the forward pass,
the local derivatives and gradients as in ``test_grading``, then the step's rate alpha (both bias
corrections in it) and for each parameter m, v, the step and the new parameter (Keras's Adam,
written here from its formulas), each from the rounded numbers before it, then the second step from
the rounded first. Every Moodle blank and QTI item must take the student's answers, and the states
must be asked in the sheet's order.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from derive.classset.batch import Settings, run_batch

from .test_grading import TANH, _moodle, _qti, _rows, rounded

ADAM = TANH.replace("learning_rate = 0.5", 'learning_rate = 0.05\noptimizer = "adam"\nbeta_1 = 0.8\n'
                    'beta_2 = 0.9\nepsilon = 1e-3') + '[display]\ndtype = "float64"\n'
COUNT = 30
B1, B2, EPS = 0.8, 0.9, 1e-3


def careful_adam_student(row: dict[str, str], digits: int) -> dict[str, float]:
    """The student's answers by answers.csv column, each worked from rounded numbers."""
    x1, x2, y = (float(row[f"input:{n}"]) for n in ("x1", "x2", "y"))
    w = {n: float(row[f"parameter:{n}"]) for n in ("w1", "w2", "b")}
    rate = float(row["learning_rate"])
    r = lambda v: rounded(v, digits)  # noqa: E731 - the student's pencil
    m = dict.fromkeys(w, 0.0)
    v = dict.fromkeys(w, 0.0)
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
        else:
            answers.update({f"gradient:{n}@{step}": g for n, g in grads.items()})
        t = step + 1
        alpha = r(rate * np.sqrt(1 - B2**t) / (1 - B1**t))  # the step's rate, once for every parameter
        answers[f"state:alpha@{t}"] = alpha
        for n, g in grads.items():
            m[n] = r(B1 * m[n] + (1 - B1) * g)
            v[n] = r(B2 * v[n] + (1 - B2) * g * g)
            delta = r(alpha * m[n] / (np.sqrt(v[n]) + EPS))
            w[n] = r(w[n] - delta)
            answers.update({f"state:m:{n}@{t}": m[n], f"state:v:{n}@{t}": v[n], f"state:step:{n}@{t}": delta,
                            f"updated:{n}@{t}": w[n]})
    return answers


@pytest.fixture(scope="module")
def adam_set(tmp_path_factory):
    out = tmp_path_factory.mktemp("adam")
    run_batch(ADAM, "adam.toml", "adam", out, Settings(count=COUNT, formats=(), quizzes=("moodle", "qti")))
    return out


def test_a_careful_student_is_marked_right_on_every_state(adam_set):
    import json

    rows = _rows(adam_set)
    digits = json.loads((adam_set / "answers.json").read_text())["precision"]
    moodle, qti = _moodle(adam_set), _qti(adam_set)
    refused = []
    for row in rows:
        student = careful_adam_student(row, digits)
        columns = [c for c in row if ":" in c and not c.startswith(("input:", "parameter:"))]
        assert sorted(columns) == sorted(student)  # every answer is one the student works
        assert (columns.index("state:alpha@1") < columns.index("state:m:w1@1") < columns.index("updated:w1@1")
                < columns.index("state:alpha@2") < columns.index("gradient:w1@1"))  # a step opens with alpha
        for column, (value, width), (low, high) in zip(columns, moodle[row["id"]], qti[row["id"]],
                                                       strict=True):
            mine = Decimal(repr(student[column]))
            if abs(mine - value) > width or not low <= mine <= high:
                refused.append(f"{row['id']} {column}: student {mine}, key {value} ± {width}")
    assert not refused, "\n".join(refused[:20])


def test_the_key_equals_adam_written_here(adam_set):
    """answers.csv's unrounded states equal Keras's Adam in float64 from the variant's own inputs."""
    for row in _rows(adam_set):
        x1, x2, y = (float(row[f"input:{n}"]) for n in ("x1", "x2", "y"))
        w = np.array([float(row[f"parameter:{n}"]) for n in ("w1", "w2", "b")])
        rate = float(row["learning_rate"])
        m, v = np.zeros(3), np.zeros(3)
        for t in (1, 2):
            o = np.tanh(x1 * w[0] + x2 * w[1] + w[2])
            g = (o - y) * (1 - o * o) * np.array([x1, x2, 1.0])
            m, v = B1 * m + (1 - B1) * g, B2 * v + (1 - B2) * g * g
            w = w - rate * np.sqrt(1 - B2**t) / (1 - B1**t) * m / (np.sqrt(v) + EPS)
            key = np.array([float(row[f"updated:{n}@{t}"]) for n in ("w1", "w2", "b")])
            np.testing.assert_allclose(key, w, rtol=1e-6, atol=1e-9)
            np.testing.assert_allclose(float(row[f"state:m:w1@{t}"]), m[0], rtol=1e-6, atol=1e-12)
