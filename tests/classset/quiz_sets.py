"""Shared material for the quiz tests: a class set with quizzes, and the neuron computed in NumPy."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import numpy as np

from derive.classset.batch import Settings, run_batch

from ..classsets import CLASS
from ..conftest import DEFAULT

SEED_NEURON = DEFAULT + '\n[variants]\nseed = 3\nw1 = { choices = [0.7] }\n'
"""Seed 003's neuron as a class set whose every variant is the seed's own numbers."""


def quiz_set(out: Path, text: str = CLASS, count: int = 3, quizzes: tuple[str, ...] = ("moodle", "qti"),
             **settings) -> Path:
    """Run a class set that writes only answers and the quizzes; return its folder."""
    settings = Settings(count=count, formats=(), quizzes=quizzes, **settings)
    run_batch(text, "class.toml", "neuron", out, settings)
    return out


def answer_rows(out: Path) -> dict[str, dict[str, str]]:
    """answers.csv by variant ID."""
    with (out / "answers.csv").open(encoding="utf-8") as file:
        return {row["id"]: row for row in csv.DictReader(file)}


def neuron(row: dict[str, str]) -> dict[str, float]:
    """Seed 003's neuron in float64 NumPy from a variant's inputs: the answers by answers.csv column."""
    x1, x2, y = (float(row[f"input:{n}"]) for n in ("x1", "x2", "Y"))
    w1, w2, b = (float(row[f"parameter:{n}"]) for n in ("w1", "w2", "b"))
    rate = float(row["learning_rate"])

    def forward(w1: float, w2: float, b: float) -> tuple[float, float, float]:
        a1 = x1 * w1 + x2 * w2 + b
        a2 = 1 / (1 + np.exp(-a1))
        return a1, a2, -(y * np.log(a2) + (1 - y) * np.log(1 - a2))

    a1, a2, a3 = forward(w1, w2, b)
    delta = a2 - y  # BCE after a sigmoid: dA3/dA1
    grads = {"w1": delta * x1, "w2": delta * x2, "b": delta}
    new = {name: value - rate * grads[name] for name, value in (("w1", w1), ("w2", w2), ("b", b))}
    values = {"forward:A1": a1, "forward:A2": a2, "forward:A3": a3, "loss:before": a3,
              "local:A2/A1": a2 * (1 - a2), "local:A3/A2": -y / a2 + (1 - y) / (1 - a2),
              "loss:after": forward(new["w1"], new["w2"], new["b"])[2]}
    values.update({f"gradient:{n}": g for n, g in grads.items()})
    values.update({f"updated:{n}": v for n, v in new.items()})
    return values


def agrees(text: str, value: float, digits: int = 7) -> bool:
    """Whether the printed ``text`` is ``value`` to within half a unit in its last of ``digits``
    significant digits, plus float32's noise (the key is computed in float32: 2e-7 relative)."""
    number = Decimal(text)
    lead = number.adjusted() if number else 0
    half = 0.5 * 10.0 ** (lead - digits + 1)
    return abs(float(number) - value) <= half + 2e-7 * abs(value)


def significant(text: str) -> int:
    """The significant digits written in ``text`` (``-0.02828`` has 4)."""
    return len(Decimal(text).normalize().as_tuple().digits)


def precision(row: dict[str, str]) -> int:
    """A variant's precision: the most significant digits any of its answers shows."""
    return max(significant(v) for k, v in row.items() if k.split(":")[0] in ("forward", "gradient", "loss"))
