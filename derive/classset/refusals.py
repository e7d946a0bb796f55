"""Refusing degenerate draws: a class set only holds sheets a student can work by hand.

A draw is refused, with its reason kept, when

- ``saturated``: a sigmoid or tanh sits where its slope is below ``SATURATED_SLOPE``
  (sigmoid beyond |z| of about 4.6, tanh beyond about 3), checked in float64 before the tape runs;
- ``not-finite``: any value is not finite (a log of 0, a division by 0, an overflow);
- ``disagreement``: SymPy, the tape and finite differences disagree (a kink of relu or abs);
- ``zero-gradient``: a gradient rounds to zero at the sheet's precision (below half a unit
  in its ``precision``-th decimal), or the update it makes does not show in the shown digits;
- ``loss-not-decreasing``: with ``[train]``, the shown loss after the steps is not below the
  shown loss before;
- ``imprecise``: float32 and float64 round apart at the set's one precision (class sets only,
  ``variant_job``), or agree on too few digits, or an answer is so sensitive to the rounding of
  the numbers it is worked from that no margin could both take a careful student's answer and
  refuse a flipped sign (``numeric.rounding.well_posed``);
- ``duplicate`` (class sets only, ``variant_job``; ``stress``): the draw is one an earlier
  variant of the set accepted.

``accept`` builds the worksheet of one draw or raises ``RefusedDraw``, a ``NumericError``.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from ..errors import NumericError
from ..graph.dag import Graph
from ..graph.evaluate import evaluate, forward_values
from ..graph.functions import CUSTOM_CLASSES, FUNCTIONS
from ..numbers import shown
from ..numeric.checks import ImpreciseError
from ..numeric.runner import IN_PROCESS, TapeRunner
from ..sheet.answers import well_posed
from ..sheet.build import build_worksheet
from ..sheet.model import Worksheet
from ..spec.schema import Spec
from ..symbolic.prepare import Prepared, prepare, shaped_graph

SATURATED_SLOPE = 0.01
"""A sigmoid or tanh whose slope at the point is below this counts as saturated."""

REASONS = {
    "saturated": "saturated sigmoid or tanh",
    "not-finite": "a value is not finite",
    "disagreement": "the three ways disagree",
    "zero-gradient": "a gradient rounds to zero",
    "loss-not-decreasing": "the loss does not decrease",
    "imprecise": "too few trustworthy digits",
    "duplicate": "an earlier variant drew the same numbers",
}
"""Each reason's key and how reports name it."""


class RefusedDraw(NumericError):
    """A draw that makes a degenerate sheet; ``reason`` is a key of ``REASONS``."""

    def __init__(self, key: str, message: str, reason: str) -> None:
        super().__init__(key, message)
        self.reason = reason


def accept(source: Spec | Prepared, stem: str, variant: str = "", precision: int | None = None,
           tape_runner: TapeRunner = IN_PROCESS) -> Worksheet:
    """The worksheet of ``source`` (a spec or its preparation) if its numbers make a sound
    exercise; else ``RefusedDraw``. ``precision``, ``tape_runner``: as ``build_worksheet``'s."""
    if isinstance(source, Prepared):
        screen(source.graph)
        prepared = source
    else:  # screened before it is derived: a saturated draw is refused as such, whatever follows
        graph = shaped_graph(source)
        screen(graph)
        prepared = prepare(source, graph=graph)
    try:
        sheet = build_worksheet(prepared, stem, variant, precision, tape_runner)
    except RefusedDraw:
        raise
    except ImpreciseError as error:
        raise RefusedDraw(error.key, error.message, "imprecise") from None
    except NumericError as error:
        reason = "not-finite" if "not finite" in error.message else "disagreement"
        raise RefusedDraw(error.key, error.message, reason) from None
    judge(sheet)
    return sheet


SATURATING = {cls: name for cls, name in CUSTOM_CLASSES.items() if FUNCTIONS[name].slope is not None}
"""The node classes of the functions that saturate (the registry gives their slope)."""


def screen(graph: Graph) -> None:
    """Refuse, before any tape runs, a value that is not finite or a saturated sigmoid/tanh."""
    values = forward_values(graph, graph.values())
    env = {graph.symbols[name]: value for name, value in values.items()}
    for node in graph.nodes:  # first: a saturated sigmoid is why a BCE after it is not finite
        for call in sorted(node.expression.sympy.atoms(*SATURATING), key=sp.default_sort_key):
            z = np.asarray(evaluate(call.args[0], env), dtype=float)
            name = SATURATING[type(call)]
            slope = FUNCTIONS[name].slope(z)
            if np.any(slope < SATURATED_SLOPE):
                worst = float(np.ravel(z)[int(np.argmin(np.ravel(slope)))])
                raise RefusedDraw(f"graph.{node.name}", f"{name} is saturated at {worst:.4g}: its slope "
                                  f"{float(np.min(slope)):.2g} is below {SATURATED_SLOPE}", "saturated")
    for node in graph.nodes:
        if not np.all(np.isfinite(values[node.name])):
            raise RefusedDraw(f"graph.{node.name}", f"value is not finite ({values[node.name]})",
                              "not-finite")


def judge(sheet: Worksheet) -> None:
    """Refuse a computed sheet whose gradient rounds to zero, whose loss does not go down, or
    whose answer a careful student cannot work to the sheet's digits."""
    p = sheet.precision
    for answer in sheet.answers:
        if not well_posed(answer.value, answer.spread):
            raise RefusedDraw(answer.key, f"rounding to {p} significant digits can move {answer.label} = "
                              f"{answer.shown} by {np.max(answer.spread):.2g}: too much to mark it",
                              "imprecise")
    for chain in sheet.chains:
        value = chain.value
        if not math.isfinite(value):
            raise RefusedDraw(f"parameters.{chain.parameter}", f"gradient is not finite ({value})",
                              "not-finite")
        if abs(value) < 0.5 * 10.0 ** -p:
            raise RefusedDraw(f"parameters.{chain.parameter}", f"d{sheet.loss}/d{chain.parameter} = "
                              f"{shown(value, p)} rounds to 0 at {p} decimals", "zero-gradient")
    for update in sheet.updates:
        if shown(update.new, p) == update.shown_old:
            raise RefusedDraw(f"parameters.{update.name}", f"the update of {update.name} does not show at "
                              f"{p} significant digits ({update.shown_old})", "zero-gradient")
    if sheet.loss_after is not None and not (sheet.loss_after < sheet.loss_before
                                             and sheet.shown_loss_after != sheet.shown_loss_before):
        raise RefusedDraw(f"graph.{sheet.loss}", f"the loss goes from {sheet.shown_loss_before} "
                          f"to {sheet.shown_loss_after}: it does not decrease", "loss-not-decreasing")
