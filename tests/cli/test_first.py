"""Which ``derive`` command lines fork the TensorFlow child first (``cli.first``)."""

from __future__ import annotations

import pytest

from derive.cli.first import _wants_tape


@pytest.mark.parametrize(("options", "wanted"), [
    ([], True),
    (["my.toml", "--format", "pdf,json"], True),
    (["--format=html,practice"], True),
    (["--format", "practice,scorm"], False),
    (["--format=practice"], False),
    (["my.toml", "--variant", "my-2026-01"], False),
    (["--blanks=steps"], False),
    (["--help"], False),
])
def test_a_render_forks_first_unless_it_runs_no_tape(options, wanted):
    assert _wants_tape(options) is wanted
