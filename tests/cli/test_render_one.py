"""``derive render`` with its tape in a child process: the same bytes, and no TensorFlow here."""

from __future__ import annotations

import subprocess
import sys

import pytest

from derive.render.formats import FORMATS, Options, render_all
from derive.sheet.build import build_worksheet
from derive.spec.examples import example_path
from derive.spec.schema import load_spec

RUN = ("import sys\nfrom derive.cli import main\nsys.argv = ['derive', 'render', *sys.argv[1:]]\n"
       "try:\n    main()\nfinally:\n    print('tensorflow' in sys.modules, file=sys.stderr)\n")


@pytest.mark.parametrize("name", ["neuron-bce", "softmax-cross-entropy"])
def test_the_child_gives_the_in_process_bytes_and_the_parent_never_imports_tensorflow(tmp_path, name):
    run = subprocess.run([sys.executable, "-c", RUN, name, "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stderr == "False\n", run.stderr
    expected = render_all(build_worksheet(load_spec(example_path(name), ()), name), FORMATS, Options())
    written = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert set(written) == set(expected)
    for filename, content in expected.items():
        assert written[filename] == (content.encode() if isinstance(content, str) else content), filename
