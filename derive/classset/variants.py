"""Class-set variants: the spec's ``[variants]`` rules, seeded draws, and short variant IDs.

A rule draws one input or parameter uniformly from a grid (``min, min + step, ..., max``,
computed in decimal so ``0.1`` steps stay ``0.1`` steps) or from a list of ``choices``.
Draw ``attempt`` of variant ``index`` under ``seed`` uses its own ``random.Random``
seeded with the text ``"seed/index/attempt"`` (SHA-512 based: the same on every platform
and Python run), so a variant is regenerated from its ID alone, whatever the batch size.

A draw is a list of ``--set`` overrides, so the spec's own validation applies to it.
Every variant of a set is different: a draw equal to the draw an earlier variant accepted is
refused as ``duplicate`` and drawn again (``Taken``), so variant k depends on the draws
variants 1..k-1 accepted, which the batch learns as it writes them in order.
IDs are ``<stem>-<seed>-<index>``, the index 1-based and at least two digits:
``neuron-bce-2026-07``.
"""

from __future__ import annotations

import random
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal

from pydantic import ValidationError

from ..errors import SpecError, cut, quoted
from ..spec.schema import Spec, VariantRule

DEFAULT_SEED = 0
"""The seed of a batch when neither ``--seed`` nor ``variants.seed`` gives one."""

MAX_DRAWS = 100
"""Draws tried for one variant before the batch gives up on it."""

Values = tuple[tuple[str, float], ...]
"""What one draw drew, by name: two draws are the same exercise when these are equal."""

_ID = re.compile(r"(?P<stem>.+)-(?P<seed>\d+)-(?P<index>\d+)")


@dataclass(frozen=True)
class Rule:
    """How one value is drawn: ``count`` equally likely values, the i-th by ``value(i)``."""

    name: str
    key: str
    """The ``--set`` key the drawn value goes to (``inputs.x1``, ``parameters.w1``)."""
    start: Decimal | None = None
    step: Decimal | None = None
    choices: tuple[float, ...] = ()
    count: int = 0

    def value(self, i: int) -> float:
        if self.choices:
            return self.choices[i]
        assert self.start is not None and self.step is not None
        return float(self.start + i * self.step)


@dataclass(frozen=True)
class Draw:
    """One draw of every rule: the values by name and the overrides that apply them."""

    index: int
    attempt: int
    values: Values

    def overrides(self, plan: Plan) -> tuple[str, ...]:
        keys = {rule.name: rule.key for rule in plan.rules}
        return tuple(f"{keys[name]}={value!r}" for name, value in self.values)


@dataclass(frozen=True)
class Plan:
    """The rules of one spec under one seed: draws and IDs."""

    stem: str
    seed: int
    rules: tuple[Rule, ...]

    def variant_id(self, index: int) -> str:
        return format_id(self.stem, self.seed, index)

    def draw(self, index: int, attempt: int = 0) -> Draw:
        rng = random.Random(f"{self.seed}/{index}/{attempt}")
        return Draw(index, attempt, tuple((r.name, r.value(rng.randrange(r.count))) for r in self.rules))

    @property
    def distinct(self) -> int:
        """How many different draws the rules allow."""
        total = 1
        for rule in self.rules:
            total *= rule.count
        return total


class Taken:
    """The draws a class set's variants accepted, each with the variant that took it first.

    Variant k refuses (as ``duplicate``) a draw that one of variants 1..k-1 accepted. A worker
    drawing variant k is told (``skip``) the accepted draws among its own candidates (its draws
    0..MAX_DRAWS-1) that are known when it starts; the batch, which learns the draws in variant
    order, then checks (``stale``) that none it was not told of turned up, else draws the
    variant again with the full list. So the set is the one drawing every variant in order
    would give, whatever runs the variants and in whatever order they finish.
    """

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.owners: dict[Values, int] = {}

    def add(self, index: int, values: Values) -> None:
        self.owners.setdefault(values, index)

    def skip(self, index: int) -> tuple[tuple[Values, int], ...]:
        """The accepted draws variant ``index`` could draw, with the variant that took each."""
        found = (self.plan.draw(index, attempt).values for attempt in range(MAX_DRAWS))
        return tuple({values: self.owners[values] for values in found if values in self.owners}.items())

    def stale(self, index: int, attempt: int, duplicates: set[int]) -> bool:
        """Whether variant ``index``, which took draw ``attempt`` after refusing the draws
        ``duplicates`` as duplicates, was not told of a draw taken before it."""
        taken = {a for a in range(attempt + 1) if self.plan.draw(index, a).values in self.owners}
        return taken != duplicates


