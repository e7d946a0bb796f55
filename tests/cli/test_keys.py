"""``derive keys``: every key of the schema, every function and operator, each with its doc.

The walk below reads the pydantic models on its own (every model reachable from ``Spec`` and
every model ``spec/schema.py`` defines), so a key added without a docstring, or one the
reference leaves out, fails here.
"""

from __future__ import annotations

import re
import typing

import pytest
from pydantic import BaseModel

from derive.cli.keys import WIDTH, reference_text
from derive.errors import SpecError
from derive.graph.expressions import _BINARY, _UNARY
from derive.graph.functions import FUNCTIONS
from derive.spec import schema
from derive.spec.schema import Spec, Train, parse_spec

from ..conftest import DEFAULT
from ..conftest import run_cli as run


def _models_in(annotation: object) -> set[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {annotation}
    return {model for argument in typing.get_args(annotation) for model in _models_in(argument)}


def every_model() -> set[type[BaseModel]]:
    """Spec and every model its fields hold, recursively, and every model the schema module defines."""
    found = {value for value in vars(schema).values() if isinstance(value, type)
             and issubclass(value, BaseModel) and value.__module__ == schema.__name__ and value.model_fields}
    todo = [Spec, *found]
    while todo:
        model = todo.pop()
        found.add(model)
        todo.extend(inner for field in model.model_fields.values()
                    for inner in _models_in(field.annotation) if inner not in found)
    return found


def blocks(text: str) -> list[tuple[str, str, str]]:
    """(key, the rest of its line, its doc) for every entry of ``derive keys``' output."""
    found: list[tuple[str, str, str]] = []
    for line in text.splitlines():
        if line.startswith("    ") and found:
            key, head, doc = found[-1]
            found[-1] = (key, head, f"{doc} {line.strip()}".strip())
        elif line.strip():
            key, _, head = line.partition("  ")
            found.append((key, head.strip(), ""))
    return found


@pytest.fixture(scope="module")
def everything() -> str:
    return reference_text()


def test_the_walk_finds_every_model():
    names = {model.__name__ for model in every_model()}
    assert names >= {"Spec", "Train", "Display", "Parameter", "Gradient", "VariantRule"}


@pytest.mark.parametrize("model", sorted(every_model(), key=lambda m: m.__name__), ids=lambda m: m.__name__)
def test_every_key_of_the_schema_is_listed_with_its_doc(everything, model):
    entries = blocks(everything)
    for name, field in model.model_fields.items():
        doc = " ".join((field.description or "").split())
        assert doc, f"{model.__name__}.{name} has no docstring under it"
        keys = {name, f"[{name}]"} if model is Spec else set()
        listed = [(head, text) for key, head, text in entries
                  if key in keys or key.endswith(f".{name}") and model is not Spec]
        shown = [head for head, text in listed if text.replace("`", "") == doc.replace("`", "")]
        assert shown, f"{model.__name__}.{name} is not listed with its doc"
        if field.is_required():
            assert all("(required)" in head for head in shown), (name, shown)


def test_types_and_defaults_are_the_schemas(everything):
    lines = {key: head for key, head, _ in blocks(everything)}
    assert lines["train.learning_rate"] == "number > 0  (required)"
    assert lines["train.steps"] == "whole number, 1 to 5,000  (default: 1)"
    assert lines["display.dtype"] == '"float32" or "float64"  (default: "float32")'
    assert lines["gradient.forward_difference"] == "number, 0 < x < 1  (optional)"
    assert lines["gradient.watch_accessed_variables"] == "true or false  (default: true)"
    assert lines["title"] == "string, 1 to 300 characters  (required)"
    assert lines["parameters.<name>"] == "number, array of numbers, matrix or table"
    assert lines["[gradient]"] == "table or array of tables  (optional)"
    assert lines["variants.seed"] == "whole number >= 0  (default: 0)"


def test_every_function_is_listed_with_its_parameters_and_title():
    text = reference_text("functions")
    for name, function in FUNCTIONS.items():
        line = next(line for line in text.splitlines() if line.startswith(f"{name}("))
        called = re.findall(r"[a-z_]+", line[line.index("(") + 1: line.index(")")])
        assert called == list(function.parameters)
        assert function.title in line
    assert "leaky_relu(z, alpha = 0.2)" in text and "huber(yhat, y, delta = 1)" in text
    assert "sum(u[, axis])" in text


def test_every_operator_of_the_grammar_has_a_meaning():
    entries = {key: meaning for key, meaning, _ in blocks(reference_text("expressions"))}
    for op in _BINARY.values():
        assert entries.get(f"a {op} b"), op
    for op in _UNARY.values():
        assert entries.get(f"{op}a"), op


def test_a_table_is_its_keys_and_a_key_is_itself():
    assert [key for key, _, _ in blocks(reference_text("train"))] == ["[train]", *(
        f"train.{name}" for name in Train.model_fields)]
    assert [key for key, _, _ in blocks(reference_text("gradient[1].order"))] == ["gradient.order"]
    assert [key for key, _, _ in blocks(reference_text("variants.seed"))] == ["variants.seed"]
    # a name of the spec's own finds the entry it is, with its table's doc when it has none
    assert [key for key, _, _ in blocks(reference_text("inputs.x1"))] == ["[inputs]", "inputs.<name>"]
    assert blocks(reference_text("sigmoid"))[0][0] == "sigmoid(z)"


def test_the_output_fits_a_terminal(everything):
    assert max(len(line) for line in everything.splitlines()) <= WIDTH
    assert "\x1b" not in everything


@pytest.mark.parametrize("text, command, meant", [
    (DEFAULT.replace("learning_rate", "learnig_rate"), "derive keys train", "train.learning_rate"),
    (DEFAULT.replace("[train]", "[zzz]"), "derive keys", "[train]"),
    (DEFAULT.replace("w1 = 0.7", "w1 = { valeu = 0.7 }"), "derive keys parameters",
     "parameters.<name>.value"),
    (DEFAULT + "[[gradient]]\norderr = 2\n", "derive keys gradient", "gradient.order"),
    (DEFAULT + "[variants]\nx1 = { min = 0.0, max = 1.0, stp = 0.1 }\n", "derive keys variants",
     "variants.<name>.step"),
])
def test_an_unknown_key_names_the_command_that_lists_the_key_meant(text, command, meant):
    with pytest.raises(SpecError) as caught:
        parse_spec(text)
    assert caught.value.message.endswith(f"; `{command}` lists the keys")
    topic = command.removeprefix("derive keys").strip() or None
    assert meant in [key for key, _, _ in blocks(reference_text(topic))]


def test_the_command(monkeypatch, capsys):
    code, out, err = run(monkeypatch, capsys, "keys")
    assert code == 0 and err == "" and out == reference_text()
    code, out, _ = run(monkeypatch, capsys, "keys", "display.precision")
    assert code == 0 and out.startswith("display.precision  whole number, 1 to 15  (default: 7)\n")


def test_an_unknown_topic_is_one_line_with_a_suggestion(monkeypatch, capsys):
    code, out, err = run(monkeypatch, capsys, "keys", "trian")
    assert code == 2 and out == ""
    assert err == ("derive: error: trian: no table, key or function of that name (did you mean 'train'?); "
                   "derive keys lists them all\n")
