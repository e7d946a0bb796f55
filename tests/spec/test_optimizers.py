"""[train] optimizer and its hyperparameters: Keras's names and defaults, and one-line refusals."""

from __future__ import annotations

import pytest

from derive.errors import SpecError
from derive.spec.schema import parse_spec

BASE = 'title = "t"\n[parameters]\nw = 1.0\n[graph]\nL = "w**2"\n[train]\nlearning_rate = 0.1\n'


def _train(extra: str):
    return parse_spec(BASE + extra).train


def test_the_default_is_plain_sgd_with_no_hyperparameters():
    settings = _train("").settings
    assert settings.name == "sgd" and settings.plain and settings.hyperparameters == ()


@pytest.mark.parametrize(("name", "expected"), [
    ("momentum", {"momentum": 0.9}),
    ("nesterov", {"momentum": 0.9}),
    ("rmsprop", {"rho": 0.9, "epsilon": 1e-7}),
    ("adam", {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
    ("adamw", {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "weight_decay": 0.004}),
])
def test_each_optimizer_takes_kerass_defaults(name, expected):
    assert dict(_train(f'optimizer = "{name}"\n').settings.hyperparameters) == expected


def test_a_given_value_replaces_the_default():
    settings = _train('optimizer = "adam"\nbeta_2 = 0.99\nepsilon = 1e-8\n').settings
    assert settings["beta_2"] == 0.99 and settings["epsilon"] == 1e-8 and settings["beta_1"] == 0.9


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "rmsprop", "adam"])
def test_every_optimizer_takes_a_weight_decay_as_keras_does(name):
    settings = _train(f'optimizer = "{name}"\nweight_decay = 0.01\n').settings
    assert settings.decayed and settings.hyperparameters[-1] == ("weight_decay", 0.01)
    assert not settings.plain  # SGD with a decay has a rule of its own: w <- w - eta lambda w - eta g
    assert "weight_decay=..." in settings.keras
    assert not _train(f'optimizer = "{name}"\n').settings.decayed  # none unless given, as in Keras


def test_a_misplaced_key_names_the_weight_decay_among_what_the_optimizer_takes():
    with pytest.raises(SpecError) as caught:
        _train('optimizer = "momentum"\nrho = 0.9\n')
    assert "its hyperparameters: momentum, weight_decay" in caught.value.message


@pytest.mark.parametrize(("extra", "key", "words"), [
    ('optimizer = "adagrad"\n', "train.optimizer",
     "'sgd', 'momentum', 'nesterov', 'rmsprop', 'adam', 'adamw'"),
    ('optimizer = "momentum"\nbeta_1 = 0.9\n', "train.beta_1", "belongs to adam and adamw"),
    ('beta_1 = 0.9\n', "train.beta_1", "optimizer = 'sgd' does not take beta_1"),
    ('optimizer = "adam"\nweight_decay = -0.1\n', "train.weight_decay", "greater than or equal to 0"),
    ('optimizer = "adam"\nepsilon = 0.0\n', "train.epsilon", "greater than 0"),
    ('optimizer = "rmsprop"\nepsilon = -1e-7\n', "train.epsilon", "greater than 0"),
    ('optimizer = "adam"\nbeta_2 = 1.0\n', "train.beta_2", "less than 1"),
    ('optimizer = "rmsprop"\nrho = -0.1\n', "train.rho", "greater than or equal to 0"),
    ('optimizer = "momentum"\nmomentum = 1.5\n', "train.momentum", "less than 1"),
])
def test_bad_input_is_one_line_naming_the_key(extra, key, words):
    with pytest.raises(SpecError) as caught:
        _train(extra)
    assert caught.value.key == key
    assert words in caught.value.message
    assert "\n" not in str(caught.value)
