"""The stress test: the share of draws refused per reason, and the range of every answer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from derive.classset.stress import format_report, stress_test
from derive.errors import SpecError

from ..classsets import CLASS

WIDE = CLASS.replace("x1 = { min = -2.0, max = 2.0, step = 0.1 }",
                     "x1 = { min = -12.0, max = 12.0, step = 0.5 }")


@pytest.fixture(scope="module")
def report():
    return stress_test(WIDE, "wide.toml", "wide", 60)


def test_refusals_and_acceptances_add_up(report):
    assert report.count == 60 and 0 < report.accepted < 60
    assert sum(report.refused.values()) == 60 - report.accepted
    assert "saturated" in report.refused and set(report.examples) == set(report.refused)
    assert report.examples["saturated"].startswith("graph.A2: sigmoid is saturated")


def test_every_answer_has_a_range_over_the_accepted_draws(report):
    names = {"forward:A1", "local:A3/A2", "gradient:w1", "updated:b", "loss:after"}
    assert names <= set(report.ranges)
    low, high = report.ranges["forward:A1"]
    assert low < high and -12 * 0.9 - 2 <= low and high <= 12 * 0.9 + 2
    assert all(low <= high for low, high in report.ranges.values())


def test_the_report_reads_as_shares_and_ranges(report):
    text = format_report(report)
    assert text.startswith("stress test of wide, seed 2026: 60 draws (16072 distinct draws possible)\n")
    assert f"accepted {report.accepted:6d}" in text
    assert "saturated sigmoid or tanh" in text and "e.g. graph.A2: sigmoid is saturated" in text
    assert "answers over the" in text and "gradient:w1" in text


def test_the_same_draws_on_an_executor_give_the_same_report(report):
    with ThreadPoolExecutor(2) as threads:
        again = stress_test(WIDE, "wide.toml", "wide", 60, executor=threads)
    assert again == report


def test_a_count_below_one_is_refused():
    with pytest.raises(SpecError, match="^--count: expected 1 to 10000 draws"):
        stress_test(CLASS, "class.toml", "class", 0)


def test_a_draw_repeating_an_accepted_one_counts_as_a_duplicate():
    from .test_duplicates import SMALL, plan

    report = stress_test(SMALL, "small.toml", "small", 20)
    first = [plan().draw(k).values for k in range(1, 21)]
    assert report.refused == {"duplicate": 20 - len(set(first))}  # six draws, each a sound exercise
    assert report.accepted == 6 and report.examples["duplicate"].startswith("variants: the same numbers as ")
    line = "    an earlier variant drew the same numbers     14   70.0%   e.g. variants: the same numbers as "
    assert line + "small-5-" in format_report(report)


def test_the_report_says_when_no_draw_repeats(report):
    assert "duplicate" not in report.refused
    lines = format_report(report).splitlines()
    assert any(line.startswith("    an earlier variant drew the same numbers")
               and line.endswith("      0    0.0%") for line in lines)
