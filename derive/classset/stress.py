"""The stress test of a spec's ``[variants]`` rules, after R/exams' ``stresstest_exercise``.

``stress_test`` makes ``count`` raw draws (the first draw of variants 1..count), judges each
as a batch would (``refusals.accept``; a draw equal to one accepted before it is refused as
``duplicate``, as a later variant of a set refuses it), and reports the share refused per
reason, with one example of each, and the range of every answer over the accepted draws. An instructor
reads it to tune the rules before generating a class set: many refusals mean redraws (and a
slower batch); an answer ranging over several decades means some sheets are much harder.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from ..errors import DeriveError
from ..numbers import shown
from ..spec.schema import parse_spec
from .answers import answer_values
from .batch import ordered_results
from .refusals import REASONS, RefusedDraw, accept
from .variant_job import duplicate, portable
from .variants import Taken, check_count, plan_for

CHUNK = 25
"""Draws per task: enough to make a worker's round trip negligible."""


@dataclass(frozen=True)
class StressTask:
    """Draws ``first`` .. ``first + size - 1`` of one spec; picklable."""

    spec_text: str
    source: str
    stem: str
    seed: int
    first: int
    size: int
    overrides: tuple[str, ...] = ()
    derivation: Any = None


@dataclass
class StressReport:
    """Refusals per reason and answer ranges over the accepted draws."""

    stem: str
    seed: int
    count: int
    precision: int
    distinct: int
    refused: Counter = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def accepted(self) -> int:
        return self.count - sum(self.refused.values())


def run_trials(task: StressTask) -> list[tuple[str, Any]]:
    """(reason, detail) for each refused draw and ("", answers) for each accepted one."""
    from ..symbolic.prepare import prepare

    spec = parse_spec(task.spec_text, task.overrides, task.source)
    plan = plan_for(spec, task.spec_text, task.stem, task.seed)
    outcomes: list[tuple[str, Any]] = []
    for index in range(task.first, task.first + task.size):
        draw = plan.draw(index)
        try:
            drawn = parse_spec(task.spec_text, (*task.overrides, *draw.overrides(plan)), task.source)
            outcomes.append(("", answer_values(accept(prepare(drawn, task.derivation), task.stem))))
        except RefusedDraw as refusal:
            outcomes.append((refusal.reason, str(refusal)))
        except DeriveError as error:
            outcomes.append(("invalid", str(error)))
    return outcomes


def stress_test(spec_text: str, source: str, stem: str, count: int, seed: int | None = None,
                overrides: tuple[str, ...] = (), executor: Executor | None = None,
                progress: Callable[[int], None] | None = None, window: int = 4) -> StressReport:
    """Judge ``count`` raw draws; ``progress`` gets the number of draws done after each chunk."""
    from ..symbolic.prepare import prepare

    check_count(count, "draws")
    spec = parse_spec(spec_text, overrides, source)
    plan = plan_for(spec, spec_text, stem, seed)
    derivation = portable(prepare(spec).derivation)
    tasks: Iterator[StressTask] = (
        StressTask(spec_text, source, stem, plan.seed, first, min(CHUNK, count - first + 1), overrides,
                   derivation) for first in range(1, count + 1, CHUNK))
    report = StressReport(stem, plan.seed, count, spec.display.precision, plan.distinct)
    taken, done = Taken(plan), 0
    for outcomes in ordered_results(run_trials, tasks, executor, window):
        for index, (reason, detail) in enumerate(outcomes, done + 1):
            values = plan.draw(index).values
            if values in taken.owners:
                reason, detail = "duplicate", str(duplicate(plan, taken.owners[values]))
            elif not reason:
                taken.add(index, values)
            if reason:
                report.refused[reason] += 1
                report.examples.setdefault(reason, detail)
                continue
            for name, value in detail.items():
                low, high = report.ranges.get(name, (math.inf, -math.inf))
                report.ranges[name] = (min(low, value), max(high, value))
        done += len(outcomes)
        if progress is not None:
            progress(done)
    return report


def format_report(report: StressReport) -> str:
    """The report as plain text, one fact per line."""
    p, n = report.precision, report.count
    lines = [f"stress test of {report.stem}, seed {report.seed}: {n} draws "
             f"({report.distinct} distinct draws possible)",
             f"  accepted {report.accepted:6d}  {100 * report.accepted / n:5.1f}%",
             f"  refused  {n - report.accepted:6d}  {100 * (n - report.accepted) / n:5.1f}%"]
    labels = {**REASONS, "invalid": "the drawn values make an invalid spec"}
    # duplicates are said even when there are none: the one reason that grows with --count
    counts = report.refused.most_common() + ([] if "duplicate" in report.refused else [("duplicate", 0)])
    width = max(len(labels[reason]) for reason, _ in counts)
    for reason, times in counts:
        example = f"   e.g. {report.examples[reason]}" if times else ""
        lines.append(f"    {labels[reason]:{width}s} {times:6d}  {100 * times / n:5.1f}%{example}")
    if report.ranges:
        width = max(len(name) for name in report.ranges)
        lines.append(f"answers over the {report.accepted} accepted draws:")
        lines.append(f"  {'answer':{width}s}  {'min':>14s}  {'max':>14s}")
        for name, (low, high) in report.ranges.items():
            lines.append(f"  {name:{width}s}  {shown(low, p):>14s}  {shown(high, p):>14s}")
    return "\n".join(lines) + "\n"
