"""answers.csv and answers.json: every answer of every variant, as its key prints it."""

from __future__ import annotations

import csv
import io
import json

from derive.classset.answers import answer_record, answer_row, answer_values, answers_csv, answers_json
from derive.sheet.build import build_worksheet

from ..conftest import DEFAULT, spec_from


def key():
    return build_worksheet(spec_from(DEFAULT), "neuron-bce-2026-01.key", variant="neuron-bce-2026-01")


def test_a_row_holds_the_inputs_and_every_answer_as_the_key_prints_it():
    row = answer_row(key())
    assert row["id"] == "neuron-bce-2026-01"
    assert row["input:x1"] == "1.3" and row["parameter:w2"] == "-0.3" and row["learning_rate"] == "0.1"
    assert row["forward:A1"] == "1.28" and row["forward:A2"] == "0.7824498"
    assert row["forward:A3"] == "0.2453255"
    assert row["local:A3/A2"] == "-1.278037" and row["local:A2/A1"] == "0.1702221"
    assert row["gradient:w1"] == "-0.2828153" and row["gradient:b"] == "-0.2175502"
    assert row["updated:w1"] == "0.7282815" and row["updated:b"] == "1.021755"
    assert row["loss:after"] == "0.2136941"
    assert "loss:before" not in row  # the forward pass's A3: one answer, one column
    assert "local:A1/x1" not in row and "local:A3/Y" not in row  # no derivative nobody asked for
    answers = [c for c in row if c.startswith(("forward:", "local:", "gradient:", "updated:", "loss:"))]
    assert answers == [a.key for a in key().answers]


def test_csv_has_one_header_and_one_line_per_variant():
    rows = [answer_row(key()), {**answer_row(key()), "id": "neuron-bce-2026-02"}]
    text = answers_csv(rows)
    assert text.count("\n") == 3 and "\r" not in text
    read = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in read] == ["neuron-bce-2026-01", "neuron-bce-2026-02"]
    assert read[0]["gradient:w2"] == "-0.4568555"


def test_json_records_full_numbers_and_the_refused_draws():
    refused = ((0, "saturated", "graph.A2: ..."), (1, "not-finite", "graph.A3: ..."))
    record = answer_record(key(), 1, 2, refused)
    text = answers_json([record], {"seed": 2026})
    data = json.loads(text)
    variant = data["variants"][0]
    assert data["seed"] == 2026 and variant["id"] == "neuron-bce-2026-01" and variant["draw"] == 2
    assert variant["forward"]["A2"] == 0.7824498 and variant["gradients"]["w1"] == -0.2828153
    assert variant["updated"]["w1"] == 0.7282815
    assert variant["loss"] == {"before": 0.24532554, "after": 0.21369413}
    assert [r["reason"] for r in variant["refused"]] == ["saturated", "not-finite"]


def test_values_are_the_same_answers_as_floats():
    values = answer_values(key())
    assert set(values) == set(answer_row(key())) - {"id", "learning_rate"} - {
        c for c in answer_row(key()) if c.startswith(("input:", "parameter:"))}
    assert abs(values["gradient:w1"] + 0.2828153) < 1e-7


def test_cells_that_start_like_a_formula_are_inert_numbers_excepted():
    from derive.classset.answers import inert

    for cell in ("=1+2-2026-01", "@SUM(1+1)*cmd|' calc'!A0-2026-01", "+1+1", "-1+cmd|'/C calc'!A0",
                 "\t=1", "\r=1", "-", "-inf"):
        assert inert(cell) == "'" + cell
    for cell in ("-0.2828153", "+1.5", "-1.2e-07", "0.5", "neuron-2026-01", "[-1, 2]", "", "x=1"):
        assert inert(cell) == cell


def test_a_spec_named_like_a_formula_gives_an_inert_answers_csv(tmp_path):
    from derive.classset.batch import Settings, run_batch

    text = DEFAULT + "[variants]\nseed = 3\nx1 = { choices = [1.3, 1.5] }\n"
    run_batch(text, "=1+2.toml", "=1+2", tmp_path, Settings(1, None, ("json",)))
    rows = list(csv.reader(io.StringIO((tmp_path / "answers.csv").read_text())))
    assert rows[1][0] == "'=1+2-3-01"
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    assert float(rows[1][rows[0].index("gradient:w1")]) < 0  # numbers stay numbers
