"""Every variant of a class set is different: a draw an earlier variant took is refused as
``duplicate`` and drawn again, the same way on any executor, in a rerun and in ``render --variant``."""

from __future__ import annotations

import itertools
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from derive.classset import batch
from derive.classset.batch import Settings, one_variant, run_batch, set_precision
from derive.classset.variant_job import VariantTask
from derive.classset.variants import MAX_DRAWS, Taken, check_distinct, plan_for
from derive.errors import SpecError
from derive.spec.schema import parse_spec

from ..conftest import DEFAULT

X1, W1 = (0.5, 1.5, -1.0), (0.5, 0.9)
SMALL = DEFAULT + f"[variants]\nseed = 5\nx1 = {{ choices = {list(X1)} }}\nw1 = {{ choices = {list(W1)} }}\n"
"""Six possible draws (each a sound exercise at 6 digits), for a set of six students."""
SETTINGS = Settings(count=6, formats=("json",))


def plan():
    return plan_for(parse_spec(SMALL), SMALL, "small")


def run(out: Path, **keywords) -> batch.Report:
    return run_batch(SMALL, "small.toml", "small", out, SETTINGS, **keywords)


def drawn(out: Path, k: int) -> tuple[float, float]:
    key = json.loads((out / f"small-5-{k:02d}.key.json").read_text())
    return key["inputs"]["x1"], key["parameters"]["w1"]


def files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.name != ".batch.lock"}


@pytest.fixture(scope="module")
def here(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("here")
    run(out)
    return out


def test_six_students_of_six_possible_draws_get_all_six(here):
    assert sorted(drawn(here, k) for k in range(1, 7)) == sorted(itertools.product(X1, W1))


def test_each_refused_duplicate_is_the_draw_of_the_variant_it_names(here):
    p = plan()
    first_draws = [dict(p.draw(k).values) for k in range(1, 7)]
    assert len({(d["x1"], d["w1"]) for d in first_draws}) < 6  # the seed does draw repeats
    variants = json.loads((here / "answers.json").read_text())["variants"]
    duplicates = 0
    for k, record in enumerate(variants, 1):
        chosen = dict(p.draw(k, record["draw"]).values)
        assert (chosen["x1"], chosen["w1"]) == drawn(here, k)
        for refusal in record["refused"]:
            if refusal["reason"] != "duplicate":
                continue
            duplicates += 1
            owner = int(refusal["detail"].removeprefix("variants: the same numbers as small-5-"))
            again = dict(p.draw(k, refusal["draw"]).values)
            assert owner < k and (again["x1"], again["w1"]) == drawn(here, owner)
    assert duplicates >= 6 - len({(d["x1"], d["w1"]) for d in first_draws})


def test_tasks_started_before_the_draws_they_must_avoid_are_known_give_the_same_set(here, tmp_path,
                                                                                     monkeypatch):
    """With a window of six, every task starts knowing no earlier draw: the batch redraws each
    variant that took (or refused otherwise) a draw an earlier one took."""
    calls = []
    real = batch.make_variant
    monkeypatch.setattr(batch, "make_variant", lambda task: calls.append(task.index) or real(task))
    with ThreadPoolExecutor(2) as threads:
        run(tmp_path / "threads", executor=threads, window=6)
    assert files(tmp_path / "threads") == files(here)
    assert len(calls) > 6  # some variants were drawn again, knowing every earlier draw


def test_a_rerun_after_a_failure_takes_the_same_draws(here, tmp_path, monkeypatch):
    real = batch.make_variant

    def failing(task):
        result = real(task)
        return replace(result, error="injected failure") if task.index == 5 else result

    monkeypatch.setattr(batch, "make_variant", failing)
    with pytest.raises(batch.BatchFailure, match="injected failure"):
        run(tmp_path / "rerun")
    monkeypatch.setattr(batch, "make_variant", real)
    assert run(tmp_path / "rerun").rendered == 2
    assert files(tmp_path / "rerun") == files(here)


def test_render_variant_gives_the_batchs_files(here):
    task = VariantTask(SMALL, "small.toml", "small", 5, 6, formats=("json",))
    task = replace(task, precision=set_precision(task, 6))
    result = one_variant(task)
    assert not result.error
    assert result.documents == {name: (here / name).read_text() for name in result.documents}
    assert sorted(result.documents) == ["small-5-06.key.json", "small-5-06.student.json"]


def test_taken_tells_a_variant_only_the_taken_draws_it_can_draw():
    p = plan()
    taken = Taken(p)
    taken.add(1, p.draw(1).values)
    taken.add(2, p.draw(2).values)
    candidates = {p.draw(3, a).values for a in range(MAX_DRAWS)}
    expected = {values: k for k, values in ((2, p.draw(2).values), (1, p.draw(1).values))
                if values in candidates}
    assert dict(taken.skip(3)) == expected and expected  # six draws: variant 3 can draw both
    first = next(a for a in range(MAX_DRAWS) if p.draw(3, a).values not in expected)
    told = {a for a in range(first) if p.draw(3, a).values in expected}
    assert not taken.stale(3, first, told)
    assert taken.stale(3, first, set()) == bool(told)
    taken_attempt = next(a for a in range(MAX_DRAWS) if p.draw(3, a).values in expected)
    assert taken.stale(3, taken_attempt, set())  # it took a draw variant 1 or 2 took


def test_fewer_distinct_draws_than_students_is_one_line_before_any_work(tmp_path):
    check_distinct(plan(), 6)
    with pytest.raises(SpecError) as caught:
        run_batch(SMALL, "small.toml", "small", tmp_path / "none", Settings(count=7, formats=("json",)))
    assert str(caught.value) == ("variants: the rules allow 6 different draws, fewer than the 7 variants "
                                 "asked for (--count); widen a range, use a finer step or add choices")
    assert not (tmp_path / "none").exists()