def format_id(stem: str, seed: int, index: int) -> str:
    """``neuron-bce-2026-07`` for variant 7 of seed 2026."""
    return f"{stem}-{seed}-{index:02d}"


MAX_SEED = 2**63 - 1
"""The largest seed: TOML's largest integer, so that ``--seed`` takes what ``variants.seed`` can."""


def parse_id(variant: str) -> tuple[str, int, int]:
    """(stem, seed, index) of an ID; a SpecError naming ``--variant`` if it is not one, or if its
    seed or index is out of range (judged by the digits' count first: no huge integer is read)."""
    match = _ID.fullmatch(variant.strip())
    seed, index = (match["seed"].lstrip("0") or "0", match["index"].lstrip("0")) if match else ("", "")
    if not index:  # no ID, or variant 0
        raise SpecError("--variant", f"expected an ID like neuron-bce-2026-07 (<spec>-<seed>-<number>), "
                                     f"got {quoted(variant)}")
    if len(index) > len(str(MAX_COUNT)) or int(index) > MAX_COUNT:
        raise SpecError("--variant", f"{quoted(variant)}: expected a variant number of 1 to {MAX_COUNT:,} (a "
                                     "class set's largest)")
    if len(seed) > len(str(MAX_SEED)) or int(seed) > MAX_SEED:
        raise SpecError("--variant", f"{quoted(variant)}: expected a seed of 0 to {MAX_SEED}")
    return match["stem"], int(seed), int(index)


def plan_for(spec: Spec, spec_text: str, stem: str, seed: int | None = None) -> Plan:
    """The variant plan of ``spec``; ``seed`` overrides ``variants.seed``."""
    raw = tomllib.loads(spec_text)
    rules = tuple(_rule(name, value, spec, raw) for name, value in spec.variants.items() if name != "seed")
    if not rules:
        raise SpecError("variants", "no rules to draw from: add e.g. x1 = { min = -2.0, max = 2.0, "
                                    "step = 0.1 } under [variants] (`derive keys variants` lists the keys)")
    key = "--seed" if seed is not None else "variants.seed"
    seed = seed if seed is not None else spec.variants.get("seed", DEFAULT_SEED)
    if not 0 <= seed <= MAX_SEED:
        raise SpecError(key, f"expected a whole number of 0 to {MAX_SEED} (got {cut(str(seed), 40)})")
    return Plan(stem, seed, rules)


def _rule(name: str, value: object, spec: Spec, raw: dict) -> Rule:
    key = f"variants.{name}"
    try:
        rule = VariantRule.model_validate(value)
    except ValidationError as error:
        message = error.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
        raise SpecError(key, message) from None
    section = "inputs" if name in spec.inputs else "parameters"
    if isinstance(spec.parameter_values().get(name, spec.inputs.get(name)), list):
        raise SpecError(key, f"{name} is an array; a rule draws one number, so rules apply to scalar "
                             "inputs and parameters only")
    target = f"{section}.{name}"
    if isinstance(raw.get(section, {}).get(name), dict):
        target += ".value"  # a parameter written as a table: { value = 3.0, trainable = false }
    if rule.choices is not None:
        return Rule(name, target, choices=tuple(float(c) for c in rule.choices), count=len(rule.choices))
    assert rule.min is not None and rule.max is not None and rule.step is not None
    start, stop, step = (Decimal(repr(float(v))) for v in (rule.min, rule.max, rule.step))
    count = int((stop - start) / step) + 1
    if count > 10**9:
        raise SpecError(key, f"the grid has {count} values; choose a larger step (at most 10^9 values)")
    return Rule(name, target, start=start, step=step, count=count)


MAX_COUNT = 10_000
"""The most variants (or stress draws) one command makes: 10,000 take about 15 minutes on 2 cores;
a typo such as 10000000 would otherwise start a run of months."""


def check_count(count: int, what: str = "variants") -> None:
    """A one-line ``--count`` error unless 1 <= count <= MAX_COUNT."""
    if not 1 <= count <= MAX_COUNT:
        raise SpecError("--count", f"expected 1 to {MAX_COUNT} {what}, got {count}")


def check_distinct(plan: Plan, count: int) -> None:
    """A one-line error if the rules cannot give ``count`` variants different draws."""
    if plan.distinct < count:
        draws = "draw" if plan.distinct == 1 else "different draws"
        raise SpecError("variants", f"the rules allow {plan.distinct} {draws}, fewer than the {count} "
                                    "variants asked for (--count); widen a range, use a finer step or "
                                    "add choices")
