"""Variant rules, seeded draws and IDs: the same ID always gives the same numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from derive.classset.variants import DEFAULT_SEED, format_id, parse_id, plan_for
from derive.errors import SpecError
from derive.spec.schema import parse_spec

from ..classsets import CLASS, RULES
from ..conftest import DEFAULT


def plan(text: str = CLASS, stem: str = "neuron-bce", seed: int | None = None):
    return plan_for(parse_spec(text), text, stem, seed)


@pytest.mark.parametrize(("stem", "seed", "index", "text"), [
    ("neuron-bce", 2026, 7, "neuron-bce-2026-07"),
    ("neuron-bce", 0, 1, "neuron-bce-0-01"),
    ("lab-3-two-outputs", 12, 40, "lab-3-two-outputs-12-40"),
    ("x", 5, 123, "x-5-123"),
    ("week 4 neuron", 2027, 9, "week 4 neuron-2027-09"),
])
def test_an_id_round_trips(stem, seed, index, text):
    assert format_id(stem, seed, index) == text
    assert parse_id(text) == (stem, seed, index)
    assert format_id(*parse_id(text)) == text


@pytest.mark.parametrize("text", ["neuron-bce", "neuron-bce-2026", "neuron-bce-2026-00", "2026-07",
                                  "neuron-bce-x-07", ""])
def test_a_malformed_id_is_a_spec_error_naming_the_option(text):
    with pytest.raises(SpecError, match="^--variant: expected an ID like neuron-bce-2026-07"):
        parse_id(text)


def test_every_id_of_a_plan_parses_back():
    p = plan()
    for index in (1, 9, 10, 99, 100, 1000):
        assert parse_id(p.variant_id(index)) == ("neuron-bce", 2026, index)


def test_grid_values_are_exact_decimal_steps_within_the_range():
    rule = {r.name: r for r in plan().rules}["x1"]
    values = [rule.value(i) for i in range(rule.count)]
    assert rule.count == 41 and values[0] == -2.0 and values[-1] == 2.0
    assert values[:3] == [-2.0, -1.9, -1.8] and 0.3 in values and 0.0 in values
    assert all(Decimal(repr(v)) % Decimal("0.1") == 0 for v in values)


def test_a_grid_whose_step_does_not_reach_max_stops_below_it():
    text = DEFAULT + "[variants]\nx1 = { min = 0.0, max = 1.0, step = 0.3 }\n"
    rule = plan(text).rules[0]
    assert [rule.value(i) for i in range(rule.count)] == [0.0, 0.3, 0.6, 0.9]


def test_draws_depend_on_seed_index_and_attempt_only():
    p = plan()
    first = p.draw(7)
    assert first == plan().draw(7)  # a new plan, the same draw: regeneration from the ID alone
    assert first.values != p.draw(8).values or first.values != p.draw(9).values
    assert p.draw(7, attempt=1).values != first.values
    assert plan(seed=2027).draw(7).values != first.values
    names = [name for name, _ in first.values]
    assert names == ["x1", "x2", "Y", "w1"]


def test_draws_cover_the_rules_choices():
    p = plan()
    drawn = {dict(p.draw(i).values)["w1"] for i in range(1, 200)}
    assert drawn == {0.5, 0.7, 0.9, -0.4}
    assert {dict(p.draw(i).values)["Y"] for i in range(1, 200)} == {0.0, 1.0}


def test_a_draw_is_a_list_of_set_overrides_the_spec_validates():
    p = plan()
    draw = p.draw(3)
    spec = parse_spec(CLASS, draw.overrides(p))
    values = dict(draw.values)
    assert spec.inputs["x1"] == values["x1"] and spec.parameters["w1"] == values["w1"]
    assert spec.inputs["x2"] == values["x2"] and spec.parameters["b"] == 1.0  # no rule: kept
    assert draw.overrides(p)[0].startswith("inputs.x1=")


def test_the_seed_comes_from_the_option_then_the_spec_then_the_default():
    assert plan().seed == 2026
    assert plan(seed=5).seed == 5
    assert plan(CLASS.replace("seed = 2026\n", "")).seed == DEFAULT_SEED


def test_a_spec_without_rules_cannot_make_variants():
    with pytest.raises(SpecError, match="^variants: no rules to draw from") as caught:
        plan(DEFAULT)
    assert caught.value.message.endswith("(`derive keys variants` lists the keys)")


@pytest.mark.parametrize(("rule", "message"), [
    ("x1 = { normal = 0.0 }", "variants.x1"),
    ("x1 = { min = 1.0, max = 0.0, step = 0.1 }", "variants.x1: min must not exceed max"),
    ("x1 = { choices = [] }", "variants.x1: choices must not be empty"),
    ("x1 = { min = 0.0, max = 1.0 }", "variants.x1: expected min, max and step, or choices"),
    ("A1 = { choices = [1.0] }", "variants.A1: expected the name of an input or parameter"),
])
def test_an_unknown_or_malformed_rule_names_its_key(rule, message):
    with pytest.raises(SpecError, match=f"^{message}"):
        parse_spec(DEFAULT + "[variants]\n" + rule + "\n")


def test_a_huge_grid_is_refused_before_anything_is_drawn():
    with pytest.raises(SpecError, match="^variants.x1: the grid has"):
        plan(DEFAULT + "[variants]\nx1 = { min = 0.0, max = 1.0, step = 1e-12 }\n")


def test_the_rules_text_is_reused_by_the_shared_fixture():
    assert RULES in CLASS and plan().distinct == 41 * 41 * 2 * 4


def test_a_rule_on_an_array_is_refused_naming_the_rule_not_an_override():
    text = ('title = "t"\n[inputs]\nx = [1.0, 2.0]\n[parameters]\nw = 0.5\n[graph]\nL = "mean(w*x)"\n'
            '[variants]\nx = { min = 0.0, max = 1.0, step = 0.5 }\n')
    with pytest.raises(SpecError) as caught:
        plan_for(parse_spec(text), text, "t")
    assert str(caught.value) == ("variants.x: x is an array; a rule draws one number, so rules apply to "
                                 "scalar inputs and parameters only")


@pytest.mark.parametrize(("text", "said"), [
    ("neuron-bce-7-" + "9" * 5000, "expected a variant number of 1 to 10,000"),
    ("neuron-bce-7-10001", "expected a variant number of 1 to 10,000"),
    ("neuron-bce-" + "9" * 5000 + "-03", "expected a seed of 0 to 9223372036854775807"),
    ("neuron-bce-9223372036854775808-03", "expected a seed of 0 to 9223372036854775807"),
])
def test_an_id_out_of_range_is_refused_by_its_value_without_reading_a_huge_integer(text, said):
    # 5000 digits: int() would raise ValueError (Python reads at most 4300), a traceback once
    with pytest.raises(SpecError) as raised:
        parse_id(text)
    assert raised.value.key == "--variant" and said in raised.value.message
    assert "\n" not in str(raised.value) and len(str(raised.value)) < 300


def test_the_largest_seed_and_index_are_taken():
    assert parse_id("neuron-bce-9223372036854775807-10000") == ("neuron-bce", 2**63 - 1, 10_000)
    assert plan(seed=2**63 - 1).seed == 2**63 - 1


@pytest.mark.parametrize("seed", [-1, 2**63, 10**50])
def test_a_seed_out_of_range_is_refused_naming_the_option(seed):
    with pytest.raises(SpecError, match=r"^--seed: expected a whole number of 0 to 9223372036854775807"):
        plan(seed=seed)
