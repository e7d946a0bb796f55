"""The answers of a class set: one row per variant, as CSV (for a spreadsheet) and JSON.

A CSV row holds the variant's ID, every input and parameter, and every answer of the sheet's
one list (``sheet.answers``: the student sheet's boxes, in their order) exactly as its key
prints it (the sheet's significant digits), an array element by element. Columns are named
by kind, so names never collide: ``input:x1``, ``forward:A2``, ``local:A3/A2``,
``gradient:w1``, ``updated:w1``, ``loss:after``; on a sheet of several steps a value after a
step names it: ``updated:w1@2``, ``loss:after@2``.

The JSON holds the same per variant with full numbers (the machine-readable result of
SPEC.md: the shortest decimal of the dtype), the step history, and the refused draws
before the accepted one, each with its reason.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from ..numbers import shown
from ..render.json import worksheet_data
from ..sheet.answers import element, elements
from ..sheet.model import Worksheet


def answer_row(sheet: Worksheet) -> dict[str, str]:
    """Column -> text as printed on the key: the variant, what it gives, then every answer of the
    sheet's list (``sheet.answers``, an array element by element) in the sheet's order."""
    row = {"id": sheet.variant}
    row.update({f"input:{q.name}": q.shown for q in sheet.inputs})
    row.update({f"parameter:{q.name}": q.shown for q in sheet.parameters})
    if sheet.learning_rate is not None:
        row["learning_rate"] = sheet.shown_learning_rate
    row.update({key: shown(element(a.value, index), a.digits) for key, a, index in elements(sheet.answers)})
    return row


def answer_values(sheet: Worksheet) -> dict[str, float]:
    """The same answers as floats (no ID, no inputs): what a stress test ranges over."""
    return {key: element(a.value, index) for key, a, index in elements(sheet.answers)}


def answer_record(sheet: Worksheet, index: int, attempt: int,
                  refused: tuple[tuple[int, str, str], ...] = ()) -> dict[str, Any]:
    """One variant for answers.json: its numbers and the draws refused before it."""
    data = worksheet_data(sheet)
    record: dict[str, Any] = {"id": sheet.variant, "index": index, "draw": attempt}
    for key in ("inputs", "parameters", "learning_rate", "forward", "local", "gradients", "updated",
                "loss", "history"):
        record[key] = data[key]
    record["answers"] = data["answers"]
    record["refused"] = [{"draw": a, "reason": reason, "detail": detail} for a, reason, detail in refused]
    return record


def answers_csv(rows: list[dict[str, str]]) -> str:
    """CSV text, one row per variant, columns in order of first appearance, every cell inert."""
    columns = list(dict.fromkeys(column for row in rows for column in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([inert(column) for column in columns])
    writer.writerows([inert(row.get(column, "")) for column in columns] for row in rows)
    return buffer.getvalue()


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP, CSV injection)."""
NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def inert(cell: str) -> str:
    """``cell`` as a spreadsheet shows it, never runs it: a leading apostrophe before a cell that
    starts like a formula, numbers (``-0.2828153``) excepted."""
    if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def answers_json(records: list[dict[str, Any]], about: dict[str, Any]) -> str:
    """JSON text: what the set is (``about``) and one record per variant."""
    return json.dumps({**about, "variants": records}, indent=2, ensure_ascii=False) + "\n"
