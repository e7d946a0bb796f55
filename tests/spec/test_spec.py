"""The spec: SPEC.md's keys load exactly as written; bad input names its key."""

from __future__ import annotations

import pytest

from derive.errors import SpecError
from derive.spec.schema import parse_spec

from ..conftest import DEFAULT


def test_default_spec_loads_every_key(default_spec):
    assert default_spec.inputs == {"x1": 1.3, "x2": 2.1, "Y": 1.0}
    assert default_spec.parameters == {"w1": 0.7, "w2": -0.3, "b": 1.0}
    assert list(default_spec.graph) == ["A1", "A2", "A3"]
    assert default_spec.train.learning_rate == 0.1 and default_spec.train.steps == 1
    assert default_spec.display.precision == 7 and default_spec.display.dtype == "float32"
    assert default_spec.loss == "A3"


def test_loss_defaults_to_last_node():
    spec = parse_spec(DEFAULT.replace('loss = "A3"\n', ""))
    assert spec.loss == "A3"


def test_display_and_notation_keys():
    text = DEFAULT + '[display]\nprecision = 4\ndtype = "float64"\n[notation]\nA1 = "z"\n'
    spec = parse_spec(text)
    assert (spec.display.precision, spec.display.dtype, spec.notation) == (4, "float64", {"A1": "z"})


def error_of(text: str, *overrides: str) -> SpecError:
    with pytest.raises(SpecError) as caught:
        parse_spec(text, overrides)
    assert "\n" not in str(caught.value)
    return caught.value


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        ("title = \n", "spec", "TOML syntax error"),
        ('title = "t"\n[inputs]\nx = 1\n', "graph", "missing"),
        (DEFAULT.replace("x1 = 1.3", 'x1 = "1.3"'), "inputs.x1", "expected a finite number, got '1.3'"),
        (DEFAULT.replace("x1 = 1.3", "x1 = true"), "inputs.x1", "expected a finite number"),
        (DEFAULT.replace("x1 = 1.3", "x1 = nan"), "inputs.x1", "finite number"),
        (DEFAULT.replace("learning_rate = 0.1", "learning_rate = -0.1"), "train.learning_rate",
         "greater than 0"),
        (DEFAULT.replace("learning_rate = 0.1", "learning_rate = 0"), "train.learning_rate",
         "greater than 0"),
        (DEFAULT.replace("learning_rate = 0.1", 'learning_rate = "fast"'), "train.learning_rate",
         "number"),
        (DEFAULT.replace("[train]", "[trian]"), "trian", "unknown key"),
        (DEFAULT.replace("b  = 1.0", "x1 = 1.0"), "parameters.x1", "already defined in [inputs]"),
        (DEFAULT.replace("b  = 1.0", "exp = 1.0"), "parameters.exp", "function name"),
        (DEFAULT.replace('loss = "A3"', 'loss = "A9"'), "train.loss", "name of a [graph] node"),
        (DEFAULT.replace("steps = 1", "steps = 0"), "train.steps", "greater than or equal to 1"),
        (DEFAULT + "[display]\ndtype = \"float16\"\n", "display.dtype", "float32"),
        (DEFAULT + '[notation]\nq = "q"\n', "notation.q", "no input"),
    ],
)
def test_bad_spec_names_the_key(text, key, fragment):
    error = error_of(text)
    assert error.key == key
    assert fragment in error.message


def test_overrides_change_inputs_and_settings():
    spec = parse_spec(DEFAULT, ["x1=2.0", "train.learning_rate=0.05", "w2=-1", "title=New title"])
    assert spec.inputs["x1"] == 2.0 and spec.parameters["w2"] == -1.0
    assert spec.train.learning_rate == 0.05 and spec.title == "New title"


@pytest.mark.parametrize(
    ("override", "key", "fragment"),
    [
        ("x9=1", "--set x9", "no input or parameter"),
        ("x1", "--set x1", "KEY=VALUE"),
        ("x1=abc", "inputs.x1", "expected a finite number, got 'abc'"),
        ("train.learning_rate=abc", "train.learning_rate", "number"),
        ("train.rate=1", "train.rate", "unknown key"),
        ("display=1", "--set display", "no input or parameter"),
        ("x1=[1, 2]", "--set x1", "single value"),
    ],
)
def test_bad_override_names_the_key(override, key, fragment):
    error = error_of(DEFAULT, override)
    assert error.key == key
    assert fragment in error.message


def test_override_cannot_replace_a_table():
    text = DEFAULT + "[variants]\nx1 = { min = -2.0, max = 2.0, step = 0.1 }\n"
    error = error_of(text, "variants.x1=3")
    assert error.key == "--set variants.x1" and "not tables" in error.message


