"""One preparation: the graph, the derivation with its [gradient] targets, and what matters."""

from __future__ import annotations

import pytest

from derive.errors import SpecError
from derive.symbolic.derivation import Target
from derive.symbolic.prepare import prepare

from ..conftest import DEFAULT, TWO_OUTPUTS, spec_from


def test_the_default_sheet_keeps_the_paths_from_the_weights_to_the_loss():
    prepared = prepare(spec_from(DEFAULT))
    assert prepared.relevant == {"A3/A2", "A2/A1", "A1/w1", "A1/w2", "A1/b"}  # not x1, x2, Y


def test_two_outputs_keep_both_paths_and_drop_the_targets():
    prepared = prepare(spec_from(TWO_OUTPUTS))
    assert prepared.relevant == {"L/o1", "L/o2", "o1/h", "o2/h", "o1/v1", "o2/v2", "h/z", "z/w", "z/b"}


def test_a_gradient_table_adds_its_targets_and_their_paths():
    text = DEFAULT + '\n[gradient]\nof = "A2"\nwrt = ["x1"]\n'
    prepared = prepare(spec_from(text))
    assert Target("A2", "x1") in prepared.derivation.targets
    assert "A1/x1" in prepared.relevant and "A2/A1" in prepared.relevant
    assert "A1/x2" not in prepared.relevant


def test_a_redrawn_spec_keeps_the_derivation_and_takes_the_numbers():
    prepared = prepare(spec_from(DEFAULT))
    redrawn = prepared.redrawn(spec_from(DEFAULT, "x1=2.0"))
    assert redrawn.derivation is prepared.derivation
    assert redrawn.graph.inputs["x1"] == 2.0


def test_shapes_that_do_not_fit_are_refused_in_the_preparation():
    text = DEFAULT.replace("x1 = 1.3", "x1 = [1.0, 2.0, 3.0]").replace("x2 = 2.1", "x2 = [1.0, 2.0]")
    with pytest.raises(SpecError):
        prepare(spec_from(text))
