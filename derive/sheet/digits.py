"""The significant digits a float32 sheet may show: those on which float32 and float64 agree.

Values that exact arithmetic gives (``numeric.exact_run``) need no survey; below
``FEWEST_DIGITS`` agreed digits the sheet is refused on one line naming the number. The first
step's numbers share one precision (what a student works by hand); each number of a later step
(the step table, an optimizer's worked steps) and the loss's decrease have their own, never
more: over steps float32 drifts from float64 (0.8000001 for 4/5 after three steps of w + w), and
a later number is refused only when they agree on no digit (``FEWEST_LATER_DIGITS``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ..numbers import agreed_digits, shown
from ..numeric.checks import ImpreciseError
from ..numeric.runner import TapeRunner
from ..numeric.tape_result import TapeResult, loss_total
from ..symbolic.prepare import Prepared

Pair = tuple[str, str, str, object, object]
"""(the value's key, the spec key a refusal names, its name in words, float32's value, float64's)."""


@dataclass(frozen=True)
class Digits:
    """The significant digits a sheet shows: ``precision`` for the first step's numbers, and each
    later number's own by its key (``history:3:w1``, ``history:3:loss``, ``state:m:w1@2``,
    ``decrease``), at most ``precision``."""

    precision: int
    later: Mapping[str, int] = field(default_factory=dict)

    def of(self, key: str) -> int:
        return self.later.get(key, self.precision)


def trustworthy_digits(prepared: Prepared, tape: TapeResult, rate: float | None, exact: frozenset[str],
                       precision: int, tape_runner: TapeRunner, printed_steps: Iterable[int] = ()) -> Digits:
    """Significant digits for computed numbers: ``precision``, lowered until the float32
    tape and a float64 twin agree on every value of the first step that is not exact
    (cancellation can leave float32 with fewer good digits than 7, e.g. -1 - 0.09 + 1 =
    -0.09000003); then each number of the ``printed_steps`` past the first its own. A value
    they agree on to fewer than ``FEWEST_DIGITS`` refuses the sheet, naming it."""
    spec, graph = prepared.spec, prepared.graph
    if spec.display.dtype == "float64":
        return Digits(precision)
    twin = float64_twin(prepared, rate, tape_runner)
    loss = graph.loss
    pairs = [(f"forward:{n}", f"graph.{n}", n, tape.forward[n], twin.forward[n]) for n in tape.forward]
    pairs += [(f"local:{k}", f"graph.{k.split('/')[0]}", "d{}/d{}".format(*k.split("/")), tape.local[k],
               twin.local[k]) for k in tape.local if k in prepared.relevant and tape.local[k] is not None]
    pairs += [(f"gradient:{k}", f"parameters.{k}", f"d{loss}/d{k}", tape.gradients[k], twin.gradients[k])
              for k in tape.gradients]
    pairs += _steps(loss, tape, twin, [0, 1])  # what a student checks by hand: the first update
    if tape.states:  # an optimizer's first step: its gradient is the gradient above
        pairs += _states(tape, twin, 1)
    surveyed = [pair for pair in pairs if pair[0] not in exact]
    digits = min((agreed_or_refused(*pair[1:], precision) for pair in surveyed), default=precision)
    # agreeing to 7 digits does not mean to 5: 0.96453506 and 0.96453497 are 0.964535 both, but
    # 0.96454 and 0.96453; every value must agree at the one precision shown
    while (failing := next((pair for pair in surveyed if shown(pair[3], digits) != shown(pair[4], digits)),
                           None)) is not None:
        digits = agreed_or_refused(*failing[1:], digits - 1)  # fewer than FEWEST_DIGITS: refused
    worked = range(2, len(tape.states) + 1)  # an optimizer's worked steps print their parameters
    later = _steps(loss, tape, twin, sorted({*printed_steps, *worked} - {0, 1}))
    later += [pair for step in worked for pair in _states(tape, twin, step)]
    last = len(tape.history) - 1
    if last > 0 and not {"history:0:loss", f"history:{last}:loss"} <= exact:
        decrease = [np.subtract(loss_total(run.history[0][0]), loss_total(run.history[-1][0]))
                    for run in (tape, twin)]
        later.append(("decrease", "train.learning_rate", f"the decrease of {loss}", *decrease))
    return Digits(digits, {key: agreed_or_refused(spec_key, name, value, twin, digits, FEWEST_LATER_DIGITS)
                           for key, spec_key, name, value, twin in later if key not in exact})


def _steps(loss: str, tape: TapeResult, twin: TapeResult, steps: Iterable[int]) -> list[Pair]:
    """The loss and every parameter after each of ``steps`` (0: before the first)."""
    pairs: list[Pair] = []
    for step in steps:
        if step >= len(tape.history):
            continue
        (value, parameters), (twin_value, twin_parameters) = tape.history[step], twin.history[step]
        after = f" after step {step}" if step else ""
        spec_key = "train.steps" if step > 1 else "graph." + loss
        pairs.append((f"history:{step}:loss", spec_key, f"{loss}{after}", loss_total(value),
                      loss_total(twin_value)))
        pairs += [(f"history:{step}:{k}", "train.steps" if step > 1 else f"parameters.{k}", f"{k}{after}",
                   parameters[k], twin_parameters[k]) for k in parameters]
    return pairs


def _states(tape: TapeResult, twin: TapeResult, step: int) -> list[Pair]:
    """An optimizer's quantities at ``step`` (the first's gradient is the loss's gradient, surveyed)."""
    states, twin_states = tape.states[step - 1], twin.states[step - 1]
    return [(f"state:{q}:{k}@{step}", "train.optimizer", f"{q} of {k} at step {step}", states[k][q],
             twin_states[k][q]) for k in states for q in states[k] if step > 1 or q != "gradient"]


def agreed_or_refused(spec_key: str, name: str, value, twin_value, precision: int,
                      fewest: int = 0) -> int:
    """The digits float32's ``value`` and float64's agree on, up to ``precision``; fewer than
    ``fewest`` (``FEWEST_DIGITS``) refuses the sheet on one line naming the value, both numbers and
    the way out."""
    fewest = fewest or FEWEST_DIGITS
    agreed = agreed_digits(value, twin_value, precision, floor=0)
    if agreed < fewest:
        fewer = ", fewer steps" if spec_key == "train.steps" else ""
        raise ImpreciseError(spec_key, f"float32 and float64 agree on {agreed} significant digits of "
                             f"{name} (float32 {_brief(value)}, float64 {_brief(twin_value)}); "
                             f'set display.dtype = "float64"{fewer}, or choose other inputs')
    return agreed


def float64_twin(prepared: Prepared, rate: float | None, tape_runner: TapeRunner) -> TapeResult:
    """The float32 tape's float64 twin: the same graph and steps in float64 (a class set's
    ``numeric.recorded`` runs it once)."""
    spec = prepared.spec
    optimizer = spec.train.settings if spec.train is not None else None
    steps = spec.train.steps if spec.train is not None else 0
    return tape_runner.run_tape(prepared.graph, "float64", rate, max(steps, 1), optimizer)


def _brief(value) -> str:
    """A value for a message: 9 significant digits, an array summarized."""
    return np.array2string(np.asarray(value), precision=9, threshold=6, edgeitems=2,
                           max_line_width=10**6).replace("\n", "")


FEWEST_DIGITS = 3
"""The fewest significant digits a float32 sheet shows of its first step: below, it is refused."""
FEWEST_LATER_DIGITS = 1
"""The fewest a number of a later step shows: over many steps float32 drifts from float64 by design
(linear-regression's loss after 300 steps, 0.003976 where float64 has 0.004), and the sheet shows the
digits that survive; a number with none is refused."""
