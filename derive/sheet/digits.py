"""The significant digits a float32 sheet may show: those on which float32 and float64 agree.

Values that exact arithmetic gives (``numeric.exact_run``) need no survey; below
``FEWEST_DIGITS`` agreed digits the sheet is refused on one line naming the number.
"""

from __future__ import annotations

import numpy as np

from ..numbers import agreed_digits
from ..numeric.checks import ImpreciseError
from ..numeric.runner import TapeRunner
from ..numeric.tape_result import TapeResult
from ..symbolic.prepare import Prepared


def trustworthy_digits(prepared: Prepared, tape: TapeResult, rate: float | None, exact: frozenset[str],
                       precision: int, tape_runner: TapeRunner) -> int:
    """Significant digits for computed numbers: ``precision``, lowered until the float32
    tape and a float64 twin agree on every value that is not exact (cancellation can leave
    float32 with fewer good digits than 7, e.g. -1 - 0.09 + 1 = -0.09000003); a value they
    agree on to fewer than ``FEWEST_DIGITS`` refuses the sheet, naming it."""
    spec, graph = prepared.spec, prepared.graph
    if spec.display.dtype == "float64":
        return precision
    twin = float64_twin(prepared, rate, tape_runner)
    loss = graph.loss
    pairs = [(f"forward:{n}", f"graph.{n}", n, tape.forward[n], twin.forward[n]) for n in tape.forward]
    pairs += [(f"local:{k}", f"graph.{k.split('/')[0]}", "d{}/d{}".format(*k.split("/")), tape.local[k],
               twin.local[k]) for k in tape.local if k in prepared.relevant and tape.local[k] is not None]
    pairs += [(f"gradient:{k}", f"parameters.{k}", f"d{loss}/d{k}", tape.gradients[k], twin.gradients[k])
              for k in tape.gradients]
    # the first step only: over many steps float32 drifts from float64 by design, and what a
    # student checks by hand is the first update
    first = zip(tape.history[:2], twin.history[:2], strict=True)
    for step, ((value, parameters), (twin_value, twin_parameters)) in enumerate(first):
        after = f" after step {step}" if step else ""
        pairs.append((f"history:{step}:loss", f"graph.{loss}", f"{loss}{after}", value, twin_value))
        pairs += [(f"history:{step}:{k}", f"parameters.{k}", f"{k}{after}", parameters[k], twin_parameters[k])
                  for k in parameters]
    if tape.states:  # an optimizer's first step: its gradient is the gradient above
        first, twin_first = tape.states[0], twin.states[0]
        pairs += [(f"state:{q}:{k}", "train.optimizer", f"{q} of {k} at step 1", first[k][q],
                   twin_first[k][q]) for k in first for q in first[k] if q != "gradient"]
    digits = precision
    for key, spec_key, name, value, twin_value in pairs:
        if key in exact:
            continue
        agreed = agreed_digits(value, twin_value, precision, floor=0)
        if agreed < FEWEST_DIGITS:
            raise ImpreciseError(spec_key, f"float32 and float64 agree on {agreed} significant digits of "
                                 f"{name} (float32 {_brief(value)}, float64 {_brief(twin_value)}); "
                                 'set display.dtype = "float64", or choose other inputs')
        digits = min(digits, agreed)
    return digits


def float64_twin(prepared: Prepared, rate: float | None, tape_runner: TapeRunner) -> TapeResult:
    """The float32 tape's float64 twin: the same graph and first step in float64 (a class set's
    ``numeric.recorded`` runs it once)."""
    spec = prepared.spec
    optimizer = spec.train.settings if spec.train is not None else None
    return tape_runner.run_tape(prepared.graph, "float64", rate, 1, optimizer)


def _brief(value) -> str:
    """A value for a message: 9 significant digits, an array summarized."""
    return np.array2string(np.asarray(value), precision=9, threshold=6, edgeitems=2,
                           max_line_width=10**6).replace("\n", "")


FEWEST_DIGITS = 3
"""The fewest significant digits a float32 sheet shows: below, its numbers are refused."""