def test_variants_rules_are_validated():
    good = DEFAULT + "[variants]\nseed = 7\nx1 = { min = -2.0, max = 2.0, step = 0.1 }\n" \
        'w1 = { choices = [0.5, 0.7] }\n'
    assert parse_spec(good).variants["seed"] == 7
    error = error_of(DEFAULT + "[variants]\nx1 = { min = 2.0 }\n")
    assert error.key == "variants.x1"
    assert error_of(DEFAULT + "[variants]\nq = { choices = [1.0] }\n").key == "variants.q"


GRADIENT = 'title = "g"\n[parameters]\nx = 3.0\n[inputs]\nc = 1.0\n[graph]\ny = "x**3 + c"\n'


@pytest.mark.parametrize(
    ("table", "key", "fragment"),
    [
        ("[gradient]\norder = 0\n", "gradient.order", "greater than or equal to 1"),
        ("[gradient]\norder = 5\n", "gradient.order", "less than or equal to 4"),
        ('[gradient]\nwatch = ["q"]\n', "gradient.watch", "'q' is not an input or parameter"),
        ('[gradient]\nwrt = ["q"]\n', "gradient.wrt", "'q' is not an input, parameter or node"),
        ('[gradient]\nof = "q"\n', "gradient.of", "name of a [graph] node"),
        ('[[gradient]]\nof = "y"\n[[gradient]]\nwatch = ["nope"]\n', "gradient[1].watch", "'nope'"),
        ("[gradient]\nforward_difference = 0\n", "gradient.forward_difference", "greater than 0"),
    ],
)
def test_bad_gradient_tables(table, key, fragment):
    error = error_of(GRADIENT + table)
    assert error.key == key and fragment in error.message


def test_untrainable_parameter_table_and_override():
    spec = parse_spec(GRADIENT.replace("x = 3.0", "x = { value = 3.0, trainable = false }"), ["x=2.5"])
    assert spec.parameter_values() == {"x": 2.5} and spec.trainable == ()


def test_load_spec_takes_a_str_or_a_path(tmp_path):
    from pathlib import Path

    from derive.spec import Spec, load_spec

    path = tmp_path / "neuron.toml"
    path.write_text(DEFAULT, encoding="utf-8")
    by_str, by_path = load_spec(str(path)), load_spec(Path(path))
    assert isinstance(by_str, Spec) and by_str == by_path == parse_spec(DEFAULT)
    with pytest.raises(SpecError, match="cannot read the spec"):
        load_spec(str(tmp_path / "missing.toml"))


@pytest.mark.parametrize("text, message", [
    (DEFAULT.replace("[train]", "[trian]"), "trian: unknown key (did you mean 'train'?)"),
    (DEFAULT + "[display]\nprecison = 4\n", "display.precison: unknown key (did you mean 'precision'?)"),
    (DEFAULT.replace("w1 = 0.7", "w1 = { valeu = 0.7 }"),
     "parameters.w1.valeu: unknown key (did you mean 'value'?)"),
    (DEFAULT.replace("learning_rate", "learnig_rate"),
     "train.learnig_rate: unknown key (did you mean 'learning_rate'?); `derive keys train` lists the keys"),
    (DEFAULT.replace("[train]", "[zzz]"), "zzz: unknown key; `derive keys` lists the keys"),
    (DEFAULT + "[variants]\nx1 = { min = 0.0, max = 1.0, stp = 0.1 }\n",
     "variants.x1: unknown key (did you mean 'step'?); `derive keys variants` lists the keys"),
])
def test_a_misspelt_key_is_unknown_with_a_suggestion_not_the_right_key_missing(text, message):
    with pytest.raises(SpecError) as caught:
        parse_spec(text)
    assert str(caught.value).startswith(message)


NOT_XML = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\ufffe", "\uffff", "\ud800", "\udfff"]
"""Characters XML 1.0 cannot hold (its Char production: tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD,
U+10000 up), which a quiz file (Moodle XML, QTI) would carry as it is."""


@pytest.mark.parametrize("key", ["title", "intro"])
@pytest.mark.parametrize("character", NOT_XML, ids=[f"U+{ord(c):04X}" for c in NOT_XML])
def test_free_text_refuses_what_xml_cannot_hold(key, character):
    error = error_of(DEFAULT, f"{key}=ab{character}c")
    assert error.key == key
    assert error.message.startswith(f"holds U+{ord(character):04X} (character 3), which the quizzes' XML")
    assert character not in str(error)  # shown escaped, as every quoted input


def test_free_text_keeps_what_xml_holds():
    kept = "tab\tline\nreturn\r del\x7f c1\x85 \ud7ff\ue000\ufffd\U0001f600 σ"
    spec = parse_spec(DEFAULT, [f"intro={kept}"])
    assert spec.intro == kept
    assert parse_spec(DEFAULT.replace('intro = "One', 'intro = "\\uFFFD\\t One')).intro.startswith("\ufffd\t")


def test_a_toml_escape_of_u_ffff_is_refused_too():
    error = error_of(DEFAULT.replace('title = "Back', 'title = "\\uFFFF Back'))
    assert error.key == "title" and error.message.startswith("holds U+FFFF (character 1)")
