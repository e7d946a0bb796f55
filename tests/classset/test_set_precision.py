"""One precision for a whole class set: the fewest digits any variant's own draw supports,
stated once, held by every sheet, kept by a rerun after a kill and by ``render --variant``."""

from __future__ import annotations

import csv
import json
import math
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from decimal import Decimal
from pathlib import Path

import pytest

from derive.classset import batch
from derive.classset.batch import BatchFailure, Settings, run_batch
from derive.classset.variant_job import VariantTask, make_variant, survey_variant

from ..classsets import CLASS

COUNT = 8
SETTINGS = Settings(count=COUNT, formats=("html", "json"))


def run(out: Path, settings: Settings = SETTINGS) -> batch.Report:
    return run_batch(CLASS, "class.toml", "neuron", out, settings)


def files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.name != ".batch.lock"}


def own_digits(index: int) -> int:
    return survey_variant(VariantTask(CLASS, "class.toml", "neuron", 2026, index)).digits


def significant(text: str) -> int:
    """Significant digits of a shown number: ``0.090378`` -> 5, ``2.3412`` -> 5."""
    digits = Decimal(text).as_tuple().digits
    return len("".join(map(str, digits)).lstrip("0"))


def neuron64(row: dict[str, str]) -> dict[str, float]:
    """seed 003's neuron in float64, from the variant's given numbers: forward pass and gradients."""
    x1, x2, y = (float(row[f"input:{n}"]) for n in ("x1", "x2", "Y"))
    w1, w2, b = (float(row[f"parameter:{n}"]) for n in ("w1", "w2", "b"))
    a1 = x1 * w1 + x2 * w2 + b
    a2 = 1 / (1 + math.exp(-a1))
    a3 = -(y * math.log(a2) + (1 - y) * math.log(1 - a2))
    return {"forward:A2": a2, "forward:A3": a3, "gradient:w1": (a2 - y) * x1, "gradient:w2": (a2 - y) * x2,
            "gradient:b": a2 - y}


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, batch.Report]:
    out = tmp_path_factory.mktemp("clean")
    return out, run(out)


def test_the_draws_of_the_set_support_different_digits_on_their_own():
    assert len({own_digits(k) for k in range(1, COUNT + 1)}) > 1  # else the set tests nothing


def test_every_sheet_of_the_set_states_the_fewest_digits_any_draw_supports(clean):
    out, report = clean
    fewest = min(own_digits(k) for k in range(1, COUNT + 1))
    assert report.precision == fewest
    assert json.loads((out / "answers.json").read_text())["precision"] == fewest
    assert json.loads((out / "batch.json").read_text())["precision"] == fewest
    for k in range(1, COUNT + 1):
        for role in ("student", "key"):
            page = (out / f"neuron-2026-{k:02d}.{role}.html").read_text()
            assert f"results shown to {fewest} significant digits" in page


def test_every_answer_has_the_sets_digits_and_agrees_with_float64_at_them(clean):
    out, report = clean
    rows = list(csv.DictReader((out / "answers.csv").open()))
    assert len(rows) == COUNT
    for row in rows:
        for column, exact in neuron64(row).items():
            assert float(row[column]) == float(f"{exact:.{report.precision}g}"), (row["id"], column)
            if significant(f"{exact:.{report.precision}g}") == report.precision:
                assert significant(row[column]) == report.precision, (row["id"], column)


def test_a_rerun_after_a_kill_keeps_the_precision_without_surveying_again(clean, tmp_path, monkeypatch):
    real = batch.make_variant

    def killed(task):
        if task.index == 4:
            raise KeyboardInterrupt  # as a kill would stop it: nothing of variant 4 written
        return real(task)

    monkeypatch.setattr(batch, "make_variant", killed)
    out = tmp_path / "killed"
    with pytest.raises(KeyboardInterrupt):
        run(out)
    assert json.loads((out / "batch.json").read_text())["complete"] == 3

    def no_survey(task):
        raise AssertionError("the rerun surveyed the draws again")

    monkeypatch.setattr(batch, "make_variant", real)
    monkeypatch.setattr(batch, "survey_variant", no_survey)
    assert run(out).rendered == COUNT - 3
    assert files(out) == files(clean[0])


def test_a_variant_that_fails_the_survey_stops_the_batch_before_any_sheet(tmp_path, monkeypatch):
    def failing(task):
        result = survey_variant(task)
        return result if task.index != 2 else type(result)(2, result.variant, error="injected failure")

    monkeypatch.setattr(batch, "survey_variant", failing)
    with pytest.raises(BatchFailure, match=r"^variant 2 \(neuron-2026-02\): injected failure"):
        run(tmp_path / "out")
    assert not list((tmp_path / "out").glob("neuron-2026-*"))


def test_a_variant_made_alone_at_the_sets_precision_is_the_sets_sheet(clean):
    out, report = clean
    task = VariantTask(CLASS, "class.toml", "neuron", 2026, 5, formats=("html", "json"),
                       precision=report.precision)
    result = make_variant(task)
    assert not result.error
    for name, content in result.documents.items():
        assert content.encode() == (out / name).read_bytes(), name


def test_a_draw_that_cannot_hold_the_sets_precision_is_refused_as_imprecise():
    digits = {k: own_digits(k) for k in range(1, COUNT + 1)}
    most = max(digits.values())
    fewer = next(k for k, d in digits.items() if d < most)
    result = make_variant(VariantTask(CLASS, "class.toml", "neuron", 2026, fewer, formats=(), precision=most))
    reasons = {reason for _, reason, _ in result.refused}
    assert not result.error and "imprecise" in reasons
    assert result.record["draw"] == len(result.refused)


def test_an_executor_that_dies_in_the_survey_is_named_and_claims_nothing_complete(tmp_path):
    class DyingPool(ThreadPoolExecutor):
        def submit(self, function, task):
            if task.index != 3:
                return super().submit(function, task)
            future = Future()
            future.set_exception(BrokenProcessPool("a worker died"))
            return future

    message = r"^variant 3 \(neuron-2026-03\): BrokenProcessPool: a worker died; rerun the same command"
    with DyingPool(2) as pool, pytest.raises(BatchFailure, match=message):
        run_batch(CLASS, "class.toml", "neuron", tmp_path, SETTINGS, executor=pool)
    assert not list(tmp_path.glob("neuron-2026-*"))
